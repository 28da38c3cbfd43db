"""A state machine's definition from a CloudFormation, SAM or CDK template.

The machine is picked by logical id (the only one when there is one). Its definition is
``Definition`` (an object, in which intrinsic functions resolve), ``DefinitionString`` (text,
or an ``Fn::Sub`` or ``Fn::Join`` giving text: CDK's form), or a file beside the template
(``DefinitionUri``, or ``DefinitionS3Location`` given as a local path, as the packaging
commands take them). Then ``DefinitionSubstitutions`` and the caller's ``subs`` fill its
``${name}`` tokens (:mod:`.substitution`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from . import LoadedDefinition, TemplateError, _dumps, _read_text, read_document
from .functions import local_functions
from .intrinsics import Resolver, Unresolved
from .resources import local_name
from .substitution import substitute

MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
#: where each type may hold its definition, in the order they are looked for
_SOURCES = {
    "AWS::StepFunctions::StateMachine": ("Definition", "DefinitionString", "DefinitionS3Location"),
    "AWS::Serverless::StateMachine": ("Definition", "DefinitionUri"),
}


def definition_from_template(template: dict, path: str, state_machine: str | None,
                             subs: Mapping[str, str]) -> LoadedDefinition:
    if not isinstance(template["Resources"], dict):
        raise TemplateError(path, "Resources", "Resources maps logical ids to resources")
    logical_id, others = _choose(template["Resources"], path, state_machine)
    resource = template["Resources"][logical_id]
    properties = resource.get("Properties")
    where = f"Resources/{logical_id}/Properties"
    if not isinstance(properties, dict):
        raise TemplateError(path, f"Resources/{logical_id}", "the state machine has no Properties")
    resolver = Resolver(template, path, subs)
    text, source = _definition_text(resolver, resource["Type"], properties, path, where)
    values = _substitutions(resolver, properties.get("DefinitionSubstitutions"),
                            f"{where}/DefinitionSubstitutions")
    values.update(subs)
    return substitute(text, path, values, where=source, state_machine=logical_id,
                      name=local_name(resolver, logical_id, resource), others=others,
                      functions=local_functions(template, path, resolver))


def _choose(resources: dict, path: str, wanted: str | None) -> tuple[str, tuple[str, ...]]:
    """The state machine's logical id, and those of the others."""
    machines = [lid for lid, r in resources.items()
                if isinstance(r, dict) and r.get("Type") in MACHINE_TYPES]
    listing = ", ".join(machines)
    if wanted is not None:
        if wanted in machines:
            return wanted, tuple(m for m in machines if m != wanted)
        if wanted in resources:
            kind = resources[wanted].get("Type") if isinstance(resources[wanted], dict) else None
            raise TemplateError(path, f"Resources/{wanted}", f"--state-machine {wanted}: a "
                                f"{kind}, not a state machine (the template's: {listing or 'none'})")
        raise TemplateError(path, "Resources", f"--state-machine {wanted}: no such resource; the "
                            f"template's state machines: {listing or 'none'}")
    if len(machines) == 1:
        return machines[0], ()
    if not machines:
        raise TemplateError(path, "Resources", "the template has no state machine "
                            "(AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine)")
    raise TemplateError(path, "Resources", f"the template has {len(machines)} state machines "
                        f"({listing}): choose one with --state-machine LOGICAL_ID")


def _definition_text(resolver: Resolver, kind: str, properties: dict, path: str,
                     where: str) -> tuple[str, str]:
    """The definition as JSON text, and the place it came from (for later errors)."""
    present = [p for p in _SOURCES[kind] if p in properties]
    if not present:
        raise TemplateError(path, where, f"the state machine has no definition: give one of "
                            f"{', '.join(_SOURCES[kind])}")
    if len(present) > 1:
        raise TemplateError(path, where, f"give one of {', '.join(present)}, not several")
    prop = present[0]
    at = f"{where}/{prop}"
    value = properties[prop]
    if prop == "Definition":
        if not isinstance(value, dict):
            raise TemplateError(path, at, "Definition is the definition as an object "
                                          "(DefinitionString takes text)")
        return _dumps(resolver.plain(resolver.resolve(value, at)), path, at), at
    if prop == "DefinitionString":
        resolved = resolver.resolve(value, at)
        if isinstance(resolved, Unresolved):
            raise TemplateError(path, at, f"no local value: {resolved.reason}")
        if not isinstance(resolved, str):
            raise TemplateError(path, at, "DefinitionString is text (or Fn::Sub or Fn::Join "
                                          "giving text); Definition takes an object")
        return resolved, at
    return _definition_file(resolver, value, path, at), at


def _definition_file(resolver: Resolver, value: Any, path: str, at: str) -> str:
    """The text of a definition file named by DefinitionUri or DefinitionS3Location."""
    value = resolver.plain(resolver.resolve(value, at))
    if isinstance(value, dict):
        bucket = value.get("Bucket")
        key = value.get("Key")
        raise TemplateError(path, at, f"the definition is in S3 (s3://{bucket}/{key}): give the "
                            "local file instead (the path `sam package` or `aws cloudformation "
                            "package` uploads), or run that file itself")
    if not isinstance(value, str) or value.startswith("s3://"):
        raise TemplateError(path, at, f"the definition is not a local file ({value!r}): give "
                                      "its path relative to the template")
    file = os.path.join(os.path.dirname(path), value)
    try:
        document, text = read_document(_read_text(file), file)
        return text if text is not None else _dumps(document, file)
    except TemplateError as exc:
        raise TemplateError(path, at, f"{value}: {exc.where + ': ' if exc.where else ''}"
                                      f"{exc.problems[0].message}") from None


def _substitutions(resolver: Resolver, value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    value = resolver.resolve(value, where)
    if not isinstance(value, dict):
        raise TemplateError(resolver.path, where, "DefinitionSubstitutions maps names to values")
    values = {}
    for name, item in value.items():
        if isinstance(item, Unresolved):
            continue  # its ${name} stays a placeholder
        if isinstance(item, (dict, list)):
            raise TemplateError(resolver.path, f"{where}/{name}", "a substitution is text, a "
                                "number or a boolean, not " + ("an object" if isinstance(item, dict)
                                                               else "a list"))
        values[name] = resolver.text(item, f"{where}/{name}")
    return values
