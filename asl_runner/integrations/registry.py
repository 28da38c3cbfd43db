"""The invoker a runner calls for each Task: picks the integration for the resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import StatesError
from .lambda_local import LocalLambdas


class Integrations:
    """Routes invocations: Lambda (ARN, name, ``lambda:invoke``) to local handlers."""

    def __init__(self, lambdas_dir: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None):
        self.lambdas = LocalLambdas(lambdas_dir, handlers)

    def __call__(self, invocation: Any) -> Any:
        resource = invocation.resource
        if resource.kind == "lambda":
            return self.lambdas.invoke_function(invocation)
        if resource.is_lambda_invoke:
            return self.lambdas.invoke_service(invocation)
        raise StatesError("States.Runtime",
                          f"asl-runner cannot run the resource '{resource.arn}' yet")
