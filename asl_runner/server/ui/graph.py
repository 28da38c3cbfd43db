"""An execution's graph for the web view: ``asl_runner.graph``'s SVG of its definition,
coloured by its history as it stands. The page then recolours the states itself (each is
``<g data-state="NAME" data-status="...">``) as new events arrive, so the picture is drawn
once per page, not once per poll.
"""

from __future__ import annotations

from typing import Any

from ...graph import render


def execution_svg(service: Any, arn: str) -> str:
    """The SVG of the execution ``arn``; the API's ApiError for an ARN it rejects."""
    # as the API describes it: a Distributed Map's child runs its ItemProcessor
    definition = service.describe_state_machine_for_execution({"executionArn": arn})["definition"]
    return render(definition, service.store.events(arn), format="svg")
