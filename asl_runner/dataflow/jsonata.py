"""The JSONata data flow: ``Arguments``, ``Output`` and ``Assign`` over ``$states``.

A field's value is a template: any string in it that is ``{% ... %}`` is a JSONata expression,
compiled at load; everything else is kept as written. Expressions see ``$states.input`` (the
state's input), ``$states.context`` (the context object), ``$states.result`` where the state
has a result (Task, Map, Parallel: in Output and Assign), ``$states.errorOutput`` in a Catch,
and the variables in scope, all as of the state's entry: assignments apply as the state ends.

An expression that fails, or yields nothing where a value is required, is
:class:`~asl_runner.errors.QueryEvaluationFailure`: the engine writes AWS's EvaluationFailed event and fails the
state with ``States.QueryEvaluationError`` (catchable), naming the field as AWS does
(``Output/a/b[0]``).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from ..errors import AslRunnerError, QueryEvaluationFailure
from ..jsonvalue import dumps, type_label
from ..model.states import NULL

OPEN, CLOSE = "{%", "%}"
#: the states whose Output and Assign see ``$states.result``
_WITH_RESULT = frozenset({"Task", "Map", "Parallel"})


def is_expression(value: Any) -> bool:
    return (isinstance(value, str) and value.startswith(OPEN) and value.endswith(CLOSE)
            and len(value) >= 4)


def expression_text(value: str) -> str:
    """The expression inside ``{% ... %}``, as AWS quotes it in its messages."""
    return value[len(OPEN):-len(CLOSE)].strip()


#: ``$states`` followed by a member other than these may read the context object
_STATES_MEMBER = re.compile(r"\$states(?!\s*\.\s*(?:input|result|errorOutput)\b)")


class Expression:
    """One ``{% ... %}`` string of a definition, compiled, with where it stands."""

    __slots__ = ("text", "location", "compiled", "variables", "reads_context")

    def __init__(self, source: str, location: str):
        from .. import jsonata

        self.text = expression_text(source)
        self.location = location
        self.compiled = jsonata.compile(self.text)
        #: the variables it reads (``$states`` is bound by the flow, not a variable)
        self.variables = tuple(sorted(self.compiled.references() - {"states"}))
        #: whether it may read ``$states.context``: building the context object costs more
        #: than most expressions do, so only those that may read it get it
        self.reads_context = bool(_STATES_MEMBER.search(self.text))

    def value(self, states: dict, env: Any) -> Any:
        """The expression's value, or QueryEvaluationFailure when it fails or yields nothing."""
        from .. import jsonata

        if self.reads_context:
            states = {**states, "context": env.context}
        bindings: dict[str, Any] = {"states": states}
        for name in self.variables:
            # one not assigned stays unbound: the expression sees it as undefined, as on AWS
            with contextlib.suppress(AslRunnerError, KeyError):
                bindings[name] = env.variable(name)
        try:
            # the execution's seeded random source: a replay draws the same $random/$uuid
            # ... and its clock as of the state's last event: $now() is the virtual time on
            # the virtual clock, and a replay tells the same time
            result = self.compiled.evaluate(jsonata.UNDEFINED, bindings, rng=env.random,
                                            now=env.now)
        except jsonata.JsonataError as exc:
            raise QueryEvaluationFailure(self.location, f"The JSONata expression '{self.text}' "
                                         f"specified for the field '{self.location}' threw an "
                                         f"error during evaluation. {exc.message}") from None
        if result is jsonata.UNDEFINED:
            raise QueryEvaluationFailure(self.location, f"The JSONata expression '{self.text}' "
                                         f"specified for the field '{self.location}' returned "
                                         "nothing (undefined).")
        return result

    def typed(self, states: dict, env: Any, expected: str) -> Any:
        """The value, which must be of JSON type ``expected`` ('array', 'number', ...)."""
        value = self.value(states, env)
        if type_label(value) != expected:
            raise QueryEvaluationFailure(
                self.location, f"The JSONata expression '{self.text}' specified for the field "
                f"'{self.location}' returned an unexpected result type. Expected '{expected}', "
                f"but was '{type_label(value)}' for value: {dumps(value)}")
        return value


class Template:
    """A field's value with its expressions compiled: ``evaluate`` builds the value."""

    __slots__ = ("_build",)

    def __init__(self, value: Any, location: str):
        self._build = _compile(value, location)

    def evaluate(self, states: dict, env: Any) -> Any:
        return self._build(states, env)


def _compile(value: Any, location: str) -> Any:
    if is_expression(value):
        expression = Expression(value, location)
        return expression.value
    if isinstance(value, dict):
        parts = [(key, _compile(item, f"{location}/{key}")) for key, item in value.items()]
        return lambda states, env: {key: build(states, env) for key, build in parts}
    if isinstance(value, list):
        items = [_compile(item, f"{location}[{i}]") for i, item in enumerate(value)]
        return lambda states, env: [build(states, env) for build in items]
    return lambda states, env: value  # JSON as written: nothing downstream changes it


def template(value: Any, location: str) -> Template | None:
    """``value`` compiled (None: the field is absent; the model's NULL: it is ``null``)."""
    if value is None:
        return None
    return Template(None if value is NULL else value, location)


#: the single-valued fields that may be one expression, by the model's name: AWS's name
#: (as its messages say it) and the JSON type the value must have
SCALAR_FIELDS = {
    "seconds": ("Seconds", "number"), "timestamp": ("Timestamp", "string"),
    "timeout_seconds": ("TimeoutSeconds", "number"),
    "heartbeat_seconds": ("HeartbeatSeconds", "number"),
    "max_concurrency": ("MaxConcurrency", "number"),
    "tolerated_failure_count": ("ToleratedFailureCount", "number"),
    "tolerated_failure_percentage": ("ToleratedFailurePercentage", "number"),
    "error": ("Error", "string"), "cause": ("Cause", "string"), "items": ("Items", "array"),
}


class JsonataFlow:
    """A JSONata state's flow: its Arguments, Output and Assign templates, its Catchers' and
    Choice rules' own, and the single-valued fields written as an expression."""

    __slots__ = ("arguments_", "output_", "assign_", "item_selector_", "with_result",
                 "_catchers", "_rules", "_fields", "_items", "_map_run")

    def __init__(self, *, state_type: str, arguments: Any = None, output: Any = None,
                 assign: Any = None, item_selector: Any = None, catchers: tuple = (),
                 rules: tuple = (), fields: dict | None = None):
        self.item_selector_ = template(item_selector, "ItemSelector")
        self.arguments_ = template(arguments, "Arguments")
        self.output_ = template(output, "Output")
        self.assign_ = template(assign, "Assign")
        self.with_result = state_type in _WITH_RESULT
        #: each Catcher's (Output, Assign), by position in the state's Catch
        self._catchers = {id(c): (template(c.output, f"Catch[{i}]/Output"),
                                  template(c.assign, f"Catch[{i}]/Assign"))
                          for i, c in enumerate(catchers)}
        #: each Choice rule's (Output, Assign)
        self._rules = {id(r): (template(r.output, f"Choices[{i}]/Output"),
                               template(r.assign, f"Choices[{i}]/Assign"))
                       for i, r in enumerate(rules)}
        self._fields = {name: (Expression(value, SCALAR_FIELDS[name][0]), SCALAR_FIELDS[name][1])
                        for name, value in (fields or {}).items()
                        if name in SCALAR_FIELDS and is_expression(value)}
        reader = (fields or {}).get("item_reader") or {}
        writer = (fields or {}).get("result_writer") or {}
        #: the ItemReader's and ResultWriter's Arguments
        self._map_run = {which: template(node.get("Arguments"), f"{which}/Arguments")
                         for which, node in (("ItemReader", reader), ("ResultWriter", writer))}
        max_items = (reader.get("ReaderConfig") or {}).get("MaxItems")
        if is_expression(max_items):
            self._fields["max_items"] = (Expression(max_items, "ItemReader/ReaderConfig/MaxItems"),
                                         "number")
        batcher = (fields or {}).get("item_batcher") or {}
        for name, field in (("max_items_per_batch", "MaxItemsPerBatch"),
                            ("max_input_bytes_per_batch", "MaxInputBytesPerBatch")):
            if is_expression(batcher.get(field)):
                self._fields[name] = (Expression(batcher[field], f"ItemBatcher/{field}"), "number")
        items = (fields or {}).get("items")
        #: Map Items written as an array, whose members may be expressions
        self._items = Template(items, "Items") if isinstance(items, list) else None

    def items(self, effective: Any, env: Any) -> list:
        compiled = self._fields.get("items")
        if compiled is not None:  # Items: one expression, whose value must be an array
            return compiled[0].typed(self._states(env, effective), env, "array")
        if self._items is not None:  # Items: an array, whose members may be expressions
            return self._items.evaluate(self._states(env, effective), env)
        if not isinstance(effective, list):
            raise QueryEvaluationFailure(None, "Map state input must be an array but was: "
                                         f"{dumps(effective)}")
        return effective

    def has_item_selector(self) -> bool:
        return self.item_selector_ is not None

    def batch_input(self, written: Any, effective: Any, env: Any) -> Any:
        """ItemBatcher's BatchInput: JSON whose strings may be expressions."""
        return Template(written, "ItemBatcher/BatchInput").evaluate(self._states(env, effective), env)

    def item_input(self, effective: Any, env: Any) -> Any:
        return self.item_selector_.evaluate(self._states(env, effective), env)

    def map_run_request(self, which: str, effective: Any, env: Any) -> Any:
        arguments = self._map_run.get(which)
        if arguments is None:
            return {}
        return arguments.evaluate(self._states(env, effective), env)

    def value(self, name: str, written: Any, effective: Any, env: Any) -> Any:
        """A single-valued field (the model's ``name``): its expression's value, of the type
        AWS requires, or the value as written."""
        compiled = self._fields.get(name)
        if compiled is None:
            return written
        expression, expected = compiled
        return expression.typed(self._states(env, effective), env, expected)

    @staticmethod
    def _states(env: Any, raw: Any, **more: Any) -> dict:
        # the context object is added by the expressions that read it (Expression.value)
        return {"input": raw, **more}

    def _with_result(self, env: Any, raw: Any, result: Any) -> dict:
        """``$states`` of Output and Assign: the result too, for a state that has one."""
        return self._states(env, raw, result=result) if self.with_result else self._states(env, raw)

    def input(self, raw: Any, env: Any) -> Any:
        if env.inspection is not None:
            env.inspection["input"] = raw
        return raw

    def has_arguments(self) -> bool:
        return self.arguments_ is not None

    def arguments(self, effective: Any, env: Any) -> Any:
        if self.arguments_ is None:
            return effective
        value = self.arguments_.evaluate(self._states(env, effective), env)
        if env.inspection is not None:
            env.inspection["afterArguments"] = value
        return value

    def result(self, result: Any, env: Any) -> Any:
        if env.inspection is not None:
            env.inspection["result"] = result
        return result

    def output(self, raw: Any, result: Any, env: Any) -> Any:
        if self.output_ is None:
            return result
        states = self._with_result(env, raw, result)
        return self.output_.evaluate(states, env)

    def passthrough(self, effective: Any, env: Any, rule: Any = None) -> Any:
        output_t = self._rules.get(id(rule), (None, None))[0] if rule is not None else None
        output_t = output_t or self.output_
        if output_t is None:
            return effective
        return output_t.evaluate(self._states(env, effective), env)

    def assignments(self, value: Any, env: Any, rule: Any = None) -> dict | None:
        raw = env.input
        states = self._with_result(env, raw, value)
        assigned = None if self.assign_ is None else self.assign_.evaluate(states, env)
        rule_assign = self._rules.get(id(rule), (None, None))[1] if rule is not None else None
        if rule_assign is not None:
            assigned = {**(assigned or {}), **rule_assign.evaluate(states, env)}
        return assigned

    def caught(self, catcher: Any, raw: Any, error_output: dict, env: Any) -> tuple[Any, dict | None]:
        output_t, assign_t = self._catchers.get(id(catcher), (None, None))
        states = self._states(env, raw, errorOutput=error_output)
        assigned = None if assign_t is None else assign_t.evaluate(states, env)
        output = error_output if output_t is None else output_t.evaluate(states, env)
        return output, assigned
