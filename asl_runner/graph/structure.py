"""A state machine as a graph to draw: states as nodes, transitions as edges of a kind.

Parallel and Map states are groups: a node that holds one graph per branch (a Map: its item
processor). No edge crosses a group's border (ASL lets a state name only states of its own
branch), so a group is laid out inside out: each branch on its own, then the group as one big
node of the graph around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .labels import choice_label

#: edge kinds: a state's Next, a Choice rule, a Choice's Default, a Catch, a Retry (a loop)
NEXT, CHOICE, DEFAULT, CATCH, RETRY = "next", "choice", "default", "catch", "retry"
#: the drawn ends of the top-level machine (as in the Step Functions console): their keys are
#: no state's name (a NUL is in none), their types are what they are drawn as
START, END = "\x00start", "\x00end"
MARKERS = {START: "Start", END: "End"}


@dataclass
class Node:
    key: str  # the state's name; START / END for the ends of the machine
    type: str  # the ASL state type, or "Start" / "End"
    subtitle: str = ""
    branches: list[Graph] = field(default_factory=list)  # a Parallel's or a Map's
    retries: tuple = ()  # the Retry rules' ErrorEquals, each as one text
    #: a Distributed Map: its iterations run as child executions, whose events are not in
    #: the parent's history
    detached: bool = False

    @property
    def is_group(self) -> bool:
        return bool(self.branches)

    @property
    def is_terminal_marker(self) -> bool:
        return self.key in MARKERS


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    label: str = ""


def drawn_label(edge: Edge) -> str:
    """The label an edge is drawn with: Choice rules and Defaults, a Catch only when it
    catches less than everything (a catch-all's dashes say enough)."""
    if edge.kind == CATCH:
        return "" if edge.label == "States.ALL" else edge.label
    return "" if edge.kind == RETRY else edge.label


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    start: str
    #: who holds this graph: "" for the machine, else "GROUP/branch N" (for ids and titles)
    scope: str = ""

    def walk(self):
        """Every node of this graph and of the groups in it, outside in, in definition order."""
        for node in self.nodes:
            yield node
            for branch in node.branches:
                yield from branch.walk()


def build_graph(machine: Any) -> Graph:
    """The graph of a parsed StateMachine (``asl_runner.load``), with Start and End."""
    graph = _graph(machine, "")
    first = machine.start_at
    graph.nodes.insert(0, Node(START, MARKERS[START]))
    graph.edges.insert(0, Edge(START, first, NEXT))
    graph.nodes.append(Node(END, MARKERS[END]))
    for node in list(graph.nodes):
        state = machine.states.get(node.key)
        if state is not None and (state.end or state.type in ("Succeed", "Fail")):
            graph.edges.append(Edge(node.key, END, NEXT))
    graph.start = START
    return graph


def _graph(machine: Any, scope: str) -> Graph:
    nodes, edges = [], []
    for name, state in machine.states.items():
        source = state_source(machine, name)
        node = Node(name, state.type, _subtitle(state, source))
        if state.type == "Parallel":
            node.branches = [_graph(b, f"{name}/branch {i + 1}") for i, b in enumerate(state.branches)]
        elif state.type == "Map":
            node.branches = [_graph(state.processor, f"{name}/iteration")]
            node.detached = state.mode == "DISTRIBUTED"
        nodes.append(node)
        edges.extend(_edges(name, state, source))
        node.retries = tuple(", ".join(r.error_equals) for r in getattr(state, "retry", ()))
    return Graph(nodes, edges, machine.start_at, scope)


def state_source(machine: Any, name: str) -> dict:
    """The state's JSON as written (labels show rules as the author wrote them)."""
    states = (machine.source or {}).get("States") or {}
    body = states.get(name)
    return body if isinstance(body, dict) else {}


def _edges(name: str, state: Any, source: dict) -> list[Edge]:
    out = []
    if state.next:
        out.append(Edge(name, state.next, NEXT))
    if state.type == "Choice":
        rules = source.get("Choices") or []
        for i, rule in enumerate(state.choices):
            written = rules[i] if i < len(rules) and isinstance(rules[i], dict) else {}
            out.append(Edge(name, rule.next, CHOICE, choice_label(written)))
        if state.default:
            out.append(Edge(name, state.default, DEFAULT, "Default"))
    for catcher in getattr(state, "catch", ()):
        out.append(Edge(name, catcher.next, CATCH, ", ".join(catcher.error_equals)))
    if getattr(state, "retry", ()):
        out.append(Edge(name, name, RETRY, "Retry"))
    return out


def _subtitle(state: Any, source: dict) -> str:
    if state.type == "Task":
        return _task_subtitle(state.resource)
    if state.type == "Map":
        mode = "Distributed Map" if state.mode == "DISTRIBUTED" else "Map"
        return mode
    if state.type == "Wait":
        for key in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath"):
            if key in source:
                value = source[key]
                return f"Wait {value} s" if key == "Seconds" and isinstance(value, int) else \
                    f"Wait {key}: {value}"
    if state.type == "Fail":
        error = source.get("Error")
        return f"Fail: {error}" if isinstance(error, str) else "Fail"
    return state.type


def _task_subtitle(resource: Any) -> str:
    if resource.kind == "lambda":
        return "Lambda"
    if resource.kind == "activity":
        return "Activity"
    if resource.kind == "service":
        pattern = f".{resource.pattern}" if resource.pattern else ""
        if resource.is_lambda_invoke:
            return f"Lambda{pattern}"
        return f"{resource.service}:{resource.action}{pattern}"
    return "Task"
