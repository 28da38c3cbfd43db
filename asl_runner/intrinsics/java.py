"""How Step Functions' Java runtime turns intrinsic values into text and numbers.

Recorded AWS behaviour shows the intrinsic functions work on plain Java objects (a JSON object
read through a path becomes a ``java.util.Map``, an array a ``List``) and stringify them with
``String.valueOf``: ``States.Format('{}', $.obj)`` renders ``{Arg1=1, Arg2=[]}``, not JSON
(localstack snapshot test_generic::test_format_2, exec_hist_resp_7; conformance case
TestGeneric_test_context_json_path). JSON text, where AWS produces it (States.JsonToString),
is Jackson's compact form. Numbers follow Java: doubles print like ``Double.toString``
(``1.0``, ``1.0E7``), ``States.MathAdd`` rounds like ``Math.round`` and the array functions
truncate like an ``(int)`` cast.
"""

from __future__ import annotations

import math
from typing import Any


def java_str(value: Any) -> str:
    """``String.valueOf`` of the Java object AWS holds for a JSON value."""
    t = type(value)
    if t is str:
        return value
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    if t is float:
        return java_double(value)
    if t is list:
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    if t is dict:
        return "{" + ", ".join(f"{k}={java_str(v)}" for k, v in value.items()) + "}"
    return str(value)


def java_double(value: float) -> str:
    """``Double.toString``: plain notation in [1e-3, 1e7), else ``d.dddE±n``; always a '.'."""
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)  # shortest round-trip digits, plain notation in this range
        return text if "." in text else text + ".0"
    # Shortest round-trip digits (what JDK 19+ prints), laid out the Java way.
    text = repr(magnitude)
    mantissa, _, exp = text.partition("e")
    intpart, _, frac = mantissa.partition(".")
    digits = intpart + frac
    significant = digits.lstrip("0")
    exponent = len(intpart) + int(exp or 0) - (len(digits) - len(significant)) - 1
    significant = significant.rstrip("0") or "0"
    head, tail = significant[0], significant[1:] or "0"
    sign = "-" if value < 0 else ""
    return f"{sign}{head}.{tail}E{exponent}"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    if not any(c in _ESCAPES or c < " " for c in text):
        return '"' + text + '"'
    out = ['"']
    for c in text:
        esc = _ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif c < " ":
            out.append(f"\\u{ord(c):04X}")  # Jackson writes the hex digits upper-case
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def jackson_json(value: Any) -> str:
    """Compact JSON as Jackson's ObjectMapper writes it (no spaces, doubles Java-style)."""
    t = type(value)
    if t is str:
        return _json_string(value)
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    if t is float:
        return java_double(value)
    if t is list:
        return "[" + ",".join(jackson_json(v) for v in value) + "]"
    if t is dict:
        return "{" + ",".join(_json_string(k) + ":" + jackson_json(v) for k, v in value.items()) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def java_round(value: int | float) -> int:
    """``Math.round``: half-way values go towards positive infinity (-1.5 -> -1, 2.5 -> 3)."""
    if type(value) is int:
        return value
    if math.isnan(value):
        return 0
    floor = math.floor(value) if math.isfinite(value) else value
    if not math.isfinite(floor):
        return _LONG_MAX if value > 0 else _LONG_MIN
    result = floor + 1 if value - floor >= 0.5 else floor
    return max(_LONG_MIN, min(_LONG_MAX, int(result)))


def java_int(value: int | float) -> int:
    """An ``(int)`` cast: truncation towards zero."""
    if type(value) is int:
        return value
    if math.isnan(value):
        return 0
    if math.isinf(value):
        return 2**31 - 1 if value > 0 else -(2**31)
    return int(value)


def utf16_length(text: str) -> int:
    """``String.length()``: characters outside the BMP count twice."""
    n = len(text)
    if text.isascii():
        return n
    return n + sum(1 for c in text if ord(c) > 0xFFFF)


def is_number(value: Any) -> bool:
    t = type(value)
    return t is int or t is float
