"""The functions Step Functions adds to JSONata, and the one it takes away.

AWS ("Transforming data with JSONata in Step Functions", section "JSONata functions provided by
Step Functions"): ``$partition(array, size)``, ``$range(start, end, step)``,
``$hash(value, algorithm)`` (MD5, SHA-1, SHA-256, SHA-384, SHA-512), ``$random([seed])``,
``$uuid()`` and ``$parse(jsonString)``; and "$eval is not available - use $parse instead".

What AWS returns, where it was recorded (LocalStack's snapshot tests, recorded against AWS,
in ``shared/conformance/cases`` and tests/aws/.../test_array_jsonata.snapshot.json; floci issue
#2662 and #2737, measured with TestState):

- ``$partition``: chunks in order, the last one shorter; a single chunk stays an array of
  arrays (``[[0, 1]]``).
- ``$range``: the end is included when a step lands on it (``$range(0, 9, 3)`` is
  ``[0,3,6,9]``); a range of one number is that number (``$range(1, 9, 9)`` is ``1``), as a
  JSONata sequence of one is.
- ``$hash('input', 'SHA-1')`` is ``"140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"`` (lowercase hex
  of the UTF-8 bytes).
- ``$random(42)`` is ``0.7275636800328681``: ``new java.util.Random(42).nextDouble()``.
- ``$parse('-0')`` is ``0``; ``$eval(...)`` fails with T1006 (no such function).

The argument checks beyond the signatures, and their wording, are not documented: they are ours
(code :data:`ARGUMENT`), chosen so that a call AWS could not mean fails instead of guessing.
"""

from __future__ import annotations

import hashlib
import math
import os
from typing import Any

from . import JsonataError

#: our code for an argument of the right type but a value AWS's function cannot take
ARGUMENT = "SFN01"
#: AWS's words when an expression holds too much (floci #2737: ``[1..873782]`` evaluates,
#: ``[1..873783]`` fails; a 2^22-character string evaluates, a 2^23 one fails)
MEMORY_MESSAGE = "Expression evaluation memory limit exceeded: Check for excessive memory usage"
#: the most items an array may hold, after AWS's measured bound
MAX_ARRAY_ITEMS = 873_782

_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value) and value == int(value)


def _signature_error(name: str, index: int) -> JsonataError:
    return JsonataError("T0410", f'Argument {index} of function "{name}" does not match function signature')


def partition(array: Any, size: Any) -> list:
    if not isinstance(array, list):
        raise JsonataError(ARGUMENT, "The first argument of $partition must be an array")
    # LocalStack's AWS-recorded tests note that AWS raises on an empty array
    if not array:
        raise JsonataError(ARGUMENT, "The array given to $partition must not be empty")
    if not _is_integer(size) or size < 1:
        raise JsonataError(ARGUMENT, f"The size given to $partition must be a positive integer, not {size}")
    size = int(size)
    return [array[i:i + size] for i in range(0, len(array), size)]


def range_(start: Any, end: Any, step: Any) -> Any:
    for index, value in enumerate((start, end, step), 1):
        if not _is_number(value):
            raise _signature_error("range", index)
    if step == 0:
        raise JsonataError(ARGUMENT, "The step given to $range must not be 0")
    count = math.floor((end - start) / step) + 1
    if count > MAX_ARRAY_ITEMS:
        raise JsonataError("U1001", MEMORY_MESSAGE)
    if count <= 0:
        return None  # an empty sequence, which JSONata reads as undefined (so does jlens)
    values = [start + k * step for k in range(count)]
    values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    return values[0] if count == 1 else values


def hash_(value: Any, algorithm: Any) -> str:
    name = _ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if name is None:
        raise JsonataError(ARGUMENT, f"The hashing algorithm {algorithm} is not supported: use one of "
                           + ", ".join(_ALGORITHMS))
    if not isinstance(value, str):
        raise _signature_error("hash", 1)
    return hashlib.new(name, value.encode("utf-8")).hexdigest()


def parse(text: Any) -> Any:
    from ..jsonvalue import JsonInputError, loads

    if not isinstance(text, str):
        raise _signature_error("parse", 1)
    try:
        parsed = loads(text)
    except JsonInputError as exc:
        raise JsonataError(ARGUMENT, f"The string given to $parse is not JSON: {exc}") from None
    # jlens reads a host function's None as undefined and a NaN as null (jlens 0.25, pinned)
    return math.nan if parsed is None else parsed


def eval_(*_args: Any) -> Any:
    raise JsonataError("T1006", "Attempted to invoke a non-function")


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: the generator AWS's seeded $random uses."""
    mask = (1 << 48) - 1
    state = (seed ^ 0x5DEECE66D) & mask

    def bits(n: int) -> int:
        nonlocal state
        state = (state * 0x5DEECE66D + 0xB) & mask
        return state >> (48 - n)

    return ((bits(26) << 27) + bits(27)) * 2.0 ** -53


def random_function(rng: Any) -> Any:
    """``$random([seed])`` drawing from ``rng`` when unseeded (the execution's, so replays repeat)."""

    def random(*args: Any) -> float:
        if len(args) > 1:
            raise _signature_error("random", 2)
        seed = args[0] if args else None
        if seed is None:
            if rng is not None:
                return rng.random()
            return (int.from_bytes(os.urandom(7), "big") >> 3) * 2.0 ** -53
        if not _is_integer(seed):
            raise _signature_error("random", 1)
        return java_random_double(int(seed) & ((1 << 64) - 1))

    return random


def uuid_function(rng: Any) -> Any:
    """``$uuid()``: a version-4 UUID from ``rng`` (or os.urandom)."""
    from ..names import random_uuid

    def uuid(*args: Any) -> str:
        if args:
            raise _signature_error("uuid", 1)
        return random_uuid(rng)

    return uuid


#: registered once per compiled expression: name -> (implementation, JSONata signature)
REGISTERED = {
    "partition": (partition, "<an:a>"),
    "range": (range_, "<nnn:x>"),
    "hash": (hash_, "<ss:s>"),
    "parse": (parse, "<s:x>"),
    "eval": (eval_, None),
}
#: bound per evaluation, because they draw from that evaluation's random source
PER_EVALUATION = {"random": random_function, "uuid": uuid_function}
#: every name these provide: function names, never variables to bind
NAMES = frozenset(REGISTERED) | frozenset(PER_EVALUATION)
