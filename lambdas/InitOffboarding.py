"""Open an offboarding case: validate the request once, so later steps can trust its shape.

Everything downstream reads ``$.case``; normalising here (defaults, sorted sources, no
missing keys) is what lets the definition's Parameters use plain paths, which would fail
with States.Runtime on a missing field.

Two event shapes arrive. definitions/gdpr_offboarding.asl.json wraps the execution input
with the execution's facts (``{"request": INPUT, "executionArn": ..., "receivedAt": ...}``);
the brief's original definition has no Parameters, so its Task gets the execution input
itself. Both are validated alike.
"""

from __future__ import annotations

import calendar
import datetime as dt

from _common import InvalidRequest, format_time, parse_time, safe_id

ACCOUNT_TYPES = ("individual", "team", "enterprise")


def _one_month_later(moment: dt.datetime) -> dt.datetime:
    # GDPR Art. 12(3): answer "within one month of receipt of the request"
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _email(value, field):
    if not isinstance(value, str) or "@" not in value.strip("@"):
        raise InvalidRequest(f"{field} must be an e-mail address, got {value!r}")
    return value


def _text(value, field):
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{field} must be a non-empty string, got {value!r}")
    return value


def _sources(data_map):
    sources = data_map.get("documentSources", [])
    if not isinstance(sources, list):
        raise InvalidRequest("dataMap.documentSources must be a list")
    seen = {}
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            raise InvalidRequest(f"dataMap.documentSources[{i}] must be an object")
        source_id = safe_id(source.get("sourceId"), f"dataMap.documentSources[{i}].sourceId")
        if source_id in seen:
            raise InvalidRequest(f"document source {source_id!r} is listed twice")
        seen[source_id] = {"sourceId": source_id,
                           "system": safe_id(source.get("system"),
                                             f"dataMap.documentSources[{i}].system")}
    return [seen[k] for k in sorted(seen)]


def _assets(data_map):
    assets = data_map.get("sharedAssets", [])
    if not isinstance(assets, list):
        raise InvalidRequest("dataMap.sharedAssets must be a list")
    out = []
    for i, asset in enumerate(assets):
        if not isinstance(asset, dict):
            raise InvalidRequest(f"dataMap.sharedAssets[{i}] must be an object")
        out.append({"assetId": safe_id(asset.get("assetId"), f"dataMap.sharedAssets[{i}].assetId"),
                    "type": asset.get("type", "asset"),
                    "name": asset.get("name", asset.get("assetId"))})
    return sorted(out, key=lambda a: a["assetId"])


def handler(event, context):
    if not isinstance(event, dict):
        raise InvalidRequest("the execution input must be a JSON object")
    # the wrapper's key is not a field of a request, so its presence tells the shapes apart
    wrapped = "request" in event
    request = event["request"] if wrapped else event
    if not isinstance(request, dict):
        raise InvalidRequest("the execution input must be a JSON object")
    request_id = safe_id(request.get("requestId"), "requestId")
    user_id = safe_id(request.get("userId"), "userId")
    account_type = request.get("accountType", "individual")
    if account_type not in ACCOUNT_TYPES:
        raise InvalidRequest(f"accountType must be one of {ACCOUNT_TYPES}, got {account_type!r}")
    requested_at = parse_time(request.get("requestedAt"), "requestedAt")
    data_map = request.get("dataMap", {})
    if not isinstance(data_map, dict):
        raise InvalidRequest("dataMap must be an object")
    assets = _assets(data_map)

    successor = request.get("successor")
    if successor is not None:
        successor = {"userId": safe_id(successor.get("userId"), "successor.userId"),
                     "email": _email(successor.get("email"), "successor.email")}
        if successor["userId"] == user_id:
            raise InvalidRequest("a user cannot be their own successor")
    elif assets:
        # refuse up front: finding out at TransferAssets would leave a half-done case
        raise InvalidRequest(f"user {user_id} owns {len(assets)} shared asset(s) but the "
                             f"request names no successor to receive them")

    organization = request.get("organization")
    if organization is not None:
        organization = {"orgId": safe_id(organization.get("orgId"), "organization.orgId"),
                        "name": _text(organization.get("name"), "organization.name"),
                        "dpoEmail": _email(organization.get("dpoEmail"), "organization.dpoEmail")}
    elif account_type == "enterprise":
        raise InvalidRequest("an enterprise request must name its organization (orgId, name, dpoEmail)")

    return {
        "caseId": request_id,
        "userId": user_id,
        "email": _email(request.get("email"), "email"),
        "displayName": _text(request.get("displayName"), "displayName"),
        "locale": request.get("locale") or "en",
        "accountType": account_type,
        "requestedAt": format_time(requested_at),
        "dueBy": format_time(_one_month_later(requested_at)),
        "documentSources": _sources(data_map),
        "sharedAssets": assets,
        "successor": successor,
        "organization": organization,
        "executionArn": event.get("executionArn") if wrapped else None,
        "receivedAt": event.get("receivedAt") if wrapped else None,
    }
