"""The least-privilege IAM policy a definition's state machine role needs on AWS.

Built from the integrations' own declarations (``Integration.permissions``, see
``asl_runner.integrations.iam``): this module only walks the definition, asks each task's
integration, and adds what belongs to states rather than integrations: a Distributed Map's
child executions, its ItemReader and ResultWriter, and a task's ``Credentials`` role.
"""

from __future__ import annotations

from typing import Any

from ..integrations import registry
from ..integrations.iam import ACCOUNT, REGION, Grant, Scope
from ..jsonvalue import dumps, loads
from ..model.machine import StateMachine
from ..model.resource import parse_resource
from ..model.states import MapState, TaskState
from ..record import Record
from ..validation.report import child
from .walk import Site, sites


class Target(Record):
    """Where the machine will run: its name, partition, region and account (CloudFormation's
    pseudo parameters where not known)."""

    machine_name: str
    partition: str = "aws"
    region: str = REGION
    account: str = ACCOUNT


class Needs(Record):
    """The policy document, and per task what it could not scope: ``notes`` (pointer, why
    a grant is wide) and ``undeclared`` (pointer, resource asl-runner has no IAM
    declaration for)."""

    policy: dict
    notes: tuple = ()
    undeclared: tuple = ()


#: what stands for CloudFormation's ${AWS::Region} and ${AWS::AccountId} while a policy is
#: built (ARNs are parsed on the way, and "${AWS::Region}" is no region an ARN may hold)
STAND_INS = {REGION: "region-0", ACCOUNT: "000000000000"}


def needs(machine: StateMachine, target: Target) -> Needs:
    """The role's policy for ``machine`` deployed as ``target``: the functions that are local
    handlers here (bare names, ARNs of asl-runner's offline account) are those of
    ``target``."""
    stand_ins = {value: STAND_INS[value] for value in (target.region, target.account)
                 if value in STAND_INS}
    if not stand_ins:
        return _needs(as_deployed(machine, target), target)
    concrete = Target(target.machine_name, target.partition, stand_ins.get(target.region, target.region),
                      stand_ins.get(target.account, target.account))
    found = _needs(as_deployed(machine, concrete), concrete)
    text = dumps([found.policy, found.notes, found.undeclared])
    for placeholder, stand_in in stand_ins.items():
        text = text.replace(f":{stand_in}:", f":{placeholder}:")
    policy, notes, undeclared = loads(text)
    return Needs(policy, tuple(map(tuple, notes)), tuple(map(tuple, undeclared)))


def _needs(machine: StateMachine, target: Target) -> Needs:
    grants: list[tuple[str, Grant]] = []
    undeclared: list[tuple[str, str]] = []
    for site in sites(machine):
        state = site.state
        if isinstance(state, TaskState):
            pointer = child(state.pointer, "Resource")
            found = _integration_grants(state.resource, site.arguments, target)
            if found is None:
                if state.resource.kind != "activity":  # workers poll activities, not the role
                    undeclared.append((pointer, state.resource.arn))
            else:
                grants.extend((pointer, grant) for grant in found)
            grants.extend((state.pointer, grant) for grant in _credentials(site, target))
        elif isinstance(state, MapState) and state.mode == "DISTRIBUTED":
            grants.extend((state.pointer, grant) for grant in _child_executions(state, target))
            for field, config in (("ItemReader", state.item_reader), ("ResultWriter", state.result_writer)):
                if type(config) is not dict or not isinstance(config.get("Resource"), str):
                    continue
                resource = parse_resource(config["Resource"])
                arguments = config.get("Arguments", config.get("Parameters"))
                where = child(state.pointer, field)
                found = _integration_grants(resource, arguments, target)
                if found is None:
                    undeclared.append((child(where, "Resource"), resource.arn))
                else:
                    grants.extend((where, grant) for grant in found)
    notes = tuple(dict.fromkeys((pointer, grant.note) for pointer, grant in grants if grant.note))
    return Needs(document([grant for _, grant in grants]), notes, tuple(undeclared))


def as_deployed(machine: StateMachine, target: Target) -> StateMachine:
    """``machine`` with the functions that are local handlers here (bare names, ARNs of
    asl-runner's offline account) named by their ARNs in ``target``."""
    from ..model.machine import parse_definition
    from .functions import deployed, function_arn, function_refs

    refs = [ref for ref in function_refs(machine) if ref.local]
    if not refs:
        return machine
    arns = {ref.name: function_arn(target, ref.name) for ref in refs}
    return parse_definition(deployed(machine.source, refs, arns), validate=False)


def document(grants: list[Grant]) -> dict:
    """The grants as one policy: one statement per set of actions, resources in the order
    first needed, none twice."""
    statements: dict[tuple[str, ...], dict[str, None]] = {}
    for grant in grants:
        statements.setdefault(grant.actions, {}).update(dict.fromkeys(grant.resources))
    # a resource granted "*" covers every other resource of the same actions
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions),
         "Resource": ["*"] if "*" in resources else list(resources)}
        for actions, resources in statements.items()]}


def _integration_grants(resource: Any, arguments: Any, target: Target) -> list[Grant] | None:
    integration = registry.find(resource)
    declared = integration.permissions if integration is not None else None
    if declared is None and resource.kind == "service":  # an integration asl-runner does not run
        from ..integrations.iam_catalog import permissions

        declared = permissions(resource.service, resource.action)
    if declared is None:
        return None
    scope = Scope(resource, arguments, machine_name=target.machine_name, partition=target.partition,
                  region=target.region, account=target.account)
    return declared(scope)


def _credentials(site: Site, target: Target) -> list[Grant]:
    """A task with ``Credentials`` runs as that role: the machine's role must assume it."""
    credentials = site.raw.get("Credentials")
    if type(credentials) is not dict:
        return []
    role = credentials.get("RoleArn")
    if isinstance(role, str) and not role.startswith("{%"):
        return [Grant(("sts:AssumeRole",), (role,))]
    scope = f"arn:{target.partition}:iam::{target.account}:role/*"
    return [Grant(("sts:AssumeRole",), (scope,), "Credentials.RoleArn is computed at run time, so "
                  "this allows assuming every role of the account: narrow it")]


def _child_executions(state: MapState, target: Target) -> list[Grant]:
    """iam-policies-eg-dist-map.html: the machine starts its own child executions, and
    describes and stops those of this Map Run (``execution:MACHINE/LABEL:*``)."""
    head = f"arn:{target.partition}:states:{target.region}:{target.account}"
    # without a Label, a Map Run's name is made up when it starts (hex digits, as asl-runner's)
    runs = f"{state.label}:*" if state.label else "*"
    return [Grant(("states:StartExecution",), (f"{head}:stateMachine:{target.machine_name}",)),
            Grant(("states:DescribeExecution", "states:StopExecution"),
                  (f"{head}:execution:{target.machine_name}/{runs}",))]
