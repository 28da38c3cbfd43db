"""The drawing reads histories AWS recorded: for every conformance case with a history, each
state the history entered has a status, none is left running once the execution ended, the
execution's status is the recorded one, and every edge marked taken is an edge of the graph
of that kind. Skipped when ../shared/conformance is not beside the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import asl_runner
from asl_runner.errors import DefinitionError
from asl_runner.graph import path
from asl_runner.graph.structure import CATCH, END, START, build_graph

CASES = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "cases"
if not CASES.is_dir():
    pytest.skip("../shared/conformance is not beside the repo", allow_module_level=True)


def recorded():
    for file in sorted(CASES.glob("*.json")):
        case = json.loads(file.read_text())
        if case.get("expected_events"):
            yield file.stem, case


def test_every_recorded_history_is_read_consistently():
    read = 0
    wrong: list[str] = []
    for name, case in recorded():
        try:
            machine = asl_runner.load(case["definition"])
        except DefinitionError:  # a case about a definition AWS refuses
            continue
        events = case["expected_events"]
        run = path(machine, events)
        graph = build_graph(machine)
        edges = {(e.source, e.target, e.kind) for g in [graph, *(b for n in graph.walk() for b in n.branches)]
                 for e in g.edges}
        entered = {e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")}
        problems = [f"{state} entered, drawn not reached" for state in sorted(entered)
                    if run.status_of(state) == "not-reached"]
        if run.status != case["expected"].get("status", run.status):
            problems.append(f"status {run.status}, recorded {case['expected']['status']}")
        if run.status != "RUNNING":
            problems += [f"{s} still running" for s, r in run.states.items() if r.status == "running"]
        for source, target, kind in run.taken:
            if START in (source, target) or target == END:
                continue
            kinds = (CATCH,) if kind == CATCH else ("next", "choice", "default")
            if not any((source, target, k) in edges for k in kinds):
                problems.append(f"{source} -> {target} ({kind or 'next'}) is no such edge")
        wrong += [f"{name}: {p}" for p in problems]
        read += 1
    assert read > 250  # the corpus has 309 loadable cases with a history
    assert not wrong, "\n".join(wrong[:20])
