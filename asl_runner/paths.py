"""JSONPath as Step Functions understands it, compiled once and evaluated many times.

A path starts at one of three roots: ``$`` (the state's input or result), ``$$`` (the context
object) or ``$name`` (a variable). Step Functions evaluates paths with Jayway JsonPath, so
its grammar, its semantics and its error wording are what we reproduce here:

* a *definite* path (names, single indexes, and a list of names as the last step) selects one
  value, and a miss is an error (``No results for path: $['a']`` when the last step misses,
  ``Missing property in path $['a']`` when an earlier one does);
* an *indefinite* path (wildcards, slices, index lists, ``..``, filters) selects a list of
  every match, empty when nothing matches;
* a *reference* path (names and single indexes only) is the definite kind that can also say
  where to write (ResultPath).

The grammar is Jayway's PathCompiler: surrounding whitespace is ignored; after the root comes
``.`` or ``[``; a dot may be followed by any token (``$.[0]``, ``$.['a']``, ``$..[0]``); a dot
name runs up to the next ``.``, ``[`` or ``(`` and may not contain a space. A list of quoted
names as the last step (``['a','b']``) selects one object holding those members, as Jayway
merges them.

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

# Step kinds. A step is a tuple (kind, *args):
#   (_KEY, name) (_INDEX, i) (_WILD,) (_SLICE, from, to) (_KEYS, names) (_MERGE, names)
#   (_INDEXES, indexes) (_DESC, target step, target is the last step) (_FILTER, expr)
#   (_FUNC, name)
# _KEYS is a list of names followed by more steps (the values, one by one); _MERGE is the same
# list as the last step (one object of those members).
_KEY, _INDEX, _WILD, _SLICE, _KEYS, _INDEXES, _DESC, _FILTER, _FUNC, _MERGE = range(10)

_FUNCTIONS = ("length", "min", "max", "avg", "sum")
_JAVA_INT = 2**31


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

    __slots__ = ("text", "root", "var", "steps", "definite", "is_reference")

    def __init__(self, text: str, root: str, var: str | None, steps: tuple, definite: bool,
                 is_reference: bool):
        self.text = text
        self.root = root
        self.var = var
        self.steps = steps
        self.definite = definite
        #: names and single indexes only: a path that can say where to write
        self.is_reference = is_reference

    def __repr__(self) -> str:
        return f"Path({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Path) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

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
                elif kind == _INDEX:
                    if type(value) is list:
                        try:
                            if arg >= 0 or -arg <= len(value):
                                value = value[arg]
                                continue
                        except IndexError:
                            pass
                    _miss(self.steps, i, value)
                else:  # _MERGE, always the last step
                    if type(value) is not dict:
                        _miss(self.steps, i, value)
                    value = {k: value[k] for k in arg if k in value}
            return value
        nodes = [value]
        for step in self.steps:
            nodes = _apply(step, nodes)
        if self.steps[-1][0] == _FUNC:
            return nodes[0]  # a function yields one value, not a list of matches
        return nodes


def _render(steps: tuple, upto: int) -> str:
    out = ["$"]
    for step in steps[:upto]:
        out.append(_render_step(step))
    return "".join(out)


def _render_step(step: tuple) -> str:
    kind = step[0]
    if kind == _KEY:
        return f"['{step[1]}']"
    if kind == _INDEX:
        return f"[{step[1]}]"
    if kind == _WILD:
        return "[*]"
    if kind in (_KEYS, _MERGE):
        return "[" + ",".join(f"'{k}'" for k in step[1]) + "]"
    if kind == _INDEXES:
        return "[" + ",".join(str(k) for k in step[1]) + "]"
    if kind == _SLICE:
        a, b = step[1], step[2]
        return f"[{'' if a is None else a}:{'' if b is None else b}]"
    if kind == _DESC:
        return ".." + _render_step(step[1])
    if kind == _FUNC:
        return f".{step[1]}()"
    return "[?]"


def _miss(steps: tuple, i: int, value: Any) -> None:
    kind, arg = steps[i]
    last = i == len(steps) - 1
    if kind in (_KEY, _MERGE) and type(value) is not dict:
        found = _java_type(value)
        raise PathNotFound(
            f"Expected to find an object with property {_render_step(steps[i])} in path "
            f"{_render(steps, i)} but found '{found}'. This is not a json object according to "
            "the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'."
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


def _jayway_slice(items: list, start: int | None, stop: int | None) -> list:
    """Jayway's three slice operations, which are not Python's: ``[a:]`` and ``[:b]`` count a
    negative bound from the end, ``[a:b]`` does not for ``b`` (``[1:-1]`` is empty), and an
    index that is negative on the way (``[-2:2]``) wraps around."""
    length = len(items)
    if stop is None:
        start = max(0, start + length if start < 0 else start)
        return items[start:]
    if start is None:
        stop = min(length, stop + length if stop < 0 else stop)
        return items[:max(0, stop)]
    out = []
    for i in range(start, min(length, stop)):
        j = i + length if i < 0 else i
        if 0 <= j < length:
            out.append(items[j])
    return out


def _scan_matches(target: tuple, node: Any) -> bool:
    """Which nodes Jayway's deep scan offers to the step after ``..``."""
    kind = target[0]
    if kind == _KEY:
        return type(node) is dict and target[1] in node
    if kind == _MERGE:
        return type(node) is dict and all(k in node for k in target[1])
    if kind in (_KEYS, _FILTER):
        # a filter's own test decides for objects; an array is never the '@' it tests, and
        # its elements are offered one by one anyway
        return type(node) is dict
    if kind in (_INDEX, _INDEXES, _SLICE):
        return type(node) is list
    return kind == _WILD


def _scan(node: Any, target: tuple, leaf: bool, out: list) -> None:
    """Recursive descent in Jayway's order: a node's own matches, then its children's. As in
    Jayway, a matching array under a step that is not the last hands its elements on to the
    next step (``$..[0].x`` reads ``x`` of every element)."""
    if type(node) is dict:
        children: Any = node.values()
    elif type(node) is list:
        children = node
    else:
        return
    if _scan_matches(target, node):
        if type(node) is list and not leaf:
            out.extend(node)
        else:
            out.extend(_apply(target, [node]))
    for child in children:
        _scan(child, target, leaf, out)


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
    elif kind == _MERGE:
        for n in nodes:
            if type(n) is dict:
                out.append({k: n[k] for k in step[1] if k in n})
    elif kind == _INDEXES:
        for n in nodes:
            if type(n) is list:
                out.extend(n[i] for i in step[1] if -len(n) <= i < len(n))
    elif kind == _SLICE:
        for n in nodes:
            if type(n) is list:
                out.extend(_jayway_slice(n, step[1], step[2]))
    elif kind == _DESC:
        for n in nodes:
            _scan(n, step[1], step[2], out)
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


def _trimmed(text: str) -> tuple[int, int]:
    """Where ``text`` starts and ends without surrounding whitespace, as Java's String.trim
    sees it (every character up to U+0020), which Jayway applies before parsing."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return start, end


def is_path(text: Any) -> bool:
    """Whether a ``.$`` value is meant as a path (whitespace around it is ignored)."""
    if not isinstance(text, str):
        return False
    start, end = _trimmed(text)
    return start < end and text[start] == "$"


def _is_name_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


class _Parser:
    """Jayway's PathCompiler, token by token: after the root, each token is a bracket
    (``[...]``), a dot or deep scan followed by a token, a wildcard, or a property name."""

    def __init__(self, text: str):
        self.text = text
        self.pos, self.end = _trimmed(text) if isinstance(text, str) else (0, 0)

    def fail(self, message: str) -> PathSyntaxError:
        return PathSyntaxError(f"invalid JSONPath '{self.text}': {message} at position {self.pos}")

    def parse(self) -> Path:
        t = self.text
        if not isinstance(t, str) or self.pos >= self.end or t[self.pos] != "$":
            raise PathSyntaxError(f"invalid JSONPath '{t}': a path starts with '$'")
        root, var = INPUT, None
        self.pos += 1
        if self.pos < self.end and t[self.pos] == "$":
            root = CONTEXT
            self.pos += 1
        elif self.pos < self.end and _is_name_start(t[self.pos]):
            start = self.pos
            while self.pos < self.end and (t[self.pos].isalnum() or t[self.pos] == "_"):
                self.pos += 1
            root, var = VARIABLE, t[start:self.pos]
        if self.pos < self.end and t[self.pos] not in ".[":
            if t[self.pos] in " \t\r\n":
                raise self.fail("unexpected whitespace")
            raise self.fail(f"unexpected character {t[self.pos]!r}, expected '.' or '['")
        if t[self.end - 1] == ".":
            self.pos = self.end - 1
            raise self.fail("a path must not end with '.' or '..'")
        steps: list[tuple] = []
        while self.pos < self.end:
            if steps and steps[-1][0] == _FUNC:
                raise self.fail("a function must end the path")
            steps.append(self._token())
        steps = _mark_last(steps)
        is_reference = all(s[0] in (_KEY, _INDEX) for s in steps)
        definite = is_reference or (all(s[0] in (_KEY, _INDEX) for s in steps[:-1])
                                    and steps[-1][0] == _MERGE)
        return Path(t, root, var, tuple(steps), definite, is_reference)

    # -- tokens ----------------------------------------------------------------------------

    def _token(self) -> tuple:
        t = self.text
        ch = t[self.pos]
        if ch == ".":
            if t.startswith("..", self.pos):
                self.pos += 2
                self._no_dot_next()
                return (_DESC, self._token(), False)
            self.pos += 1
            self._no_dot_next()
            return self._token()
        if ch == "[":
            return self._bracket()
        if ch == "*":
            self.pos += 1
            return (_WILD,)
        return self._name_or_function()

    def _no_dot_next(self) -> None:
        if self.pos >= self.end:
            raise self.fail("a path must not end with '.' or '..'")
        if self.text[self.pos] == ".":
            raise self.fail("unexpected '.'")

    def _name_or_function(self) -> tuple:
        t, start = self.text, self.pos
        while self.pos < self.end and t[self.pos] not in ".[(":
            if t[self.pos] == " ":
                # as Jayway: a name with spaces must be written in brackets, ['a b']
                raise self.fail("unexpected whitespace")
            self.pos += 1
        name = t[start:self.pos]
        if self.pos < self.end and t[self.pos] == "(":
            if name not in _FUNCTIONS:
                raise self.fail(f"unknown function {name}()")
            if not t.startswith("()", self.pos):
                raise self.fail(f"{name}() takes no arguments")
            self.pos += 2
            return (_FUNC, name)
        return (_KEY, name)

    def _significant(self, pos: int) -> int:
        """The position of the first character at or after ``pos`` that is not a space."""
        while pos < self.end and self.text[pos] == " ":
            pos += 1
        return pos

    def _bracket(self) -> tuple:
        t = self.text
        inner = self._significant(self.pos + 1)
        if inner >= self.end:
            raise self.fail("unterminated '['")
        ch = t[inner]
        if ch in "'\"":
            return self._names(inner)
        if ch.isdigit() or ch in "-:":
            return self._subscript()
        if ch == "*":
            close = self._significant(inner + 1)
            if close >= self.end or t[close] != "]":
                self.pos = inner + 1
                raise self.fail("expected ']' after '*'")
            self.pos = close + 1
            return (_WILD,)
        if ch == "?":
            return self._filter(inner)
        self.pos = inner
        raise self.fail(f"unexpected {ch!r} in '[...]': expected a quoted name, an index, a slice, "
                        "'*' or a filter '?(...)'")

    def _names(self, at: int) -> tuple:
        t = self.text
        names = []
        while True:
            names.append(self._quoted(at))
            at = self._significant(self.pos)
            if at < self.end and t[at] == ",":
                at = self._significant(at + 1)
                if at >= self.end or t[at] not in "'\"":
                    self.pos = at
                    raise self.fail("expected a quoted name after ','")
                continue
            if at < self.end and t[at] == "]":
                self.pos = at + 1
                break
            self.pos = at
            raise self.fail("expected ',' or ']' after a quoted name")
        return (_KEY, names[0]) if len(names) == 1 else (_KEYS, tuple(names))

    def _quoted(self, at: int) -> str:
        """A quoted name. A backslash stops the next character from closing the name but is
        kept, with that character, as part of it: on AWS ``$['Test\\""Name"']`` names the key
        ``Test\\""Name"`` (recorded by LocalStack's test_escape_sequence_parsing)."""
        t = self.text
        quote = t[at]
        i = at + 1
        while i < self.end:
            c = t[i]
            if c == "\\":
                i += 2
                continue
            if c == quote:
                self.pos = i + 1
                return t[at + 1:i]
            i += 1
        self.pos = at
        raise self.fail("unterminated quoted name")

    def _subscript(self) -> tuple:
        """``[1]``, ``[1,2]``, ``[1:2]``, ``[:2]``, ``[1:]``, as Jayway reads them: spaces
        ignored, and a third part of a slice ignored (Jayway has no step)."""
        t = self.text
        end = t.find("]", self.pos, self.end)
        if end < 0:
            raise self.fail("unterminated '['")
        body = t[self.pos + 1:end].replace(" ", "")
        where = self.pos
        self.pos = end + 1
        try:
            if body.strip("0123456789,-:"):
                raise ValueError
            if ":" in body:
                parts = body.split(":")
                while parts and parts[-1] == "":  # Java's split drops trailing empty parts
                    parts.pop()
                start = _java_int(parts[0]) if parts and parts[0] else None
                stop = _java_int(parts[1]) if len(parts) > 1 and parts[1] else None
                if start is None and stop is None:
                    raise ValueError
                return (_SLICE, start, stop)
            indexes = tuple(_java_int(p) for p in body.split(","))
            return (_INDEX, indexes[0]) if len(indexes) == 1 else (_INDEXES, indexes)
        except ValueError:
            self.pos = where
            raise self.fail(f"invalid subscript [{body}]") from None

    def _filter(self, at: int) -> tuple:
        t = self.text
        depth, i, quote = 0, at + 1, None
        while i < self.end:
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
        expression = t[at:i].rstrip(" ")
        if expression == "?":
            raise self.fail("a '[?]' placeholder needs a filter '[?(...)]' in a definition")
        self.pos = i + 1
        try:
            from jsonpath_ng.ext import parse as ng_parse

            compiled = ng_parse(f"$[{expression}]")
        except Exception as exc:  # jsonpath-ng raises several unrelated types
            raise self.fail(f"invalid filter {expression!r} ({exc})") from None
        return (_FILTER, compiled)


def _java_int(text: str) -> int:
    value = int(text)  # ValueError for '', '-', '1-2', ...
    if not -_JAVA_INT <= value < _JAVA_INT:
        raise ValueError(text)
    return value


def _mark_last(steps: list[tuple]) -> list[tuple]:
    """What depends on being the last step: a list of names there is merged into one object,
    and a deep scan's target there is evaluated on matching arrays themselves."""
    if not steps:
        return steps
    last = steps[-1]
    if last[0] == _KEYS:
        steps[-1] = (_MERGE, last[1])
    elif last[0] == _DESC:
        target = last[1]
        if target[0] == _KEYS:
            target = (_MERGE, target[1])
        steps[-1] = (_DESC, target, True)
    return steps


class PathAssignError(LookupError):
    """ResultPath could not place the result (a step crosses a non-object)."""


def put(doc: Any, path: Path, value: Any) -> Any:
    """A copy of ``doc`` with ``value`` placed at the reference ``path`` (ResultPath semantics).

    Missing objects along the way are created; containers on the way are copied, everything
    else is shared. ``$`` alone replaces the whole document.
    """
    if not path.is_reference:
        raise PathAssignError(f"Unable to apply ResultPath '{path.text}': it is not a reference path")
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
