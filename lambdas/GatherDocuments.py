"""Copy a user's documents to staging: one source per call (an iteration of the fixed
definition's Map), or every source of the case in one call (the brief's original
definition, which has no Map and passes the whole case)."""

from __future__ import annotations

from _common import dump_json, safe_id
from _gdpr import staging, systems
from _gdpr.case import case_of


def handler(event, context):
    if isinstance(event, dict) and "source" in event:
        return _gather(event["caseId"], event["userId"], event["source"])
    case = case_of(event)
    return [_gather(case["caseId"], case["userId"], source) for source in case["documentSources"]]


def _gather(case_id: str, user_id: str, source: dict) -> dict:
    source_id = safe_id(source["sourceId"], "sourceId")
    system = safe_id(source["system"], "system")
    entries = []
    for doc in systems.documents(user_id, source_id, system):
        ref = staging.put(case_id, f"documents/{source_id}/{doc['documentId']}.txt",
                          doc["content"].encode())
        entries.append({"documentId": doc["documentId"], "title": doc["title"],
                        "createdAt": doc["createdAt"], **ref})
    manifest = {"sourceId": source_id, "system": system, "documents": entries}
    return {
        "sourceId": source_id,
        "system": system,
        "documentCount": len(entries),
        "totalBytes": sum(e["sizeBytes"] for e in entries),
        "manifest": staging.put(case_id, f"documents/{source_id}/manifest.json", dump_json(manifest)),
    }
