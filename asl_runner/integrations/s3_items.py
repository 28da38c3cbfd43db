"""A Distributed Map's ItemReader over S3: ``arn:aws:states:::s3:getObject`` (an object's
items, read by :mod:`.item_formats`) and ``arn:aws:states:::s3:listObjectsV2`` (the objects
themselves); its ResultWriter (``s3:putObject``) is :mod:`.s3_results`'s.

The engine sends the read as an invocation like any task's (``engine.item_reader``), so the
durable host performs it on a worker thread, never on its engine thread, and it goes wherever
AWS calls go (:mod:`.aws`: in-process moto, ``--aws-endpoint``, real AWS). Its payload is
``{"Parameters": {...the S3 request...}, "ReaderConfig": {...}, "MaxItems": N, "Cursor": ...,
"Page": {...}}``; its result is one page of items (:mod:`.item_sources` reads them).

Errors: any failure to read is ``States.ItemReaderFailed`` (AWS's documented meaning of that
error). A service error's cause is the AWS SDK for Java 1.x's message, as Step Functions'
other S3 calls word it (``The specified key does not exist. (Service: Amazon S3; Status Code:
404; Error Code: NoSuchKey; Request ID: ...; Proxy: null)``): AWS's exact cause for a missing
object is not recorded, so this is asl-runner's choice.
"""

from __future__ import annotations

from typing import Any

from ..engine.item_reader import MAP_RUN
from .iam import Grant, Scope
from .item_formats import Limits, failed
from .item_sources import listing_reader, object_reader
from .optimized import v1_cause
from .protocol import Integration
from .registry import cannot_run
from .s3_results import put_results


def _client(env: Any, resource: Any) -> Any:
    target = env.aws
    return target.client("s3", target.region(resource.region))


def _request(payload: Any) -> dict:
    parameters = payload.get("Parameters") if isinstance(payload, dict) else None
    if not isinstance(parameters, dict):
        raise failed("The ItemReader's Parameters must be a JSON object naming the Bucket")
    return parameters


def _call(operation: Any, request: dict) -> Any:
    """botocore's response, or States.ItemReaderFailed for what failed."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return operation(**request)
    except ClientError as exc:
        response = exc.response or {}
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        raise failed(v1_cause(error.get("Message"), "Amazon S3",
                              meta.get("HTTPStatusCode") or 400, error.get("Code") or "Unknown",
                              meta.get("RequestId") or "")) from None
    except BotoCoreError as exc:  # no answer, or a request botocore refuses to send
        raise failed(f"Unable to execute HTTP request: {exc}") from None


def map_run_only(perform: Any) -> Any:
    """A Task whose Resource names one of these APIs is not a Map Run's call: AWS documents
    them for ItemReader and ResultWriter only, so asl-runner cannot run it (and says so)."""

    def performing(invocation: Any, env: Any) -> Any:
        if invocation.event_family != MAP_RUN:
            raise cannot_run(invocation)
        return perform(invocation, env)

    return performing


def _page(invocation: Any, env: Any, read: Any) -> dict:
    """One page of items: ``{"Items": [...], "Cursor": ...}`` (the cursor None after the
    last page); the payload's ``Cursor`` says where the page starts, ``Page`` how much it
    may hold (``engine.item_pages``)."""
    payload = invocation.payload
    request = _request(payload)
    page = payload.get("Page") or {}
    limits = Limits(page.get("items") or 1000, page.get("bytes") or (1 << 20),
                    payload.get("MaxItems") or 0)
    items, cursor = read(_client(env, invocation.resource), _call, request,
                         payload.get("ReaderConfig") or {}, payload.get("Cursor"), limits)
    return {"Items": items, "Cursor": cursor}


def get_object(invocation: Any, env: Any) -> dict:
    return _page(invocation, env, object_reader(invocation.payload.get("ReaderConfig") or {}))


def list_objects(invocation: Any, env: Any) -> dict:
    return _page(invocation, env, listing_reader(invocation.payload.get("ReaderConfig") or {}))


def _serves(action: str) -> Any:
    return lambda resource: (resource.kind == "service" and resource.service == "s3"
                             and resource.action == action and resource.pattern is None)


def _objects(scope: Scope, *, key: str | None, folder: bool) -> tuple[str, str | None]:
    """The ARN of the objects a reader or writer touches: the bucket's object ``key``, or
    everything under it (``folder``), or the bucket itself (``key`` None)."""
    bucket = scope.constant("Bucket")
    note = None
    if bucket is None:
        bucket, note = "*", scope.any_of("bucket", "Bucket")
    if key is None:
        return f"arn:{scope.partition}:s3:::{bucket}", note
    name = scope.constant(key)
    if name is None and (scope.dynamic(key) or folder):
        name, note = "", note or (scope.any_of("object", key) if scope.dynamic(key) else None)
    if folder or not name:
        name = f"{name.rstrip('/')}/*".lstrip("/") if name else "*"
    return f"arn:{scope.partition}:s3:::{bucket}/{name}", note


def _read_object(scope: Scope) -> list[Grant]:
    # iam-policies-eg-dist-map.html: GetObject on the dataset's object
    return [Grant(("s3:GetObject",), *_one(_objects(scope, key="Key", folder=False)))]


def _list_objects(scope: Scope) -> list[Grant]:
    # iam-policies-eg-dist-map.html: ListBucket on the bucket (its Prefix, if any, in a condition
    # the console adds; the bucket is the least a policy without conditions can name)
    return [Grant(("s3:ListBucket",), *_one(_objects(scope, key=None, folder=False)))]


def _write_results(scope: Scope) -> list[Grant]:
    # iam-policies-eg-dist-map.html: the ResultWriter's four actions under its Prefix
    return [Grant(("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                   "s3:AbortMultipartUpload"), *_one(_objects(scope, key="Prefix", folder=True)))]


def _one(found: tuple[str, str | None]) -> tuple[tuple[str, ...], str | None]:
    return (found[0],), found[1]


INTEGRATIONS = (
    Integration("s3:getObject (ItemReader)", serves=_serves("getObject"),
                perform=map_run_only(get_object), permissions=_read_object),
    Integration("s3:listObjectsV2 (ItemReader)", serves=_serves("listObjectsV2"),
                perform=map_run_only(list_objects), permissions=_list_objects),
    Integration("s3:putObject (ResultWriter)", serves=_serves("putObject"),
                perform=map_run_only(put_results), permissions=_write_results),
)
