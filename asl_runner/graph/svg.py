"""The graph as SVG: states as boxes, groups as frames, edges as curves, coloured by a run.

Every state is ``<g id="state-ID" class="state" data-state="NAME" data-status="...">`` and
every edge ``<g class="edge" data-from data-to data-kind data-taken>``. Colours come from the
stylesheet inside the SVG, keyed on those attributes (each element also carries them as
presentation attributes, for viewers without CSS), so a page that shows the SVG inline
recolours a state by setting its ``data-status``.
"""

from __future__ import annotations

from .layout import (
    GROUP_HEADER,
    LABEL_SIZE,
    LOOP,
    NAME_SIZE,
    SUBTITLE_SIZE,
    Box,
    Layout,
    Route,
)
from .metrics import text_width
from .run_path import (
    ABORTED,
    CAUGHT,
    FAILED,
    NOT_REACHED,
    RETRIED,
    RUNNING,
    SUCCEEDED,
    RunPath,
)
from .structure import CATCH, END, MARKERS, RETRY, START, Graph, Node, drawn_label

FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"
MARGIN = 16.0
LEGEND_H = 34.0
#: (fill, stroke, text) per status; "" is a graph without a run
PALETTE = {
    "": ("#ffffff", "#64748b", "#0f172a"),
    SUCCEEDED: ("#dcfce7", "#16a34a", "#14532d"),
    RETRIED: ("#fef3c7", "#d97706", "#78350f"),
    CAUGHT: ("#ffedd5", "#ea580c", "#7c2d12"),
    FAILED: ("#fee2e2", "#dc2626", "#7f1d1d"),
    RUNNING: ("#dbeafe", "#2563eb", "#1e3a8a"),
    ABORTED: ("#e2e8f0", "#475569", "#334155"),
    NOT_REACHED: ("#f8fafc", "#cbd5e1", "#94a3b8"),
}
LEGEND = {SUCCEEDED: "succeeded", RETRIED: "retried", CAUGHT: "caught", FAILED: "failed",
          RUNNING: "running", ABORTED: "aborted", NOT_REACHED: "not reached"}
#: stroke of an edge by (kind, taken): taken is True, False, or None without a run
EDGE_COLOURS = {"plain": "#64748b", "taken": "#0f172a", "dim": "#cbd5e1",
                "catch": "#ea580c", "catch-dim": "#fdba74"}


def state_id(name: str) -> str:
    """The SVG element id of a state: ``state-`` and the name, each character outside
    ``[A-Za-z0-9-]`` written ``_HEX_`` (so ids stay valid and distinct)."""
    return "state-" + "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == "-") else f"_{ord(ch):x}_" for ch in name)


def render_svg(graph: Graph, placed: Layout, run: RunPath | None = None) -> str:
    legend = _legend(run, placed.height + 2 * MARGIN) if run else None
    width = max(placed.width, legend[1] if legend else 0.0) + 2 * MARGIN
    height = placed.height + 2 * MARGIN + (LEGEND_H if run else 0.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="asl-graph" width="{_n(width)}" '
           f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
           f'font-family="{_esc(FONT)}">', _style(), _markers(),
           f'<rect class="background" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
           f'<g transform="translate({_n(MARGIN)},{_n(MARGIN)})">']
    groups = [placed.boxes[n.key] for n in graph.walk() if n.is_group and n.key in placed.boxes]
    out += [_group(box, _status(run, box.node), run) for box in groups]
    out += [_edge(n, route, placed, run) for n, route in enumerate(placed.routes)]
    # labels over every edge: a later edge's stroke must not cross out an earlier one's rule
    out += [_label(n, route) for n, route in enumerate(placed.routes) if route.label_at]
    out += [_state(placed.boxes[n.key], _status(run, n), run) for n in graph.walk()
            if not n.is_group and n.key in placed.boxes]
    out.append("</g>")
    if legend:
        out.append(legend[0])
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _status(run: RunPath | None, node: Node) -> str:
    if run is None:
        return ""
    if node.key == START:
        return SUCCEEDED if run.status else NOT_REACHED
    if node.key == END:
        return {"SUCCEEDED": SUCCEEDED, "FAILED": FAILED, "TIMED_OUT": FAILED,
                "ABORTED": ABORTED}.get(run.status or "", NOT_REACHED)
    return run.status_of(node.key)


def _style() -> str:
    rules = [".asl-graph text{dominant-baseline:central}",
             ".asl-graph .state>rect,.asl-graph .group>rect.frame{stroke-width:1.5}",
             ".asl-graph .edge path{fill:none}"]
    for status, (fill, stroke, text) in PALETTE.items():
        selector = f'[data-status="{status or "none"}"]'
        rules.append(f".asl-graph .state{selector}>rect,.asl-graph .marker{selector}>rect"
                     f"{{fill:{fill};stroke:{stroke}}}")
        rules.append(f".asl-graph .group{selector}>rect.frame{{fill:{fill};stroke:{stroke}}}")
        rules.append(f".asl-graph {selector}>text{{fill:{text}}}")
        rules.append(f".asl-graph {selector}>.badge>rect{{fill:{stroke}}}")
    rules.append('.asl-graph [data-status="running"]>rect{stroke-width:2.5}')
    rules.append('.asl-graph [data-status="aborted"]>rect{stroke-dasharray:4 3}')
    # edges by data-taken, as _edge draws them (a page that sets the attribute restyles them)
    c = EDGE_COLOURS
    rules += [
        f'.asl-graph .edge[data-taken="true"]>path{{stroke:{c["taken"]};stroke-width:2.2px;'
        f"marker-end:url(#arrow-taken)}}",
        f'.asl-graph .edge[data-taken="false"]>path{{stroke:{c["dim"]};stroke-width:1.3px;'
        f"marker-end:url(#arrow-dim)}}",
        f'.asl-graph .edge[data-taken="true"][data-kind="catch"]>path{{stroke:{c["catch"]};'
        f"marker-end:url(#arrow-catch)}}",
        f'.asl-graph .edge[data-taken="false"][data-kind="catch"]>path{{stroke:{c["catch-dim"]};'
        f"marker-end:url(#arrow-catch-dim)}}",
        f'.asl-graph .edge[data-taken="true"][data-kind="retry"]>path{{stroke:{c["catch"]};'
        f"marker-end:none}}",
        f'.asl-graph .edge[data-taken="false"][data-kind="retry"]>path{{stroke:{c["catch-dim"]};'
        f"marker-end:none}}",
    ]
    return "<style>" + "".join(rules) + "</style>"


def _markers() -> str:
    parts = ["<defs>"]
    for name, colour in EDGE_COLOURS.items():
        parts.append(f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
                     f'markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
                     f'orient="auto-start-reverse">'
                     f'<path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>')
    parts.append("</defs>")
    return "".join(parts)


def _state(box: Box, status: str, run: RunPath | None) -> str:
    node = box.node
    fill, stroke, ink = PALETTE[status]
    attrs = _state_attrs(node, status)
    if node.is_terminal_marker:
        return (f'<g {attrs}><title>{node.type}</title>'
                f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" '
                f'rx="{_n(box.h / 2)}" fill="{fill}" stroke="{stroke}"/>'
                f'<text x="{_n(box.cx)}" y="{_n(box.y + box.h / 2)}" text-anchor="middle" '
                f'font-size="12" fill="{ink}">{node.type}</text></g>')
    middle = box.y + box.h / 2
    parts = [f'<g {attrs}><title>{_esc(_tooltip(node, status, run))}</title>',
             f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" '
             f'rx="6" fill="{fill}" stroke="{stroke}"/>',
             f'<text x="{_n(box.cx)}" y="{_n(middle - 8)}" text-anchor="middle" '
             f'font-size="{_n(NAME_SIZE)}" font-weight="bold" fill="{ink}">{_esc(node.key)}</text>',
             f'<text class="subtitle" x="{_n(box.cx)}" y="{_n(middle + 10)}" text-anchor="middle" '
             f'font-size="{_n(SUBTITLE_SIZE)}" fill="{ink}" fill-opacity="0.75">'
             f'{_esc(node.subtitle)}</text>']
    badge = _badge(node, run)
    if badge:
        # over the top right corner, clear of the name
        width = text_width(badge, 10) + 10
        x, y = box.x + box.w - width / 2 + 4, box.y - 3
        parts.append(f'<g class="badge"><rect x="{_n(x - width / 2)}" y="{_n(y - 8)}" '
                     f'width="{_n(width)}" height="16" rx="8" fill="{stroke}"/>'
                     f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle" font-size="10" '
                     f'font-weight="bold" fill="#ffffff">{_esc(badge)}</text></g>')
    parts.append("</g>")
    return "".join(parts)


def _state_attrs(node: Node, status: str) -> str:
    if node.is_terminal_marker:
        return f'id="asl-{node.type.lower()}" class="marker" data-status="{status or "none"}"'
    kind = "group" if node.is_group else "state"
    return (f'id="{state_id(node.key)}" class="{kind}" '
            f'data-state="{_esc(node.key)}" data-type="{_esc(node.type)}" '
            f'data-status="{status or "none"}"')


def _badge(node: Node, run: RunPath | None) -> str:
    """What a glance at the run should tell: retries made, visits beyond the first."""
    if run is None or node.key not in run.states:
        return ""
    state = run.states[node.key]
    marks = []
    if len(state.visits) > 1:
        marks.append(f"×{len(state.visits)}")
    if state.retries:
        marks.append(f"{state.retries} {'retry' if state.retries == 1 else 'retries'}")
    return " ".join(marks)


def _tooltip(node: Node, status: str, run: RunPath | None) -> str:
    lines = [f"{node.key} ({node.subtitle})"]
    if node.retries:
        lines.append("Retry: " + "; ".join(node.retries))
    if run is not None and node.key in run.states:
        state = run.states[node.key]
        lines.append(f"{LEGEND.get(status, status)}: entered {len(state.visits)}×"
                     + (f", {state.retries} retries" if state.retries else ""))
        if state.error:  # the name only: a cause holds the run's own ids and times (HTML has it)
            lines.append(f"error: {state.error}")
    return "\n".join(lines)


def _group(box: Box, status: str, run: RunPath | None) -> str:
    node = box.node
    fill, stroke, ink = PALETTE[status]
    kind = "Parallel" if node.type == "Parallel" else node.subtitle
    count = len(box.frames)
    subtitle = f"{kind} · {count} branches" if node.type == "Parallel" else f"{kind} · per item"
    state = run.states.get(node.key) if run is not None else None
    if state is not None and node.type == "Map" and state.visits:
        started = sum(v.iterations for v in state.visits)
        subtitle = f"{kind} · {started} iteration{'' if started == 1 else 's'}"
    parts = [f'<g {_state_attrs(node, status)}><title>{_esc(node.key)} ({subtitle})</title>',
             f'<rect class="frame" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" '
             f'height="{_n(box.h)}" rx="10" fill="{fill}" fill-opacity="0.55" stroke="{stroke}"/>',
             f'<text x="{_n(box.x + 12)}" y="{_n(box.y + 14)}" font-size="{_n(NAME_SIZE)}" '
             f'font-weight="bold" fill="{ink}">{_esc(node.key)}</text>',
             f'<text class="subtitle" x="{_n(box.x + 12)}" y="{_n(box.y + GROUP_HEADER - 12)}" '
             f'font-size="{_n(SUBTITLE_SIZE)}" fill="{ink}" fill-opacity="0.75">{_esc(subtitle)}</text>']
    for x, y, w, h in box.frames:
        parts.append(f'<rect class="branch" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
                     f'height="{_n(h)}" rx="6" fill="#ffffff" fill-opacity="0.7" stroke="{stroke}" '
                     f'stroke-opacity="0.6" stroke-dasharray="5 4"/>')
    parts.append("</g>")
    return "".join(parts)


def _edge(number: int, route: Route, placed: Layout, run: RunPath | None) -> str:
    edge = route.edge
    taken = None if run is None else run.took(edge.source, edge.target, edge.kind)
    catchy = edge.kind in (CATCH, RETRY)
    if taken is None:
        colour = "catch" if catchy else "plain"
    elif taken:
        colour = "catch" if catchy else "taken"
    else:
        colour = "catch-dim" if catchy else "dim"
    stroke = EDGE_COLOURS[colour]
    width = 2.2 if taken else 1.3
    dash = ' stroke-dasharray="5 4"' if catchy else ""
    d = _loop(placed.boxes[edge.source]) if edge.kind == RETRY else _curve(route.points)
    head = "" if edge.kind == RETRY else f' marker-end="url(#arrow-{colour})"'
    source, target = MARKERS.get(edge.source, edge.source), MARKERS.get(edge.target, edge.target)
    title = {CATCH: f"Catch {edge.label} → {target}", RETRY: "Retry"}.get(
        edge.kind, f"{source} → {target}" + (f" ({edge.label})" if edge.label else ""))
    parts = [f'<g class="edge" id="edge-{number}" data-from="{_end_name(edge.source)}" '
             f'data-to="{_end_name(edge.target)}" data-kind="{edge.kind}" '
             f'data-taken="{"none" if taken is None else str(taken).lower()}">'
             f'<title>{_esc(title)}</title>'
             f'<path d="{d}" stroke="{stroke}" stroke-width="{_n(width)}"{dash}{head}/>']
    parts.append("</g>")
    return "".join(parts)


def _label(number: int, route: Route) -> str:
    """An edge's label (``data-edge`` names the edge's id), on a white ground."""
    label = drawn_label(route.edge)
    if not label or route.label_at is None:
        return ""
    x, y = route.label_at
    w = text_width(label, LABEL_SIZE) + 8
    ink = "#9a3412" if route.edge.kind == CATCH else "#334155"
    return (f'<g class="edge-label" data-edge="edge-{number}">'
            f'<rect x="{_n(x - w / 2)}" y="{_n(y - 8)}" width="{_n(w)}" height="16" '
            f'rx="3" fill="#ffffff" fill-opacity="0.9"/>'
            f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle" '
            f'font-size="{_n(LABEL_SIZE)}" fill="{ink}">{_esc(label)}</text></g>')


def _end_name(key: str) -> str:
    """An edge's end as its data attribute has it: the state's name, or "" for the
    machine's Start and End (no state's name is empty)."""
    return "" if key in (START, END) else _esc(key)


def _curve(points: list[tuple[float, float]]) -> str:
    """Through the points, leaving and entering each vertically (dummy chains stay straight)."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{_n(x0)},{_n(y0)}"]
    for x, y in rest:
        if abs(x - x0) < 0.5:
            d.append(f"L{_n(x)},{_n(y)}")
        else:
            dy = (y - y0) / 2
            d.append(f"C{_n(x0)},{_n(y0 + dy)} {_n(x)},{_n(y - dy)} {_n(x)},{_n(y)}")
        x0, y0 = x, y
    return "".join(d)


def _loop(box: Box) -> str:
    """A Retry as a loop on the state's right side."""
    right, middle = box.x + box.w, box.y + box.h / 2
    reach = LOOP - 4
    return (f"M{_n(right)},{_n(middle - 9)}C{_n(right + reach)},{_n(middle - 14)} "
            f"{_n(right + reach)},{_n(middle + 14)} {_n(right)},{_n(middle + 9)}")


def _legend(run: RunPath, top: float) -> tuple[str, float]:
    """The run's outcome and the colours' meanings, in one line; and its width."""
    shown = [s for s in (SUCCEEDED, RETRIED, CAUGHT, FAILED, RUNNING, ABORTED, NOT_REACHED)
             if s not in (RUNNING, ABORTED) or any(r.status == s for r in run.states.values())]
    x = MARGIN
    y = top + LEGEND_H / 2 - 6
    outcome = f"Execution {run.status}" + (f": {run.error}" if run.error else "")
    parts = [f'<g class="legend"><text x="{_n(x)}" y="{_n(y)}" font-size="12" '
             f'font-weight="bold" fill="#0f172a">{_esc(outcome)}</text>']
    x += text_width(outcome, 12, bold=True) + 18
    for status in shown:
        fill, stroke, _ink = PALETTE[status]
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 6)}" width="14" height="12" rx="3" '
                     f'fill="{fill}" stroke="{stroke}"/><text x="{_n(x + 19)}" y="{_n(y)}" '
                     f'font-size="11" fill="#334155">{LEGEND[status]}</text>')
        x += 19 + text_width(LEGEND[status], 11) + 14
    parts.append("</g>")
    return "".join(parts), x - MARGIN


def _n(value: float) -> str:
    """A coordinate as short, stable text: one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
