"""Copy one document source's documents to staging (one Map iteration per source)."""

from __future__ import annotations

from _common import dump_json, safe_id
from _gdpr import staging, systems


def handler(event, context):
    case_id = event["caseId"]
    user_id = event["userId"]
    source_id = safe_id(event["source"]["sourceId"], "sourceId")
    system = safe_id(event["source"]["system"], "system")
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
