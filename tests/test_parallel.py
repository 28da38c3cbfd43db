"""Parallel: branch outputs in branch order, Parameters/ResultSelector/ResultPath, branch
failure, Catch and Retry, as AWS records them in ../shared/conformance
(test_parallel_state[PARALLEL_STATE], test_parallel_state_fail, test_parallel_state_retry)."""

from __future__ import annotations

import pytest

from support import EPOCH, Tasks, every, fails, first, lambda_arn, links, machine, result, run, types


def branch(*states: tuple[str, dict]) -> dict:
    return machine(dict(states))


def pass_(**fields) -> dict:
    return {"Type": "Pass", "End": True, **fields}


def parallel(*branches, **fields) -> dict:
    body = {"Type": "Parallel", "Branches": list(branches), **fields}
    if "Next" not in body:
        body["End"] = True
    return body


def test_outputs_are_in_branch_order_whatever_finishes_first():
    # test_parallel_state[PARALLEL_STATE]: three branches of 1, 2 and 3 Pass states
    definition = machine({
        "LoadInput": {"Type": "Pass", "Result": [1, 2, 3, 4], "Next": "ParallelState"},
        "ParallelState": parallel(
            branch(("Branch1", pass_())),
            branch(("Branch21", {"Type": "Pass", "Next": "Branch22"}), ("Branch22", pass_())),
            branch(("Branch31", {"Type": "Pass", "Next": "Branch32"}), ("Branch32", {"Type": "Pass", "Next": "Branch33"}),
                   ("Branch33", pass_())),
        ),
    })
    ex = run(definition)
    assert result(ex) == {"status": "SUCCEEDED", "output": [[1, 2, 3, 4]] * 3}
    assert types(ex)[:5] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ParallelStateEntered",
                             "ParallelStateStarted"]
    assert types(ex)[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]
    assert len(every(ex, "PassStateEntered")) == 1 + 6


def test_slow_branch_keeps_its_position():
    definition = machine({"P": parallel(
        branch(("Slow", {"Type": "Wait", "Seconds": 50, "Next": "SlowDone"}), ("SlowDone", pass_(Result="slow"))),
        branch(("Fast", pass_(Result="fast"))),
        branch(("Task", {"Type": "Task", "Resource": lambda_arn("f"), "End": True})),
    )})
    ex = run(definition, tasks=Tasks(f=lambda _: "task"))
    assert result(ex)["output"] == ["slow", "fast", "task"]
    # the branches ran side by side: the whole state took the longest branch's 50 s, not more
    assert first(ex, "ParallelStateExited").timestamp - EPOCH == pytest.approx(50, abs=0.25)


def test_every_branch_gets_the_same_effective_input():
    definition = machine({"P": parallel(
        branch(("A", pass_(InputPath="$.v"))),
        branch(("B", pass_())),
        InputPath="$.in", Parameters={"v.$": "$.x", "ctx.$": "$$.State.Name"},
    )})
    out = result(run(definition, {"in": {"x": 5}, "other": 1}))["output"]
    assert out == [5, {"v": 5, "ctx": "P"}]


def test_result_selector_result_path_output_path():
    definition = machine({"P": parallel(
        branch(("A", pass_(Result="a"))),
        branch(("B", pass_(Result="b"))),
        ResultSelector={"first.$": "$[0]", "count.$": "States.ArrayLength($)"},
        ResultPath="$.par", OutputPath="$.par",
    )})
    assert result(run(definition, {"keep": 1}))["output"] == {"first": "a", "count": 2}


def test_result_path_null_keeps_the_input():
    definition = machine({"P": parallel(branch(("A", pass_(Result="a"))), ResultPath=None)})
    assert result(run(definition, {"keep": 1}))["output"] == {"keep": 1}


def test_branch_failure_fails_the_state_with_the_branchs_error():
    # test_parallel_state_fail
    definition = machine({"ParallelState": parallel(
        branch(("Branch1", {"Type": "Fail", "Error": "FailureType"})))})
    ex = run(definition)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "FailureType", None)
    assert links(ex) == [(1, 0, "ExecutionStarted"), (2, 0, "ParallelStateEntered"), (3, 2, "ParallelStateStarted"),
                         (4, 3, "FailStateEntered"), (5, 4, "ParallelStateFailed"), (6, 5, "ExecutionFailed")]


def test_catch_routes_the_error_output():
    definition = machine({
        "P": parallel(branch(("Ok", pass_(Result=1))),
                      branch(("Boom", {"Type": "Fail", "Error": "Boom", "Cause": "bad"})),
                      Catch=[{"ErrorEquals": ["Other"], "Next": "Wrong"},
                             {"ErrorEquals": ["Boom"], "ResultPath": "$.err", "Next": "Handler"}],
                      Next="Wrong"),
        "Handler": pass_(),
        "Wrong": {"Type": "Fail"},
    })
    ex = run(definition, {"in": 1})
    assert result(ex) == {"status": "SUCCEEDED", "output": {"in": 1, "err": {"Error": "Boom", "Cause": "bad"}}}
    failed = types(ex).index("ParallelStateFailed")
    assert types(ex)[failed:failed + 3] == ["ParallelStateFailed", "ParallelStateExited", "PassStateEntered"]
    assert first(ex, "ParallelStateExited").details["output"] == {"in": 1, "err": {"Error": "Boom", "Cause": "bad"}}


def test_catch_without_result_path_replaces_the_input_with_the_error():
    # an error without a cause has "Cause": "" in the error output (test_invoke_timeout records it)
    definition = machine({
        "P": parallel(branch(("Boom", {"Type": "Fail", "Error": "Boom"})),
                      Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}], Next="Handler"),
        "Handler": pass_(),
    })
    assert result(run(definition, {"in": 1}))["output"] == {"Error": "Boom", "Cause": ""}


def test_retry_runs_every_branch_again_and_re_emits_parallel_state_started():
    # test_parallel_state_retry
    definition = machine({
        "ParallelState": parallel(
            branch(("Branch1", {"Type": "Fail", "Error": "FailureType", "Cause": "Cause description"})),
            Retry=[{"ErrorEquals": ["FailureType"], "MaxAttempts": 2}], Next="Final"),
        "Final": pass_(),
    })
    ex = run(definition)
    assert (ex.error, ex.cause) == ("FailureType", "Cause description")
    assert links(ex) == [
        (1, 0, "ExecutionStarted"), (2, 0, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"), (4, 3, "FailStateEntered"),
        (5, 4, "ParallelStateStarted"), (6, 5, "FailStateEntered"),
        (7, 6, "ParallelStateStarted"), (8, 7, "FailStateEntered"),
        (9, 8, "ParallelStateFailed"), (10, 9, "ExecutionFailed"),
    ]
    started = [e.timestamp for e in every(ex, "ParallelStateStarted")]
    assert [round(b - a) for a, b in zip(started, started[1:], strict=False)] == [1, 2]  # default 1 s, backoff 2


def test_retry_then_success():
    outcomes = Tasks(f=[fails("Flaky"), "ok"])
    definition = machine({"P": parallel(
        branch(("T", {"Type": "Task", "Resource": lambda_arn("f"), "End": True})),
        branch(("Static", pass_(Result="static"))),
        Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 3}],
    )})
    ex = run(definition, tasks=outcomes)
    assert result(ex)["output"] == ["ok", "static"]
    assert types(ex).count("ParallelStateStarted") == 2
    assert len(every(ex, "PassStateEntered")) == 2  # the healthy branch ran again too


def test_a_failing_branch_stops_the_others():
    definition = machine({"P": parallel(
        branch(("Fail", {"Type": "Fail", "Error": "E"})),
        branch(("Long", {"Type": "Wait", "Seconds": 1000, "Next": "After"}), ("After", pass_())),
    )})
    ex = run(definition)
    assert ex.error == "E"
    assert "WaitStateExited" not in types(ex) and "PassStateEntered" not in types(ex)
    assert ex.history[-1].timestamp - EPOCH < 1  # did not wait for the long branch


def test_nested_parallel():
    definition = machine({"Outer": parallel(
        branch(("Inner", parallel(branch(("A", pass_(Result="a"))), branch(("B", pass_(Result="b")))))),
        branch(("C", pass_(Result="c"))),
    )})
    ex = run(definition)
    assert result(ex)["output"] == [["a", "b"], "c"]
    assert types(ex).count("ParallelStateStarted") == 2
