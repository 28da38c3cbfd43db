"""Definitions where they live: plain JSON or YAML files, and CloudFormation, SAM or CDK
templates that hold a state machine.

The one entry point is :func:`load_definition`::

    from asl_runner.templates import load_definition

    loaded = load_definition("template.yaml", state_machine="OrderMachine",
                             subs={"TableName": "orders"})
    loaded.definition     # the ASL definition, parsed (a dict)
    loaded.text           # the same as JSON text, as CreateStateMachine would receive it
    loaded.state_machine  # the logical id it came from (None for a plain definition file)
    loaded.name           # its name, as its ARN carries it locally (Name, else the logical id)
    loaded.others         # the logical ids of the template's other state machines
    loaded.substitutions  # {name: value} of every ${name} that was filled in
    loaded.placeholders   # the ${name} tokens left, each a Placeholder(token, pointer, stands_for)
    loaded.functions      # {logical id: LocalFunction(name, code_dir, handler, runtime, ...)}

What it reads:

- a definition file, JSON or YAML (``.asl.json``, SAM's ``.asl.yaml``);
- a template, JSON or YAML with CloudFormation's short tags (``!Sub``, ``!GetAtt``, ``!Ref``,
  ``!Join``, ...): the ``AWS::StepFunctions::StateMachine`` (``Definition``,
  ``DefinitionString``, ``DefinitionS3Location`` as a path relative to the template) or
  ``AWS::Serverless::StateMachine`` (``DefinitionUri``, ``Definition``) named by
  ``state_machine``, or the only one there is. CDK's ``cdk.out/*.template.json`` is such a
  template (its ``DefinitionString`` is an ``Fn::Join`` of text, ``Ref`` and ``Fn::GetAtt``).

Intrinsic functions resolve to local values: ``!GetAtt MyFunction.Arn`` is the ARN of a
function named ``MyFunction`` (its ``FunctionName`` if the template gives one) in asl-runner's
account, which runs that function's code from its ``CodeUri`` + ``Handler``. Then the
definition's ``${name}`` tokens are filled in, ``subs`` first (they also override a template
parameter of that name), then ``DefinitionSubstitutions``. A token nothing fills is left as
a placeholder: the text ``${name}`` as it is, except as a Task's whole ``Resource`` (or a
``lambda:invoke`` ``FunctionName``), where it stands for the local Lambda function ``name``
without a trailing ``Arn`` (``${CheckStockFunctionArn}`` -> ``CheckStockFunction``), so that the
definition stays valid and runs with that function's local handler.

A file or template that cannot give a definition raises :class:`TemplateError` (a
``DefinitionError``) naming the file and where in it: ``template.yaml:
Resources/MyMachine/Properties/DefinitionUri: cannot read statemachine/x.asl.json: ...``.
The result is not validated: ``asl_runner.load`` does that.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import DefinitionError, Problem
from ..record import Record

__all__ = ["LoadedDefinition", "LocalFunction", "Placeholder", "TemplateError", "load_definition",
           "is_file_path", "sibling_machines"]

#: the most of a file read (a template may hold more than a definition's 1,048,576 characters,
#: but not without end: /dev/zero)
READ_LIMIT = 16 * 1024 * 1024


class TemplateError(DefinitionError):
    """A file or template that gives no definition; ``path`` is the file, ``where`` the place
    in it (``Resources/MyMachine/Properties/DefinitionString``, or empty)."""

    def __init__(self, path: str, where: str, message: str):
        self.path = path
        self.where = where
        super().__init__([Problem(where, message)])
        self.args = (f"{path}: {where + ': ' if where else ''}{message}",)

    def __str__(self) -> str:
        return self.args[0]


class Placeholder(Record):
    """A ``${token}`` nothing filled in: where it is in the definition (a JSON pointer) and
    the text that stands in its place."""

    token: str
    pointer: str
    stands_for: str

    def __str__(self) -> str:
        instead = "" if self.stands_for == "${" + self.token + "}" else f" (stands for {self.stands_for})"
        return f"{self.pointer or '/'}: ${{{self.token}}} is not resolved{instead}"


class LocalFunction(Record):
    """A Lambda function of the template and where its code is on this machine.

    ``name`` is the name its ARN carries locally (its literal ``FunctionName``, else its
    logical id); ``code_dir`` the folder of its code (``CodeUri``, ``Code`` as a local path,
    CDK's asset folder), ``handler`` its Handler setting (``app.lambda_handler``).
    ``unavailable`` says why it cannot run here (code only in S3, not a Python runtime), or
    is None."""

    logical_id: str
    name: str
    code_dir: str | None = None
    handler: str | None = None
    runtime: str | None = None
    unavailable: str | None = None


class LoadedDefinition(Record):
    """What :func:`load_definition` read (see the module's docstring for each field)."""

    definition: Any
    text: str
    path: str
    state_machine: str | None = None
    name: str | None = None
    others: tuple[str, ...] = ()
    substitutions: Mapping[str, str] = {}
    placeholders: tuple[Placeholder, ...] = ()
    functions: Mapping[str, LocalFunction] = {}

    @property
    def handlers(self) -> dict[str, LocalFunction]:
        """The functions by the function name their ARNs carry, as local handlers take them
        (one that cannot run here is told as such when a task calls it)."""
        return {f.name: f for f in self.functions.values()}


def is_file_path(source: Any) -> bool:
    """Whether ``source`` (what ``asl_runner.load`` takes) names a file rather than being JSON
    text or a parsed definition."""
    return isinstance(source, os.PathLike) or (
        isinstance(source, str) and not source.lstrip().startswith(("{", "[")))


def load_definition(path: str | os.PathLike, state_machine: str | None = None,
                    subs: Mapping[str, str] | None = None, *, text: str | None = None
                    ) -> LoadedDefinition:
    """The definition that ``path`` holds or, in a template, the state machine
    ``state_machine`` (a logical id) holds, with ``subs`` filling ``${name}`` tokens.
    ``text`` is the file's content when the caller has read it already (stdin)."""
    path = os.fspath(path)
    subs = dict(subs or {})
    if text is None:
        text = _read_text(path, keep_os_errors=True)
    document, json_text = read_document(text, path)
    from_template = _is_template(document)
    if not from_template and state_machine is not None:
        raise TemplateError(path, "", f"--state-machine {state_machine}: this file is a state "
                            "machine definition, not a template with Resources")
    if from_template:
        from .template import definition_from_template

        try:
            return definition_from_template(document, path, state_machine, subs)
        except RecursionError:  # intrinsic functions within intrinsic functions, without end
            raise TemplateError(path, "", "the template nests too deeply to resolve") from None
    if json_text is None:  # YAML: its JSON form (keys become text: 1, null, true)
        from ..jsonvalue import loads

        json_text = _dumps(document, path)
        document = loads(json_text)
    if isinstance(document, dict) and "${" not in json_text and not subs:
        # the common case, a plain JSON definition: nothing more to import or do
        return LoadedDefinition(definition=document, text=json_text, path=path)
    from .substitution import substitute

    return substitute(json_text, path, subs, where="")


def read_document(text: str, path: str) -> tuple[Any, str | None]:
    """The JSON or YAML document ``text`` (of the file ``path``), and ``text`` itself when it
    is JSON (None for YAML)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")) or path.endswith(".json"):
        from ..jsonvalue import JsonInputError, loads

        try:
            return loads(text), text
        except JsonInputError as exc:
            raise TemplateError(path, "", f"not valid JSON: {exc}") from None
    from .yaml_loader import parse_yaml

    return parse_yaml(text, path), None


def _is_template(document: Any) -> bool:
    return (isinstance(document, dict) and "Resources" in document
            and "States" not in document and "StartAt" not in document)


def _dumps(value: Any, path: str, where: str = "") -> str:
    from ..jsonvalue import dumps

    try:
        return dumps(value)
    except (TypeError, ValueError) as exc:  # YAML values JSON has no form for (.nan, a set)
        raise TemplateError(path, where, f"not JSON: {exc}") from None


def _read_text(path: str, what: str = "", *, keep_os_errors: bool = False) -> str:
    """The file's text; an OSError is raised as it is with ``keep_os_errors`` (the file the
    caller named: FileNotFoundError, as for any file), else as a TemplateError."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(READ_LIMIT + 1)
    except OSError as exc:
        if keep_os_errors:
            raise
        raise TemplateError(path, what, f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TemplateError(path, what, "not UTF-8 text") from None
    if len(text) > READ_LIMIT:
        raise TemplateError(path, what, f"the file is longer than {READ_LIMIT} characters")
    return text


def sibling_machines(loaded: LoadedDefinition, subs: Mapping[str, str] | None = None
                     ) -> tuple[dict[str, Any], list[str]]:
    """The template's other state machines, parsed, by name (what ``states:startExecution``
    of their ``!Ref`` starts), and a note for each that does not load (it is left out: it is
    not the machine asked for)."""
    from ..model import parse_definition

    machines: dict[str, Any] = {}
    notes = []
    for logical_id in loaded.others:
        try:
            other = load_definition(loaded.path, logical_id, subs)
            machines[other.name] = parse_definition(other.definition)
        except DefinitionError as exc:
            notes.append(f"{logical_id} cannot be started by the run: "
                         + "; ".join(str(p) for p in exc.problems))
    return machines, notes
