"""A stub's arguments as an asl-runner mock (what ``asl_runner.run(mocks=...)`` takes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import StatesError

#: "not given" (None is a result like any other: JSON's null)
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


def stub_mock(target: str, *, result: Any = UNSET, error: tuple | str | None = None,
              results: list | None = None, fn: Callable[[Any, Any], Any] | None = None) -> Any:
    given = [k for k, v in (("result", result is not UNSET), ("error", error is not None),
                            ("results", results is not None), ("fn", fn is not None)) if v]
    if len(given) != 1:
        raise TypeError(f"stub('{target}', ...) takes exactly one of result=, error=, results= "
                        f"and fn=, not {', '.join(given) or 'none'}")
    if fn is not None:
        if not callable(fn):
            raise TypeError(f"stub('{target}', fn=...) takes a callable fn(payload, call)")
        return fn
    if results is not None:
        if not isinstance(results, (list, tuple)) or not results:
            raise TypeError(f"stub('{target}', results=...) takes a non-empty list, one item "
                            "per invocation")
        # the mock file's own format: past the last invocation the task fails, as there
        return {str(n): _outcome(target, item) for n, item in enumerate(results)}
    if error is not None:
        thrown = _error(target, error)
        return lambda payload, call: _raise(thrown)
    return lambda payload, call: result


def _outcome(target: str, item: Any) -> dict:
    if isinstance(item, StatesError):
        return {"Throw": {"Error": item.error, "Cause": item.cause or ""}}
    return {"Return": item}


def _error(target: str, error: tuple | str) -> StatesError:
    if isinstance(error, str):
        return StatesError(error, None)
    if (isinstance(error, tuple) and len(error) == 2 and isinstance(error[0], str)
            and isinstance(error[1], (str, type(None)))):
        return StatesError(error[0], error[1])
    raise TypeError(f"stub('{target}', error=...) takes an error name or (name, cause), "
                    f"not {error!r}")


def _raise(error: StatesError) -> Any:
    raise StatesError(error.error, error.cause)
