"""Put the export into the S3 archive bucket and produce a download link.

The bucket is GDPR_EXPORT_BUCKET (default ``example-gdpr-exports``, created by
definitions/gdpr_offboarding/aws_setup.json where the real account has it already). The
first upload of a case wins: a redrive after a partial purge gathers less data and must not
replace the complete export the user was sent, so the PutObject is conditional
(``If-None-Match: *``) and a second one finds the first in place. S3 checks the upload
against its SHA-256 (``ChecksumSHA256``). The link is a presigned GetObject URL valid for 7
days, the longest a SigV4 presigned URL can live. (Signed with temporary credentials, such
as a Lambda execution role's, a URL stops working when they expire, whatever its lifetime:
a deployed exporter signs with a dedicated IAM user's keys.)
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import zipfile
from urllib.parse import parse_qs, urlsplit

from _common import aws, format_time, safe_id, sha256
from _gdpr import staging

BUCKET = "example-gdpr-exports"
LINK_LIFETIME = dt.timedelta(days=7)


def bucket() -> str:
    return os.environ.get("GDPR_EXPORT_BUCKET") or BUCKET


def handler(event, context):
    case_id = safe_id(event["caseId"], "caseId")
    export = event["export"]
    key = f"{case_id}/{safe_id(export['fileName'], 'fileName')}"
    s3 = aws.client("s3", signature_version="s3v4")
    data = staging.get(case_id, export) if staging.exists(case_id) else None
    created = False
    if data is not None:
        created = _put_once(s3, key, data)
    stored = _read(s3, key, case_id)
    # the archive now holds the export: the staged copies of personal data must go
    staging.remove(case_id)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket(), "Key": key},
                                    ExpiresIn=int(LINK_LIFETIME.total_seconds()))
    return {
        "bucket": bucket(),
        "archiveKey": key,
        "downloadUrl": url,
        "expiresAt": format_time(_expiry(url)),
        "sha256": sha256(stored),
        "sizeBytes": len(stored),
        **_contents(stored),
        "alreadyUploaded": not created,
    }


def _put_once(s3, key: str, data: bytes) -> bool:
    """PutObject unless the key exists; True when this call created it."""
    checksum = base64.b64encode(bytes.fromhex(sha256(data))).decode()
    try:
        s3.put_object(Bucket=bucket(), Key=key, Body=data, IfNoneMatch="*",
                      ContentType="application/zip", ChecksumSHA256=checksum)
    except Exception as exc:
        if aws.error_code(exc) in ("PreconditionFailed", "ConditionalRequestConflict"):
            return False  # an earlier run (or a concurrent retry) archived this case first
        raise
    return True


def _read(s3, key: str, case_id: str) -> bytes:
    try:
        return s3.get_object(Bucket=bucket(), Key=key)["Body"].read()
    except Exception as exc:
        if aws.error_code(exc) in ("NoSuchKey", "404"):
            raise staging.ExportIntegrityError(
                f"case {case_id}: neither the staged export nor an archived one exists") from None
        raise


def _expiry(url: str) -> dt.datetime:
    """When the link stops working: its signing time plus its lifetime, read from the URL
    itself (it is signed now, on the wall clock, not at the state's entered time)."""
    query = parse_qs(urlsplit(url).query)
    signed = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return signed + dt.timedelta(seconds=int(query["X-Amz-Expires"][0]))


def _contents(archive: bytes) -> dict:
    """What the archived export holds. A rerun keeps the export of the first run, so its
    counts, not those of what the rerun packaged, describe the file the user was sent."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        manifest = json.loads(z.read("manifest.json"))
        return {"entryCount": len(z.namelist()),
                "documentCount": sum(s["documentCount"] for s in manifest["sources"])}
