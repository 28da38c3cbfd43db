"""JSONata states: Arguments, Output and Assign over $states, the fields that take one
expression, Choice conditions, Map Items and ItemSelector, and States.QueryEvaluationError with
AWS's EvaluationFailed event (asl_runner/dataflow/jsonata.py)."""

from __future__ import annotations

import pytest

import asl_runner


def machine(states: dict, start: str | None = None) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def run(states: dict, input=None, **kw):
    return asl_runner.run(machine(states), {} if input is None else input, clock="virtual", **kw)


def events(ex) -> list[str]:
    return [e.type for e in ex.history]


def test_pass_output_reads_the_input_and_jsonpath_states_read_what_it_wrote():
    ex = asl_runner.run({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "QueryLanguage": "JSONata",
              "Output": {"foo": "foobar", "bar": "{% $states.input %}", "n": "{% 1 + 2 %}"},
              "Next": "B"},
        "B": {"Type": "Pass", "InputPath": "$.bar", "End": True}}}, {"x": 1}, clock="virtual")
    assert ex.status == "SUCCEEDED" and ex.output == {"x": 1}
    assert ex.history[2].details["output"] == {"foo": "foobar", "bar": {"x": 1}, "n": 3}


def test_task_arguments_output_and_assign_see_input_and_result():
    ex = run({"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Add",
                    "Arguments": {"a": "{% $states.input.a %}", "b": 2},
                    "Output": {"sum": "{% $states.result.sum %}", "was": "{% $states.input.a %}"},
                    "Assign": {"total": "{% $states.result.sum %}"}, "Next": "U"},
              "U": {"Type": "Pass", "Output": "{% $total * 10 %}", "End": True}},
             {"a": 40}, handlers={"Add": lambda event, context: {"sum": event["a"] + event["b"]}})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == 420
    exited = next(e for e in ex.history if e.type == "TaskStateExited").details
    assert exited["output"] == {"sum": 42, "was": 40} and exited["assignedVariables"] == {"total": 42}


def test_assignments_read_the_values_from_before_the_state():
    ex = run({"A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
              "B": {"Type": "Pass", "Assign": {"x": "{% $x + 1 %}", "y": "{% $x %}"},
                    "Output": {"x": "{% $x %}"}, "End": True}})
    assert ex.output == {"x": 1}
    assert ex.history[-2].details["assignedVariables"] == {"x": 2, "y": 1}


def test_a_catcher_s_output_and_assign_see_the_error_output():
    ex = run({"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Boom",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                               "Output": {"in": "{% $states.input %}", "err": "{% $states.errorOutput %}"},
                               "Assign": {"why": "{% $states.errorOutput.Error %}"}}],
                    "End": True},
              "Done": {"Type": "Pass", "Output": {"why": "{% $why %}", "got": "{% $states.input %}"},
                       "End": True}},
             {"k": 1}, handlers={"Boom": lambda event, context: 1 / 0})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["why"] == "ZeroDivisionError"
    assert ex.output["got"]["in"] == {"k": 1}
    assert ex.output["got"]["err"]["Error"] == "ZeroDivisionError"


def test_choice_conditions_and_a_matched_rule_s_assign():
    states = {"C": {"Type": "Choice", "Default": "No",
                    "Choices": [{"Condition": "{% $states.input.n > 5 %}", "Next": "Yes",
                                 "Assign": {"rule": "big"}}]},
              "Yes": {"Type": "Pass", "Output": "{% $rule %}", "End": True},
              "No": {"Type": "Succeed"}}
    assert run(states, {"n": 9}).output == "big"
    assert run(states, {"n": 1}).output == {"n": 1}


def test_a_condition_that_is_not_a_boolean_fails_with_query_evaluation_error():
    ex = run({"C": {"Type": "Choice", "Default": "No",
                    "Choices": [{"Condition": "{% $states.input.n %}", "Next": "No"}]},
              "No": {"Type": "Succeed"}}, {"n": 3})
    assert ex.error == "States.QueryEvaluationError"
    assert "Expected 'boolean', but was 'number' for value: 3" in ex.cause


def test_a_failing_condition_is_named_by_its_rule():
    # AWS names the field Choices[i]/Condition (Floci's record of AWS's causes)
    ex = run({"C": {"Type": "Choice", "Default": "No", "Choices": [
        {"Condition": "{% $states.input.n = 1 %}", "Next": "No"},
        {"Condition": "{% $states.input.missing %}", "Next": "No"}]},
        "No": {"Type": "Succeed"}}, {"n": 3})
    assert ex.error == "States.QueryEvaluationError"
    assert ("The JSONata expression '$states.input.missing' specified for the field "
            "'Choices[1]/Condition' returned nothing (undefined).") in ex.cause


def test_an_expression_that_yields_nothing_is_evaluation_failed_as_aws_records_it():
    # recorded on AWS (TestAssignReferenceVariables_test_undefined_reference_*)
    ex = run({"State0": {"Type": "Pass", "Output": {"result": "{% $doesNotExist %}"}, "End": True}})
    assert events(ex) == ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]
    failed = ex.history[2]
    assert failed.previous_id == 0  # where the state's Entered event points
    cause = ("An error occurred while executing the state 'State0' (entered at the event id #2). "
             "The JSONata expression '$doesNotExist' specified for the field 'Output/result' "
             "returned nothing (undefined).")
    assert failed.details == {"error": "States.QueryEvaluationError", "cause": cause,
                              "location": "Output/result", "state": "State0"}
    assert (ex.error, ex.cause) == ("States.QueryEvaluationError", cause)


def test_query_evaluation_error_is_caught_like_any_state_error():
    ex = run({"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F",
                    "Output": "{% $nope %}", "End": True,
                    "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "B"}]},
              "B": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": True}},
             handlers={"F": lambda event, context: {}})
    assert ex.status == "SUCCEEDED" and ex.output == "States.QueryEvaluationError"
    assert "EvaluationFailed" in events(ex)


@pytest.mark.parametrize("items, kind, shown", [("{% 1 %}", "number", "1"),
                                                ("{% {'foo': 'bar'} %}", "object", '{"foo":"bar"}')])
def test_map_items_must_be_an_array(items, kind, shown):
    ex = run({"M": {"Type": "Map", "Items": items, "End": True,
                    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}})
    assert events(ex)[2:] == ["EvaluationFailed", "MapStateFailed", "ExecutionFailed"]
    assert ex.cause.endswith(f"returned an unexpected result type. Expected 'array', but was "
                             f"'{kind}' for value: {shown}")


def test_map_items_item_selector_and_settings_from_expressions():
    ex = run({"M": {"Type": "Map", "Items": "{% $states.input.xs %}",
                    "MaxConcurrency": "{% 1 %}",
                    "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}",
                                     "i": "{% $states.context.Map.Item.Index %}"},
                    "ItemProcessor": {"StartAt": "P", "States": {"P": {
                        "Type": "Pass", "Output": "{% $states.input.v * 10 + $states.input.i %}",
                        "End": True}}},
                    "End": True}}, {"xs": [1, 2, 3]})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == [10, 21, 32]


def test_map_without_items_needs_an_array_input():
    ex = run({"M": {"Type": "Map", "End": True,
                    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}},
             {"not": "a list"})
    assert ex.error == "States.QueryEvaluationError"
    assert ex.cause.endswith('Map state input must be an array but was: {"not":"a list"}')
    assert "location" not in ex.history[2].details


def test_wait_seconds_and_timestamp_from_expressions():
    ex = run({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "T"},
              "T": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": True}},
             {"s": 5, "t": "2016-12-05T25:29:29Z"})
    assert ex.error == "States.QueryEvaluationError"
    assert ex.cause.endswith("The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                             "date-time format string: 2016-12-05T25:29:29Z")


def test_fail_error_and_cause_from_expressions():
    ex = run({"F": {"Type": "Fail", "Error": "{% 'Order.' & $states.input.kind %}",
                    "Cause": "{% 'order ' & $states.input.id & ' failed' %}"}}, {"kind": "Bad", "id": "7"})
    assert (ex.error, ex.cause) == ("Order.Bad", "order 7 failed")


def test_validate_refuses_an_expression_jsonata_cannot_compile():
    from asl_runner.validate import validate_definition

    problems = validate_definition(machine({"A": {"Type": "Pass", "Output": {"x": "{% 1 + %}"},
                                                  "End": True}}))
    assert [p.pointer for p in problems] == ["/States/A/Output/x"]
    assert "is not valid" in problems[0].message


def test_now_and_millis_tell_the_execution_s_clock():
    from asl_runner.clock import VirtualClock
    from asl_runner.engine import Execution, Runner
    from asl_runner.integrations import Integrations

    definition = asl_runner.load(machine({
        "W": {"Type": "Wait", "Seconds": 86400, "Next": "P"},
        "P": {"Type": "Pass", "Output": {"now": "{% $now() %}", "ms": "{% $millis() %}"}, "End": True}}))
    ex = Execution(definition, {}, clock=VirtualClock(start=1_700_000_000.0))
    Runner(Integrations()).run(ex)
    # a day later on the virtual clock, at the Pass state's entry
    entered = ex.history[-3].timestamp
    assert ex.output["ms"] == round(entered * 1000)
    assert ex.output["now"].startswith("2023-11-15T22:13:20")
