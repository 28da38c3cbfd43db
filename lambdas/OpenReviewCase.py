"""Open (or refresh) the review ticket of a case that could not finish on its own.

GDPR allows neither partial completion nor silence: the ticket says what failed, what was
already done, where personal data may still sit, and what to do next. It lives in the
records folder's review queue (records/review/CASE.json), one per case; the execution then
ends in the NeedsReview Fail state with the ticket's summary as its cause, so the failure
also shows in ListExecutions and alarms.
"""

from __future__ import annotations

import json

from _common import SAFE_ID, folder, sha256, write_json
from _gdpr import staging

PURGE_SOURCES = ("profile", "documents", "preferences")


def _message(cause):
    # a Lambda error's cause is the runtime's JSON error object; people want its message
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        return cause
    return parsed.get("errorMessage", cause) if isinstance(parsed, dict) else cause


def _failures(doc):
    failures = [{"step": step, "error": info.get("Error"), "message": _message(info.get("Cause"))}
                for step, info in (doc.get("failure") or {}).items()]
    for name in PURGE_SOURCES:
        result = (doc.get("purge") or {}).get(name) or {}
        if result.get("purged") is False:
            failures.append({"step": f"Purge{name.title()}", "error": result.get("error"),
                             "message": _message(result.get("cause"))})
    return failures


def _purge_status(doc):
    purge = doc.get("purge")
    if purge is None:
        return dict.fromkeys(PURGE_SOURCES, "NOT_STARTED" if "failure" not in doc
                             or "PurgeData" not in doc["failure"] else "UNKNOWN")
    return {name: "PURGED" if (purge.get(name) or {}).get("purged") else "FAILED"
            for name in PURGE_SOURCES}


def handler(event, context):
    doc = event["document"]
    case = doc.get("case") or {}
    # the request itself may be what failed validation: fall back to its raw fields, and
    # to the execution when even the request id is unusable as a file name
    case_id = case.get("caseId") or doc.get("requestId")
    if not (isinstance(case_id, str) and SAFE_ID.match(case_id) and ".." not in case_id):
        case_id = "unidentified-" + sha256(str(event.get("executionArn")).encode())[:12]
    user_id = case.get("userId") or doc.get("userId")
    failures = _failures(doc)
    purge = _purge_status(doc)
    exported = (doc.get("upload") or {}).get("archiveKey")
    leftovers = []
    if case.get("caseId") and staging.exists(case["caseId"]):
        leftovers.append(f"staged copies in {staging.case_folder(case['caseId'])}")
    leftovers += [f"{name} ({status.lower().replace('_', ' ')})" for name, status in purge.items()
                  if status != "PURGED"]

    if "CheckLegalHold" in (doc.get("failure") or {}):
        actions = ["Ask legal whether the hold still applies; erase only after it is released."]
    else:
        actions = ["Fix the failing step's cause (see failures).",
                   "Redrive the execution or start it again with the same input: every step "
                   "is idempotent, purged sources stay purged and the first export is kept."]
    if "UNKNOWN" in purge.values():
        actions.insert(1, "Check each source: the purge stopped without reporting per source.")

    ticket = {
        "ticketId": f"review-{case_id}",
        "caseId": case_id,
        "userId": user_id,
        "executionArn": event.get("executionArn"),
        "openedAt": event.get("openedAt"),
        "dueBy": case.get("dueBy"),
        "failures": failures,
        "progress": {
            "gathered": "gathered" in doc,
            "sharedAssetsTransferred": "transfer" in doc,
            "exportArchived": exported,
            "userNotified": (doc.get("notification") or {}).get("messageId"),
            "purge": purge,
        },
        "personalDataRemaining": leftovers,
        "nextActions": actions,
    }
    steps = ", ".join(f"{f['step']} failed with {f['error']}: {f['message']}" for f in failures)
    ticket["summary"] = (f"Case {case_id} (user {user_id}) needs review: {steps or 'no failure recorded'}. "
                         f"Data remaining: {'; '.join(leftovers) or 'none'}. "
                         f"Ticket {ticket['ticketId']}.")
    write_json(folder("records") / "review" / f"{case_id}.json", ticket)
    return {"ticketId": ticket["ticketId"], "summary": ticket["summary"],
            "failures": failures}
