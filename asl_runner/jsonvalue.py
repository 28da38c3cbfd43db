"""JSON values as the engine handles them.

Values are plain Python JSON (dict, list, str, int, float, bool, None) and are never mutated
once produced: a step that changes a document builds a new container and shares the untouched
parts. That is what lets history events hold references instead of copies.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

#: AWS's payload quota for state input/output, task results and execution input
PAYLOAD_LIMIT = 256 * 1024
#: How deeply JSON may nest (objects and arrays) where it enters: AWS does not document a
#: limit; its JSON parser, Jackson, refuses more than 1,000 levels by default
#: (StreamReadConstraints.DEFAULT_MAX_DEPTH), so asl-runner does the same.
MAX_DEPTH = 1000

# The engine walks values recursively (sizes, templates, paths, the C JSON codec), a few frames
# per level: give a value of MAX_DEPTH levels room, whatever stack the caller already uses.
if sys.getrecursionlimit() < 4 * MAX_DEPTH:
    sys.setrecursionlimit(4 * MAX_DEPTH)

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON text, as AWS writes it in histories and DescribeExecution."""
    return _encoder.encode(value)


# a \u escape of a UTF-16 surrogate: the only way JSON text can bring in an unpaired one,
# which no store, terminal or HTTP response can then encode
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonInputError(ValueError):
    """Text that is not JSON as AWS reads it; the message says what is wrong and where."""


def _reject_constant(name: str) -> Any:
    raise JsonInputError(f"'{name}' is not a JSON number (NaN and Infinity are not JSON)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise JsonInputError(f"the number {text} is out of range for a double")
    return value


#: decodes JSON as AWS's parser does: no NaN or Infinity, every number finite
strict_decoder = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def depth_of(value: Any) -> int:
    """How deeply ``value`` nests: 0 for a scalar, 1 for ``[]``, 2 for ``[[]]``, ...
    (iterative, so it measures values too deep for recursive code)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if level > deepest:
            deepest = level
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, (dict, list)))
    return deepest


def check_depth(value: Any, text: str | None = None) -> None:
    """Raise JsonInputError if ``value`` nests deeper than MAX_DEPTH (``text``, its JSON, lets
    the common case skip the walk: it cannot nest deeper than it has brackets)."""
    if text is not None and text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    if depth_of(value) > MAX_DEPTH:
        raise JsonInputError(f"the JSON is nested more than {MAX_DEPTH} levels deep")


def loads(text: str | bytes, *, surrogates: bool = False) -> Any:
    """Read JSON as AWS does wherever it enters (an execution input, a task's output or
    result, an API request): raises JsonInputError for text that is not JSON, NaN or
    Infinity, a number out of a double's range, nesting deeper than MAX_DEPTH, or (unless
    ``surrogates``: the caller checks them where it can say which field holds one) an
    unpaired UTF-16 surrogate."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonInputError(f"the text is not UTF-8: {exc.reason}") from None
    try:
        value = strict_decoder.decode(text)
    except RecursionError:
        raise JsonInputError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    except JsonInputError:
        raise
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        where = (f" (line {exc.lineno}, column {exc.colno})"
                 if isinstance(exc, json.JSONDecodeError) else "")
        raise JsonInputError(f"{detail}{where}") from None
    check_depth(value, text)
    if not surrogates and _SURROGATE_ESCAPE.search(text):
        try:
            dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            raise JsonInputError("a \\u escape names an unpaired UTF-16 surrogate, "
                                 "which is not a Unicode character") from None
    return value


_escapes = re.compile(r'["\\\x00-\x1f]').search


def size_of(value: Any) -> int:
    """The UTF-8 byte size of the value as JSON text."""
    return len(dumps(value).encode("utf-8"))


def _size(value: Any, cache: dict | None) -> int:
    t = type(value)
    if t is str:
        if value.isascii() and not _escapes(value):
            return len(value) + 2
        return len(dumps(value).encode("utf-8"))
    if t is int:
        return len(str(value))
    if t is dict or t is list:
        n = len(value)
        if n >= 32:
            # Large containers are measured once, by the C encoder, and remembered by
            # identity: values are never mutated, so a document that shares them with its
            # predecessor (ResultPath copies only the path it writes) costs little to re-check.
            if cache is not None:
                hit = cache.get(id(value))
                if hit is not None and hit[0] is value:
                    return hit[1]
            size = len(dumps(value).encode("utf-8"))
            if cache is not None:
                cache[id(value)] = (value, size)
            return size
        if not n:
            return 2
        total = 1 + n  # brackets and separators
        if t is dict:
            for k, v in value.items():
                total += _size(k, None) + 1 + _size(v, cache)
        else:
            for v in value:
                total += _size(v, cache)
        return total
    if t is bool:
        return 4 if value else 5
    if value is None:
        return 4
    if t is float:
        return len(repr(value))
    return len(dumps(value))


def measure(value: Any, cache: dict | None = None) -> int:
    """The value's size as JSON text in UTF-8; ``cache`` as for :func:`exceeds_limit`."""
    return _size(value, cache)


def exceeds_limit(value: Any, limit: int = PAYLOAD_LIMIT, cache: dict | None = None) -> bool:
    """Whether the value's JSON text is over ``limit`` bytes.

    ``cache`` (one per execution) remembers the sizes of large containers by identity.
    """
    return _size(value, cache) > limit


def type_label(value: Any) -> str:
    """A short name of the JSON type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
