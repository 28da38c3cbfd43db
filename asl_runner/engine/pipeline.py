"""The JSONPath input/output pipeline, one small function per step, in AWS's order:

    InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath

Absent and ``null`` differ: an absent InputPath/OutputPath passes everything, ``null`` passes
``{}``; an absent ResultPath puts the result in place of the input, ``null`` discards it.
ResultPath works on the state's *raw* input, not on what InputPath selected.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataFlowError
from ..model.states import NULL
from ..paths import Env, PathAssignError, PathNotFound, put


def select_input(path: Any, raw: Any, env: Env) -> Any:
    """InputPath (also used for OutputPath: same rules)."""
    if path is None:
        return raw
    if path is NULL:
        return {}
    if not path.steps and path.root == "input":
        return raw
    try:
        return path.select(raw, env)
    except PathNotFound as exc:
        raise DataFlowError(f"Invalid path '{path.text}' : {exc}") from None


select_output = select_input


def merge_result(path: Any, raw: Any, result: Any) -> Any:
    """ResultPath: where the result goes in the raw input."""
    if path is None:
        return result
    if path is NULL:
        return raw
    if not path.steps:
        return result
    try:
        return put(raw, path, result)
    except PathAssignError as exc:
        raise DataFlowError(f"Invalid path '{path.text}' : {exc}") from None


def evaluate_template(template: Any, doc: Any, env: Env) -> Any:
    """Parameters / ResultSelector / ItemSelector (None: pass ``doc`` through)."""
    if template is None:
        return doc
    return template.evaluate(doc, env)


def evaluate_assign(template: Any, doc: Any, env: Env) -> dict | None:
    """Assign in JSONPath mode: the variables to set after the state (evaluated all at once,
    so every reference sees the values from before the state)."""
    if template is None:
        return None
    return template.evaluate(doc, env)
