"""JSONata as AWS Step Functions runs it (JSONata 2.0.6 without ``$eval``, plus AWS's functions).

The one door to the JSONata engine: the rest of asl-runner compiles and evaluates through
:func:`compile` and :class:`Expression`, so the engine (jlens) can be replaced here alone. This
module imports nothing heavy; the engine is imported on the first :func:`compile`, so a machine
that uses only JSONPath never loads it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNDEFINED", "Expression", "JsonataError", "compile"]


class _Undefined:
    """JSONata's undefined: no value at all, which JSON cannot write (unlike ``null``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"


#: the value of an expression that yields nothing (and the input of one that has none)
UNDEFINED: Any = _Undefined()


class JsonataError(Exception):
    """A JSONata expression that does not compile or fails to evaluate.

    ``code`` is JSONata's error code (``S0201``, ``T2001``, ...) or, for AWS's own functions and
    limits, one of ours (see :mod:`asl_runner.jsonata.functions`); ``message`` is the text without
    the code; ``position`` is where in the expression it happened (code points), if known."""

    def __init__(self, code: str, message: str, position: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.position = position


class Expression:
    """A compiled expression; evaluate it any number of times, from any thread."""

    __slots__ = ("text", "_engine")

    def __init__(self, text: str, engine: Any) -> None:
        self.text = text
        self._engine = engine

    def evaluate(self, input: Any, bindings: dict[str, Any], *, rng: Any = None,
                 now: float | None = None) -> Any:
        """The expression's value over ``input`` (the context ``$``; UNDEFINED for none), with
        ``bindings`` as ``$name`` variables (``{"states": {...}}`` is ``$states``).

        Returns a JSON value (dict, list, str, int, float, bool, None) or UNDEFINED, numbers as
        JavaScript holds them (an integral number is an ``int``). ``rng`` (a ``random.Random``,
        e.g. the execution's seeded one) is where ``$random()`` and ``$uuid()`` draw from, so a
        replay repeats them; without it they use os.urandom. ``now`` (epoch seconds) is the
        time ``$now()`` and ``$millis()`` tell (None: the wall clock). Raises JsonataError."""
        return self._engine.evaluate(input, bindings, rng, now)

    def references(self) -> frozenset[str]:
        """The ``$names`` the expression reads from outside itself (``{"states", "x"}``):
        variables, not functions, and not names the expression binds itself."""
        return self._engine.references

    def __repr__(self) -> str:
        return f"jsonata.Expression({self.text!r})"


def compile(text: str) -> Expression:  # noqa: A001 - the natural name, as re.compile
    """Compile ``text`` (the expression inside ``{% ... %}``, without the braces), refusing what
    JSONata 2.0.6 refuses. Raises JsonataError with JSONata's code and position."""
    from . import engine

    return Expression(text, engine.compile_expression(text))
