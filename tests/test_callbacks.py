"""Callback tasks (.waitForTaskToken) and their outcomes with the in-process runner."""

from __future__ import annotations

import json
import threading

import pytest

import asl_runner
from asl_runner.clock import RealClock, VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.integrations import Integrations

WAIT_FOR_TOKEN = {
    "StartAt": "Ask",
    "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token", "q.$": "$.q"}},
        "TimeoutSeconds": 3600, "End": True}},
}


def run_with(handler, definition=WAIT_FOR_TOKEN, input=None, clock=None):
    ex = Execution(asl_runner.load(definition), input or {"q": "ok?"}, clock=clock or VirtualClock())
    runner = Runner(Integrations(handlers={"Ask": handler}))
    return ex, runner


# An answer from another thread is "outside": on the virtual clock time would jump past the
# task's timeout before it comes, so these use the real clock.
def test_the_handler_gets_the_token_and_the_answer_completes_the_task():
    tokens = []
    ex, runner = run_with(lambda event, context: tokens.append(event["token"]) or {"sent": True},
                          clock=RealClock())

    def answer():
        while not tokens:
            threading.Event().wait(0.01)
        runner.send_task_success(tokens[0], {"answer": "yes"})

    threading.Thread(target=answer).start()
    runner.run(ex)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"answer": "yes"}
    types = [e.type for e in ex.history]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                     "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    submitted = ex.history[4].details
    # TaskSubmitted carries what the integration call returned (the Invoke response)
    assert submitted["output"]["Payload"] == {"sent": True}
    assert json.loads(json.dumps(ex.history[2].aws_details()["parameters"])) .count(tokens[0]) == 1


def test_a_failure_answer_fails_the_task_with_its_error_and_cause():
    tokens = []
    ex, runner = run_with(lambda event, context: tokens.append(event["token"]) or {}, clock=RealClock())
    threading.Timer(0.05, lambda: runner.send_task_failure(tokens[0], "Denied", "not today")).start()
    runner.run(ex)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Denied", "not today")
    assert ex.history[-2].type == "TaskFailed"


def test_on_the_virtual_clock_an_unanswered_task_times_out_at_once():
    ex, runner = run_with(lambda event, context: {})
    runner.run(ex)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    scheduled = next(e for e in ex.history if e.type == "TaskStarted")
    timed_out = next(e for e in ex.history if e.type == "TaskTimedOut")
    assert timed_out.timestamp - scheduled.timestamp == pytest.approx(3600, abs=0.01)


def test_waiting_forever_is_announced_once():
    definition = json.loads(json.dumps(WAIT_FOR_TOKEN))
    del definition["States"]["Ask"]["TimeoutSeconds"]
    tokens, told = [], []
    ex = Execution(asl_runner.load(definition), {"q": 1}, clock=VirtualClock())
    runner = Runner(Integrations(handlers={"Ask": lambda e, c: tokens.append(e["token"]) or {}}),
                    on_wait_forever=lambda execution: (told.append(execution.name),
                                                       runner.send_task_success(tokens[0], 42)))
    runner.run(ex)
    assert told == [ex.name]
    assert (ex.status, ex.output) == ("SUCCEEDED", 42)


def test_cli_json_output_stays_one_object_when_handlers_print(tmp_path):
    from asl_runner.cli import main

    from cli_runner import CliRunner

    (tmp_path / "Talk.py").write_text("def handler(event, context):\n    print('hello from the handler')\n"
                                      "    return {'said': 'hello'}\n")
    definition = tmp_path / "d.json"
    definition.write_text(json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Talk", "End": True}}}))
    result = CliRunner().invoke(main, ["run", str(definition), "--json", "--lambdas", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["output"] == '{"said":"hello"}'
    assert "hello from the handler" in result.stderr


def test_an_answer_before_the_call_returns_still_comes_after_task_submitted():
    """A handler that answers its own token before it returns: AWS records TaskSubmitted
    first, then the task's success."""
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}},
        "TimeoutSeconds": 60, "End": True}}}  # a timeout: the handler runs on a worker thread
    ex = Execution(asl_runner.load(definition), {}, clock=VirtualClock())
    runner = Runner(Integrations(handlers={
        "Ask": lambda event, context: runner.send_task_success(event["token"], "answered") or {}}))
    with runner:
        runner.run(ex)
    assert (ex.status, ex.output) == ("SUCCEEDED", "answered")
    types = [e.type for e in ex.history]
    assert types[types.index("TaskScheduled"):] == [
        "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
        "ExecutionSucceeded"]
