"""File an approval request for a lending manager and return: the task then waits for them.

The request (with the task token) goes into the approvals inbox, and the manager gets an
e-mail through the Postmaster gateway saying that it waits. Both are keyed by the token: a
redelivered invocation rewrites the same file and finds the e-mail already sent, while a
new attempt (a new token) replaces the request, because only the newest token still works.
"""

from __future__ import annotations

import datetime as dt
import sys

import _loans
import postmaster
from _common import format_time, parse_time, sha256, write_json
from _loans import approvals


def handler(event, context):
    doc = _loans.application(event["application"])
    app = doc["applicationId"]
    token = event["taskToken"]
    escalated = bool(event.get("escalated"))
    approver = approvals.APPROVERS[escalated]
    requested_at = parse_time(event["requestedAt"], "requestedAt")
    respond_by = format_time(requested_at + dt.timedelta(seconds=int(event["respondWithinSeconds"])))
    summary = approvals.summary(doc)
    path = approvals.request_path(app)
    write_json(path, {
        "applicationId": app,
        "executionArn": event.get("executionArn"),
        "approver": approver,
        "escalated": escalated,
        "requestedAt": event["requestedAt"],
        "respondBy": respond_by,
        "summary": summary,
        "taskToken": token,
        "answer": approvals.answers(token, approver["name"]),
    })
    if escalated:
        note = ("the branch manager did not answer in time, so this request comes to you:\n")
        next_step = "a review case for the loan officer"
    else:
        note = ""
        next_step = f"{approvals.APPROVERS[True]['name']} ({approvals.APPROVERS[True]['role']})"
    receipt = postmaster.send(
        "loan-approval-requested", approver["email"],
        {"approverName": approver["name"], "escalationNote": note, "applicationId": app,
         "applicantName": doc["applicant"]["name"],
         "amount": _loans.money(doc["loan"]["amountCents"], doc["loan"]["currency"]),
         "summary": "\n".join(summary), "requestFile": path.name, "respondBy": respond_by,
         "nextStep": next_step},
        idempotency_key=f"{app}/approval-request/{sha256(token.encode())[:16]}",
        sent_at=event["requestedAt"],
    )
    # a log line, as Lambda would keep it; stderr, because stdout of `asl-runner run --json`
    # is the result. The token stays out of logs for the reason it stays out of e-mail.
    print(f"approval request for {app} filed in {path} for {approver['name']}", file=sys.stderr)
    return {"requestFile": str(path), "approver": approver, "respondBy": respond_by,
            "notification": receipt["messageId"]}
