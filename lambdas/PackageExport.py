"""Build the user's export: a real ZIP of everything gathered, plus a machine-readable index.

GDPR Art. 20 asks for a "structured, commonly used and machine-readable format": JSON files
in a ZIP, with manifest.json listing each file's SHA-256. Every staged object is checked
against the digest recorded when it was gathered, so the export holds exactly what the
gather steps saw. The ZIP is deterministic (sorted entries, timestamps from the request),
so the same data always gives the same bytes and the same checksum.
"""

from __future__ import annotations

import io
import json
import zipfile

from _common import dump_json, parse_time, sha256
from _gdpr import staging

README = """\
Your personal data, exported for request {case_id}
===================================================

profile.json           your account profile
preferences.json       your settings
documents/SOURCE/...   the documents each of our systems held for you, one folder per source
manifest.json          every file in this archive with its size and SHA-256 checksum

All files are UTF-8 text or JSON.
"""


def _entries(case_id: str, gathered: dict) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in ("profile", "preferences"):
        part = gathered[name]
        if part["found"]:
            files[f"{name}.json"] = staging.get(case_id, part["object"])
    for source in gathered["documentSources"]:
        manifest = json.loads(staging.get(case_id, source["manifest"]))
        for doc in manifest["documents"]:
            files[doc["key"]] = staging.get(case_id, doc)
    return files


def handler(event, context):
    case = event["case"]
    case_id = case["caseId"]
    gathered = event["gathered"]
    files = _entries(case_id, gathered)
    index = {
        "caseId": case_id,
        "userId": case["userId"],
        "requestedAt": case["requestedAt"],
        "sources": [{"sourceId": s["sourceId"], "system": s["system"],
                     "documentCount": s["documentCount"]} for s in gathered["documentSources"]],
        "files": [{"path": path, "sizeBytes": len(data), "sha256": sha256(data)}
                  for path, data in sorted(files.items())],
    }
    files["manifest.json"] = dump_json(index)
    files["README.txt"] = README.format(case_id=case_id).encode()

    stamp = parse_time(case["requestedAt"], "requestedAt").timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    data = buffer.getvalue()
    file_name = f"gdpr-export-{case_id}.zip"
    ref = staging.put(case_id, f"export/{file_name}", data)
    return {
        **ref,
        "fileName": file_name,
        "entryCount": len(files),
        "sourceCount": len(gathered["documentSources"]),
        "documentCount": sum(s["documentCount"] for s in gathered["documentSources"]),
    }
