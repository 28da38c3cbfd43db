"""How Step Functions names and describes a failed AWS SDK call.

The rule (AWS's developer guide, "Learning to use AWS service SDK integrations"; the
recordings in the conformance cases show each part):

- a service error is ``PREFIX.NAME``: PREFIX is the Java SDK's client name (``S3``,
  ``DynamoDb``, ``Sfn``, ``SecretsManager``), NAME the modelled error's shape name with
  ``Exception`` appended when it does not end so already (S3's ``NoSuchKey`` is
  ``S3.NoSuchKeyException``; ``DynamoDb.ResourceNotFoundException`` stays);
- an error code the service's model does not declare is the SDK's catch-all exception,
  ``PREFIX.PREFIXException`` (DynamoDB's undeclared ValidationException is
  ``DynamoDb.DynamoDbException``);
- a failure that is not the service's answer (no connection, no credentials, a request the
  SDK cannot build) is ``States.TaskFailed``.

The cause is the SDK's exception message: the service's message, then
``(Service: PREFIX, Status Code: N, Request ID: ID)`` (S3 adds ``, Extended Request ID:
ID2`` inside the brackets), then ``(SDK Attempt Count: N)``. The attempt count is what the
Java SDK writes since its release of February 2025 (aws-sdk-java-v2 #5834) and what AWS
recorded in November 2025 (``Sfn.InvalidTokenException``: "Invalid Token: 'Invalid token'
(Service: Sfn, Status Code: 400, Request ID: ...) (SDK Attempt Count: 1)"); recordings from
2023 and January 2025 end at the bracket.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from ...errors import StatesError


def exception_name(shape_name: str) -> str:
    return shape_name if shape_name.endswith("Exception") else shape_name + "Exception"


def service_error(prefix: str, shape_name: str | None, message: str | None, status: Any,
                  request_id: Any, extended_request_id: Any = None, attempts: int = 1) -> StatesError:
    """The task failure for an error the service answered (``shape_name`` None: a code its
    model does not declare)."""
    name = exception_name(shape_name) if shape_name else f"{prefix}Exception"
    details = [f"Service: {prefix}", f"Status Code: {status}", f"Request ID: {request_id}"]
    if extended_request_id:
        details.append(f"Extended Request ID: {extended_request_id}")
    # the Java SDK writes "null" for a message the service did not send
    cause = (f"{message if message else 'null'} ({', '.join(details)}) "
             f"(SDK Attempt Count: {attempts})")
    return StatesError(f"{prefix}.{name}", cause)


def from_client_error(exc: Any, prefix: str, service_model: Any, botocore_service: str) -> StatesError:
    """``service_error`` for a botocore ClientError."""
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    # botocore raises the modelled error's own class (named by its shape) when it knows it
    shape_name = type(exc).__name__ if type(exc).__name__ != "ClientError" else \
        modelled(service_model, error.get("QueryErrorCode") or error.get("Code"))
    extended = meta.get("HostId")
    if botocore_service == "s3" and not extended:
        # S3 always sends x-amz-id-2 and the SDK shows it; moto sends none
        extended = _extended_request_id()
    return service_error(prefix, shape_name, error.get("Message"),
                         meta.get("HTTPStatusCode"), meta.get("RequestId"), extended,
                         int(meta.get("RetryAttempts") or 0) + 1)


def modelled(service_model: Any, code: str | None) -> str | None:
    """The error shape the service's model declares for ``code``, if any."""
    if not code:
        return None
    for shape in service_model.error_shapes:
        if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
            return shape.name
    return None


def _extended_request_id() -> str:
    return base64.b64encode(os.urandom(57)).decode("ascii")


def client_failure(cause: str) -> StatesError:
    """A call that got no answer from the service."""
    return StatesError("States.TaskFailed", cause)
