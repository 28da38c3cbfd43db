"""Mocked service integrations: AWS Step Functions Local's mock configuration file, unchanged,
and plain Python callables.

``config`` reads and checks the file; ``invoker`` answers mocked states in place of the
integrations. The front ends pick the mocks of a run here (:func:`for_run`: ``asl-runner run
--mock-config FILE --test-case NAME`` and ``asl_runner.run(..., mocks=...)``); the service picks
them per execution from ``StartExecution``'s ``stateMachineArn#TestCase``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Problem, StatesError
from ..jsonvalue import dumps, loads
from ..validation.report import Report, a_type, child
from .config import (
    DEFAULT_FILE,
    ENV_VAR,
    MockConfig,
    MockConfigError,
    MockedResponse,
    TestCase,
    parse_mock_config,
    parse_mocked_response,
    read_mock_config,
    resolve_path,
    unused_mocks,
)
from .invoker import MockCall, MockedIntegrations, Mocks, always

__all__ = ["DEFAULT_FILE", "ENV_VAR", "MockCall", "MockConfig", "MockConfigError",
           "MockWarning", "MockedIntegrations", "MockedResponse", "Mocks", "TestCase", "always",
           "by_test_case", "for_run", "parse_mock_config", "read_mock_config", "resolve_path", "unused_mocks"]


class MockWarning(UserWarning):
    """A mock that can never apply to the definition it runs with (a misspelt state name)."""


def for_run(mocks: Any, test_case: str | None, machine: Any,
            machine_name: str) -> tuple[Mocks, str, list[str]]:
    """The mocks of one run of the definition ``machine`` (a model.StateMachine), the name
    of the state machine it then runs as, and warnings about mocks that can never apply.

    ``mocks`` is a mock configuration (a path, a :class:`MockConfig`, or the file's structure
    as a dict) with ``test_case`` naming the test case (``TEST`` or ``MACHINE#TEST``, see
    :meth:`MockConfig.select`); the execution runs as the state machine the test case is for,
    as ``StartExecution`` of ``MACHINE#TEST`` does. Without ``test_case``, ``mocks`` maps state
    names or resource ARNs to mocks: callables ``mock(payload, call)`` or mocked responses in
    the file's format (``{"0": {"Return": ...}, "1-2": {"Throw": ...}}``).
    Raises MockConfigError for anything that cannot be used.
    """
    if test_case is not None:
        config = _config(mocks)
        case = config.select(test_case, machine_name)
        notes = [f"{config.source}: {p}" for p in unused_mocks(case.states, machine, case.pointer)]
        return Mocks.of(case), case.machine, notes
    if isinstance(mocks, (str, os.PathLike, MockConfig)) or _looks_like_a_file(mocks):
        raise MockConfigError(_source(mocks), [Problem(
            "", "a mock configuration needs the name of one of its test cases (test_case)")])
    if not isinstance(mocks, Mapping):
        raise MockConfigError("mocks", [Problem(
            "", "must be a mock configuration (a path, or a dict with 'StateMachines' and "
                "'MockedResponses') or a dict of mocks by state name or resource ARN, not "
                f"{a_type(mocks)}")])
    entries = _entries(mocks)
    notes = [f"mocks: {p}" for p in unused_mocks(entries, machine, resources=True, activities=True)]
    return Mocks(entries, "the mocks"), machine_name, notes


def by_test_case(config: MockConfig, test_case_of: Callable[[str], tuple[str, str] | None]
                 ) -> Callable[[str], Mocks | None]:
    """``mocks_for`` of a service: an execution uses the test case it was started with
    (``test_case_of(execution_arn)``: its state machine's name and the test case's, or None),
    looked up once per execution."""

    @functools.lru_cache(maxsize=4096)
    def mocks_for(execution_arn: str) -> Mocks | None:
        found = test_case_of(execution_arn)
        if found is None:
            return None
        try:
            return Mocks.of(config.test_case(*found))
        except MockConfigError as exc:  # restarted with another file
            raise StatesError("States.Runtime", f"This execution was started with the test case "
                              f"'{found[1]}', which the mock configuration does not have now: "
                              f"{exc}") from None

    return mocks_for


def _source(mocks: Any) -> str:
    if isinstance(mocks, MockConfig):
        return mocks.source
    if isinstance(mocks, (str, os.PathLike)):
        return os.fspath(mocks)
    return "mocks"


def _config(mocks: Any) -> MockConfig:
    if isinstance(mocks, MockConfig):
        return mocks
    if isinstance(mocks, (str, os.PathLike)):
        return read_mock_config(mocks)
    return parse_mock_config(_json_copy(mocks, ""), "mocks")


def _json_copy(value: Any, pointer: str) -> Any:
    """The caller's structure as the file would hold it: JSON (a copy, so that changing the
    caller's dict afterwards changes nothing), or MockConfigError."""
    try:
        return loads(dumps(value))
    except (TypeError, ValueError, RecursionError) as exc:  # a set, NaN, an object...
        raise MockConfigError("mocks", [Problem(pointer, f"is not JSON: {exc}")]) from None


def _looks_like_a_file(mocks: Any) -> bool:
    """The file's structure given without a test case (not a mapping of mocks that happens to
    name states 'StateMachines' or 'MockedResponses': their values would be callables or
    invocation ranges)."""
    return (isinstance(mocks, Mapping) and "StateMachines" in mocks
            and set(mocks) <= {"StateMachines", "MockedResponses"}
            and isinstance(mocks["StateMachines"], Mapping)
            and all(isinstance(v, Mapping) and "TestCases" in v for v in mocks["StateMachines"].values()))


def _entries(mocks: Mapping) -> dict[str, Any]:
    report = Report()
    entries: dict[str, Any] = {}
    for key, value in mocks.items():
        if not isinstance(key, str):
            report.add("", f"a mock is keyed by a state name or a resource ARN (a string), not "
                           f"{a_type(key)}: {key!r}")
        elif callable(value):
            entries[key] = value
        elif not isinstance(value, Mapping):
            report.add(child("", key), "a mock is a callable mock(payload, call) or a mocked "
                                       'response such as {"0": {"Return": ...}}, not '
                                       f"{a_type(value)}")
        else:
            response = parse_mocked_response(report, child("", key), key,
                                             _json_copy(value, child("", key)))
            if response is not None:
                entries[key] = response
    if report.problems:
        raise MockConfigError("mocks", report.problems)
    return entries
