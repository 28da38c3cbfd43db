"""Token answers: the test plays the worker of ``.waitForTaskToken`` tasks.

:class:`TokenAnswers` is the outermost invoker of a run. A call of a state the test answers
goes to the test's ``answer(task)`` instead of the integration; the task's token is answered
through the run's Step Functions API (``integrations.runs``: SendTaskSuccess and co., checked
as the service checks them), so the history is AWS's: TaskSubmitted with the call's
response, then TaskSucceeded or TaskFailed with the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..jsonvalue import dumps, loads


class TokenTask:
    """One call of a ``.waitForTaskToken`` task, as its worker receives it."""

    __slots__ = ("token", "payload", "state_name", "number", "_api")

    def __init__(self, invocation: Any, api: Callable[[str, dict], dict]) -> None:
        self.token: str = invocation.token
        #: the task's effective parameters (a copy): what the worker was sent
        self.payload: Any = loads(dumps(invocation.payload))
        self.state_name: str = invocation.state_name
        #: zero-based, per state across the execution (retries included)
        self.number: int = invocation.number
        self._api = api

    def succeed(self, output: Any = None) -> None:
        """SendTaskSuccess: the task's result is ``output`` (JSON)."""
        self._api("SendTaskSuccess", {"taskToken": self.token,
                                      "output": dumps({} if output is None else output)})

    def fail(self, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure with ``error`` and ``cause``."""
        body = {"taskToken": self.token}
        if error is not None:
            body["error"] = error
        if cause is not None:
            body["cause"] = cause
        self._api("SendTaskFailure", body)

    def heartbeat(self) -> None:
        """SendTaskHeartbeat."""
        self._api("SendTaskHeartbeat", {"taskToken": self.token})

    def __repr__(self) -> str:
        return f"<TokenTask {self.state_name}#{self.number}>"


class TokenAnswers:
    """An invoker that hands the calls of answered states to the test and the rest to
    ``inner``; :meth:`around` binds it to a run's invoker and API."""

    def __init__(self, answers: Mapping[str, Callable[[TokenTask], Any]]) -> None:
        self.answers = dict(answers)
        self.inner: Callable[[Any], Any] | None = None
        self.api: Callable[[str, dict], dict] | None = None

    def around(self, inner: Callable[[Any], Any], api: Callable[[str, dict], dict]) -> TokenAnswers:
        self.inner, self.api = inner, api
        return self

    def __call__(self, invocation: Any) -> Any:
        answer = self.answers.get(invocation.state_name)
        if answer is None or invocation.kind != "callback":
            return self.inner(invocation)
        response = answer(TokenTask(invocation, self.api))
        return loads(dumps(response))
