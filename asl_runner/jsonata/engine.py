"""The JSONata engine behind :mod:`asl_runner.jsonata`: jlens (a Rust engine, JSONata 2.2), made to
behave as Step Functions' JSONata 2.0.6 does. Only this module imports jlens.

Limits. AWS documents none; floci measured them with TestState (floci issue #2737): an
expression may hold about 873,782 array items or a few million characters before AWS fails it
with "Expression evaluation memory limit exceeded", and nesting (non-tail recursion, a long
chain of operators) past a depth near 100 fails with a stack overflow. jlens counts depth in
its own units (a recursive call costs about four), so :data:`LIMITS` sets depth 500: everything
AWS evaluates evaluates here, and a runaway recursion stops in milliseconds. AWS's time bound is
not known; five seconds ends a loop that would otherwise hold a worker for ever (jlens releases
the GIL while it evaluates, so other executions keep running meanwhile).
"""

from __future__ import annotations

import json
from typing import Any

import jlens

from . import UNDEFINED, JsonataError, functions
from .syntax import check_2_0_6

#: bounds on one evaluation (jlens's options); a test may lower them
LIMITS: dict[str, Any] = {
    "timeout": 5.0,
    "max_depth": 500,
    "max_array_length": functions.MAX_ARRAY_ITEMS,
    # 8 bytes for each of AWS's measured items: between its 2^22 characters accepted and 2^23 refused
    "max_string_length": 8 * functions.MAX_ARRAY_ITEMS,
}

# jlens's limit errors, reworded as jsonata-js's time box words them (AWS's memory message
# follows that pattern, U1001 "Expression evaluation ...: Check for ...")
_STACK = "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
_TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
_SIZE_PREFIXES = ("An array would exceed", "A string would exceed", "The result would exceed")

_decode = json.JSONDecoder().decode
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _error(exc: jlens.JlensError) -> JsonataError:
    code, message = exc.code, str(exc)
    if code == "D1011":
        code, message = "U1001", _STACK
    elif code == "D1012":
        code, message = "U1001", _TIMEOUT
    elif code == "U1001" and message.startswith(_SIZE_PREFIXES):
        message = functions.MEMORY_MESSAGE
    return JsonataError(code, message, exc.position)


class CompiledExpression:
    """One jlens expression with AWS's functions registered; shared by every thread."""

    __slots__ = ("_expression", "references", "_per_evaluation", "_tells_time")

    def __init__(self, text: str) -> None:
        try:
            expression = jlens.Expression(text)
        except jlens.JlensError as exc:
            refused = check_2_0_6(text)
            # 2.0.6 stops at whichever comes first: its own refusal or the syntax error
            if refused is not None and (exc.position is None or refused.position <= exc.position):
                raise refused from None
            raise _error(exc) from None
        refused = check_2_0_6(text)
        if refused is not None:
            raise refused
        for name, (implementation, signature) in functions.REGISTERED.items():
            expression.register_function(name, implementation, signature)
        self._expression = expression
        self.references = frozenset(expression.reads().get("bindings", ())) - functions.NAMES
        # a text that never names them cannot call them ($eval, the only indirect way, is gone)
        self._per_evaluation = tuple(name for name in functions.PER_EVALUATION if f"${name}" in text)
        self._tells_time = "$now" in text or "$millis" in text

    def evaluate(self, input: Any, bindings: dict[str, Any], rng: Any, now: float | None = None) -> Any:
        if self._per_evaluation:
            bindings = dict(bindings)
            for name in self._per_evaluation:
                bindings[name] = functions.PER_EVALUATION[name](rng)
        clock = {"now": round(now * 1000)} if now is not None and self._tells_time else {}
        try:
            text = self._expression.evaluate_json(None if input is UNDEFINED else _encode(input),
                                                  bindings, **LIMITS, **clock)
        except jlens.JlensError as exc:
            raise _error(exc) from None
        # JSON text keeps undefined (None) apart from null ("null"); jlens writes numbers as
        # JavaScript does, so an integral one reads back as an int and 1e21 as a float
        return UNDEFINED if text is None else _decode(text)


def compile_expression(text: str) -> CompiledExpression:
    return CompiledExpression(text)
