"""Pass, Wait, Succeed, Fail and the Choice state's Assign; variables, the context object, the
payload quota, and States.Runtime.

Error causes are AWS's own, as recorded in ../shared/conformance (the case is named next to each
test). Every run uses a virtual clock that starts at 2024-01-01T00:00:00Z, so waits are instant
while history timestamps show the modelled times.
"""

from __future__ import annotations

import time

import pytest

from asl_runner.history import iso_timestamp

from support import EPOCH, Tasks, every, first, lambda_arn, machine, one, result, run, types


def succeeded(output):
    return {"status": "SUCCEEDED", "output": output}


def runtime_failure(state: str, entered: int, detail: str) -> dict:
    return {"status": "FAILED", "error": "States.Runtime",
            "cause": f"An error occurred while executing the state '{state}' (entered at the event id "
                     f"#{entered}). {detail}"}


# ----------------------------------------------------------------------------------------------
# Pass and the JSONPath input/output pipeline
# ----------------------------------------------------------------------------------------------

PASS_CASES = [
    ("passes-input-through", {}, {"a": 1}, {"a": 1}),
    ("result-replaces-input", {"Result": {"r": 1}}, {"a": 1}, {"r": 1}),
    ("result-null", {"Result": None}, {"a": 1}, None),
    ("result-scalar", {"Result": "done"}, {"a": 1}, "done"),
    ("result-path", {"Result": {"r": 1}, "ResultPath": "$.out"}, {"a": 1}, {"a": 1, "out": {"r": 1}}),
    ("result-path-replaces-a-key", {"Result": 2, "ResultPath": "$.a"}, {"a": 1}, {"a": 2}),
    ("result-path-creates-nested-objects", {"Result": 1, "ResultPath": "$.x.y.z"}, {"a": 1},
     {"a": 1, "x": {"y": {"z": 1}}}),
    ("result-path-root", {"Result": 1, "ResultPath": "$"}, {"a": 1}, 1),
    ("result-path-null-discards-the-result", {"Result": {"r": 1}, "ResultPath": None}, {"a": 1}, {"a": 1}),
    ("input-path", {"InputPath": "$.a"}, {"a": {"b": 1}, "c": 2}, {"b": 1}),
    ("input-path-null-gives-empty-object", {"InputPath": None}, {"a": 1}, {}),
    ("output-path", {"OutputPath": "$.a"}, {"a": {"b": 1}, "c": 2}, {"b": 1}),
    ("output-path-null-gives-empty-object", {"OutputPath": None}, {"a": 1}, {}),
    ("input-and-output-path-null", {"InputPath": None, "OutputPath": None}, {"a": 1}, {}),
    ("result-path-uses-raw-input-not-input-path",
     {"InputPath": "$.a", "Parameters": {"v.$": "$.b"}, "ResultPath": "$.res"},
     {"a": {"b": 1}, "c": 2}, {"a": {"b": 1}, "c": 2, "res": {"v": 1}}),
    ("parameters", {"Parameters": {"v.$": "$.a", "k": "const", "ctx.$": "$$.State.Name"}}, {"a": 1},
     {"v": 1, "k": "const", "ctx": "S"}),
    ("parameters-then-output-path", {"Parameters": {"v.$": "$.a", "w": 2}, "OutputPath": "$.w"}, {"a": 1}, 2),
    ("parameters-intrinsic", {"Parameters": {"n.$": "States.ArrayLength($.xs)"}}, {"xs": [1, 2, 3]}, {"n": 3}),
    ("indefinite-input-path", {"InputPath": "$.xs[*].v"}, {"xs": [{"v": 1}, {"v": 2}]}, [1, 2]),
    ("non-object-input", {}, [1, "two"], [1, "two"]),
]


@pytest.mark.parametrize(("fields", "input", "output"), [c[1:] for c in PASS_CASES], ids=[c[0] for c in PASS_CASES])
def test_pass(fields, input, output):
    assert result(run(one({"Type": "Pass", **fields}), input)) == succeeded(output)


def test_pass_does_not_modify_the_execution_input():
    data = {"a": {"b": 1}}
    ex = run(one({"Type": "Pass", "Result": 2, "ResultPath": "$.a.c"}), data)
    assert result(ex)["output"] == {"a": {"b": 1, "c": 2}}
    assert data == {"a": {"b": 1}}
    assert ex.history[0].details["input"] == {"a": {"b": 1}}


PIPELINE_FAILURES = [
    # test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH] / [ST.INVALID_JSONPATH_IN_OUTPUTPATH]
    ("input-path-missing", {"InputPath": "$.NoSuchInputPath"},
     "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"),
    ("output-path-missing", {"OutputPath": "$.NoSuchOutputPath"},
     "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"),
    # test_catch_states_runtime: an earlier step missing
    ("output-path-missing-parent", {"OutputPath": "$.no.such.result.path"},
     "Invalid path '$.no.such.result.path' : Missing property in path $['no']"),
    # test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]
    ("parameters-path-missing", {"Parameters": {"value.$": "$.no_such_jsonpath"}},
     "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the "
     "input '{\"int-literal\":0}'"),
    ("result-path-through-a-number", {"Result": 1, "ResultPath": "$.int-literal.x"},
     "Invalid path '$.int-literal.x' : Unable to apply ResultPath '$.int-literal.x': $['int-literal'] is "
     "not an object"),
]


@pytest.mark.parametrize(("fields", "detail"), [c[1:] for c in PIPELINE_FAILURES], ids=[c[0] for c in PIPELINE_FAILURES])
def test_pipeline_failure_is_states_runtime(fields, detail):
    ex = run(one({"Type": "Pass", **fields}), {"int-literal": 0})
    assert result(ex) == runtime_failure("S", 2, detail)
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_entered_event_id_in_the_cause_is_the_failing_states():
    definition = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "InputPath": "$.x", "End": True}})
    assert result(run(definition))["cause"].startswith(
        "An error occurred while executing the state 'B' (entered at the event id #4).")


# ----------------------------------------------------------------------------------------------
# Wait
# ----------------------------------------------------------------------------------------------


def waited(ex) -> float:
    entered, exited = first(ex, "WaitStateEntered"), first(ex, "WaitStateExited")
    return exited.timestamp - entered.timestamp


WAITS = [
    ("seconds", {"Seconds": 5}, {}, 5),
    ("seconds-zero", {"Seconds": 0}, {}, 0),
    ("one-day", {"Seconds": 86400}, {}, 86400),
    ("seconds-path", {"SecondsPath": "$.s"}, {"s": 30}, 30),
    ("seconds-path-zero", {"SecondsPath": "$.s"}, {"s": 0}, 0),
    ("timestamp", {"Timestamp": "2024-01-01T01:00:00Z"}, {}, 3600),
    ("timestamp-with-offset", {"Timestamp": "2024-01-01T03:00:00+02:00"}, {}, 3600),
    ("timestamp-with-fraction", {"Timestamp": "2024-01-01T00:00:10.500Z"}, {}, 10.5),
    ("timestamp-in-the-past", {"Timestamp": "2016-03-14T01:59:00Z"}, {}, 0),
    ("timestamp-path", {"TimestampPath": "$.t"}, {"t": "2024-01-02T00:00:00Z"}, 86400),
    ("timestamp-path-nanoseconds", {"TimestampPath": "$.t"}, {"t": "2024-01-01T00:01:00.123456789Z"}, 60.123456),
]


@pytest.mark.parametrize(("fields", "input", "seconds"), [c[1:] for c in WAITS], ids=[c[0] for c in WAITS])
def test_wait_is_instant_but_history_shows_the_modelled_time(fields, input, seconds):
    ex = run(one({"Type": "Wait", **fields}), input)
    assert result(ex) == succeeded(input)
    assert waited(ex) == pytest.approx(seconds, abs=0.25)


def test_one_day_wait_takes_no_real_time():
    start = time.monotonic()
    ex = run(machine({"W": {"Type": "Wait", "Seconds": 86400, "Next": "P"}, "P": {"Type": "Pass", "End": True}}))
    assert time.monotonic() - start < 1
    assert first(ex, "PassStateEntered").timestamp - first(ex, "WaitStateEntered").timestamp == \
        pytest.approx(86400, abs=0.25)
    assert iso_timestamp(ex.stop_time).startswith("2024-01-02T00:00:0")


def test_wait_keeps_its_filtered_input():
    ex = run(one({"Type": "Wait", "Seconds": 1, "InputPath": "$.keep", "OutputPath": "$.x"}), {"keep": {"x": 7}})
    assert result(ex) == succeeded(7)


WAIT_FAILURES = [
    # test_base_wait_seconds_path[1.5], [-1.5], [-1]
    ("seconds-path-fraction", {"SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": 1.5}},
     "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"),
    ("seconds-path-negative-fraction", {"SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": -1.5}},
     "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == -1.5"),
    ("seconds-path-negative", {"SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": -1}},
     "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"),
    ("seconds-path-missing", {"SecondsPath": "$.s"}, {},
     "Invalid path '$.s' : No results for path: $['s']"),
    # test_wait_timestamp_path[NO_Z], [INVALID_DATE], [NO_T], [INVALID_ISO]
    ("timestamp-path-no-zone", {"TimestampPath": "$.TimestampValue"}, {"TimestampValue": "2016-12-05T21:29:29"},
     "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
     "string: $.TimestampValue == 2016-12-05T21:29:29"),
    ("timestamp-path-month-13", {"TimestampPath": "$.TimestampValue"}, {"TimestampValue": "2016-13-05T21:29:29"},
     "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
     "string: $.TimestampValue == 2016-13-05T21:29:29"),
    ("timestamp-path-no-t", {"TimestampPath": "$.TimestampValue"}, {"TimestampValue": "2016-12-05 21:29:29"},
     "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
     "string: $.TimestampValue == 2016-12-05 21:29:29"),
    ("timestamp-path-day-first", {"TimestampPath": "$.TimestampValue"}, {"TimestampValue": "05-12-2016T21:29:29"},
     "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
     "string: $.TimestampValue == 05-12-2016T21:29:29"),
]


@pytest.mark.parametrize(("fields", "input", "detail"), [c[1:] for c in WAIT_FAILURES], ids=[c[0] for c in WAIT_FAILURES])
def test_wait_failure(fields, input, detail):
    ex = run(one({"Type": "Wait", **fields}), input)
    assert result(ex) == runtime_failure("S", 2, detail)
    assert types(ex) == ["ExecutionStarted", "WaitStateEntered", "ExecutionFailed"]


# ----------------------------------------------------------------------------------------------
# Succeed and Fail
# ----------------------------------------------------------------------------------------------


def test_succeed_ends_the_execution_with_its_filtered_input():
    definition = machine({"Done": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}})
    ex = run(definition, {"a": {"b": [1]}})
    assert result(ex) == succeeded([1])
    assert types(ex) == ["ExecutionStarted", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]


def test_succeed_inside_a_branch_ends_only_the_branch():
    definition = machine({
        "Par": {"Type": "Parallel", "Branches": [machine({"Stop": {"Type": "Succeed"}})],
                "ResultPath": "$.branches", "Next": "After"},
        "After": {"Type": "Pass", "Result": "after", "ResultPath": "$.after", "End": True},
    })
    ex = run(definition, {"in": 1})
    assert result(ex) == succeeded({"in": 1, "branches": [{"in": 1}], "after": "after"})


FAILS = [
    ("error-and-cause", {"Error": "E", "Cause": "C"}, {}, "E", "C"),
    ("error-only", {"Error": "FailureType"}, {}, "FailureType", None),
    ("cause-only", {"Cause": "This failed to due an Exception."}, {}, None, "This failed to due an Exception."),
    ("neither", {}, {}, None, None),
    # test_state_fail_path
    ("paths", {"ErrorPath": "$.Error", "CausePath": "$.Cause"}, {"Error": "error string", "Cause": "cause string"},
     "error string", "cause string"),
    # test_error_cause_path (the context object)
    ("context-paths", {"ErrorPath": "$$.State.Name", "CausePath": "$$.StateMachine.Name"}, {}, "S", "StateMachine"),
    # test_state_fail_intrinsic
    ("intrinsics", {"ErrorPath": "States.Format('{}', $.Error)",
                    "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)"},
     {"Error": "error string", "Cause": "cause string"},
     "error string", "This is a custom error message for error string, caused by cause string."),
]


@pytest.mark.parametrize(("fields", "input", "error", "cause"), [c[1:] for c in FAILS], ids=[c[0] for c in FAILS])
def test_fail(fields, input, error, cause):
    ex = run(one({"Type": "Fail", **fields}), input)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", error, cause)
    assert types(ex) == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    details = ex.history[-1].to_aws()["executionFailedEventDetails"]
    assert details == {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}


def test_fail_paths_from_variables():
    # test_reference_assign[BASE_REFERENCE_IN_FAIL]
    definition = machine({
        "Pass": {"Type": "Pass", "Assign": {"errorVar": "Exception", "causeVar": "An Exception was encountered"},
                 "Next": "Fail"},
        "Fail": {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"},
    })
    ex = run(definition)
    assert (ex.error, ex.cause) == ("Exception", "An Exception was encountered")


FAIL_PATH_FAILURES = [
    # test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH] / [ST.INVALID_JSONPATH_IN_CAUSEPATH]
    ("error-path-missing", {"ErrorPath": "$.ErrorX"}, {"Error": "error-value"},
     "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input "
     "'{\"Error\":\"error-value\"}'"),
    ("cause-path-missing", {"ErrorPath": "$.Error", "CausePath": "$.NoSuchCausePath"}, {"Error": "error-value"},
     "The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in the input "
     "'{\"Error\":\"error-value\"}'"),
    ("context-path-missing", {"ErrorPath": "$$.Execution.Nope"}, {},
     "The JSONPath '$$.Execution.Nope' specified for the field 'ErrorPath' could not be found in the input '{}'"),
]


@pytest.mark.parametrize(("fields", "input", "detail"), [c[1:] for c in FAIL_PATH_FAILURES],
                         ids=[c[0] for c in FAIL_PATH_FAILURES])
def test_fail_path_failure(fields, input, detail):
    assert result(run(one({"Type": "Fail", **fields}), input)) == runtime_failure("S", 2, detail)


def test_fail_path_to_a_non_string_is_states_runtime():
    ex = run(one({"Type": "Fail", "ErrorPath": "$.e"}), {"e": 5})
    assert ex.error == "States.Runtime"
    assert "'ErrorPath' must resolve to a string" in ex.cause


# ----------------------------------------------------------------------------------------------
# Choice: Default, NoChoiceMatched, Assign on rules and on the state
# ----------------------------------------------------------------------------------------------


def assign_choice(rules, **state):
    return machine({
        "Check": {"Type": "Choice", "Choices": rules, **state},
        "Final": {"Type": "Pass", "Parameters": {"result.$": "$status"}, "End": True},
    })


def test_choice_rule_assign_is_used_when_the_rule_matches():
    definition = assign_choice(
        [{"Variable": "$.v", "NumericEquals": 42, "Assign": {"status": "CORRECT"}, "Next": "Final"}],
        Assign={"status": "INCORRECT"}, Default="Final")
    ex = run(definition, {"v": 42})
    assert result(ex) == succeeded({"result": "CORRECT"})
    assert first(ex, "ChoiceStateExited").details["assignedVariables"] == {"status": "CORRECT"}


def test_choice_state_assign_is_used_on_default():
    # test_assign_in_choice_state[INCORRECT]
    definition = assign_choice(
        [{"Variable": "$.input_value", "IsPresent": False, "Assign": {"status": "UNKNOWN"}, "Next": "Final"},
         {"Variable": "$.input_value", "NumericEquals": 42, "Assign": {"status": "CORRECT"}, "Next": "Final"}],
        Assign={"status": "INCORRECT", "guess.$": "$.input_value"}, Default="Final")
    ex = run(definition, {"input_value": "0"})
    assert result(ex) == succeeded({"result": "INCORRECT"})
    exited = first(ex, "ChoiceStateExited")
    assert exited.details["assignedVariables"] == {"status": "INCORRECT", "guess": "0"}
    assert exited.to_aws()["stateExitedEventDetails"]["assignedVariables"] == {
        "status": '"INCORRECT"', "guess": '"0"'}


def test_no_choice_matched():
    definition = machine({"Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.v", "BooleanEquals": True, "Next": "Yes"}]}, "Yes": {"Type": "Succeed"}})
    ex = run(definition, {"v": False})
    assert (ex.status, ex.error) == ("FAILED", "States.NoChoiceMatched")
    assert types(ex)[-1] == "ExecutionFailed"


# ----------------------------------------------------------------------------------------------
# variables (Assign in JSONPath mode)
# ----------------------------------------------------------------------------------------------


def test_assign_and_reference():
    definition = machine({
        "A": {"Type": "Pass", "Assign": {"x": 1, "obj": {"k": [1, 2]}, "fromInput.$": "$.in"}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"x.$": "$x", "k.$": "$obj.k[1]", "in.$": "$fromInput"}, "End": True},
    })
    ex = run(definition, {"in": "value"})
    assert result(ex) == succeeded({"x": 1, "k": 2, "in": "value"})
    exited = first(ex, "PassStateExited", name="A")
    assert exited.details["assignedVariables"] == {"x": 1, "obj": {"k": [1, 2]}, "fromInput": "value"}
    assert exited.to_aws()["stateExitedEventDetails"]["assignedVariables"] == {
        "x": "1", "obj": '{"k":[1,2]}', "fromInput": '"value"'}


def test_assign_reads_the_result_not_the_input():
    # test_assign_from_value[BASE_ASSIGN_FROM_RESULT]: $ in Assign is the state's result
    ex = run(one({"Type": "Pass", "Result": {"answer": 42}, "Assign": {"theAnswer.$": "$.answer"}}), {})
    assert first(ex, "PassStateExited").details["assignedVariables"] == {"theAnswer": 42}


def test_assign_references_see_the_values_from_before_the_state():
    definition = machine({
        "Init": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x", "sum.$": "States.MathAdd($x, $y)"},
                 "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y", "sum.$": "$sum"}, "End": True},
    })
    assert result(run(definition)) == succeeded({"x": 2, "y": 1, "sum": 3})


def test_variables_are_visible_in_input_path_wait_and_choice():
    definition = machine({
        "Init": {"Type": "Pass", "Assign": {"doc": {"n": 3}, "secs": 60, "limit": 2}, "Next": "Wait"},
        "Wait": {"Type": "Wait", "SecondsPath": "$secs", "Next": "Pick"},
        "Pick": {"Type": "Pass", "InputPath": "$doc", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanPath": "$limit",
                                                 "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Succeed"},
        "Small": {"Type": "Fail"},
    })
    ex = run(definition)
    assert result(ex) == succeeded({"n": 3})
    assert waited(ex) == pytest.approx(60, abs=0.25)


def test_inner_scopes_read_outer_variables():
    # test_base_cases[BASE_SCOPE_MAP]: iterations read $x assigned before the Map
    definition = machine({
        "State0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2, 3]}, "Next": "State1"},
        "State1": {"Type": "Map", "ItemsPath": "$items", "MaxConcurrency": 1, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Inner",
            "States": {"Inner": {"Type": "Pass", "Assign": {"innerX.$": "$x"}, "End": True}}}, "Next": "State2"},
        "State2": {"Type": "Pass", "Assign": {"final.$": "$x"}, "End": True},
    })
    ex = run(definition, {"input_value": "input_value_literal"})
    assert result(ex) == succeeded([1, 2, 3])
    inner = [e.details["assignedVariables"] for e in every(ex, "PassStateExited") if e.details["name"] == "Inner"]
    assert inner == [{"innerX": 42}] * 3
    assert first(ex, "PassStateExited", name="State2").details["assignedVariables"] == {"final": 42}


def test_parallel_branches_read_outer_variables():
    definition = machine({
        "Init": {"Type": "Pass", "Assign": {"greeting": "hi"}, "Next": "Par"},
        "Par": {"Type": "Parallel", "End": True, "Branches": [
            machine({"B1": {"Type": "Pass", "Parameters": {"g.$": "$greeting"}, "End": True}}),
            machine({"B2": {"Type": "Pass", "Parameters": {"len.$": "States.ArrayLength(States.Array($greeting))"},
                            "End": True}}),
        ]},
    })
    assert result(run(definition)) == succeeded([{"g": "hi"}, {"len": 1}])


def test_assign_in_catch_sees_the_error_output():
    definition = machine({
        "Par": {"Type": "Parallel", "Branches": [machine({"F": {"Type": "Fail", "Error": "E", "Cause": "c"}})],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error", "where.$": "$$.State.Name"},
                           "ResultPath": None, "Next": "After"}], "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"err.$": "$err", "where.$": "$where"}, "End": True},
    })
    ex = run(definition, {"in": 1})
    assert result(ex) == succeeded({"err": "E", "where": "Par"})
    exited = first(ex, "ParallelStateExited")
    assert exited.details == {"name": "Par", "output": {"in": 1}, "assignedVariables": {"err": "E", "where": "Par"}}


def test_no_assign_no_assigned_variables():
    ex = run(one({"Type": "Pass"}))
    details = first(ex, "PassStateExited").to_aws()["stateExitedEventDetails"]
    assert "assignedVariables" not in details and "assignedVariablesDetails" not in details


# ----------------------------------------------------------------------------------------------
# the context object
# ----------------------------------------------------------------------------------------------


def test_context_object_fields():
    ex = run(one({"Type": "Pass", "Parameters": {"ctx.$": "$$"}}), {"q": 1}, name="my-exec",
             state_machine_name="Orders")
    ctx = result(ex)["output"]["ctx"]
    assert ctx == {
        "Execution": {
            "Id": "arn:aws:states:us-east-1:123456789012:execution:Orders:my-exec",
            "Input": {"q": 1},
            "StartTime": "2024-01-01T00:00:00.000Z",
            "Name": "my-exec",
            "RoleArn": ex.role_arn,
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders", "Name": "Orders"},
        "State": {"Name": "S", "EnteredTime": ctx["State"]["EnteredTime"]},
    }
    assert ctx["State"]["EnteredTime"].startswith("2024-01-01T00:00:0")


def test_context_entered_time_follows_the_virtual_clock():
    definition = machine({
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
        "P": {"Type": "Pass", "Parameters": {"entered.$": "$$.State.EnteredTime",
                                             "started.$": "$$.Execution.StartTime"}, "End": True},
    })
    out = result(run(definition))["output"]
    assert out["started"] == "2024-01-01T00:00:00.000Z"
    assert out["entered"].startswith("2024-01-01T01:00:0")


def test_context_state_retry_count_on_retryable_states():
    tasks = Tasks(f=lambda payload: payload)
    definition = one({"Type": "Task", "Resource": lambda_arn("f"), "Parameters": {"state.$": "$$.State"}})
    state = result(run(definition, tasks=tasks))["output"]["state"]
    assert state["Name"] == "S" and state["RetryCount"] == 0
    # a Pass state has no RetryCount
    assert "RetryCount" not in result(run(one({"Type": "Pass", "Parameters": {"s.$": "$$.State"}})))["output"]["s"]


def test_context_map_item_only_in_the_item_selector():
    definition = one({"Type": "Map", "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"},
                      "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "In",
                                        "States": {"In": {"Type": "Pass", "Parameters": {"ctx.$": "$$"},
                                                          "ResultPath": "$.inner", "End": True}}}})
    out = result(run(definition, ["a", "b"]))["output"]
    assert [(o["index"], o["value"]) for o in out] == [(0, "a"), (1, "b")]
    contexts = [o["inner"]["ctx"] for o in out]
    assert all("Map" not in c and c["State"]["Name"] == "In" for c in contexts)


# ----------------------------------------------------------------------------------------------
# the payload quota (256 KiB) and States.Runtime
# ----------------------------------------------------------------------------------------------

BIG = "a" * (256 * 1024)


def test_state_output_over_the_quota_fails_the_execution():
    # test_start_large_input
    ex = run(one({"Type": "Pass", "Result": {"Arg1": BIG}}))
    assert result(ex) == {"status": "FAILED", "error": "States.DataLimitExceeded",
                          "cause": "The state/task 'S' returned a result with a size exceeding the maximum "
                                   "number of bytes service limit."}
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_task_parameters_over_the_quota_fail_before_the_call():
    # AWS's wording for a Task's parameters (a production report: "The state/task
    # 'check_version' provided parameters with a size exceeding ...")
    tasks = Tasks(F=lambda payload: {})
    ex = run(one({"Type": "Task", "Resource": lambda_arn("F"), "Parameters": {"big": BIG}}), {},
             tasks=tasks)
    assert (ex.error, ex.cause) == ("States.DataLimitExceeded", "The state/task 'S' provided parameters "
                                    "with a size exceeding the maximum number of bytes service limit.")
    assert tasks.calls == []


def test_output_just_under_the_quota_is_fine():
    text = "a" * (256 * 1024 - 2)  # a JSON string: two quotes
    assert result(run(one({"Type": "Pass", "Result": text})))["status"] == "SUCCEEDED"
    assert result(run(one({"Type": "Pass", "Result": text + "a"})))["error"] == "States.DataLimitExceeded"


def test_quota_counts_utf8_bytes():
    text = "é" * (128 * 1024)  # 2 bytes each: 256 KiB of text plus quotes
    assert result(run(one({"Type": "Pass", "Result": text})))["error"] == "States.DataLimitExceeded"


def test_data_limit_exceeded_is_not_caught_by_states_all():
    half = "a" * (150 * 1024)
    definition = machine({
        "Par": {"Type": "Parallel", "Branches": [machine({"B1": {"Type": "Pass", "Result": half, "End": True}}),
                                                 machine({"B2": {"Type": "Pass", "Result": half, "End": True}})],
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Caught"},
                          {"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "Next": "Caught"},
        "Caught": {"Type": "Succeed"},
    })
    ex = run(definition)
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")
    assert "'Par'" in ex.cause
    assert types(ex).count("ParallelStateStarted") == 1  # not retried
    assert "ParallelStateExited" not in types(ex)


def test_task_result_over_the_quota_is_a_catchable_task_failure():
    # test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response
    definition = machine({
        "Call": {"Type": "Task", "Resource": lambda_arn("big"),
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "Next": "Done"},
        "Caught": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"},
    })
    ex = run(definition, tasks=Tasks(big=lambda _: BIG))
    assert result(ex)["status"] == "SUCCEEDED"
    assert result(ex)["output"]["Error"] == "States.DataLimitExceeded"
    assert "LambdaFunctionFailed" in types(ex)


def test_task_input_over_the_quota_after_parameters_fails_the_execution():
    tasks = Tasks(f=lambda _: "small")
    definition = machine({
        "T": {"Type": "Task", "Resource": lambda_arn("f"), "Parameters": {"x.$": "$.b", "y.$": "$.b"},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "Next": "Caught"},
        "Caught": {"Type": "Pass", "End": True},
    })
    ex = run(definition, {"b": "a" * (150 * 1024)}, tasks=tasks)
    assert (ex.status, ex.error) == ("FAILED", "States.DataLimitExceeded")
    assert tasks.calls == []


RUNTIME_CATCHERS = [
    ("states-all", [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]),
    ("explicit-states-runtime", [{"ErrorEquals": ["States.Runtime"], "Next": "Caught"}]),
    ("task-failed", [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]),
]


@pytest.mark.parametrize("catch", [c[1] for c in RUNTIME_CATCHERS], ids=[c[0] for c in RUNTIME_CATCHERS])
def test_states_runtime_is_neither_retried_nor_caught(catch):
    # test_catch_states_runtime: a Catch on States.Runtime does not catch it
    definition = machine({
        "RaiseRuntime": {"Type": "Task", "Resource": lambda_arn("id"), "OutputPath": "$.no.such.result.path",
                         "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                         "Catch": catch, "Next": "Final"},
        "Caught": {"Type": "Pass", "End": True},
        "Final": {"Type": "Pass", "End": True},
    })
    tasks = Tasks(id=lambda event: event)
    ex = run(definition, tasks=tasks)
    assert result(ex) == runtime_failure(
        "RaiseRuntime", 2, "Invalid path '$.no.such.result.path' : Missing property in path $['no']")
    assert len(tasks.calls) == 1
    assert types(ex)[-2:] == ["LambdaFunctionSucceeded", "ExecutionFailed"]


def test_states_runtime_in_a_branch_fails_the_whole_execution():
    definition = machine({
        "Par": {"Type": "Parallel", "Branches": [machine({"B": {"Type": "Pass", "InputPath": "$.nope", "End": True}})],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "Next": "Caught"},
        "Caught": {"Type": "Succeed"},
    })
    ex = run(definition)
    assert result(ex) == runtime_failure("B", 4, "Invalid path '$.nope' : No results for path: $['nope']")
    assert types(ex) == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "PassStateEntered",
                         "ExecutionFailed"]


def test_execution_timeout():
    definition = machine({"W": {"Type": "Wait", "Seconds": 100, "End": True}}, TimeoutSeconds=10)
    ex = run(definition)
    # AWS: the error is in the event only, and the event points at no other event
    assert (ex.status, ex.error, ex.cause) == ("TIMED_OUT", None, None)
    assert types(ex) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    last = ex.history[-1]
    assert (last.previous_id, last.details) == (0, {"error": "States.Timeout"})
    assert last.timestamp - ex.history[0].timestamp == pytest.approx(10, abs=0.01)
    assert ex.history[-1].timestamp - EPOCH == pytest.approx(10, abs=0.25)
