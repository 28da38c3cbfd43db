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
                 clock: Any = None, max_workers: int = 32) -> StepFunctions:
    """A running service on the store at ``db`` (None: in memory); every execution the store
    left RUNNING is recovered first."""
    from ..clock import Clock, make_clock
    from ..integrations import Integrations
    from ..store import Store
    from .host import ExecutionHost

    if not isinstance(clock, Clock):
        clock = make_clock(clock)
    host = ExecutionHost(Store(db), Integrations(lambdas, handlers), clock, max_workers=max_workers)
    host.start()
    host.call(host.recover)
    service = StepFunctions(host)
    return service


def _close(self: StepFunctions) -> None:
    self.host.stop()
    self.store.close()


StepFunctions.close = _close  # type: ignore[attr-defined]
