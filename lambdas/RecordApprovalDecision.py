"""Check the manager's decision, keep it in the loan's records, and close the request.

The decision arrives as SendTaskSuccess output, typed by a person or a tool, so its shape
is checked here before a Choice routes on it: a Choice reading a missing or non-boolean
field would fail the execution with States.Runtime, which no Catch can handle.
"""

from __future__ import annotations

import _loans
from _common import read_json
from _loans import approvals

DEFAULT_DECLINE_REASON = "Your application does not meet our lending criteria at this time."


class InvalidDecision(Exception):
    """The answer is not a decision; the token is spent, so a person must follow up."""


def handler(event, context):
    doc = _loans.application(event["application"])
    app = doc["applicationId"]
    decision = event.get("decision")
    if not isinstance(decision, dict) or type(decision.get("approved")) is not bool:
        raise InvalidDecision('a decision must be a JSON object with "approved": true or false, '
                              f"got {decision!r}")
    for field in ("approver", "reason"):
        if decision.get(field) is not None and not isinstance(decision[field], str):
            raise InvalidDecision(f"{field} must be a string, got {decision[field]!r}")
    path = approvals.request_path(app)
    request = read_json(path, {})
    asked = request.get("approver") or {}
    record = {
        "approved": decision["approved"],
        # the token does not say who used it; the person asked is the best record we have
        "approver": decision.get("approver") or asked.get("name") or "unknown",
        "escalated": bool(request.get("escalated")),
        "reason": decision.get("reason") or (None if decision["approved"] else DEFAULT_DECLINE_REASON),
        "decidedAt": event["decidedAt"],
    }
    existing = _loans.load(app, "approval")
    if existing is not None and existing["decidedAt"] == record["decidedAt"]:
        # a retry of this step: the first attempt already closed the request, so what it
        # recorded about the approver is the only record left
        record = existing
    else:
        _loans.save(app, "approval", record)
    path.unlink(missing_ok=True)  # answered: the request leaves the inbox
    return record
