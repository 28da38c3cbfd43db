"""Fake systems of record that hold a user's personal data, as the handlers see them.

Nothing here is random: a user's documents and preferences are derived from their ids, so
every run sees the same data. What changes is kept in the records folder:

    erasures/SYSTEM/USER[/SOURCE].json   tombstones: a purged source reads as empty
    transfers/USER/ASSET.json            shared assets handed to a successor
    legal_holds/ORG.json                 [{"holdId", "userId", "matter"}]: blocks erasure
    outages/SYSTEM.json                  {"operations": ["read", "erase"]}: the system is down

An outage file is how a test (or a curious user) makes a system fail the way real ones do:
every call raises SourceUnavailable, which the state machine retries and then escalates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from _common import (
    InvalidRequest,
    create_json,
    digest_int,
    folder,
    format_time,
    read_json,
    safe_id,
)

PROFILE_SYSTEM = "accounts"
PREFERENCES_SYSTEM = "settings"

_TOPICS = ("Quarterly plan", "Meeting notes", "Invoice", "Travel receipt", "Design draft",
           "Contract", "Photo album", "Support ticket", "Recipe", "Reading list")


class SourceUnavailable(Exception):
    """A system of record did not answer: transient, worth retrying with back-off."""


class TransferConflict(Exception):
    """An asset already went to someone else: a person has to decide who owns it."""


def _records(*parts: str):
    return folder("records").joinpath(*parts)


def require(system: str, operation: str) -> None:
    outage = read_json(_records("outages", f"{system}.json"))
    if outage is not None and operation in outage.get("operations", ["read", "erase"]):
        raise SourceUnavailable(f"system '{system}' is unavailable for {operation} "
                                f"({outage.get('reason', 'outage')})")


def _erasure_path(system: str, user_id: str, source_id: str | None):
    if source_id is None:
        return _records("erasures", system, f"{user_id}.json")
    return _records("erasures", system, user_id, f"{source_id}.json")


def erased(system: str, user_id: str, source_id: str | None = None) -> dict | None:
    return read_json(_erasure_path(system, user_id, source_id))


def erase(system: str, user_id: str, source_id: str | None, *, case_id: str, purged_at: str,
          records: int) -> tuple[dict, bool]:
    """Erase a user's data in one system; (tombstone, already) where already means a
    previous call did it. The tombstone keeps the first erasure's facts, so a retry or a
    redrive reports what really happened instead of claiming it deleted records twice."""
    require(system, "erase")
    tombstone = {"system": system, "userId": user_id, "sourceId": source_id, "caseId": case_id,
                 "purgedAt": purged_at, "recordsDeleted": records}
    path = _erasure_path(system, user_id, source_id)
    if create_json(path, tombstone):
        return tombstone, False
    return read_json(path), True


def documents(user_id: str, source_id: str, system: str) -> list[dict[str, Any]]:
    """The documents a source holds for a user (none once it has been erased)."""
    require(system, "read")
    if erased(system, user_id, source_id):
        return []
    seed = digest_int(user_id, source_id)
    count = 1 + seed % 5
    epoch = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    docs = []
    for n in range(count):
        h = digest_int(user_id, source_id, str(n))
        topic = _TOPICS[h % len(_TOPICS)]
        created = epoch + dt.timedelta(minutes=h % 2_500_000)
        doc_id = f"{source_id}-{n + 1:03d}"
        docs.append({
            "documentId": doc_id,
            "title": f"{topic} #{n + 1}",
            "createdAt": format_time(created),
            "content": (f"{topic} #{n + 1}\n"
                        f"Stored in {system}/{source_id} for user {user_id}.\n"
                        f"Created {format_time(created)}; reference {h:016x}.\n"),
        })
    return docs


def preferences(user_id: str) -> dict[str, Any] | None:
    require(PREFERENCES_SYSTEM, "read")
    if erased(PREFERENCES_SYSTEM, user_id):
        return None
    h = digest_int(user_id, "preferences")
    return {
        "userId": user_id,
        "newsletter": bool(h & 1),
        "productUpdates": bool(h & 2),
        "theme": ("light", "dark", "system")[h % 3],
        "timeZone": ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")[h % 4],
        "emailDigest": ("daily", "weekly", "never")[(h >> 3) % 3],
    }


def profile(case: dict[str, Any]) -> dict[str, Any] | None:
    require(PROFILE_SYSTEM, "read")
    user_id = case["userId"]
    if erased(PROFILE_SYSTEM, user_id):
        return None
    joined = dt.datetime(2015, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        days=digest_int(user_id, "joined") % 3000)
    return {
        "userId": user_id,
        "email": case["email"],
        "displayName": case["displayName"],
        "locale": case["locale"],
        "accountType": case["accountType"],
        "memberSince": format_time(joined),
        "organization": (case.get("organization") or {}).get("name"),
    }


def _transfer_path(user_id: str, asset_id: str):
    return _records("transfers", user_id, f"{asset_id}.json")


def transferred(user_id: str, asset_id: str) -> dict | None:
    return read_json(_transfer_path(user_id, asset_id))


def transfer(user_id: str, asset: dict, successor_id: str, *, case_id: str,
             transferred_at: str) -> tuple[dict, bool]:
    require(PROFILE_SYSTEM, "erase")
    asset_id = safe_id(asset.get("assetId"), "assetId")
    record = {"assetId": asset_id, "type": asset.get("type"), "name": asset.get("name"),
              "fromUserId": user_id, "toUserId": successor_id, "caseId": case_id,
              "transferredAt": transferred_at}
    path = _transfer_path(user_id, asset_id)
    if create_json(path, record):
        return record, False
    existing = read_json(path)
    if existing["toUserId"] != successor_id:
        raise TransferConflict(f"asset {asset_id} was already transferred to "
                               f"{existing['toUserId']}, not {successor_id}")
    return existing, True


def legal_holds(org_id: str, user_id: str) -> list[dict]:
    holds = read_json(_records("legal_holds", f"{org_id}.json"), [])
    if not isinstance(holds, list):
        raise InvalidRequest(f"legal hold register of {org_id} is not a list")
    return [h for h in holds if h.get("userId") == user_id]
