"""Payload templates: Parameters, ResultSelector, ItemSelector and Assign in JSONPath mode.

A template is JSON in which a key ending in ``.$`` takes its value from a path (``$.x``,
``$$.x``, ``$var``) or an intrinsic call (``States.Format(...)``). It is compiled once into a
tree of nodes; static subtrees become constants that evaluation shares without copying.
"""

from __future__ import annotations

from typing import Any

from .errors import DataFlowError
from .jsonvalue import dumps
from .paths import Env, Path, PathNotFound, PathSyntaxError, compile_path, is_path


class TemplateError(ValueError):
    """A template that cannot be compiled; ``pointer`` is relative to the template's root."""

    def __init__(self, pointer: str, message: str):
        self.pointer = pointer
        self.message = message
        super().__init__(f"{pointer}: {message}")


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def evaluate(self, doc: Any, env: Env | None) -> Any:
        return self.value


class _PathValue:
    __slots__ = ("field", "path")

    def __init__(self, field: str, path: Path):
        self.field = field
        self.path = path

    def evaluate(self, doc: Any, env: Env | None) -> Any:
        try:
            return self.path.select(doc, env)
        except PathNotFound:
            raise DataFlowError(
                f"The JSONPath '{self.path.text}' specified for the field '{self.field}' "
                f"could not be found in the input '{dumps(doc)}'"
            ) from None


class _Call:
    __slots__ = ("field", "call")

    def __init__(self, field: str, call: Any):
        self.field = field
        self.call = call

    def evaluate(self, doc: Any, env: Env | None) -> Any:
        from .intrinsics import IntrinsicPathNotFound

        try:
            return self.call.evaluate(doc, env)
        except IntrinsicPathNotFound as exc:
            raise exc.for_field(self.field) from None


class _Object:
    __slots__ = ("items",)

    def __init__(self, items: tuple):
        self.items = items

    def evaluate(self, doc: Any, env: Env | None) -> Any:
        return {key: node.evaluate(doc, env) for key, node in self.items}


class _Array:
    __slots__ = ("nodes",)

    def __init__(self, nodes: tuple):
        self.nodes = nodes

    def evaluate(self, doc: Any, env: Env | None) -> Any:
        return [node.evaluate(doc, env) for node in self.nodes]


class Template:
    """A compiled payload template. ``evaluate(doc, env)`` builds the payload."""

    __slots__ = ("source", "_root")

    def __init__(self, source: Any, root: Any):
        self.source = source
        self._root = root

    @property
    def is_static(self) -> bool:
        return isinstance(self._root, _Const)

    def evaluate(self, doc: Any, env: Env | None = None) -> Any:
        return self._root.evaluate(doc, env)


def compile_template(source: Any) -> Template:
    """Compile a template; raises TemplateError naming the offending field."""
    return Template(source, _compile(source, ""))


def compile_dynamic_value(field: str, text: Any, pointer: str = "") -> Any:
    """Compile the value of a ``.$`` field: a path or an intrinsic call."""
    if not isinstance(text, str):
        raise TemplateError(pointer, f"the value of the field '{field}' must be a string holding "
                                     "a JSONPath or an intrinsic function call")
    if is_path(text):
        try:
            return _PathValue(field, compile_path(text))
        except PathSyntaxError as exc:
            raise TemplateError(pointer, f"the value for the field '{field}' must be a valid "
                                         f"JSONPath ({exc})") from None
    if text.startswith("States."):
        from .intrinsics import IntrinsicSyntaxError, compile_intrinsic

        try:
            return _Call(field, compile_intrinsic(text))
        except IntrinsicSyntaxError as exc:
            raise TemplateError(pointer, f"the value for the field '{field}' is not a valid "
                                         f"intrinsic function call: {exc}") from None
    raise TemplateError(pointer, f"the value for the field '{field}' must be a valid JSONPath "
                                 "or a valid intrinsic function call")


def _compile(source: Any, pointer: str) -> Any:
    if isinstance(source, dict):
        items = []
        dynamic = False
        for key, value in source.items():
            where = f"{pointer}/{escape_pointer(key)}"
            if key.endswith(".$"):
                items.append((key[:-2], compile_dynamic_value(key, value, where)))
                dynamic = True
            else:
                node = _compile(value, where)
                dynamic = dynamic or not isinstance(node, _Const)
                items.append((key, node))
        if not dynamic:
            return _Const(source)
        return _Object(tuple(items))
    if isinstance(source, list):
        nodes = tuple(_compile(v, f"{pointer}/{i}") for i, v in enumerate(source))
        if all(isinstance(n, _Const) for n in nodes):
            return _Const(source)
        return _Array(nodes)
    return _Const(source)
