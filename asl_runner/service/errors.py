"""Errors of the Step Functions API, with AWS's error codes and HTTP statuses."""

from __future__ import annotations

from ..errors import AslRunnerError


class ApiError(AslRunnerError):
    """An API call failed; ``code`` is AWS's error code (``ExecutionDoesNotExist``, ...)."""

    def __init__(self, code: str, message: str, status: int = 400):
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{code}: {message}")


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def does_not_exist(kind: str, arn: str) -> ApiError:
    """StateMachineDoesNotExist, ExecutionDoesNotExist, ActivityDoesNotExist, ..."""
    label = {"StateMachine": "State Machine", "Execution": "Execution",
             "Activity": "Activity", "ResourceNotFound": "Resource"}.get(kind, kind)
    code = "ResourceNotFound" if kind == "ResourceNotFound" else f"{kind}DoesNotExist"
    return ApiError(code, f"{label} Does Not Exist: '{arn}'")


def invalid_arn(arn: str, detail: str = "") -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: '{detail or 'Resource type not valid in this context'}: {arn}'")
