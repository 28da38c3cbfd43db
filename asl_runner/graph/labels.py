"""A Choice rule as a short label for its edge, in the words of the rule as written."""

from __future__ import annotations

import json
from typing import Any

#: longer labels are cut (with an ellipsis): an edge label is a hint, the definition the truth
MAX_LABEL = 48

_SYMBOLS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=",
            "GreaterThanEquals": ">="}
_TYPE_TESTS = {"IsNull": "null", "IsPresent": "present", "IsNumeric": "numeric",
               "IsString": "string", "IsBoolean": "boolean", "IsTimestamp": "a timestamp"}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")


def choice_label(rule: dict) -> str:
    """``$.score >= 700``, ``$.tier is present and $.tier == "gold"``, a JSONata Condition."""
    text = _condition(rule)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def _condition(rule: Any) -> str:
    if not isinstance(rule, dict):
        return "?"
    condition = rule.get("Condition")
    if isinstance(condition, str):
        return condition.removeprefix("{%").removesuffix("%}").strip()
    for joiner in ("And", "Or"):
        parts = rule.get(joiner)
        if isinstance(parts, list):
            inner = f" {joiner.lower()} ".join(_nested(part) for part in parts)
            return inner
    if "Not" in rule:
        return f"not {_nested(rule['Not'])}"
    variable = rule.get("Variable", "?")
    for key, value in rule.items():
        comparison = _comparison(key, value)
        if comparison:
            return f"{variable} {comparison}"
    return str(variable)


def _nested(rule: Any) -> str:
    text = _condition(rule)
    return f"({text})" if isinstance(rule, dict) and ({"And", "Or"} & rule.keys()) else text


def _comparison(key: str, value: Any) -> str:
    if key in _TYPE_TESTS:
        return f"is {'' if value is True else 'not '}{_TYPE_TESTS[key]}"
    if key.endswith("Path") and key != "Variable":
        operator = _operator(key[:-4])
        return f"{operator} {value}" if operator else ""
    operator = _operator(key)
    if not operator:
        return ""
    return f"{operator} {json.dumps(value, ensure_ascii=False)}"


def _operator(key: str) -> str:
    if key == "StringMatches":
        return "matches"
    for kind in _KINDS:
        if key.startswith(kind):
            return _SYMBOLS.get(key[len(kind):], "")
    return ""
