"""TestState: one state run once, as AWS's TestState API answers (status, nextState, output,
error, cause, inspectionData), through the Python API, the CLI and the served endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from asl_runner import test_state as run_state
from asl_runner.cli import main
from asl_runner.engine.test_state import TestStateError

from cli_runner import CliRunner

LAMBDA = "arn:aws:states:::lambda:invoke"

#: a JSONPath Task with all five paths, a retrier and two catchers
TASK = {
    "Type": "Task", "Resource": LAMBDA,
    "InputPath": "$.order",
    "Parameters": {"FunctionName": "price", "Payload.$": "$"},
    "ResultSelector": {"total.$": "$.Payload.total"},
    "ResultPath": "$.priced",
    "OutputPath": "$.priced",
    "Next": "Ship",
    "Retry": [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 3}],
    "Catch": [{"ErrorEquals": ["NoStock"], "Next": "Backorder"},
              {"ErrorEquals": ["States.ALL"], "Next": "Fix", "ResultPath": "$.error"}],
}
ORDER = {"order": {"id": 7}}
#: a mocked lambda:invoke result with its Payload as the task sees it (JSON): AWS checks a mock
#: against the raw API, where Payload is a blob (text), so such a mock needs NONE
UNCHECKED = {"fieldValidationMode": "NONE"}


def _loads(response: dict, key: str):
    return json.loads(response[key])


# ---------------------------------------------------------------------- statuses


def test_a_mocked_task_succeeds_with_every_jsonpath_stage_inspected():
    response = run_state(TASK, ORDER, inspection_level="DEBUG",
                         mock={"result": '{"Payload": {"total": 12}}', **UNCHECKED})
    assert response["status"] == "SUCCEEDED"
    assert response["nextState"] == "Ship"
    assert _loads(response, "output") == {"total": 12}
    assert {k: json.loads(v) for k, v in response["inspectionData"].items()} == {
        "input": ORDER,
        "afterInputPath": {"id": 7},
        "afterParameters": {"FunctionName": "price", "Payload": {"id": 7}},
        "result": {"Payload": {"total": 12}},
        "afterResultSelector": {"total": 12},
        "afterResultPath": {"order": {"id": 7}, "priced": {"total": 12}},
    }


def test_info_has_no_inspection_data():
    response = run_state(TASK, ORDER, mock={"result": '{"Payload": {"total": 1}}', **UNCHECKED})
    assert "inspectionData" not in response and response["status"] == "SUCCEEDED"


def test_a_jsonata_task_records_input_arguments_and_result():
    state = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": LAMBDA,
             "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.n * 2 %}"},
             "Output": "{% $states.result.Payload + 1 %}", "End": True}
    response = run_state(state, {"n": 5}, inspection_level="DEBUG", mock={"result": {"Payload": 10}, **UNCHECKED})
    assert response["status"] == "SUCCEEDED" and "nextState" not in response
    assert _loads(response, "output") == 11
    assert {k: json.loads(v) for k, v in response["inspectionData"].items()} == {
        "input": {"n": 5}, "afterArguments": {"FunctionName": "f", "Payload": 10},
        "result": {"Payload": 10}}


def test_a_mocked_error_a_retrier_applies_to_is_retriable_with_its_backoff():
    mock = {"errorOutput": {"error": "Throttled", "cause": "slow down"}}
    first = run_state(TASK, ORDER, inspection_level="DEBUG", mock=mock)
    assert first["status"] == "RETRIABLE"
    assert (first["error"], first["cause"]) == ("Throttled", "slow down")
    assert "output" not in first and "nextState" not in first
    assert first["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}
    # two retries made already: the third waits IntervalSeconds x BackoffRate^2
    third = run_state(TASK, ORDER, inspection_level="DEBUG", mock=mock,
                      state_configuration={"retrierRetryCount": 2})
    assert third["status"] == "RETRIABLE"
    assert third["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 12}


def test_retries_used_up_fall_to_the_catcher():
    response = run_state(TASK, ORDER, inspection_level="DEBUG",
                         mock={"errorOutput": {"error": "Throttled", "cause": "again"}},
                         state_configuration={"retrierRetryCount": 3})
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Fix"
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1, "retryIndex": 0}


def test_a_caught_error_goes_to_the_catchers_next_with_the_error_output():
    response = run_state(TASK, ORDER, inspection_level="DEBUG",
                         mock={"errorOutput": {"error": "NoStock", "cause": "none left"}})
    assert response["status"] == "CAUGHT_ERROR"
    assert (response["nextState"], response["error"], response["cause"]) == ("Backorder", "NoStock", "none left")
    assert _loads(response, "output") == {"Error": "NoStock", "Cause": "none left"}
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 0}


def test_an_error_nothing_handles_fails():
    state = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f"}, "End": True}
    response = run_state(state, mock={"errorOutput": {"error": "Boom", "cause": "bad"}})
    assert response == {"status": "FAILED", "error": "Boom", "cause": "bad"}


def test_a_fail_state_fails_with_its_error_and_cause():
    assert run_state({"Type": "Fail", "Error": "E.Bad", "Cause": "why"}) == {
        "status": "FAILED", "error": "E.Bad", "cause": "why"}


def test_a_choice_reports_the_next_state_it_picks():
    state = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Big"}],
             "Default": "Small"}
    assert run_state(state, {"n": 5})["nextState"] == "Big"
    assert run_state(state, {"n": 1})["nextState"] == "Small"
    assert run_state(state, {"n": 1})["status"] == "SUCCEEDED"


def test_a_wait_does_not_wait():
    response = run_state({"Type": "Wait", "Seconds": 99999999, "Next": "Later"}, {"a": 1})
    assert response == {"status": "SUCCEEDED", "nextState": "Later", "output": '{"a":1}'}


def test_variables_are_seen_and_reported_after_the_state():
    state = {"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"total": "{% $base + $states.input.n %}"},
             "Output": {"was": "{% $base %}"}, "End": True}
    response = run_state(state, {"n": 2}, inspection_level="DEBUG", variables='{"base": 40}')
    assert _loads(response, "output") == {"was": 40}
    assert json.loads(response["inspectionData"]["variables"]) == {"base": 40, "total": 42}


def test_a_state_of_a_whole_machine_by_name():
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                          "B": {"Type": "Pass", "Result": {"b": 1}, "Next": "C"},
                                          "C": {"Type": "Succeed"}}}
    response = run_state(json.dumps(machine), {}, state_name="B")
    assert (response["nextState"], _loads(response, "output")) == ("C", {"b": 1})


def test_an_unmocked_task_calls_its_handler():
    state = {"Type": "Task", "Resource": LAMBDA,
             "Parameters": {"FunctionName": "double", "Payload.$": "$"}, "OutputPath": "$.Payload", "End": True}
    response = run_state(state, {"n": 4}, handlers={"double": lambda event, context: {"n": event["n"] * 2}})
    assert response["status"] == "SUCCEEDED"
    assert _loads(response, "output") == {"n": 8}


def test_a_mocked_wait_for_task_token_task_takes_the_mocked_result():
    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
             "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": True}
    assert _loads(run_state(state, mock={"result": '{"ok": 1}'}), "output") == {"ok": 1}


def test_a_jsonata_catcher_shapes_the_output_and_the_request_context_is_seen():
    state = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": LAMBDA,
             "Arguments": {"FunctionName": "f", "Payload": {"run": "{% $states.context.Execution.Id %}"}},
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle",
                        "Output": "{% $states.errorOutput.Error & '!' %}"}], "End": True}
    response = run_state(state, {}, inspection_level="DEBUG", mock={"errorOutput": {"error": "Oops"}},
                         context='{"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:e"}}')
    assert (response["status"], response["nextState"], _loads(response, "output")) == (
        "CAUGHT_ERROR", "Handle", "Oops!")
    assert json.loads(response["inspectionData"]["afterArguments"])["Payload"] == {
        "run": "arn:aws:states:us-east-1:1:execution:m:e"}


def test_a_data_flow_error_fails_the_state_with_states_runtime():
    response = run_state({"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True}, {})
    assert (response["status"], response["error"]) == ("FAILED", "States.Runtime")
    assert "'$.missing'" in response["cause"]


# ---------------------------------------------------------------------- refused requests


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"definition": {"Type": "Pass", "Next": 3}}, "InvalidDefinition"),
    ({"definition": "{not json"}, "InvalidDefinition"),
    ({"definition": {"Type": "Pass", "End": True}, "input": "{nope"}, "InvalidExecutionInput"),
    ({"definition": {"Type": "Pass", "End": True}, "mock": {"result": "{}"}}, "ValidationException"),
    ({"definition": TASK, "mock": {"result": "{nope"}}, "ValidationException"),
    ({"definition": TASK, "mock": {"result": "1", "errorOutput": {"error": "E"}}}, "ValidationException"),
    ({"definition": TASK, "context": {"Execution": {}}}, "ValidationException"),
    ({"definition": {"Type": "Pass", "End": True}, "inspection_level": "LOUD"}, "ValidationException"),
    ({"definition": {"Type": "Pass", "End": True}, "variables": "[1]"}, "ValidationException"),
    ({"definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "state_name": "Z"},
     "ValidationException"),
    ({"definition": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                     "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": True}},
     "ValidationException"),
    ({"definition": {"Type": "Parallel", "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}], "End": True}}, "InvalidDefinition"),
])
def test_bad_requests_get_aws_error_codes(kwargs, code):
    kwargs = dict(kwargs)
    definition = kwargs.pop("definition")
    if not isinstance(definition, str):
        definition = json.dumps(definition)
    with pytest.raises(TestStateError) as caught:
        run_state(definition, kwargs.pop("input", None), **kwargs)
    assert caught.value.code == code


def test_a_single_states_problem_points_into_the_state():
    with pytest.raises(TestStateError) as caught:
        run_state({"Type": "Pass", "Next": "B", "InputPath": 3})
    assert "at /InputPath" in caught.value.message


# ---------------------------------------------------------------------- the CLI


def test_the_cli_prints_the_response(tmp_path):
    path = tmp_path / "task.json"
    path.write_text(json.dumps(TASK))
    result = CliRunner().invoke(main, ["test-state", str(path), "--input", json.dumps(ORDER),
                                       "--inspection-level", "DEBUG", "--mock",
                                       json.dumps({"errorOutput": {"error": "Throttled"}}),
                                       "--retrier-retry-count", "1"])
    assert result.exit_code == 0, result.output
    response = json.loads(result.stdout)
    assert response["status"] == "RETRIABLE"
    assert response["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"] == 6


def test_the_cli_names_the_error_of_a_refused_request(tmp_path):
    path = tmp_path / "pass.json"
    path.write_text('{"Type": "Pass", "End": true}')
    result = CliRunner().invoke(main, ["test-state", str(path), "--mock", '{"result": "1"}'])
    assert result.exit_code == 1
    assert "ValidationException" in result.stderr


# ---------------------------------------------------------------------- the endpoint, through boto3


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    root = tmp_path_factory.mktemp("serve")
    (root / "lambdas").mkdir()
    (root / "lambdas" / "greet.py").write_text(
        "def handler(event, context):\n    return {'hello': event['name']}\n")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    proc = subprocess.Popen([sys.executable, "-m", "asl_runner.cli", "serve", "--port", "0", "--db",
                             ":memory:", "--lambdas", str(root / "lambdas")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=root, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(20)
    if not lines or " at " not in lines[0]:
        proc.kill()
        pytest.fail("asl-runner serve did not start")
    url = lines[0].split(" at ", 1)[1].split()[0]
    # TestState, like StartSyncExecution, goes to "sync-" + the host unless told otherwise
    client = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing",
                          config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
    yield client
    proc.terminate()
    proc.wait(15)
    proc.stdout.close()


def test_boto3_test_state_against_the_endpoint(served):
    response = served.test_state(definition=json.dumps(TASK), input=json.dumps(ORDER),
                                 inspectionLevel="DEBUG",
                                 mock={"errorOutput": {"error": "NoStock", "cause": "gone"}})
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Backorder"
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    assert json.loads(response["inspectionData"]["afterInputPath"]) == {"id": 7}


def test_boto3_test_state_calls_a_local_handler(served):
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": True}
    response = served.test_state(definition=json.dumps(state), input='{"name": "ada"}')
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"hello": "ada"}


def test_boto3_gets_invalid_definition(served):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        served.test_state(definition='{"Type": "Nope"}')
    assert caught.value.response["Error"]["Code"] == "InvalidDefinition"


def test_the_server_module_is_registered():
    from asl_runner.service.api import OPERATIONS

    assert OPERATIONS["TestState"] == "test_state"


def test_a_mocked_map_runs_its_data_flow_around_the_mock_and_shows_each_stage():
    definition = {"Type": "Map", "ItemsPath": "$.xs", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                  "MaxConcurrency": 2, "ToleratedFailureCount": 1,
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                  "ResultSelector": {"n.$": "States.ArrayLength($)"}, "Next": "After"}
    response = run_state(json.dumps(definition), '{"xs": [1, 2, 3]}', inspection_level="DEBUG",
                         mock={"result": "[10, 20, 30]"})
    assert (response["status"], response["nextState"], response["output"]) == \
        ("SUCCEEDED", "After", '{"n":3}')
    seen = response["inspectionData"]
    assert seen["afterItemsPath"] == "[1,2,3]"
    assert seen["afterItemSelector"] == '[{"v":1},{"v":2},{"v":3}]'
    assert (seen["maxConcurrency"], seen["toleratedFailureCount"]) == (2, 1)  # numbers, as in the API
    assert seen["result"] == "[10,20,30]"


def test_a_mocked_parallel_s_error_is_caught():
    definition = {"Type": "Parallel", "End": True,
                  "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}
    response = run_state(json.dumps(definition), "{}", mock={"errorOutput": {"error": "Boom", "cause": "c"}})
    assert response == {"status": "CAUGHT_ERROR", "nextState": "Handle",
                        "output": '{"Error":"Boom","Cause":"c"}', "error": "Boom", "cause": "c"}
