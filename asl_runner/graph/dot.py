"""The graph in Graphviz's DOT language, for ``dot -Tpng`` and the tools that read it.

A Parallel or Map is a cluster holding its name as a node: edges to and from the group
attach there and are clipped at the cluster's border (``compound``, ``lhead``/``ltail``).
"""

from __future__ import annotations

from .run_path import RunPath
from .structure import CATCH, CHOICE, DEFAULT, END, RETRY, START, Graph, Node
from .svg import PALETTE


def render_dot(graph: Graph, run: RunPath | None = None) -> str:
    ids = {node.key: f"s{n}" for n, node in enumerate(graph.walk())}
    groups = {node.key for node in graph.walk() if node.is_group}
    lines = ["digraph StateMachine {", "  compound=true;", "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9];']
    _nodes(graph, ids, lines, "  ", run)
    _edges(graph, ids, groups, lines, run)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _colours(run: RunPath | None, node: Node) -> str:
    status = "" if run is None or node.key in (START, END) else run.status_of(node.key)
    fill, stroke, text = PALETTE[status]
    return f'fillcolor="{fill}", color="{stroke}", fontcolor="{text}"'


def _nodes(graph: Graph, ids: dict, lines: list, indent: str, run: RunPath | None) -> None:
    for node in graph.nodes:
        nid = ids[node.key]
        if node.is_group:
            lines.append(f"{indent}subgraph cluster_{nid} {{")
            lines.append(f'{indent}  label="{_q(node.subtitle)}"; style="rounded,dashed";')
            lines.append(f'{indent}  {nid} [label="{_q(node.key)}", shape=plaintext, '
                         f'style=filled, {_colours(run, node)}];')
            if len(node.branches) == 1:  # a Map's processor: the cluster is its frame
                _nodes(node.branches[0], ids, lines, indent + "  ", run)
            for n, branch in enumerate(node.branches if len(node.branches) > 1 else ()):
                lines.append(f"{indent}  subgraph cluster_{nid}_{n} {{")
                lines.append(f'{indent}    label="branch {n + 1}"; style="rounded,dotted";')
                _nodes(branch, ids, lines, indent + "    ", run)
                lines.append(f"{indent}  }}")
            lines.append(f"{indent}}}")
        elif node.is_terminal_marker:
            lines.append(f'{indent}{nid} [label="{node.type}", shape=oval, {_colours(run, node)}];')
        else:
            shape = "diamond" if node.type == "Choice" else "box"
            lines.append(f'{indent}{nid} [label="{_q(node.key)}\\n{_q(node.subtitle)}", '
                         f'shape={shape}, {_colours(run, node)}];')


def _edges(graph: Graph, ids: dict, groups: set, lines: list, run: RunPath | None) -> None:
    for edge in graph.edges:
        attrs = []
        label = {CHOICE: edge.label, DEFAULT: "Default", CATCH: f"Catch {edge.label}",
                 RETRY: "Retry"}.get(edge.kind, "")
        if label:
            attrs.append(f'label="{_q(label)}"')
        if edge.kind in (CATCH, RETRY):
            attrs.append('style=dashed, color="#ea580c"')
        if run is not None and run.took(edge.source, edge.target, edge.kind):
            attrs.append("penwidth=2.5")
        if edge.source in groups and edge.source != edge.target:
            attrs.append(f"ltail=cluster_{ids[edge.source]}")
        if edge.target in groups and edge.source != edge.target:
            attrs.append(f"lhead=cluster_{ids[edge.target]}")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {ids[edge.source]} -> {ids[edge.target]}{suffix};")
    for node in graph.nodes:
        for branch in node.branches:
            _edges(branch, ids, groups, lines, run)


def _q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
