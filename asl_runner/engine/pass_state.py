"""Pass: InputPath, then Parameters or Result (or the input itself) as the result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .pipeline import select_input

if TYPE_CHECKING:
    from ..model import PassState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: PassState) -> bool:
    ex.enter(frame, state)
    effective = select_input(state.input_path, frame.input, frame)
    if state.parameters is not None:
        result = state.parameters.evaluate(effective, frame)
    elif state.has_result:
        result = state.result
    else:
        result = effective
    return ex.finish(frame, state, result)
