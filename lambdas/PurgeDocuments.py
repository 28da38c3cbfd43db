"""Erase one document source's documents (one Map iteration per source). Idempotent."""

from __future__ import annotations

from _common import safe_id
from _gdpr import systems


def handler(event, context):
    user_id = event["userId"]
    source_id = safe_id(event["source"]["sourceId"], "sourceId")
    system = safe_id(event["source"]["system"], "system")
    count = len(systems.documents(user_id, source_id, system))
    tombstone, already = systems.erase(system, user_id, source_id, case_id=event["caseId"],
                                       purged_at=event["purgedAt"], records=count)
    return {"source": "documents", "sourceId": source_id, "system": system, "purged": True,
            "alreadyPurged": already, "purgedAt": tombstone["purgedAt"],
            "recordsDeleted": 0 if already else tombstone["recordsDeleted"]}
