"""The graph as a Mermaid flowchart (GitHub and GitLab draw it in Markdown)."""

from __future__ import annotations

from .run_path import RunPath
from .structure import CATCH, CHOICE, DEFAULT, END, RETRY, START, Graph, Node
from .svg import LEGEND, PALETTE


def render_mermaid(graph: Graph, run: RunPath | None = None) -> str:
    ids = {node.key: f"s{n}" for n, node in enumerate(graph.walk())}
    lines = ["flowchart TD"]
    _nodes(graph, ids, lines, "    ")
    links = []  # Mermaid numbers links in order: linkStyle needs the numbers
    _edges(graph, ids, lines, links, run)
    if run is not None:
        for status, (fill, stroke, text) in PALETTE.items():
            if status:
                lines.append(f"    classDef {_class(status)} fill:{fill},stroke:{stroke},color:{text}")
        for node in graph.walk():
            status = _status(run, node)
            if status:
                lines.append(f"    class {ids[node.key]} {_class(status)}")
        taken = [str(n) for n, was in enumerate(links) if was]
        if taken:
            lines.append(f"    linkStyle {','.join(taken)} stroke-width:3px")
    return "\n".join(lines) + "\n"


def _nodes(graph: Graph, ids: dict, lines: list, indent: str) -> None:
    for node in graph.nodes:
        nid = ids[node.key]
        if node.is_group:
            lines.append(f'{indent}subgraph {nid}["{_text(node.key)}<br/><small>{_text(node.subtitle)}</small>"]')
            for n, branch in enumerate(node.branches):
                if len(node.branches) > 1:
                    lines.append(f'{indent}  subgraph {nid}_b{n}["branch {n + 1}"]')
                    _nodes(branch, ids, lines, indent + "    ")
                    lines.append(f"{indent}  end")
                else:
                    _nodes(branch, ids, lines, indent + "  ")
            lines.append(f"{indent}end")
        elif node.is_terminal_marker:
            lines.append(f'{indent}{nid}(["{node.type}"])')
        elif node.type == "Choice":
            lines.append(f'{indent}{nid}{{"{_text(node.key)}"}}')
        else:
            lines.append(f'{indent}{nid}["{_text(node.key)}<br/><small>{_text(node.subtitle)}</small>"]')


def _edges(graph: Graph, ids: dict, lines: list, links: list, run: RunPath | None) -> None:
    for edge in graph.edges:
        arrow = "-.->" if edge.kind in (CATCH, RETRY) else "-->"
        label = {CHOICE: edge.label, DEFAULT: "Default", CATCH: f"Catch {edge.label}",
                 RETRY: "Retry"}.get(edge.kind, "")
        text = f'|"{_text(label)}"|' if label else ""
        lines.append(f"    {ids[edge.source]} {arrow}{text} {ids[edge.target]}")
        links.append(run is not None and run.took(edge.source, edge.target, edge.kind))
    for node in graph.nodes:
        for branch in node.branches:
            _edges(branch, ids, lines, links, run)


def _status(run: RunPath, node: Node) -> str:
    if node.key in (START, END):
        return ""
    return run.status_of(node.key)


def _class(status: str) -> str:
    return LEGEND[status].replace(" ", "_")


def _text(text: str) -> str:
    """Mermaid's own escapes (#quot; and friends), so any state name is safe in quotes."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))
