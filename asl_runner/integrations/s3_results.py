"""A Distributed Map's ResultWriter to S3 (``arn:aws:states:::s3:putObject``): the Map Run's
results as AWS exports them, one object per status and a ``manifest.json`` that lists them,
under ``PREFIX/MAP_RUN_ID/`` (recorded: the Map's output names
``PREFIX/MAP_RUN_ID/manifest.json``; the files' layout is AWS's documented one).

The engine sends the write as an invocation (``engine.result_writer``), like the reader's
read, so it happens off the durable host's engine thread. Its payload is ``{"Parameters":
{"Bucket", "Prefix"}, "MapRunArn", "Files": {"SUCCEEDED": [[path, size], ...], ...}}``: the
results are already in local files, in their final form (``engine.result_writer`` wrote them
as the children ended), which are uploaded as ``STATUS_n.json``; its result is ``{"Bucket",
"Key"}`` of the manifest. Any failure is ``States.ResultWriterFailed``.
"""

from __future__ import annotations

from typing import Any

from ..errors import StatesError
from ..jsonvalue import dumps
from .optimized import v1_cause

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
STATUSES = ("FAILED", "PENDING", "SUCCEEDED")
#: a result file goes up in parts of this size (S3's multipart upload, whose smallest part
#: is 5 MiB): memory holds one part
PART_BYTES = 5 << 20


def _failed(exc: Exception) -> StatesError:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        response = exc.response or {}
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        return StatesError(RESULT_WRITER_FAILED, v1_cause(
            error.get("Message"), "Amazon S3", meta.get("HTTPStatusCode") or 400,
            error.get("Code") or "Unknown", meta.get("RequestId") or ""))
    return StatesError(RESULT_WRITER_FAILED, f"Unable to execute HTTP request: {exc}")


def _put(client: Any, bucket: str, key: str, body: bytes) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.put_object(Bucket=bucket, Key=key, Body=body)
    except (BotoCoreError, ClientError) as exc:
        raise _failed(exc) from None


def _upload(client: Any, bucket: str, key: str, path: str, size: int) -> None:
    """A result file, in one PUT, or part by part past PART_BYTES."""
    from botocore.exceptions import BotoCoreError, ClientError

    with open(path, "rb") as file:
        if size <= PART_BYTES:
            _put(client, bucket, key, file.read())
            return
        try:
            upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
            parts = []
            while part := file.read(PART_BYTES):
                number = len(parts) + 1
                answer = client.upload_part(Bucket=bucket, Key=key, UploadId=upload,
                                            PartNumber=number, Body=part)
                parts.append({"ETag": answer["ETag"], "PartNumber": number})
            client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                             MultipartUpload={"Parts": parts})
        except (BotoCoreError, ClientError) as exc:
            raise _failed(exc) from None


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
        for n, (path, size) in enumerate((payload.get("Files") or {}).get(status) or ()):
            key = f"{folder}{status}_{n}.json"
            _upload(client, bucket, key, path, size)
            files[status].append({"Key": key, "Size": size})
    manifest = {"DestinationBucket": bucket, "MapRunArn": arn, "ResultFiles": files}
    key = f"{folder}manifest.json"
    _put(client, bucket, key, dumps(manifest).encode())
    return {"Bucket": bucket, "Key": key}
