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
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise TemplateError(path, where, f"not valid YAML: {context + ': ' if context else ''}"
                                         f"{problem}") from None
