"""The invoker a runner calls for each Task: picks the integration for the resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import StatesError
from . import lambda_task
from .lambda_local import LocalLambdas

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
AWS_SDK = "aws-sdk:"


class Integrations:
    """Routes invocations: Lambda (function ARN or name, ``lambda:invoke``) to local handlers,
    ``aws-sdk:SERVICE:ACTION`` to AWS (see :class:`~asl_runner.integrations.aws.AwsTarget`).

    ``lambdas_dir`` holds ``NAME.py`` (or ``NAME/handler.py``) handlers; ``handlers`` maps
    function names to callables ``handler(event, context)`` and takes precedence. ``aws`` is
    where AWS calls go (``moto``, ``endpoint``, ``real``; default: ``endpoint`` when
    ``aws_endpoint`` or ``$AWS_ENDPOINT_URL`` is set, else ``moto``).
    """

    def __init__(self, lambdas_dir: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None, *,
                 region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
                 aws: str | None = None, aws_endpoint: str | None = None):
        self.lambdas = LocalLambdas(lambdas_dir, handlers)
        self.region = region
        self.account = account
        self._aws_settings = (aws, aws_endpoint)
        self._aws = None
        if aws is not None or aws_endpoint:
            _ = self.aws  # a bad setting is an error now, not at the first call
        #: Step Functions' API for aws-sdk:sfn tasks: ``(operation, body) -> response``
        self.states_api: Callable[[str, dict], dict] | None = None

    @property
    def aws(self) -> Any:
        """Where AWS calls go (an :class:`~asl_runner.integrations.aws.AwsTarget`), made on
        first use: a machine without AWS calls or handlers never loads that module."""
        if self._aws is None:
            from .aws import AwsTarget

            self._aws = AwsTarget(*self._aws_settings)
        return self._aws

    def use_states_api(self, service: Any) -> None:
        """Send aws-sdk:sfn calls to ``service`` (asl-runner's StepFunctions), never to AWS."""
        from ..service import OPERATIONS

        def states_api(operation: str, body: dict) -> dict:
            return getattr(service, OPERATIONS[operation])(body)

        self.states_api = states_api

    def close(self) -> None:
        if self._aws is not None:
            self._aws.close()

    def __call__(self, invocation: Any) -> Any:
        resource = invocation.resource
        if resource.kind == "lambda":
            self.aws.prepare()  # a handler that uses boto3 reaches the same account
            return lambda_task.invoke_function(self.lambdas, invocation, self.region, self.account)
        if resource.is_lambda_invoke:
            self.aws.prepare()
            return lambda_task.invoke_service(self.lambdas, invocation, self.region, self.account)
        if resource.kind == "service" and resource.service.startswith(AWS_SDK):
            from . import aws_sdk

            return aws_sdk.call(self.aws, resource.service[len(AWS_SDK):], resource.action,
                                invocation.payload, resource.region, self.states_api)
        raise StatesError("States.Runtime",
                          f"asl-runner cannot run the resource '{resource.arn}' yet: local "
                          "handlers serve Lambda functions and arn:aws:states:::lambda:invoke, "
                          "AWS calls arn:aws:states:::aws-sdk:SERVICE:ACTION")
