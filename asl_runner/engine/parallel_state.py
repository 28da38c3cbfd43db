"""Parallel: every branch runs on the same input; the result is the array of their outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fanout import FanOut

if TYPE_CHECKING:
    from ..errors import StatesError
    from ..model import ParallelState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: ParallelState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    branch_input = flow.arguments(flow.input(frame.input, frame), frame)
    if flow.has_arguments():
        ex.check_size(state, branch_input)
    return attempt(ex, frame, state, branch_input)


def attempt(ex: Execution, frame: Frame, state: ParallelState, branch_input: Any) -> bool:
    ex.emit(frame, "ParallelStateStarted")

    def done(results: list) -> bool:
        ex.emit(frame, "ParallelStateSucceeded", advance=False)
        return ex.finish(frame, state, state.flow.result(results, frame))

    def failed(error: StatesError) -> bool:
        return ex.fail_state(
            frame, state, error,
            before_catch=lambda: ex.emit(frame, "ParallelStateFailed"),
            retry=lambda: attempt(ex, frame, state, branch_input),
        )

    ex.start_fanout(FanOut(ex, frame, state, list(state.branches),
                           [branch_input] * len(state.branches), map_events=False,
                           on_done=done, on_failed=failed))
    return False
