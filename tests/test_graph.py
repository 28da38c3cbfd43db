"""asl_runner.graph: a machine's graph and an execution's path through it, drawn."""

from __future__ import annotations

import re

import pytest

import asl_runner
from asl_runner.errors import DefinitionError
from asl_runner.graph import path, render, state_id


class Flaky:
    """Fails ``times`` times with ``error``, then returns ``result``."""

    def __init__(self, times: int, error: str = "Busy", result: object = None):
        self.times, self.error, self.result = times, error, result or {}

    def __call__(self, event, context):
        if self.times:
            self.times -= 1
            raise type(self.error, (Exception,), {})("try again")
        return self.result


RETRY = [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 3}]
CATCH = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]
MACHINE = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.go", "BooleanEquals": True, "Next": "Work"}], "Default": "Skip"},
        "Skip": {"Type": "Succeed"},
        "Work": {"Type": "Task", "Resource": "Work", "Retry": RETRY, "Catch": CATCH, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": "Left", "End": True}}},
            {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}}]},
        "Recover": {"Type": "Fail", "Error": "Gave.Up"},
    },
}


def run(go: bool = True, work_failures: int = 0, left_failures: int = 0):
    handlers = {"Work": Flaky(work_failures), "Left": Flaky(left_failures, error="Broken")}
    return asl_runner.run(MACHINE, {"go": go}, handlers=handlers, clock="virtual")


def states(svg: str) -> dict[str, str]:
    return dict(re.findall(r'data-state="([^"]+)" data-type="[^"]+" data-status="([^"]+)"', svg))


def taken(svg: str) -> set[tuple[str, str, str]]:
    return set(re.findall(r'data-from="([^"]+)" data-to="([^"]+)" data-kind="([^"]+)" '
                          r'data-taken="true"', svg))


def test_a_retried_task_and_a_parallel_are_coloured_by_the_run():
    execution = run(work_failures=2)
    svg = render(MACHINE, execution.history)
    assert states(svg) == {"Start": "succeeded", "Check": "succeeded", "Skip": "not-reached",
                           "Work": "retried", "Fan": "succeeded", "Left": "succeeded",
                           "Right": "succeeded", "Recover": "not-reached", "End": "succeeded"}
    assert taken(svg) == {("Start", "Check", "next"), ("Check", "Work", "choice"),
                          ("Work", "Work", "retry"), ("Work", "Fan", "next"), ("Fan", "End", "next")}
    assert path(MACHINE, execution.history).states["Work"].retries == 2


def test_a_caught_error_takes_the_catch_edge_and_a_fail_state_fails():
    svg = render(MACHINE, [e.to_aws() for e in run(work_failures=5).history])
    assert states(svg)["Work"] == "caught"
    assert states(svg)["Recover"] == "failed"
    assert ("Work", "Recover", "catch") in taken(svg)
    assert ("Work", "Fan", "next") not in taken(svg)
    assert 'Execution FAILED: Gave.Up' in svg


def test_a_failed_branch_fails_its_parallel_and_the_other_branch_still_counts():
    svg = render(MACHINE, run(left_failures=1).history)
    assert states(svg)["Left"] == "failed"
    assert states(svg)["Fan"] == "failed"
    assert states(svg)["Right"] == "succeeded"
    assert states(svg)["End"] == "failed"


def test_without_a_run_the_graph_has_every_edge_kind_and_no_status():
    svg = render(MACHINE)
    assert set(states(svg).values()) == {"none"}
    kinds = set(re.findall(r'data-kind="([a-z]+)"', svg))
    assert kinds == {"next", "choice", "default", "catch", "retry"}
    assert "$.go == true" in svg  # the Choice rule labels its edge


def test_output_is_deterministic():
    history = run(work_failures=1).history
    assert render(MACHINE, history) == render(MACHINE, history)
    assert render(MACHINE, history, "html") == render(MACHINE, history, "html")


def test_state_ids_are_valid_and_distinct():
    assert state_id("Charge Card") == "state-Charge_20_Card"
    assert state_id("a_b") != state_id("a b")
    assert re.fullmatch(r"state-[A-Za-z0-9_-]+", state_id("Überweisung: prüfen <1>"))


@pytest.mark.parametrize("fmt", ["svg", "html", "mermaid", "dot"])
def test_every_format_names_every_state(fmt):
    text = render(MACHINE, run().history, fmt)
    for name in ("Check", "Skip", "Work", "Fan", "Left", "Right", "Recover"):
        assert name in text


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown graph format 'png'"):
        render(MACHINE, format="png")
    with pytest.raises(DefinitionError):
        render({"StartAt": "Nowhere", "States": {}})
