"""``asl-runner export``: the tested definition as a CloudFormation or SAM snippet."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ..cli import _echo, _fail_usage, _lambdas_dir, _machine_name


def export(definition: str, name: str | None, flavour: str, as_json: bool, machine_type: str,
           lambdas: str | None, output: str | None, runtime: str, state_machine: str | None = None,
           subs: tuple = ()) -> None:
    """Print DEFINITION as a CloudFormation or SAM snippet, with DefinitionSubstitutions.

    DEFINITION is a JSON or YAML file, or a CloudFormation, SAM or CDK template's state
    machine.

    Its local functions (bare names, ARNs of asl-runner's offline account) become
    ${NameArn}, filled by DefinitionSubstitutions with !GetAtt Name.Arn; the role gets the
    least-privilege policy of `lint --for-aws`. The functions whose local handlers are known
    (--lambdas DIR, a template's functions) are declared with their code folder: SAM's
    CodeUri, or CloudFormation's Code for `aws cloudformation package` to upload; the others
    become the snippet's Parameters (their ARNs). A SAM snippet (the default) holds an
    AWS::Serverless::StateMachine; a CloudFormation one an AWS::StepFunctions::StateMachine
    and its AWS::IAM::Role. YAML with CloudFormation's short tags, or JSON with --json.

        asl-runner export machine.asl.json --name Orders > template.yaml
    """
    from ..port.export import Code, as_yaml, export_template
    from ..port.export import as_json as to_json
    from ._source import load_source, local_lambdas

    source = load_source(definition, state_machine, subs)
    name = name or _machine_name(definition)
    base = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
    local = local_lambdas(_lambdas_dir(lambdas), source)
    code = _code(source.machine, local, base, Code) if local else []
    template = export_template(source.definition, source.machine, name=name, flavour=flavour,
                               machine_type=machine_type, code=code, runtime=runtime)
    text = json.dumps(to_json(template), indent=2, ensure_ascii=False) + "\n" if as_json \
        else as_yaml(template)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        _fail_usage(f"--output: cannot write {output!r}: {exc.strerror or exc}")
    _echo(f"asl-runner: wrote {output}", err=True)


def _code(machine: Any, local: Any, base: str, code: type) -> list:
    """Where the code of each local function is, as SAM's CodeUri (relative to ``base``)."""
    from ..port.functions import function_refs
    from ..port.packaging import package

    found: dict[str, Any] = {}
    for ref in function_refs(machine):
        if not ref.local or ref.name in found:
            continue
        made = package(local, ref.name)
        if made is not None:  # CodeUri: the folder that plays /var/task for the handler
            root = local.source(ref.name)[1]
            found[ref.name] = code(ref.name, os.path.relpath(root, base).replace(os.sep, "/"),
                                   made.handler)
    return list(found.values())


def options(p: argparse.ArgumentParser) -> None:
    from ..cli import _add_template_options
    from ..port.plan import DEFAULT_RUNTIME

    p.add_argument("definition", metavar="DEFINITION")
    _add_template_options(p)
    p.add_argument("--name", metavar="NAME",
                   help="The state machine's name (default: from the file name); its logical id "
                        "is the name in PascalCase.")
    p.add_argument("--format", dest="flavour", choices=("sam", "cloudformation"), default="sam",
                   help="AWS::Serverless::StateMachine (sam, the default) or "
                        "AWS::StepFunctions::StateMachine with its role (cloudformation).")
    p.add_argument("--json", dest="as_json", action="store_true",
                   help="JSON (intrinsics in their long form) instead of YAML.")
    p.add_argument("--type", dest="machine_type", type=str.upper, choices=("STANDARD", "EXPRESS"),
                   default="STANDARD", metavar="STANDARD|EXPRESS",
                   help="The state machine's type (default: STANDARD).")
    p.add_argument("--lambdas", metavar="DIR",
                   help="Directory of local Lambda handlers NAME.py (default: ./lambdas): SAM "
                        "functions for those the definition calls.")
    p.add_argument("--runtime", default=DEFAULT_RUNTIME, metavar="RUNTIME",
                   help=f"The functions' runtime (default: {DEFAULT_RUNTIME}).")
    p.add_argument("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
