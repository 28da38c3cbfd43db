"""Mocked Task states: answered from a mock configuration or a Python callable, never called.

:class:`MockedIntegrations` wraps the invoker a runner uses. For each invocation it asks which
mocks the invocation's execution uses (none, for most executions of a server) and answers a
mocked state itself; every other task goes to the wrapped invoker, as Step Functions Local sends
an unmocked state to the service. The engine writes the events before and after the call, so a
mocked task's history is the one the real integration would have: ``LambdaFunction*`` events
for a Lambda function ARN, ``Task*`` for the others, TaskFailed with the mocked error and cause.

What a mocked response's ``Return`` stands for, as in AWS's guide:

- the task's result: for ``arn:aws:states:::lambda:invoke`` the whole Invoke response
  (``{"StatusCode": 200, "Payload": ...}``), for an SDK or optimized integration the service's
  response;
- for a Lambda function ARN, the Invoke response too, of which the task's result is the
  ``Payload`` (a Return without one is the result itself);
- for ``.sync`` and ``.waitForTaskToken`` resources, the task's final result: there is no job or
  token to wait for. TaskSubmitted is written with it first, as a call that went through writes
  it (the engine's :class:`~asl_runner.engine.effects.Completed`).

A callable mock ``mock(payload, call)`` gets a copy of the task's effective parameters and a
:class:`MockCall`; what it returns is the task's result (JSON), and an exception it raises fails
the task: a :class:`~asl_runner.errors.StatesError` with its error and cause, any other with
the exception's class name and message, as a Lambda handler's would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.effects import Completed
from ..errors import StatesError
from ..jsonvalue import JsonInputError, dumps, loads
from .config import MockedResponse, TestCase, Throw

#: a mocked response of the file's format, or a callable ``mock(payload, call)``
Mock = MockedResponse | Callable[[Any, "MockCall"], Any]


@dataclass(frozen=True)
class MockCall:
    """What a callable mock is told about the call it answers."""

    execution_arn: str
    state_name: str
    resource: str  # the Task's Resource ARN
    number: int  # the invocation's number: zero-based, per state across the execution
    context: dict  # the context object ($$) as of the call


@dataclass(frozen=True)
class Mocks:
    """The mocks one execution uses: state name or resource ARN -> mock. A state's own mock
    wins over its resource's."""

    entries: Mapping[str, Mock]
    label: str  # what they are, for messages: "test case 'HappyPath' of 'Orders'", "the mocks"

    @classmethod
    def of(cls, case: TestCase) -> Mocks:
        return cls(case.states, f"test case '{case.name}' of '{case.machine}'")

    def find(self, invocation: Any) -> Mock | None:
        mock = self.entries.get(invocation.state_name)
        return mock if mock is not None else self.entries.get(invocation.resource.arn)


class MockedIntegrations:
    """An invoker that answers mocked states and hands the others to ``fallback``.

    ``mocks_for(execution_arn)`` says which mocks an execution uses (None: none); it is asked
    from worker threads, so it must be thread-safe and quick.
    """

    def __init__(self, fallback: Callable[[Any], Any], mocks_for: Callable[[str], Mocks | None]):
        self.fallback = fallback
        self.mocks_for = mocks_for

    def answers(self, invocation: Any) -> bool:
        """Whether a mock answers ``invocation`` (an activity task's, say, for its worker)."""
        mocks = self.mocks_for(invocation.execution_arn)
        return mocks is not None and mocks.find(invocation) is not None

    def __call__(self, invocation: Any) -> Any:
        mocks = self.mocks_for(invocation.execution_arn)
        mock = mocks.find(invocation) if mocks is not None else None
        if mock is None:
            return self.fallback(invocation)
        if isinstance(mock, MockedResponse):
            result = _answer(mock, invocation, mocks.label)
        else:
            result = _call(mock, invocation)
        if invocation.resource.pattern is not None:  # .sync, .sync:2, .waitForTaskToken
            return Completed(result, result)
        return result


def always(mocks: Mocks) -> Callable[[str], Mocks]:
    """``mocks_for`` of a runner whose every execution uses the same mocks."""
    return lambda execution_arn: mocks


def _answer(response: MockedResponse, invocation: Any, label: str) -> Any:
    outcome = response.answer(invocation.number)
    if outcome is None:
        # AWS's guide: "If you do not specify a mocked response [for an invocation], the state
        # machine execution will fail". States.Runtime is the error neither Retry nor Catch
        # (States.ALL) acts on, so the execution fails, as the guide says.
        raise StatesError(
            "States.Runtime",
            f"The mocked response '{response.name}' ({label}) answers invocations 0-"
            f"{response.invocations - 1} of the state '{invocation.state_name}'; this is "
            f"invocation {invocation.number}, which it does not answer.",
            hint=f"the mocked response '{response.name}' needs an answer for invocation "
                 f"{invocation.number} of '{invocation.state_name}' (retries count as invocations)")
    if isinstance(outcome, Throw):
        raise StatesError(outcome.error, outcome.cause)
    result = outcome.value
    if invocation.resource.kind == "lambda" and isinstance(result, dict) and "Payload" in result:
        return result["Payload"]  # a function ARN's result is the function's, not Invoke's
    return result


def _call(mock: Callable[[Any, MockCall], Any], invocation: Any) -> Any:
    name = invocation.state_name
    call = MockCall(invocation.execution_arn, name, invocation.resource.arn,
                    invocation.number, loads(dumps(invocation.context)))
    try:
        result = mock(loads(dumps(invocation.payload)), call)
    except StatesError:
        raise
    except Exception as exc:  # as a Lambda handler's exception: its class name and message
        raise StatesError(type(exc).__name__, str(exc)) from None
    try:
        # a copy: the engine's values must not change under it when the caller's do
        return loads(dumps(result))
    except (TypeError, ValueError, JsonInputError, RecursionError) as exc:
        raise StatesError("States.Runtime", f"The mock of the state '{name}' returned a value "
                          f"that is not JSON: {exc}",
                          hint=f"the mock of '{name}' must return JSON: dicts, lists, strings, "
                               "numbers (no NaN or Infinity), booleans and None") from None
