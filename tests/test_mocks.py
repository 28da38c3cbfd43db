"""Mocked service integrations: AWS Step Functions Local's mock configuration file, unchanged.

A test case answers the Task states it names with mocked responses, per invocation (zero-based,
per state across the execution: retries, loops and Map iterations all count), from "N" or "N-M"
ranges; an invocation past the last range fails the execution, as AWS's guide says. Unmocked
states run their real integration. The history is the one the integration would write, with
the mocked output or error. The file's own example (AWS's LambdaSQSIntegration) runs as the
guide describes, from the Python API, `asl-runner run --mock-config --test-case` and
`StartExecution` of `stateMachineArn#TestCase` against a real `asl-runner serve`.
"""

from __future__ import annotations

import json
import re
import shlex
import time
import warnings
from pathlib import Path

import pytest

import asl_runner
from asl_runner.cli import main
from asl_runner.errors import StatesError
from asl_runner.mocks import MockConfigError, MockWarning, parse_mock_config, read_mock_config
from asl_runner.service import open_service

from cli_runner import CliRunner
from support import lambda_arn, machine

ROLE = "arn:aws:iam::123456789012:role/mocks"

# AWS's example, from "Using mocked service integrations for testing in Step Functions Local"
LAMBDA_SQS = machine({
    "LambdaState": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"Payload.$": "$", "FunctionName": "HelloWorldFunction"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3,
                   "BackoffRate": 2}],
        "Next": "SQSState"},
    "SQSState": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/myQueue",
                       "MessageBody.$": "$"},
        "End": True},
})
HELLO = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_SENT = {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
            "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}
MOCK_CONFIG = {
    "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
        "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
        "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
    }}},
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": HELLO}},
        "LambdaMockedResourceNotReady": {"0": {"Throw": {
            "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}}},
        "MockedSQSSuccess": {"0": {"Return": SQS_SENT}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException",
                            "Cause": "Lambda resource is not ready."}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": HELLO},
        },
    },
}


def run(definition: dict, mocks, test_case: str | None = None, input=None, **kw):
    return asl_runner.run(definition, {} if input is None else input, mocks=mocks,
                          test_case=test_case, clock=kw.pop("clock", "virtual"), **kw)


def events(execution) -> list[tuple[str, dict]]:
    """(type, details) of each event, as GetExecutionHistory shapes them."""
    out = []
    for event in execution.history:
        aws = event.to_aws()
        details = next((v for k, v in aws.items() if k.endswith("EventDetails")), {})
        out.append((aws["type"], details))
    return out


def of_type(execution, *types: str) -> list[dict]:
    return [d for t, d in events(execution) if t in types]


def config_with(responses: dict, states: dict | None = None, machine_name: str = "M") -> dict:
    """A mock configuration whose test case "T" maps each state to the response of its name."""
    states = states if states is not None else {name: name for name in responses}
    return {"StateMachines": {machine_name: {"TestCases": {"T": states}}},
            "MockedResponses": responses}


def returns(*values) -> dict:
    return {str(i): {"Return": v} for i, v in enumerate(values)}


def throw(error: str, cause: str = "mocked") -> dict:
    return {"Throw": {"Error": error, "Cause": cause}}


def task(resource: str, **extra) -> dict:
    return {"Type": "Task", "Resource": resource, **extra}


# ---------------------------------------------------------------------------------------------
# what a test case answers, invocation by invocation
# ---------------------------------------------------------------------------------------------


def test_happy_path_writes_the_events_of_the_real_integrations_with_the_mocked_outputs():
    ex = run(LAMBDA_SQS, MOCK_CONFIG, "HappyPath", input={"hello": "world"})
    assert ex.status == "SUCCEEDED"
    assert ex.output == SQS_SENT
    assert [t for t, _ in events(ex)] == [
        "ExecutionStarted",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "ExecutionSucceeded"]
    scheduled = of_type(ex, "TaskScheduled")
    assert scheduled[0]["resourceType"] == "lambda" and scheduled[0]["resource"] == "invoke"
    assert json.loads(scheduled[0]["parameters"]) == {"Payload": {"hello": "world"},
                                                      "FunctionName": "HelloWorldFunction"}
    succeeded = of_type(ex, "TaskSucceeded")
    # lambda:invoke's result is the whole Invoke response, as the guide's Return shows it
    assert {k: v for k, v in succeeded[0].items() if k != "outputDetails"} == {
        "resourceType": "lambda", "resource": "invoke", "output": json.dumps(HELLO, separators=(",", ":"))}
    assert succeeded[1]["resourceType"] == "sqs" and succeeded[1]["resource"] == "sendMessage"
    assert json.loads(succeeded[1]["output"]) == SQS_SENT
    # the SQS state received the Lambda state's output, as real data would flow
    assert json.loads(scheduled[1]["parameters"])["MessageBody"] == HELLO


def test_retry_attempts_are_invocations_answered_by_number_and_range():
    ex = run(LAMBDA_SQS, MOCK_CONFIG, "RetryPath")
    assert ex.status == "SUCCEEDED"
    failures = [(d["error"], d["cause"]) for d in of_type(ex, "TaskFailed")]
    assert failures == [("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
                        ("Lambda.TimeoutException", "Lambda timed out."),
                        ("Lambda.TimeoutException", "Lambda timed out.")]
    assert json.loads(of_type(ex, "TaskSucceeded")[0]["output"]) == HELLO
    assert len(of_type(ex, "TaskScheduled")) == 5  # four attempts of LambdaState, one of SQSState
    # Retry's back-off applied between the mocked failures: 2 s, 4 s, 8 s (modelled)
    started = [e.timestamp for e in ex.history if e.type == "TaskScheduled"]
    assert [round(b - a) for a, b in zip(started[:3], started[1:4], strict=True)] == [2, 4, 8]


def test_unmocked_states_fall_through_to_the_configured_integration():
    called = []
    definition = machine({
        "Greet": task(lambda_arn("greet"), Next="Send"),
        "Send": task("arn:aws:states:::sqs:sendMessage",
                     Parameters={"QueueUrl": "q", "MessageBody.$": "$"}, End=True)})
    config = config_with({"Sent": returns(SQS_SENT)}, {"Send": "Sent"})
    ex = asl_runner.run(definition, {"who": "you"}, mocks=config, test_case="T", clock="virtual",
                        handlers={"greet": lambda event, context: called.append(event) or {"hi": event["who"]}})
    assert ex.status == "SUCCEEDED", ex.cause
    assert called == [{"who": "you"}]  # the local handler ran for the unmocked state
    assert json.loads(of_type(ex, "TaskScheduled")[0]["parameters"])["MessageBody"] == {"hi": "you"}
    assert ex.output == SQS_SENT


def test_hybrid_path_runs_the_real_sqs_integration_which_fails_here():
    ex = run(LAMBDA_SQS, MOCK_CONFIG, "HybridPath")
    assert [t for t, _ in events(ex)][-3:] == ["TaskStarted", "TaskFailed", "ExecutionFailed"]
    assert json.loads(of_type(ex, "TaskSucceeded")[0]["output"]) == HELLO  # LambdaState: mocked


def test_an_invocation_past_the_last_range_fails_the_execution():
    """AWS's guide: "If you do not specify a mocked response for a specific retry attempt ...
    the state machine execution will fail" - Retry and Catch on States.ALL do not act on it."""
    definition = machine({
        "Flaky": task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f"},
                      Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}],
                      Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], End=True),
        "Caught": {"Type": "Succeed"}})
    ex = run(definition, config_with({"Flaky": {"0-1": throw("Boom")}}), "T")
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert "answers invocations 0-1 of the state 'Flaky'; this is invocation 2" in ex.cause
    assert [d["error"] for d in of_type(ex, "TaskFailed")] == ["Boom", "Boom", "States.Runtime"]
    assert "Caught" not in [d.get("name") for d in of_type(ex, "SucceedStateEntered")]


def test_invocations_count_per_state_across_the_execution_not_per_entry():
    """A loop enters the state again: its invocations go on counting (0, 1, 2), and another
    state counts its own."""
    definition = machine({
        "Next": task("arn:aws:states:::aws-sdk:dynamodb:getItem", ResultPath="$.page",
                     Next="More?"),
        "More?": {"Type": "Choice", "Choices": [
            {"Variable": "$.page.Item.more", "BooleanEquals": True, "Next": "Next"}],
            "Default": "Done"},
        "Done": task("arn:aws:states:::aws-sdk:dynamodb:putItem", End=True)})
    page = lambda n, more: {"Item": {"n": n, "more": more}}  # noqa: E731
    config = config_with({"Next": returns(page(0, True), page(1, True), page(2, False)),
                          "Done": returns({"done": True})})
    ex = run(definition, config, "T")
    assert ex.status == "SUCCEEDED", ex.cause
    assert [json.loads(d["output"])["Item"]["n"] for d in of_type(ex, "TaskSucceeded")[:3]] == [0, 1, 2]
    assert ex.output == {"done": True}


@pytest.mark.parametrize("max_concurrency", [1, 0])
def test_map_iterations_share_their_state_s_count_in_iteration_order(max_concurrency):
    """The state inside the iterator is mocked by its own name; its invocations count across
    iterations. asl-runner numbers them in the order it schedules them (iteration order), so
    the answer does not depend on MaxConcurrency, which Step Functions Local asks to set to 1."""
    definition = machine({"Each": {
        "Type": "Map", "MaxConcurrency": max_concurrency, "End": True,
        "ItemProcessor": {"StartAt": "Price", "States": {
            "Price": task("arn:aws:states:::aws-sdk:pricing:getProducts", End=True)}}}})
    config = config_with({"Price": {"0": {"Return": "a"}, "1-2": {"Return": "b"}, "3": throw("Gone")}},
                         {"Price": "Price"})
    for _ in range(3):
        ex = run(definition, config, "T", input=[1, 2, 3])
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output == ["a", "b", "b"]
    ex = run(definition, config, "T", input=[1, 2, 3, 4])
    assert (ex.status, ex.error) == ("FAILED", "Gone")


def test_parallel_branches_are_mocked_by_the_names_of_their_states():
    definition = machine({"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Left", "States": {"Left": task("arn:aws:states:::sns:publish", End=True)}},
        {"StartAt": "Right", "States": {"Right": task("arn:aws:states:::events:putEvents", End=True)}}]}})
    ex = run(definition, config_with({"Left": returns("L"), "Right": returns("R")}), "T")
    assert ex.output == ["L", "R"]


def test_a_lambda_function_arn_state_gets_the_mocked_invoke_response_s_payload():
    """A function ARN's result is the function's own (LambdaFunction* events): the Payload of
    the mocked Invoke response; a Return without a Payload is the result itself."""
    definition = machine({
        "Check": task(lambda_arn("check-identity"), Next="Plain"),
        "Plain": task(lambda_arn("plain"), Next="Fails"),
        "Fails": task(lambda_arn("fails"), End=True)})
    config = config_with({"Check": returns({"StatusCode": 200, "Payload": {"approved": True}}),
                          "Plain": returns({"approved": "yes"}),
                          "Fails": {"0": throw("CustomValidationError", "Check Identity Validation Failed")}})
    ex = run(definition, config, "T")
    assert [t for t, _ in events(ex)] == [
        "ExecutionStarted",
        "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited",
        "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited",
        "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionFailed", "ExecutionFailed"]
    assert [json.loads(d["output"]) for d in of_type(ex, "LambdaFunctionSucceeded")] == [
        {"approved": True}, {"approved": "yes"}]
    assert of_type(ex, "LambdaFunctionFailed") == [
        {"error": "CustomValidationError", "cause": "Check Identity Validation Failed"}]
    assert (ex.error, ex.cause) == ("CustomValidationError", "Check Identity Validation Failed")


@pytest.mark.parametrize("resource", [
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:::batch:submitJob.sync",
    "arn:aws:states:::ecs:runTask.sync",
])
def test_callback_and_sync_tasks_complete_with_the_mocked_result_without_waiting(resource):
    """No token or job to wait for: TaskSubmitted (the call went through), then TaskSucceeded,
    on the real clock and with no TimeoutSeconds: nothing would ever answer otherwise."""
    definition = machine({"Work": task(resource, Parameters={"token.$": "$$.Task.Token"}
                                       if "waitForTaskToken" in resource else {"Job": "j"},
                                       End=True)})
    began = time.monotonic()
    ex = run(definition, config_with({"Work": returns({"approved": True})}), "T", clock="real")
    assert time.monotonic() - began < 5
    assert ex.status == "SUCCEEDED", ex.cause
    assert [t for t, _ in events(ex)][2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted",
                                               "TaskSucceeded"]
    service, _, action = resource.removeprefix("arn:aws:states:::").partition(":")
    for details in of_type(ex, "TaskSubmitted", "TaskSucceeded"):
        assert (details["resourceType"], details["resource"]) == (service, action)
        assert json.loads(details["output"]) == {"approved": True}
    assert ex.output == {"approved": True}


def test_a_thrown_callback_fails_the_task_without_a_submission():
    definition = machine({"Ask": task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                      Parameters={"t.$": "$$.Task.Token"}, End=True)})
    ex = run(definition, config_with({"Ask": {"0": throw("Declined", "no")}}), "T")
    assert [t for t, _ in events(ex)][2:] == ["TaskScheduled", "TaskStarted", "TaskFailed",
                                              "ExecutionFailed"]
    assert (ex.error, ex.cause) == ("Declined", "no")


def test_a_mocked_result_over_the_payload_quota_fails_as_a_real_one_would():
    definition = machine({"Big": task("arn:aws:states:::aws-sdk:s3:getObject", End=True)})
    ex = run(definition, config_with({"Big": returns("x" * 300_000)}), "T")
    assert ex.error == "States.DataLimitExceeded"
    assert "'aws-sdk:s3'" in ex.cause


# ---------------------------------------------------------------------------------------------
# the durable host: mocked outcomes are recorded like real ones, and replay alike
# ---------------------------------------------------------------------------------------------


def _wait_for(service, arn: str, predicate, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while True:
        history = service.get_execution_history({"executionArn": arn})["events"]
        described = service.describe_execution({"executionArn": arn})
        if predicate(described, history):
            return described, history
        assert time.monotonic() < deadline, (described, [e["type"] for e in history])
        time.sleep(0.02)


def test_a_restarted_server_replays_mocked_outcomes_and_keeps_counting(tmp_path):
    """The test case is stored with the execution and invocation numbers come from the engine:
    after a restart, a mocked callback's TaskSubmitted/TaskSucceeded replay as recorded, and
    the retry that was waiting gets invocation 1's answer, not invocation 0's again."""
    definition = machine({
        "Ask": task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    Parameters={"t.$": "$$.Task.Token"}, Next="Flaky"),
        "Flaky": task("arn:aws:states:::aws-sdk:s3:getObject", End=True,
                      Retry=[{"ErrorEquals": ["S3.Busy"], "IntervalSeconds": 1, "MaxAttempts": 1}])})
    config = parse_mock_config(config_with({
        "Ask": returns({"approved": True}),
        "Flaky": {"0": throw("S3.Busy"), "1": {"Return": {"Body": "ok"}}}}), "mocks.json")
    db = str(tmp_path / "store.db")
    service = open_service(db, clock="real", mocks=config)
    try:
        service.create_state_machine({"name": "M", "definition": json.dumps(definition), "roleArn": ROLE})
        arn = service.start_execution({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:"
                                                          "stateMachine:M#T"})["executionArn"]
        _, before = _wait_for(service, arn, lambda d, h: h[-1]["type"] == "TaskFailed")
    finally:
        service.close()  # the retry is a second away: it is due after the restart
    service = open_service(db, clock="real", mocks=config)
    try:
        described, after = _wait_for(service, arn, lambda d, h: d["status"] != "RUNNING")
    finally:
        service.close()
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"Body": "ok"}
    assert [e["type"] for e in after[:len(before)]] == [e["type"] for e in before]
    assert [e["type"] for e in after].count("TaskSubmitted") == 1


# ---------------------------------------------------------------------------------------------
# the Python API: the file's structure as a dict, and plain callables
# ---------------------------------------------------------------------------------------------


def test_callables_per_state_name_and_per_resource_arn():
    calls = []

    def by_state(payload, call):
        calls.append((call.state_name, call.number, payload, call.context["State"]["Name"]))
        if call.number == 0:
            raise StatesError("Throttled", "slow down")
        return {"sent": payload["n"]}

    definition = machine({
        "Send": task("arn:aws:states:::sqs:sendMessage", Parameters={"n.$": "$.n"},
                     Retry=[{"ErrorEquals": ["Throttled"], "IntervalSeconds": 1}], Next="Notify"),
        "Notify": task("arn:aws:states:::sns:publish", Parameters={"m": "hi"}, End=True)})
    ex = run(definition, {"Send": by_state,
                          "arn:aws:states:::sqs:sendMessage": lambda p, c: pytest.fail("the state's own mock wins"),
                          "arn:aws:states:::sns:publish": lambda payload, call: {"MessageId": call.resource}},
             input={"n": 7})
    assert ex.status == "SUCCEEDED", ex.cause
    assert calls == [("Send", 0, {"n": 7}, "Send"), ("Send", 1, {"n": 7}, "Send")]
    assert of_type(ex, "TaskFailed")[0]["error"] == "Throttled"
    assert ex.output == {"MessageId": "arn:aws:states:::sns:publish"}


def test_a_callable_s_exceptions_and_non_json_results_fail_the_task():
    definition = machine({"S": task("arn:aws:states:::sqs:sendMessage", End=True)})

    def broken(payload, call):
        raise ValueError("bad queue")

    ex = run(definition, {"S": broken})
    assert (ex.error, ex.cause) == ("ValueError", "bad queue")
    ex = run(definition, {"S": lambda payload, call: {1, 2}})
    assert ex.error == "States.Runtime" and "not JSON" in ex.cause


def test_a_mapping_may_hold_mocked_responses_in_the_file_s_format():
    definition = machine({"S": task("arn:aws:states:::sqs:sendMessage", End=True,
                                    Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}])})
    ex = run(definition, {"S": {"0": throw("E"), "1": {"Return": "second"}}})
    assert ex.output == "second"


def test_the_file_s_structure_as_a_dict_or_a_path(tmp_path):
    ex = run(LAMBDA_SQS, MOCK_CONFIG, "LambdaSQSIntegration#RetryPath")
    assert ex.status == "SUCCEEDED"
    assert ex.state_machine_arn.endswith(":stateMachine:LambdaSQSIntegration")
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(MOCK_CONFIG))
    assert run(LAMBDA_SQS, str(path), "HappyPath").output == SQS_SENT


def test_python_api_misuse_is_a_clear_error():
    with pytest.raises(MockConfigError, match="needs the name of one of its test cases"):
        run(LAMBDA_SQS, MOCK_CONFIG)
    with pytest.raises(MockConfigError, match=r"mocks: /S: a mock is a callable"):
        run(LAMBDA_SQS, {"S": 42})
    with pytest.raises(MockConfigError, match=r'mocks: /S/x: the invocation range must be N or N-M'):
        run(LAMBDA_SQS, {"S": {"x": {"Return": 1}}})
    with pytest.raises(TypeError, match="mocks="):
        asl_runner.run(LAMBDA_SQS, {}, test_case="HappyPath")
    with pytest.raises(MockConfigError, match="no state machine named 'Other'"):
        run(LAMBDA_SQS, MOCK_CONFIG, "Other#HappyPath")


def test_a_mock_of_a_state_the_definition_lacks_is_a_warning():
    config = config_with({"R": returns(1)}, {"LamdaState": "R", "Wait": "R"}, "LambdaSQSIntegration")
    definition = machine({"Wait": {"Type": "Wait", "Seconds": 1, "Next": "LambdaState"},
                          **LAMBDA_SQS["States"]}, start="Wait")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(definition, config, "T")
    messages = sorted(str(w.message) for w in caught if w.category is MockWarning)
    assert messages == [
        "mocks: /StateMachines/LambdaSQSIntegration/TestCases/T/LamdaState: the definition has no "
        "state 'LamdaState' (did you mean 'LambdaState'?): this mock is never used",
        "mocks: /StateMachines/LambdaSQSIntegration/TestCases/T/Wait: 'Wait' is a Wait state, "
        "which calls no resource: this mock is never used"]


# ---------------------------------------------------------------------------------------------
# malformed files: every problem, at its JSON pointer
# ---------------------------------------------------------------------------------------------

GOOD_RESPONSE = {"0": {"Return": 1}}


@pytest.mark.parametrize("document, expected", [
    ([], "mocks.json: a mock configuration is a JSON object with 'StateMachines' and "
         "'MockedResponses', not an array"),
    ({"StateMachines": {}}, "mocks.json: 'MockedResponses' is missing: a mock configuration has "
                            "'StateMachines' and 'MockedResponses'"),
    ({"StateMachines": {}, "MockedResponses": {}, "MockedResponse": {}},
     "mocks.json: /MockedResponse: unknown key 'MockedResponse' (did you mean 'MockedResponses'?): "
     "a mock configuration has 'StateMachines' and 'MockedResponses'"),
    ({"StateMachines": {"M": {"TestCase": {}}}, "MockedResponses": {}},
     "mocks.json: /StateMachines/M/TestCase: unknown key 'TestCase' (did you mean 'TestCases'?): "
     "a state machine has 'TestCases'"),
    ({"StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}},
      "MockedResponses": {"Mising": GOOD_RESPONSE}},
     "mocks.json: /StateMachines/M/TestCases/T/S: no mocked response named 'Missing' in "
     "/MockedResponses (did you mean 'Mising'?)"),
    ({"StateMachines": {"M": {"TestCases": {"T": {"S": ["R"]}}}}, "MockedResponses": {}},
     "mocks.json: /StateMachines/M/TestCases/T/S: names a mocked response, so it is a string, not "
     "an array"),
    ({"StateMachines": {}, "MockedResponses": {"R1": {"0-x": {"Return": 1}}}},
     'mocks.json: /MockedResponses/R1/0-x: the invocation range must be N or N-M (zero-based '
     'invocation numbers, such as "0" or "1-2")'),
    ({"StateMachines": {}, "MockedResponses": {"R": {"3-1": {"Return": 1}}}},
     "mocks.json: /MockedResponses/R/3-1: the invocation range ends before it starts (1 < 3)"),
    ({"StateMachines": {}, "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}},
     "mocks.json: /MockedResponses/R/2: overlaps '0-2': invocation 2 would have two responses"),
    ({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1}, "3-4": {"Return": 2}}}},
     "mocks.json: /MockedResponses/R/3-4: nothing answers invocations 1-2: invocations are numbered "
     "from 0, and every one needs a response"),
    ({"StateMachines": {}, "MockedResponses": {"R": {"1": {"Return": 1}}}},
     "mocks.json: /MockedResponses/R/1: nothing answers invocation 0: invocations are numbered "
     "from 0, and every one needs a response"),
    ({"StateMachines": {}, "MockedResponses": {"R": {}}},
     'mocks.json: /MockedResponses/R: answers no invocation: give at least "0"'),
    ({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "C"}}}}},
     "mocks.json: /MockedResponses/R/0: has both 'Return' and 'Throw': a response either returns a "
     "result or throws an error"),
    ({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Retrun": 1}}}},
     "mocks.json: /MockedResponses/R/0/Retrun: unknown key 'Retrun' (did you mean 'Return'?): a "
     "response has 'Return' and 'Throw'"),
    ({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": "E"}}}}},
     "mocks.json: /MockedResponses/R/0/Throw: 'Cause' is missing: 'Throw' has an 'Error' and a "
     "'Cause', both strings"),
    ({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": 5, "Cause": "C"}}}}},
     "mocks.json: /MockedResponses/R/0/Throw/Error: must be a string, not a number"),
    ({"StateMachines": {"a/b~c": {"TestCases": {"T": {"S": 1}}}}, "MockedResponses": {}},
     "mocks.json: /StateMachines/a~1b~0c/TestCases/T/S: names a mocked response, so it is a "
     "string, not a number"),
])
def test_each_structure_problem_is_reported_at_its_pointer(tmp_path, document, expected):
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(document))
    with pytest.raises(MockConfigError) as excinfo:
        read_mock_config(path)
    assert [line.replace(str(tmp_path) + "/", "") for line in excinfo.value.lines()] == [expected]


def test_every_problem_of_a_file_is_reported_at_once_in_document_order():
    with pytest.raises(MockConfigError) as excinfo:
        parse_mock_config({"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}},
                           "MockedResponses": {"R": {"0": {}, "x": {"Return": 1}}}}, "mocks.json")
    assert excinfo.value.lines() == [
        "mocks.json: /StateMachines/M/TestCases/T/S: no mocked response named 'Nope' in /MockedResponses",
        "mocks.json: /MockedResponses/R/0: needs 'Return' (the task's result) or 'Throw' (its error)",
        'mocks.json: /MockedResponses/R/x: the invocation range must be N or N-M (zero-based '
        'invocation numbers, such as "0" or "1-2")']


def test_json_that_does_not_parse_is_reported_with_its_line_and_column(tmp_path):
    path = tmp_path / "mocks.json"
    path.write_text('{"StateMachines": {},\n "MockedResponses": {"R": {"0": {"Return": NaN}}}}')
    with pytest.raises(MockConfigError) as excinfo:
        read_mock_config(path)
    assert excinfo.value.lines() == [f"{path}: not valid JSON: 'NaN' is not a JSON number (NaN and "
                                     "Infinity are not JSON)"]
    path.write_text('{"StateMachines": {}\n "MockedResponses": {}}')
    with pytest.raises(MockConfigError, match=r"mocks.json: not valid JSON: Expecting ',' delimiter "
                                              r"\(line 2, column 2\)"):
        read_mock_config(path)
    with pytest.raises(MockConfigError, match="cannot read the mock configuration file: No such file"):
        read_mock_config(tmp_path / "absent.json")


# ---------------------------------------------------------------------------------------------
# asl-runner run --mock-config FILE --test-case NAME
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.delenv("ASL_RUNNER_CLOCK", raising=False)
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lambda_sqs.asl.json").write_text(json.dumps(LAMBDA_SQS))
    (tmp_path / "mocks.json").write_text(json.dumps(MOCK_CONFIG))

    def invoke(*args: str, env: dict | None = None):
        return CliRunner().invoke(main, ["run", "lambda_sqs.asl.json", "--clock", "virtual", *args],
                                  env=env, catch_exceptions=False)

    return invoke


def test_run_with_a_test_case(cli):
    result = cli("--mock-config", "mocks.json", "--test-case", "RetryPath", "--json", "--history")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == SQS_SENT
    # the execution runs as the state machine the file mocks (the file names a single one)
    assert out["executionArn"].split(":")[6] == "LambdaSQSIntegration"
    assert [e["type"] for e in out["events"]].count("TaskFailed") == 3


def test_run_takes_the_file_from_sfn_mock_config_then_the_working_directory(cli, tmp_path):
    result = cli("--test-case", "HappyPath", "--json", env={"SFN_MOCK_CONFIG": "mocks.json"})
    assert result.exit_code == 0, result.stderr
    result = cli("--test-case", "HappyPath", "--json")
    assert result.exit_code == 2
    assert "--test-case needs a mock configuration file" in result.stderr
    (tmp_path / "MockConfigFile.json").write_text(json.dumps(MOCK_CONFIG))
    assert cli("--test-case", "HappyPath", "--json").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["--mock-config", "mocks.json", "--test-case", "Nope"],
     "asl-runner: mocks.json: /StateMachines/LambdaSQSIntegration/TestCases: no test case named "
     "'Nope' for the state machine 'LambdaSQSIntegration' (it has 'HappyPath', 'HybridPath' and "
     "'RetryPath')\n"),
    (["--mock-config", "mocks.json"],
     "asl-runner: --mock-config needs --test-case NAME: the test case whose mocked responses the "
     "execution uses\n"),
    (["--mock-config", "bad.json", "--test-case", "T"],
     "asl-runner: bad.json: /MockedResponses/R1/0-x: the invocation range must be N or N-M "
     "(zero-based invocation numbers, such as \"0\" or \"1-2\")\n"),
    (["--mock-config", "absent.json", "--test-case", "T"],
     "asl-runner: absent.json: cannot read the mock configuration file: No such file or directory\n"),
])
def test_run_exits_2_for_mocks_it_cannot_use(cli, tmp_path, args, message):
    (tmp_path / "bad.json").write_text(json.dumps(
        {"StateMachines": {}, "MockedResponses": {"R1": {"0-x": {"Return": 1}}}}))
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert "Traceback" not in result.output


def test_run_warns_of_a_mock_the_definition_cannot_use(cli, tmp_path):
    config = json.loads(json.dumps(MOCK_CONFIG))
    config["StateMachines"]["LambdaSQSIntegration"]["TestCases"]["HappyPath"]["SQSStat"] = "MockedSQSSuccess"
    (tmp_path / "mocks.json").write_text(json.dumps(config))
    result = cli("--mock-config", "mocks.json", "--test-case", "HappyPath", "--json")
    assert result.exit_code == 0
    assert result.stderr == (
        "asl-runner: warning: mocks.json: /StateMachines/LambdaSQSIntegration/TestCases/HappyPath/"
        "SQSStat: the definition has no state 'SQSStat' (did you mean 'SQSState'?): this mock is "
        "never used\n")


# ---------------------------------------------------------------------------------------------
# StartExecution of stateMachineArn#TestCase, through boto3, against a real `asl-runner serve`
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mocked_server(tmp_path_factory):
    pytest.importorskip("boto3")
    from test_server import Server

    root = tmp_path_factory.mktemp("mocked-serve")
    (root / "MockConfigFile.json").write_text(json.dumps(MOCK_CONFIG))
    (root / "lambdas").mkdir()
    (root / "lambdas" / "HelloWorldFunction.py").write_text(
        "def handler(event, context):\n    return {'real': True}\n")
    server = Server(root, "--clock", "virtual", "--mock-config", str(root / "MockConfigFile.json"))
    yield server
    assert server.stop() == 0
    assert "Traceback" not in server.log.read_text()


@pytest.fixture(scope="module")
def mocked_sfn(mocked_server, aws_env):
    from test_server import client

    return client(mocked_server.url)


@pytest.fixture(scope="module")
def aws_env():
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_DEFAULT_REGION": "us-east-1"}.items():
            mp.setenv(key, value)
        mp.delenv("AWS_PROFILE", raising=False)
        yield


def _finished(sfn, arn: str) -> dict:
    deadline = time.monotonic() + 10
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return described


def test_start_execution_of_arn_hash_test_case_uses_its_mocks(mocked_sfn):
    arn = mocked_sfn.create_state_machine(name="LambdaSQSIntegration", definition=json.dumps(LAMBDA_SQS),
                                          roleArn=ROLE)["stateMachineArn"]
    started = mocked_sfn.start_execution(stateMachineArn=arn + "#RetryPath",
                                         name="executionWithRetryPathMockedServices", input="{}")
    assert started["executionArn"] == ("arn:aws:states:us-east-1:123456789012:execution:"
                                       "LambdaSQSIntegration:executionWithRetryPathMockedServices")
    described = _finished(mocked_sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == arn
    assert json.loads(described["output"]) == SQS_SENT
    history = mocked_sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    assert [e["taskFailedEventDetails"]["error"] for e in history if e["type"] == "TaskFailed"] == [
        "Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]
    sqs = [e["taskSucceededEventDetails"] for e in history if e["type"] == "TaskSucceeded"][-1]
    assert (sqs["resourceType"], sqs["resource"], json.loads(sqs["output"])) == ("sqs", "sendMessage", SQS_SENT)

    # the same machine without a test case runs its real integrations: the local handler
    plain = mocked_sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    _finished(mocked_sfn, plain)
    history = mocked_sfn.get_execution_history(executionArn=plain)["events"]
    lambda_output = next(e for e in history if e["type"] == "TaskSucceeded")["taskSucceededEventDetails"]["output"]
    assert json.loads(lambda_output)["Payload"] == {"real": True}


def test_an_unknown_test_case_is_state_machine_does_not_exist(mocked_sfn, mocked_server):
    from botocore.exceptions import ClientError

    arn = mocked_sfn.create_state_machine(name="Unknown", definition=json.dumps(LAMBDA_SQS),
                                          roleArn=ROLE)["stateMachineArn"]
    with pytest.raises(ClientError) as excinfo:
        mocked_sfn.start_execution(stateMachineArn=arn + "#HappyPath")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "StateMachineDoesNotExist"
    assert error["Message"] == (
        f"State Machine Does Not Exist: '{arn}#HappyPath': {mocked_server.root / 'MockConfigFile.json'}"
        ": /StateMachines: no state machine named 'Unknown' (the file mocks 'LambdaSQSIntegration')")
    assert mocked_sfn.list_executions(stateMachineArn=arn)["executions"] == []


def test_a_server_without_a_mock_configuration_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    service = open_service(None, clock="virtual")
    try:
        arn = service.create_state_machine({"name": "M", "definition": json.dumps(LAMBDA_SQS),
                                            "roleArn": ROLE})["stateMachineArn"]
        from asl_runner.service import ApiError

        with pytest.raises(ApiError) as excinfo:
            service.start_execution({"stateMachineArn": arn + "#HappyPath"})
        assert excinfo.value.code == "StateMachineDoesNotExist"
        assert "this server has none (start it with --mock-config FILE, or set SFN_MOCK_CONFIG)" in str(
            excinfo.value.message)
    finally:
        service.close()


def test_serve_exits_2_for_a_malformed_mock_file(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "mocks.json"
    path.write_text('{"StateMachines": {}, "MockedResponses": {"R": {"0-": {"Return": 1}}}}')
    result = subprocess.run([sys.executable, "-m", "asl_runner.cli", "serve", "--port", "0", "--db",
                             ":memory:", "--mock-config", str(path)],
                            capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"asl-runner: {path}: /MockedResponses/R/0-: the invocation range must "
                             'be N or N-M (zero-based invocation numbers, such as "0" or "1-2")\n')


def test_start_sync_execution_of_arn_hash_test_case():
    definition = machine({"Send": task("arn:aws:states:::sqs:sendMessage", End=True)})
    config = parse_mock_config(config_with({"Send": returns(SQS_SENT)}, machine_name="Quick"))
    service = open_service(None, clock="virtual", mocks=config)
    try:
        arn = service.create_state_machine({"name": "Quick", "definition": json.dumps(definition),
                                            "roleArn": ROLE, "type": "EXPRESS"})["stateMachineArn"]
        result = service.start_sync_execution({"stateMachineArn": arn + "#T"})
        assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", SQS_SENT)
        assert result["stateMachineArn"] == arn
    finally:
        service.close()


def test_a_store_made_before_test_cases_were_kept_gains_the_column(tmp_path):
    import sqlite3

    from asl_runner.store import Store

    db = tmp_path / "old.db"
    schema = (Path(asl_runner.__file__).parent / "store" / "schema.sql").read_text()
    with sqlite3.connect(db) as conn:  # the executions table as it was, without test_case
        old_schema = re.sub(r"trace_header TEXT,\n\s*test_case .*\n", "trace_header TEXT\n", schema)
        conn.executescript(old_schema)
        assert "test_case" not in {r[1] for r in conn.execute("PRAGMA table_info(executions)")}
    store = Store(db)
    try:
        with store.transaction() as c:
            store.insert_execution(c, {
                "arn": "arn:x", "machine_arn": "arn:m", "name": "n", "status": "RUNNING",
                "input": "{}", "start_date": 0.0, "definition": "{}", "role_arn": ROLE, "seed": 1,
                "type": "STANDARD", "machine_name": "M", "test_case": "T"})
        assert store.test_case_of("arn:x") == ("M", "T")
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------
# the README's section does what it says
# ---------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def _readme_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n### Mocked service integrations")
    ends = [i for i in (readme.find("\n## ", start + 1), readme.find("\n### ", start + 1)) if i > 0]
    return readme[start:min(ends)]


def test_the_readme_s_mock_file_is_the_shipped_one_and_its_commands_work(monkeypatch):
    section = _readme_section()
    [shown] = re.findall(r"```json\n(.*?)```", section, re.S)
    shipped = REPO / "definitions" / "charge_and_notify" / "MockConfigFile.json"
    assert json.loads(shown) == json.loads(shipped.read_text())
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    [command] = re.findall(r"asl-runner (run .*?--test-case RetryPath)", section.replace("\\\n", " "))
    result = CliRunner().invoke(main, [*shlex.split(command), "--clock", "virtual", "--json", "--history"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert [e["type"] for e in out["events"]].count("TaskFailed") == 2
    assert json.loads(out["output"])["charge"] == {"chargeId": "ch_2"}

    [code] = re.findall(r"```python\n(.*?)```", section, re.S)
    namespace: dict = {"asl_runner": asl_runner}
    first, second = code.split("execution.error  # PaymentDeclined\n")
    exec(compile(first, "README.md", "exec"), namespace)
    assert namespace["execution"].error == "PaymentDeclined"
    exec(compile(second, "README.md", "exec"), namespace)
    expected = json.loads(second.rsplit("# ", 1)[1])
    assert namespace["execution"].output == expected


def test_mocks_from_python_must_be_json_and_are_copied():
    definition = machine({"S": task("arn:aws:states:::sqs:sendMessage", End=True)})
    with pytest.raises(MockConfigError, match=r"mocks: /S: is not JSON: .*set"):
        run(definition, {"S": {"0": {"Return": {1, 2}}}})
    config = config_with({"S": returns({"n": 1})})
    with pytest.raises(MockConfigError, match="mocks: is not JSON: Out of range float values"):
        run(definition, {**config, "MockedResponses": {"S": {"0": {"Return": float("nan")}}}}, "T")
    ex = run(definition, config, "T")
    config["MockedResponses"]["S"]["0"]["Return"]["n"] = 2
    assert ex.output == {"n": 1} and run(definition, config, "T").output == {"n": 2}


def test_a_mocks_dict_answers_an_activity_task_for_its_worker():
    definition = {"StartAt": "Sign", "States": {"Sign": {
        "Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:Sign",
        "TimeoutSeconds": 60, "End": True}}}
    execution = asl_runner.run(definition, {"doc": 1}, clock="virtual",
                               mocks={"Sign": lambda payload, call: {"signed": payload["doc"]}})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"signed": 1}
    assert [e.type for e in execution.history][2:5] == ["ActivityScheduled", "ActivityStarted",
                                                          "ActivitySucceeded"]
