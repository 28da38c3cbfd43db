"""AWS's limits on a running execution, and the engine's crash-only steps.

- event 25,000 of a history is the execution's ExecutionFailed (States.Runtime);
- an execution ends at its maximum duration (Standard: a year, Express: five minutes), so even
  a task nothing can answer ends on the virtual clock;
- TimeoutSeconds and StopExecution end executions in AWS's shapes;
- an engine step that raises fails its own execution, never its caller.
"""

from __future__ import annotations

import pytest

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.engine import execution as execution_module
from asl_runner.integrations import Integrations

LOOP = {"StartAt": "Spin", "States": {
    "Spin": {"Type": "Pass", "Next": "Again"},
    "Again": {"Type": "Choice", "Choices": [
        {"Variable": "$.stop", "IsPresent": True, "Next": "Done"}], "Default": "Spin"},
    "Done": {"Type": "Succeed"}}}


def test_a_history_reaching_25000_events_fails_the_execution_as_aws_does():
    ex = asl_runner.run(LOOP, {"spin": True}, clock="virtual")
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert ex.cause == "The execution reached the maximum number of history events (25000)."
    assert len(ex.history) == 25_000
    last, before = ex.history[-1], ex.history[-2]
    # event 25,000 is the failure; it points at the last event the machine produced
    assert (last.id, last.type, last.previous_id) == (25_000, "ExecutionFailed", 24_999)
    assert last.details == {"error": "States.Runtime", "cause": ex.cause}
    assert before.type in ("PassStateEntered", "PassStateExited", "ChoiceStateEntered",
                           "ChoiceStateExited")


def test_the_history_limit_holds_inside_a_map():
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 2, "End": True, "ItemProcessor": LOOP}}}
    ex = asl_runner.run(definition, [{}, {}, {}], clock="virtual")
    assert (ex.status, ex.error, len(ex.history)) == ("FAILED", "States.Runtime", 25_000)
    assert ex.history[-1].type == "ExecutionFailed"


def _callback_machine(**top):
    return {"StartAt": "Ask", **top, "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}},
        "End": True}}}


@pytest.mark.parametrize(("machine_type", "seconds", "limit"), [
    ("STANDARD", 365 * 24 * 3600, "365 days"), ("EXPRESS", 300, "5 minutes")])
def test_a_task_nothing_answers_ends_at_the_execution_limit_on_the_virtual_clock(
        machine_type, seconds, limit):
    ex = Execution(asl_runner.load(_callback_machine()), {}, clock=VirtualClock(),
                   machine_type=machine_type)
    with Runner(Integrations(handlers={"Ask": lambda event, context: {}})) as runner:
        runner.run(ex)
    assert ex.status == "TIMED_OUT"
    last = ex.history[-1]
    assert (last.type, last.previous_id) == ("ExecutionTimedOut", 0)
    assert last.details == {"error": "States.Timeout", "cause": (
        f"The execution reached the maximum duration of a {machine_type} execution ({limit}).")}
    assert last.timestamp - ex.history[0].timestamp == pytest.approx(seconds)


def test_timeout_seconds_beyond_the_limit_ends_at_the_limit():
    ex = asl_runner.run(_callback_machine(TimeoutSeconds=99_999_999), {}, clock="virtual",
                        handlers={"Ask": lambda event, context: {}})
    assert ex.status == "TIMED_OUT"
    assert ex.history[-1].timestamp - ex.history[0].timestamp == pytest.approx(365 * 24 * 3600)


def test_stop_writes_aws_execution_aborted():
    ex = Execution(asl_runner.load(_callback_machine()), {}, clock=VirtualClock())
    ex.start()
    ex.stop()
    last = ex.history[-1]
    assert ex.status == "ABORTED"
    assert (last.type, last.previous_id, last.to_aws()["executionAbortedEventDetails"]) == (
        "ExecutionAborted", 0, {})
    assert ex.describe()["status"] == "ABORTED" and "error" not in ex.describe()


def test_an_engine_step_that_raises_fails_only_its_own_execution(monkeypatch):
    def broken(ex, frame, state):
        raise KeyError("a bug")

    monkeypatch.setitem(execution_module._handlers(), "Pass", broken)
    ex = asl_runner.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, {},
                        clock="virtual")
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert ex.cause == "asl-runner failed while running this execution: KeyError: 'a bug'"
    assert [e.type for e in ex.history] == ["ExecutionStarted", "ExecutionFailed"]
    assert ex.history[-1].previous_id == 1


def test_a_failing_task_outcome_step_fails_the_execution_and_the_runner_returns(monkeypatch):
    from asl_runner.engine import task_state

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(task_state, "task_succeeded", broken)
    definition = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F", "End": True}}}
    ex = asl_runner.run(definition, {}, handlers={"F": lambda event, context: 1}, clock="virtual")
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "RecursionError" in ex.cause


def test_a_listener_that_raises_is_dropped_and_the_run_goes_on():
    ex = Execution(asl_runner.load(LOOP), {"stop": 1}, clock=VirtualClock())
    seen = []

    def broken(event, depth):
        seen.append(event.type)
        raise BrokenPipeError("stdout closed")

    ex.listeners.append(broken)
    Runner(Integrations()).run(ex)
    assert ex.status == "SUCCEEDED"
    assert seen == ["ExecutionStarted"]


def test_a_distributed_map_that_asl_runner_cannot_run_says_so_in_its_cause():
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::batch:submitJob", "End": True}}}}}}
    ex = asl_runner.run(definition, [1, 2], clock="virtual")
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert ex.cause.startswith("The specified tolerated failure threshold was exceeded. An "
                               "iteration failed because asl-runner could not run it: ")
    assert "arn:aws:states:::batch:submitJob" in ex.cause


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize("bad", [{"x": float("nan")}, [float("inf")], {1, 2}, object(),
                                 {"deep": nested(1001)}, {"big": "x" * 300_000},
                                 # a lone surrogate crashed the engine (States.Runtime, traceback)
                                 "\ud800", {"\udc00": 1}],
                         ids=["nan", "infinity", "set", "object", "too-deep", "too-large",
                              "surrogate", "surrogate-key"])
def test_the_python_api_refuses_what_start_execution_refuses(bad):
    from asl_runner.errors import InvalidExecutionInput

    with pytest.raises(InvalidExecutionInput):
        asl_runner.run(LOOP, bad, clock="virtual")


def test_the_python_api_runs_a_copy_of_the_input():
    data = {"stop": True, "items": [1]}
    ex = asl_runner.start(LOOP, data, clock="virtual")
    data["items"].append(2)
    Runner(Integrations()).run(ex)
    assert ex.output == {"stop": True, "items": [1]}
