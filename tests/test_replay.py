"""Save mid-run, reload, finish: for every step of a machine that uses every state type.

An execution is rebuilt from its recorded history and the inputs that drove it (task
outcomes, timer firings), the way the durable host recovers after a crash. Stopping after any
number of inputs, rebuilding, and feeding the rest must end exactly like the uninterrupted
run: same events, same output, same random draws.
"""

from __future__ import annotations

import pytest

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution
from asl_runner.engine.outcomes import Outcome, TaskFailed, TaskSucceeded, TimerFired, decode

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
MACHINE = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "items": [1, 2, 3],
                                                   "n": 2}, "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1,
                                                 "Next": "Pause"}], "Default": "Done"},
        "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Fork"},
        "Fork": {"Type": "Parallel", "ResultPath": "$.fork", "Next": "Each", "Branches": [
            {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": FN + "Echo", "End": True}}},
            {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "right", "End": True}}},
        ]},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.each",
                 "ItemProcessor": {"StartAt": "Work", "States": {
                     "Work": {"Type": "Task", "Resource": FN + "Flaky", "End": True,
                              "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 2,
                                         "JitterStrategy": "FULL"}]}}},
                 "Next": "Risky"},
        "Risky": {"Type": "Task", "Resource": FN + "Broken", "Next": "Done",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}]},
        "Done": {"Type": "Succeed"},
    },
}


def outcome(invocation, calls: dict) -> Outcome:
    """What the handlers do: deterministic, and Flaky fails once per item."""
    name = invocation.resource.function_name
    token = invocation.token
    if name == "Flaky":
        key = f"flaky-{invocation.payload}"
        calls[key] = calls.get(key, 0) + 1
        if calls[key] == 1:
            return TaskFailed(token, "Transient", "try again")
        return TaskSucceeded(token, invocation.payload * 10)
    if name == "Broken":
        return TaskFailed(token, "Boom", "always")
    return TaskSucceeded(token, invocation.payload)


def new_execution() -> Execution:
    return Execution(asl_runner.load(MACHINE), {"start": True}, clock=VirtualClock(), name="r",
                     seed=1234)


def drive(ex: Execution, inputs: list, marks: list | None, calls: dict) -> None:
    """Run to the end the way the host does, recording each input (and the history length
    after it) when ``marks`` is a list."""
    pending: list = []
    while ex.running:
        pending.extend(ex.tasks.take_invocations())
        if pending:
            happened = outcome(pending.pop(0), calls)
        else:
            happened = TimerFired(ex.due_timers(ex.next_timer_due())[0].seq)
        ex.apply(happened)
        # as the host records it, and reads it back
        inputs.append((happened.kind, happened.record()))
        if marks is not None:
            marks.append(len(ex.history))


def record() -> tuple[Execution, list, list]:
    ex = new_execution()
    ex.start()
    inputs, marks = [], [len(ex.history)]
    drive(ex, inputs, marks, {})
    assert ex.status == "SUCCEEDED"
    return ex, inputs, marks


RECORDED = record()


@pytest.fixture(scope="module")
def recorded():
    return RECORDED


def test_the_machine_exercises_every_state_type(recorded):
    ex, inputs, _ = recorded
    entered = {e.type for e in ex.history if e.type.endswith("StateEntered")}
    assert entered == {f"{t}StateEntered" for t in
                       ("Pass", "Choice", "Wait", "Parallel", "Task", "Map", "Succeed")}
    assert {kind for kind, _ in inputs} == {"timer", "task-succeeded", "task-failed"}


@pytest.mark.parametrize("stop_after", range(len(RECORDED[1]) + 1))
def test_rebuilt_after_any_step_it_ends_the_same(recorded, stop_after):
    original, inputs, marks = recorded
    ex = new_execution()
    ex.begin_replay(original.history[:marks[stop_after]])
    ex.start()
    for kind, payload in inputs[:stop_after]:
        ex.apply(decode(kind, payload))
    ex.end_replay()
    assert len(ex.history) == marks[stop_after]
    # then live again: the remaining inputs, as they came in the original run
    for kind, payload in inputs[stop_after:]:
        ex.tasks.take_invocations()
        ex.apply(decode(kind, payload))
    assert ex.status == "SUCCEEDED"
    assert ex.output == original.output  # the UUID drawn in Prepare included
    assert [(e.type, e.previous_id) for e in ex.history] == [(e.type, e.previous_id)
                                                            for e in original.history]
    assert [e.timestamp for e in ex.history[:marks[stop_after]]] == \
        [e.timestamp for e in original.history[:marks[stop_after]]]
