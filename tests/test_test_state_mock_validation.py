"""TestState's mocks checked against what they stand for: a Task's mocked result against its
API's response shape (``fieldValidationMode`` STRICT, PRESENT, NONE), a Map's and a
Parallel's against their results, and the requests AWS refuses around mocks. The cases and
messages are those of TestState responses recorded on AWS."""

from __future__ import annotations

import json

import pytest

from asl_runner import test_state as run_state
from asl_runner.engine.test_state import TestStateError

PUT_EVENTS = {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
              "Parameters": {"Entries": [{"Detail": "d", "DetailType": "t", "Source": "s"}]},
              "End": True}
START_EXECUTION = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                   "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:t"},
                   "End": True}
LAMBDA_INVOKE = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "f"}, "End": True}
DYNAMODB_PUT = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "t", "Item": {}}, "End": True}
S3_GET = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
          "Parameters": {"Bucket": "b", "Key": "k"}, "End": True}
KMS_ENCRYPT = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kms:encrypt",
               "Parameters": {"KeyId": "k", "Plaintext": "p"}, "End": True}
LAMBDA_GET_FUNCTION = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:lambda:getFunction",
                       "Parameters": {"FunctionName": "f"}, "End": True}


def _refusal(state: dict, result, mode: str | None = None, **kwargs) -> str:
    mock = {"result": json.dumps(result)}
    if mode is not None:
        mock["fieldValidationMode"] = mode
    with pytest.raises(TestStateError) as caught:
        run_state(state, {}, mock=mock, **kwargs)
    assert caught.value.code == "ValidationException"
    return caught.value.message


def _output(state: dict, result, mode: str | None = None):
    mock = {"result": json.dumps(result)}
    if mode is not None:
        mock["fieldValidationMode"] = mode
    response = run_state(state, {}, mock=mock)
    assert response["status"] == "SUCCEEDED", response
    return json.loads(response["output"])


@pytest.mark.parametrize("mode", [None, "STRICT", "PRESENT"])
@pytest.mark.parametrize(("state", "result", "message"), [
    (PUT_EVENTS, {"Entries": "not a list"}, "Field 'Entries' must be an array"),
    (PUT_EVENTS, {"Entries": [{"EventId": ["a list"]}]}, "Field 'EventId' must be a string"),
    (PUT_EVENTS, {"Entries": [{"EventId": "ok"}, {"EventId": ["a list"]}]},
     "Field 'EventId' must be a string"),
    (START_EXECUTION, {"ExecutionArn": "arn", "StartDate": True}, "Field 'StartDate' must be a string"),
    (START_EXECUTION, {"ExecutionArn": "arn", "StartDate": 1764103483},
     "Field 'StartDate' must be a string"),
    (START_EXECUTION, {"ExecutionArn": 1, "StartDate": "d"}, "Field 'ExecutionArn' must be a string"),
    (LAMBDA_INVOKE, {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
    (DYNAMODB_PUT, {"ConsumedCapacity": {"CapacityUnits": "123.45"}},
     "Field 'CapacityUnits' must be a number"),
    (S3_GET, {"ContentLength": "9000"}, "Field 'ContentLength' must be a number"),
    (S3_GET, {"StorageClass": "Papyrus"}, "Field 'StorageClass' is not an expected value"),
    (KMS_ENCRYPT, {"CiphertextBlob": 123}, "Field 'CiphertextBlob' must be a string"),
    (KMS_ENCRYPT, {"CiphertextBlob": ""}, "Field 'CiphertextBlob' is smaller than the minimum length"),
    (LAMBDA_GET_FUNCTION, {"Configuration": {"MemorySize": 127}},
     "Field 'MemorySize' is less than the minimum value"),
    (LAMBDA_GET_FUNCTION, {"Configuration": {"MemorySize": 32769}},
     "Field 'MemorySize' exceeds the maximum value"),
])
def test_a_present_field_that_does_not_fit_the_api_is_refused_unless_none(state, result, message, mode):
    assert _refusal(state, result, mode) == f"Mock result schema validation error: {message}"
    assert _output(state, result, "NONE") == result  # NONE checks nothing


@pytest.mark.parametrize("mode", [None, "STRICT"])
@pytest.mark.parametrize("result", [{}, {"executionArn": "arn", "startDate": "d"}])
def test_strict_wants_every_required_field_in_step_functions_case(result, mode):
    assert _refusal(START_EXECUTION, result, mode) == \
        "Mock result schema validation error: Required field 'ExecutionArn' is missing"


@pytest.mark.parametrize("result", [{}, {"executionArn": "arn", "startDate": "d"}])
def test_present_does_not_want_required_fields(result):
    assert _output(START_EXECUTION, result, "PRESENT") == result


@pytest.mark.parametrize("mode", ["STRICT", "PRESENT"])
@pytest.mark.parametrize("result", [{"random": "json"}, {}])
def test_fields_the_api_does_not_have_are_ignored(result, mode):
    assert _output(PUT_EVENTS, result, mode) == result


def test_a_lambda_invoke_payload_is_checked_as_the_raw_api_has_it_a_string():
    message = _refusal(LAMBDA_INVOKE, {"Payload": {"ok": True}})
    assert message == "Mock result schema validation error: Field 'Payload' must be a string"
    assert _output(LAMBDA_INVOKE, {"StatusCode": 200, "Payload": "{}"}) == \
        {"StatusCode": 200, "Payload": "{}"}


def test_a_sync_result_is_checked_against_the_api_step_functions_polls():
    sync = {**START_EXECUTION, "Resource": "arn:aws:states:::states:startExecution.sync:2"}
    message = _refusal(sync, {"ExecutionArn": "arn", "StartDate": "d"})
    assert message == "Mock result schema validation error: Required field 'StateMachineArn' is missing"


@pytest.mark.parametrize("state", [
    {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True},
    {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
     "Parameters": {"ApiEndpoint": "https://example.com", "Method": "GET"}, "End": True},
    {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
     "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": True},
])
def test_results_without_an_api_shape_are_not_checked(state):
    assert _output(state, {"anything": [1]}) == {"anything": [1]}


def test_a_result_that_is_no_object_is_refused_for_an_api():
    assert _refusal(PUT_EVENTS, [1, 2]) == \
        "Mock result schema validation error: The mocked result must be a JSON object"


# ---------------------------------------------------------------------- Map and Parallel

MAP = {"Type": "Map", "End": True,
       "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
PARALLEL = {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
    {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}
WRITER_MAP = {**MAP, "ItemProcessor": {**MAP["ItemProcessor"], "ProcessorConfig": {
    "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}},
    "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                     "Parameters": {"Bucket": "b", "Prefix": "p"}}}


def test_a_map_s_mocked_result_must_be_an_array():
    assert _refusal(MAP, {"a": 1}) == "Mocked result must be an array."


def test_a_map_with_a_result_writer_is_mocked_with_an_object_its_output():
    assert _refusal(WRITER_MAP, [1]) == "Mocked result must be a JSON object."
    details = {"MapRunArn": "arn", "ResultWriterDetails": {"Bucket": "b", "Key": "k"}}
    response = run_state(WRITER_MAP, [1, 2], mock={"result": json.dumps(details)})
    assert (response["status"], json.loads(response["output"])) == ("SUCCEEDED", details)


def test_a_parallel_s_mocked_result_is_one_result_per_branch():
    assert _refusal(PARALLEL, {"a": 1}) == "Mocked result must be an array."
    assert _refusal(PARALLEL, [1]) == \
        "Mocked result must contain the same number of items as number of Parallel branches."
    assert _output(PARALLEL, [1, 2]) == [1, 2]


# ---------------------------------------------------------------------- refused around mocks

@pytest.mark.parametrize("kind", ["Pass", "Succeed", "Fail"])
@pytest.mark.parametrize("mock", [{"result": "{}"}, {"errorOutput": {"error": "E", "cause": "C"}}])
def test_a_state_that_takes_no_mock(kind, mock):
    with pytest.raises(TestStateError) as caught:
        run_state({"Type": kind, "End": True} if kind == "Pass" else {"Type": kind}, mock=mock)
    assert (caught.value.code, caught.value.message) == \
        ("ValidationException", f"State type '{kind}' is not supported when a mock is specified")


@pytest.mark.parametrize("state", [MAP, PARALLEL])
def test_map_and_parallel_need_a_mock(state):
    with pytest.raises(TestStateError) as caught:
        run_state(state, [])
    assert (caught.value.code, caught.value.message) == (
        "InvalidDefinition", "TestState API does not support Map or Parallel states. "
        "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")


def test_both_a_result_and_an_error_output():
    with pytest.raises(TestStateError) as caught:
        run_state(LAMBDA_INVOKE, mock={"result": "{}", "errorOutput": {"error": "E"}})
    assert caught.value.message == \
        "A test mock should have only one of the following fields: [result, errorOutput]."


def test_reveal_secrets_with_a_mock():
    with pytest.raises(TestStateError) as caught:
        run_state(LAMBDA_INVOKE, mock={"result": "{}"}, reveal_secrets=True)
    assert caught.value.message == "TestState does not support RevealSecrets when a mock is specified."


@pytest.mark.parametrize(("state", "result"), [
    (LAMBDA_INVOKE, {"Payload": "function output", "SdkHttpMetadata": {"HttpStatusCode": 200}}),
    (DYNAMODB_PUT, {"SdkHttpMetadata": {"HttpStatusCode": 200}}),
    (PUT_EVENTS, {"Entries": [{"EventId": "e1"}]}),
    (START_EXECUTION, {"ExecutionArn": "arn:aws:states:us-east-1:1:execution:t:e", "StartDate": "start-date"}),
])
def test_mocks_aws_accepted_under_strict_pass(state, result):
    # the mocks of TestState responses recorded on AWS (LocalStack's mock scenarios)
    assert _output(state, result) == result
