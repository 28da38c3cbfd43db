"""The compiled form of an intrinsic call: a small immutable tree, evaluated without parsing.

Plain ``__slots__`` classes rather than frozen dataclasses: generating the dataclasses cost
more at import than everything else in the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..paths import Env, Path, PathNotFound
from .exceptions import IntrinsicPathNotFound

if TYPE_CHECKING:
    from .signatures import Signature


class _Node:
    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _key(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._key() == self._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))


class Literal(_Node):
    """A string, number, boolean or null written in the call.

    ``source`` is a string literal's text between the quotes with its escapes still in place:
    States.Format needs it to tell an escaped brace (``\\{``, literal) from a placeholder.
    ``column`` is the 0-based offset in the call's text (for messages).
    """

    __slots__ = ("value", "source", "column")

    def __init__(self, value: Any, source: str | None = None, column: int = 0):
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "column", column)

    def _key(self) -> tuple:
        return (type(self.value).__name__, self.value)

    def __repr__(self) -> str:
        return f"Literal({self.value!r})"

    def evaluate(self, doc: Any, env: Env | None = None) -> Any:
        return self.value


class PathArg(_Node):
    """A reference path (``$...``, ``$$...``, ``$var...``), compiled by asl_runner.paths."""

    __slots__ = ("path", "column")

    def __init__(self, path: Path, column: int = 0):
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "column", column)

    def _key(self) -> tuple:
        return (self.path.text,)

    def __repr__(self) -> str:
        return f"PathArg({self.path.text!r})"

    def evaluate(self, doc: Any, env: Env | None = None) -> Any:
        try:
            return self.path.select(doc, env)
        except PathNotFound:
            raise IntrinsicPathNotFound(self.path.text, doc) from None


class IntrinsicCall(_Node):
    """``States.Name(arg, ...)``. ``evaluate(doc, env)`` runs it: ``doc`` is what ``$`` refers
    to, ``env`` supplies ``$$`` (``env.context``) and variables (``env.variable(name)``); an
    ``env.random`` (a ``random.Random``), when present, drives States.UUID and unseeded
    States.MathRandom, so tests can make them reproducible.

    Raises IntrinsicArgumentError or IntrinsicPathNotFound (both DataFlowError) on failure.
    """

    __slots__ = ("name", "args", "column", "prepared", "signature")

    def __init__(self, name: str, args: tuple[Arg, ...], column: int = 0, prepared: Any = None,
                 signature: Signature | None = None):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "column", column)
        #: what the signature's load-time check derived from literal arguments (Format's template)
        object.__setattr__(self, "prepared", prepared)
        object.__setattr__(self, "signature", signature)

    def _key(self) -> tuple:
        return (self.name, self.args)

    def __repr__(self) -> str:
        return f"IntrinsicCall({self.name!r}, {self.args!r})"

    def __str__(self) -> str:
        return f"{self.name}({', '.join(_render(a) for a in self.args)})"

    def evaluate(self, doc: Any, env: Env | None = None) -> Any:
        values = [arg.evaluate(doc, env) for arg in self.args]
        return self.signature.invoke(self, values, env)  # type: ignore[union-attr]


Arg = Literal | PathArg | IntrinsicCall


def _render(arg: Arg) -> str:
    if isinstance(arg, PathArg):
        return arg.path.text
    if isinstance(arg, IntrinsicCall):
        return str(arg)
    if arg.source is not None:
        return f"'{arg.source}'"
    if arg.value is None:
        return "null"
    if arg.value is True or arg.value is False:
        return "true" if arg.value else "false"
    return repr(arg.value)
