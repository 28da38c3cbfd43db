"""AWS's size limits on variables (developer guide, "Passing data between states with
variables"): a single variable holds at most 256 KiB, one Assign sets at most 256 KiB in all,
and the variables stored may total at most 10 MiB. Sizes are those of the values as JSON text
in UTF-8, as for every other payload quota.

AWS documents the limits but not the error a state that crosses one fails with. asl-runner
fails it with ``States.DataLimitExceeded``, AWS's error for its other size quotas (terminal:
neither retried nor caught), worded as AWS words those ("... with a size exceeding the maximum
number of bytes service limit"), plus which limit it was. The 10 MiB counts the variables the
assigning state sees (its own scope and those around it): Parallel branches and Map
iterations each count with the scopes they read, not with each other.

Each scope remembers its values' sizes (``Scope.sizes``), so a check measures only what the
state assigns, however many variables are stored.
"""

from __future__ import annotations

from typing import Any

from ..errors import StatesDataLimitExceeded
from ..jsonvalue import PAYLOAD_LIMIT, measure

VARIABLE_LIMIT = PAYLOAD_LIMIT
ASSIGN_LIMIT = PAYLOAD_LIMIT
STORED_LIMIT = 10 * 1024 * 1024


def _exceeded(state_name: str, which: str) -> StatesDataLimitExceeded:
    return StatesDataLimitExceeded(
        cause=f"The state/task '{state_name}' assigned variables with a size exceeding the "
        f"maximum number of bytes service limit: {which}")


def _entry(name: str, size: int) -> int:
    """A variable's share of an object holding it: its name, quotes, colon and comma."""
    return measure(name) + 2 + size


def check_assignment(state_name: str, assigned: dict, scope: Any,
                     cache: dict | None = None) -> dict[str, int]:
    """The sizes of ``assigned`` (the variables a state sets in ``scope``); States.DataLimitExceeded
    if they cross a limit. ``cache`` is the execution's size cache."""
    sizes = {}
    for name, value in assigned.items():
        size = measure(value, cache)
        if size > VARIABLE_LIMIT:
            raise _exceeded(state_name, f"the variable '{name}' is larger than 256 KiB")
        sizes[name] = size
    total = 1 + sum(_entry(name, size) for name, size in sizes.items())
    if total > ASSIGN_LIMIT:
        raise _exceeded(state_name, "its Assign sets more than 256 KiB")
    while scope is not None:
        known = scope.sizes
        for name, value in scope.values.items():
            if name in sizes:
                continue  # replaced by the assignment
            size = known.get(name)
            if size is None:
                size = known[name] = measure(value, cache)
            total += _entry(name, size)
        scope = scope.parent
    if total > STORED_LIMIT:
        raise _exceeded(state_name, "the variables stored would be more than 10 MiB")
    return sizes
