"""Choice rules compiled into small comparator objects.

Each comparison operator is a row of a table (the kind of value it accepts, and how it
compares), not a branch of a long ``if`` chain. Type tests keep booleans out of numbers: in
JSON (and on AWS) ``true`` is not the number 1.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError
from ..paths import Env, Path, PathNotFound, compile_path
from ..payload import Template
from ..record import Record

if TYPE_CHECKING:
    from datetime import datetime

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (with a time zone), as AWS requires; None if it is not one."""
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP.match(value)
    if m is None:
        return None
    text = value
    frac = m.group(7)
    if frac and len(frac) > 7:  # datetime takes at most microseconds
        text = text.replace(frac, frac[:7], 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    from datetime import datetime  # here: a run without timestamps starts without it

    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _is_number(v: Any) -> bool:
    return (type(v) is int or type(v) is float)


def _string_matches(pattern: str) -> Callable[[str], bool]:
    """StringMatches: ``*`` matches any run of characters; ``\\*`` and ``\\\\`` are literal."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else re.escape(c))
        i += 1
    rx = re.compile("".join(out), re.S)
    return lambda s: rx.fullmatch(s) is not None


# operator name -> (type check of both sides, comparison)
_COMPARATORS: dict[str, tuple[Callable[[Any], bool], Callable[[Any, Any], bool]]] = {}
for _kind, _check in (("String", lambda v: type(v) is str), ("Numeric", _is_number),
                      ("Timestamp", None)):
    for _suffix, _op in (("Equals", operator.eq), ("LessThan", operator.lt),
                         ("GreaterThan", operator.gt), ("LessThanEquals", operator.le),
                         ("GreaterThanEquals", operator.ge)):
        _COMPARATORS[_kind + _suffix] = (_check, _op)
_COMPARATORS["BooleanEquals"] = (lambda v: type(v) is bool, operator.eq)

TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: type(v) is str,
    "IsBoolean": lambda v: type(v) is bool,
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}

COMPARISON_OPERATORS = tuple(_COMPARATORS) + tuple(k + "Path" for k in _COMPARATORS) + (
    "StringMatches",)
ALL_OPERATORS = COMPARISON_OPERATORS + tuple(TYPE_TESTS) + ("IsPresent",)


class Condition:
    """A compiled boolean expression over the state input."""

    __slots__ = ()

    def evaluate(self, doc: Any, env: Env) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


def _value(path: Path, doc: Any, env: Env) -> Any:
    try:
        return path.select(doc, env)
    except PathNotFound as exc:
        raise DataFlowError(f"Invalid path '{path.text}' : {exc}") from None


class _Compare(Condition):
    __slots__ = ("variable", "check", "op", "operand", "operand_path", "is_timestamp")

    def __init__(self, variable: Path, name: str, operand: Any):
        self.variable = variable
        base = name[:-4] if name.endswith("Path") else name
        self.check, self.op = _COMPARATORS[base]
        self.is_timestamp = base.startswith("Timestamp")
        if name.endswith("Path"):
            self.operand_path = compile_path(operand)
            self.operand = None
        else:
            self.operand_path = None
            self.operand = parse_timestamp(operand) if self.is_timestamp else operand

    def evaluate(self, doc: Any, env: Env) -> bool:
        value = _value(self.variable, doc, env)
        if self.operand_path is not None:
            operand = _value(self.operand_path, doc, env)
            if self.is_timestamp:
                operand = parse_timestamp(operand)
                if operand is None:
                    return False
            elif not self.check(operand):
                return False
        else:
            operand = self.operand
        if self.is_timestamp:
            value = parse_timestamp(value)
            return value is not None and operand is not None and self.op(value, operand)
        return self.check(value) and self.op(value, operand)


class _Matches(Condition):
    __slots__ = ("variable", "match")

    def __init__(self, variable: Path, pattern: str):
        self.variable = variable
        self.match = _string_matches(pattern)

    def evaluate(self, doc: Any, env: Env) -> bool:
        value = _value(self.variable, doc, env)
        return type(value) is str and self.match(value)


class _TypeTest(Condition):
    __slots__ = ("variable", "test", "expected")

    def __init__(self, variable: Path, test: Callable[[Any], bool], expected: bool):
        self.variable = variable
        self.test = test
        self.expected = expected

    def evaluate(self, doc: Any, env: Env) -> bool:
        try:
            value = self.variable.select(doc, env)
        except PathNotFound:
            return False  # a type test on a missing field is false, whatever it expected
        return self.test(value) is self.expected


class _IsPresent(Condition):
    __slots__ = ("variable", "expected")

    def __init__(self, variable: Path, expected: bool):
        self.variable = variable
        self.expected = expected

    def evaluate(self, doc: Any, env: Env) -> bool:
        try:
            found = self.variable.select(doc, env)
            present = found != [] if not self.variable.definite else True
        except PathNotFound:
            present = False
        return present is self.expected


class _And(Condition):
    __slots__ = ("rules",)

    def __init__(self, rules: tuple[Condition, ...]):
        self.rules = rules

    def evaluate(self, doc: Any, env: Env) -> bool:
        return all(r.evaluate(doc, env) for r in self.rules)


class _Or(Condition):
    __slots__ = ("rules",)

    def __init__(self, rules: tuple[Condition, ...]):
        self.rules = rules

    def evaluate(self, doc: Any, env: Env) -> bool:
        return any(r.evaluate(doc, env) for r in self.rules)


class _Not(Condition):
    __slots__ = ("rule",)

    def __init__(self, rule: Condition):
        self.rule = rule

    def evaluate(self, doc: Any, env: Env) -> bool:
        return not self.rule.evaluate(doc, env)


class _JsonataCondition(Condition):
    """A JSONata rule's ``Condition``: an expression that must yield a boolean."""

    __slots__ = ("expression",)

    def __init__(self, source: Any, location: str):
        from ..dataflow.jsonata import Expression  # the JSONata engine: only when used

        self.expression = Expression(source, location)

    def evaluate(self, doc: Any, env: Env) -> bool:
        return self.expression.typed({"input": doc}, env, "boolean")


def compile_condition(rule: dict, location: str = "Condition") -> Condition:
    """Compile one (validated) choice rule, without its Next/Assign/Comment; ``location``
    names a JSONata rule's Condition in its errors as AWS does (``Choices[1]/Condition``)."""
    if "And" in rule:
        return _And(tuple(compile_condition(r) for r in rule["And"]))
    if "Or" in rule:
        return _Or(tuple(compile_condition(r) for r in rule["Or"]))
    if "Not" in rule:
        return _Not(compile_condition(rule["Not"]))
    if "Condition" in rule:
        return _JsonataCondition(rule["Condition"], location)
    variable = compile_path(rule["Variable"])
    for name in ALL_OPERATORS:
        if name in rule:
            operand = rule[name]
            if name == "IsPresent":
                return _IsPresent(variable, operand)
            if name in TYPE_TESTS:
                return _TypeTest(variable, TYPE_TESTS[name], operand)
            if name == "StringMatches":
                return _Matches(variable, operand)
            return _Compare(variable, name, operand)
    raise ValueError(f"choice rule without an operator: {rule}")


class ChoiceRule(Record):
    condition: Condition
    next: str
    assign: Template | None = None
    output: Any = None  # JSONata mode
