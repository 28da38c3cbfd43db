"""``SdkHttpMetadata`` and ``SdkResponseMetadata``: what Step Functions' optimized integrations
add to a service's response (the Java SDK's view of the HTTP exchange)."""

from __future__ import annotations

import uuid


def http_date() -> str:
    # imported here: email.utils pulls in socket and more, 25 ms of a cold start otherwise
    from email.utils import formatdate

    return formatdate(usegmt=True)


def sdk_metadata(headers: dict[str, str], request_id: str, status: int = 200) -> dict:
    """The two metadata members for a response with ``headers`` (each header also listed,
    as a one-element list, under ``AllHttpHeaders``)."""
    return {
        "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in headers.items()},
                            "HttpHeaders": dict(headers), "HttpStatusCode": status},
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def json_service_headers(length: int, request_id: str | None = None) -> tuple[dict[str, str], str]:
    """The headers of an AWS JSON 1.0 service's response (Step Functions', DynamoDB's...)
    of ``length`` bytes, and its request id."""
    request_id = request_id or str(uuid.uuid4())
    return {"x-amzn-RequestId": request_id, "connection": "keep-alive",
            "Content-Length": str(length), "Date": http_date(),
            "Content-Type": "application/x-amz-json-1.0"}, request_id
