"""Copy the user's account profile to staging and report which shared assets they still own."""

from __future__ import annotations

from _common import dump_json
from _gdpr import staging, systems
from _gdpr.case import case_of


def handler(event, context):
    case = case_of(event)
    user_id = case["userId"]
    profile = systems.profile(case)
    # assets handed over by an earlier (redriven) run are no longer the user's
    remaining = [a for a in case["sharedAssets"] if not systems.transferred(user_id, a["assetId"])]
    if profile is not None:
        profile["sharedAssets"] = remaining
    return {
        "source": "profile",
        "system": systems.PROFILE_SYSTEM,
        "found": profile is not None,
        "object": staging.put(case["caseId"], "profile.json", dump_json(profile)) if profile else None,
        "sharedAssets": remaining,
        "hasSharedAssets": bool(remaining),
    }
