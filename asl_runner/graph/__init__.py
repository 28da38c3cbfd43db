"""Pictures of state machines and of their executions: Mermaid, DOT, SVG and HTML.

The stable API (the web view and users' scripts rely on it)::

    from asl_runner.graph import render, state_id
    svg = render("definitions/order_saga.asl.json", events, format="svg")

``render(definition, events=None, format="svg") -> str``
    ``definition``: a loaded StateMachine (``asl_runner.load``), or anything ``load`` takes (a
    dict, JSON text, a file's path). ``events``: an execution's history, as GetExecutionHistory's
    ``events`` (dicts with AWS's keys: ``type``, ``id``, ``previousEventId``,
    ``...EventDetails``) or ``asl_runner.history.Event`` objects; None draws the machine alone.
    ``format``: ``"svg"``, ``"html"`` (one self-contained page: the SVG, a legend, each state's
    details; opens without a network; ``title=`` names the page), ``"mermaid"`` or ``"dot"``.
    The same input gives the same text, byte for byte; a machine's layout is kept for its
    next drawing, so redrawing one execution as its events arrive costs the colouring only. Raises ``DefinitionError`` for a definition that does not load and
    ``ValueError`` for an unknown format.

In the SVG (and the HTML, which embeds it):

- every state is ``<g id="state-ID" data-state="NAME" data-type="Task" data-status="S">``,
  where ``ID = state_id(NAME)`` minus the ``state-`` prefix (state names are unique in a
  machine, branches included) and ``S`` is one of ``none`` (no run drawn), ``succeeded``,
  ``retried`` (succeeded after retries), ``caught`` (failed, and a Catch went on),
  ``failed``, ``running``, ``aborted``, ``not-reached``. Parallel and Map states have class
  ``group`` (a frame around their branches), the others ``state``. The machine's Start and
  End are ``<g id="asl-start" class="marker" data-status="S">`` (and ``asl-end``): not states,
  so no ``data-state`` (a state may well be named "Start").
- every edge is ``<g class="edge" data-from="A" data-to="B" data-kind="K" data-taken="T">``
  (``A`` is "" for the edge from Start, ``B`` "" for an edge to End: no state's name is empty):
  ``K`` is ``next``, ``choice`` (a Choice rule, labelled with it), ``default``, ``catch`` or
  ``retry`` (a loop on the state), ``T`` is ``true``, ``false`` or ``none`` (no run drawn).
- colours come from the SVG's own stylesheet, keyed on ``data-status`` and ``data-taken``:
  setting the attribute recolours the element (``STATUSES`` lists the values).

``path(definition, events) -> RunPath`` gives the same reading of a history as data: each
state's status and visits (input, output, attempts, error, cause), the edges taken.
"""

from __future__ import annotations

from typing import Any

from .run_path import STATUSES, RunPath
from .svg import state_id

FORMATS = ("svg", "html", "mermaid", "dot")

__all__ = ["render", "path", "state_id", "STATUSES", "FORMATS", "RunPath"]


def render(definition: Any, events: Any = None, format: str = "svg", *,
           title: str | None = None) -> str:
    """The picture of ``definition`` (and of the run whose history is ``events``) as text."""
    if format not in FORMATS:
        raise ValueError(f"unknown graph format {format!r}: one of {', '.join(FORMATS)}")
    graph, placed = _drawing(_machine(definition), format)
    run = None if events is None else _trace(graph, events)
    if format == "mermaid":
        from .mermaid import render_mermaid

        return render_mermaid(graph, run)
    if format == "dot":
        from .dot import render_dot

        return render_dot(graph, run)
    from .svg import render_svg

    svg = render_svg(graph, placed, run)
    if format == "svg":
        return svg
    from .html import render_html

    return render_html(svg, graph, run, title=title)


#: the graphs and layouts of the machines drawn last, by machine: a page that redraws one
#: execution as its events arrive lays its machine out once
_DRAWINGS: dict[int, tuple[Any, Any, Any]] = {}
_KEEP = 16


def _drawing(machine: Any, format: str) -> tuple[Any, Any]:
    from .structure import build_graph

    if format in ("mermaid", "dot"):
        return build_graph(machine), None
    held = _DRAWINGS.get(id(machine))
    if held is None or held[0] is not machine:
        from .layout import layout

        graph = build_graph(machine)
        held = (machine, graph, layout(graph))  # the machine is held: its id stays its own
        if len(_DRAWINGS) >= _KEEP:
            _DRAWINGS.pop(next(iter(_DRAWINGS)))
        _DRAWINGS[id(machine)] = held
    return held[1], held[2]


def path(definition: Any, events: Any) -> RunPath:
    """How the run whose history is ``events`` went through ``definition``, state by state."""
    from .structure import build_graph

    graph = build_graph(_machine(definition))
    return _trace(graph, events)


def _machine(definition: Any) -> Any:
    from ..model import StateMachine, parse_definition

    if isinstance(definition, StateMachine):
        return definition
    return parse_definition(definition)


def _trace(graph: Any, events: Any) -> RunPath:
    from .run_path import trace_path

    try:
        rows = list(events)
    except TypeError:
        raise ValueError("events: a list of history events (GetExecutionHistory's 'events')") from None
    for n, event in enumerate(rows):
        if not isinstance(event, dict):
            if not hasattr(event, "to_aws"):
                raise ValueError(f"event {n + 1} is not a history event: {event!r:.60}")
            rows[n] = event.to_aws()
    return trace_path(graph, rows)
