"""The pytest plugin, as users meet it: example test files run by pytester, their outcomes
and failure messages asserted."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

DEFINITIONS = {
    "charge.json": {
        "StartAt": "Charge",
        "States": {
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                       "ResultSelector": {"id.$": "$.Payload.id"}, "ResultPath": "$.charge",
                       "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 3, "IntervalSeconds": 60}],
                       "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.error", "Next": "Refuse"}],
                       "Assign": {"chargeId.$": "$.id"}, "Next": "Notify"},
            "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                       "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                                      "Message": "paid"},
                       "ResultPath": None, "End": True},
            "Refuse": {"Type": "Fail", "Error": "PaymentRefused", "Cause": "the card was declined"},
        },
    },
    "fanout.json": {
        "StartAt": "Both",
        "States": {
            "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Each", "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "Result": "L", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "R", "End": True}}}]},
            "Each": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
                "StartAt": "Double", "States": {"Double": {
                    "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                    "End": True}}}},
        },
    },
    "approval.json": {
        "StartAt": "Ask",
        "States": {
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                   "MessageBody": {"token.$": "$$.Task.Token", "amount.$": "$.amount"}},
                    "TimeoutSeconds": 86400,
                    "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Escalate"}], "End": True},
            "Escalate": {"Type": "Pass", "Result": "escalated", "End": True},
        },
    },
}


@pytest.fixture
def project(pytester):
    for name, definition in DEFINITIONS.items():
        pytester.path.joinpath(name).write_text(json.dumps(definition))
    return pytester


def run_tests(project, source: str, *args: str):
    project.makepyfile(test_example=source)
    return project.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args)


def test_stubs_answer_tasks_and_the_run_reads_like_a_spec(project):
    result = run_tests(project, """
        from asl_runner.errors import StatesError

        def test_a_throttled_charge_is_tried_again(sfn):
            machine = (sfn.load("charge.json")
                       .stub("Charge", results=[StatesError("Throttled", "slow down"),
                                                {"Payload": {"id": "ch_1"}}])
                       .stub("arn:aws:states:::sns:publish", result={"MessageId": "m-1"}))
            run = machine.run({"amount": 5})
            run.assert_succeeded(output={"amount": 5, "charge": {"id": "ch_1"}})
            run.assert_path("Charge", "Notify").assert_not_visited("Refuse")
            assert run.retries("Charge") == 1
            assert run.states["Charge"].input == {"amount": 5}
            assert run.states["Notify"].input == {"amount": 5, "charge": {"id": "ch_1"}}
            assert run.variables == {"chargeId": "ch_1"}
            assert run.history[0]["type"] == "ExecutionStarted"
            assert run.history[0]["executionStartedEventDetails"]["input"] == '{"amount":5}'

        def test_a_declined_card_is_refused(sfn):
            run = (sfn.load("charge.json").stub("Charge", error=("Declined", "no funds"))
                   .run({"amount": 5}))
            run.assert_failed(error="PaymentRefused").assert_path("Charge", "Refuse")
            assert run.states["Refuse"].input["error"] == {"Error": "Declined", "Cause": "no funds"}

        def test_a_callable_sees_the_payload_and_the_call(sfn):
            seen = []
            def charge(payload, call):
                seen.append((payload["Payload"], call.number))
                return {"Payload": {"id": "ch_" + str(call.number)}}
            run = (sfn.load("charge.json").stub("Charge", fn=charge)
                   .stub("Notify", result={}).run({"amount": 1}))
            assert run.output["charge"] == {"id": "ch_0"}
            assert seen == [({"amount": 1}, 0)]
    """)
    result.assert_outcomes(passed=3)


def test_map_iterations_and_parallel_branches_are_reachable(project):
    result = run_tests(project, """
        def test_each_item_is_doubled(sfn):
            run = (sfn.load("fanout.json")
                   .stub("Double", fn=lambda payload, call: payload * 2).run({"items": [3, 4]}))
            run.assert_succeeded(output=[6, 8]).assert_path("Both", "Each")
            assert run.branch("Both", 1).path == ["Right"]
            assert run.states["Left"][0].branch == 0
            assert run.iteration("Each", 1).states["Double"].input == 4
            assert run.states["Double"].iteration(0).output == 6
            assert [v.output for v in run.states["Double"]] == [6, 8]
    """)
    result.assert_outcomes(passed=1)


def test_a_token_is_answered_from_the_test(project):
    result = run_tests(project, """
        def test_an_approval_succeeds_the_task(sfn):
            asked = []
            def approve(task):
                asked.append(task.payload["MessageBody"]["amount"])
                assert task.payload["MessageBody"]["token"] == task.token
                task.succeed({"approved": True})
                return {"MessageId": "m-1"}
            run = sfn.load("approval.json").on_token("Ask", approve).run({"amount": 9})
            run.assert_succeeded(output={"approved": True}).assert_path("Ask")
            assert asked == [9]
            types = [e["type"] for e in run.history]
            assert types[types.index("TaskSubmitted"):] == [
                "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
            submitted = next(e for e in run.history if e["type"] == "TaskSubmitted")
            assert submitted["taskSubmittedEventDetails"]["output"] == '{"MessageId":"m-1"}'

        def test_a_refusal_fails_it(sfn):
            run = (sfn.load("approval.json")
                   .on_token("Ask", lambda task: task.fail("Refused", "too much")).run({"amount": 9}))
            run.assert_failed(error="Refused", cause="too much")

        def test_no_answer_times_out_at_once_on_the_virtual_clock(sfn):
            run = sfn.load("approval.json").on_token("Ask", lambda task: None).run({"amount": 9})
            run.assert_succeeded(output="escalated").assert_path("Ask", "Escalate")
    """)
    result.assert_outcomes(passed=3)


def test_a_task_nobody_answers_leaves_the_run_running_and_says_why(project):
    no_timeout = json.loads(json.dumps(DEFINITIONS["approval.json"]))
    del no_timeout["States"]["Ask"]["TimeoutSeconds"]
    project.path.joinpath("forever.json").write_text(json.dumps(no_timeout))
    result = run_tests(project, """
        def test_it(sfn):
            run = sfn.load("forever.json").on_token("Ask", lambda task: None).run({"amount": 1})
            assert run.status == "RUNNING"
            run.assert_succeeded()
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*is still RUNNING: it waits for an answer nothing will give*"])


def test_failure_messages_show_the_path_where_it_left_and_the_failing_state(project):
    result = run_tests(project, """
        def test_path(sfn):
            run = (sfn.load("charge.json").stub("Charge", error=("Declined", "no funds"))
                   .run({"amount": 5}))
            assert run.path == ["Charge", "Notify"]

        def test_status(sfn):
            run = (sfn.load("charge.json").stub("Charge", error=("Declined", "no funds"))
                   .run({"amount": 5}))
            run.assert_succeeded()

        def test_retries_exhausted(sfn):
            run = sfn.load("charge.json").stub("Charge", error="Throttled").run({"amount": 5})
            run.assert_path("Charge", "Notify")
    """)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*the run took Charge -> Refuse, not Charge -> Notify",
        "*it left the expected path after 'Charge': entered 'Refuse' where 'Notify' was expected",
        "*the execution FAILED with PaymentRefused: the card was declined",
        "*failing state: 'Refuse'",
        '*input: {"amount": 5, "error": {"Cause": "no funds", "Error": "Declined"}}',
        "*after 'Charge' failed with Declined: no funds",
    ])
    result.stdout.fnmatch_lines([
        "*expected the execution to succeed, but it FAILED with PaymentRefused: the card was declined",
        "*path: Charge -> Refuse",
    ])
    result.stdout.fnmatch_lines([
        "*it stopped after 1 state(s): the expected path goes on to Notify",
        "*the execution FAILED with Throttled*",
        "*failing state: 'Charge'",
        "*error: Throttled",
        "*cause: None",
        "*attempts: 4",
    ])


def test_bad_stubs_are_refused_with_what_is_wrong(project):
    result = run_tests(project, """
        import pytest

        def test_it(sfn):
            machine = sfn.load("charge.json")
            with pytest.raises(ValueError, match="no state or Task resource 'Chrage'.*'Charge'"):
                machine.stub("Chrage", result={})
            with pytest.raises(ValueError, match="'Refuse' is a Fail state"):
                machine.stub("Refuse", result={})
            with pytest.raises(TypeError, match="exactly one of .* not result, error"):
                machine.stub("Charge", result={}, error="E")
            with pytest.raises(ValueError, match="Resource ends in .waitForTaskToken"):
                machine.on_token("Charge", lambda task: None)
            with pytest.raises(KeyError, match="'Nope' was never entered"):
                machine.stub("Charge", error="Declined").run({}).states["Nope"]
    """)
    result.assert_outcomes(passed=1)


def test_the_readme_example_passes(pytester):
    import re
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n### Testing with pytest\n")
    # the section's first example: the two tests that read like a specification
    code = re.findall(r"```python\n(.*?)```", readme[start:readme.find("\n##", start + 1)], re.S)[0]
    pytester.makepyfile(test_readme=code)
    pytester.chdir()
    (pytester.path / "definitions").mkdir()
    (pytester.path / "definitions" / "charge_and_notify.asl.json").write_text(
        (repo / "definitions" / "charge_and_notify.asl.json").read_text())
    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest").assert_outcomes(passed=2)
