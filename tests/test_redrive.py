"""RedriveExecution through the Python API (asl_runner.redrive): the failed state runs again,
only the failed or unfinished branches and iterations of a Parallel or Map run again, with
ExecutionRedriven, $$.Execution.RedriveCount and AWS's refusals."""

from __future__ import annotations

from collections import Counter

import pytest

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.errors import ExecutionNotRedrivable

WORK = "arn:aws:lambda:us-east-1:123456789012:function:work"


class Work:
    """A handler that fails for the events in ``broken`` and counts its calls per event."""

    def __init__(self, *broken):
        self.broken = set(broken)
        self.calls: Counter = Counter()

    def __call__(self, event, context):
        key = event if isinstance(event, (str, int)) else repr(event)
        self.calls[key] += 1
        if key in self.broken:
            raise RuntimeError(f"cannot do {key}")
        return event

    def fix(self) -> Work:
        """The fixed handler: a new one, so that a call the failed run had in flight (and
        abandoned) cannot count as one of the redrive's."""
        return Work()


def task(**fields) -> dict:
    return {"Type": "Task", "Resource": WORK, **({"End": True} if "Next" not in fields else {}), **fields}


def run(definition: dict, input, work: Work, **kw):
    return asl_runner.run(definition, input, handlers={"work": work}, clock="virtual", **kw)


def redrive(execution, work: Work):
    return asl_runner.redrive(execution, handlers={"work": work})


def types(execution) -> list[str]:
    return [e.type for e in execution.history]


def succeeded(execution, event_type: str, key: str) -> set:
    """What the history says finished well (a branch's last state, an iteration's index)."""
    return {e.details[key] for e in execution.history if e.type == event_type}


def test_a_failed_task_runs_again_and_what_came_before_it_does_not():
    work = Work("charge")
    definition = {"StartAt": "Prepare", "States": {
        "Prepare": task(Parameters="prepare", ResultPath="$.prepared", Next="Charge"),
        "Charge": task(Parameters="charge", ResultPath="$.charged")}}
    ex = run(definition, {"order": 7}, work)
    assert (ex.status, ex.error) == ("FAILED", "RuntimeError")
    first_run = len(ex.history)
    arn = ex.arn

    fixed = work.fix()
    assert redrive(ex, fixed) is ex
    assert ex.status == "SUCCEEDED" and ex.arn == arn
    assert ex.output == {"order": 7, "prepared": "prepare", "charged": "charge"}
    assert fixed.calls == {"charge": 1}  # Prepare is not called again
    again = ex.history[first_run:]
    assert [e.type for e in again] == [
        "ExecutionRedriven", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    redriven = again[0]
    assert redriven.details == {"redriveCount": 1}
    assert redriven.previous_id == first_run  # after the ExecutionFailed event
    assert again[1].previous_id == redriven.id
    assert again[1].details["input"] == {"order": 7, "prepared": "prepare"}  # the state's own input
    assert [e.id for e in ex.history] == list(range(1, len(ex.history) + 1))
    described = ex.describe()
    assert described["redriveCount"] == 1
    assert described["redriveDate"] == redriven.to_aws()["timestamp"]
    assert "error" not in described


def test_only_the_failed_branch_of_a_parallel_runs_again():
    work = Work("b")
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": name, "States": {name: task(Parameters=name)}} for name in "abc"]}}}
    ex = run(definition, {}, work)
    assert ex.status == "FAILED" and work.calls["b"] == 1
    kept = succeeded(ex, "TaskStateExited", "name")
    assert "b" not in kept

    fixed = work.fix()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and ex.output == ["a", "b", "c"]
    assert set(fixed.calls) == set("abc") - kept and fixed.calls["b"] == 1
    assert succeeded(ex, "TaskStateExited", "name") == set("abc")
    after = types(ex)[types(ex).index("ExecutionRedriven"):]
    assert after[:3] == ["ExecutionRedriven", "ParallelStateEntered", "ParallelStateStarted"]
    assert after.count("TaskStateEntered") == len(fixed.calls)
    assert after[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_only_the_failed_and_unfinished_iterations_of_an_inline_map_run_again():
    work = Work(2, 5)
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": 2,
        "ItemProcessor": {"StartAt": "W", "States": {"W": task()}}}}}
    items = list(range(8))
    ex = run(definition, items, work)
    assert ex.status == "FAILED"
    done_before = succeeded(ex, "MapIterationSucceeded", "index")
    assert 2 in work.calls and 7 not in work.calls  # MaxConcurrency 2: the Map stopped early

    fixed = work.fix()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and ex.output == items
    assert set(fixed.calls) == set(items) - done_before, (fixed.calls, done_before)
    assert all(n == 1 for n in fixed.calls.values()), fixed.calls
    started = [e.details["index"] for e in ex.history[types(ex).index("ExecutionRedriven"):]
               if e.type == "MapIterationStarted"]
    assert sorted(started) == sorted(fixed.calls)
    after = [e for e in ex.history if e.type == "MapStateStarted"]
    assert [e.details for e in after] == [{"length": 8}, {"length": 8}]


def test_a_map_inside_a_parallel_resumes_where_it_stopped():
    work = Work("x-1")
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "One", "States": {"One": task(Parameters="one")}},
        {"StartAt": "M", "States": {"M": {
            "Type": "Map", "End": True, "ItemsPath": "$.xs",
            "ItemProcessor": {"StartAt": "W", "States": {"W": task()}}}}},
    ]}}}
    ex = run(definition, {"xs": ["x-0", "x-1", "x-2"]}, work)
    assert ex.status == "FAILED"
    kept = {f"x-{i}" for i in succeeded(ex, "MapIterationSucceeded", "index")}
    one_done = "One" in succeeded(ex, "TaskStateExited", "name")
    fixed = work.fix()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED" and ex.output == ["one", ["x-0", "x-1", "x-2"]]
    expected = {"x-0", "x-1", "x-2"} - kept
    if not one_done:
        expected.add("one")
    assert set(fixed.calls) == expected
    assert fixed.calls["x-1"] == 1


def test_the_context_counts_redrives_and_variables_and_retries_come_back():
    definition = {"StartAt": "Remember", "States": {
        "Remember": {"Type": "Pass", "Assign": {"seen": "before"}, "Next": "Go"},
        "Go": task(Parameters={"count.$": "$$.Execution.RedriveCount", "seen.$": "$seen"},
                   Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                   Next="Stamp"),
        # $$.Execution.RedriveTime exists once the execution was redriven
        "Stamp": {"Type": "Pass", "Parameters": {"go.$": "$", "time.$": "$$.Execution.RedriveTime"},
                  "End": True}}}
    calls = []

    def broken(event, context):
        calls.append(event)
        raise RuntimeError("broken")

    ex = asl_runner.run(definition, {}, handlers={"work": broken}, clock="virtual")
    assert ex.status == "FAILED"
    assert len(calls) == 3 and calls[0]["count"] == 0  # the first try and its two retries
    calls.clear()

    def go(event, context):
        calls.append(event)
        if len(calls) < 3:
            raise RuntimeError("still broken")
        return event

    asl_runner.redrive(ex, handlers={"work": go})
    assert ex.status == "SUCCEEDED"
    assert len(calls) == 3  # the redriven state has its retries again
    assert ex.output["go"] == {"count": 1, "seen": "before"}
    assert ex.output["time"] == ex.describe()["redriveDate"]


def test_a_failed_redrive_can_be_redriven_again_and_counts():
    work = Work("t")
    definition = {"StartAt": "T", "States": {"T": task(Parameters="t")}}
    ex = run(definition, {}, work)
    redrive(ex, work)  # still broken
    assert ex.status == "FAILED" and ex.describe()["redriveCount"] == 1
    fixed = work.fix()
    redrive(ex, fixed)
    assert ex.status == "SUCCEEDED"
    assert [e.details for e in ex.history if e.type == "ExecutionRedriven"] == [
        {"redriveCount": 1}, {"redriveCount": 2}]
    assert types(ex).count("ExecutionFailed") == 2


def test_timed_out_and_aborted_executions_redrive_from_the_state_they_were_in():
    work = Work()
    definition = {"StartAt": "Slow", "TimeoutSeconds": 5, "States": {
        "Slow": {"Type": "Wait", "Seconds": 10, "Next": "T"}, "T": task(Parameters="t")}}
    ex = run(definition, {}, work)
    assert ex.status == "TIMED_OUT" and not work.calls
    fast = {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 1, "Next": "T"},
                                           "T": task(Parameters="t")}}
    ex2 = asl_runner.start(fast, {}, clock=VirtualClock())
    ex2.start()
    ex2.stop("Stopped", "by hand")
    assert ex2.status == "ABORTED"
    redrive(ex2, work)  # aborted in its Wait: the Wait runs again, then the task
    assert ex2.status == "SUCCEEDED" and work.calls == {"t": 1}
    # the timed-out one waits again from the redrive: its TimeoutSeconds starts over, so
    # the 10-second Wait times out again
    redrive(ex, work)
    assert ex.status == "TIMED_OUT"
    assert types(ex)[-3:] == ["ExecutionRedriven", "WaitStateEntered", "ExecutionTimedOut"]


@pytest.mark.parametrize("broken, setup, reason", [
    ((), lambda ex: None, "Execution is SUCCEEDED and cannot be redriven"),
    (("t",), lambda ex: ex.clock.skip_to(ex.stop_time + 14 * 86400 + 1),
     "Execution redrivable period exceeded"),
])
def test_refusals(broken, setup, reason):
    work = Work(*broken)
    ex = run({"StartAt": "T", "States": {"T": task(Parameters="t")}}, {}, work)
    setup(ex)
    length = len(ex.history)
    with pytest.raises(ExecutionNotRedrivable) as caught:
        redrive(ex, work)
    assert (caught.value.code, caught.value.reason) == ("ExecutionNotRedrivable", reason)
    assert len(ex.history) == length  # nothing happened


def test_express_executions_cannot_be_redriven():
    work = Work("t")
    ex = run({"StartAt": "T", "States": {"T": task(Parameters="t")}}, {}, work, machine_type="EXPRESS")
    with pytest.raises(ExecutionNotRedrivable, match="EXPRESS"):
        redrive(ex, work)


def test_the_readme_example():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n### Redrive: ")
    section = readme[start:readme.find("\n##", start + 1)]
    code = next(block for block in re.findall(r"```python\n(.*?)```", section, re.S)
                if "asl_runner.redrive" in block)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    execution = namespace["execution"]
    assert (execution.status, execution.output) == ("SUCCEEDED", [10, 20, 30, 40])
    assert execution.describe()["redriveCount"] == 1


def test_the_pytest_toolkit_redrives_a_run_with_the_fixed_stubs():
    from asl_runner.pytest_plugin.machine import StateMachines

    definition = {"StartAt": "Prepare", "States": {
        "Prepare": task(Parameters="prepare", ResultPath="$.prepared", Next="Charge"),
        "Charge": task(Parameters="charge", ResultPath="$.charged")}}
    machine = StateMachines({}).load(definition).stub("Prepare", result="prepared")
    machine.stub("Charge", error=("PaymentDeclined", "card expired"))
    run = machine.run({}).assert_failed("PaymentDeclined")
    machine.stub("Charge", result="charged")  # the fix
    again = machine.redrive(run).assert_succeeded({"prepared": "prepared", "charged": "charged"})
    assert again.execution is run.execution and again.execution.redrive_count == 1
    assert [e["type"] for e in again.history].count("TaskStateEntered") == 3  # Prepare once
    with pytest.raises(ExecutionNotRedrivable, match="SUCCEEDED"):
        machine.redrive(again)
