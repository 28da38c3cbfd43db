"""Intrinsic signatures as data: name, parameter types, arity, result type.

The same table drives the load-time checks (unknown name, argument count, literals and
nested results of the wrong type) and the run-time type checks, so the two cannot disagree.
Each function module registers its functions with :func:`intrinsic`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..jsonvalue import type_label
from .exceptions import IntrinsicArgumentError

# Parameter and result types. "number" excludes booleans, as in JSON.
ANY, STRING, NUMBER, BOOLEAN, ARRAY, OBJECT = "any", "string", "number", "boolean", "array", "object"

_ARTICLE = {ANY: "a value", STRING: "a string", NUMBER: "a number", BOOLEAN: "a boolean",
            ARRAY: "an array", OBJECT: "an object"}


def has_type(value: Any, expected: str) -> bool:
    if expected == ANY:
        return True
    t = type(value)
    if expected == STRING:
        return t is str
    if expected == NUMBER:
        return t is int or t is float
    if expected == ARRAY:
        return t is list
    if expected == OBJECT:
        return t is dict
    return t is bool


def describe(expected: str) -> str:
    return _ARTICLE[expected]


class CompileProblem(Exception):
    """Raised by a signature's load-time check. ``arg`` is the offending argument's index (None:
    the call itself) and ``offset`` a position inside that argument's text, for the caret."""

    def __init__(self, message: str, arg: int | None = None, offset: int = 0):
        self.message = message
        self.arg = arg
        self.offset = offset
        super().__init__(message)


class Signature:
    """One intrinsic: its parameter types, arity, result type and implementation.

    ``fn(call, *values)`` implements it; ``check(args)``, if given, inspects the argument
    nodes at load time and returns what to keep in ``IntrinsicCall.prepared``.
    ``deterministic`` is False for UUID and MathRandom, which are never run at load time.
    """

    __slots__ = ("name", "params", "required", "rest", "result", "fn", "check", "deterministic")

    def __init__(self, name: str, params: tuple[str, ...], required: int, rest: str | None,
                 result: str, fn: Callable[..., Any], check: Callable[[tuple], Any] | None = None,
                 deterministic: bool = True):
        self.name = name
        #: types of the positional parameters, of which the first ``required`` must be given
        self.params = params
        self.required = required
        #: type of any arguments after ``params`` (None: no more are allowed)
        self.rest = rest
        self.result = result
        self.fn = fn
        self.check = check
        self.deterministic = deterministic

    def __repr__(self) -> str:
        return f"Signature({self.name!r})"

    def param_type(self, index: int) -> str:
        if index < len(self.params):
            return self.params[index]
        return self.rest or ANY

    def arity_problem(self, count: int) -> str | None:
        if count >= self.required and (self.rest is not None or count <= len(self.params)):
            return None
        if self.rest is not None:
            wanted = f"at least {self.required} argument{'s' if self.required != 1 else ''}"
        elif self.required == len(self.params):
            n = self.required
            wanted = "no arguments" if n == 0 else f"exactly {n} argument{'s' if n != 1 else ''}"
        else:
            wanted = f"{self.required} to {len(self.params)} arguments"
        return f"{self.name} takes {wanted}, but {count} {'was' if count == 1 else 'were'} given"

    def invoke(self, call: Any, values: list, env: Any = None) -> Any:
        for i, value in enumerate(values):
            expected = self.params[i] if i < len(self.params) else self.rest
            if expected != ANY and not has_type(value, expected):  # type: ignore[arg-type]
                raise IntrinsicArgumentError(
                    self.name, f"argument {i + 1} must be {describe(expected)}, "  # type: ignore[arg-type]
                    f"not {type_label(value)}")
        if not self.deterministic:
            # UUID and MathRandom may draw from a generator the environment supplies
            return self.fn(call, *values, env=env)
        return self.fn(call, *values)


REGISTRY: dict[str, Signature] = {}


def intrinsic(name: str, params: tuple[str, ...] = (), *, result: str, required: int | None = None,
              rest: str | None = None, check: Callable[[tuple], Any] | None = None,
              deterministic: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(call, *values)`` as the intrinsic ``name``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[name] = Signature(name, params, len(params) if required is None else required,
                                   rest, result, fn, check, deterministic)
        return fn

    return register


def load_registry() -> dict[str, Signature]:
    """The full table. Importing the function modules registers them; a module imported on
    its own registers only itself, so import them all here."""
    from . import array, encoding, json_fns, math_fns, strings  # noqa: F401

    return REGISTRY
