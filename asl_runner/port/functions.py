"""The Lambda functions a definition calls, where it names them, and how to rename them.

Offline, a function resolves to a local handler (``lambdas/NAME.py``) whatever account or
region its ARN names, and a Task's Resource may even be a bare name. On AWS each must be a
real function's ARN. ``lint`` reports these references, ``deploy --package`` replaces them by
the ARNs of the functions it creates, and ``export`` by ``${NameArn}`` substitutions that the
template fills with ``!GetAtt Name.Arn``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from ..integrations.registry import DEFAULT_ACCOUNT
from ..model.machine import StateMachine
from ..model.resource import parse_resource
from ..model.states import TaskState
from ..record import Record
from ..validation.report import child
from .walk import sites

#: ``${name}``, as DefinitionSubstitutions spells a token
TOKEN = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")


class FunctionRef(Record):
    """A definition's reference to a Lambda function: the string at ``pointer``
    (``written``), the function's ``name``; ``bare`` when AWS would refuse it (a Task
    Resource that is not an ARN); ``local`` when it names no real function (bare, or an
    ARN in asl-runner's offline account 123456789012)."""

    pointer: str
    written: str
    name: str
    qualifier: str | None = None
    bare: bool = False
    local: bool = False


def function_refs(machine: StateMachine) -> list[FunctionRef]:
    """Every constant reference to a Lambda function: function Resources and the
    ``FunctionName`` of ``lambda:invoke`` tasks, in document order."""
    found = []
    for site in sites(machine):
        state = site.state
        if not isinstance(state, TaskState):
            continue
        resource = state.resource
        if resource.kind == "lambda":
            bare = not resource.arn.startswith("arn:")
            found.append(FunctionRef(child(state.pointer, "Resource"), resource.arn,
                                     resource.function_name, resource.qualifier, bare,
                                     bare or resource.account == DEFAULT_ACCOUNT))
        elif resource.is_lambda_invoke:
            arguments = site.arguments
            function = arguments.get("FunctionName") if type(arguments) is dict else None
            if not isinstance(function, str) or function.startswith("{%"):
                continue
            field = "Arguments" if "Arguments" in site.raw else "Parameters"
            ref = _function_name_ref(child(child(state.pointer, field), "FunctionName"), function)
            if ref is not None:
                found.append(ref)
    return found


def _function_name_ref(pointer: str, function: str) -> FunctionRef | None:
    """A ``FunctionName``: a name, ``name:qualifier``, a partial or a full ARN."""
    if function.startswith("arn:"):
        parsed = parse_resource(function)
        if parsed.kind != "lambda":
            return None
        return FunctionRef(pointer, function, parsed.function_name, parsed.qualifier,
                           local=parsed.account == DEFAULT_ACCOUNT)
    parsed = parse_resource(function)  # NAME, NAME:QUALIFIER, [ACCOUNT:]function:NAME
    if parsed.kind != "lambda":
        return None
    account = function.split(":")[0] if ":function:" in function else None
    return FunctionRef(pointer, function, parsed.function_name, parsed.qualifier,
                       local=account in (None, DEFAULT_ACCOUNT))


def substitution_name(function: str) -> str:
    """The DefinitionSubstitutions key for a function's ARN: its logical id (the name in
    PascalCase, without dashes or underscores) and ``Arn``, as SAM's templates name them."""
    return logical_id(function) + "Arn"


def logical_id(function: str) -> str:
    """A CloudFormation logical id (alphanumeric) for the function ``function``."""
    words = re.split(r"[-_]+", function)
    return "".join(word[:1].upper() + word[1:] for word in words if word) or "Function"


def parameterize(definition: Any, refs: list[FunctionRef]) -> tuple[Any, dict[str, str]]:
    """A copy of ``definition`` with each of ``refs`` replaced by ``${NameArn}`` (its
    qualifier kept: ``${NameArn}:prod``); and ``{NameArn: function name}``."""
    result = copy.deepcopy(definition)
    tokens: dict[str, str] = {}
    for ref in refs:
        token = substitution_name(ref.name)
        if tokens.setdefault(token, ref.name) != ref.name:
            token = f"{logical_id(ref.name)}{len(tokens)}Arn"  # two names, one logical id
            tokens[token] = ref.name
        value = "${" + token + "}" + (f":{ref.qualifier}" if ref.qualifier else "")
        _set(result, ref.pointer, value)
    return result, tokens


def substitute(definition: Any, values: Mapping[str, str]) -> Any:
    """``definition`` with every ``${name}`` of ``values`` filled in, in strings, as
    DefinitionSubstitutions fills them."""
    if isinstance(definition, dict):
        return {key: substitute(value, values) for key, value in definition.items()}
    if isinstance(definition, list):
        return [substitute(value, values) for value in definition]
    if isinstance(definition, str) and "${" in definition:
        return TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), definition)
    return definition


def function_arn(target: Any, name: str) -> str:
    """The ARN of the function ``name`` in ``target`` (a ``policy.Target``)."""
    return f"arn:{target.partition}:lambda:{target.region}:{target.account}:function:{name}"


def deployed(definition: Any, refs: list[FunctionRef], arns: Mapping[str, str]) -> Any:
    """A copy of ``definition`` in which each of ``refs`` whose function ``arns`` maps (by
    name) names that ARN instead, its qualifier kept."""
    chosen = [ref for ref in refs if ref.name in arns]
    parameterized, tokens = parameterize(definition, chosen)
    return substitute(parameterized, {token: arns[name] for token, name in tokens.items()})


def _set(document: Any, pointer: str, value: Any) -> None:
    tokens = [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        document = document[int(token)] if isinstance(document, list) else document[token]
    last = tokens[-1]
    if isinstance(document, list):
        document[int(last)] = value
    else:
        document[last] = value
