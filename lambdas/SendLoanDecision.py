"""Tell the applicant how their application ended, through the Postmaster gateway."""

from __future__ import annotations

import _loans
import postmaster
from _common import InvalidRequest, parse_time
from _loans import bureau


def _variables(decision, doc):
    loan, app = doc["loan"], doc["applicationId"]
    base = {"applicationId": app, "applicantName": doc["applicant"]["name"],
            "amount": _loans.money(loan["amountCents"], loan["currency"])}
    if decision == "REJECTED":
        reasons = doc["credit"]["reasons"]
        return {**base, "bureau": bureau.name(), "reasons": "\n".join(f"  - {r}" for r in reasons)}
    if decision == "DECLINED":
        return {**base, "reason": doc["approval"]["reason"]}
    if decision == "FUNDED":
        funding = doc["funding"]
        uw = doc["assessment"]["underwriting"]
        return {**base, "fundingId": funding["fundingId"], "termMonths": loan["termMonths"],
                "monthlyPayment": _loans.money(uw["monthlyPaymentCents"], loan["currency"]),
                "rate": _loans.percent(uw["rateBps"]), "firstPaymentDue": funding["firstPaymentDue"]}
    raise InvalidRequest(f"unknown decision {decision!r}")


def handler(event, context):
    doc = _loans.application(event["application"])
    decision = event["decision"]
    parse_time(event["sentAt"], "sentAt")
    receipt = postmaster.send(
        f"loan-{decision.lower()}", doc["applicant"]["email"], _variables(decision, doc),
        # one letter per decision and application, however often the step runs
        idempotency_key=f"{doc['applicationId']}/{decision.lower()}",
        sent_at=event["sentAt"],
    )
    return {"decision": decision, "messageId": receipt["messageId"],
            "sentAt": event["sentAt"], "duplicate": receipt["duplicate"]}

