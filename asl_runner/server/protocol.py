"""The AWS JSON 1.0 protocol as the Step Functions API speaks it.

A request is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>`` and the operation's
input as a JSON object; a response is the output as a JSON object, or an error: an HTTP status
and ``{"__type": "<namespace>#<Code>", "message": "..."}``. SDKs keep only what follows the
``#`` (botocore: ``Error.Code``), but the namespaces are AWS's so that a client that matches the
whole ``__type`` (older SDKs did) sees what AWS sends: Step Functions' own errors come from its
service model, the rest from the framework in front of it.

Nothing here imports the engine (``jsonvalue`` is plain JSON), so the command-line client can
use it and start fast.
"""

from __future__ import annotations

import json
from typing import Any

from ..jsonvalue import JsonInputError, loads

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
#: Definitions may be 1 MiB and inputs 256 KiB; JSON escaping can multiply that by six
#: (``\\uXXXX``), so this only stops a body that no valid request can have.
MAX_BODY_BYTES = 8 * 1024 * 1024

# Namespaces seen in real responses: the Step Functions service model (e.g.
# "...v2.model#InvalidToken"), AWS's request validator and the service framework.
_SERVICE_NAMESPACE = "com.amazonaws.swf.service.v2.model"
_NAMESPACES = {
    "ValidationException": "com.amazon.coral.validate",
    "SerializationException": "com.amazon.coral.service",
    "UnknownOperationException": "com.amazon.coral.service",
    "InternalFailure": "com.amazon.coral.service",
    "ServiceUnavailable": "com.amazon.coral.service",
    "RequestEntityTooLarge": "com.amazon.coral.service",
}


class ProtocolError(Exception):
    """A request the protocol rejects before any operation runs (or an error reply)."""

    def __init__(self, code: str, message: str, status: int = 400):
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{code}: {message}")


def error_type(code: str) -> str:
    """The ``__type`` AWS sends for an error code."""
    return f"{_NAMESPACES.get(code, _SERVICE_NAMESPACE)}#{code}"


def encode_error(code: str, message: str, fields: dict[str, Any] | None = None) -> bytes:
    """An error body; ``fields`` are the error shape's other members (e.g. ``resourceName``)."""
    return encode({"__type": error_type(code), "message": message, **(fields or {})})


def encode(body: dict[str, Any]) -> bytes:
    # an unpaired surrogate (which no request can bring in, but a message may quote) becomes
    # '?', as Java's UTF-8 encoder writes it
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8", "replace")


def decode_request(raw: bytes) -> dict[str, Any]:
    """The operation input of a request body; an empty body is an empty input.

    JSON is read as AWS reads it (``jsonvalue.loads``: UTF-8, no NaN or Infinity, finite
    numbers, at most 1,000 levels deep); a body it cannot read is SerializationException, the
    protocol's error for a body that does not parse, before any operation runs.
    """
    if not raw.strip():
        return {}
    try:
        body = loads(raw, surrogates=True)  # requests.py names the field that holds one
    except JsonInputError as exc:
        raise ProtocolError("SerializationException", f"The request body is not valid JSON: {exc}") from None
    if isinstance(body, list):
        raise ProtocolError("SerializationException", "Start of list found where not expected")
    if not isinstance(body, dict):
        raise ProtocolError("SerializationException",
                            "Start of structure or map expected: the request body must be a JSON object")
    return body


def operation_of(target: str | None) -> str:
    """The operation named by an ``X-Amz-Target`` header (not yet checked to exist)."""
    if not target:
        raise ProtocolError("UnknownOperationException",
                            f"Missing X-Amz-Target header: expected '{TARGET_PREFIX}<Operation>'")
    prefix, dot, operation = target.partition(".")
    if not dot or f"{prefix}." != TARGET_PREFIX or not operation:
        raise ProtocolError("UnknownOperationException",
                            f"Unknown target '{target}': expected '{TARGET_PREFIX}<Operation>'")
    return operation


def decode_error(status: int, raw: bytes) -> tuple[str, str]:
    """(code, message) of an error response, read the way botocore reads it."""
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        body = {"message": raw.decode("utf-8", "replace")}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("__type") or status)
    code = code.split(":", 1)[0].rsplit("#", 1)[-1]
    return code, str(body.get("message", body.get("Message", "")))
