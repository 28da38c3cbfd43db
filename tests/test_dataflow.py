"""Each state's data flow, compiled at load (asl_runner.dataflow): the stages a state module
asks for, and what an inspector sees of them (TestState's inspectionData names)."""

from __future__ import annotations

import asl_runner
from asl_runner.dataflow.jsonpath import JsonPathFlow


class Env:
    """What a flow reads besides the document: variables and the context object (none
    here), and where it records each stage."""

    def __init__(self):
        self.inspection = {}
        self.context = {}

    def variable(self, name):
        raise KeyError(name)


def task_flow():
    machine = asl_runner.load({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "InputPath": "$.order", "Parameters": {"id.$": "$.id"},
        "ResultSelector": {"total.$": "$.sum"}, "ResultPath": "$.priced", "OutputPath": "$.priced",
        "End": True}}})
    return machine.states["T"].flow


def test_every_state_gets_the_flow_of_its_query_language():
    flow = task_flow()
    assert isinstance(flow, JsonPathFlow) and flow.has_arguments()
    machine = asl_runner.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert not machine.states["P"].flow.has_arguments()


def test_the_stages_in_aws_order_and_what_an_inspector_sees():
    flow, env = task_flow(), Env()
    raw = {"order": {"id": 7}, "keep": True}
    effective = flow.input(raw, env)
    assert flow.arguments(effective, env) == {"id": 7}
    selected = flow.result({"sum": 12}, env)
    assert flow.output(raw, selected, env) == {"total": 12}
    assert env.inspection == {
        "afterInputPath": {"id": 7}, "afterParameters": {"id": 7}, "result": {"sum": 12},
        "afterResultSelector": {"total": 12},
        "afterResultPath": {"order": {"id": 7}, "keep": True, "priced": {"total": 12}}}


def test_a_catcher_puts_the_error_output_where_its_result_path_says():
    machine = asl_runner.load({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "D"}],
              "End": True},
        "D": {"Type": "Succeed"}}})
    state = machine.states["T"]
    output, assigned = state.flow.caught(state.catch[0], {"a": 1},
                                         {"Error": "E", "Cause": "c"}, Env())
    assert output == {"a": 1, "error": {"Error": "E", "Cause": "c"}} and assigned is None
