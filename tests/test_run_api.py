"""The Step Functions API of a `run` (integrations.run_api, server.token_endpoint): task-token
answers from outside the process over HTTP, aws-sdk:sfn tasks inside a run, and child machines
read from where the run's AWS calls go."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading

import boto3
import pytest
from botocore.config import Config

import asl_runner
from asl_runner.clock import RealClock
from asl_runner.engine import Execution, Runner
from asl_runner.integrations import Integrations
from asl_runner.integrations.run_api import TOKEN_OPERATIONS, RunApi
from asl_runner.server.token_endpoint import TokenEndpoint, address_of


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ASK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}},
    "TimeoutSeconds": 60, "End": True}}}


def sfn(url: str):
    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 1}))


def run_answered_from_outside(answer) -> Execution:
    """Run ASK with a token endpoint; ``answer(client, token)`` is called from another thread."""
    tokens: queue.Queue = queue.Queue()
    integrations = Integrations(handlers={"Ask": lambda event, context: tokens.put(event["token"])})
    integrations.runs = RunApi(integrations)
    url = f"http://127.0.0.1:{free_port()}"
    ex = Execution(asl_runner.load(ASK), {}, clock=RealClock())
    errors: list = []

    def outside() -> None:
        try:
            answer(sfn(url), tokens.get(timeout=10))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    with TokenEndpoint(url, integrations.runs, TOKEN_OPERATIONS), Runner(integrations) as runner:
        integrations.runs.register(ex, runner)
        threading.Thread(target=outside, daemon=True).start()
        runner.run(ex)
    assert not errors, errors
    return ex


def test_send_task_success_from_outside_completes_the_task():
    ex = run_answered_from_outside(
        lambda client, token: client.send_task_success(taskToken=token, output='{"approved": true}'))
    assert ex.status == "SUCCEEDED" and ex.output == {"approved": True}


def test_send_task_failure_and_the_errors_aws_gives():
    def answer(client, token):
        errors = client.exceptions
        with pytest.raises(errors.InvalidToken):
            client.send_task_success(taskToken="not-a-token", output="{}")
        with pytest.raises(errors.InvalidOutput):
            client.send_task_success(taskToken=token, output="{nope")
        client.send_task_heartbeat(taskToken=token)
        client.send_task_failure(taskToken=token, error="Rejected", cause="no")

    ex = run_answered_from_outside(answer)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Rejected", "no")


def test_an_answer_after_the_task_ended_is_task_timed_out():
    seen = {}

    def answer(client, token):
        client.send_task_success(taskToken=token, output="1")
        seen["token"] = token

    ex = run_answered_from_outside(answer)
    assert ex.status == "SUCCEEDED"
    api = RunApi(None)
    api.register(ex, None)
    from asl_runner.service.errors import ApiError

    with pytest.raises(ApiError) as raised:
        api("SendTaskSuccess", {"taskToken": seen["token"], "output": "2"})
    assert raised.value.code == "TaskTimedOut"
    with pytest.raises(ApiError) as raised:  # a well-formed token of an execution not here
        RunApi(None)("SendTaskSuccess", {"taskToken": seen["token"], "output": "2"})
    assert raised.value.code == "TaskDoesNotExist"
    with pytest.raises(ApiError) as raised:  # the service's request checks
        api("SendTaskFailure", {"taskToken": seen["token"], "error": "E" * 257})
    assert raised.value.code == "ValidationException"


def test_the_endpoint_answers_only_the_token_operations():
    url = f"http://127.0.0.1:{free_port()}"
    with TokenEndpoint(url, RunApi(None), TOKEN_OPERATIONS), pytest.raises(Exception) as raised:
        sfn(url).list_state_machines()
    assert "UnknownOperationException" in str(raised.value)


@pytest.mark.parametrize("url", ["https://127.0.0.1:9", "http://127.0.0.1", "127.0.0.1:80",
                                 "http://127.0.0.1:9/path"])
def test_an_endpoint_url_that_is_not_http_host_port_is_refused(url):
    with pytest.raises(ValueError):
        address_of(url)


def task(resource: str, parameters: dict) -> dict:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource,
                                             "Parameters": parameters, "End": True}}}


def test_aws_sdk_sfn_in_a_run_answers_tokens_and_starts_children():
    ex = asl_runner.run(task("arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                             {"TaskToken": "bogus", "Output": "{}"}), {}, clock="virtual")
    assert ex.error == "Sfn.InvalidTokenException"
    assert ex.cause.startswith("Invalid Token: 'Invalid token' (Service: Sfn, Status Code: 400")
    kid = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:kid"
    ex = asl_runner.run(task("arn:aws:states:::aws-sdk:sfn:startExecution",
                             {"StateMachineArn": arn, "Name": "first"}), {}, clock="virtual",
                        machines={"kid": kid})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:kid:first"
    assert [(c.status, c.output) for c in ex.children] == [("SUCCEEDED", {"ok": 1})]
    ex = asl_runner.run(task("arn:aws:states:::aws-sdk:sfn:listStateMachines", {}), {},
                        clock="virtual")
    assert ex.error == "States.Runtime" and "serve" in " ".join(ex.hints)


def test_a_child_machine_created_on_the_mocked_account_runs_here():
    kid = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$.n"},
                                            "End": True}}}
    setup = [{"service": "stepfunctions", "op": "create_state_machine", "params": {
        "name": "made-in-moto", "definition": json.dumps(kid),
        "roleArn": "arn:aws:iam::123456789012:role/r"}}]
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:made-in-moto"
    ex = asl_runner.run(task("arn:aws:states:::states:startExecution.sync:2",
                             {"StateMachineArn": arn, "Input": {"n.$": "$.n"}}), {"n": 7},
                        clock="virtual", aws_setup=setup)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["Output"] == {"got": 7}
    assert [c.status for c in ex.children] == ["SUCCEEDED"]  # it ran in asl-runner


ANSWERING_HANDLER = '''
import json, threading, boto3

def handler(event, context):
    def answer():
        client = boto3.client("stepfunctions", endpoint_url="{url}", region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="x")
        client.send_task_success(taskToken=event["token"], output=json.dumps({{"ok": True}}))
    threading.Timer(0.2, answer).start()  # after the call returned, as a worker would
    return {{}}
'''


def test_run_serves_task_tokens_at_the_endpoint_it_is_given(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "Ask.py").write_text(ANSWERING_HANDLER.format(url=url))
    definition = tmp_path / "ask.json"
    definition.write_text(json.dumps(ASK))
    done = subprocess.run([sys.executable, "-m", "asl_runner.cli", "run", str(definition), "--json",
                           "--lambdas", str(tmp_path), "--task-token-endpoint", url],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout)["output"]) == {"ok": True}
    assert f"with its task token at {url}" in done.stderr  # the wait notice says where


def test_run_refuses_a_token_endpoint_it_cannot_use(tmp_path):
    definition = tmp_path / "ask.json"
    definition.write_text(json.dumps(ASK))
    done = subprocess.run([sys.executable, "-m", "asl_runner.cli", "run", str(definition),
                           "--task-token-endpoint", "https://127.0.0.1:1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--task-token-endpoint: 'https://127.0.0.1:1' is not an http://HOST:PORT URL" in done.stderr


def test_a_sync_task_waits_for_its_child_from_its_start_and_a_token_answer_ends_it_first():
    # recorded on AWS (services/TestCallback_test_sync_with_task_token): the child answers the
    # parent's task token and then waits; the parent's .sync task ends with that answer
    child = {"StartAt": "Answer", "States": {
        "Answer": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                   "Parameters": {"TaskToken.$": "$.token", "Output": "\"answered\""},
                   "Next": "Linger"},
        "Linger": {"Type": "Wait", "Seconds": 30, "End": True}}}
    parent = task("arn:aws:states:::states:startExecution.sync",
                  {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child",
                   "Input": {"token.$": "$$.Task.Token"}})
    ex = asl_runner.run(parent, {}, machines={"child": child}, clock="real")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == "answered"
    assert [c.status for c in ex.children] == ["RUNNING"]  # the parent did not wait for it
    types = [e.type for e in ex.history]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    assert types.count("TaskSubmitted") == 1
