"""Pay the loan out through the core banking system, once.

The application id is the payout's idempotency key: a retry after a lost answer, or a
re-run of the whole application, finds the first payout instead of paying twice.
"""

from __future__ import annotations

import _loans
from _common import InvalidRequest, parse_time


def handler(event, context):
    doc = _loans.application(event["application"])
    app = doc["applicationId"]
    signature = doc.get("signature") or {}
    if signature.get("status") != "SIGNED":
        # never pay out on an unsigned agreement, whatever path led here
        raise InvalidRequest(f"loan {app} has no signed agreement")
    existing = _loans.load(app, "funding")
    if existing is not None:
        return existing
    _loans.require_core_banking()
    funded_at = parse_time(event["fundedAt"], "fundedAt")
    loan = doc["loan"]
    return _loans.save(app, "funding", {
        "fundingId": f"fund-{app}",
        "amountCents": loan["amountCents"],
        "currency": loan["currency"],
        "envelopeId": signature.get("envelopeId"),
        "fundedAt": event["fundedAt"],
        "firstPaymentDue": _loans.first_of_month_after_next(funded_at).isoformat(),
    })
