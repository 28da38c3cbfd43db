"""States.Format and States.StringSplit."""

from __future__ import annotations

from typing import Any

from .exceptions import IntrinsicArgumentError
from .java import jackson_json, java_str
from .nodes import IntrinsicCall, Literal
from .signatures import ANY, ARRAY, STRING, CompileProblem, intrinsic

#: stands for a ``{}`` in a parsed template
PLACEHOLDER = None


class TemplateError(ValueError):
    def __init__(self, message: str, offset: int):
        self.offset = offset
        super().__init__(message)


def parse_template(text: str) -> tuple[str | None, ...]:
    """Split a Format template into literal pieces and PLACEHOLDERs.

    ``{}`` is a placeholder; ``\\{``, ``\\}`` and ``\\\\`` stand for the character itself
    (AWS docs, "Reserved characters in intrinsic functions"); a brace that is neither is an
    error (AWS fails ``States.Format('Hello {', ...)`` and ``States.Format('}')``). Other
    backslashes are kept as they are. Raises TemplateError (a ValueError) with the offset.
    """
    parts: list[str | None] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "{}\\'":
            buf.append(text[i + 1])
            i += 2
            continue
        if c == "{":
            if i + 1 < n and text[i + 1] == "}":
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(PLACEHOLDER)
                i += 2
                continue
            raise TemplateError("a '{' that does not start a '{}' placeholder", i)
        if c == "}":
            raise TemplateError("a '}' that does not end a '{}' placeholder", i)
        buf.append(c)
        i += 1
    if buf:
        parts.append("".join(buf))
    return tuple(parts)


def _check_format(args: tuple) -> Any:
    template = args[0]
    if not isinstance(template, Literal) or template.source is None:
        return None  # known only at run time
    try:
        parts = parse_template(template.source)
    except TemplateError as exc:
        # +1: the caret goes under the character, past the opening quote
        raise CompileProblem(f"invalid States.Format template: {exc}", 0, exc.offset + 1) from None
    wanted = parts.count(PLACEHOLDER)
    if wanted != len(args) - 1:
        raise CompileProblem(
            f"the States.Format template has {wanted} placeholder{'s' if wanted != 1 else ''} "
            f"but {len(args) - 1} value{'s' if len(args) != 2 else ''} {'was' if len(args) == 2 else 'were'} given")
    return parts


@intrinsic("States.Format", (STRING,), rest=ANY, result=STRING, check=_check_format)
def format_(call: IntrinsicCall, template: str, *values: Any) -> str:
    parts = call.prepared
    if parts is None:
        try:
            parts = parse_template(template)
        except TemplateError as exc:
            raise IntrinsicArgumentError(call.name, f"{exc} at offset {exc.offset} of the template") from None
    if parts.count(PLACEHOLDER) != len(values):
        raise IntrinsicArgumentError(
            call.name, f"the template has {parts.count(PLACEHOLDER)} placeholders for {len(values)} values")
    out = []
    k = 0
    for part in parts:
        if part is PLACEHOLDER:
            out.append(_render(call.args[k + 1], values[k]))
            k += 1
        else:
            out.append(part)
    return "".join(out)


def _render(node: Any, value: Any) -> str:
    # States.StringToJson yields a Jackson node, whose toString() is JSON: a string comes out
    # quoted (an AWS characterisation: States.Format('{}', States.StringToJson('"x"')) is not
    # 'x'). Every other value is a plain Java object: String.valueOf.
    if isinstance(node, IntrinsicCall) and node.name == "States.StringToJson":
        return jackson_json(value)
    return java_str(value)


@intrinsic("States.StringSplit", (STRING, STRING), result=ARRAY)
def string_split(call: IntrinsicCall, text: str, delimiters: str) -> list[str]:
    # Like java.util.StringTokenizer: every character of the second argument is a delimiter
    # and empty pieces are dropped (conformance cases TestStringOperations_test_string_split
    # 2, 3 and 6: ", , ," -> [" ", " "], ",,,," -> [], delimiter "T\n" splits on either).
    if not delimiters:
        return [text] if text else []
    first = delimiters[0]
    if len(delimiters) > 1:
        text = text.translate({ord(c): first for c in delimiters[1:]})
    return [piece for piece in text.split(first) if piece]
