"""Pass: its input, then Parameters (or Arguments), else Result, else the input itself, as the
result."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import PassState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: PassState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    effective = flow.input(frame.input, frame)
    if flow.has_arguments():
        result = flow.arguments(effective, frame)
    elif state.has_result:
        result = state.result
    else:
        result = effective
    return ex.finish(frame, state, result)
