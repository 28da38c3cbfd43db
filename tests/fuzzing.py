"""What the fuzz tests share: Hypothesis profiles, the time budget, and the checks that
several properties make (tests/test_fuzz_*.py; the strategies are in tests/fuzz_strategies.py).

The properties, whatever comes in (mostly valid, with garbage mixed in):

- loading a definition raises DefinitionError or nothing; validation returns Problems whose
  pointers resolve into the definition; what validates also loads;
- an execution of anything that loads ends (on the virtual clock), in a terminal status, with a
  well-linked history of at most 25,000 events, all of it JSON that any client can read, and
  without crashing the engine;
- every API answer is AWS-shaped: 200 with an object of the operation's output members, or a
  4xx with ``{"__type": "...#Code", "message": ...}`` whose code botocore's model lists for the
  operation (or a protocol-level one); never a 500. After any requests, the service still serves;
- the CLI exits 0, 1 or 2 and never prints a traceback;
- aws-sdk task parameters become a request botocore takes, or a ParameterProblem; a failed call
  is named as Step Functions names it.

CI runs the "ci" Hypothesis profile: a fixed number of examples per test, each test within a
time budget (about 30 s for all of them). ``ASL_RUNNER_FUZZ=long`` runs fifty times as many
examples with no budget. Hypothesis keeps failing examples in ``.hypothesis/`` (git-ignored)
and replays them first; a CI failure prints a ``@reproduce_failure`` line.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from asl_runner.engine.execution import MAX_EVENTS
from asl_runner.errors import DefinitionError, Problem
from asl_runner.jsonvalue import PAYLOAD_LIMIT, loads
from asl_runner.model import StateMachine, parse_definition

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
# max_examples is the weight of a test of weight 100 (see examples()); print_blob: a failure in CI
# prints the @reproduce_failure line that replays it
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True, suppress_health_check=_HEALTH)
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True,
                          suppress_health_check=_HEALTH)
PROFILE = os.environ.get("ASL_RUNNER_FUZZ", "ci")
if PROFILE not in ("ci", "long"):
    raise pytest.UsageError(f"ASL_RUNNER_FUZZ={PROFILE!r}: use 'ci' (the default) or 'long'")
settings.load_profile(PROFILE)
#: seconds each test explores for in CI, whatever the machine's speed (None: no limit)
BUDGET = 4.0 if PROFILE == "ci" else None


def examples(weight: int) -> settings:
    """The profile's number of examples, scaled by ``weight`` (100: as many): tests that cost
    more per example get fewer."""
    return settings(max_examples=max(1, settings.default.max_examples * weight // 100))


def budgeted(test: Callable) -> Callable:
    """Stop running examples once ``test`` has run for BUDGET seconds: the rest are drawn (which
    costs little) but not run, so a slow machine explores less rather than taking longer
    (Hypothesis has no time limit of its own). Once an example has failed, every example runs:
    Hypothesis replays it to shrink it."""
    started: dict[str, float] = {}  # by pytest's test id (one per parameter)
    failed: set[str] = set()

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        test_id = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        if (BUDGET is not None and test_id not in failed
                and time.monotonic() - started.setdefault(test_id, time.monotonic()) > BUDGET):
            return
        try:
            test(*args, **kwargs)
        except BaseException:
            failed.add(test_id)
            raise

    return run


def resolve(document: Any, pointer: str) -> Any:
    """The value a JSON pointer (RFC 6901) names; KeyError/IndexError if it names nothing."""
    if pointer == "":
        return document
    assert pointer.startswith("/"), pointer
    value = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list):
            assert token.isdigit() and (token == "0" or not token.startswith("0")), pointer
            value = value[int(token)]
        else:
            assert isinstance(value, dict), pointer
            value = value[token]
    return value


def load(definition: Any) -> StateMachine | None:
    """The model of ``definition``, or None when it does not load; DefinitionError is the only
    exception, and never the loader's fallback for a definition the checks let through."""
    if isinstance(definition, str) and not definition.lstrip().startswith(("{", "[")):
        return None  # a file path to the loader
    try:
        return parse_definition(definition)
    except DefinitionError as exc:
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert "this is a bug" not in problem.message, problem
        return None


TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def strict_json(value: Any) -> str:
    """JSON text that any client reads: no NaN or Infinity, encodable as UTF-8."""
    text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    return text


#: how an execution that crashed the engine ends (Execution.crash): a bug, even if contained
CRASHED = "asl-runner failed while running this execution"


def check_ended(execution: Any) -> None:
    assert execution.status in TERMINAL, execution.status
    assert not (execution.cause or "").startswith(CRASHED), execution.cause
    # a Fail state without Error fails the execution with no error at all, as on AWS
    assert execution.error is None or isinstance(execution.error, str), execution.error
    assert execution.cause is None or isinstance(execution.cause, str), execution.cause
    history = execution.history
    assert 0 < len(history) <= MAX_EVENTS
    for number, entry in enumerate(history, 1):
        assert entry.id == number, (entry, number)
        assert 0 <= entry.previous_id < entry.id, entry
    strict_json(execution.describe())
    for entry in history:
        strict_json(entry.to_aws())
        strict_json(entry.to_aws("epoch"))


def acceptable(value: Any) -> bool:
    """Whether StartExecution would take ``value`` as its input (sent as compact JSON)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        loads(text.encode("utf-8"))
    except (TypeError, ValueError, RecursionError):  # JsonInputError, UnicodeEncodeError too
        return False
    return len(text.encode("utf-8")) <= PAYLOAD_LIMIT
