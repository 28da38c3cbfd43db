"""The invoker a runner calls for each Task, and the table of integrations behind it.

A resource is served by the first :class:`~.protocol.Integration` of its module that says it
serves it. Modules are imported when a resource first needs them, so a machine that only
calls local Lambda handlers never loads the AWS SDK integration (nor boto3).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import StatesError
from .lambda_local import LocalLambdas
from .protocol import Integration

if TYPE_CHECKING:
    from .run_api import RunApi

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

#: which module serves a resource: keyed by the service as the resource names it (the part
#: before ":" of ``aws-sdk:s3``), "lambda" also for function ARNs
_MODULES = {
    "lambda": "lambda_task",
    "aws-sdk": "aws_sdk",
    "states": "states",
    "sqs": "sqs",
    "sns": "sns",
    "dynamodb": "dynamodb",
    "events": "events",
    "s3": "s3_items",  # a Distributed Map's ItemReader
}
_loaded: dict[str, tuple[Integration, ...]] = {}


def _integrations_of(key: str) -> tuple[Integration, ...]:
    found = _loaded.get(key)
    if found is None:
        module = _MODULES.get(key)
        found = importlib.import_module(f".{module}", __package__).INTEGRATIONS if module else ()
        _loaded[key] = found
    return found


def find(resource: Any) -> Integration | None:
    """The integration that serves ``resource`` (None: none does, asl-runner cannot run it)."""
    key = "lambda" if resource.kind == "lambda" else (resource.service or "").split(":")[0]
    for integration in _integrations_of(key):
        if integration.serves(resource):
            return integration
    return None


class Integrations:
    """Performs invocations: finds the integration for the resource and calls it with this
    object as its :class:`~.protocol.Environment`.

    ``lambdas_dir`` holds ``NAME.py`` (or ``NAME/handler.py``) handlers; ``handlers`` maps
    function names to callables ``handler(event, context)`` and takes precedence, then
    ``functions``, a template's (asl_runner.templates' LoadedDefinition.handlers). ``aws`` is
    where AWS calls go (``moto``, ``endpoint``, ``real``; default: ``endpoint`` when
    ``aws_endpoint`` or ``$AWS_ENDPOINT_URL`` is set, else ``moto``).
    """

    def __init__(self, lambdas_dir: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None, *,
                 region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
                 aws: str | None = None, aws_endpoint: str | None = None,
                 machines: Mapping[str, Any] | None = None, clock: Any = None,
                 functions: Mapping[str, Any] | None = None):
        self.lambdas = LocalLambdas(lambdas_dir, handlers, functions)
        #: under ``run``: the machines states:startExecution may start, by name, and the
        #: clock their executions share with the one that starts them
        self.machines = dict(machines or {})
        self.clock = clock
        #: the executions states:startExecution started here (``run``), oldest first
        self.children: list = []
        self.region = region
        self.account = account
        self._aws_settings = (aws, aws_endpoint)
        self._aws = None
        if aws is not None or aws_endpoint:
            _ = self.aws  # a bad setting is an error now, not at the first call
        #: Step Functions' API for aws-sdk:sfn tasks: ``(operation, body) -> response``
        self.states_api: Callable[[str, dict], dict] | None = None
        #: under ``run``: the executions it runs, which task-token answers reach
        self.runs: RunApi | None = None

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
        integration = find(resource)
        if integration is None:
            raise cannot_run(invocation)
        return integration.perform(invocation, self)


#: the error of a task asl-runner cannot perform: a task failure (Retry and Catch see it, as
#: they would see the service's own failures), not States.Runtime, which nothing can catch
CANNOT_RUN = "States.TaskFailed"


def cannot_run(invocation: Any) -> StatesError:
    """A task whose service asl-runner cannot call offline: say which, and how to mock it."""
    state = invocation.state_name
    return StatesError(
        CANNOT_RUN,
        f"asl-runner cannot run {invocation.resource.arn} offline (state '{state}'): give the "
        f"state a mocked response (a Step Functions Local mock file: --mock-config FILE "
        f"--test-case NAME; from Python: mocks={{'{state}': ...}})",
        hint=f"'{state}' calls a service asl-runner does not run; see the README on mocks")
