"""State-machine coverage (--sfn-cov), as users meet it: a test session run by pytester, its
terminal summary, its JSON report and the exit code under --sfn-cov-fail-under."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

ORDER = {
    "StartAt": "Route",
    "States": {
        "Route": {"Type": "Choice", "Default": "Reject", "Choices": [
            {"Variable": "$.kind", "StringEquals": "express", "Next": "Charge"},
            {"Variable": "$.kind", "StringEquals": "standard", "Next": "Charge"}]},
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                   "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2},
                             {"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                   "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.error",
                              "Next": "Refund"},
                             {"ErrorEquals": ["States.ALL"], "Next": "Reject"}],
                   "Next": "Ship"},
        "Ship": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Label", "States": {"Label": {"Type": "Pass", "End": True}}},
            {"StartAt": "Notify", "States": {"Notify": {"Type": "Pass", "End": True}}}]},
        "Refund": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
            "StartAt": "Credit", "States": {"Credit": {"Type": "Pass", "End": True}}}},
        "Reject": {"Type": "Fail", "Error": "Rejected"},
    },
}

TESTS = """
    from asl_runner.errors import StatesError

    def test_an_express_order_ships_after_a_throttle(sfn):
        run = (sfn.load("order.json")
               .stub("Charge", results=[StatesError("Throttled", "slow"), {"Payload": 1}])
               .run({"kind": "express"}))
        run.assert_succeeded()

    def test_a_declined_standard_order_is_refunded(sfn):
        run = (sfn.load("order.json").stub("Charge", error="Declined")
               .run({"kind": "standard", "items": []}))
        run.assert_succeeded().assert_path("Route", "Charge", "Refund")
"""

#: what the two tests leave out: the Default and what only it reaches, the second retrier
#: and catcher, and a Map with no items
MISSED = [
    "    missed 'Route' Default -> Reject",
    "    missed 'Charge' Retry[1] [States.Timeout]",
    "    missed 'Charge' Catch[1] [States.ALL] -> Reject",
    "    missed 'Refund' ItemProcessor (no iteration ran)",
    "    missed state 'Credit'",
    "    missed state 'Reject'",
]


@pytest.fixture
def project(pytester):
    pytester.path.joinpath("order.json").write_text(json.dumps(ORDER))
    pytester.makepyfile(test_order=TESTS)
    return pytester


def run(project, *args: str):
    return project.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args)


def test_the_summary_shows_each_definitions_figures_and_what_was_missed(project):
    result = run(project, "--sfn-cov")
    result.assert_outcomes(passed=2)
    # 8 states, 3 Choice outcomes + 2 Parallel branches + 1 Map processor, 2 retriers, 2 catchers
    lines = result.outlines
    row = lines.index("order.json  states 6/8  branches 4/6  retriers 1/2  catchers 1/2  66%")
    assert lines[row + 1: row + 1 + len(MISSED)] == MISSED
    assert result.ret == 0


def test_the_json_report_lists_every_item_with_its_outcome(project):
    run(project, "--sfn-cov-report=cov.json").assert_outcomes(passed=2)
    report = json.loads(project.path.joinpath("cov.json").read_text())
    order = report["definitions"]["order.json"]
    assert order["states"] == {"covered": 6, "total": 8}
    assert order["branches"] == {"covered": 4, "total": 6}
    assert round(order["percent"], 2) == 66.67
    items = {item["key"]: item["covered"] for item in order["items"]}
    assert items["/States/Route/Choices/0"] and items["/States/Route/Choices/1"]
    assert not items["/States/Route/Default"]
    assert items["/States/Ship/Branches/1"] and items["/States/Charge/Catch/0"]
    assert not items["/States/Refund/ItemProcessor"]
    assert report["totals"]["percent"] == order["percent"]


def test_under_the_threshold_the_session_fails(project):
    result = run(project, "--sfn-cov-fail-under=90")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAIL Required state-machine coverage of 90% not reached: "
                                 "total coverage 66.67%"])
    assert run(project, "--sfn-cov-fail-under=66").ret == pytest.ExitCode.OK


def test_the_missing_paths_once_tested_make_it_complete(project):
    project.makepyfile(test_more="""
        def test_an_unknown_kind_is_rejected(sfn):
            sfn.load("order.json").run({"kind": "drone"}).assert_failed(error="Rejected")

        def test_a_timeout_is_tried_again_then_rejected(sfn):
            run = (sfn.load("order.json")
                   .stub("Charge", results=[StatesError("States.Timeout", ""), StatesError("Boom", "")])
                   .run({"kind": "express"}))
            run.assert_failed(error="Rejected")

        def test_a_declined_order_with_items_credits_them(sfn):
            (sfn.load("order.json").stub("Charge", error="Declined")
             .run({"kind": "express", "items": [1]}).assert_succeeded())

        from asl_runner.errors import StatesError
    """)
    result = run(project, "--sfn-cov", "--sfn-cov-fail-under=100")
    result.assert_outcomes(passed=5)
    assert "order.json  states 8/8  branches 6/6  retriers 2/2  catchers 2/2  100%" in result.outlines
    assert result.ret == 0


def test_off_unless_asked(project):
    result = run(project)
    result.assert_outcomes(passed=2)
    assert not any("state-machine coverage" in line for line in result.outlines)


def test_a_threshold_is_a_percentage(project):
    result = run(project, "--sfn-cov-fail-under=120")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sfn-cov-fail-under is a percentage (0 to 100), not 120*"])


def test_an_unwritable_report_fails_the_session(project):
    result = run(project, "--sfn-cov-report=missing/dir/cov.json")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["ERROR: cannot write missing/dir/cov.json: No such file or directory"])


def test_inline_definitions_and_a_distributed_maps_iterations(pytester):
    # a distributed Map's iterations write no events in the parent's history: the engine
    # tells coverage what they entered all the same
    pytester.makepyfile(test_inline="""
        FANOUT = {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "ItemsPath": "$", "End": True, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Square", "States": {"Square": {"Type": "Pass", "End": True}}}}}}

        def test_a_distributed_map(sfn):
            sfn.load(FANOUT, name="Fanout").run([1, 2]).assert_succeeded(output=[1, 2])

        def test_another_machine_of_the_same_name(sfn):
            sfn.load({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                     name="Fanout").run({})
    """)
    result = run(pytester, "--sfn-cov")
    result.assert_outcomes(passed=2)
    assert "<inline Fanout>     states 2/2  branches 1/1  retriers 0/0  catchers 0/0  100%" \
        in result.outlines
    assert "<inline Fanout #2>  states 1/1  branches 0/0  retriers 0/0  catchers 0/0  100%" \
        in result.outlines
    assert "TOTAL               states 3/3  branches 1/1  retriers 0/0  catchers 0/0  100%" \
        in result.outlines


def test_a_threshold_with_no_definition_loaded_fails(pytester):
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = run(pytester, "--sfn-cov-fail-under=50")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["no state machine was loaded through the sfn fixture",
                                 "FAIL Required state-machine coverage of 50% not reached: "
                                 "no state machine was loaded"])
