"""Task: hand the effective parameters to a resource and wait for its outcome.

The engine only schedules the work (an :class:`Invocation`) and writes the events; a runner
performs it through the integrations and reports back. A plain Lambda function ARN writes
``LambdaFunction*`` events, every other resource ``Task*`` events, as on AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError, StatesDataLimitExceeded, StatesError
from ..jsonvalue import dumps, exceeds_limit
from ..paths import PathNotFound
from .effects import Invocation, PendingTask

if TYPE_CHECKING:
    from ..model import Resource, TaskState
    from .execution import Execution
    from .frame import Frame


_FAMILY = {"lambda": "lambda", "activity": "activity"}
_SUBMITTING = frozenset({"waitForTaskToken", "sync", "sync:2"})
_EVENTS = {
    # family: (succeeded, failed, timed out)
    "lambda": ("LambdaFunctionSucceeded", "LambdaFunctionFailed", "LambdaFunctionTimedOut"),
    "activity": ("ActivitySucceeded", "ActivityFailed", "ActivityTimedOut"),
    "task": ("TaskSucceeded", "TaskFailed", "TaskTimedOut"),
}


def resource_fields(resource: Resource) -> dict[str, str]:
    """``resourceType``/``resource`` of Task* events: arn:aws:states:::lambda:invoke is
    ("lambda", "invoke"); arn:aws:states:::aws-sdk:s3:getObject is ("aws-sdk:s3", "getObject")."""
    if resource.kind == "service":
        action = resource.action + (f".{resource.pattern}" if resource.pattern else "")
        return {"resourceType": resource.service, "resource": action}
    if resource.kind == "activity":
        return {"resourceType": "activity", "resource": resource.arn}
    return {"resourceType": "lambda", "resource": resource.arn}


def _limit_name(resource: Resource) -> str:
    """How the States.DataLimitExceeded cause of an oversized result names the resource, as
    AWS writes it: a service integration by its Task events' resourceType ('lambda' for
    lambda:invoke, 'aws-sdk:s3'), a Lambda function or an activity by its ARN."""
    return resource.service if resource.kind == "service" else resource.arn


def _seconds(state: TaskState, field: str, path: Any, doc: Any, frame: Frame) -> int:
    try:
        value = path.select(doc, frame)
    except PathNotFound as exc:
        raise DataFlowError(f"Invalid path '{path.text}' : {exc}") from None
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or value < 1:
        raise DataFlowError(f"The {field} parameter must be a positive integer: "
                            f"{path.text} == {dumps(value)}")
    return value


def run(ex: Execution, frame: Frame, state: TaskState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    effective = flow.input(frame.input, frame)
    timeout = flow.value("timeout_seconds", state.timeout_seconds, effective, frame)
    if state.timeout_seconds_path is not None:
        timeout = _seconds(state, "TimeoutSecondsPath", state.timeout_seconds_path, effective, frame)
    heartbeat = flow.value("heartbeat_seconds", state.heartbeat_seconds, effective, frame)
    if state.heartbeat_seconds_path is not None:
        heartbeat = _seconds(state, "HeartbeatSecondsPath", state.heartbeat_seconds_path,
                             effective, frame)
    return attempt(ex, frame, state, effective, timeout, heartbeat)


def attempt(ex: Execution, frame: Frame, state: TaskState, effective: Any,
            timeout: int | None, heartbeat: int | None) -> bool:
    resource = state.resource
    tasks = ex.tasks
    # a task that waits (a callback, a .sync job, an activity) has a token the outside world
    # can answer (AWS gives .sync tasks one too: SendTaskSuccess ends them early)
    answerable = resource.pattern in _SUBMITTING or resource.kind == "activity"
    token = tasks.new_token(opaque=answerable)
    if resource.pattern in _SUBMITTING:
        frame.task_token = token  # visible as $$.Task.Token while Parameters are evaluated
    payload = state.flow.arguments(effective, frame)
    if state.flow.has_arguments():
        ex.check_size(state, payload, what="provided parameters")
    family = _FAMILY.get(resource.kind, "task")
    # .waitForTaskToken and .sync calls only submit the work; its outcome comes later (a
    # task token's answer, the job's end)
    kind = ("activity" if family == "activity"
            else "callback" if resource.pattern in _SUBMITTING else "invoke")
    if family == "activity":
        details = {"resource": resource.arn, "input": payload}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        ex.emit(frame, "ActivityScheduled", details)
    elif family == "lambda":
        details: dict[str, Any] = {"resource": resource.arn, "input": payload}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        ex.emit(frame, "LambdaFunctionScheduled", details)
        ex.emit(frame, "LambdaFunctionStarted")
    else:
        fields = resource_fields(resource)
        details = {**fields, "region": resource.region or ex.region, "parameters": payload}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        ex.emit(frame, "TaskScheduled", details)
        ex.emit(frame, "TaskStarted", dict(fields))
    invocation = Invocation(token, ex.arn, state.name, resource, payload, timeout, heartbeat,
                            family, kind, tasks.next_number(state.name), frame.context)
    tasks.schedule(frame, state, invocation,
                   retry=lambda: attempt(ex, frame, state, effective, timeout, heartbeat))
    return False


def task_succeeded(ex: Execution, frame: Frame, state: TaskState, pending: PendingTask,
                   result: Any) -> bool:
    resource = state.resource
    if exceeds_limit(result, cache=ex.size_cache):
        return task_failed(ex, frame, state, pending, StatesDataLimitExceeded(
            cause=f"The state/task '{_limit_name(resource)}' returned a result with a size "
            "exceeding the maximum number of bytes service limit.", terminal=False))
    family = pending.invocation.event_family
    if family == "task":
        ex.emit(frame, "TaskSucceeded", {**resource_fields(resource), "output": result})
    else:
        ex.emit(frame, _EVENTS[family][0], {"output": result})
    frame.task_token = None
    return ex.finish(frame, state, state.flow.result(result, frame))


def task_failed(ex: Execution, frame: Frame, state: TaskState, pending: PendingTask,
                error: StatesError, timed_out: bool = False) -> bool:
    details: dict[str, Any] = {}
    if error.error is not None:
        details["error"] = error.error
    if error.cause is not None:
        details["cause"] = error.cause
    family = pending.invocation.event_family
    kind = _EVENTS[family][2 if timed_out else 1]
    if family == "task":
        ex.emit(frame, kind, {**resource_fields(state.resource), **details})
    else:
        ex.emit(frame, kind, details)
    frame.task_token = None
    return ex.fail_state(frame, state, error, retry=pending.retry)


def task_submitted(ex: Execution, frame: Frame, state: TaskState, invocation: Invocation,
                   output: Any) -> None:
    """A ``.waitForTaskToken`` call went through; the task keeps waiting for its token."""
    ex.emit(frame, "TaskSubmitted", {**resource_fields(state.resource), "output": output})
