"""``asl-runner graph``: a state machine's picture, coloured by an execution's path."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..cli import (
    _add_endpoint_url,
    _add_template_options,
    _fail_problems,
    _fail_usage,
    _load_machine,
    _read,
)

#: the largest history file read (a file that never ends, /dev/zero, must not hang us)
HISTORY_LIMIT = 1 << 30


def graph(definition: str | None, execution: str | None, endpoint_url: str,
          history: str | None, fmt: str | None, output: str | None,
          state_machine: str | None = None, subs: tuple = ()) -> None:
    """Draw DEFINITION as a graph, coloured by an execution's path: SVG, HTML, Mermaid or DOT.

    Parallel branches and Map processors are nested frames, Choice rules label their edges,
    Catch edges are dashed and Retry rules loop on their state. With a run (--history FILE:
    GetExecutionHistory's JSON or `run --json --history`'s; or --execution ARN, read from
    `asl-runner serve` at --endpoint-url), each state shows how it went: succeeded, retried,
    caught, failed, running, aborted or not reached, and the edges taken are drawn bold.
    The format is --format, else the --output file's extension (.svg, .html, .mmd, .dot),
    else SVG. The same input gives the same picture, byte for byte. DEFINITION may be YAML
    or a CloudFormation, SAM or CDK template, as for `run`.

        asl-runner run machine.asl.json --json --history > run.json
        asl-runner graph machine.asl.json --history run.json --output run.svg
    """
    if execution is not None and history is not None:
        _fail_usage("give --execution or --history, not both")
    if definition is None and execution is None:
        _fail_usage("give DEFINITION (or --execution ARN: the definition it ran)")
    from ..graph import render
    from ..graph.events import format_for

    chosen = fmt or (format_for(output) if output else None) or "svg"
    if output and not fmt and format_for(output) is None:
        _fail_usage(f"--output {output!r}: say --format (svg, html, mermaid or dot); "
                    "the extension names none")
    events = None
    executed = None
    if history is not None:
        events = _history_file(history)
    elif execution is not None:
        events, executed = _remote(execution, endpoint_url, definition is None)
    if definition is not None:
        machine = _load_machine(definition, state_machine, subs)
        title = "State machine" if definition == "-" else os.path.basename(definition)
    else:
        machine = _parse(executed)
        title = str(execution).rpartition(":")[2]
    text = render(machine, events, chosen, title=title)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_picture(output, text)


def write_picture(path: str, text: str) -> None:
    """Write a picture to ``path``; a path that cannot be written is a usage error."""
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        _fail_usage(f"cannot write {path!r}: {exc.strerror or exc}")


def _history_file(path: str) -> list[dict]:
    from ..graph.events import events_of
    from ..jsonvalue import JsonInputError, loads

    raw = _read(path, "history file", HISTORY_LIMIT, binary=True)
    if len(raw) > HISTORY_LIMIT:
        _fail_usage(f"history file {path!r} is larger than {HISTORY_LIMIT} bytes")
    try:
        document = loads(raw)
    except JsonInputError as exc:
        _fail_usage(f"history file {path!r} is not valid JSON: {exc}")
    try:
        return events_of(document)
    except ValueError as exc:
        _fail_usage(f"history file {path!r}: {exc}")
    return []


def _remote(arn: str, endpoint_url: str, with_definition: bool) -> tuple[list[dict], Any]:
    """The execution's events (every page) and, if asked, the definition it ran."""
    from ..cli import _call_api

    events: list[dict] = []
    body: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = _call_api(endpoint_url, "GetExecutionHistory", body)
        events.extend(page.get("events") or [])
        if not page.get("nextToken"):
            break
        body = {**body, "nextToken": page["nextToken"]}
    definition = None
    if with_definition:
        described = _call_api(endpoint_url, "DescribeStateMachineForExecution", {"executionArn": arn})
        definition = described.get("definition")
    return events, definition


def _parse(text: Any) -> Any:
    from ..errors import DefinitionError
    from ..model import parse_definition

    try:
        return parse_definition(text)
    except DefinitionError as exc:
        _fail_problems("the execution's definition does not load:", exc.problems)


def options(p: argparse.ArgumentParser) -> None:
    p.add_argument("definition", metavar="DEFINITION", nargs="?",
                   help="The definition to draw (optional with --execution).")
    _add_template_options(p)
    p.add_argument("--execution", metavar="ARN",
                   help="Colour the graph by this execution of `asl-runner serve` (its history "
                        "and, without DEFINITION, the definition it ran).")
    _add_endpoint_url(p)
    p.add_argument("--history", metavar="FILE",
                   help="Colour the graph by the run in FILE ('-': stdin): GetExecutionHistory's "
                        "JSON, or the output of `asl-runner run --json --history`.")
    p.add_argument("--format", dest="fmt", choices=("svg", "html", "mermaid", "dot"),
                   help="svg, html (one page that opens offline: the SVG, a legend and each "
                        "state's details), mermaid or dot (default: from --output's extension, "
                        "else svg).")
    p.add_argument("--output", metavar="FILE", help="Write the picture to FILE (default: stdout).")


def check_picture_path(path: str) -> str:
    """The format ``run --graph PATH`` writes (from the extension); a usage error before the
    run if there is none or the folder does not exist."""
    from ..graph.events import format_for

    fmt = format_for(path)
    if fmt is None:
        _fail_usage(f"--graph {path!r}: the extension names the format: .svg, .html, .mmd "
                    "(Mermaid) or .dot")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        _fail_usage(f"--graph {path!r}: there is no folder {folder!r}")
    return fmt


def write_run_picture(path: str, machine: Any, history: list) -> None:
    """``run --graph PATH``: the run just done, drawn."""
    from ..graph import render

    name = os.path.basename(path).rsplit(".", 1)[0]
    write_picture(path, render(machine, history, check_picture_path(path), title=name))
