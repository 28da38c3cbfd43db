"""Checking a request against its shape, as AWS's front end does before the service sees it.

Two stages, as on AWS. Reading the JSON into the shape fails with SerializationException at the
first value of the wrong type (a dict where a string belongs, a string for an integer), with the
messages AWS's JSON reader gives (measured against AWS by another emulator project; the same
wording appears in AWS SDK bug reports: "STRING_VALUE can not be converted to an Integer",
"Start of structure or map found where not expected."). Then every constraint of the model is
checked and all violations are reported at once as ValidationException ("2 validation errors
detected: Value 'x' at 'name' failed to satisfy constraint: ...; ...").

As AWS does, a ``null`` member is an absent one, members the model does not know are ignored
and a fractional number where an integer belongs is truncated.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import serialization, validation_errors
from .shapes import PRINTED_ENUM_ORDER, SHAPES, Shape, input_shape

_LIST = "Start of list found where not expected"
_MAP = "Start of structure or map found where not expected."
_TARGET = {"string": "a String", "integer": "an Integer", "long": "a Long", "float": "a Float",
           "boolean": "a Boolean"}


def check_request(operation: str, body: Any) -> dict[str, Any]:
    """``body`` read into the operation's request shape: nulls dropped, numbers converted.

    Raises SerializationException or ValidationException with AWS's messages.
    """
    if not isinstance(body, dict):
        raise serialization(_LIST if isinstance(body, list) else
                            "Start of structure or map expected: the request must be a JSON object")
    problems: list[str] = []
    request = _read(input_shape(operation), body, "", problems)
    if problems:
        raise validation_errors(problems)
    return request


def _read(name: str, value: Any, path: str, problems: list[str]) -> Any:
    shape = SHAPES[name]
    kind = shape.type
    if kind == "structure":
        if not isinstance(value, dict):
            raise serialization(_LIST if isinstance(value, list) else "Expected null")
        out = {}
        for member, member_shape in shape.members.items():  # problems in the model's order
            item = value.get(member)
            if item is not None:
                out[member] = _read(member_shape, item, f"{path}.{member}" if path else member, problems)
            elif member in shape.required:
                where = f"{path}.{member}" if path else member
                problems.append(f"Value null at '{where}' failed to satisfy constraint: Member must not be null")
        _check(name, shape, out, path, problems)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise serialization(_MAP if isinstance(value, dict) else "Expected list or null")
        items = [_read(shape.member, item, f"{path}.{n}.member", problems)
                 for n, item in enumerate((i for i in value if i is not None), 1)]
        _check(name, shape, items, path, problems)
        return items
    if isinstance(value, list):
        raise serialization(_LIST)
    if isinstance(value, dict):
        raise serialization(_MAP)
    value = _scalar(shape, value, path)
    _check(name, shape, value, path, problems)
    return value


def _scalar(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type
    if isinstance(value, bool):
        found = "TRUE_VALUE" if value else "FALSE_VALUE"
    elif isinstance(value, (int, float)):
        found = "NUMBER_VALUE"
    else:
        found = "STRING_VALUE"
    if kind == "string" and found == "STRING_VALUE":
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                # Java would take it (and print '?'), but no store, log or response can hold
                # an unpaired surrogate: say so instead of failing later
                raise serialization(f"The string at '{path}' is not Unicode text: it holds an "
                                    "unpaired UTF-16 surrogate") from None
        return value
    if kind in ("integer", "long") and found == "NUMBER_VALUE":
        return int(value)
    if kind == "float" and found == "NUMBER_VALUE":
        return float(value)
    if kind == "boolean" and found in ("TRUE_VALUE", "FALSE_VALUE"):
        return value
    raise serialization(f"{found} can not be converted to {_TARGET.get(kind, kind)}")


def _check(name: str, shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    """The constraints of ``shape`` on a value of the right type."""
    def fail(constraint: str) -> None:
        shown = "" if shape.sensitive else f" '{java_string(name, value)}'"
        problems.append(f"Value{shown} at '{path}' failed to satisfy constraint: {constraint}")

    if shape.type in ("integer", "long", "float"):
        if shape.min is not None and value < shape.min:
            fail(f"Member must have value greater than or equal to {shape.min}")
        if shape.max is not None and value > shape.max:
            fail(f"Member must have value less than or equal to {shape.max}")
        return
    if shape.type in ("string", "list"):
        size = java_length(value) if shape.type == "string" else len(value)
        if shape.min is not None and size < shape.min:
            fail(f"Member must have length greater than or equal to {shape.min}")
        if shape.max is not None and size > shape.max:
            fail(f"Member must have length less than or equal to {shape.max}")
    if shape.pattern is not None and not _pattern(shape.pattern).fullmatch(value):
        fail(f"Member must satisfy regular expression pattern: {shape.pattern}")
    if shape.enum is not None and value not in shape.enum:
        values = PRINTED_ENUM_ORDER.get(name, shape.enum)
        fail(f"Member must satisfy enum value set: [{', '.join(values)}]")


def java_length(text: str) -> int:
    """A string's length as Java counts it (UTF-16 code units: an emoji counts twice)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


_patterns: dict[str, re.Pattern] = {}


def _pattern(java: str) -> re.Pattern:
    compiled = _patterns.get(java)
    if compiled is None:
        # Java's \p{ASCII} (TraceHeader) is not in Python's re
        compiled = _patterns[java] = re.compile(java.replace("\\p{ASCII}", "[\\x00-\\x7f]"))
    return compiled


def java_string(name: str, value: Any) -> str:
    """A value as AWS prints it in a validation message (Java's toString of the request object:
    ``[RoutingConfigurationListItem(stateMachineVersionArn=..., weight=50), ...]``)."""
    shape = SHAPES[name]
    if isinstance(value, bool):
        return "true" if value else "false"
    if shape.type == "list":
        return "[" + ", ".join(java_string(shape.member, item) for item in value) + "]"
    if shape.type == "structure":
        fields = ", ".join(f"{member}={java_string(inner, value[member]) if member in value else 'null'}"
                           for member, inner in shape.members.items())
        return f"{name}({fields})"
    return str(value)
