"""Filling a definition's ``${name}`` tokens, and what stands in for the ones left.

The tokens are replaced in the definition's text before it is parsed, as Step Functions
applies DefinitionSubstitutions to the definition string: a value may be a number
(``"TimeoutSeconds": ${Timeout}``) as well as part of a string. A token that nothing fills
stays, and is reported as a :class:`~asl_runner.templates.Placeholder`; where the definition
would not be valid with it (a Task's whole ``Resource``, a ``lambda:invoke`` ``FunctionName``)
it stands for a local Lambda function, named as SAM names the function whose ARN the token
usually carries (``${CheckStockFunctionArn}`` -> ``CheckStockFunction``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..integrations.lambda_local import valid_function_name
from ..jsonvalue import JsonInputError, dumps, loads
from ..payload import escape_pointer
from . import LoadedDefinition, LocalFunction, Placeholder, TemplateError

#: a ${name}: a name has no braces, quotes, backslashes or spaces (so JSON text around a "${"
#: is not taken for one)
TOKEN = re.compile(r"\$\{([^{}\"\\\s]+)\}")
#: the account and region of asl-runner's ARNs (the Integrations' defaults)
REGION = "us-east-1"
ACCOUNT = "123456789012"


def local_function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def substitute(text: str, path: str, values: Mapping[str, str], *, where: str,
               state_machine: str | None = None, name: str | None = None,
               others: tuple[str, ...] = (),
               functions: Mapping[str, LocalFunction] | None = None) -> LoadedDefinition:
    """The definition ``text`` with its tokens filled from ``values``, parsed; ``where`` is the
    place in the file the text came from, for errors."""
    used: dict[str, str] = {}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name in values:
            used[name] = values[name]
            return values[name]
        return match.group(0)

    filled = TOKEN.sub(fill, text) if "${" in text else text
    try:
        definition = loads(filled)
    except JsonInputError as exc:
        left = sorted({m.group(1) for m in TOKEN.finditer(filled)})
        hint = (f" (not resolved: {', '.join('${' + t + '}' for t in left)}; give --sub NAME=VALUE)"
                if left else "")
        raise TemplateError(path, where, f"the definition is not valid JSON after substitution: "
                                         f"{exc}{hint}") from None
    placeholders: list[Placeholder] = []
    if "${" in filled:
        definition = _stand_in(definition, "", placeholders, parent=None)
        if any(p.stands_for != "${" + p.token + "}" for p in placeholders):
            filled = dumps(definition)
    return LoadedDefinition(definition=definition, text=filled, path=path,
                            state_machine=state_machine, name=name, others=others,
                            substitutions=used,
                            placeholders=tuple(placeholders), functions=dict(functions or {}))


def _stand_in(value: Any, pointer: str, found: list[Placeholder], parent: dict | None,
              key: str | None = None) -> Any:
    """``value`` with each whole-token Resource or FunctionName replaced by its stand-in; every
    token left is added to ``found``."""
    if isinstance(value, dict):
        return {k: _stand_in(v, f"{pointer}/{escape_pointer(k)}", found, value, k)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_stand_in(v, f"{pointer}/{i}", found, None) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = TOKEN.fullmatch(value)
    if whole and _names_a_function(parent, key, pointer):
        name = whole.group(1)
        function = name[:-3] if name.endswith("Arn") and len(name) > 3 else name
        if valid_function_name(function):
            arn = local_function_arn(function)
            found.append(Placeholder(token=name, pointer=pointer, stands_for=arn))
            return arn
    for match in TOKEN.finditer(value):
        found.append(Placeholder(token=match.group(1), pointer=pointer, stands_for=match.group(0)))
    return value


def _names_a_function(parent: dict | None, key: str | None, pointer: str) -> bool:
    if parent is None:
        return False
    if key == "Resource":
        return parent.get("Type") == "Task"
    # Parameters.FunctionName (JSONPath) or Arguments.FunctionName (JSONata) of lambda:invoke
    return key == "FunctionName" and pointer.rsplit("/", 2)[-2] in ("Parameters", "Arguments")
