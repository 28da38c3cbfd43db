"""Failure messages that explain a run: the path it took, where it left the expected one,
and the failing state's input, error and cause."""

from __future__ import annotations

import json
from typing import Any

#: how much of a payload a message shows
_SHOWN = 300


def explain_path(run: Any, actual: list[str], expected: list[str]) -> list[str]:
    """Lines for ``assert run.path == expected`` (pytest shows the first as the summary)."""
    common = 0
    while common < min(len(actual), len(expected)) and actual[common] == expected[common]:
        common += 1
    lines = [f"the run took {_arrow(actual)}, not {_arrow(expected)}"]
    if common == len(actual):
        lines.append(f"it stopped after {len(actual)} state(s): the expected path goes on to "
                     f"{_arrow(expected[common:])}")
    elif common == len(expected):
        lines.append(f"it went on past the expected end to {_arrow(actual[common:])}")
    else:
        after = f"after {actual[common - 1]!r}" if common else "at the start"
        lines.append(f"it left the expected path {after}: entered {actual[common]!r} where "
                     f"{expected[common]!r} was expected")
    return lines + _outcome(run)


def explain_run(run: Any, expectation: str) -> str:
    lines = [f"{expectation}, but it {_ended(run)}", f"path: {_arrow(list(run.path))}"]
    return "\n".join(lines + _outcome(run)[1:])


def _ended(run: Any) -> str:
    if run.stuck:
        return "is still RUNNING: it waits for an answer nothing will give (a task token: see on_token)"
    if run.status == "SUCCEEDED":
        return f"SUCCEEDED with the output {_show(run.output)}"
    return f"{run.status} with {run.error}: {run.cause}" if run.error else run.status


def _outcome(run: Any) -> list[str]:
    lines = [f"the execution {_ended(run)}"]
    if run.status == "SUCCEEDED":
        return lines
    failing = _failing_state(run)
    if failing is not None:
        where = "".join(f" ({kind} {name!r} {'iteration' if kind == 'Map' else 'branch'} {i})"
                        for kind, name, i in failing.scope)
        lines.append(f"failing state: {failing.name!r}{where}")
        lines.append(f"  input: {_show(failing.input)}")
        if run.status == "FAILED":  # it failed in this state: the execution's error is its
            lines.append(f"  error: {run.error}")
            lines.append(f"  cause: {run.cause}")
        if failing.error is not None and failing.error != run.error:
            lines.append(f"  its last attempt failed with {failing.error}: {failing.cause}")
        if failing.attempts > 1:
            lines.append(f"  attempts: {failing.attempts}")
        caught = next((v for v in reversed(run.visits) if v.error is not None), None)
        if failing.error is None and caught is not None:
            lines.append(f"  after {caught.name!r} failed with {caught.error}: {caught.cause}")
    return lines


def _failing_state(run: Any) -> Any:
    """The state the run failed or stopped in: the last entered that did not exit."""
    for visit in reversed(run.visits):
        if not visit.exited:
            return visit
    return None


def _arrow(names: list[str]) -> str:
    return " -> ".join(names) if names else "(no state)"


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
