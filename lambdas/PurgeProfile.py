"""Erase the user's account profile. Idempotent: a second call reports alreadyPurged."""

from __future__ import annotations

from _gdpr import systems


def handler(event, context):
    tombstone, already = systems.erase(systems.PROFILE_SYSTEM, event["userId"], None,
                                       case_id=event["caseId"], purged_at=event["purgedAt"],
                                       records=1)
    return {"source": "profile", "system": systems.PROFILE_SYSTEM, "purged": True,
            "alreadyPurged": already, "purgedAt": tombstone["purgedAt"],
            "recordsDeleted": 0 if already else tombstone["recordsDeleted"]}
