"""``asl-runner lint --for-aws``: what would differ on AWS, as findings at JSON pointers.

The checks are a table (:data:`RULES`): each takes the :class:`Subject` and yields findings.
An ``error`` stops a deploy: CreateStateMachine would refuse the definition, or the machine
could not call what it called offline. A ``warning`` behaves differently or needs
configuration on AWS; an ``info`` is worth knowing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..engine.execution import MAX_DURATION
from ..integrations.registry import DEFAULT_ACCOUNT
from ..jsonvalue import dumps
from ..model.express import express_problems
from ..model.machine import StateMachine
from ..model.states import MapState, TaskState, WaitState
from ..record import Record
from ..validation.report import child
from .findings import ERROR, INFO, WARNING, Finding
from .functions import function_arn, function_refs, substitution_name
from .policy import Needs, Target, needs
from .recorded import NEAR
from .walk import sites, strings

#: AWS's quotas the checks compare against (the developer guide's "Step Functions service
#: quotas" and the Map pages)
DEFINITION_LIMIT = 1_048_576  # characters of a definition (CreateStateMachine's, as the CLI's)
EXPRESS_SECONDS = MAX_DURATION["EXPRESS"]  # an Express execution's longest run
INLINE_MAP_CONCURRENCY = 40  # an inline Map's iterations at a time (state-map-inline.html)


class Subject(Record):
    """What the checks look at: the definition as written and parsed, the machine type
    it will be deployed as, where (for the policy), and the local handlers' directory."""

    definition: Any
    machine: StateMachine
    machine_type: str
    target: Target
    lambdas: Any = None  # a LocalLambdas, or None
    needs: Any = None  # the policy (policy.Needs), computed once
    #: a template's ${name} tokens nothing filled (asl_runner.templates.Placeholder)
    placeholders: tuple = ()


def subject(definition: Any, machine: StateMachine, machine_type: str, target: Target,
            lambdas: Any = None, placeholders: tuple = ()) -> Subject:
    return Subject(definition, machine, machine_type, target, lambdas, needs(machine, target),
                   placeholders)


def _aws_rules(subject: Subject) -> Iterator[Finding]:
    """The definition under AWS's rules alone (asl-runner's own accept bare function names,
    which the local-handler check reports with more to say)."""
    from ..validate import validate_definition

    local = {ref.pointer for ref in function_refs(subject.machine) if ref.bare}
    for problem in validate_definition(subject.definition):
        if problem.pointer not in local:
            yield Finding(ERROR, "InvalidDefinition", problem.pointer,
                          f"CreateStateMachine refuses this: {problem.message}")


def _local_handlers(subject: Subject) -> Iterator[Finding]:
    """Functions that are local handlers offline, and what they stand for on AWS."""
    for ref in function_refs(subject.machine):
        runs = f"offline this runs {_handler(subject.lambdas, ref.name)}"
        fix = (f"(deploy --package creates it; export writes "
               f"${{{substitution_name(ref.name)}}})")
        if ref.bare:
            yield Finding(ERROR, "LocalHandler", ref.pointer,
                          f"{runs}; AWS needs a Lambda function's ARN here, "
                          f"{function_arn(subject.target, ref.name)} {fix}")
        elif ref.local:
            yield Finding(WARNING, "LocalHandler", ref.pointer,
                          f"{runs}; on AWS the function {function_arn(subject.target, ref.name)} "
                          f"must exist {fix}")
        else:
            yield Finding(INFO, "LocalHandler", ref.pointer,
                          f"{runs}; on AWS it invokes {ref.written}")
        if ref.local and ref.qualifier:
            # offline any qualifier runs the one handler; deploy --package makes $LATEST only
            yield Finding(WARNING, "LocalHandler", ref.pointer,
                          f"offline the qualifier '{ref.qualifier}' runs the same handler; on AWS the version "
                          f"or alias '{ref.qualifier}' of '{ref.name}' must exist (deploy --package "
                          "publishes none)")


def _handler(lambdas: Any, name: str) -> str:
    found = lambdas.source(name) if lambdas is not None else None
    if found is not None:
        return f"the local handler {os.path.relpath(found[0])}"
    return f"a local handler {name}.py (none in the lambdas directory)" if lambdas is not None \
        else f"a local handler {name}.py"


def _offline_account(subject: Subject) -> Iterator[Finding]:
    """ARNs and queue URLs that name asl-runner's offline account (moto's 123456789012),
    other than the functions the local-handler check reports."""
    reported = {ref.pointer for ref in function_refs(subject.machine)}
    for pointer, text in strings(subject.definition):
        if pointer in reported or not (f":{DEFAULT_ACCOUNT}:" in text or f"/{DEFAULT_ACCOUNT}/" in text):
            continue
        yield Finding(WARNING, "OfflineAccount", pointer,
                      f"names the account {DEFAULT_ACCOUNT}, asl-runner's offline one: on AWS this "
                      "must be a resource of your account (a template's ${AWS::AccountId})")


def _placeholders(subject: Subject) -> Iterator[Finding]:
    """Tokens a template left: CloudFormation fills them from DefinitionSubstitutions, a
    definition sent as it is (deploy) keeps the text. Those that stand for a local function
    are the local-handler check's."""
    for placeholder in subject.placeholders:
        text = "${" + placeholder.token + "}"
        if placeholder.stands_for == text:
            yield Finding(WARNING, "UnresolvedSubstitution", placeholder.pointer,
                          f"{text} is filled by nothing here: CloudFormation needs it in "
                          f"DefinitionSubstitutions, and `asl-runner deploy` sends the text as it is "
                          f"(give --sub {placeholder.token}=VALUE)")


def _express(subject: Subject) -> Iterator[Finding]:
    """What an Express machine (or a Distributed Map's Express children) cannot have, and
    how its executions differ: 5 minutes at most, at-least-once."""
    express: list[tuple[str, StateMachine]] = []
    if subject.machine_type == "EXPRESS":
        express.append(("", subject.machine))
    for site in sites(subject.machine):
        state = site.state
        if isinstance(state, MapState) and state.mode == "DISTRIBUTED" and state.execution_type == "EXPRESS":
            express.append((state.pointer, state.processor))
    for pointer, machine in express:
        where = "this Express state machine" if not pointer else "this Distributed Map's Express child executions"
        for problem in express_problems(machine):
            yield Finding(ERROR, "ExpressUnsupported", problem.pointer,
                          f"CreateStateMachine refuses this in {where}: {problem.message}")
        yield Finding(INFO, "ExpressSemantics", pointer,
                      f"{where[0].upper()}{where[1:]} run at most 5 minutes each; started "
                      "asynchronously they run at least once (a state may run twice: make its "
                      "tasks idempotent), synchronously at most once; their history is not kept "
                      "by Step Functions (only in CloudWatch Logs, if logging is on)")
        yield from _express_durations(machine, pointer)


def _express_durations(machine: StateMachine, pointer: str) -> Iterator[Finding]:
    if type(machine.timeout_seconds) is int and machine.timeout_seconds > EXPRESS_SECONDS:
        yield Finding(WARNING, "ExpressDuration", child(pointer, "TimeoutSeconds"),
                      f"TimeoutSeconds {machine.timeout_seconds} is over an Express execution's "
                      f"{EXPRESS_SECONDS} seconds: it ends with States.Timeout at 5 minutes")
    for site in sites(machine):
        state = site.state
        seconds = state.seconds if isinstance(state, WaitState) else None
        if type(seconds) is int and seconds > EXPRESS_SECONDS:  # not a JSONata expression
            yield Finding(WARNING, "ExpressDuration", child(state.pointer, "Seconds"),
                          f"a {seconds}-second Wait cannot end within an Express execution's "
                          f"{EXPRESS_SECONDS} seconds: the execution times out first")


def _quotas(subject: Subject) -> Iterator[Finding]:
    """AWS's quotas that the definition approaches, or that a larger input would reach."""
    size = len(dumps(subject.definition))
    if size >= NEAR * DEFINITION_LIMIT:
        yield Finding(WARNING, "DefinitionSize", "", f"the definition is {size:,} characters, "
                      f"{size / DEFINITION_LIMIT:.0%} of AWS's most ({DEFINITION_LIMIT:,})")
    for site in sites(subject.machine):
        state = site.state
        if not isinstance(state, MapState) or state.mode == "DISTRIBUTED":
            continue
        concurrency = state.max_concurrency
        unbounded = concurrency == 0 and state.max_concurrency_path is None
        if unbounded or (type(concurrency) is int and concurrency > INLINE_MAP_CONCURRENCY):
            asked = "no MaxConcurrency" if unbounded else f"MaxConcurrency {state.max_concurrency}"
            yield Finding(INFO, "InlineMapConcurrency", state.pointer,
                          f"an inline Map runs at most {INLINE_MAP_CONCURRENCY} iterations at a time "
                          f"on AWS ({asked} here)")
        if site.execution_type == "STANDARD":
            yield Finding(INFO, "InlineMapHistory", state.pointer,
                          "every iteration of an inline Map writes its events into this "
                          "execution's history, which holds 25,000 at most: for thousands of items, "
                          "use a Distributed Map")


def _callbacks(subject: Subject) -> Iterator[Finding]:
    for site in sites(subject.machine):
        state = site.state
        if not isinstance(state, TaskState):
            continue
        waits = state.resource.pattern == "waitForTaskToken" or state.resource.kind == "activity"
        if waits and state.timeout_seconds is None and state.timeout_seconds_path is None \
                and state.heartbeat_seconds is None and state.heartbeat_seconds_path is None:
            yield Finding(INFO, "CallbackTimeout", state.pointer,
                          "no TimeoutSeconds or HeartbeatSeconds: on AWS a task whose token is "
                          "never answered waits as long as the execution may run (a year)")


def _permissions(subject: Subject) -> Iterator[Finding]:
    """What the policy could not scope, or does not know; what needs its role."""
    found: Needs = subject.needs
    for pointer, note in found.notes:
        yield Finding(WARNING, "WidePermission", pointer, note)
    for pointer, arn in found.undeclared:
        yield Finding(WARNING, "UndeclaredPermission", pointer,
                      f"asl-runner knows no IAM permissions for {arn}: add the ones of its page "
                      "in the developer guide's \"IAM policies for integrated services\"")
    for site in sites(subject.machine):
        state = site.state
        if isinstance(state, TaskState) and state.resource.pattern in ("sync", "sync:2"):
            yield Finding(INFO, "SyncEventRule", child(state.pointer, "Resource"),
                          "a .sync task learns that its work ended through an EventBridge rule "
                          "Step Functions manages in your account: the policy allows "
                          "events:PutRule, PutTargets and DescribeRule on it")
        elif isinstance(state, MapState) and state.mode == "DISTRIBUTED":
            yield Finding(INFO, "DistributedMapRole", state.pointer,
                          "a Distributed Map starts child executions of this state machine with "
                          "its own role: the policy allows states:StartExecution on the machine, "
                          "and DescribeExecution and StopExecution on its Map Run's executions")


RULES: tuple[tuple[str, Callable[[Subject], Iterable[Finding]]], ...] = (
    ("aws-rules", _aws_rules),
    ("local-handlers", _local_handlers),
    ("offline-account", _offline_account),
    ("placeholders", _placeholders),
    ("express", _express),
    ("quotas", _quotas),
    ("callbacks", _callbacks),
    ("permissions", _permissions),
)


def lint(subject: Subject) -> list[Finding]:
    """Every finding of every rule, in the order of the table."""
    return [finding for _, rule in RULES for finding in rule(subject)]
