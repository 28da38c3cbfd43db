"""YAML as CloudFormation reads it: the short forms of intrinsic functions (``!Sub``,
``!GetAtt``, ``!Ref``, ...) become their long JSON forms, and dates stay text.

PyYAML (well kept, and in C where libyaml is installed) is imported only here, that is only
for a YAML file: a JSON definition's run never loads it.
"""

from __future__ import annotations

from typing import Any

from . import TemplateError


def _loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CloudFormationLoader(base):  # type: ignore[misc, valid-type]
        pass

    def short_form(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        if suffix == "GetAtt" and isinstance(value, str):
            # !GetAtt Resource.Attribute (the attribute may hold dots: Endpoint.Address)
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    CloudFormationLoader.add_multi_constructor("!", short_form)
    # CloudFormation reads 2010-09-09 as text, not as a date (YAML 1.1's timestamp)
    CloudFormationLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                         lambda loader, node: loader.construct_scalar(node))
    return CloudFormationLoader


_LOADER: type | None = None
#: the most values a YAML document may expand to: aliases share one value in memory, but JSON
#: (and everything after it) writes each use out; 9 aliases of 9 aliases, 9 deep, is 387
#: million values from 300 bytes
MAX_VALUES = 2_000_000
#: as deep as a JSON definition may nest (AWS's parser, and jsonvalue.MAX_DEPTH)
MAX_DEPTH = 1000


def _expansion_problem(document: Any) -> str | None:
    """Why ``document`` cannot be written out as JSON (an alias inside itself, too many values
    once aliases are expanded, too deep), or None. Linear in the distinct values: each
    container's expanded size is computed once."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        value, done = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        key = id(value)
        children = [v for v in (value.values() if isinstance(value, dict) else value)
                    if isinstance(v, (dict, list))]
        if done:
            on_path.discard(key)
            sizes[key] = len(value) + 1 + sum(sizes[id(c)] for c in children)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            if sizes[key] > MAX_VALUES:
                return f"the document expands to more than {MAX_VALUES:,} values (YAML aliases)"
            if depths[key] > MAX_DEPTH:
                return f"the document nests deeper than {MAX_DEPTH} levels"
            continue
        if key in sizes:
            continue
        if key in on_path:
            return "a YAML alias is used inside the value it names"
        on_path.add(key)
        stack.append((value, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return None


def parse_yaml(text: str, path: str) -> Any:
    """The YAML document ``text`` (the file ``path``) as JSON values."""
    global _LOADER
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        raise TemplateError(path, "", "reading YAML needs PyYAML: pip install PyYAML") from None
    if _LOADER is None:
        _LOADER = _loader()
    try:
        document = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise TemplateError(path, "", f"not valid YAML: it nests deeper than {MAX_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise TemplateError(path, where, f"not valid YAML: {context + ': ' if context else ''}"
                                         f"{problem}") from None
    except Exception as exc:  # a tagged value its constructor refuses: !!int x, !!bool maybe
        raise TemplateError(path, "", f"not valid YAML: {type(exc).__name__}: {exc}") from None
    problem = _expansion_problem(document)
    if problem is not None:
        raise TemplateError(path, "", problem)
    return document
