"""Handlers of Parallel branches and Map iterations run concurrently, within MaxConcurrency;
a handler that overruns its timeout is abandoned; a crashing handler stays contained."""

from __future__ import annotations

import threading
import time

import asl_runner

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def task(name: str, **extra) -> dict:
    return {"Type": "Task", "Resource": FN + name, "End": True, **extra}


class Gauge:
    """A handler that sleeps, and records how many copies of itself ran at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.now = 0
        self.most = 0
        self.started: list = []
        self.lock = threading.Lock()

    def __call__(self, event, context):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.started.append(event)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1
        return event


def test_parallel_branches_wait_together_not_one_after_another():
    gauge = Gauge(0.3)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": f"B{i}", "States": {f"B{i}": task("Sleep")}} for i in range(3)]}}}
    started = time.monotonic()
    ex = asl_runner.run(definition, {"x": 1}, handlers={"Sleep": gauge}, clock="real")
    took = time.monotonic() - started
    assert ex.status == "SUCCEEDED" and ex.output == [{"x": 1}] * 3
    assert gauge.most == 3
    assert took < 0.75


def test_map_honours_max_concurrency_and_keeps_item_order():
    gauge = Gauge(0.05)
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 2, "End": True,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task("Sleep")}}}}}
    ex = asl_runner.run(definition, list(range(8)), handlers={"Sleep": gauge}, clock="real")
    assert ex.status == "SUCCEEDED"
    assert ex.output == list(range(8))
    assert gauge.most == 2
    assert sorted(gauge.started) == list(range(8))


def test_a_failing_iteration_stops_the_map_and_the_rest_never_start():
    calls = []

    def handler(event, context):
        calls.append(event)
        if event == 2:
            raise ValueError("bad item")
        return event

    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 1, "End": True,
        "ItemProcessor": {"StartAt": "T", "States": {"T": task("Check")}}}}}
    ex = asl_runner.run(definition, list(range(6)), handlers={"Check": handler}, clock="virtual")
    assert (ex.status, ex.error) == ("FAILED", "ValueError")
    assert calls == [0, 1, 2]
    assert [e.type for e in ex.history][-3:] == ["MapIterationFailed", "MapStateFailed", "ExecutionFailed"]


def test_a_handler_that_overruns_its_timeout_is_abandoned_at_the_deadline():
    release = threading.Event()

    def stuck(event, context):
        release.wait(10)
        return "too late"

    definition = {"StartAt": "T", "States": {"T": task("Stuck", TimeoutSeconds=1)}}
    started = time.monotonic()
    ex = asl_runner.run(definition, {}, handlers={"Stuck": stuck}, clock="real")
    took = time.monotonic() - started
    release.set()
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert [e.type for e in ex.history][-2:] == ["LambdaFunctionTimedOut", "ExecutionFailed"]
    assert 0.9 < took < 3


def test_a_crashing_handler_is_a_task_failure_not_a_crash_of_the_runner():
    def crash(event, context):
        raise SystemExit("handler called exit()")

    definition = {"StartAt": "T", "States": {"T": task(
        "Crash", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handled"}], End=None, Next="Handled"),
        "Handled": {"Type": "Pass", "End": True}}}
    del definition["States"]["T"]["End"]
    ex = asl_runner.run(definition, {}, handlers={"Crash": crash}, clock="virtual")
    assert ex.status == "SUCCEEDED"
    assert ex.output["Error"] == "Runtime.ExitError"  # as Lambda reports a runtime that exits


def test_fast_handlers_run_in_place_slow_ones_still_concurrently():
    """After a fast handler has proved fast it runs on the runner's thread; a slow handler
    beside it in a Parallel still overlaps with the others."""
    gauge = Gauge(0.2)
    definition = {"StartAt": "Warm", "States": {
        "Warm": {"Type": "Task", "Resource": FN + "Quick", "Next": "P"},
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Q", "States": {"Q": task("Quick")}},
            {"StartAt": "S1", "States": {"S1": task("Sleep")}},
            {"StartAt": "S2", "States": {"S2": task("Sleep")}}]}}}
    started = time.monotonic()
    ex = asl_runner.run(definition, 1, handlers={"Quick": lambda e, c: e, "Sleep": gauge},
                        clock="real")
    assert ex.status == "SUCCEEDED" and ex.output == [1, 1, 1]
    assert gauge.most == 2
    assert time.monotonic() - started < 0.5


def test_abandoned_handlers_do_not_make_later_tasks_wait_for_a_worker():
    """40 handlers overrun their timeout and keep their threads (Python cannot stop them); the
    next task still gets a worker at once, instead of timing out before its handler starts."""
    release = threading.Event()
    stuck = []

    def hang(event, context):
        stuck.append(event)
        release.wait(20)

    definition = {"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": 0, "Next": "After",
              "ItemProcessor": {"StartAt": "H", "States": {"H": task("Hang", TimeoutSeconds=1)}},
              "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "After"}]},
        "After": task("Quick", TimeoutSeconds=1)}}
    started = time.monotonic()
    try:
        ex = asl_runner.run(definition, list(range(40)), clock="real",
                            handlers={"Hang": hang, "Quick": lambda event, context: "done"})
    finally:
        release.set()
    assert (ex.status, ex.output) == ("SUCCEEDED", "done")
    assert len(stuck) == 16  # the Map failed at the first timeout; the rest never started
    assert time.monotonic() - started < 3
