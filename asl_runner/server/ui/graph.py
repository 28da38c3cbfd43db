"""An execution's graph for the web view: ``asl_runner.graph``'s SVG of its definition,
coloured by its history as it stands. The page then recolours the states itself (each is
``<g data-state="NAME" data-status="...">``) as new events arrive, so the picture is drawn
once per page, not once per poll.
"""

from __future__ import annotations

from typing import Any

from ...graph import render


def execution_svg(service: Any, arn: str) -> str | None:
    """The SVG of the execution ``arn`` (None: no such execution)."""
    row = service.store.get_execution(arn)
    if row is None:
        return None
    return render(row["definition"], service.store.events(arn), format="svg")
