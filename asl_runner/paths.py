"""JSONPath as Step Functions understands it, compiled once and evaluated many times.

A path starts at one of three roots: ``$`` (the state's input or result), ``$$`` (the context
object) or ``$name`` (a variable). Step Functions evaluates paths with Jayway JsonPath, so
its semantics and its error wording are what we reproduce here:

* a *definite* path (only names and single indexes) selects one value, and a miss is an error
  (``No results for path: $['a']`` when the last step misses, ``Missing property in path
  $['a']`` when an earlier one does);
* an *indefinite* path (wildcards, slices, unions, ``..``, filters) selects a list of every
  match, empty when nothing matches.

Names, indexes, wildcards, slices, unions and recursive descent are evaluated by the small
step machine below: they are 95% of real paths and the engine's hot loop runs them, so they
must not pay jsonpath-ng's per-match object overhead. Filter expressions (``[?(@.x > 1)]``)
are delegated to jsonpath-ng's extended parser, imported only when a definition has one.
"""

from __future__ import annotations

from typing import Any, Protocol

INPUT = "input"
CONTEXT = "context"
VARIABLE = "variable"

# step kinds
_KEY, _INDEX, _WILD, _SLICE, _KEYS, _INDEXES, _DESC, _FILTER, _FUNC = range(9)

_FUNCTIONS = ("length", "min", "max", "avg", "sum")


class PathSyntaxError(ValueError):
    """The text is not a JSONPath Step Functions would accept."""


class PathNotFound(LookupError):
    """A definite path selected nothing; the message uses Jayway's wording."""


class Env(Protocol):
    """What a path needs besides the document: the context object and variables."""

    @property
    def context(self) -> Any: ...

    def variable(self, name: str) -> Any: ...


class Path:
    """A compiled JSONPath. Immutable; evaluation never parses."""

    __slots__ = ("text", "root", "var", "steps", "definite")

    def __init__(self, text: str, root: str, var: str | None, steps: tuple, definite: bool):
        self.text = text
        self.root = root
        self.var = var
        self.steps = steps
        self.definite = definite

    def __repr__(self) -> str:
        return f"Path({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Path) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def is_root(self) -> bool:
        """``$`` (or ``$$``, ``$var``) alone."""
        return not self.steps

    @property
    def names(self) -> tuple[str | int, ...]:
        """The keys/indexes of a definite path, in order."""
        return tuple(s[1] for s in self.steps)

    def base(self, doc: Any, env: Env | None) -> Any:
        """The value the path starts from."""
        if self.root is INPUT:
            return doc
        if env is None:
            raise PathNotFound(f"No context available for path {self.text}")
        if self.root is CONTEXT:
            return env.context
        return env.variable(self.var)

    def select(self, doc: Any, env: Env | None = None) -> Any:
        """Evaluate against ``doc`` (for ``$``) or the env's context/variables."""
        return self.find(self.base(doc, env))

    def find(self, value: Any) -> Any:
        """Evaluate the steps from ``value`` (already at the path's root)."""
        if self.definite:
            for i, (kind, arg) in enumerate(self.steps):
                if kind == _KEY:
                    if type(value) is dict:
                        try:
                            value = value[arg]
                            continue
                        except KeyError:
                            pass
                    _miss(self.steps, i, value)
                else:
                    if type(value) is list:
                        try:
                            if arg >= 0 or -arg <= len(value):
                                value = value[arg]
                                continue
                        except IndexError:
                            pass
                    _miss(self.steps, i, value)
            return value
        nodes = [value]
        for step in self.steps:
            nodes = _apply(step, nodes)
        if self.steps[-1][0] == _FUNC:
            return nodes[0]  # a function yields one value, not a list of matches
        return nodes

    def find_all(self, value: Any) -> list:
        """Every match as a list, whatever the kind of path (a miss gives ``[]``)."""
        if self.definite:
            try:
                return [self.find(value)]
            except PathNotFound:
                return []
        return self.find(value)


def _render(steps: tuple, upto: int) -> str:
    out = ["$"]
    for kind, *args in steps[:upto]:
        out.append(_render_step(kind, args))
    return "".join(out)


def _render_step(kind: int, args: list) -> str:
    if kind == _KEY:
        return f"['{args[0]}']"
    if kind == _INDEX:
        return f"[{args[0]}]"
    if kind == _WILD:
        return "[*]"
    if kind == _KEYS:
        return "[" + ",".join(f"'{k}'" for k in args[0]) + "]"
    if kind == _INDEXES:
        return "[" + ",".join(str(k) for k in args[0]) + "]"
    if kind == _SLICE:
        a, b, _c = args
        return f"[{'' if a is None else a}:{'' if b is None else b}]"
    if kind == _DESC:
        return f"..['{args[0]}']" if args[0] is not None else "..[*]"
    if kind == _FUNC:
        return f".{args[0]}()"
    return "[?]"


def _miss(steps: tuple, i: int, value: Any) -> None:
    kind, arg = steps[i]
    last = i == len(steps) - 1
    if kind == _KEY and type(value) is not dict:
        found = _java_type(value)
        raise PathNotFound(
            f"Expected to find an object with property ['{arg}'] in path {_render(steps, i)} "
            f"but found '{found}'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'."
        )
    if kind == _INDEX and type(value) is not list:
        raise PathNotFound(
            f"Filter: [{arg}] can only be applied to arrays. Current context is: {_short(value)}"
        )
    if last:
        raise PathNotFound(f"No results for path: {_render(steps, i + 1)}")
    raise PathNotFound(f"Missing property in path {_render(steps, i + 1)}")


def _java_type(value: Any) -> str:
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float):
        return "java.lang.Double"
    return "null"


def _short(value: Any) -> str:
    from .jsonvalue import dumps

    text = dumps(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _children(value: Any) -> list:
    if type(value) is dict:
        return list(value.values())
    if type(value) is list:
        return value
    return []


def _descend(value: Any, name: str | None, out: list) -> None:
    """Recursive descent in Jayway's order: a node's own match, then its children's."""
    if type(value) is dict:
        if name is None:
            out.extend(value.values())
        elif name in value:
            out.append(value[name])
        for v in value.values():
            _descend(v, name, out)
    elif type(value) is list:
        if name is None:
            out.extend(value)
        for v in value:
            _descend(v, name, out)


def _apply(step: tuple, nodes: list) -> list:
    kind = step[0]
    out: list = []
    if kind == _KEY:
        name = step[1]
        for n in nodes:
            if type(n) is dict and name in n:
                out.append(n[name])
    elif kind == _INDEX:
        i = step[1]
        for n in nodes:
            if type(n) is list and -len(n) <= i < len(n):
                out.append(n[i])
    elif kind == _WILD:
        for n in nodes:
            out.extend(_children(n))
    elif kind == _KEYS:
        for n in nodes:
            if type(n) is dict:
                out.extend(n[k] for k in step[1] if k in n)
    elif kind == _INDEXES:
        for n in nodes:
            if type(n) is list:
                out.extend(n[i] for i in step[1] if -len(n) <= i < len(n))
    elif kind == _SLICE:
        s = slice(step[1], step[2], step[3])
        for n in nodes:
            if type(n) is list:
                out.extend(n[s])
    elif kind == _DESC:
        for n in nodes:
            _descend(n, step[1], out)
    elif kind == _FILTER:
        expr = step[1]
        for n in nodes:
            if type(n) is list:
                out.extend(m.value for m in expr.find(n))
            elif type(n) is dict:
                out.extend(m.value for m in expr.find([n]))
    elif kind == _FUNC:
        return [_function(step[1], nodes)]
    return out


def _function(name: str, nodes: list) -> Any:
    # Jayway applies a trailing function to the single array selected before it.
    values = nodes[0] if len(nodes) == 1 and isinstance(nodes[0], (list, dict, str)) else nodes
    if name == "length":
        return len(values)
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not nums:
        raise PathNotFound(f"Aggregation function attempted to calculate value using empty array: {name}()")
    if name == "min":
        return min(nums)
    if name == "max":
        return max(nums)
    if name == "sum":
        return sum(nums)
    return sum(nums) / len(nums)


# ----------------------------------------------------------------------------------------------
# compilation
# ----------------------------------------------------------------------------------------------

_cache: dict[str, Path] = {}


def compile_path(text: str) -> Path:
    """Compile a JSONPath (``$...``, ``$$...`` or ``$var...``); raises PathSyntaxError."""
    path = _cache.get(text)
    if path is None:
        path = _cache[text] = _Parser(text).parse()
    return path


def is_path(text: Any) -> bool:
    return isinstance(text, str) and text.startswith("$")


def _is_name_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> PathSyntaxError:
        return PathSyntaxError(f"invalid JSONPath '{self.text}': {message} at position {self.pos}")

    def parse(self) -> Path:
        t = self.text
        if not isinstance(t, str) or not t.startswith("$"):
            raise PathSyntaxError(f"invalid JSONPath '{t}': a path starts with '$'")
        root, var = INPUT, None
        self.pos = 1
        if t.startswith("$$"):
            root, self.pos = CONTEXT, 2
        elif len(t) > 1 and _is_name_start(t[1]):
            end = 1
            while end < len(t) and (t[end].isalnum() or t[end] == "_"):
                end += 1
            root, var, self.pos = VARIABLE, t[1:end], end
        steps: list[tuple] = []
        while self.pos < len(t):
            ch = t[self.pos]
            if ch == ".":
                if t.startswith("..", self.pos):
                    self.pos += 2
                    steps.append(self._descent())
                else:
                    self.pos += 1
                    steps.append(self._dot_member())
            elif ch == "[":
                steps.append(self._bracket())
            elif ch in " \t\r\n":
                raise self.fail("unexpected whitespace")
            else:
                raise self.fail(f"unexpected character {ch!r}")
            if steps[-1][0] == _FUNC and self.pos < len(t):
                raise self.fail("a function must end the path")
        definite = all(s[0] in (_KEY, _INDEX) for s in steps)
        return Path(t, root, var, tuple(steps), definite)

    def _name(self) -> str:
        t, start = self.text, self.pos
        while self.pos < len(t) and t[self.pos] not in ".[]() \t\r\n'\"":
            self.pos += 1
        if self.pos == start:
            raise self.fail("expected a property name")
        return t[start:self.pos]

    def _dot_member(self) -> tuple:
        t = self.text
        if self.pos < len(t) and t[self.pos] == "*":
            self.pos += 1
            return (_WILD,)
        name = self._name()
        if t.startswith("()", self.pos):
            if name not in _FUNCTIONS:
                raise self.fail(f"unknown function {name}()")
            self.pos += 2
            return (_FUNC, name)
        return (_KEY, name)

    def _descent(self) -> tuple:
        t = self.text
        if self.pos < len(t) and t[self.pos] == "*":
            self.pos += 1
            return (_DESC, None)
        if self.pos < len(t) and t[self.pos] == "[":
            step = self._bracket()
            if step[0] == _KEY:
                return (_DESC, step[1])
            if step[0] == _WILD:
                return (_DESC, None)
            raise self.fail("only a name or '*' may follow '..'")
        return (_DESC, self._name())

    def _bracket(self) -> tuple:
        t = self.text
        self.pos += 1  # '['
        if self.pos >= len(t):
            raise self.fail("unterminated '['")
        ch = t[self.pos]
        if ch == "*":
            self.pos += 1
            self._expect("]")
            return (_WILD,)
        if ch in "'\"":
            keys = [self._quoted()]
            while self._peek_skip_ws() == ",":
                self.pos += 1
                self._skip_ws()
                keys.append(self._quoted())
            self._skip_ws()
            self._expect("]")
            return (_KEY, keys[0]) if len(keys) == 1 else (_KEYS, tuple(keys))
        if ch == "?":
            return self._filter()
        end = t.find("]", self.pos)
        if end < 0:
            raise self.fail("unterminated '['")
        body = t[self.pos:end].replace(" ", "")
        self.pos = end + 1
        try:
            if ":" in body:
                parts = body.split(":")
                if len(parts) > 3:
                    raise ValueError
                nums = [int(p) if p else None for p in parts] + [None] * (3 - len(parts))
                return (_SLICE, nums[0], nums[1], nums[2])
            if "," in body:
                return (_INDEXES, tuple(int(p) for p in body.split(",")))
            return (_INDEX, int(body))
        except ValueError:
            raise self.fail(f"invalid subscript [{body}]") from None

    def _filter(self) -> tuple:
        t = self.text
        start = self.pos  # at '?'
        depth, i, quote = 0, self.pos + 1, None
        while i < len(t):
            c = t[i]
            if quote:
                if c == quote:
                    quote = None
            elif c in "'\"":
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "]" and depth == 0:
                break
            i += 1
        else:
            raise self.fail("unterminated filter expression")
        expression = t[start:i]
        self.pos = i + 1
        try:
            from jsonpath_ng.ext import parse as ng_parse

            compiled = ng_parse(f"$[{expression}]")
        except Exception as exc:  # jsonpath-ng raises several unrelated types
            raise self.fail(f"invalid filter {expression!r} ({exc})") from None
        return (_FILTER, compiled)

    def _quoted(self) -> str:
        t = self.text
        quote = t[self.pos]
        if quote not in "'\"":
            raise self.fail("expected a quoted name")
        out, i = [], self.pos + 1
        while i < len(t):
            c = t[i]
            if c == "\\" and i + 1 < len(t):
                out.append(t[i + 1])
                i += 2
                continue
            if c == quote:
                self.pos = i + 1
                return "".join(out)
            out.append(c)
            i += 1
        raise self.fail("unterminated quoted name")

    def _skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def _peek_skip_ws(self) -> str:
        self._skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expect(self, ch: str) -> None:
        if self.pos >= len(self.text) or self.text[self.pos] != ch:
            raise self.fail(f"expected {ch!r}")
        self.pos += 1


class PathAssignError(LookupError):
    """ResultPath could not place the result (a step crosses a non-object)."""


def put(doc: Any, path: Path, value: Any) -> Any:
    """A copy of ``doc`` with ``value`` placed at the definite ``path`` (ResultPath semantics).

    Missing objects along the way are created; containers on the way are copied, everything
    else is shared. ``$`` alone replaces the whole document.
    """
    return _put(doc, path.steps, 0, value, path)


def _put(node: Any, steps: tuple, i: int, value: Any, path: Path) -> Any:
    if i == len(steps):
        return value
    kind, arg = steps[i]
    if kind == _KEY:
        if node is None and i > 0:
            node = {}
        if type(node) is not dict:
            raise PathAssignError(
                f"Unable to apply ResultPath '{path.text}': {_render(steps, i)} is not an object"
            )
        new = dict(node)
        new[arg] = _put(node.get(arg), steps, i + 1, value, path)
        return new
    if type(node) is not list or not -len(node) <= arg < len(node):
        raise PathAssignError(
            f"Unable to apply ResultPath '{path.text}': no array element at {_render(steps, i + 1)}"
        )
    new = list(node)
    new[arg] = _put(node[arg], steps, i + 1, value, path)
    return new
