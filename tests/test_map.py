"""Map: inline and distributed, ItemsPath/ItemSelector/legacy Iterator and Parameters,
MaxConcurrency(Path), ToleratedFailure*, ResultSelector, failure, Catch and Retry.

Recorded AWS behaviour in ../shared/conformance: test_map_state_config_inline_item_selector,
test_map_state_legacy_config_inline_parameters, test_max_concurrency_path[*],
test_map_state_tolerated_failure_*[*], test_map_state_config_distributed_parameters,
test_map_state_break_condition, test_map_state_catch, test_map_state_retry_multiple_retriers.
"""

from __future__ import annotations

import pytest

from support import Tasks, every, fails, first, lambda_arn, links, machine, result, run, types

DOUBLE = {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($.n, $.n)"}, "End": True}
FAIL_ON_2 = {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Break"}],
              "Default": "Ok"},
    "Break": {"Type": "Fail", "Error": "SomeFailure", "Cause": "item 2"},
    "Ok": {"Type": "Pass", "End": True},
}


def processor(states: dict | None = None, mode: str = "INLINE") -> dict:
    config = {"Mode": mode}
    if mode == "DISTRIBUTED":
        config["ExecutionType"] = "STANDARD"
    return {"ProcessorConfig": config, **machine(states or {"Item": {"Type": "Pass", "End": True}})}


def map_state(states: dict | None = None, mode: str = "INLINE", **fields) -> dict:
    body = {"Type": "Map", "ItemProcessor": processor(states, mode), **fields}
    if "Next" not in body:
        body["End"] = True
    return machine({"Map": body})


def runtime_failure(detail: str, entered: int = 2) -> dict:
    return {"status": "FAILED", "error": "States.Runtime",
            "cause": f"An error occurred while executing the state 'Map' (entered at the event id #{entered}). "
                     f"{detail}"}


# ----------------------------------------------------------------------------------------------
# items and their inputs
# ----------------------------------------------------------------------------------------------


def test_input_array_is_processed_in_order():
    ex = run(map_state(), ["a", "b", "c"])
    assert result(ex) == {"status": "SUCCEEDED", "output": ["a", "b", "c"]}
    assert [e.details["index"] for e in every(ex, "MapIterationStarted")] == [0, 1, 2]
    assert first(ex, "MapStateStarted").details == {"length": 3}


def test_items_path():
    ex = run(map_state(ItemsPath="$.data.items"), {"data": {"items": [1, 2]}, "other": True})
    assert result(ex)["output"] == [1, 2]


def test_items_path_from_a_variable():
    definition = machine({
        "Init": {"Type": "Pass", "Assign": {"xs": [3, 4]}, "Next": "Map"},
        "Map": {"Type": "Map", "ItemsPath": "$xs", "ItemProcessor": processor(), "End": True},
    })
    assert result(run(definition))["output"] == [3, 4]


def test_item_selector_with_map_item_index_and_value():
    # test_map_state_config_inline_item_selector
    definition = map_state(ItemsPath="$.xs", ItemSelector={
        "constant": "c", "index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value",
        "fromInput.$": "$.meta", "n.$": "$$.Map.Item.Value.n"})
    out = result(run(definition, {"xs": [{"n": 1}, {"n": 2}], "meta": "m"}))["output"]
    assert out == [
        {"constant": "c", "index": 0, "value": {"n": 1}, "fromInput": "m", "n": 1},
        {"constant": "c", "index": 1, "value": {"n": 2}, "fromInput": "m", "n": 2},
    ]


def test_legacy_iterator_and_parameters():
    # test_map_state_legacy_config_inline_parameters: Parameters is the ItemSelector
    definition = machine({"Map": {"Type": "Map", "End": True,
                                  "Parameters": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                                  "Iterator": machine({"Double": DOUBLE})}})
    assert result(run(definition, [1, 5]))["output"] == [{"v": 2}, {"v": 10}]


def test_empty_array():
    ex = run(map_state(), [])
    assert result(ex) == {"status": "SUCCEEDED", "output": []}
    assert links(ex) == [(1, 0, "ExecutionStarted"), (2, 0, "MapStateEntered"), (3, 2, "MapStateStarted"),
                         (4, 3, "MapStateSucceeded"), (5, 3, "MapStateExited"), (6, 5, "ExecutionSucceeded")]
    assert first(ex, "MapStateStarted").details == {"length": 0}


def test_result_selector_result_path_and_output_path():
    definition = map_state(ItemsPath="$.xs", ResultSelector={"count.$": "States.ArrayLength($)", "all.$": "$"},
                           ResultPath="$.mapped", OutputPath="$.mapped")
    assert result(run(definition, {"xs": [7, 8]}))["output"] == {"count": 2, "all": [7, 8]}


def test_result_path_null_keeps_the_input():
    assert result(run(map_state(ItemsPath="$.xs", ResultPath=None), {"xs": [1]}))["output"] == {"xs": [1]}


def test_items_not_an_array_is_states_runtime():
    ex = run(map_state(ItemsPath="$.xs"), {"xs": {"not": "an array"}})
    assert ex.error == "States.Runtime"
    assert ex.cause.startswith("An error occurred while executing the state 'Map' (entered at the event id #2).")


def test_items_path_missing_is_states_runtime():
    assert result(run(map_state(ItemsPath="$.nope"), {})) == runtime_failure(
        "Invalid path '$.nope' : No results for path: $['nope']")


def test_nested_maps():
    # test_map_state_nested
    definition = map_state({"Inner": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": processor(),
                                      "End": True}}, MaxConcurrency=1)
    ex = run(definition, [[1, 2, 3], [4, 5, 6]])
    assert result(ex)["output"] == [[1, 2, 3], [4, 5, 6]]
    assert types(ex).count("MapStateStarted") == 3
    assert types(ex).count("MapIterationSucceeded") == 2 + 6


def test_tasks_in_iterations():
    tasks = Tasks(square=lambda event: event["n"] * event["n"])
    definition = map_state({"Sq": {"Type": "Task", "Resource": lambda_arn("square"), "End": True}},
                           ItemSelector={"n.$": "$$.Map.Item.Value"})
    assert result(run(definition, [1, 2, 3, 4], tasks=tasks))["output"] == [1, 4, 9, 16]
    assert sorted(p["n"] for _, p in tasks.calls) == [1, 2, 3, 4]


# ----------------------------------------------------------------------------------------------
# MaxConcurrency
# ----------------------------------------------------------------------------------------------


def open_iterations(ex) -> int:
    """The most iterations started and not yet ended at any point of the history."""
    open_, most = 0, 0
    for e in ex.history:
        if e.type == "MapIterationStarted":
            open_ += 1
            most = max(most, open_)
        elif e.type in ("MapIterationSucceeded", "MapIterationFailed"):
            open_ -= 1
    return most


@pytest.mark.parametrize(("limit", "expected_open"), [(1, 1), (2, 2), (0, 4)])
def test_max_concurrency_bounds_the_iterations_running_at_once(limit, expected_open):
    # iterations that wait (a timer) stay open, so the bound shows in the history
    states = {"Wait": {"Type": "Wait", "SecondsPath": "$", "End": True}}
    ex = run(map_state(states, MaxConcurrency=limit), [4, 3, 2, 1])
    assert result(ex)["output"] == [4, 3, 2, 1]
    assert open_iterations(ex) == expected_open


def test_max_concurrency_one_runs_the_items_one_after_the_other():
    ex = run(map_state({"Wait": {"Type": "Wait", "Seconds": 10, "End": True}}, MaxConcurrency=1), [1, 2, 3])
    entered, exited = first(ex, "MapStateEntered"), first(ex, "MapStateExited")
    assert exited.timestamp - entered.timestamp == pytest.approx(30, abs=0.25)


def test_unbounded_iterations_run_side_by_side():
    ex = run(map_state({"Wait": {"Type": "Wait", "Seconds": 10, "End": True}}), [1, 2, 3])
    entered, exited = first(ex, "MapStateEntered"), first(ex, "MapStateExited")
    assert exited.timestamp - entered.timestamp == pytest.approx(10, abs=0.25)


def test_iterations_start_in_item_order_with_a_concurrency_limit():
    # the first MaxConcurrency iterations start together, before any slot can free, so a freed
    # slot's item never starts before them (this once wrote indexes 0, 2, 3, 1)
    ex = run(map_state(MaxConcurrency=2), [1, 2, 3, 4])
    assert [e.details["index"] for e in every(ex, "MapIterationStarted")] == [0, 1, 2, 3]


@pytest.mark.parametrize("value", [1, "1", 1.0])
def test_max_concurrency_path(value):
    # test_max_concurrency_path[1]
    ex = run(map_state(ItemsPath="$.Values", MaxConcurrencyPath="$.MaxConcurrencyValue"),
             {"MaxConcurrencyValue": value, "Values": ["HelloWorld"]})
    assert result(ex)["output"] == ["HelloWorld"]


MAX_CONCURRENCY_PATH_FAILURES = [
    # test_max_concurrency_path[NoNumber] and [max_concurrency_value0]
    ("not-a-number", "NoNumber", 'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid '
                                 "integer: $.MaxConcurrencyValue"),
    ("object", {}, 'The MaxConcurrencyPath field refers to value "{}" which is not a valid integer: '
                   "$.MaxConcurrencyValue"),
    ("negative", -1, "MaxConcurrency must be a non-negative integer."),
]


@pytest.mark.parametrize(("value", "detail"), [c[1:] for c in MAX_CONCURRENCY_PATH_FAILURES],
                         ids=[c[0] for c in MAX_CONCURRENCY_PATH_FAILURES])
def test_max_concurrency_path_failure(value, detail):
    ex = run(map_state(ItemsPath="$.Values", MaxConcurrencyPath="$.MaxConcurrencyValue"),
             {"MaxConcurrencyValue": value, "Values": ["HelloWorld"]})
    assert result(ex) == runtime_failure(detail)
    # an inline Map checks it before MapStateStarted
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "ExecutionFailed"]


# ----------------------------------------------------------------------------------------------
# failures, tolerated failures, Catch, Retry
# ----------------------------------------------------------------------------------------------


def test_iteration_failure_fails_the_map_with_its_error():
    # test_map_state_break_condition
    ex = run(map_state(FAIL_ON_2, MaxConcurrency=1), [1, 2, 3])
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "SomeFailure", "item 2")
    assert types(ex)[-4:] == ["FailStateEntered", "MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    failed = first(ex, "MapIterationFailed")
    assert failed.details == {"name": "Map", "index": 1}
    assert first(ex, "MapStateFailed").previous_id == first(ex, "FailStateEntered").id
    assert [e.details["index"] for e in every(ex, "MapIterationStarted")] == [0, 1]  # item 3 never starts


def test_catch():
    # test_map_state_catch
    definition = machine({
        "Map": {"Type": "Map", "ItemsPath": "$.xs", "MaxConcurrency": 1, "ItemProcessor": processor(FAIL_ON_2),
                "Catch": [{"ErrorEquals": ["Other"], "Next": "Done"},
                          {"ErrorEquals": ["SomeFailure"], "ResultPath": "$.caught", "Next": "Caught"}],
                "Next": "Done"},
        "Caught": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"},
    })
    ex = run(definition, {"xs": [1, 2, 3]})
    assert result(ex) == {"status": "SUCCEEDED",
                          "output": {"xs": [1, 2, 3], "caught": {"Error": "SomeFailure", "Cause": "item 2"}}}
    end = types(ex).index("MapIterationFailed")
    assert types(ex)[end:end + 4] == ["MapIterationFailed", "MapStateFailed", "MapStateExited", "PassStateEntered"]


def test_retry_re_emits_map_state_started():
    # test_map_state_retry_multiple_retriers: only the matching retrier counts
    definition = machine({
        "Map": {"Type": "Map", "ItemProcessor": processor({"Fail": {"Type": "Fail", "Error": "HandleItemFailError",
                                                                    "Cause": "HandleItemFailCause"}}),
                "Retry": [{"ErrorEquals": ["NoSuchError"], "MaxAttempts": 1},
                          {"ErrorEquals": ["HandleItemFailError"], "MaxAttempts": 3, "IntervalSeconds": 2,
                           "BackoffRate": 1}],
                "End": True}})
    ex = run(definition, [1])
    assert (ex.error, ex.cause) == ("HandleItemFailError", "HandleItemFailCause")
    assert types(ex).count("MapStateStarted") == 4
    assert types(ex).count("MapIterationFailed") == 4
    # each new attempt points at the last event of the failed iteration, not at MapIterationFailed
    for started in every(ex, "MapStateStarted")[1:]:
        previous = ex.history[started.previous_id - 1]
        assert previous.type == "FailStateEntered"
    starts = [e.timestamp for e in every(ex, "MapStateStarted")]
    assert [round(b - a) for a, b in zip(starts, starts[1:], strict=False)] == [2, 2, 2]


def test_retry_then_success():
    tasks = Tasks(f=[fails("Flaky"), "x", "y"])
    definition = map_state({"T": {"Type": "Task", "Resource": lambda_arn("f"), "End": True}},
                           MaxConcurrency=1, Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}])
    ex = run(definition, [1, 2], tasks=tasks)
    assert result(ex)["output"] == ["x", "y"]
    assert types(ex).count("MapStateStarted") == 2


def test_tolerated_failure_count_distributed():
    ex = run(map_state(FAIL_ON_2, "DISTRIBUTED", ToleratedFailureCount=1), [1, 2, 3])
    assert result(ex)["status"] == "SUCCEEDED"
    assert result(ex)["output"][0] == 1 and result(ex)["output"][2] == 3


def test_tolerated_failure_exceeded_distributed():
    ex = run(map_state(FAIL_ON_2, "DISTRIBUTED", ToleratedFailurePercentage=30), [1, 2, 3])
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert types(ex)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


@pytest.mark.parametrize(("value", "status"), [(1, "SUCCEEDED"), (1.1, "SUCCEEDED"), (100, "SUCCEEDED"),
                                               (0, "SUCCEEDED")])
def test_tolerated_failure_percentage_path(value, status):
    # test_map_state_tolerated_failure_percentage_path[1], [1.1], [100]
    ex = run(map_state(mode="DISTRIBUTED", ItemsPath="$.Items", MaxConcurrency=1,
                       ToleratedFailurePercentagePath="$.ToleratedFailurePercentage"),
             {"Items": [0], "ToleratedFailurePercentage": value})
    assert result(ex) == {"status": status, "output": [0]}


TOLERATED_FAILURES = [
    # test_map_state_tolerated_failure_percentage_path[100.1], [-1.1], [NoNumber], [tolerated_failure_percentage_value0]
    ("percentage-over-100", "ToleratedFailurePercentagePath", 100.1,
     "ToleratedFailurePercentage must be between 0 and 100."),
    ("percentage-negative", "ToleratedFailurePercentagePath", -1.1,
     "ToleratedFailurePercentage must be between 0 and 100."),
    ("percentage-not-a-number", "ToleratedFailurePercentagePath", "NoNumber",
     'The ToleratedFailurePercentagePath field refers to value "NoNumber" which is not a valid float: $.Value'),
    ("percentage-object", "ToleratedFailurePercentagePath", {},
     'The ToleratedFailurePercentagePath field refers to value "{}" which is not a valid float: $.Value'),
    # test_map_state_tolerated_failure_count_path[NoNumber]
    ("count-not-a-number", "ToleratedFailureCountPath", "NoNumber",
     'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.Value'),
    ("count-negative", "ToleratedFailureCountPath", -1, "ToleratedFailureCount cannot be negative."),
]


@pytest.mark.parametrize(("field", "value", "detail"), [c[1:] for c in TOLERATED_FAILURES],
                         ids=[c[0] for c in TOLERATED_FAILURES])
def test_tolerated_failure_path_failure(field, value, detail):
    ex = run(map_state(mode="DISTRIBUTED", ItemsPath="$.Items", MaxConcurrency=1, **{field: "$.Value"}),
             {"Items": [0], "Value": value})
    assert result(ex) == runtime_failure(detail)
    # a distributed Map checks them while setting up its Map Run, after MapStateStarted
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "ExecutionFailed"]


# ----------------------------------------------------------------------------------------------
# distributed mode
# ----------------------------------------------------------------------------------------------


def test_distributed_map_writes_a_map_run_not_iterations():
    # test_map_state_config_distributed_parameters
    definition = map_state(mode="DISTRIBUTED", MaxConcurrency=1, ItemSelector={
        "constantValue": "constant", "mapValue.$": "$$.Map.Item.Value", "fromInput.$": "$"})
    ex = run(definition, ["Hello", "World"])
    assert result(ex)["output"] == [
        {"constantValue": "constant", "mapValue": "Hello", "fromInput": ["Hello", "World"]},
        {"constantValue": "constant", "mapValue": "World", "fromInput": ["Hello", "World"]},
    ]
    assert types(ex) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                         "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    run_arn = first(ex, "MapRunStarted").to_aws()["mapRunStartedEventDetails"]["mapRunArn"]
    assert run_arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:StateMachine/")


def test_distributed_map_label_names_the_map_run():
    ex = run(map_state(mode="DISTRIBUTED", Label="MyLabel"), [1])
    assert ":mapRun:StateMachine/MyLabel:" in first(ex, "MapRunStarted").details["mapRunArn"]

