"""Move the export from staging to the archive and produce a download link.

The archive is a local folder (ASL_RUNNER_ARCHIVE_DIR, default ./archive) standing in for
the S3 bucket of a later issue. The first upload of a case wins: a redrive after a partial
purge gathers less data, and must not replace the complete export the user was sent.
The link expires after 7 days, the longest an S3 presigned URL can live.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from _common import create_bytes, folder, format_time, parse_time, safe_id, sha256
from _gdpr import staging

LINK_LIFETIME = dt.timedelta(days=7)


def handler(event, context):
    case_id = safe_id(event["caseId"], "caseId")
    export = event["export"]
    data = staging.get(case_id, export) if staging.exists(case_id) else None
    target = folder("archive") / case_id / safe_id(export["fileName"], "fileName")
    if data is not None:
        created = create_bytes(target, data)
    elif target.exists():
        created = False  # a retry after the staging copy was already cleaned up
    else:
        raise staging.ExportIntegrityError(f"case {case_id}: neither the staged export nor "
                                           f"an archived one exists")
    stored = target.read_bytes()
    # the archive now holds the export: the staged copies of personal data must go
    staging.remove(case_id)
    uploaded_at = parse_time(event["uploadedAt"], "uploadedAt")
    return {
        "archiveKey": f"{case_id}/{target.name}",
        "downloadUrl": target.as_uri(),
        "expiresAt": format_time(uploaded_at + LINK_LIFETIME),
        "sha256": sha256(stored),
        "sizeBytes": len(stored),
        **_contents(stored),
        "alreadyUploaded": not created,
    }


def _contents(archive: bytes) -> dict:
    """What the archived export holds. A rerun keeps the export of the first run, so its
    counts, not those of what the rerun packaged, describe the file the user was sent."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        manifest = json.loads(z.read("manifest.json"))
        return {"entryCount": len(z.namelist()),
                "documentCount": sum(s["documentCount"] for s in manifest["sources"])}
