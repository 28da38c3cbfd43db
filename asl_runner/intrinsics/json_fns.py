"""States.StringToJson, States.JsonToString and States.JsonMerge."""

from __future__ import annotations

from typing import Any

from ..jsonvalue import check_depth, strict_decoder
from .exceptions import IntrinsicArgumentError
from .java import jackson_json
from .nodes import IntrinsicCall, Literal
from .signatures import ANY, BOOLEAN, OBJECT, STRING, CompileProblem, intrinsic

_JSON_WS = " \t\r\n"


def parse_json(text: str) -> Any:
    """Read one JSON value the way Jackson's ``ObjectMapper.readTree`` does.

    Blank text gives null (conformance cases TestJsonManipulation_test_string_to_json 1 and
    the recorded "" case); text after a complete value is not read, except that a number or
    literal must end at whitespace or the end. Raises ValueError for anything else.
    """
    start = len(text) - len(text.lstrip(_JSON_WS))
    if start == len(text):
        return None
    try:
        value, end = strict_decoder.raw_decode(text, start)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    check_depth(value, text)
    if end < len(text) and not isinstance(value, (dict, list, str)):
        nxt = text[end]
        if nxt not in _JSON_WS and (type(value) in (int, float) or nxt.isalnum() or nxt == "_"):
            raise ValueError(f"unexpected character {nxt!r} after the value")
    return value


@intrinsic("States.StringToJson", (STRING,), result=ANY)
def string_to_json(call: IntrinsicCall, text: str) -> Any:
    try:
        return parse_json(text)
    except ValueError as exc:
        raise IntrinsicArgumentError(call.name, f"the string is not JSON: {exc}") from None


@intrinsic("States.JsonToString", (ANY,), result=STRING)
def json_to_string(call: IntrinsicCall, value: Any) -> str:
    # Jackson's compact form: localstack snapshot test_json_to_string records
    # {"Arg1":1,"Arg2":[]} and [1,2,"HelloWorld"].
    return jackson_json(value)


def _check_merge(args: tuple) -> None:
    deep = args[2]
    if isinstance(deep, Literal) and deep.value is True:
        raise CompileProblem("States.JsonMerge only merges shallowly: its third argument must be false", 2)


@intrinsic("States.JsonMerge", (OBJECT, OBJECT, BOOLEAN), result=OBJECT, check=_check_merge)
def json_merge(call: IntrinsicCall, left: dict, right: dict, deep: bool) -> dict:
    # Shallow: a key of the second object replaces the first's whole value
    # (conformance case TestJsonManipulation_test_json_merge 0). Deep mode is not supported.
    if deep:
        raise IntrinsicArgumentError(call.name, "deep merge (third argument true) is not supported")
    merged = dict(left)
    merged.update(right)
    return merged
