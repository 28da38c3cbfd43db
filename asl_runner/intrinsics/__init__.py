"""The 18 intrinsic functions of Step Functions' JSONPath mode (``States.Format(...)`` etc.).

    call = compile_intrinsic("States.Format('Hello {}', $.name)")   # once, at load time
    call.evaluate({"name": "Ada"}, env)                              # -> "Hello Ada"

``compile_intrinsic`` parses with the lark grammar in ``grammar.lark`` and checks everything
that does not depend on the data: the function exists, the argument count, literal and nested
arguments of the wrong type, Format templates, hash algorithm names, and calls made only of
literals that can only fail. It raises :class:`IntrinsicSyntaxError`. Compiled calls are
immutable, cached by text, and never parse again.

``evaluate`` raises :class:`IntrinsicArgumentError` (AWS's "Invalid arguments in States.X")
or :class:`IntrinsicPathNotFound`; both are DataFlowErrors, which the engine reports as
States.Runtime. The behaviour of each function, and the evidence for it, is documented
where it is implemented: array.py, strings.py, json_fns.py, math_fns.py, encoding.py.

lark is imported on the first compile only (it costs tens of milliseconds).
"""

from __future__ import annotations

from typing import Any

from .exceptions import IntrinsicArgumentError, IntrinsicPathNotFound, IntrinsicSyntaxError
from .nodes import IntrinsicCall, Literal, PathArg

__all__ = [
    "IntrinsicArgumentError", "IntrinsicCall", "IntrinsicPathNotFound", "IntrinsicSyntaxError",
    "Literal", "PathArg", "compile_intrinsic", "is_intrinsic",
]

_cache: dict[str, IntrinsicCall] = {}


def compile_intrinsic(text: str) -> IntrinsicCall:
    """Compile ``States.Name(args...)`` once; raises IntrinsicSyntaxError saying what and where."""
    call = _cache.get(text)
    if call is None:
        from .compiler import compile_call

        call = _cache[text] = compile_call(text)
    return call


def is_intrinsic(text: Any) -> bool:
    """Whether a ``.$`` value is meant as an intrinsic call rather than a path."""
    return isinstance(text, str) and text.startswith("States.")
