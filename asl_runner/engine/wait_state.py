"""Wait: for Seconds/SecondsPath, or until Timestamp/TimestampPath, on the execution's clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError, QueryEvaluationFailure
from ..jsonvalue import dumps
from ..model.choice import parse_timestamp
from ..paths import PathNotFound

if TYPE_CHECKING:
    from ..model import WaitState
    from .execution import Execution
    from .frame import Frame


def _select(path: Any, doc: Any, frame: Frame) -> Any:
    try:
        return path.select(doc, frame)
    except PathNotFound as exc:
        raise DataFlowError(f"Invalid path '{path.text}' : {exc}") from None


def _render(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


def due_time(state: WaitState, doc: Any, frame: Frame, now: float) -> float:
    flow = state.flow
    if state.seconds is not None:
        seconds = flow.value("seconds", state.seconds, doc, frame)
        if type(seconds) is not int or seconds < 0:  # a JSONata expression's value
            if not (isinstance(seconds, float) and seconds.is_integer() and seconds >= 0):
                raise QueryEvaluationFailure("Seconds", "The Seconds field must be a non-negative "
                                             f"integer, but was: {_render(seconds)}")
            seconds = int(seconds)
        return now + seconds
    if state.timestamp is not None:
        written = flow.value("timestamp", state.timestamp, doc, frame)
        stamp = parse_timestamp(written)
        if stamp is None:  # a JSONata expression's value (a static one is checked at load)
            raise QueryEvaluationFailure(
                "Timestamp", "The Timestamp field cannot be parsed as an ISO-8601 extended "
                f"offset date-time format string: {written}")
        return stamp.timestamp()
    if state.seconds_path is not None:
        value = _select(state.seconds_path, doc, frame)
        where = f"{state.seconds_path.text} == {_render(value)}"
        if type(value) is not int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise DataFlowError(f"The SecondsPath parameter cannot be parsed as a long value: {where}")
        if value < 0:
            raise DataFlowError(f"The SecondsPath parameter references a negative value: {where}")
        return now + value
    value = _select(state.timestamp_path, doc, frame)
    stamp = parse_timestamp(value)
    if stamp is None:
        raise DataFlowError(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {state.timestamp_path.text} == {_render(value)}")
    return stamp.timestamp()


def run(ex: Execution, frame: Frame, state: WaitState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    effective = flow.input(frame.input, frame)
    now = frame.entered_time
    due = due_time(state, effective, frame, now)

    def finish() -> bool:
        return ex.exit(frame, state, flow.passthrough(effective, frame),
                       flow.assignments(effective, frame))

    if due <= now:
        return finish()
    ex.schedule_timer(due, "wait", frame, finish)
    return False
