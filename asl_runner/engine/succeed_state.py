"""Succeed: ends its (sub-)machine with its filtered input."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import SucceedState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: SucceedState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    output = flow.passthrough(flow.input(frame.input, frame), frame)
    return ex.exit(frame, state, output, None)
