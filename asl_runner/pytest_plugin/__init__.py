"""asl-runner's pytest plugin (the ``pytest11`` entry point ``asl_runner``).

Importing it costs nothing: pytest loads it in every project where asl-runner is installed,
so the engine is imported only when a test asks for the ``sfn`` fixture. The fixture is the
one way in: ``sfn.load(definition)`` gives a :class:`~.machine.Machine` to stub, answer and
run; a run is inspected through :class:`~.result.Run`.
"""

from __future__ import annotations

from typing import Any

import pytest

#: the plugin's other parts, each with its own options and hooks (import-light, like this one)
pytest_plugins = ["asl_runner.pytest_plugin.snapshots", "asl_runner.pytest_plugin.mockfiles"]


@pytest.fixture(scope="session")
def _asl_runner_definitions() -> dict:
    """Parsed definitions by path, shared by the session's tests (the model is immutable)."""
    return {}


@pytest.fixture
def sfn(_asl_runner_definitions: dict, pytestconfig: Any) -> Any:
    """Load state machines to test: ``sfn.load("machine.asl.json").stub(...).run(input)``."""
    from .coverage import SESSION
    from .machine import StateMachines

    return StateMachines(_asl_runner_definitions, coverage=pytestconfig.stash.get(SESSION, None))


def pytest_addoption(parser: Any) -> None:
    from .coverage import add_options

    add_options(parser)


def pytest_configure(config: Any) -> None:
    from .coverage import configure

    configure(config)


def pytest_assertrepr_compare(config: Any, op: str, left: Any, right: Any) -> list[str] | None:
    """``assert run.path == [...]`` explains where the run left the expected path."""
    if op != "==":
        return None
    from sys import modules

    result = modules.get(__name__ + ".result")
    if result is None:  # no run was made: nothing of ours is being compared
        return None
    if isinstance(left, result.StatePath):
        return left.explain(right)
    if isinstance(right, result.StatePath):
        return right.explain(left)
    return None
