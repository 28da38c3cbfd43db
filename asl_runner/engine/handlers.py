"""State type -> the function that starts a state of that type."""

from . import (
    choice_state,
    fail_state,
    map_state,
    parallel_state,
    pass_state,
    succeed_state,
    task_state,
    wait_state,
)

HANDLERS = {
    "Pass": pass_state.run,
    "Choice": choice_state.run,
    "Wait": wait_state.run,
    "Succeed": succeed_state.run,
    "Fail": fail_state.run,
    "Parallel": parallel_state.run,
    "Map": map_state.run,
    "Task": task_state.run,
}
