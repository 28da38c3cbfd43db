"""JSON values as the engine handles them.

Values are plain Python JSON (dict, list, str, int, float, bool, None) and are never mutated
once produced: a step that changes a document builds a new container and shares the untouched
parts. That is what lets history events hold references instead of copies.
"""

from __future__ import annotations

import json
from typing import Any

#: AWS's payload quota for state input/output, task results and execution input
PAYLOAD_LIMIT = 256 * 1024

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON text, as AWS writes it in histories and DescribeExecution."""
    return _encoder.encode(value)


def loads(text: str) -> Any:
    return json.loads(text)


def _upper_bound(value: Any, budget: int) -> int:
    """A cheap upper bound of the UTF-8 size of ``dumps(value)``; stops once past ``budget``.

    Six bytes a character covers the worst JSON escape (``\\u001f``); four covers any UTF-8
    character. Most documents are far below the quota, so this saves encoding them.
    """
    t = type(value)
    if t is str:
        return 6 * len(value) + 2
    if t is dict:
        total = 2
        for k, v in value.items():
            total += 6 * len(k) + 4 + _upper_bound(v, budget)
            if total > budget:
                return total
        return total
    if t is list:
        total = 2
        for v in value:
            total += 1 + _upper_bound(v, budget)
            if total > budget:
                return total
        return total
    if t is float:
        return 32
    if t is int:
        return len(str(value)) if value > 10**30 or value < -(10**30) else 32
    return 5


def size_of(value: Any) -> int:
    """The UTF-8 byte size of the value as JSON text."""
    return len(dumps(value).encode("utf-8"))


def exceeds_limit(value: Any, limit: int = PAYLOAD_LIMIT) -> bool:
    """Whether the value's JSON text is over ``limit`` bytes."""
    if _upper_bound(value, limit) <= limit:
        return False
    return size_of(value) > limit


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
