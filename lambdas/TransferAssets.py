"""Hand the user's shared assets (team workspaces, shared folders) to their successor
before the purge, so colleagues do not lose them with the account. Idempotent per asset."""

from __future__ import annotations

from _common import InvalidRequest
from _gdpr import systems


def handler(event, context):
    case = event["case"]
    successor = case.get("successor")
    if not successor:
        raise InvalidRequest(f"case {case['caseId']} has shared assets but no successor")
    transfers = []
    for asset in event["assets"]:
        record, already = systems.transfer(case["userId"], asset, successor["userId"],
                                           case_id=case["caseId"],
                                           transferred_at=event["transferredAt"])
        transfers.append({"assetId": record["assetId"], "type": record["type"],
                          "name": record["name"],
                          "status": "ALREADY_TRANSFERRED" if already else "TRANSFERRED"})
    return {"successorUserId": successor["userId"], "transfers": transfers,
            "transferredCount": sum(t["status"] == "TRANSFERRED" for t in transfers)}
