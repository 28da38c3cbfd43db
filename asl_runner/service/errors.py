"""Errors of the Step Functions API, with AWS's error codes, messages and HTTP statuses.

Messages quoted as AWS's were recorded from the real service (LocalStack's snapshot tests record
AWS's responses: tests/aws/services/stepfunctions/v2/*.snapshot.json).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import AslRunnerError


class ApiError(AslRunnerError):
    """An API call failed; ``code`` is AWS's error code (``ExecutionDoesNotExist``, ...).

    ``fields`` are the error shape's other members (``resourceName`` of ResourceNotFound and
    TooManyTags, ``reason`` of ValidationException), sent beside ``message``.
    """

    def __init__(self, code: str, message: str, status: int = 400, **fields: Any):
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields
        super().__init__(f"{code}: {message}")


class StoreUnavailable(ApiError):
    """The store cannot be written now (disk full, read-only file, locked by another process).

    HTTP 503 is what the SDKs retry (botocore's standard and legacy modes retry 500, 502, 503 and
    504), so a client rides out a short outage; nothing was changed by the failed call.
    """

    def __init__(self, message: str):
        super().__init__("ServiceUnavailable", message, 503)


# SQLite's messages for a store that cannot take a write now, as opposed to a bug (no such
# table, a constraint): the first are an outage, the rest an InternalFailure.
_OUTAGES = ("database or disk is full", "readonly database", "database is locked",
            "disk i/o error", "unable to open database file")


def store_outage(exc: sqlite3.Error) -> StoreUnavailable | None:
    """The API's answer to ``exc`` when it says the store cannot be written, else None."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and any(o in text.lower() for o in _OUTAGES):
        return StoreUnavailable(f"The store cannot be written now ({text}); retry later")
    return None


def validation(message: str, **fields: Any) -> ApiError:
    return ApiError("ValidationException", message, **fields)


def validation_errors(problems: list[str]) -> ApiError:
    """AWS's request validator: every violated constraint, in one message."""
    count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected"
    return validation(f"{count}: " + "; ".join(problems))


def serialization(message: str) -> ApiError:
    """A value of the wrong JSON type: AWS's protocol layer rejects it before validation."""
    return ApiError("SerializationException", message)


def does_not_exist(kind: str, arn: str) -> ApiError:
    """StateMachineDoesNotExist, ExecutionDoesNotExist, ActivityDoesNotExist."""
    label = {"StateMachine": "State Machine"}.get(kind, kind)
    return ApiError(f"{kind}DoesNotExist", f"{label} Does Not Exist: '{arn}'")


def resource_not_found(arn: str | None = None) -> ApiError:
    """AWS's two wordings: TagResource names the ARN, the alias operations do not."""
    if arn is None:
        return ApiError("ResourceNotFound", "Request references a resource that does not exist.")
    return ApiError("ResourceNotFound", f"Resource not found: '{arn}'", resourceName=arn)


def invalid_arn(detail: str) -> ApiError:
    """InvalidArn; AWS says e.g. "Invalid Arn: 'Invalid ARN prefix: x'"."""
    return ApiError("InvalidArn", f"Invalid Arn: '{detail}'")


def invalid_token() -> ApiError:
    """A page token or task token that AWS never issued (its words, recorded for both)."""
    return ApiError("InvalidToken", "Invalid Token: 'Invalid token'")
