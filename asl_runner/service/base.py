"""What every group of operations shares: the host and store, ARNs and lookups, and the
``@operation`` decorator that checks a whole request before the operation runs."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .arns import Arn, parse_arn
from .errors import does_not_exist, store_outage
from .host import ExecutionHost
from .pagination import PageTokens
from .requests import check_request

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"

Method = TypeVar("Method", bound=Callable[..., dict])


def operation(name: str) -> Callable[[Method], Method]:
    """Mark a method as the API operation ``name`` (as in X-Amz-Target).

    The request is checked against the operation's shape first (SerializationException,
    ValidationException), so the method sees only well-typed values within the model's limits
    and has changed nothing when it rejects one. A store that cannot be written is
    ServiceUnavailable (503, which the SDKs retry), not a 500.
    """
    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        def run(self: Operations, body: Any, **options: Any) -> dict:
            request = check_request(name, body)
            try:
                return method(self, request, **options)
            except sqlite3.Error as exc:
                outage = store_outage(exc)
                if outage is None:
                    raise
                raise outage from exc

        run.operation = name  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


class Operations:
    def __init__(self, host: ExecutionHost, *, region: str = DEFAULT_REGION,
                 account: str = DEFAULT_ACCOUNT):
        self.host = host
        self.store = host.store
        self.region = region
        self.account = account
        self.pages = PageTokens()
        self._sm_lock = threading.Lock()

    def _arn(self, kind: str, *parts: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:{kind}:" + ":".join(parts)

    def now(self) -> float:
        return self.host.clock.now()

    def _machine(self, text: str) -> tuple[Arn, dict]:
        """(the ARN, the machine's row) for a state machine, version or alias ARN."""
        arn = parse_arn(text, "stateMachine")
        row = self.store.get_state_machine(arn.base)
        if row is None:
            raise does_not_exist("StateMachine", text)
        return arn, row

    def _execution(self, text: str) -> dict:
        parse_arn(text, "execution", "express")
        row = self.store.get_execution(text)
        if row is None:
            raise does_not_exist("Execution", text)
        return row

    def _activity(self, text: str) -> dict:
        parse_arn(text, "activity")
        row = self.store.get_activity(text)
        if row is None:
            raise does_not_exist("Activity", text)
        return row
