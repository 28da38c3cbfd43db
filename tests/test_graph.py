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
    """Each state's status, and the machine's Start and End as "(Start)" and "(End)"."""
    found = dict(re.findall(r'data-state="([^"]+)" data-type="[^"]+" data-status="([^"]+)"', svg))
    for marker, status in re.findall(r'id="asl-(start|end)" class="marker" data-status="([^"]+)"', svg):
        found[f"({marker.title()})"] = status
    return found


def taken(svg: str) -> set[tuple[str, str, str]]:
    return set(re.findall(r'data-from="([^"]*)" data-to="([^"]*)" data-kind="([^"]+)" '
                          r'data-taken="true"', svg))


def test_a_retried_task_and_a_parallel_are_coloured_by_the_run():
    execution = run(work_failures=2)
    svg = render(MACHINE, execution.history)
    assert states(svg) == {"(Start)": "succeeded", "Check": "succeeded", "Skip": "not-reached",
                           "Work": "retried", "Fan": "succeeded", "Left": "succeeded",
                           "Right": "succeeded", "Recover": "not-reached", "(End)": "succeeded"}
    assert taken(svg) == {("", "Check", "next"), ("Check", "Work", "choice"),
                          ("Work", "Work", "retry"), ("Work", "Fan", "next"), ("Fan", "", "next")}
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
    assert states(svg)["(End)"] == "failed"


def test_a_redriven_execution_shows_what_the_redrive_ran_not_what_failed_before():
    execution = run(left_failures=1)
    assert execution.status == "FAILED"
    asl_runner.redrive(execution, handlers={"Work": Flaky(0), "Left": Flaky(0)})
    assert execution.status == "SUCCEEDED"
    svg = render(MACHINE, execution.history)
    assert states(svg)["Left"] == "succeeded" and states(svg)["Fan"] == "succeeded"
    assert states(svg)["(End)"] == "succeeded"
    assert path(MACHINE, execution.history).status == "SUCCEEDED"


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


def test_states_named_start_and_end_are_not_the_machines_ends():
    machine = {"StartAt": "Start", "States": {"Start": {"Type": "Pass", "Next": "End"},
                                              "End": {"Type": "Fail", "Error": "Stop"}}}
    svg = render(machine, asl_runner.run(machine, {}).history)
    assert states(svg) == {"(Start)": "succeeded", "Start": "succeeded", "End": "failed",
                           "(End)": "failed"}
    assert taken(svg) == {("", "Start", "next"), ("Start", "End", "next"), ("End", "", "next")}
    assert "\x00" not in svg and "\x00" not in render(machine, format="mermaid")


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


def test_a_history_cut_short_shows_the_state_running_and_nothing_after_it():
    events = [e.to_aws() for e in run().history]
    cut = next(i for i, e in enumerate(events) if e["type"] == "LambdaFunctionScheduled") + 1
    svg = render(MACHINE, events[:cut])  # what the web view has while Work runs
    assert states(svg)["Work"] == "running"
    assert states(svg)["Fan"] == "not-reached"
    assert states(svg)["(End)"] == "not-reached"
    assert "Execution RUNNING" in svg


def test_a_stopped_execution_leaves_its_open_states_aborted():
    events = [e.to_aws() for e in run().history]
    cut = next(i for i, e in enumerate(events) if e["type"] == "ParallelStateStarted") + 1
    kept = events[:cut]
    kept.append({"type": "TaskStateEntered", "id": cut + 1, "previousEventId": cut,
                 "stateEnteredEventDetails": {"name": "Left", "input": "{}"}})
    kept.append({"type": "ExecutionAborted", "id": cut + 2, "previousEventId": cut + 1})
    svg = render(MACHINE, kept)
    assert states(svg)["Left"] == "aborted"
    assert states(svg)["Fan"] == "aborted"
    assert states(svg)["(End)"] == "aborted"


def test_a_distributed_maps_inner_states_are_not_claimed_unreached():
    machine = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}}}}}
    execution = asl_runner.run(machine, {"items": [1, 2]}, clock="virtual")
    assert execution.status == "SUCCEEDED"
    drawn = states(render(machine, execution.history))
    assert drawn["Each"] == "succeeded"
    assert drawn["One"] == "none"  # its iterations' events are in child executions
    assert states(render(machine, []))["One"] == "not-reached"  # no run yet: nothing ran


def test_hostile_state_names_make_valid_distinct_markup():
    import xml.etree.ElementTree as ET

    names = ['a<b>&"c"', "a b", "a_20_b", "Über ✓", "</script><script>alert(1)</script>"]
    chain = {n: {"Type": "Pass", "Next": names[i + 1]} for i, n in enumerate(names[:-1])}
    machine = {"StartAt": names[0], "States": {**chain, names[-1]: {"Type": "Succeed"}}}
    execution = asl_runner.run(machine, {"x": "</script>"}, clock="virtual")
    svg = render(machine, execution.history)
    root = ET.fromstring(svg)
    ids = [g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id", "").startswith("state-")]
    assert len(ids) == len(set(ids)) == len(names)
    assert {g.get("data-state") for g in root.iter("{http://www.w3.org/2000/svg}g")} >= set(names)
    page = render(machine, execution.history, "html")
    assert "</script><script>alert(1)" not in page
    assert page.count("</script>") == 2  # the data's and the code's own
    for fmt in ("mermaid", "dot"):
        assert render(machine, execution.history, fmt)


def test_boto3s_datetimes_are_read_as_timestamps():
    from datetime import UTC, datetime

    events = [e.to_aws() for e in run().history]
    for e in events:
        e["timestamp"] = datetime(2024, 5, 3, 14, 5, tzinfo=UTC)
    assert '"entered": "2024-05-03T14:05:00+00:00"' in render(MACHINE, events, "html")


def test_the_html_page_holds_each_states_visits():
    import json

    page = render(MACHINE, run(work_failures=5).history, "html", title="Flaky work")
    data = json.loads(re.search(r'id="asl-graph-data">(.*?)</script>', page, re.S).group(1))
    work = data[state_id("Work")]
    assert (work["status"], work["entered"], work["retries"]) == ("caught", 1, 3)
    [visit] = work["visits"]
    assert visit["attempts"] == 4 and visit["error"] == "Busy"
    assert json.loads(visit["input"]) == {"go": True}
    assert data[state_id("Skip")] == {"name": "Skip", "type": "Succeed", "subtitle": "Succeed",
                                      "retry": [], "status": "not-reached", "entered": 0,
                                      "retries": 0, "visits": []}
    assert "<title>Flaky work</title>" in page


def test_a_map_shows_how_many_iterations_it_started():
    machine = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.xs", "End": True,
        "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}}}}}
    history = asl_runner.run(machine, {"xs": [1, 2, 3]}, clock="virtual").history
    svg = render(machine, history)
    assert "Map · 3 iterations" in svg
    assert "Map · per item" in render(machine)
    one = svg.split('data-state="One"', 1)[1].split("</g></g>", 1)[0]
    assert ">×3</text>" in one  # each iteration entered it


def test_payloads_a_tool_already_parsed_are_shown_as_json_text():
    import json

    events = [e.to_aws() for e in run().history]
    for e in events:
        for details in (v for k, v in e.items() if k.endswith("EventDetails")):
            if isinstance(details.get("input"), str):
                details["input"] = json.loads(details["input"])
    [visit] = path(MACHINE, events).states["Check"].visits
    assert json.loads(visit.input) == {"go": True}


@pytest.mark.parametrize(("rule", "label"), [
    ({"Variable": "$.score", "NumericGreaterThanEquals": 700}, "$.score >= 700"),
    ({"Variable": "$.tier", "StringEquals": "gold"}, '$.tier == "gold"'),
    ({"Variable": "$.name", "StringMatches": "log-*.txt"}, '$.name matches "log-*.txt"'),
    ({"Variable": "$.at", "TimestampLessThanPath": "$.deadline"}, "$.at < $.deadline"),
    ({"Variable": "$.x", "IsNull": False}, "$.x is not null"),
    ({"Variable": "$.x", "IsPresent": True}, "$.x is present"),
    ({"Not": {"Variable": "$.ok", "BooleanEquals": True}}, "not $.ok == true"),
    ({"And": [{"Variable": "$.a", "NumericLessThan": 1},
              {"Or": [{"Variable": "$.b", "IsString": True}, {"Variable": "$.c", "IsBoolean": True}]}]},
     "$.a < 1 and ($.b is string or $.c is boolean)"),
    ({"Condition": "{% $states.input.n > 3 %}"}, "$states.input.n > 3"),
    ({"Variable": "$.very.long.path.to.somewhere.deep", "StringEquals": "a long value, cut"},
     '$.very.long.path.to.somewhere.deep == "a long v…'),
])
def test_a_choice_rule_labels_its_edge_as_written(rule, label):
    from asl_runner.graph.labels import choice_label

    assert choice_label(rule) == label


def test_the_stylesheet_colours_every_status_and_edge_state_a_page_may_set():
    """A page recolours the inline SVG by setting data-status and data-taken: the SVG's own
    stylesheet must have a rule for every value, matching what the renderer draws."""
    from asl_runner.graph import STATUSES
    from asl_runner.graph.svg import EDGE_COLOURS, PALETTE

    style = re.search(r"<style>(.*?)</style>", render(MACHINE), re.S).group(1)
    for status in [*STATUSES, "none"]:
        fill, stroke, _ink = PALETTE["" if status == "none" else status]
        assert f'.asl-graph .state[data-status="{status}"]>rect,' in style
        assert f'[data-status="{status}"]>rect{{fill:{fill};stroke:{stroke}}}' in style
    for taken, colour in (("true", "taken"), ("false", "dim")):
        assert f'.edge[data-taken="{taken}"]>path{{stroke:{EDGE_COLOURS[colour]};' in style
