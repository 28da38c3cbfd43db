"""The Step Functions service: durable executions behind AWS's API operations.

    service = open_service("asl-runner.db", lambdas="lambdas")
    service.create_state_machine({...}); service.start_execution({...})
    service.close()
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .api import OPERATIONS, StepFunctions
from .errors import ApiError

__all__ = ["StepFunctions", "ApiError", "OPERATIONS", "open_service"]


def open_service(db: str | None = None, *, lambdas: str | None = None,
                 handlers: Mapping[str, Callable[..., Any]] | None = None,
                 clock: Any = None, max_workers: int = 32, mocks: Any = None,
                 aws: str | None = None, aws_endpoint: str | None = None) -> StepFunctions:
    """A running service on the store at ``db`` (None: in memory); every execution the store
    left RUNNING is recovered first. ``mocks`` (a mocks.MockConfig) serves the test cases that
    StartExecution names as ``stateMachineArn#TestCase``. ``aws`` and ``aws_endpoint`` say
    where AWS calls go (integrations.aws); aws-sdk:sfn calls come to this service."""
    from ..clock import Clock, make_clock
    from ..integrations import Integrations
    from ..store import Store
    from .host import ExecutionHost

    if not isinstance(clock, Clock):
        clock = make_clock(clock)
    store = Store(db)
    integrations = Integrations(lambdas, handlers, aws=aws, aws_endpoint=aws_endpoint)
    invoker: Any = integrations
    if mocks is not None:
        from ..mocks import MockedIntegrations, by_test_case

        invoker = MockedIntegrations(invoker, by_test_case(mocks, store.test_case_of))
    host = ExecutionHost(store, invoker, clock, max_workers=max_workers)
    host.start()
    host.call(host.recover)
    service = StepFunctions(host)
    service.mock_config = mocks
    service.integrations = integrations
    integrations.use_states_api(service)
    return service


def _close(self: StepFunctions) -> None:
    self.host.stop()
    self.store.close()
    self.integrations.close()


StepFunctions.close = _close  # type: ignore[attr-defined]
