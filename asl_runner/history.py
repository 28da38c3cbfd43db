"""History events in the shape of AWS GetExecutionHistory.

An event keeps its payloads (input, output, parameters, assigned variables) as Python values;
they become JSON text only when the event is serialised. Values are immutable by the engine's
convention (see jsonvalue), so holding references is safe and recording a history costs little.
"""

from __future__ import annotations

import time
from typing import Any

from .jsonvalue import dumps

# The details key AWS uses for each event type. Types not listed carry no details.
_DETAILS_KEY: dict[str, str] = {
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "ExecutionRedriven": "executionRedrivenEventDetails",
    "MapStateStarted": "mapStateStartedEventDetails",
    "MapIterationStarted": "mapIterationStartedEventDetails",
    "MapIterationSucceeded": "mapIterationSucceededEventDetails",
    "MapIterationFailed": "mapIterationFailedEventDetails",
    "MapIterationAborted": "mapIterationAbortedEventDetails",
    "MapRunStarted": "mapRunStartedEventDetails",
    "MapRunFailed": "mapRunFailedEventDetails",
    "MapRunRedriven": "mapRunRedrivenEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "TaskStartFailed": "taskStartFailedEventDetails",
    "TaskSubmitFailed": "taskSubmitFailedEventDetails",
    "LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
    "LambdaFunctionScheduleFailed": "lambdaFunctionScheduleFailedEventDetails",
    "LambdaFunctionStartFailed": "lambdaFunctionStartFailedEventDetails",
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
    "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
    "ActivityStarted": "activityStartedEventDetails",
    "ActivitySucceeded": "activitySucceededEventDetails",
    "ActivityFailed": "activityFailedEventDetails",
    "ActivityTimedOut": "activityTimedOutEventDetails",
    "ActivityScheduleFailed": "activityScheduleFailedEventDetails",
    "EvaluationFailed": "evaluationFailedEventDetails",
}

# Payload fields serialised to JSON text, each with its "...Details" companion.
_TEXT_FIELDS = (("input", "inputDetails"), ("output", "outputDetails"))


def details_key(event_type: str) -> str | None:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return _DETAILS_KEY.get(event_type)


def iso_timestamp(epoch: float) -> str:
    """ISO-8601 UTC with milliseconds, the format of the context object's times.

    The digits ``datetime.fromtimestamp(epoch, UTC)`` gives (microseconds rounded half to
    even, then cut to milliseconds), without importing datetime: about 5 million
    instructions of every run."""
    seconds, fraction = divmod(epoch, 1)
    micros = round(fraction * 1_000_000)
    if micros == 1_000_000:
        seconds, micros = seconds + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(seconds))) + f".{micros // 1000:03d}Z"


class Event:
    """One history event. ``details`` holds Python values; see :meth:`to_aws`."""

    __slots__ = ("id", "previous_id", "type", "timestamp", "details")

    def __init__(self, id: int, previous_id: int, type: str, timestamp: float,
                 details: dict[str, Any] | None):
        self.id = id
        self.previous_id = previous_id
        self.type = type
        self.timestamp = timestamp
        self.details = details

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type} prev={self.previous_id}>"

    def aws_details(self) -> dict[str, Any] | None:
        """The ``...EventDetails`` object as AWS shapes it (payloads as JSON text)."""
        d = self.details
        if d is None:
            return None
        out = dict(d)
        for field, companion in _TEXT_FIELDS:
            if field in out:
                out[field] = dumps(out[field])
                out[companion] = {"truncated": False}
        if "parameters" in out:
            out["parameters"] = dumps(out["parameters"])
        if "assignedVariables" in out:
            out["assignedVariables"] = {k: dumps(v) for k, v in out["assignedVariables"].items()}
            out["assignedVariablesDetails"] = {"truncated": False}
        return out

    def to_aws(self, timestamp_format: str = "iso") -> dict[str, Any]:
        """The event as one element of GetExecutionHistory's ``events``.

        ``timestamp_format`` is ``"iso"`` (text, for the CLI) or ``"epoch"`` (seconds, as the
        AWS JSON protocol sends it).
        """
        ts: Any = iso_timestamp(self.timestamp) if timestamp_format == "iso" else self.timestamp
        out: dict[str, Any] = {"timestamp": ts, "type": self.type, "id": self.id,
                               "previousEventId": self.previous_id}
        key = details_key(self.type)
        if key is not None and self.details is not None:
            out[key] = self.aws_details()
        return out
