"""asl-runner: run AWS Step Functions state machines offline, faithfully.

    import asl_runner
    execution = asl_runner.run("definitions/gdpr_offboarding.asl.json", {"userId": "u-1"},
                               lambdas="lambdas", clock="virtual")
    execution.status, execution.output, execution.history
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["load", "redrive", "run", "start", "test_state", "__version__"]


def load(source: Any, *, validate: bool = True, state_machine: str | None = None,
         subs: dict | None = None):
    """Parse and validate a definition into a StateMachine: a dict, JSON text, or the path of
    a JSON or YAML definition file or of a CloudFormation/SAM/CDK template, whose state
    machine ``state_machine`` (a logical id; the only one by default) is taken, with
    ``subs`` filling its ``${name}`` tokens (see ``asl_runner.templates.load_definition``)."""
    from .model import parse_definition
    from .templates import is_file_path

    if is_file_path(source):
        from .templates import load_definition

        source = load_definition(source, state_machine, subs).definition
    elif state_machine is not None or subs:
        raise TypeError("state_machine and subs are for a definition read from a file")
    return parse_definition(source, validate=validate)


def start(definition: Any, input: Any = None, *, clock: Any = None, name: str | None = None,
          state_machine_name: str = "StateMachine", **kw: Any):
    """Create an Execution (not yet started) for a definition or a loaded StateMachine."""
    from .clock import Clock, make_clock
    from .engine import Execution
    from .model import StateMachine

    machine = definition if isinstance(definition, StateMachine) else load(definition)
    if not isinstance(clock, Clock):
        clock = make_clock(clock)
    return Execution(machine, _as_json({} if input is None else input), clock=clock, name=name,
                     state_machine_name=state_machine_name, **kw)


def _as_json(value: Any) -> Any:
    """The input as StartExecution would receive it: a JSON copy of the caller's value (so
    that changing it later changes nothing), or InvalidExecutionInput."""
    from .errors import InvalidExecutionInput
    from .jsonvalue import PAYLOAD_LIMIT, JsonInputError, dumps, loads

    try:
        text = dumps(value)
    except (TypeError, ValueError) as exc:  # a set, an object, NaN, Infinity...
        raise InvalidExecutionInput(f"the execution input is not JSON: {exc}") from None
    except RecursionError:
        raise InvalidExecutionInput("the execution input is nested too deeply") from None
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a str with a lone surrogate: no request can carry one
        raise InvalidExecutionInput("the execution input holds an unpaired UTF-16 surrogate, "
                                    "which is not Unicode text") from None
    if size > PAYLOAD_LIMIT:
        raise InvalidExecutionInput(f"the execution input is over {PAYLOAD_LIMIT} bytes")
    try:
        return loads(text)
    except JsonInputError as exc:
        raise InvalidExecutionInput(f"the execution input is not JSON as AWS reads it: {exc}") from None


def run(definition: Any, input: Any = None, *, lambdas: str | None = None,
        handlers: dict | None = None, mocks: Any = None, test_case: str | None = None,
        machines: dict | None = None, aws_setup: Any = None, clock: Any = None,
        name: str | None = None, state_machine_name: str = "StateMachine", max_workers: int = 16,
        state_machine: str | None = None, subs: dict | None = None, **kw: Any):
    """Run a definition to its end and return the Execution (status, output, history...).

    ``definition`` is what ``load`` takes; from a template (``state_machine``, ``subs``: see
    ``load``), a Task calling one of the template's functions runs its code (``CodeUri`` and
    ``Handler``) as a local handler.

    ``lambdas`` is a directory of ``NAME.py`` handlers, ``handlers`` a mapping of function
    names to callables ``handler(event, context)``. ``clock`` is "real" (default, or
    ASL_RUNNER_CLOCK) or "virtual" (Wait states and retry back-offs take no time).
    ``machines`` maps names to the definitions that ``states:startExecution`` tasks may start
    (``arn:aws:states:REGION:ACCOUNT:stateMachine:NAME``); their executions, which run on the
    same clock, are in the Integrations' ``children`` afterwards (``execution.children``).
    ``aws_setup`` (a file's path, or its list of ``{service, op, params}`` calls) is made
    first, on the run's own mocked AWS account (``integrations.setup``).

    ``mocks`` answers Task states without calling anything (the others run as usual): a mock
    configuration of AWS Step Functions Local (the file's path, or its structure as a dict)
    with ``test_case`` naming one of its test cases (``TEST`` or ``MACHINE#TEST``; the
    execution then runs as that state machine); or a dict mapping state names or resource ARNs
    to callables ``mock(payload, call)`` or to mocked responses in the file's format.
    Raises ``asl_runner.mocks.MockConfigError`` for mocks that cannot be used, and warns
    (``MockWarning``) of mocks that name no state of the definition.
    """
    from .local_run import LocalRun

    return LocalRun(definition, input, lambdas=lambdas, handlers=handlers, mocks=mocks,
                    test_case=test_case, machines=machines, aws_setup=aws_setup, clock=clock,
                    name=name, state_machine_name=state_machine_name,
                    state_machine=state_machine, subs=subs, **kw).drive(max_workers=max_workers)


def redrive(execution: Any, *, lambdas: str | None = None, handlers: dict | None = None,
            mocks: Any = None, test_case: str | None = None, machines: dict | None = None,
            aws_setup: Any = None, max_workers: int = 16) -> Any:
    """RedriveExecution for an execution ``run`` returned: it goes on from the state that
    failed (only the failed or unfinished branches and iterations of a Parallel or Map run
    again), with the same ARN, and returns once it ends again (the same Execution object).

    The tasks go to the handlers and mocks given here (the fixed ones), as ``run`` takes
    them. Raises ``asl_runner.errors.ExecutionNotRedrivable`` (``code``, ``reason``) where
    AWS refuses: an execution that succeeded or still runs, an Express one, one that stopped
    more than 14 days ago (on its clock), a history of 24,999 events.
    """
    from .engine.redrive import check
    from .local_run import LocalRun

    check(execution)
    again = LocalRun(execution.machine, lambdas=lambdas, handlers=handlers, mocks=mocks,
                     test_case=test_case, machines=machines, aws_setup=aws_setup,
                     state_machine_name=execution.state_machine_name, execution=execution)
    execution.redrive()
    return again.drive(max_workers=max_workers)


def test_state(definition: Any, input: Any = None, *, inspection_level: str = "INFO",
               variables: Any = None, mock: dict | None = None, state_name: str | None = None,
               state_machine: str | None = None, subs: dict | None = None, **kw: Any) -> dict:
    """Run one state once, as AWS's TestState API does, and return its response (AWS's
    TestStateOutput: ``status``, ``nextState``, ``output``, ``error``, ``cause``,
    ``inspectionData``; payloads as JSON text, as the API returns them).

    ``definition`` is one state (a dict, JSON text or a file's path), or a whole machine with
    ``state_name``. ``mock`` is ``{"result": ...}`` or ``{"errorOutput": {"error": ...,
    "cause": ...}}``; without one a Task calls its integration as ``run`` does (``lambdas``,
    ``handlers``). Also ``context``, ``state_configuration`` (``{"retrierRetryCount": N}``),
    ``reveal_secrets`` and ``role_arn``, as the API has them. A bad request raises
    ``asl_runner.engine.test_state.TestStateError`` with AWS's error code. A path may name a
    YAML file or a template (``state_machine``, ``subs``: see ``load``), whose Python
    functions then run the state's task.
    """
    from .engine.test_state import test_state as run_one_state
    from .templates import TemplateError, is_file_path

    created = None
    if is_file_path(definition):
        from .templates import load_definition

        try:
            loaded = load_definition(definition, state_machine, subs)
        except TemplateError as exc:
            if exc.where or state_machine is not None or subs:
                raise
            loaded = None  # text that is not JSON: TestState refuses it as AWS does
        if loaded is not None:
            definition = loaded.text
            if loaded.handlers and mock is None and kw.get("invoker") is None:
                from .integrations import Integrations

                created = kw["invoker"] = Integrations(kw.pop("lambdas", None),
                                                       kw.pop("handlers", None),
                                                       functions=loaded.handlers)
    elif state_machine is not None or subs:
        raise TypeError("state_machine and subs are for a definition read from a file")
    try:
        return run_one_state(definition, input, inspection_level=inspection_level,
                             variables=variables, mock=mock, state_name=state_name, **kw)
    finally:
        if created is not None:
            created.close()


test_state.__test__ = False  # type: ignore[attr-defined]  # pytest: an API, not a test
