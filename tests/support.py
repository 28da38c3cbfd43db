"""Helpers shared by the engine tests: build definitions, run them in-process on a virtual clock.

Tasks are performed by a :class:`Tasks` invoker given to the Runner directly (no lambdas
directory, no integrations), so a test says exactly what each call returns or raises.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.errors import StatesError
from asl_runner.model import parse_definition

#: 2024-01-01T00:00:00Z, the start of every virtual clock here (so timestamps are predictable)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def machine(states: dict, start: str | None = None, **top: Any) -> dict:
    """A definition; StartAt defaults to the first state."""
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def one(state: dict, **top: Any) -> dict:
    """A definition of a single state (made terminal unless it says otherwise)."""
    body = dict(state)
    if body["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in body:
        body.setdefault("End", True)
    return machine({"S": body}, **top)


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


class Tasks:
    """An invoker: function name -> ``fn(payload)``; records every call's payload.

    ``fn`` returns the result or raises :class:`StatesError` (error, cause). A list of
    outcomes is consumed one call at a time; an outcome that is an exception is raised.
    """

    def __init__(self, **functions: Callable[[Any], Any] | list):
        self.functions = functions
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, invocation: Any) -> Any:
        resource = invocation.resource
        name = resource.function_name or resource.arn
        if resource.is_lambda_invoke:  # arn:aws:states:::lambda:invoke names it in Parameters
            name = str(invocation.payload.get("FunctionName", "")).split(":")[-1]
        self.calls.append((name, invocation.payload))
        fn = self.functions[name]
        if isinstance(fn, list):
            outcome = fn.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        return fn(invocation.payload)


def fails(error: str, cause: str | None = None) -> StatesError:
    return StatesError(error, cause)


def no_tasks(invocation: Any) -> Any:
    raise AssertionError(f"unexpected task {invocation.resource.arn}")


def start(definition: dict, input: Any = None, *, seed: int | None = 0,
          clock: VirtualClock | None = None, **kw: Any) -> Execution:
    """An Execution (not started) on a virtual clock that begins at :data:`EPOCH`."""
    return Execution(parse_definition(definition), {} if input is None else input,
                     clock=clock or VirtualClock(start=EPOCH), seed=seed, **kw)


def run(definition: dict, input: Any = None, *, tasks: Callable[[Any], Any] = no_tasks,
        **kw: Any) -> Execution:
    """Run a definition to its end in-process and return the Execution."""
    execution = start(definition, input, **kw)
    with Runner(tasks, max_workers=4) as runner:
        runner.run(execution)
    return execution


def types(execution: Execution) -> list[str]:
    return [e.type for e in execution.history]


def links(execution: Execution) -> list[tuple[int, int, str]]:
    """(id, previousEventId, type) of every event."""
    return [(e.id, e.previous_id, e.type) for e in execution.history]


def first(execution: Execution, event_type: str, **details: Any) -> Any:
    """The first event of a type whose details contain ``details``."""
    for e in execution.history:
        if e.type == event_type and all((e.details or {}).get(k) == v for k, v in details.items()):
            return e
    raise AssertionError(f"no {event_type} {details} in {types(execution)}")


def every(execution: Execution, event_type: str) -> list:
    return [e for e in execution.history if e.type == event_type]


def result(execution: Execution) -> dict:
    """status/output/error/cause, with the output parsed back from JSON text."""
    described = execution.describe()
    out = {"status": described["status"]}
    if "output" in described:
        out["output"] = json.loads(described["output"])
    for key in ("error", "cause"):
        if key in described:
            out[key] = described[key]
    return out


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0) -> None:
    """Poll ``predicate`` until it holds (for tests of threads and servers)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def crash(service: Any) -> None:
    """Stop a service's engine thread mid-flight, as kill -9 would: nothing is flushed, nothing
    is finished, the store's lock goes (as the OS releases a dead process's lock), and so does
    its in-process AWS account (moto lives in the process): a later service in this test
    process must not find it still open and share its buckets and tables."""
    host = service.host
    host._stopping = True
    host._commands.put(None)
    host._thread.join(timeout=5)
    service.store.unlock()
    service.integrations.close()
