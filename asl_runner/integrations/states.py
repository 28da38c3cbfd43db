"""``arn:aws:states:::states:startExecution`` (and ``.sync``, ``.sync:2``,
``.waitForTaskToken``): a Task that starts another state machine's execution.

The child is a real execution of a machine asl-runner knows. Under ``serve`` it is started
through asl-runner's own Step Functions API, so it is listed, described and has its own
history; a ``.sync`` task records TaskSubmitted with StartExecution's response and waits
without holding a thread: the host tells the task when the child ends (:func:`_watch`, also
after a restart). Under ``run`` and the Python API the machines are the ones given by name
(``--machine NAME=FILE``, ``machines=``), and the child runs to its end inside the call.

What the task returns is AWS's: StartExecution's response (``ExecutionArn``, ``StartDate``
and the SDK's metadata); for ``.sync`` DescribeExecution's, in PascalCase, with ``Input`` and
``Output`` as JSON text (``.sync:2``: parsed); a child that did not succeed fails the task with
States.TaskFailed and that description, as JSON text, for its cause.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ..errors import StatesError
from ..intrinsics.java import java_double
from ..jsonvalue import dumps, loads
from .catalog import SYNC, SYNC2, lookup
from .iam import Grant, Scope, event_rule_grant
from .metadata import json_service_headers, sdk_metadata
from .protocol import Environment, Integration

SERVICE = "states"


def _child_request(invocation: Any) -> dict:
    """StartExecution's request from the task's parameters (AWS's names, PascalCase)."""
    params = invocation.payload if isinstance(invocation.payload, dict) else {}
    arn = params.get("StateMachineArn")
    if not isinstance(arn, str):
        raise StatesError("States.Runtime", "The field 'StateMachineArn' is required by "
                          f"{invocation.resource.arn}")
    child_input = params.get("Input")
    # Input may be the JSON value itself or its text; none at all is an empty object
    text = "{}" if child_input is None else child_input if isinstance(child_input, str) \
        else dumps(child_input)
    name = params.get("Name")
    if name is None:
        # a name the same call always gets: a task performed again (after a restart) finds
        # the child it started, instead of starting a second one
        name = str(uuid.uuid5(uuid.NAMESPACE_URL, invocation.token))
    request = {"stateMachineArn": arn, "input": text, "name": name}
    if isinstance(params.get("TraceHeader"), str):
        request["traceHeader"] = params["TraceHeader"]
    return request


def _millis(epoch_seconds: float) -> int:
    """The SDK's timestamps in a task's result: epoch milliseconds."""
    return int(round(epoch_seconds * 1000))


def _started(response: dict) -> dict:
    """StartExecution's response as the task returns it."""
    # the length of the body AWS sends: its timestamps as Java writes a double (1.7E9), with
    # microseconds (AWS's recordings of one response are 164 bytes long, or 163 when the
    # last digit is a 0)
    body = (f'{{"executionArn":{dumps(response["executionArn"])},'
            f'"startDate":{java_double(round(float(response["startDate"]), 6))}}}')
    headers, request_id = json_service_headers(len(body.encode()))
    return {"ExecutionArn": response["executionArn"], **sdk_metadata(headers, request_id),
            "StartDate": _millis(response["startDate"])}


_DESCRIBED = (("executionArn", "ExecutionArn"), ("input", "Input"), ("inputDetails", "InputDetails"),
              ("name", "Name"), ("output", "Output"), ("outputDetails", "OutputDetails"),
              ("redriveCount", "RedriveCount"), ("redriveStatus", "RedriveStatus"),
              ("redriveStatusReason", "RedriveStatusReason"), ("startDate", "StartDate"),
              ("stateMachineArn", "StateMachineArn"), ("status", "Status"),
              ("stopDate", "StopDate"), ("error", "Error"), ("cause", "Cause"))


def _described(described: dict, parsed: bool) -> dict:
    """DescribeExecution's response as a ``.sync`` task returns it (``.sync:2``: ``parsed``)."""
    out: dict[str, Any] = {}
    for key, name in _DESCRIBED:
        if key not in described:
            continue
        value = described[key]
        if key in ("startDate", "stopDate"):
            value = _millis(value)
        elif key in ("inputDetails", "outputDetails"):
            value = {"Included": value.get("included", True)}
        elif key in ("input", "output") and parsed:
            value = loads(value)
        out[name] = value
    if out.get("Status") == "SUCCEEDED":
        out["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    return dict(sorted(out.items()))


def child_outcome(token: str, described: dict, pattern: str | None) -> Any:
    """What the child's end is for the waiting task: its result, or a task failure."""
    from ..engine.outcomes import TaskFailed, TaskSucceeded

    shaped = _described(described, parsed=pattern == SYNC2)
    if described.get("status") == "SUCCEEDED":
        return TaskSucceeded(token, shaped)
    shaped.pop("Output", None)
    shaped.pop("OutputDetails", None)
    return TaskFailed(token, "States.TaskFailed", dumps(shaped))


def _api_error(exc: Any) -> StatesError:
    """A failed StartExecution as Step Functions reports it to the task (recorded on AWS)."""
    return StatesError(
        f"StepFunctions.{exc.code}Exception",
        f"{exc.message} (Service: AWSStepFunctions; Status Code: {exc.status}; Error Code: "
        f"{exc.code}; Request ID: {uuid.uuid4()}; Proxy: null)")


def _perform(invocation: Any, env: Environment) -> Any:
    request = _child_request(invocation)
    if env.states_api is not None:
        return _start_in_service(invocation, env, request)
    return _run_here(invocation, env, request)


def _start_in_service(invocation: Any, env: Environment, request: dict) -> Any:
    from ..service.errors import ApiError

    try:
        response = env.states_api("StartExecution", request)
    except ApiError as exc:
        if exc.code != "ExecutionAlreadyExists" or invocation.resource.pattern not in (SYNC, SYNC2):
            raise _api_error(exc) from None
        # performed again after a restart, and the child it started has ended: that child
        arn = request["stateMachineArn"].split("#")[0].replace(":stateMachine:", ":execution:")
        response = env.states_api("DescribeExecution",
                                  {"executionArn": f"{arn}:{request['name']}"})
    return _started(response)


def _watch(invocation: Any, submitted: Any, host: Any) -> None:
    """Under the service: complete the waiting ``.sync`` task when its child ends (called on
    the engine thread once TaskSubmitted is recorded, and again after a restart)."""
    if invocation.resource.pattern not in (SYNC, SYNC2) or not isinstance(submitted, dict):
        return
    token, pattern = invocation.token, invocation.resource.pattern
    host.when_finished(submitted["ExecutionArn"], invocation.execution_arn,
                       lambda row: child_outcome(token, _row_described(row), pattern))


def _row_described(row: dict) -> dict:
    """DescribeExecution's members (the API's names) of an execution's store row."""
    described = {"executionArn": row["arn"], "stateMachineArn": row["version_arn"] or row["machine_arn"],
                 "name": row["name"], "status": row["status"], "startDate": row["start_date"],
                 "stopDate": row["stop_date"], "input": row["input"],
                 "inputDetails": {"included": True}, "redriveCount": row.get("redrive_count") or 0,
                 "redriveStatus": "NOT_REDRIVABLE" if row["status"] == "SUCCEEDED" else "REDRIVABLE"}
    if row["status"] == "SUCCEEDED":
        described.update(output=row["output"], outputDetails={"included": True})
    for key in ("error", "cause"):
        if row[key] is not None:
            described[key] = row[key]
    return described


def run_child(env: Environment, request: dict,
              on_start: Callable[[Any], None] | None = None) -> Any:
    """Under ``run``: StartExecution's ``request`` (the API's names) run to its end here, on a
    runner of its own; the child Execution. ``on_start(child)`` is called once it has started.
    Raises ApiError as StartExecution would."""
    from ..clock import make_clock
    from ..engine import Execution, Runner
    from ..service.errors import ApiError

    arn = request["stateMachineArn"]
    name = arn.split(":stateMachine:", 1)[-1].split(":")[0]
    machine = env.machines.get(name)
    if machine is None:
        machine = _machine_at_the_aws_target(env, arn)
    if machine is None:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    try:
        child_input = loads(request.get("input", "{}"))
    except ValueError:
        raise ApiError("InvalidExecutionInput", "Invalid State Machine Execution Input: "
                       f"'{request['input'][:100]}'") from None
    region, account = arn.split(":")[3], arn.split(":")[4]
    child = Execution(machine, child_input, clock=env.clock or make_clock(),
                      name=request.get("name") or str(uuid.uuid4()), state_machine_name=name,
                      state_machine_arn=arn, region=region, account=account)
    env.children.append(child)
    with Runner(env) as runner:
        if env.runs is not None:
            env.runs.register(child, runner)
        child.start()
        if on_start is not None:
            on_start(child)
        runner.run(child)
    return child


def _machine_at_the_aws_target(env: Environment, arn: str) -> Any:
    """The definition of a machine created where the run's AWS calls go (a moto server at
    ``--aws-endpoint``, or in-process moto through ``--aws-setup``), to run here: Step
    Functions executions always run in asl-runner. Not read from real AWS: a run does not
    execute the account's machines offline unasked."""
    from .aws import REAL

    if env.aws.mode == REAL:
        return None
    from .. import load

    client = env.aws.client("stepfunctions", env.aws.region(arn.split(":")[3] or None))
    try:
        described = client.describe_state_machine(stateMachineArn=arn)
    except Exception:  # noqa: BLE001 - not there (or no answer): StateMachineDoesNotExist
        return None
    return load(described["definition"])


def _run_here(invocation: Any, env: Environment, request: dict) -> Any:
    """Under ``run``: the child runs to its end inside the call."""
    from ..engine.effects import Completed
    from ..service.errors import ApiError

    def submitted(child: Any) -> None:
        # a .sync task waits for its child from the moment it started, as on AWS: a token
        # answer (.sync tasks have one) may end it first
        if invocation.resource.pattern in (SYNC, SYNC2) and env.runs is not None:
            from ..engine.outcomes import TaskSubmitted

            env.runs.send(invocation.execution_arn, TaskSubmitted(
                invocation.token, _started({"executionArn": child.arn, "startDate": child.start_time})))

    try:
        child = run_child(env, request, on_start=submitted)
    except ApiError as exc:
        error = _api_error(exc)
        if exc.code == "StateMachineDoesNotExist":
            name = request["stateMachineArn"].split(":stateMachine:", 1)[-1].split(":")[0]
            error.hint = f"name the child machine for `run`: --machine {name}=FILE (Python: machines=)"
        raise error from None
    started = _started({"executionArn": child.arn, "startDate": child.start_time})
    if invocation.resource.pattern not in (SYNC, SYNC2):
        return started
    described = child.describe()
    described.update(inputDetails={"included": True}, redriveCount=child.redrive_count,
                     redriveStatus="NOT_REDRIVABLE" if child.status == "SUCCEEDED" else "REDRIVABLE")
    if child.status == "SUCCEEDED":
        described["outputDetails"] = {"included": True}
    described["startDate"], described["stopDate"] = child.start_time, child.stop_time
    outcome = child_outcome(invocation.token, described, invocation.resource.pattern)
    if outcome.kind == "task-failed":
        raise StatesError(outcome.error, outcome.cause)
    return Completed(started, outcome.output)


def _permissions(scope: Scope) -> list[Grant]:
    """stepfunctions-iam.html: StartExecution on the child machine; with .sync and .sync:2
    also DescribeExecution and StopExecution on its executions, and the managed rule."""
    machine = scope.constant("StateMachineArn")
    note = None
    if machine is None:
        machine, note = scope.arn("states", "stateMachine:*"), scope.any_of("state machine",
                                                                            "StateMachineArn")
    grants = [Grant(("states:StartExecution",), (machine,), note)]
    if scope.resource.pattern in (SYNC, SYNC2):
        head, _, name = machine.partition(":stateMachine:")
        executions = f"{head}:execution:{name.split(':')[0]}:*"
        grants.append(Grant(("states:DescribeExecution", "states:StopExecution"), (executions,), note))
        grants.append(event_rule_grant(scope, "StepFunctionsGetEventsForStepFunctionsExecutionRule"))
    return grants


INTEGRATIONS = (
    Integration("states:startExecution", perform=_perform, watch=_watch, permissions=_permissions,
                patterns=tuple(lookup(SERVICE, "startExecution").patterns),
                serves=lambda resource: resource.service == SERVICE
                and resource.action == "startExecution"),
)
