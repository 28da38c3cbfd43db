"""States.MathAdd and States.MathRandom."""

from __future__ import annotations

from typing import Any

from .exceptions import IntrinsicArgumentError
from .java import java_int, java_round
from .nodes import Literal
from .signatures import NUMBER, CompileProblem, intrinsic


@intrinsic("States.MathAdd", (NUMBER, NUMBER), result=NUMBER)
def math_add(call: Any, a: int | float, b: int | float) -> int:
    # Each operand is rounded with Java's Math.round (half-way towards +infinity), then added:
    # -1.5 + -1.51 = -1 + -2 = -3, -0.5 + 0.5 = 0 + 1 = 1, 9 + 44 + 6 + 4.3 = 63
    # (conformance cases TestMathOperations_test_math_add 4, 16 and
    # TestAssignReferenceVariables_test_reference_assign_BASE_REFERENCE_IN_ITERATOR_OU).
    return java_round(a) + java_round(b)


def _check_random(args: tuple) -> None:
    bounds = args[:2]
    if all(isinstance(b, Literal) and type(b.value) in (int, float) for b in bounds) and \
            java_int(bounds[0].value) >= java_int(bounds[1].value):
        raise CompileProblem("the start of States.MathRandom must be less than its end "
                             "(both are truncated to integers)")


@intrinsic("States.MathRandom", (NUMBER, NUMBER, NUMBER), required=2, result=NUMBER,
           check=_check_random, deterministic=False)
def math_random(call: Any, start: int | float, end: int | float, seed: int | float | None = None,
                *, env: Any = None) -> int:
    # Start inclusive, end exclusive; both truncated (AWS rejects MathRandom(1.4, 1.6) and
    # lets MathRandom(1.6, 5.4) return 1, per an AWS characterisation).
    low, high = java_int(start), java_int(end)
    if low >= high:
        raise IntrinsicArgumentError(call.name, f"the start ({low}) must be less than the end ({high})")
    if seed is not None:
        return low + JavaRandom(java_int(seed)).next_int(high - low)
    rng = getattr(env, "random", None)
    if rng is None:
        import random as rng
    return rng.randrange(low, high)


class JavaRandom:
    """java.util.Random's generator, so a seeded MathRandom is reproducible and has the best
    chance of giving what AWS's Java runtime gives for the same seed."""

    _MULTIPLIER = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int):
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        value = self._seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value

    def next_int(self, bound: int) -> int:
        if bound > 2**31 - 1:
            # Beyond Java's int range; still deterministic for the seed.
            import random

            return random.Random(self._seed).randrange(bound)
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        while u - r + m >= 2**31:  # Java's int overflow test: reject the biased tail
            u = self._next(31)
            r = u % bound
        return r
