"""Golden histories (the sfn_snapshot fixture and --sfn-snapshot-update), as users meet them:
example test files run by pytester."""

from __future__ import annotations

import json
import re

import pytest

pytest_plugins = ["pytester"]

MACHINES = {
    "wait.json": {
        "StartAt": "Pause",
        "States": {
            "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Ask"},
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                   "MessageBody": {"token.$": "$$.Task.Token",
                                                   "execution.$": "$$.Execution.Id",
                                                   "amount.$": "$.amount"}},
                    "End": True},
        },
    },
    "times.json": {
        "StartAt": "Stamp",
        "States": {"Stamp": {"Type": "Pass", "End": True, "Parameters": {
            "started.$": "$$.Execution.StartTime", "entered.$": "$$.State.EnteredTime",
            "ordered.$": "$.ordered"}}},
    },
}

TESTS = """
    def test_approved(sfn, sfn_snapshot):
        run = (sfn.load("wait.json")
               .on_token("Ask", lambda task: task.succeed({"ok": task.payload["MessageBody"]["amount"]}))
               .run({"amount": AMOUNT}))
        sfn_snapshot.assert_match(run)
"""


@pytest.fixture
def project(pytester):
    for name, definition in MACHINES.items():
        pytester.path.joinpath(name).write_text(json.dumps(definition))
    return pytester


def write_tests(project, amount=5):
    project.makepyfile(test_golden=TESTS.replace("AMOUNT", str(amount)))


def snapshot(project):
    return project.path / "__snapshots__" / "test_golden" / "test_approved.json"


def test_a_missing_snapshot_fails_and_the_flag_writes_it(project):
    write_tests(project)
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no snapshot __snapshots__/test_golden/test_approved.json yet: "
                                 "run pytest --sfn-snapshot-update to write it*"])
    assert not snapshot(project).exists()

    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    assert snapshot(project).is_file()
    project.runpytest().assert_outcomes(passed=1)  # a second run: a new execution, the same file


def test_the_file_is_normalised_and_one_event_per_block(project):
    write_tests(project)
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    text = snapshot(project).read_text()
    document = json.loads(text)
    assert document["status"] == "SUCCEEDED"
    events = document["events"]
    assert {e["timestamp"] for e in events} == {"<timestamp>"}
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    # payloads are JSON, not JSON text; the token and the execution's ARN are placeholders
    assert scheduled["taskScheduledEventDetails"]["parameters"]["MessageBody"] == {
        "token": "<task-token-1>", "execution": "<execution-arn>", "amount": 5}
    assert "<execution-arn>" not in json.dumps(events[0])  # the role ARN stays as it is
    assert events[0]["executionStartedEventDetails"]["input"] == {"amount": 5}
    # each event is a block of lines of its own: a diff shows whole events
    assert text.count('\n    {\n      "timestamp"') == len(events)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)  # the execution's name, a UUID


def test_a_changed_run_fails_with_a_diff_of_its_events(project):
    write_tests(project, amount=5)
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    write_tests(project, amount=7)
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*the run's history differs from the snapshot __snapshots__/test_golden/test_approved.json "
        "(run pytest --sfn-snapshot-update to accept this run's)",
        "*events differ from event 1 on: ExecutionStarted in the snapshot, ExecutionStarted in "
        "this run (of 10 and 10 events)",
        "*--- snapshot",
        "*+++ this run",
        '*E  *-  *"amount": 5',
        '*E  *+  *"amount": 7',
    ])
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    assert json.loads(snapshot(project).read_text())["events"][0][
        "executionStartedEventDetails"]["input"] == {"amount": 7}


def test_a_different_path_names_the_first_event_that_differs(project):
    project.makepyfile(test_golden="""
        def test_approved(sfn, sfn_snapshot):
            machine = sfn.load("wait.json")
            machine.on_token("Ask", lambda task: task.succeed({}))
            sfn_snapshot.assert_match(machine.run({"amount": 1}))
            machine.on_token("Ask", lambda task: task.fail("Refused", "no"))
            sfn_snapshot.assert_match(machine.run({"amount": 1}), name="refused")
    """)
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    assert (project.path / "__snapshots__" / "test_golden" / "test_approved.refused.json").is_file()
    refused = project.path / "__snapshots__" / "test_golden" / "test_approved.refused.json"
    refused.write_text(snapshot(project).read_text())  # as if it had succeeded before
    result = project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*differs from the snapshot __snapshots__/test_golden/test_approved.refused.json*",
        "*status: FAILED, not SUCCEEDED",
        "*events differ from event 8 on: TaskSucceeded in the snapshot, TaskFailed in this run (of 10 and 9 events)",
    ])


def test_unnamed_snapshots_of_one_test_are_numbered(project):
    project.makepyfile(test_golden="""
        import pytest

        @pytest.mark.parametrize("amount", [1, 2])
        def test_twice(sfn, sfn_snapshot, amount):
            machine = sfn.load("wait.json").on_token("Ask", lambda task: task.succeed({}))
            sfn_snapshot.assert_match(machine.run({"amount": amount}))
            sfn_snapshot.assert_match(machine.run({"amount": amount + 10}))
    """)
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=2)
    written = sorted(p.name for p in (project.path / "__snapshots__" / "test_golden").iterdir())
    assert written == ["test_twice_1_.2.json", "test_twice_1_.json",
                       "test_twice_2_.2.json", "test_twice_2_.json"]
    project.runpytest().assert_outcomes(passed=2)


def test_the_runs_own_times_in_payloads_are_normalised_not_the_datas(project):
    project.makepyfile(test_golden="""
        def test_approved(sfn, sfn_snapshot):
            sfn_snapshot.assert_match(sfn.load("times.json").run({"ordered": "2020-01-01T00:00:00Z"}))
    """)
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    events = json.loads(snapshot(project).read_text())["events"]
    assert events[-1]["executionSucceededEventDetails"]["output"] == {
        "started": "<timestamp>", "entered": "<timestamp>", "ordered": "2020-01-01T00:00:00Z"}
    project.runpytest().assert_outcomes(passed=1)


def test_snapshots_no_test_compared_are_named_when_their_module_ran_whole(project):
    write_tests(project)
    project.runpytest("--sfn-snapshot-update").assert_outcomes(passed=1)
    left_behind = project.path / "__snapshots__" / "test_golden" / "test_renamed_away.json"
    left_behind.write_text(snapshot(project).read_text())
    result = project.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*- unused sfn snapshots -*",
                                 "__snapshots__/test_golden/test_renamed_away.json: compared by no "
                                 "test of its module: delete it if its test is gone"])
    assert "test_approved.json: compared" not in result.stdout.str()
    # a partial run (a test chosen by node id or deselected, or one that failed) says nothing
    assert "unused sfn snapshots" not in project.runpytest("test_golden.py::test_approved").stdout.str()
    project.makepyfile(test_golden=TESTS.replace("AMOUNT", "5") + "\n    def test_other(): pass\n")
    result = project.runpytest("-k", "approved")
    result.assert_outcomes(passed=1, deselected=1)
    assert "unused sfn snapshots" not in result.stdout.str()
    write_tests(project, amount=6)
    assert "unused sfn snapshots" not in project.runpytest().stdout.str()
