"""The offboarding case as a handler receives it.

definitions/gdpr_offboarding.asl.json passes ``{"case": CASE, ...}`` (its Parameters pick
what each step needs); the brief's original definition has no Parameters, so each gather
step there gets InitOffboarding's output, the case itself.
"""

from __future__ import annotations

from typing import Any

from _common import InvalidRequest


def case_of(event: Any) -> dict:
    case = event.get("case", event) if isinstance(event, dict) else None
    if not isinstance(case, dict) or "caseId" not in case:
        raise InvalidRequest("the event carries no offboarding case (InitOffboarding's output)")
    return case
