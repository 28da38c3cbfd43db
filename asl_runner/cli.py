"""The ``asl-runner`` command line."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

import click

from .errors import DefinitionError


def _fail_usage(message: str) -> None:
    click.echo(f"asl-runner: {message}", err=True)
    sys.exit(2)


def _read_text(path: str, what: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        _fail_usage(f"cannot read {what} {path!r}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail_usage(f"{what} {path!r} is not UTF-8 text")
    return ""


def _load_machine(path: str):
    from .model import parse_definition

    text = _read_text(path, "definition")
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail_usage(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    if not isinstance(definition, dict):
        _fail_usage(f"{path}: a state machine definition is a JSON object with 'StartAt' and "
                    f"'States', not {type(definition).__name__.replace('NoneType', 'null')}")
    try:
        return parse_definition(definition)
    except DefinitionError as exc:
        click.echo(f"asl-runner: {path} is not a valid state machine definition:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(2)


def _machine_name(path: str) -> str:
    base = os.path.basename(path) if path != "-" else "StateMachine"
    for suffix in (".json", ".asl"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    name = re.sub(r"[^A-Za-z0-9_-]", "-", base).strip("-")
    return (name or "StateMachine")[:80]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="asl-runner", message="asl-runner %(version)s")
def main() -> None:
    """Run AWS Step Functions state machines (Amazon States Language) offline."""


@main.command()
@click.argument("definition", type=str)
@click.option("--input", "input_text", help="Execution input as JSON text (default: {}).")
@click.option("--input-file", type=str, help="Read the execution input from FILE ('-': stdin).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one DescribeExecution-shaped JSON object instead of a trace.")
@click.option("--history", is_flag=True, help="With --json: include the history events.")
@click.option("--lambdas", type=str, default=None,
              help="Directory of local Lambda handlers NAME.py (default: ./lambdas).")
@click.option("--clock", type=click.Choice(["real", "virtual"]), default=None,
              help="Clock for Wait states and retries (default: $ASL_RUNNER_CLOCK or real).")
@click.option("--name", type=str, default=None, help="Execution name (default: a UUID).")
def run(definition: str, input_text: str | None, input_file: str | None, as_json: bool,
        history: bool, lambdas: str | None, clock: str | None, name: str | None) -> None:
    """Run DEFINITION to its end and show what happened."""
    if input_text is not None and input_file is not None:
        _fail_usage("give --input or --input-file, not both")
    raw = _read_text(input_file, "input file") if input_file is not None else input_text
    try:
        execution_input: Any = {} if raw is None else json.loads(raw)
    except json.JSONDecodeError as exc:
        _fail_usage(f"the execution input is not valid JSON: {exc.msg} (line {exc.lineno}, "
                    f"column {exc.colno})")
    machine = _load_machine(definition)
    if lambdas is None and os.path.isdir("lambdas"):
        lambdas = "lambdas"
    from .clock import make_clock
    from .engine import Execution, Runner
    from .integrations import Integrations
    from .jsonvalue import PAYLOAD_LIMIT, size_of

    if size_of(execution_input) > PAYLOAD_LIMIT:
        _fail_usage(f"the execution input is {size_of(execution_input)} bytes; Step Functions "
                    f"accepts at most {PAYLOAD_LIMIT} (InvalidExecutionInput)")
    try:
        clock_obj = make_clock(clock)
    except ValueError as exc:
        _fail_usage(str(exc))
    execution = Execution(machine, execution_input, clock=clock_obj, name=name,
                          state_machine_name=_machine_name(definition))
    printer = None
    if not as_json:
        from .trace import TracePrinter

        printer = TracePrinter(color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        execution.listeners.append(printer.on_event)
    with Runner(Integrations(lambdas)) as runner:
        runner.run(execution)
    for hint in execution.hints:
        click.echo(f"asl-runner: hint: {hint}", err=True)
    if as_json:
        result = execution.describe()
        if history:
            result["events"] = [e.to_aws() for e in execution.history]
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        printer.summary(execution)
    sys.exit(0 if execution.status == "SUCCEEDED" else 1)


@main.command()
@click.argument("definition", type=str)
def validate(definition: str) -> None:
    """Check DEFINITION and print every problem as POINTER: message."""
    from .validate import validate_definition

    text = _read_text(definition, "definition")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        click.echo(f": not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        sys.exit(1)
    problems = validate_definition(parsed)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        sys.exit(1)
    click.echo(f"{definition}: valid", err=True)


if __name__ == "__main__":
    main()
