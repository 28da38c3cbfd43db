"""AWS's size limits on variables, in both query languages: 256 KiB for one variable, 256 KiB
for one Assign, 10 MiB for the variables stored. A state that crosses one fails the execution
with States.DataLimitExceeded (terminal: no Retry or Catch applies)."""

from __future__ import annotations

import pytest

import asl_runner

BIG = "x" * (200 * 1024)  # under one variable's limit; two of them are over one Assign's
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
RETRY_ALL = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}]


def _machine(state: dict, language: str = "JSONPath") -> dict:
    return {"QueryLanguage": language, "StartAt": "S",
            "States": {"S": state, "Caught": {"Type": "Succeed"}}}


def _failed(machine: dict, words: str):
    execution = asl_runner.run(machine, {"s": BIG}, clock="virtual")
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause.startswith("The state/task 'S' assigned variables with a size "
                                      "exceeding the maximum number of bytes service limit")
    assert words in execution.cause
    return execution


@pytest.mark.parametrize("state", [
    {"Type": "Pass", "Assign": {"a.$": "States.Format('{}{}', $.s, $.s)"}, "Next": "Caught"},
    {"Type": "Task", "Resource": "same", "Assign": {"a.$": "States.Format('{}{}', $, $)"},
     "Retry": RETRY_ALL, "Catch": CATCH_ALL, "Next": "Caught"},
])
def test_one_variable_over_256_kib_jsonpath(state):
    machine = _machine(state)
    if state["Type"] == "Task":
        execution = asl_runner.run(machine, {"s": BIG}, clock="virtual",
                                   handlers={"same": lambda event, context: event["s"]})
        assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
        assert "the variable 'a' is larger than 256 KiB" in execution.cause
        assert sum(e.type.endswith("Scheduled") for e in execution.history) == 1  # not retried
    else:
        _failed(machine, "the variable 'a' is larger than 256 KiB")


def test_one_variable_over_256_kib_jsonata():
    _failed(_machine({"Type": "Pass", "Assign": {"a": "{% $states.input.s & $states.input.s %}"},
                      "Next": "Caught"}, "JSONata"), "the variable 'a' is larger than 256 KiB")


@pytest.mark.parametrize(("language", "assign"), [
    ("JSONPath", {"a.$": "$.s", "b.$": "$.s"}),
    ("JSONata", {"a": "{% $states.input.s %}", "b": "{% $states.input.s %}"}),
])
def test_one_assign_over_256_kib(language, assign):
    _failed(_machine({"Type": "Pass", "Assign": assign, "Next": "Caught"}, language),
            "its Assign sets more than 256 KiB")


def test_a_catcher_s_assign_is_limited_too():
    state = {"Type": "Fail", "Error": "E"}
    machine = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "F", "States": {"F": state}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught",
                         "Assign": {"a": "{% $states.input.s & $states.input.s %}"}}],
              "End": True},
        "Caught": {"Type": "Succeed"}}}
    execution = asl_runner.run(machine, {"s": BIG}, clock="virtual")
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert "'P' assigned variables" in execution.cause


def test_the_variables_stored_over_10_mib():
    names = [f"S{i}" for i in range(55)]
    states = {name: {"Type": "Pass", "Assign": {f"v{i}.$": "$.s"},
                     **({"Next": names[i + 1]} if i + 1 < len(names) else {"End": True})}
              for i, name in enumerate(names)}
    execution = asl_runner.run({"StartAt": "S0", "States": states}, {"s": BIG}, clock="virtual")
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert "the variables stored would be more than 10 MiB" in execution.cause
    assert "'S51'" in execution.cause  # 52 variables of 200 KiB: 10.2 MiB


def test_variables_under_the_limits_are_assigned():
    machine = _machine({"Type": "Pass", "Assign": {"a.$": "$.s"}, "Next": "Caught"})
    execution = asl_runner.run(machine, {"s": BIG}, clock="virtual")
    assert execution.status == "SUCCEEDED"
