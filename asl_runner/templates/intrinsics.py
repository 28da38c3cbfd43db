"""CloudFormation's intrinsic functions, evaluated to local values.

``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join`` and the rest resolve as CloudFormation
would resolve them in asl-runner's account (123456789012, us-east-1): a parameter is what
``subs`` says, else its Default; a resource is what :mod:`.resources` says it is locally.
What has no local value (a parameter without a Default, ``Fn::ImportValue``, a resource type
asl-runner does not model) is :class:`Unresolved`; in text it becomes the token ``${name}``,
so that it ends up a placeholder of the definition, reported, rather than an error.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..jsonvalue import dumps
from . import TemplateError
from .substitution import ACCOUNT, REGION, TOKEN

STACK_NAME = "local"
PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/"
                    "00000000-0000-4000-8000-000000000000",
    "AWS::NotificationARNs": [],
}
#: the zones Fn::GetAZs gives for the local region (moto's for us-east-1)
ZONES = [f"{REGION}{z}" for z in "abcdef"]


class Unresolved:
    """A value with no local meaning; ``token`` is what ``${...}`` it becomes in text."""

    __slots__ = ("reason", "token")

    def __init__(self, token: str, reason: str):
        self.token = token
        self.reason = reason

    def __str__(self) -> str:
        return "${" + self.token + "}"


class _NoValue:
    """``Ref: AWS::NoValue``: the property (or list item) is removed."""


NO_VALUE = _NoValue()


class Resolver:
    def __init__(self, template: Mapping[str, Any], path: str, subs: Mapping[str, str]):
        self.path = path
        self.subs = subs
        self.parameters = _section(template, "Parameters")
        self.resources = _section(template, "Resources")
        self.mappings = _section(template, "Mappings")
        self.conditions = _section(template, "Conditions")
        self.globals = _section(template, "Globals")
        self._busy: set[str] = set()

    def fail(self, where: str, message: str) -> TemplateError:
        return TemplateError(self.path, where, message)

    # -- values ---------------------------------------------------------------------------------

    def resolve(self, value: Any, where: str) -> Any:
        """``value`` with every intrinsic function in it evaluated (Unresolved where none can be)."""
        if isinstance(value, dict):
            if len(value) == 1:
                (key, argument), = value.items()
                if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                    return self._function(key, argument, f"{where}/{key}")
            resolved = {}
            for key, item in value.items():
                item = self.resolve(item, f"{where}/{key}")
                if item is not NO_VALUE:
                    resolved[key] = item
            return resolved
        if isinstance(value, list):
            items = (self.resolve(item, f"{where}/{i}") for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        return value

    def text(self, value: Any, where: str) -> str:
        """``value`` resolved to text: a string, or a number or boolean as CloudFormation
        writes it; Unresolved parts as ``${token}``."""
        value = self.resolve(value, where)
        if isinstance(value, Unresolved):
            return str(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        raise self.fail(where, f"a text value is needed here, not {_kind(value)}")

    def plain(self, value: Any) -> Any:
        """A resolved value as JSON: Unresolved parts written as their ``${token}``."""
        if isinstance(value, Unresolved):
            return str(value)
        if isinstance(value, dict):
            return {k: self.plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        return value

    # -- the functions ----------------------------------------------------------------------------

    def _function(self, name: str, argument: Any, where: str) -> Any:
        handler = _FUNCTIONS.get(name)
        if handler is None:
            token = argument if isinstance(argument, str) and TOKEN.fullmatch("${" + argument + "}") \
                else name.removeprefix("Fn::")
            return Unresolved(token, f"{name} has no local value")
        return handler(self, argument, where)

    def ref(self, name: Any, where: str) -> Any:
        if not isinstance(name, str):
            raise self.fail(where, f"Ref takes a logical id or parameter name, not {_kind(name)}")
        if name in self.subs:
            return self.subs[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            return self._parameter(name, where)
        if name in self.resources:
            from .resources import ref

            return self._guarded(name, lambda: ref(self, name, self.resources[name]))
        from .resources import sam_alias

        alias = sam_alias(self, name)
        if alias is not None:
            return alias
        return Unresolved(name, f"no parameter or resource named {name!r} in the template")

    def get_att(self, logical_id: str, attribute: str, where: str) -> Any:
        if logical_id not in self.resources:
            return Unresolved(f"{logical_id}.{attribute}", f"no resource named {logical_id!r}")
        from .resources import get_att

        return self._guarded(f"{logical_id}.{attribute}",
                             lambda: get_att(self, logical_id, self.resources[logical_id], attribute))

    def _guarded(self, key: str, compute: Any) -> Any:
        # a resource whose name refers back to itself (through Sub or Join) has no value
        if key in self._busy:
            return Unresolved(key, "its value refers to itself")
        self._busy.add(key)
        try:
            return compute()
        finally:
            self._busy.discard(key)

    def _parameter(self, name: str, where: str) -> Any:
        spec = self.parameters[name]
        if not isinstance(spec, dict) or "Default" not in spec:
            return Unresolved(name, f"the parameter {name!r} has no Default (give --sub {name}=VALUE)")
        default = spec["Default"]
        kind = spec.get("Type", "String")
        if isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")) \
                and isinstance(default, str):
            return [item.strip() for item in default.split(",")]
        return default

    def sub(self, argument: Any, where: str) -> str:
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            template, variables = argument
            variables = {k: self.resolve(v, f"{where}/1/{k}") for k, v in variables.items()}
        elif isinstance(argument, str):
            template, variables = argument, {}
        else:
            raise self.fail(where, "Fn::Sub takes a string, or a list of a string and a map of "
                                   "variables")
        if not isinstance(template, str):
            raise self.fail(f"{where}/0", f"Fn::Sub's template is a string, not {_kind(template)}")

        def fill(match: Any) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is the text ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and name.split(".", 1)[0] in self.resources:
                value = self.get_att(*name.split(".", 1), where)
            else:
                value = self.ref(name, where)
            return self._as_text(value, where)

        return TOKEN.sub(fill, template)

    def _as_text(self, value: Any, where: str) -> str:
        if isinstance(value, list):  # a list parameter in Sub is an error on AWS; keep it readable
            return ",".join(self._as_text(v, where) for v in value)
        if value is NO_VALUE:
            return ""
        return self.text(value, where)

    def condition(self, name: Any, where: str) -> bool:
        if not isinstance(name, str) or name not in self.conditions:
            raise self.fail(where, f"no condition named {name!r} in the template's Conditions")
        return self._truth(self._guarded(f"Condition:{name}", lambda: self.resolve(
            self.conditions[name], f"Conditions/{name}")), f"Conditions/{name}")

    def _truth(self, value: Any, where: str) -> bool:
        if isinstance(value, Unresolved):
            raise self.fail(where, f"the condition has no local value: {value.reason}")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.fail(where, f"a condition is true or false, not {_kind(value)}")


def _section(template: Mapping[str, Any], name: str) -> dict:
    section = template.get(name)
    return section if isinstance(section, dict) else {}


def _kind(value: Any) -> str:
    if isinstance(value, Unresolved):
        return f"an unresolved {value}"
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null",
            str: "a string"}.get(type(value), "a number")


def _list(resolver: Resolver, argument: Any, where: str, size: int, name: str) -> list:
    if not isinstance(argument, list) or len(argument) != size:
        raise resolver.fail(where, f"{name} takes a list of {size} items")
    return argument


def _join(r: Resolver, argument: Any, where: str) -> Any:
    delimiter, items = _list(r, argument, where, 2, "Fn::Join")
    if not isinstance(delimiter, str):
        raise r.fail(f"{where}/0", "Fn::Join's delimiter is a string")
    items = r.resolve(items, f"{where}/1")
    if isinstance(items, Unresolved):
        return items
    if not isinstance(items, list):
        raise r.fail(f"{where}/1", f"Fn::Join joins a list, not {_kind(items)}")
    return delimiter.join(r._as_text(item, f"{where}/1/{i}") for i, item in enumerate(items))


def _get_att(r: Resolver, argument: Any, where: str) -> Any:
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2 or not isinstance(argument[0], str):
        raise r.fail(where, "Fn::GetAtt takes [LogicalId, Attribute] (or LogicalId.Attribute)")
    attribute = r.text(argument[1], f"{where}/1")
    return r.get_att(argument[0], attribute, where)


def _select(r: Resolver, argument: Any, where: str) -> Any:
    index, items = _list(r, argument, where, 2, "Fn::Select")
    index = r.resolve(index, f"{where}/0")
    items = r.resolve(items, f"{where}/1")
    if isinstance(items, Unresolved) or isinstance(index, Unresolved):
        return items if isinstance(items, Unresolved) else index
    try:
        return items[int(index)]
    except (ValueError, TypeError, IndexError, KeyError):
        raise r.fail(where, f"Fn::Select: no item {index!r} in {_kind(items)}") from None


def _split(r: Resolver, argument: Any, where: str) -> Any:
    delimiter, text = _list(r, argument, where, 2, "Fn::Split")
    value = r.resolve(text, f"{where}/1")
    if isinstance(value, Unresolved):
        return value
    return r.text(value, f"{where}/1").split(r.text(delimiter, f"{where}/0"))


def _if(r: Resolver, argument: Any, where: str) -> Any:
    name, when_true, when_false = _list(r, argument, where, 3, "Fn::If")
    chosen = (when_true, 1) if r.condition(name, f"{where}/0") else (when_false, 2)
    return r.resolve(chosen[0], f"{where}/{chosen[1]}")


def _equals(r: Resolver, argument: Any, where: str) -> bool:
    left, right = (r.plain(r.resolve(v, f"{where}/{i}"))
                   for i, v in enumerate(_list(r, argument, where, 2, "Fn::Equals")))
    return str(left) == str(right) if not isinstance(left, (list, dict)) else left == right


def _logic(combine: Any, name: str) -> Any:
    def evaluate(r: Resolver, argument: Any, where: str) -> bool:
        if not isinstance(argument, list) or not argument:
            raise r.fail(where, f"{name} takes a list of conditions")
        return combine(r._truth(r.resolve(v, f"{where}/{i}"), f"{where}/{i}")
                       for i, v in enumerate(argument))
    return evaluate


def _not(r: Resolver, argument: Any, where: str) -> bool:
    (only,) = _list(r, argument, where, 1, "Fn::Not")
    return not r._truth(r.resolve(only, f"{where}/0"), f"{where}/0")


def _find_in_map(r: Resolver, argument: Any, where: str) -> Any:
    keys = [r.resolve(k, f"{where}/{i}") for i, k in enumerate(argument)] \
        if isinstance(argument, list) and len(argument) in (3, 4) else None
    if keys is None:
        raise r.fail(where, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
    for key in keys[:3]:
        if isinstance(key, Unresolved):
            return key
    found = r.mappings.get(keys[0], {}).get(keys[1], {}) if isinstance(
        r.mappings.get(keys[0]), dict) else {}
    if isinstance(found, dict) and keys[2] in found:
        return found[keys[2]]
    if len(keys) == 4 and isinstance(keys[3], dict) and "DefaultValue" in keys[3]:
        return keys[3]["DefaultValue"]
    raise r.fail(where, f"Fn::FindInMap: no {keys[0]}/{keys[1]}/{keys[2]} in the template's Mappings")


def _base64(r: Resolver, argument: Any, where: str) -> str:
    return base64.b64encode(r.text(argument, where).encode("utf-8")).decode("ascii")


def _to_json_string(r: Resolver, argument: Any, where: str) -> str:
    return dumps(r.plain(r.resolve(argument, where)))


def _length(r: Resolver, argument: Any, where: str) -> Any:
    value = r.resolve(argument, where)
    if isinstance(value, list):
        return len(value)
    raise r.fail(where, f"Fn::Length takes a list, not {_kind(value)}")


_FUNCTIONS = {
    "Ref": lambda r, a, w: r.ref(a, w),
    "Condition": lambda r, a, w: r.condition(a, w),
    "Fn::Sub": lambda r, a, w: r.sub(a, w),
    "Fn::Join": _join,
    "Fn::GetAtt": _get_att,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": _logic(all, "Fn::And"),
    "Fn::Or": _logic(any, "Fn::Or"),
    "Fn::Not": _not,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::GetAZs": lambda r, a, w: list(ZONES),
    "Fn::ToJsonString": _to_json_string,
    "Fn::Length": _length,
}
