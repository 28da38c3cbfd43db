"""Choice rules: one comparison (or And/Or/Not) per rule, operands of the right type."""

from __future__ import annotations

from typing import Any

from .limits import MAX_CHOICE_NESTING
from .report import Report, a_type, child, did_you_mean, listing, quote
from .values import (
    JSONATA,
    JSONPATH,
    check_assign,
    check_expression,
    check_jsonata_value,
    check_path,
    check_string,
    is_number,
    is_timestamp,
)

# what each comparison operator's operand must be
_STRING, _NUMBER, _BOOLEAN, _TIMESTAMP, _PATH = "a string", "a number", "true or false", "timestamp", "path"

COMPARISONS: dict[str, str] = {"StringMatches": _STRING}
for _op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
    COMPARISONS[f"String{_op}"] = _STRING
    COMPARISONS[f"Numeric{_op}"] = _NUMBER
    COMPARISONS[f"Timestamp{_op}"] = _TIMESTAMP
    for _kind in ("String", "Numeric", "Timestamp"):
        COMPARISONS[f"{_kind}{_op}Path"] = _PATH
COMPARISONS["BooleanEquals"] = _BOOLEAN
COMPARISONS["BooleanEqualsPath"] = _PATH
for _test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
    COMPARISONS[_test] = _BOOLEAN

BOOLEAN_OPERATORS = ("And", "Or", "Not")
OPERATORS = frozenset(COMPARISONS) | frozenset(BOOLEAN_OPERATORS)

_JSONPATH_RULE = OPERATORS | {"Variable", "Comment"}
_TOP_ONLY = frozenset({"Next", "Assign"})
_JSONATA_RULE = frozenset({"Condition", "Next", "Comment", "Assign", "Output"})


def _operand_ok(kind: str, value: Any) -> bool:
    if kind is _STRING:
        return isinstance(value, str)
    if kind is _NUMBER:
        return is_number(value)
    if kind is _BOOLEAN:
        return type(value) is bool
    return is_timestamp(value)


def check_choices(report: Report, pointer: str, value: Any, language: str) -> None:
    """The Choices array; the rules' Next targets are checked with the other transitions."""
    if type(value) is not list or not value:
        what = "an empty array" if value == [] else a_type(value)
        report.add(pointer, f"'Choices' must be a non-empty array of choice rules, not {what}")
        return
    for i, rule in enumerate(value):
        where = child(pointer, i)
        if language == JSONATA:
            _check_jsonata_rule(report, where, rule)
        else:
            _check_rule(report, where, rule, top=True)


def _check_top_fields(report: Report, pointer: str, rule: dict, language: str) -> None:
    if "Next" not in rule:
        report.add(pointer, "a choice rule needs 'Next', the state to go to when it matches")
    else:
        check_string(report, child(pointer, "Next"), rule["Next"], "Next")
    if "Assign" in rule:
        check_assign(report, child(pointer, "Assign"), rule["Assign"], language)
    if "Comment" in rule:
        check_string(report, child(pointer, "Comment"), rule["Comment"], "Comment")


def _check_jsonata_rule(report: Report, pointer: str, rule: Any) -> None:
    if type(rule) is not dict:
        report.add(pointer, f"a choice rule must be an object, not {a_type(rule)}")
        return
    for key in rule:
        if key in _JSONATA_RULE:
            continue
        if key in _JSONPATH_RULE:
            report.add(child(pointer, key),
                       f"field '{key}' is only supported when the QueryLanguage is JSONPath; "
                       "a JSONata choice rule tests a 'Condition'")
        else:
            report.add(child(pointer, key), f"unknown field '{key}' in a choice rule"
                                            f"{did_you_mean(key, _JSONATA_RULE)}")
    _check_top_fields(report, pointer, rule, JSONATA)
    if "Condition" not in rule:
        report.add(pointer, "a JSONata choice rule needs a 'Condition'")
    elif type(rule["Condition"]) is not bool:
        check_expression(report, child(pointer, "Condition"), rule["Condition"], "Condition")
    if "Output" in rule:
        check_jsonata_value(report, child(pointer, "Output"), rule["Output"])


def _check_rule(report: Report, pointer: str, rule: Any, *, top: bool, level: int = 1) -> None:
    """``level``: how deeply the rule is nested in And, Or and Not (a top-level rule is 1)."""
    if type(rule) is not dict:
        report.add(pointer, f"a choice rule must be an object, not {a_type(rule)}")
        return
    allowed = _JSONPATH_RULE | _TOP_ONLY if top else _JSONPATH_RULE
    for key in rule:
        if key in allowed:
            continue
        if key in _TOP_ONLY:
            report.add(child(pointer, key), f"'{key}' is only allowed on the top-level rules of "
                                            "'Choices', not inside And, Or or Not")
        elif key in _JSONATA_RULE:
            report.add(child(pointer, key),
                       f"field '{key}' is only supported when the QueryLanguage is JSONata; "
                       "this is a JSONPath state")
        else:
            report.add(child(pointer, key), f"unknown field '{key}' in a choice rule"
                                            f"{did_you_mean(key, allowed)}")
    if top:
        _check_top_fields(report, pointer, rule, JSONPATH)
    elif "Comment" in rule:
        check_string(report, child(pointer, "Comment"), rule["Comment"], "Comment")

    operators = [key for key in rule if key in OPERATORS]
    if not operators:
        report.add(pointer, "a choice rule needs one comparison (such as StringEquals or "
                            "IsPresent) or one of And, Or, Not")
        return
    if len(operators) > 1:
        report.add(pointer, f"a choice rule has exactly one operator, but this one has "
                            f"{listing(operators).replace(' or ', ' and ')}")
        return
    op = operators[0]
    where = child(pointer, op)
    operand = rule[op]
    if op in BOOLEAN_OPERATORS:
        if "Variable" in rule:
            report.add(child(pointer, "Variable"), f"'Variable' has no meaning in a rule with "
                                                   f"'{op}'; put it in the nested rules")
        if level >= MAX_CHOICE_NESTING:
            report.add(where, f"choice rules nest more than {MAX_CHOICE_NESTING} levels deep here "
                              "(And, Or and Not): asl-runner's limit, far above what real "
                              "definitions need (AWS documents none)")
            return
        if op == "Not":
            _check_rule(report, where, operand, top=False, level=level + 1)
        elif type(operand) is not list or not operand:
            what = "an empty array" if operand == [] else a_type(operand)
            report.add(where, f"'{op}' must be a non-empty array of choice rules, not {what}")
        else:
            for i, nested in enumerate(operand):
                _check_rule(report, child(where, i), nested, top=False, level=level + 1)
        return
    if "Variable" not in rule:
        report.add(pointer, f"a choice rule with '{op}' needs a 'Variable', the path of the "
                            "value to compare")
    else:
        check_path(report, child(pointer, "Variable"), rule["Variable"], "Variable")
    kind = COMPARISONS[op]
    if kind is _PATH:
        check_path(report, where, operand, op, reference=True)
    elif not _operand_ok(kind, operand):
        if kind is _TIMESTAMP:
            report.add(where, f"'{op}' must be an ISO-8601 timestamp such as "
                              f"'2016-03-14T01:59:00Z' (with a time zone), not {quote(operand)}")
        else:
            report.add(where, f"'{op}' must be {kind}, not {quote(operand)}")
