"""Parallel: every branch runs on the same input; the result is the array of their outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fanout import FanOut
from .pipeline import evaluate_template, select_input

if TYPE_CHECKING:
    from ..errors import StatesError
    from ..model import ParallelState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: ParallelState) -> bool:
    ex.enter(frame, state)
    effective = select_input(state.input_path, frame.input, frame)
    branch_input = evaluate_template(state.parameters, effective, frame)
    if state.parameters is not None:
        ex.check_size(state, branch_input)
    return attempt(ex, frame, state, branch_input)


def attempt(ex: Execution, frame: Frame, state: ParallelState, branch_input: Any) -> bool:
    ex.emit(frame, "ParallelStateStarted")

    def done(results: list) -> bool:
        ex.emit(frame, "ParallelStateSucceeded", advance=False)
        result = evaluate_template(state.result_selector, results, frame)
        return ex.finish(frame, state, result)

    def failed(error: StatesError) -> bool:
        return ex.fail_state(
            frame, state, error,
            before_catch=lambda: ex.emit(frame, "ParallelStateFailed"),
            retry=lambda: attempt(ex, frame, state, branch_input),
        )

    FanOut(ex, frame, state, list(state.branches), [branch_input] * len(state.branches),
           map_events=False, on_done=done, on_failed=failed).start()
    return False
