"""What an EXPRESS state machine may not contain, as CreateStateMachine checks it.

Express workflows support only the request-response integration pattern: no ``.sync``, no
``.waitForTaskToken``, and no activities (AWS's "Integrating optimized services" guide).
CreateStateMachine refuses such a definition with InvalidDefinition,
``SCHEMA_VALIDATION_FAILED: Express state machine does not support ...``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from .machine import StateMachine
from .states import MapState, ParallelState, State, TaskState


def _states(machine: StateMachine) -> Iterator[State]:
    for state in machine.states.values():
        yield state
        if isinstance(state, ParallelState):
            for branch in state.branches:
                yield from _states(branch)
        elif isinstance(state, MapState):
            yield from _states(state.processor)


def express_problems(machine: StateMachine) -> list[Problem]:
    """Every Task that an EXPRESS machine cannot have, with AWS's wording."""
    problems = []
    for state in _states(machine):
        if not isinstance(state, TaskState):
            continue
        resource = state.resource
        if resource.kind == "activity":
            message = "Express state machine does not support Activity ARN"
        elif resource.pattern is not None:
            message = f"Express state machine does not support '.{resource.pattern}' service integration"
        else:
            continue
        problems.append(Problem(f"{state.pointer}/Resource", message))
    return problems
