"""A Distributed Map's ResultWriter to S3 (``arn:aws:states:::s3:putObject``): the Map Run's
results as AWS exports them, one object per status and a ``manifest.json`` that lists them,
under ``PREFIX/MAP_RUN_ID/`` (recorded: the Map's output names
``PREFIX/MAP_RUN_ID/manifest.json``; the files' layout is AWS's documented one).

The engine sends the write as an invocation (``engine.result_writer``), like the reader's
read, so it happens off the durable host's engine thread. Its payload is ``{"Parameters":
{"Bucket", "Prefix"}, "MapRunArn", "Results": {"SUCCEEDED": [...], "FAILED": [...]}}``; its
result is ``{"Bucket", "Key"}`` of the manifest. Any failure is ``States.ResultWriterFailed``.
"""

from __future__ import annotations

from typing import Any

from ..errors import StatesError
from ..jsonvalue import dumps
from .optimized import v1_cause

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
STATUSES = ("FAILED", "PENDING", "SUCCEEDED")


def _put(client: Any, bucket: str, key: str, body: bytes) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.put_object(Bucket=bucket, Key=key, Body=body)
    except ClientError as exc:
        response = exc.response or {}
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        raise StatesError(RESULT_WRITER_FAILED, v1_cause(
            error.get("Message"), "Amazon S3", meta.get("HTTPStatusCode") or 400,
            error.get("Code") or "Unknown", meta.get("RequestId") or "")) from None
    except BotoCoreError as exc:
        raise StatesError(RESULT_WRITER_FAILED, f"Unable to execute HTTP request: {exc}") from None


def put_results(invocation: Any, env: Any) -> dict:
    payload = invocation.payload
    parameters = payload.get("Parameters") or {}
    bucket = parameters.get("Bucket")
    if not isinstance(bucket, str) or not bucket:
        raise StatesError(RESULT_WRITER_FAILED, "The ResultWriter's Parameters must name the Bucket")
    prefix = parameters.get("Prefix") or ""
    arn = payload["MapRunArn"]
    folder = f"{prefix.rstrip('/')}/{arn.rsplit(':', 1)[1]}/".lstrip("/")
    target = env.aws
    client = target.client("s3", target.region(invocation.resource.region))
    files: dict[str, list] = {status: [] for status in STATUSES}
    for status in STATUSES:
        records = (payload.get("Results") or {}).get(status) or []
        if records:
            key = f"{folder}{status}_0.json"
            body = dumps(records).encode()
            _put(client, bucket, key, body)
            files[status].append({"Key": key, "Size": len(body)})
    manifest = {"DestinationBucket": bucket, "MapRunArn": arn, "ResultFiles": files}
    key = f"{folder}manifest.json"
    _put(client, bucket, key, dumps(manifest).encode())
    return {"Bucket": bucket, "Key": key}
