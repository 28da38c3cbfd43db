"""Open (or refresh) the review ticket of an application that could not finish on its own.

The ticket (records/review/APPLICATION.json) says what failed, how far the application got
and what the loan officer can do. The execution then fails with the ticket's error and
summary, so it shows in ListExecutions and alarms as well.
"""

from __future__ import annotations

import json

from _common import SAFE_ID, folder, sha256, write_json
from _loans import approvals


def _message(cause):
    # a Lambda error's cause is the runtime's JSON error object; people want its message
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        return cause
    return parsed.get("errorMessage", cause) if isinstance(parsed, dict) else cause


def _actions(failed, expired):
    if expired:
        return ["Nobody decided: neither the branch manager nor the regional manager answered "
                "within a day each. Ask for a decision.",
                "Then start a new execution with the same input: the checks already made are "
                "reused (no second credit inquiry) and a new approval request is filed."]
    if "CollectSignature" in failed:
        return ["The agreement was not signed: check the signing desk (the CollectSignature "
                "activity worker) and the documents, then contact the applicant.",
                "A new execution with the same input re-uses every check but asks for approval "
                "again."]
    if "FundLoan" in failed:
        return ["The payout did not go through: check core banking. The agreement is signed; "
                "pay out by hand or re-run (FundLoan pays at most once per application)."]
    return ["Fix the cause named in failures, then start a new execution with the same input: "
            "every step is idempotent."]


def handler(event, context):
    doc = event["application"]
    app = doc.get("applicationId") if isinstance(doc, dict) else None
    if not (isinstance(app, str) and SAFE_ID.match(app) and ".." not in app):
        app = "unidentified-" + sha256(str(event.get("executionArn")).encode())[:12]
    doc = doc if isinstance(doc, dict) else {}
    failed = doc.get("failure") or {}
    failures = [{"step": step, "error": info.get("Error"), "message": _message(info.get("Cause"))}
                for step, info in failed.items()]
    expired = (failed.get("EscalateApproval") or {}).get("Error") == "States.Timeout"
    error = "Loan.ApprovalExpired" if expired else "Loan.NeedsReview"
    approval = doc.get("approval") if isinstance(doc.get("approval"), dict) else None
    # the execution is about to fail, so no token of it can be answered any more
    approvals.request_path(app).unlink(missing_ok=True)
    ticket = {
        "ticketId": f"review-{app}",
        "applicationId": app,
        "error": error,
        "executionArn": event.get("executionArn"),
        "openedAt": event.get("openedAt"),
        "failures": failures,
        "progress": {
            "credit": (doc.get("credit") or {}).get("rating"),
            "assessed": "assessment" in doc,
            "approved": None if approval is None else approval.get("approved"),
            "signed": (doc.get("signature") or {}).get("status") == "SIGNED",
            "funded": "funding" in doc,
        },
        "nextActions": _actions(failed, expired),
    }
    steps = "; ".join(f"{f['step']} failed with {f['error']}" + (f": {f['message']}" if f["message"] else "")
                      for f in failures)
    what = "nobody decided on the loan in time" if expired else steps or "no failure recorded"
    ticket["summary"] = f"Application {app} needs review: {what}. Ticket {ticket['ticketId']}."
    write_json(folder("records") / "review" / f"{app}.json", ticket)
    return {"ticketId": ticket["ticketId"], "error": error, "summary": ticket["summary"]}
