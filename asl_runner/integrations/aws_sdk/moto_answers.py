"""Where moto's responses differ from what AWS's services send, for aws-sdk tasks: the response
made AWS's, applied only when the calls do not go to real AWS (real AWS answers for itself).

One entry per botocore service; each takes the operation's name, the request and botocore's
parsed response, and amends the response in place. Only members moto leaves out or adds where
the service would not are touched: a value moto does send is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: S3 encrypts every new object with SSE-S3 (AES256) unless told otherwise, since January
#: 2023, and says so in these operations' responses; moto reports no encryption
_S3_ENCRYPTED = frozenset({"PutObject", "GetObject", "HeadObject", "CopyObject",
                           "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"})
#: the checksums S3 computes over the whole object (ChecksumType FULL_OBJECT when uploaded whole)
_FULL_OBJECT_CHECKSUMS = ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME")


def dynamodb_consumed_capacity(request: dict, response: dict) -> None:
    """DynamoDB reports consumed capacity only when asked to; moto's UpdateItem always does."""
    if request.get("ReturnConsumedCapacity") in (None, "NONE"):
        response.pop("ConsumedCapacity", None)


def _dynamodb(operation: str, request: dict, response: dict) -> None:
    dynamodb_consumed_capacity(request, response)


def _s3(operation: str, request: dict, response: dict) -> None:
    if operation in _S3_ENCRYPTED:
        response.setdefault("ServerSideEncryption", "AES256")
    if operation == "PutObject" and any(k in response for k in _FULL_OBJECT_CHECKSUMS):
        response.setdefault("ChecksumType", "FULL_OBJECT")


_BY_SERVICE: dict[str, Callable[[str, dict, dict], None]] = {
    "dynamodb": _dynamodb,
    "s3": _s3,
}


def amend(botocore_service: str, operation: str, request: dict, response: Any) -> None:
    """Make moto's ``response`` to ``operation`` what AWS's service sends (in place)."""
    amend_one = _BY_SERVICE.get(botocore_service)
    if amend_one is not None and isinstance(response, dict):
        amend_one(operation, request, response)
