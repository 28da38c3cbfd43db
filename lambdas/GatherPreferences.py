"""Copy the user's settings to staging."""

from __future__ import annotations

from _common import dump_json
from _gdpr import staging, systems
from _gdpr.case import case_of


def handler(event, context):
    case = case_of(event)
    prefs = systems.preferences(case["userId"])
    return {
        "source": "preferences",
        "system": systems.PREFERENCES_SYSTEM,
        "found": prefs is not None,
        "object": staging.put(case["caseId"], "preferences.json", dump_json(prefs)) if prefs else None,
    }
