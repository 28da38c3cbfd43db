"""The JSONPath data flow: one small function per step, in AWS's order, and the flow object
that composes them for one state.

    InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath

Absent and ``null`` differ: an absent InputPath/OutputPath passes everything, ``null`` passes
``{}``; an absent ResultPath puts the result in place of the input, ``null`` discards it.
ResultPath works on the state's *raw* input, not on what InputPath selected.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataFlowError
from ..jsonvalue import dumps
from ..model.states import NULL
from ..paths import Env, PathAssignError, PathNotFound, put
from ..payload import compile_template


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


class JsonPathFlow:
    """A JSONPath state's flow: its paths and templates, as compiled at load."""

    __slots__ = ("input_path", "parameters", "result_selector", "result_path", "output_path",
                 "assign", "item_selector", "items_path", "map_run_parameters")

    def __init__(self, *, input_path: Any = None, parameters: Any = None,
                 result_selector: Any = None, result_path: Any = None, output_path: Any = None,
                 assign: Any = None, item_selector: Any = None, items_path: Any = None,
                 map_run: dict | None = None):
        self.item_selector = item_selector
        self.items_path = items_path
        #: the ItemReader's and ResultWriter's Parameters, compiled
        self.map_run_parameters = {
            which: compile_template(node["Parameters"])
            for which, node in (map_run or {}).items()
            if isinstance(node, dict) and node.get("Parameters") is not None}
        self.input_path = input_path
        self.parameters = parameters
        self.result_selector = result_selector
        self.result_path = result_path
        self.output_path = output_path
        self.assign = assign

    # (each stage checks env.inspection itself: a call per stage costs the hot loop ~2%)
    def input(self, raw: Any, env: Any) -> Any:
        effective = raw if self.input_path is None else select_input(self.input_path, raw, env)
        if env.inspection is not None:
            env.inspection["afterInputPath"] = effective
        return effective

    def has_arguments(self) -> bool:
        return self.parameters is not None

    def arguments(self, effective: Any, env: Any) -> Any:
        value = effective if self.parameters is None else self.parameters.evaluate(effective, env)
        if env.inspection is not None:
            env.inspection["afterParameters"] = value
        return value

    def result(self, result: Any, env: Any) -> Any:
        selector = self.result_selector
        selected = result if selector is None else selector.evaluate(result, env)
        if env.inspection is not None:
            env.inspection.update(result=result, afterResultSelector=selected)
        return selected

    def output(self, raw: Any, result: Any, env: Any) -> Any:
        merged = result if self.result_path is None else merge_result(self.result_path, raw, result)
        if env.inspection is not None:
            env.inspection["afterResultPath"] = merged
        return merged if self.output_path is None else select_output(self.output_path, merged, env)

    def items(self, effective: Any, env: Any) -> list:
        items = select_input(self.items_path, effective, env)
        if not isinstance(items, list):
            where = "$" if self.items_path is None else self.items_path.text
            shown = items if isinstance(items, str) else dumps(items)
            raise DataFlowError(f"Invalid path '{where}' : the Map state's items must be an "
                                f"array, but found {shown}")
        return items

    def has_item_selector(self) -> bool:
        return self.item_selector is not None

    def item_input(self, effective: Any, env: Any) -> Any:
        return self.item_selector.evaluate(effective, env)

    def map_run_request(self, which: str, effective: Any, env: Any) -> Any:
        parameters = self.map_run_parameters.get(which)
        return {} if parameters is None else parameters.evaluate(effective, env)

    def value(self, name: str, written: Any, effective: Any, env: Any) -> Any:
        return written  # JSONPath fields are values as written (their *Path forms are apart)

    def batch_input(self, written: Any, effective: Any, env: Any) -> Any:
        """ItemBatcher's BatchInput: a template like Parameters, over the Map's input."""
        return compile_template(written).evaluate(effective, env)

    def passthrough(self, effective: Any, env: Any, rule: Any = None) -> Any:
        return effective if self.output_path is None else select_output(self.output_path, effective, env)

    def assignments(self, value: Any, env: Any, rule: Any = None) -> dict | None:
        assigned = None if self.assign is None else self.assign.evaluate(value, env)
        if rule is not None and rule.assign is not None:
            # a matched Choice rule's own Assign adds to the state's (and, being more
            # specific, wins on a name both set)
            assigned = {**(assigned or {}), **evaluate_assign(rule.assign, value, env)}
        return assigned

    def caught(self, catcher: Any, raw: Any, error_output: dict, env: Any) -> tuple[Any, dict | None]:
        assigned = evaluate_assign(catcher.assign, error_output, env)
        return merge_result(catcher.result_path, raw, error_output), assigned
