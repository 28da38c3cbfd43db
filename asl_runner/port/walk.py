"""Every state of a definition, with what the AWS checks need around it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model.machine import StateMachine
from ..model.states import JSONATA, MapState, ParallelState, State
from ..record import Record
from ..validation.report import child


class Site(Record):
    """A state where it stands: its definition as written (``raw``), the type of the
    executions that run it (a Distributed Map's children are their own), and the
    Distributed Map whose child executions run it, if any."""

    state: Any
    raw: Any
    execution_type: str
    distributed_map: Any = None

    @property
    def arguments(self) -> Any:
        """What the state sends to its resource, as written (Parameters, or Arguments in
        JSONata)."""
        return self.raw.get("Arguments" if self.state.query_language == JSONATA else "Parameters")


def sites(machine: StateMachine, execution_type: str = "STANDARD",
          distributed_map: Any = None) -> Iterator[Site]:
    """Every state of ``machine``, branches and Map processors included, in document order."""
    raw_states = (machine.source or {}).get("States") or {}
    for name, state in machine.states.items():
        yield Site(state, raw_states.get(name) or {}, execution_type, distributed_map)
        yield from _children(state, execution_type, distributed_map)


def _children(state: State, execution_type: str, distributed_map: Any) -> Iterator[Site]:
    if isinstance(state, ParallelState):
        for branch in state.branches:
            yield from sites(branch, execution_type, distributed_map)
    elif isinstance(state, MapState):
        if state.mode == "DISTRIBUTED":
            yield from sites(state.processor, state.execution_type or "STANDARD", state)
        else:
            yield from sites(state.processor, execution_type, distributed_map)


def strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every string in the JSON ``value``, with its pointer, in document order."""
    stack = [(value, pointer)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            yield at, node
        elif isinstance(node, dict):
            stack.extend((v, child(at, k)) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, child(at, i)) for i, v in reversed(list(enumerate(node))))
