"""Fail: ends its (sub-)machine with an error and a cause (static or from paths)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError, StatesError
from ..jsonvalue import dumps
from ..paths import PathNotFound

if TYPE_CHECKING:
    from ..model import FailState
    from .execution import Execution
    from .frame import Frame


def _from_path(path: Any, field: str, frame: Frame) -> str:
    if not hasattr(path, "select"):  # an intrinsic call (ErrorPath/CausePath may hold one)
        value = path.evaluate(frame.input, frame)
        if not isinstance(value, str):
            raise DataFlowError(f"The value of the field '{field}' must resolve to a string, "
                                f"but it resolved to {dumps(value)}")
        return value
    try:
        value = path.select(frame.input, frame)
    except PathNotFound:
        raise DataFlowError(
            f"The JSONPath '{path.text}' specified for the field '{field}' could not be found "
            f"in the input '{dumps(frame.input)}'"
        ) from None
    if not isinstance(value, str):
        raise DataFlowError(
            f"The JSONPath '{path.text}' specified for the field '{field}' must resolve to a "
            f"string, but it resolved to {dumps(value)}"
        )
    return value


def run(ex: Execution, frame: Frame, state: FailState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    error = (_from_path(state.error_path, "ErrorPath", frame) if state.error_path
             else flow.value("error", state.error, frame.input, frame))
    cause = (_from_path(state.cause_path, "CausePath", frame) if state.cause_path
             else flow.value("cause", state.cause, frame.input, frame))
    ex.frame_failed(frame, StatesError(error, cause))
    return False
