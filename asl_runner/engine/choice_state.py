"""Choice: the first rule that matches picks the next state; else Default; else an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import StatesNoChoiceMatched

if TYPE_CHECKING:
    from ..model import ChoiceState
    from .execution import Execution
    from .frame import Frame


def run(ex: Execution, frame: Frame, state: ChoiceState) -> bool:
    ex.enter(frame, state)
    flow = state.flow
    effective = flow.input(frame.input, frame)
    matched = None
    index = len(state.choices)  # no rule matched: the index coverage gives the Default
    for i, rule in enumerate(state.choices):
        if rule.condition.evaluate(effective, frame):
            target, matched, index = rule.next, rule, i
            break
    else:
        if state.default is None:
            raise StatesNoChoiceMatched(
                cause=f"No Matches! At state {state.name!r} no choice rule matched and "
                "there is no Default.")
        target = state.default
    if ex.observer is not None:
        ex.observer.chose(state, index)
    # AWS: the state's Assign applies whichever rule matched; the matching rule's own
    # Assign adds to it
    assigned = flow.assignments(effective, frame, rule=matched)
    output = flow.passthrough(effective, frame, rule=matched)
    return ex.exit(frame, state, output, assigned, next_name=target)
