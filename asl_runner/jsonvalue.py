"""JSON values as the engine handles them.

Values are plain Python JSON (dict, list, str, int, float, bool, None) and are never mutated
once produced: a step that changes a document builds a new container and shares the untouched
parts. That is what lets history events hold references instead of copies.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: AWS's payload quota for state input/output, task results and execution input
PAYLOAD_LIMIT = 256 * 1024

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON text, as AWS writes it in histories and DescribeExecution."""
    return _encoder.encode(value)


def loads(text: str) -> Any:
    return json.loads(text)


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
