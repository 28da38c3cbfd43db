"""Task tokens: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.

Every value is checked (``@operation`` and the output's JSON) before the token is looked up on
the engine thread: a rejected request leaves the task waiting and its token usable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.outcomes import HeartbeatReceived, Outcome, TaskFailed, TaskSucceeded
from ..engine.tasks import execution_of_token
from .base import Operations, operation
from .errors import ApiError, invalid_token
from .fields import task_output


class Callbacks(Operations):
    def _task(self, token: str) -> tuple[str, Any]:
        """(execution arn, pending task) for a token, or AWS's error for a bad one (engine thread)."""
        arn = execution_of_token(token)
        if arn is None:
            raise invalid_token()  # AWS's words for a token it never issued
        if self.store.get_execution(arn) is None:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist")
        ex = self.host.live(arn)
        pending = ex.tasks.pending(token) if ex is not None else None
        if pending is None:
            # a token this execution issued, whose task is over (or whose execution ended)
            raise ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        return arn, pending

    def _deliver(self, token: str, outcome: Callable[[], Outcome]) -> dict:
        """Look the token up and deliver ``outcome()`` to its execution, on the engine thread."""
        def send() -> dict:
            arn, _ = self._task(token)
            self.host.deliver(arn, outcome())
            return {}

        return self.host.call(send)

    @operation("SendTaskSuccess")
    def send_task_success(self, body: dict) -> dict:
        token = body["taskToken"]
        value = task_output(body["output"])
        return self._deliver(token, lambda: TaskSucceeded(token, value))

    @operation("SendTaskFailure")
    def send_task_failure(self, body: dict) -> dict:
        token = body["taskToken"]
        return self._deliver(token, lambda: TaskFailed(token, body.get("error"), body.get("cause")))

    @operation("SendTaskHeartbeat")
    def send_task_heartbeat(self, body: dict) -> dict:
        token = body["taskToken"]
        return self._deliver(token, lambda: HeartbeatReceived(token, self.now()))
