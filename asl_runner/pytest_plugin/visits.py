"""A history read as state visits: each state entry with its input, output, attempts and
error, and where it ran (the Map iterations and Parallel branches around it).

An event's ``previous_id`` is the event it follows in its own line of work, so the chain
from a state's entry back to the execution's start passes through the MapIterationStarted
or ParallelStateStarted of every iteration and branch around it; a Parallel's branches
start in order, so the k-th state entered right after ParallelStateStarted begins branch k.
"""

from __future__ import annotations

from typing import Any

#: the events that start one attempt of a task
SCHEDULED = frozenset({"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"})
_TASK_EVENTS = ("Task", "LambdaFunction", "Activity")
#: a scope step: ("Map", state name, iteration index) or ("Parallel", state name, branch index)
Scope = tuple[tuple[str, str, int], ...]


class Visit:
    """One entry of a state: ``input``, ``output`` (None if it did not exit), ``attempts``
    and ``retries`` (task attempts), ``error``/``cause`` of its last failure, and ``scope``
    (``iteration``/``branch``: the innermost Map iteration or Parallel branch, else None)."""

    __slots__ = ("name", "type", "input", "output", "exited", "attempts", "error", "cause",
                 "scope", "entered_id", "assigned")

    def __init__(self, event: Any, scope: Scope) -> None:
        self.name: str = event.details["name"]
        self.type: str = event.type[: -len("StateEntered")]
        self.input: Any = event.details.get("input")
        self.output: Any = None
        self.exited = False
        self.attempts = 0
        self.error: str | None = None
        self.cause: str | None = None
        self.scope = scope
        self.entered_id: int = event.id
        self.assigned: dict = {}  # the variables its exit assigned

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def iteration(self) -> int | None:
        return next((i for kind, _, i in reversed(self.scope) if kind == "Map"), None)

    @property
    def branch(self) -> int | None:
        return next((i for kind, _, i in reversed(self.scope) if kind == "Parallel"), None)

    def __repr__(self) -> str:
        where = "".join(f" {name}[{i}]" for _, name, i in self.scope)
        return f"<Visit {self.name}{where} input={self.input!r} output={self.output!r}>"


def read_visits(history: list) -> list[Visit]:
    """The visits of ``history`` in the order the states were entered."""
    by_id = {e.id: e for e in history}
    visit_of: dict[int, Visit | None] = {}  # event id -> the visit it belongs to (None: none)
    scope_after: dict[int, Scope] = {}  # event id -> the scope the events after it are in
    branches_started: dict[int, int] = {}  # ParallelStateStarted id -> branches begun
    visits: list[Visit] = []
    for event in history:
        prev = by_id.get(event.previous_id)
        scope = scope_after.get(prev.id, ()) if prev is not None else ()
        owner = visit_of.get(prev.id) if prev is not None else None
        kind = event.type
        if kind.endswith("StateEntered"):
            if prev is not None and prev.type == "ParallelStateStarted":
                k = branches_started.get(prev.id, 0)
                branches_started[prev.id] = k + 1
                scope = (*scope, ("Parallel", owner.name if owner else "", k))
            owner = Visit(event, scope)
            visits.append(owner)
        elif kind == "MapIterationStarted":
            scope = (*scope, ("Map", event.details["name"], event.details["index"]))
        elif kind.endswith("StateExited"):
            owner = _entered(event, visit_of, by_id)
            if owner is not None:
                owner.exited = True
                owner.output = event.details.get("output")
                owner.assigned = event.details.get("assignedVariables") or {}
                scope = owner.scope
        elif owner is not None:
            if kind in SCHEDULED:
                owner.attempts += 1
            details = event.details or {}
            if "error" in details and kind.startswith(_TASK_EVENTS):
                owner.error, owner.cause = details.get("error"), details.get("cause")
        visit_of[event.id] = owner
        scope_after[event.id] = scope
    return visits


def _entered(exited: Any, visit_of: dict, by_id: dict) -> Visit | None:
    """The visit a StateExited ends: the nearest entry of its state up its chain."""
    name = exited.details["name"]
    event = by_id.get(exited.previous_id)
    while event is not None:
        visit = visit_of.get(event.id)
        if visit is not None and visit.name == name and event.id == visit.entered_id:
            return visit
        event = by_id.get(event.previous_id)
    return None
