"""Text -> IntrinsicCall: the lark parse, the tree-to-node conversion and the load-time checks.

Imported only when a definition has an intrinsic, because lark itself takes tens of
milliseconds to import. The LALR tables are cached on disk between processes.
"""

from __future__ import annotations

import os
from pathlib import Path as FsPath
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..jsonvalue import type_label
from ..paths import PathSyntaxError, compile_path
from .exceptions import IntrinsicArgumentError, IntrinsicSyntaxError
from .nodes import IntrinsicCall, Literal, PathArg
from .signatures import ANY, CompileProblem, describe, has_type, load_registry

_GRAMMAR = FsPath(__file__).with_name("grammar.lark")
#: AWS: "You can nest up to 10 intrinsic functions within a field". Its example counts nine
#: calls in a field that nests five deep, so the limit may be on the count; it is applied to
#: the depth, the reading that refuses nothing the other accepts.
MAX_NESTING = 10
_parser: Lark | None = None


def _cache_file() -> str | bool:
    # A per-user directory, not the shared temp dir: lark's cache is a pickle, and loading a
    # pickle someone else could have written there would run their code.
    try:
        import sys

        import lark

        base = FsPath(os.environ.get("XDG_CACHE_HOME") or FsPath.home() / ".cache") / "asl-runner"
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        return str(base / f"intrinsics-lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}.cache")
    except (OSError, RuntimeError):
        return False


def get_parser() -> Lark:
    global _parser
    if _parser is None:
        # lark checks the grammar's hash stored in the cache file and rebuilds when it differs.
        _parser = Lark(_GRAMMAR.read_text(encoding="utf-8"), parser="lalr",
                       maybe_placeholders=False, cache=_cache_file())
    return _parser


_EXPECTED = {"RPAR": "')'", "LPAR": "'('", "COMMA": "','", "FUNCTION": "an intrinsic function call",
             "STRING": "a string", "NUMBER": "a number", "PATH": "a path", "TRUE": "true",
             "FALSE": "false", "NULL": "null"}


def _expected(names: set[str]) -> str:
    words = sorted({_EXPECTED.get(n, n) for n in names})
    if len(words) > 3 and "a path" in words:
        return "an argument (a path, a literal or an intrinsic function call)"
    return " or ".join(words)


def _syntax_error(exc: UnexpectedInput, text: str) -> IntrinsicSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream]
        if char == "'":
            message = "unterminated string"
        elif char == "\\":
            message = "unexpected '\\' outside a string"
        else:
            message = f"unexpected character {char!r}"
        return IntrinsicSyntaxError(message, text, exc.pos_in_stream + 1)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        expected = getattr(exc, "expected", None) or set()
        tail = f", expected {_expected(set(expected))}" if expected else ""
        return IntrinsicSyntaxError(f"unexpected end of the call{tail}", text, len(text) + 1)
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    message = f"unexpected {token.value!r}, expected {_expected(set(exc.expected))}"
    return IntrinsicSyntaxError(message, text, (token.start_pos or 0) + 1)


def compile_call(text: str) -> IntrinsicCall:
    """Parse and check ``text``; raises IntrinsicSyntaxError."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(f"an intrinsic call must be a string, not {type(text).__name__}", "", 1)
    _refuse_runaway_nesting(text)
    try:
        tree = get_parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    return _Builder(text).call(tree.children[0])


def _refuse_runaway_nesting(text: str) -> None:
    """Refuse, before parsing, a call whose parentheses nest far beyond MAX_NESTING: parsing a
    megabyte of them would take seconds. Parentheses inside strings and quoted path names do
    not count; the exact limit (calls only, not a path's ``length()`` or filters) is checked
    on the parse tree."""
    depth = 0
    quote = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
            if depth > 4 * MAX_NESTING:
                raise IntrinsicSyntaxError(f"intrinsic functions nest more than {MAX_NESTING} deep "
                                           f"here; AWS allows at most {MAX_NESTING} nested in a field",
                                           text, i + 1)
        elif c == ")":
            depth -= 1
        i += 1


class _Builder:
    """Turns the lark tree into nodes and checks each call against its signature."""

    def __init__(self, text: str):
        self.text = text
        self.registry = load_registry()

    def fail(self, message: str, position: int | None) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(message, self.text, (position or 0) + 1)

    def call(self, tree: Tree, level: int = 1) -> IntrinsicCall:
        """``level``: how deeply the call is nested in other calls (the outermost is 1)."""
        name_token, *arg_trees = tree.children
        name = str(name_token)
        at = name_token.start_pos
        if level > MAX_NESTING:
            raise self.fail(f"intrinsic functions nest more than {MAX_NESTING} deep here; AWS allows "
                            f"at most {MAX_NESTING} nested in a field", at)
        signature = self.registry.get(name)
        if signature is None:
            raise self.fail(f"{name} is not an intrinsic function", at)
        args = tuple(self.arg(t, level) for t in arg_trees)
        problem = signature.arity_problem(len(args))
        if problem:
            raise self.fail(problem, at)
        for i, arg in enumerate(args):
            self.check_type(signature.name, i, signature.param_type(i), arg)
        prepared = None
        if signature.check is not None:
            try:
                prepared = signature.check(args)
            except CompileProblem as exc:
                where = args[exc.arg].column + exc.offset if exc.arg is not None else at
                raise self.fail(exc.message, where) from None
        node = IntrinsicCall(name, args, at, prepared, signature)
        if _is_constant(node):
            # Nothing in the call depends on the input: if it can only fail, say so now.
            try:
                node.evaluate(None, None)
            except IntrinsicArgumentError as exc:
                raise self.fail(f"{name} cannot succeed: {exc.reason}", at) from None
        return node

    def check_type(self, function: str, index: int, expected: str, arg: Any) -> None:
        if expected == ANY:
            return
        if isinstance(arg, Literal) and not has_type(arg.value, expected):
            raise self.fail(f"argument {index + 1} of {function} must be {describe(expected)}, "
                            f"not {type_label(arg.value)}", arg.column)
        if isinstance(arg, IntrinsicCall):
            result = arg.signature.result  # type: ignore[union-attr]
            if result != ANY and result != expected:
                raise self.fail(f"argument {index + 1} of {function} must be {describe(expected)}, "
                                f"but {arg.name} returns {describe(result)}", arg.column)

    def arg(self, tree: Tree, level: int) -> Any:
        kind = tree.data
        if kind == "call":
            return self.call(tree, level + 1)
        token: Token = tree.children[0]
        if kind in _KEYWORDS:
            return Literal(_KEYWORDS[kind], column=token.start_pos)
        if kind == "string":
            source = token.value[1:-1]
            return Literal(self.unescape(source, token.start_pos + 1), source, token.start_pos)
        if kind == "number":
            raw = token.value
            value = float(raw) if any(c in raw for c in ".eE") else int(raw)
            if value in (_INF, -_INF):
                raise self.fail(f"the number {raw} is out of range", token.start_pos)
            return Literal(value, column=token.start_pos)
        try:
            return PathArg(compile_path(token.value), token.start_pos)
        except PathSyntaxError as exc:
            raise self.fail(str(exc), token.start_pos) from None

    def unescape(self, source: str, offset: int) -> str:
        if "\\" not in source:
            return source
        out = []
        i = 0
        while i < len(source):
            c = source[i]
            if c == "\\":
                nxt = source[i + 1]  # the STRING token never ends with a lone backslash
                if nxt not in "'{}\\":
                    raise self.fail(f"invalid escape sequence '\\{nxt}' in a string: only \\', \\{{, "
                                    "\\} and \\\\ are allowed", offset + i)
                out.append(nxt)
                i += 2
            else:
                out.append(c)
                i += 1
        return "".join(out)


_KEYWORDS = {"true": True, "false": False, "null": None}
_INF = float("inf")


def _is_constant(node: Any) -> bool:
    if isinstance(node, Literal):
        return True
    if isinstance(node, IntrinsicCall):
        return node.signature.deterministic and all(_is_constant(a) for a in node.args)  # type: ignore[union-attr]
    return False
