"""Erase the user's settings. Idempotent: a second call reports alreadyPurged."""

from __future__ import annotations

from _gdpr import systems


def handler(event, context):
    user_id = event["userId"]
    prefs = systems.preferences(user_id)
    tombstone, already = systems.erase(systems.PREFERENCES_SYSTEM, user_id, None,
                                       case_id=event["caseId"], purged_at=event["purgedAt"],
                                       records=len(prefs) if prefs else 0)
    return {"source": "preferences", "system": systems.PREFERENCES_SYSTEM, "purged": True,
            "alreadyPurged": already, "purgedAt": tombstone["purgedAt"],
            "recordsDeleted": 0 if already else tombstone["recordsDeleted"]}
