"""boto3 clients for the example handlers, made as a deployed function makes them.

Lambda's runtime sets AWS_REGION; asl-runner's local runtime may not, so the region falls
back to us-east-1, the region of the examples' function ARNs. Where the calls go is
asl-runner's choice, not the handler's: in-process moto by default, else the endpoint in
AWS_ENDPOINT_URL (boto3 reads it), else real AWS. A client is kept per service, region and
endpoint, so a warm handler does not pay for a new one on every call.
"""

from __future__ import annotations

import functools
import os
from typing import Any

DEFAULT_REGION = "us-east-1"


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def client(service: str, **config: Any) -> Any:
    return _client(service, region(), os.environ.get("AWS_ENDPOINT_URL"),
                   tuple(sorted(config.items())))


@functools.lru_cache(maxsize=32)
def _client(service: str, region_name: str, endpoint: str | None, config: tuple) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, region_name=region_name, config=Config(**dict(config)))


def error_code(exc: Exception) -> str | None:
    """The service's error code of a botocore ClientError, else None."""
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None
