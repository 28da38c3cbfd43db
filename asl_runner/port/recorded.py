"""Recorded runs against AWS's limits: a history's events (25,000 at most in a Standard
execution: the last is ExecutionFailed) and each payload in it (256 KiB, as UTF-8, for an
input, an output, a task's parameters: beyond it, States.DataLimitExceeded).

A run that passed offline passed under the same limits (asl-runner enforces both); a run
*near* them passes with this input and fails on AWS with a little more data. "Near" is
:data:`NEAR` of the limit: a demanding user's threshold, not AWS's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.execution import MAX_EVENTS
from ..jsonvalue import PAYLOAD_LIMIT
from .findings import ERROR, WARNING, Finding

NEAR = 0.8
#: the details members that carry a payload (AWS's history: JSON text)
_PAYLOADS = ("input", "output", "parameters")


class HistoryError(ValueError):
    """A file that holds no history."""


def events_of(document: Any, path: str) -> tuple[list, str]:
    """The events of a recorded run and the pointer to their list: ``run --json --history``'s
    output, a GetExecutionHistory response (``{"events": [...]}``) or the list itself."""
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        return document["events"], "/events"
    if isinstance(document, list):
        return document, ""
    raise HistoryError(f"{path}: not a history: give the output of `asl-runner run --json "
                       "--history`, a GetExecutionHistory response or its list of events")


def history_findings(document: Any, path: str, *, standard: bool = True) -> Iterator[Finding]:
    """What in the recorded run at ``path`` is near or at a limit (the event count only
    for a ``standard`` machine: Express executions keep no history in Step Functions)."""
    events, at = events_of(document, path)
    count = len(events) if standard else 0
    if count >= MAX_EVENTS:
        yield Finding(ERROR, "HistoryLimit", at, f"the run has {count:,} events, AWS's most "
                      f"({MAX_EVENTS:,}): on AWS the execution fails with States.Runtime; use a "
                      "Distributed Map or a child execution for the repeated part", path)
    elif count >= NEAR * MAX_EVENTS:
        yield Finding(WARNING, "HistoryLimit", at, f"the run has {count:,} events, "
                      f"{count / MAX_EVENTS:.0%} of AWS's most ({MAX_EVENTS:,}): a larger input "
                      "may fail the execution on AWS", path)
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        for key, details in event.items():
            if not key.endswith("EventDetails") or not isinstance(details, dict):
                continue
            for name in _PAYLOADS:
                value = details.get(name)
                if not isinstance(value, str):
                    continue
                size = len(value.encode("utf-8", "surrogatepass"))
                if size >= NEAR * PAYLOAD_LIMIT:
                    yield Finding(WARNING, "PayloadLimit", f"{at}/{index}/{key}/{name}",
                                  f"{event.get('type', 'the event')} (event {event.get('id', index + 1)}) "
                                  f"carries {size:,} bytes, {size / PAYLOAD_LIMIT:.0%} of AWS's "
                                  f"{PAYLOAD_LIMIT:,}-byte limit on a payload "
                                  "(States.DataLimitExceeded beyond it): keep large data in S3 and "
                                  "pass its key", path)
