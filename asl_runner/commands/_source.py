"""The definition the porting commands (lint, deploy, export) work on: a JSON or YAML file,
or a CloudFormation, SAM or CDK template's state machine (``--state-machine``, ``--sub``)."""

from __future__ import annotations

from typing import Any

from ..record import Record


class Source(Record):
    """``definition`` as parsed JSON, ``text`` as CreateStateMachine would receive it (a
    JSON file's own text), ``machine`` the model, ``functions`` a template's functions that
    run here (by function name, ``templates.LocalFunction``)."""

    path: str
    definition: Any
    text: str
    machine: Any
    functions: Any = None
    #: the ${name} tokens nothing filled (templates.Placeholder: token, pointer, stands_for)
    placeholders: tuple = ()


def load_source(path: str, state_machine: str | None = None, subs: Any = ()) -> Source:
    """Read and parse DEFINITION (a usage error, exit 2, when it cannot be)."""
    from ..cli import _load_definition, _parse_machine

    loaded = _load_definition(path, state_machine, subs)
    return Source(path, loaded.definition, loaded.text, _parse_machine(loaded), loaded.handlers,
                  tuple(loaded.placeholders))


def local_lambdas(directory: str | None, source: Source) -> Any:
    """The local handlers: ``directory``'s and the template's functions (None: neither)."""
    if directory is None and not source.functions:
        return None
    from ..integrations.lambda_local import LocalLambdas

    return LocalLambdas(directory, functions=source.functions)
