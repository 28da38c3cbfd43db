"""Succeed: ends its (sub-)machine with its filtered input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .pipeline import select_input, select_output

if TYPE_CHECKING:
    from ..model import SucceedState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: SucceedState) -> bool:
    ex.enter(frame, state)
    effective = select_input(state.input_path, frame.input, frame)
    output = select_output(state.output_path, effective, frame)
    return ex.exit(frame, state, output, None)
