"""The history events of an execution, from the JSON that tools write: GetExecutionHistory's
answer (``{"events": [...]}``, boto3's or the AWS CLI's), ``asl-runner run --json --history``
(a DescribeExecution object with ``events``) or a bare list of events."""

from __future__ import annotations

from typing import Any

#: where a file's name says its format (``--output``, ``run --graph``)
EXTENSIONS = {".svg": "svg", ".html": "html", ".htm": "html", ".mmd": "mermaid",
              ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot"}


def format_for(filename: str) -> str | None:
    """The format a file's extension names (``run.svg``: svg), or None."""
    lower = filename.lower()
    return next((fmt for ext, fmt in EXTENSIONS.items() if lower.endswith(ext)), None)


def events_of(document: Any) -> list[dict]:
    """The events in ``document``; ValueError saying what is wrong with it otherwise."""
    events = document.get("events") if isinstance(document, dict) else document
    if events is None and isinstance(document, dict):
        hint = (" (`asl-runner run --json` writes them with --history)"
                if "status" in document else "")
        raise ValueError(f"it has no 'events'{hint}")
    if not isinstance(events, list):
        raise ValueError("its 'events' is not a list of history events")
    for n, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError(f"event {n + 1} is not a history event (an object with a 'type')")
    return events
