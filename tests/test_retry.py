"""Retry and error matching.

Back-off delays are measured from history timestamps on the virtual clock: a failure event to
the next attempt's first event. The rules are AWS's documented ones: IntervalSeconds ×
BackoffRate^(n-1), capped by MaxDelaySeconds; FULL jitter picks a random delay between 0 and
that; each retrier counts its own attempts; the first retrier whose ErrorEquals matches applies
(the ErrorA/ErrorB/ErrorC example of the "Error handling in Step Functions" page);
MaxAttempts 0 never retries (test_retry_interval_features_max_attempts_zero); States.ALL
matches everything but States.Runtime, States.TaskFailed everything but States.Timeout.
"""

from __future__ import annotations

import pytest

from asl_runner.errors import error_matches

from support import Tasks, every, fails, first, lambda_arn, machine, result, run, types


def task(retry: list, **fields) -> dict:
    body = {"Type": "Task", "Resource": lambda_arn("f"), "Retry": retry, **fields}
    if "Next" not in body:
        body["End"] = True
    return body


def delays(ex) -> list[float]:
    """Seconds from each failure to the next attempt."""
    failed = every(ex, "LambdaFunctionFailed")
    scheduled = every(ex, "LambdaFunctionScheduled")
    return [s.timestamp - f.timestamp for f, s in zip(failed, scheduled[1:], strict=False)]


def always(error: str, n: int = 20) -> Tasks:
    return Tasks(f=[fails(error, f"attempt {i}") for i in range(n)])


BACKOFFS = [
    ("defaults", {}, [1, 2, 4]),
    ("interval-and-rate", {"IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}, [2, 6, 18]),
    ("rate-one-is-constant", {"IntervalSeconds": 5, "BackoffRate": 1, "MaxAttempts": 2}, [5, 5]),
    ("fractional-rate", {"IntervalSeconds": 2, "BackoffRate": 1.5, "MaxAttempts": 3}, [2, 3, 4.5]),
    ("max-delay-caps", {"IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 5, "MaxDelaySeconds": 10},
     [3, 6, 10, 10, 10]),
    ("one-attempt", {"MaxAttempts": 1, "IntervalSeconds": 30}, [30]),
    ("long-back-off-is-instant", {"IntervalSeconds": 3600, "BackoffRate": 2, "MaxAttempts": 2}, [3600, 7200]),
]


@pytest.mark.parametrize(("retrier", "expected"), [c[1:] for c in BACKOFFS], ids=[c[0] for c in BACKOFFS])
def test_back_off(retrier, expected):
    tasks = always("Boom")
    ex = run(machine({"T": task([{"ErrorEquals": ["Boom"], **retrier}])}), tasks=tasks)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Boom", f"attempt {len(expected)}")
    assert len(tasks.calls) == len(expected) + 1
    assert delays(ex) == pytest.approx(expected, abs=0.25)


def test_a_thousand_retries_at_max_delay_do_not_overflow_the_back_off():
    # found by tests/test_fuzz_definitions.py: BackoffRate^1024 overflowed a float, and the engine crashed
    # (States.Runtime, "asl-runner failed while running this execution: OverflowError")
    retrier = {"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 1500, "MaxDelaySeconds": 1}
    ex = run(machine({"T": task([retrier])}), tasks=always("Boom", 1501))
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Boom", "attempt 1500")
    assert delays(ex)[-3:] == pytest.approx([1, 1, 1], abs=0.25)
    # without MaxDelaySeconds the back-off outgrows the execution's year, which ends it
    unbounded = {"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 1500, "BackoffRate": 1e308}
    unbounded = run(machine({"T": task([unbounded])}), tasks=always("Boom"))
    assert unbounded.status == "TIMED_OUT"


def test_max_attempts_zero_never_retries():
    tasks = always("Boom")
    definition = machine({
        "T": task([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 0, "BackoffRate": 2,
                    "MaxDelaySeconds": 5, "JitterStrategy": "FULL"}],
                  Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], Next="Caught"),
        "Caught": {"Type": "Pass", "End": True},
    })
    ex = run(definition, tasks=tasks)
    assert len(tasks.calls) == 1
    assert result(ex)["output"] == {"Error": "Boom", "Cause": "attempt 0"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_jitter_stays_within_the_computed_back_off(seed):
    retrier = {"ErrorEquals": ["Boom"], "IntervalSeconds": 4, "BackoffRate": 2, "MaxAttempts": 6,
               "MaxDelaySeconds": 40, "JitterStrategy": "FULL"}
    ex = run(machine({"T": task([retrier])}), tasks=always("Boom"), seed=seed)
    ceilings = [4, 8, 16, 32, 40, 40]
    measured = delays(ex)
    assert len(measured) == 6
    for delay, ceiling in zip(measured, ceilings, strict=True):
        assert -0.01 <= delay <= ceiling + 0.25
    assert any(delay < ceiling - 0.25 for delay, ceiling in zip(measured, ceilings, strict=True))


def test_jitter_none_is_the_computed_back_off():
    retrier = {"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1,
               "MaxDelaySeconds": 3, "JitterStrategy": "NONE"}
    assert delays(run(machine({"T": task([retrier])}), tasks=always("Boom"))) == pytest.approx([1, 1], abs=0.25)


def test_first_matching_retrier_applies_and_each_counts_its_own_attempts():
    # the AWS docs' example: ErrorA, ErrorB, ErrorC, ErrorB -> waits of 1 s, 2 s, 5 s, then the catcher
    tasks = Tasks(f=[fails("ErrorA"), fails("ErrorB"), fails("ErrorC"), fails("ErrorB", "fourth"), "never"])
    definition = machine({
        "X": task([{"ErrorEquals": ["ErrorA", "ErrorB"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 2},
                   {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5}],
                  Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Z"}], Next="Y"),
        "Y": {"Type": "Succeed"},
        "Z": {"Type": "Pass", "End": True},
    })
    ex = run(definition, tasks=tasks)
    assert len(tasks.calls) == 4
    assert delays(ex) == pytest.approx([1, 2, 5], abs=0.25)
    assert result(ex)["output"] == {"Error": "ErrorB", "Cause": "fourth"}


def test_a_later_wildcard_retrier_does_not_shadow_an_earlier_specific_one():
    tasks = Tasks(f=[fails("Specific"), fails("Other"), "ok"])
    retry = [{"ErrorEquals": ["Specific"], "IntervalSeconds": 10},
             {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}]
    ex = run(machine({"T": task(retry)}), tasks=tasks)
    assert result(ex)["output"] == "ok"
    assert delays(ex) == pytest.approx([10, 1], abs=0.25)


def test_an_error_no_retrier_matches_is_not_retried():
    tasks = always("Unlisted")
    ex = run(machine({"T": task([{"ErrorEquals": ["Listed"], "MaxAttempts": 5}])}), tasks=tasks)
    assert (ex.error, len(tasks.calls)) == ("Unlisted", 1)


def test_retry_then_success_keeps_the_state_going():
    tasks = Tasks(f=[fails("Flaky"), fails("Flaky"), {"ok": True}])
    definition = machine({"T": task([{"ErrorEquals": ["Flaky"]}], ResultPath="$.r", Next="After"),
                          "After": {"Type": "Pass", "End": True}})
    ex = run(definition, {"in": 1}, tasks=tasks)
    assert result(ex) == {"status": "SUCCEEDED", "output": {"in": 1, "r": {"ok": True}}}
    assert types(ex).count("TaskStateEntered") == 1  # a retry does not re-enter the state
    assert types(ex).count("LambdaFunctionScheduled") == 3


def test_retry_count_in_the_context_object():
    tasks = Tasks(f=[fails("Flaky"), fails("Flaky"), "done"])
    definition = machine({"T": task([{"ErrorEquals": ["Flaky"]}], Parameters={"n.$": "$$.State.RetryCount"})})
    run(definition, tasks=tasks)
    assert [payload["n"] for _, payload in tasks.calls] == [0, 1, 2]


def test_retry_counters_reset_when_the_state_is_left():
    # one retry allowed per visit: the second visit may retry again
    tasks = Tasks(f=[fails("Flaky"), {"round": 1}, fails("Flaky"), {"round": 2}])
    definition = machine({
        "T": task([{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}], Parameters={"n.$": "$$.State.RetryCount"},
                  Next="Again"),
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.round", "NumericEquals": 1, "Next": "T"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"},
    })
    ex = run(definition, tasks=tasks)
    assert result(ex) == {"status": "SUCCEEDED", "output": {"round": 2}}
    assert [payload["n"] for _, payload in tasks.calls] == [0, 1, 0, 1]


def test_retry_of_a_map_or_parallel_honours_the_back_off():
    definition = machine({"P": {"Type": "Parallel", "End": True,
                                "Branches": [machine({"F": {"Type": "Fail", "Error": "E"}})],
                                "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3,
                                           "MaxAttempts": 2}]}})
    ex = run(definition)
    starts = [e.timestamp for e in every(ex, "ParallelStateStarted")]
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == pytest.approx([2, 6], abs=0.25)


# ----------------------------------------------------------------------------------------------
# error matching
# ----------------------------------------------------------------------------------------------

MATCHING = [
    (["States.ALL"], "Anything", True),
    (["States.ALL"], "States.Timeout", True),
    (["States.ALL"], "States.TaskFailed", True),
    (["States.ALL"], None, True),
    (["States.ALL"], "States.Runtime", False),
    (["States.TaskFailed"], "Lambda.ServiceException", True),
    (["States.TaskFailed"], "MyError", True),
    (["States.TaskFailed"], "States.Timeout", False),
    (["States.TaskFailed"], "States.Runtime", False),
    (["States.Timeout"], "States.Timeout", True),
    (["States.Timeout"], "States.TaskFailed", False),
    (["MyError"], "MyError", True),
    (["MyError"], "myerror", False),  # names are case-sensitive
    (["MyError"], "MyErrorX", False),
    (["MyError"], "My", False),
    (["A", "B"], "B", True),
    (["A", "B"], "C", False),
    (["A", "States.ALL"], "C", True),
    ([], "A", False),
]


@pytest.mark.parametrize(("error_equals", "error", "matches"), MATCHING,
                         ids=[f"{'|'.join(e) or 'none'}~{err}" for e, err, _ in MATCHING])
def test_error_matches(error_equals, error, matches):
    assert error_matches(error_equals, error) is matches
    assert error_matches(tuple(error_equals), error) is matches


CATCHERS = [
    ("task-failed-catches-a-task-error", "Lambda.Unknown", ["States.TaskFailed"], "Caught"),
    ("task-failed-skips-a-timeout", "States.Timeout", ["States.TaskFailed"], None),
    ("all-catches-a-timeout", "States.Timeout", ["States.ALL"], "Caught"),
    ("exact-name", "Custom.Error", ["Custom.Error"], "Caught"),
]


@pytest.mark.parametrize(("error", "equals", "outcome"), [c[1:] for c in CATCHERS], ids=[c[0] for c in CATCHERS])
def test_catcher_matching_in_a_machine(error, equals, outcome):
    definition = machine({
        "T": {"Type": "Task", "Resource": lambda_arn("f"), "Catch": [{"ErrorEquals": equals, "Next": "Caught"}],
              "Next": "Caught"},
        "Caught": {"Type": "Pass", "End": True},
    })
    ex = run(definition, tasks=Tasks(f=[fails(error, "why")]))
    if outcome is None:
        assert (ex.status, ex.error, ex.cause) == ("FAILED", error, "why")
    else:
        assert result(ex) == {"status": "SUCCEEDED", "output": {"Error": error, "Cause": "why"}}
        assert first(ex, "TaskStateExited").details["output"] == {"Error": error, "Cause": "why"}
