"""The invoker a runner calls for each Task: picks the integration for the resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import StatesError
from . import lambda_task
from .lambda_local import LocalLambdas

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class Integrations:
    """Routes invocations: Lambda (function ARN or name, ``lambda:invoke``) to local handlers.

    ``lambdas_dir`` holds ``NAME.py`` (or ``NAME/handler.py``) handlers; ``handlers`` maps
    function names to callables ``handler(event, context)`` and takes precedence.
    """

    def __init__(self, lambdas_dir: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None, *,
                 region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT):
        self.lambdas = LocalLambdas(lambdas_dir, handlers)
        self.region = region
        self.account = account

    def __call__(self, invocation: Any) -> Any:
        resource = invocation.resource
        if resource.kind == "lambda":
            return lambda_task.invoke_function(self.lambdas, invocation, self.region, self.account)
        if resource.is_lambda_invoke:
            return lambda_task.invoke_service(self.lambdas, invocation, self.region, self.account)
        raise StatesError("States.Runtime",
                          f"asl-runner cannot run the resource '{resource.arn}' yet: local "
                          "handlers serve Lambda functions and arn:aws:states:::lambda:invoke")
