"""states:startExecution: a Task that starts another state machine's execution, in its three
patterns, under `run` (machines given by name) and under the service (real executions)."""

from __future__ import annotations

import json

import pytest

import asl_runner
from asl_runner.service import open_service

from support import wait_until

ROLE = "arn:aws:iam::123456789012:role/test"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:child"
CHILD = {"StartAt": "Greet", "States": {"Greet": {
    "Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "End": True}}}
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "SomeFailure",
                                                   "Cause": "it had to fail"}}}


def parent(pattern: str = "", **extra) -> dict:
    return {"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": f"arn:aws:states:::states:startExecution{pattern}",
        "Parameters": {"StateMachineArn": CHILD_ARN, "Input": {"who.$": "$.who"}, **extra},
        "End": True}}}


def test_sync2_runs_the_child_and_returns_its_description_with_parsed_output():
    ex = asl_runner.run(parent(".sync:2", Name="kid"), {"who": "ana"}, machines={"child": CHILD},
                        clock="virtual")
    assert ex.status == "SUCCEEDED", ex.cause
    out = ex.output
    assert out["Output"] == {"greeting": "hello ana"} and out["Input"] == {"who": "ana"}
    assert out["Status"] == "SUCCEEDED" and out["Name"] == "kid"
    assert out["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:child:kid"
    assert isinstance(out["StartDate"], int) and out["StopDate"] >= out["StartDate"]
    types = [e.type for e in ex.history]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = ex.history[4].details["output"]
    assert set(submitted) == {"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"}
    assert [child.status for child in ex.children] == ["SUCCEEDED"]


def test_sync_returns_input_and_output_as_json_text():
    ex = asl_runner.run(parent(".sync"), {"who": "bo"}, machines={"child": CHILD}, clock="virtual")
    assert json.loads(ex.output["Output"]) == {"greeting": "hello bo"}
    assert ex.output["Input"] == '{"who":"bo"}'


def test_request_response_returns_the_start():
    ex = asl_runner.run(parent(), {"who": "cy"}, machines={"child": CHILD}, clock="virtual")
    assert ex.status == "SUCCEEDED"
    assert set(ex.output) == {"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"}
    assert ex.output["SdkHttpMetadata"]["HttpStatusCode"] == 200


def test_the_start_s_content_length_counts_a_start_date_with_microseconds():
    # AWS recorded 164 bytes for this ARN's length (163 when the microseconds end in 0)
    from asl_runner.integrations.states import _started

    arn = "arn:aws:states:us-east-1:123456789012:execution:" + "m" * 49 + ":TestStartTarget"
    headers = _started({"executionArn": arn, "startDate": 1720769695.123456})["SdkHttpMetadata"]
    assert headers["HttpHeaders"]["Content-Length"] == "164"
    headers = _started({"executionArn": arn, "startDate": 1720769695.12345})["SdkHttpMetadata"]
    assert headers["HttpHeaders"]["Content-Length"] == "163"


def test_a_failed_child_fails_the_task_with_its_description():
    ex = asl_runner.run(parent(".sync"), {"who": "x"}, machines={"child": FAILING}, clock="virtual")
    assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
    cause = json.loads(ex.cause)
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "SomeFailure", "it had to fail")
    assert "Output" not in cause


def test_an_unknown_machine_is_aws_s_error_with_a_hint():
    ex = asl_runner.run(parent(), {"who": "x"}, clock="virtual")
    assert ex.error == "StepFunctions.StateMachineDoesNotExistException"
    assert ex.cause.startswith(f"State Machine Does Not Exist: '{CHILD_ARN}' (Service: AWSStepFunctions; "
                               "Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: ")
    assert any("--machine child=FILE" in hint for hint in ex.hints)


@pytest.fixture
def service(tmp_path):
    svc = open_service(str(tmp_path / "store.db"), clock="virtual")
    yield svc
    svc.close()


def _create(service, name: str, definition: dict) -> str:
    return service.create_state_machine({"name": name, "definition": json.dumps(definition),
                                         "roleArn": ROLE})["stateMachineArn"]


def test_under_the_service_the_child_is_a_real_execution_and_sync_waits_for_it(service):
    _create(service, "child", {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 3600, "Next": "Greet"}, **CHILD["States"]}})
    machine = _create(service, "parent", parent(".sync:2", Name="kid"))
    arn = service.start_execution({"stateMachineArn": machine, "input": '{"who": "di"}'})["executionArn"]
    wait_until(lambda: service.describe_execution({"executionArn": arn})["status"] != "RUNNING")
    described = service.describe_execution({"executionArn": arn})
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert json.loads(described["output"])["Output"] == {"greeting": "hello di"}
    children = service.list_executions({"stateMachineArn": CHILD_ARN})["executions"]
    assert [(c["name"], c["status"]) for c in children] == [("kid", "SUCCEEDED")]


def test_a_restart_while_the_child_runs_still_completes_the_parent(tmp_path):
    db = str(tmp_path / "store.db")
    first = open_service(db, clock="real")
    _create(first, "child", {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 1, "Next": "Greet"}, **CHILD["States"]}})
    machine = _create(first, "parent", parent(".sync:2"))
    arn = first.start_execution({"stateMachineArn": machine, "input": '{"who": "ed"}'})["executionArn"]
    wait_until(lambda: any(e["type"] == "TaskSubmitted" for e in first.get_execution_history(
        {"executionArn": arn})["events"]))
    first.close()  # the child is still waiting
    again = open_service(db, clock="real")
    try:
        wait_until(lambda: again.describe_execution({"executionArn": arn})["status"] != "RUNNING")
        described = again.describe_execution({"executionArn": arn})
        assert described["status"] == "SUCCEEDED", described.get("cause")
        assert len(again.list_executions({"stateMachineArn": CHILD_ARN})["executions"]) == 1
    finally:
        again.close()
