"""The array intrinsics: Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem,
ArrayLength, ArrayUnique."""

from __future__ import annotations

import math
from typing import Any

from .exceptions import IntrinsicArgumentError
from .java import java_int, java_str
from .nodes import IntrinsicCall, Literal
from .signatures import ANY, ARRAY, BOOLEAN, NUMBER, CompileProblem, intrinsic

#: AWS docs, States.ArrayRange: "The newly generated array can't contain more than 1000 items."
RANGE_LIMIT = 1000


@intrinsic("States.Array", (), rest=ANY, result=ARRAY)
def array(call: IntrinsicCall, *values: Any) -> list:
    return list(values)


def _literal_int(arg: Any) -> int | None:
    if isinstance(arg, Literal) and type(arg.value) in (int, float):
        return java_int(arg.value)
    return None


def _check_partition(args: tuple) -> None:
    size = _literal_int(args[1])
    if size is not None and size <= 0:
        raise CompileProblem("the chunk size of States.ArrayPartition must be a positive integer "
                             "(fractions are truncated)", 1)


@intrinsic("States.ArrayPartition", (ARRAY, NUMBER), result=ARRAY, check=_check_partition)
def array_partition(call: IntrinsicCall, items: list, size: int | float) -> list:
    # AWS truncates a fractional chunk size (2.6 partitions like 2; 0.6 is rejected).
    chunk = java_int(size)
    if chunk <= 0:
        raise IntrinsicArgumentError(call.name, f"the chunk size must be positive, not {size}")
    return [items[i:i + chunk] for i in range(0, len(items), chunk)]


@intrinsic("States.ArrayContains", (ARRAY, ANY), result=BOOLEAN)
def array_contains(call: IntrinsicCall, items: list, target: Any) -> bool:
    # AWS compares String.valueOf of each side: key order matters for objects ({a=1, b=2}
    # differs from {b=2, a=1}) and true matches "true". Recorded cases agree
    # (TestArray_test_array_contains 0-8); the cross-type matches come from an AWS
    # characterisation (ArrayContains AC-009, AC-026, AC-028).
    key = java_str(target)
    return any(java_str(item) == key for item in items)


@intrinsic("States.ArrayRange", (NUMBER, NUMBER, NUMBER), result=ARRAY)
def array_range(call: IntrinsicCall, start: int | float, end: int | float, step: int | float) -> list[int]:
    # Arguments are truncated to integers; the end is inclusive when the steps land on it.
    first, last, by = java_int(start), java_int(end), java_int(step)
    if by == 0:
        raise IntrinsicArgumentError(call.name, "the step must not be zero")
    if first == last:
        count = 1
    elif (last - first > 0) != (by > 0):
        count = 0
    else:
        count = (last - first) // by + 1
    if count > RANGE_LIMIT:
        raise IntrinsicArgumentError(call.name, f"the range would have {count} items; at most "
                                                f"{RANGE_LIMIT} are allowed")
    return [first + i * by for i in range(count)]


def _check_get_item(args: tuple) -> None:
    index = _literal_int(args[1])
    if index is not None and index < 0:
        raise CompileProblem("the index of States.ArrayGetItem must not be negative", 1)


@intrinsic("States.ArrayGetItem", (ARRAY, NUMBER), result=ANY, check=_check_get_item)
def array_get_item(call: IntrinsicCall, items: list, index: int | float) -> Any:
    i = java_int(index)
    if not items:
        # AWS returns null for any index into an empty array (AWS characterisation AGI-011),
        # though it rejects an out-of-range index into a non-empty one.
        return None
    if i < 0 or i >= len(items):
        raise IntrinsicArgumentError(call.name, f"index {i} is out of range for {len(items)} items")
    return items[i]


@intrinsic("States.ArrayLength", (ARRAY,), result=NUMBER)
def array_length(call: IntrinsicCall, items: list) -> int:
    return len(items)


@intrinsic("States.ArrayUnique", (ARRAY,), result=ARRAY)
def array_unique(call: IntrinsicCall, items: list) -> list:
    # A LinkedHashSet of the Java values: first occurrence wins, objects are equal whatever
    # their key order, 1 and 1.0 are different values (Integer vs Double).
    seen: set = set()
    out = []
    for item in items:
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _identity(value: Any) -> Any:
    t = type(value)
    if t is dict:
        return ("o", frozenset((k, _identity(v)) for k, v in value.items()))
    if t is list:
        return ("a", tuple(_identity(v) for v in value))
    if t is float:
        return ("f", value, math.copysign(1.0, value))  # Double.equals tells -0.0 from 0.0
    if t is bool:
        return ("b", value)
    if t is int:
        return ("i", value)
    return ("s", value) if t is str else ("n",)
