"""The Step Functions-compatible endpoint, through the clients people use: boto3 and the AWS CLI.

`asl-runner serve` runs as a subprocess on a free port of 127.0.0.1 with a temporary store, a
temporary lambdas directory and the real clock (one server for the module); a second one, in
memory on the virtual clock, answers for a store that never saw a token. Executions are kept
RUNNING by a `.waitForTaskToken` Lambda task whose handler drops its event, task token
included, in a file the test reads; or by a long Wait. Every bad request is answered with AWS's
error code, as boto3's ``Error.Code`` and as the AWS CLI prints it, and the server goes on.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from asl_runner.cli import main  # noqa: E402

from cli_runner import CliRunner  # noqa: E402

BIN = Path(sys.executable).parent
ASL_RUNNER = [str(BIN / "asl-runner")] if (BIN / "asl-runner").exists() else [sys.executable, "-m", "asl_runner.cli"]
ROLE = "arn:aws:iam::123456789012:role/asl-runner-test"
CALLBACK_HANDLER = '''
import json, os

TOKENS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokens")

def handler(event, context):
    # hand the event, task token included, to the test: one file per key, written atomically
    path = os.path.join(TOKENS, event["key"] + ".json")
    with open(path + ".part", "w") as fh:
        json.dump(event, fh)
    os.replace(path + ".part", path)
    return {"submitted": True}
'''


# ---------------------------------------------------------------------------------------------
# servers and clients
# ---------------------------------------------------------------------------------------------


class Server:
    """A running ``asl-runner serve`` subprocess."""

    def __init__(self, root: Path, *args: str, db: str | None = None):
        self.root = root
        self.lambdas = root / "lambdas"
        (self.lambdas / "tokens").mkdir(parents=True, exist_ok=True)
        (self.lambdas / "callback.py").write_text(CALLBACK_HANDLER)
        self.db = db or str(root / "store.db")
        env = {k: v for k, v in os.environ.items() if k != "ASL_RUNNER_CLOCK"}
        self.log = root / "serve.log"  # a file, not a pipe: a full pipe would block the server
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [*ASL_RUNNER, "serve", "--port", "0", "--db", self.db, "--lambdas", str(self.lambdas), *args],
                stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=root)
        self.ready_line = self._first_line(timeout=20)
        self.url = self.ready_line.split(" at ", 1)[1].split()[0]

    def _first_line(self, timeout: float) -> str:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not lines or not lines[0]:
            self.proc.kill()
            raise RuntimeError(f"asl-runner serve did not start: {self.log.read_text()}")
        return lines[0].strip()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.stdout.close()

    def token(self, key: str, timeout: float = 10) -> str:
        """The task token the callback handler was given for ``key``."""
        path = self.lambdas / "tokens" / f"{key}.json"
        deadline = time.monotonic() + timeout
        while not path.exists():
            assert time.monotonic() < deadline, f"the callback handler was not called for {key}"
            time.sleep(0.02)
        return json.loads(path.read_text())["token"]


@pytest.fixture(scope="module")
def aws_env(tmp_path_factory):
    """Dummy credentials and no user configuration, for boto3 in this process and the AWS CLI."""
    home = tmp_path_factory.mktemp("aws-home")
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(home / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"), "AWS_PAGER": "",
           "AWS_EC2_METADATA_DISABLED": "true"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.delenv("AWS_PROFILE", raising=False)
        yield env


@pytest.fixture(scope="module")
def server(tmp_path_factory, aws_env):
    s = Server(tmp_path_factory.mktemp("serve"), "--clock", "real")
    yield s
    assert s.stop() == 0  # SIGTERM is a clean shutdown
    assert "Traceback" not in s.log.read_text()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory, aws_env):
    """Another server: in memory, on the virtual clock; it knows none of `server`'s tokens."""
    s = Server(tmp_path_factory.mktemp("scratch"), "--clock", "virtual", db=":memory:")
    yield s
    s.stop()


def client(url: str, **config):
    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}, read_timeout=70, **config))


@pytest.fixture(scope="module")
def sfn(server):
    return client(server.url)


def aws(server: Server, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = BIN / "aws"
    if not exe.exists():
        pytest.skip("the AWS CLI (pip install awscli) is not installed beside this Python")
    return subprocess.run([str(exe), "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(sfn, definition: dict, prefix: str = "m", **kw) -> str:
    return sfn.create_state_machine(name=unique(prefix), definition=json.dumps(definition), roleArn=ROLE,
                                    **kw)["stateMachineArn"]


def finished(sfn, arn: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        assert time.monotonic() < deadline, f"{arn} is still RUNNING"
        time.sleep(0.02)


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def callback_task(**extra) -> dict:
    return {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "callback",
                       "Payload": {"key.$": "$.key", "token.$": "$$.Task.Token"}},
        "End": True, **extra}}}


PASS = {"StartAt": "Hello", "States": {"Hello": {
    "Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.name)"}, "End": True}}}
WAIT_AN_HOUR = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}}


# ---------------------------------------------------------------------------------------------
# state machines
# ---------------------------------------------------------------------------------------------


def test_state_machine_lifecycle(sfn):
    arn = create(sfn, PASS, "crud")
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["status"], described["type"], described["roleArn"]) == ("ACTIVE", "STANDARD", ROLE)
    assert json.loads(described["definition"]) == PASS
    assert described["creationDate"].year >= 2024

    changed = {**PASS, "Comment": "second revision"}
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(changed))
    assert updated["revisionId"] != described["revisionId"]
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == changed

    listed = [m["stateMachineArn"] for page in sfn.get_paginator("list_state_machines").paginate()
              for m in page["stateMachines"]]
    assert arn in listed

    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert error_code(excinfo) == "StateMachineDoesNotExist"


def test_invalid_definition(sfn, server):
    bad = {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}}
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(name=unique("bad"), definition=json.dumps(bad), roleArn=ROLE)
    assert error_code(excinfo) == "InvalidDefinition"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    cli = aws(server, "create-state-machine", "--name", unique("bad"), "--definition", "{not json",
              "--role-arn", ROLE)
    assert cli.returncode != 0
    assert "(InvalidDefinition)" in cli.stderr and "CreateStateMachine" in cli.stderr


def test_validate_state_machine_definition(sfn):
    assert sfn.validate_state_machine_definition(definition=json.dumps(PASS))["result"] == "OK"
    result = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert result["result"] == "FAIL"
    assert result["diagnostics"] and all(d["severity"] == "ERROR" for d in result["diagnostics"])


def test_tags(sfn):
    arn = create(sfn, PASS, "tags", tags=[{"key": "team", "value": "core"}])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"team": "core", "env": "dev"}
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]


# ---------------------------------------------------------------------------------------------
# executions
# ---------------------------------------------------------------------------------------------


def test_execution_runs_to_success(sfn):
    arn = create(sfn, PASS, "hello")
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"name": "Ada"}))
    described = finished(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "hello Ada"}
    assert described["stateMachineArn"] == arn
    assert described["startDate"] <= described["stopDate"]


def test_start_execution_is_idempotent_by_name(sfn, server):
    arn = create(sfn, callback_task(), "idem")
    key = unique("idem")
    first = sfn.start_execution(stateMachineArn=arn, name="same-name", input=json.dumps({"key": key}))
    token = server.token(key)  # the execution is RUNNING, waiting for the token
    again = sfn.start_execution(stateMachineArn=arn, name="same-name", input=json.dumps({"key": key}))
    assert (again["executionArn"], again["startDate"]) == (first["executionArn"], first["startDate"])

    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, name="same-name", input=json.dumps({"key": "other"}))
    assert error_code(excinfo) == "ExecutionAlreadyExists"

    sfn.send_task_success(taskToken=token, output="{}")
    assert finished(sfn, first["executionArn"])["status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as excinfo:  # once it has ended, the name is taken for good
        sfn.start_execution(stateMachineArn=arn, name="same-name", input=json.dumps({"key": key}))
    assert error_code(excinfo) == "ExecutionAlreadyExists"


def test_stop_execution(sfn):
    arn = create(sfn, WAIT_AN_HOUR, "stop")
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    stopped = sfn.stop_execution(executionArn=execution, error="Operator", cause="not today")
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator", "not today")
    assert described["stopDate"] == stopped["stopDate"]
    last = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=1)["events"][0]
    assert last["type"] == "ExecutionAborted"


def test_list_executions_by_status_and_page(sfn):
    definition = {"StartAt": "Which", "States": {
        "Which": {"Type": "Choice", "Choices": [{"Variable": "$.wait", "BooleanEquals": True, "Next": "Wait"}],
                  "Default": "Done"},
        "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    arn = create(sfn, definition, "list")
    quick = [sfn.start_execution(stateMachineArn=arn, input='{"wait": false}')["executionArn"] for _ in range(3)]
    waiting = sfn.start_execution(stateMachineArn=arn, input='{"wait": true}')["executionArn"]
    for execution in quick:
        finished(sfn, execution)

    running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert [e["executionArn"] for e in running] == [waiting]
    succeeded = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert sorted(e["executionArn"] for e in succeeded) == sorted(quick)

    first = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    assert len(first["executions"]) == 2 and first["nextToken"]
    second = sfn.list_executions(stateMachineArn=arn, maxResults=2, nextToken=first["nextToken"])
    assert len(second["executions"]) == 2 and "nextToken" not in second
    pages = first["executions"] + second["executions"]
    assert sorted(e["executionArn"] for e in pages) == sorted([*quick, waiting])
    dates = [e["startDate"] for e in pages]
    assert dates == sorted(dates, reverse=True)  # newest first, as AWS lists them
    sfn.stop_execution(executionArn=waiting)


def test_execution_history_pages_order_and_data(sfn):
    states = {f"P{i}": {"Type": "Pass", "Result": {"step": i}, "Next": f"P{i + 1}"} for i in range(4)}
    states["P4"] = {"Type": "Pass", "End": True}
    arn = create(sfn, {"StartAt": "P0", "States": states}, "history")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"secret": 1}')["executionArn"]
    finished(sfn, execution)

    everything = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    assert len(everything) == 12 and "nextToken" not in everything
    ids = [e["id"] for e in everything]
    assert ids == list(range(1, 13))

    paged, token = [], None
    while True:
        page = sfn.get_execution_history(executionArn=execution, maxResults=5,
                                         **({"nextToken": token} if token else {}))
        assert len(page["events"]) <= 5
        paged += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert [e["id"] for e in paged] == ids

    backwards = [e["id"] for page in sfn.get_paginator("get_execution_history").paginate(
        executionArn=execution, reverseOrder=True, PaginationConfig={"PageSize": 5}) for e in page["events"]]
    assert backwards == ids[::-1]

    lean = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert [e["type"] for e in lean] == [e["type"] for e in everything]
    for event in lean:
        for key, details in event.items():
            if key.endswith("EventDetails"):
                assert "input" not in details and "output" not in details, event
    assert "input" in everything[0]["executionStartedEventDetails"]


# ---------------------------------------------------------------------------------------------
# callbacks and activities
# ---------------------------------------------------------------------------------------------


def test_wait_for_task_token_success_failure_heartbeat(sfn, server):
    arn = create(sfn, callback_task(HeartbeatSeconds=30), "callback")
    ok_key, failing_key = unique("ok"), unique("no")
    ok = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"key": ok_key}))["executionArn"]
    failing = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"key": failing_key}))["executionArn"]

    ok_token = server.token(ok_key)
    sfn.send_task_heartbeat(taskToken=ok_token)
    sfn.send_task_success(taskToken=ok_token, output=json.dumps({"approved": True}))
    described = finished(sfn, ok)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})

    sfn.send_task_failure(taskToken=server.token(failing_key), error="Denied", cause="over budget")
    described = finished(sfn, failing)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Denied", "over budget")


def test_task_token_errors(sfn, server, scratch):
    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_success(taskToken="not-a-token", output="{}")
    assert error_code(excinfo) == "InvalidToken"

    arn = create(sfn, callback_task(TimeoutSeconds=1), "timeout")
    key = unique("late")
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"key": key}))["executionArn"]
    token = server.token(key)
    described = finished(sfn, execution, timeout=15)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    for call in (lambda: sfn.send_task_success(taskToken=token, output="{}"),
                 lambda: sfn.send_task_failure(taskToken=token, error="E"),
                 lambda: sfn.send_task_heartbeat(taskToken=token)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "TaskTimedOut"

    # a well-formed token of an execution the store never had
    with pytest.raises(ClientError) as excinfo:
        client(scratch.url).send_task_success(taskToken=token, output="{}")
    assert error_code(excinfo) == "TaskDoesNotExist"


def test_activity_worker(sfn):
    activity = sfn.create_activity(name=unique("approve"))["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["activityArn"] == activity
    arn = create(sfn, {"StartAt": "Approve", "States": {"Approve": {
        "Type": "Task", "Resource": activity, "TimeoutSeconds": 30, "End": True}}}, "activity")

    # the worker polls before there is work: the task reaches it as soon as the execution starts
    polled: list[dict] = []
    worker = threading.Thread(target=lambda: polled.append(
        client(sfn.meta.endpoint_url).get_activity_task(activityArn=activity, workerName="w1")))
    worker.start()
    time.sleep(0.2)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"amount": 42}')["executionArn"]
    worker.join(10)
    assert polled and polled[0]["taskToken"], "the poll did not get the task"
    assert json.loads(polled[0]["input"]) == {"amount": 42}

    sfn.send_task_heartbeat(taskToken=polled[0]["taskToken"])
    sfn.send_task_success(taskToken=polled[0]["taskToken"], output='{"approved": true}')
    described = finished(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})
    types = [e["type"] for e in sfn.get_execution_history(executionArn=execution)["events"]]
    assert [t for t in types if t.startswith("Activity")] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]

    listed = [a["activityArn"] for page in sfn.get_paginator("list_activities").paginate() for a in page["activities"]]
    assert activity in listed
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_activity(activityArn=activity)
    assert error_code(excinfo) == "ActivityDoesNotExist"


# ---------------------------------------------------------------------------------------------
# StartSyncExecution: botocore sends it to "sync-" + the endpoint's host
# ---------------------------------------------------------------------------------------------


def test_start_sync_execution(server, sfn):
    express = create(sfn, PASS, "express", type="EXPRESS")
    sync = client(server.url, inject_host_prefix=False)
    result = sync.start_sync_execution(stateMachineArn=express, input='{"name": "sync"}')
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"greeting": "hello sync"}
    assert ":express:" in result["executionArn"]

    standard = create(sfn, PASS, "standard")
    with pytest.raises(ClientError) as excinfo:
        sync.start_sync_execution(stateMachineArn=standard)
    assert error_code(excinfo) == "StateMachineTypeNotSupported"

    # the AWS CLI: the same switch, from the environment (or disable_host_prefix_injection = true)
    cli = aws(server, "start-sync-execution", "--state-machine-arn", express, "--input", '{"name": "cli"}',
              env={"AWS_DISABLE_HOST_PREFIX_INJECTION": "true"})
    assert cli.returncode == 0, cli.stderr
    out = json.loads(cli.stdout)
    assert (out["status"], json.loads(out["output"])) == ("SUCCEEDED", {"greeting": "hello cli"})

    # AWS keeps no list of an Express machine's executions
    with pytest.raises(ClientError) as excinfo:
        sfn.list_executions(stateMachineArn=express)
    assert error_code(excinfo) == "StateMachineTypeNotSupported"


# ---------------------------------------------------------------------------------------------
# bad requests: AWS's error codes, and the server goes on serving
# ---------------------------------------------------------------------------------------------


def raw_post(url: str, body: bytes, target: str | None = "AWSStepFunctions.ListStateMachines",
             method: str = "POST") -> tuple[int, dict, dict]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    try:
        conn.request(method, "/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.parametrize(("body", "target", "method", "status", "code"), [
    (b'{"maxResults": ', "AWSStepFunctions.ListStateMachines", "POST", 400, "SerializationException"),
    (b"[1, 2]", "AWSStepFunctions.ListStateMachines", "POST", 400, "SerializationException"),
    (b'{"n": NaN}', "AWSStepFunctions.ListStateMachines", "POST", 400, "SerializationException"),
    (b"\xff\xfe{", "AWSStepFunctions.ListStateMachines", "POST", 400, "SerializationException"),
    (b"{}", "AWSStepFunctions.LaunchRocket", "POST", 400, "UnknownOperationException"),
    (b'{"executionArn": "arn:aws:states:us-east-1:123456789012:execution:no:no"}',
     "AWSStepFunctions.RedriveExecution", "POST", 400, "ExecutionDoesNotExist"),
    (b"{}", "DynamoDB_20120810.ListTables", "POST", 400, "UnknownOperationException"),
    (b"{}", None, "POST", 400, "UnknownOperationException"),
    (b"", None, "GET", 405, "UnknownOperationException"),
    (b'{"executionArn": "arn:aws:states:us-east-1:123456789012:execution:no:no"}',
     "AWSStepFunctions.DescribeExecution", "POST", 400, "ExecutionDoesNotExist"),
])
def test_protocol_errors(server, sfn, body, target, method, status, code):
    got_status, headers, payload = raw_post(server.url, body, target, method)
    assert got_status == status
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["x-amzn-requestid"]
    assert payload["__type"].rsplit("#", 1)[1] == code and payload["message"]
    assert payload["__type"].startswith(("com.amazon.coral.service#", "com.amazonaws.swf.service.v2.model#"))
    assert sfn.list_state_machines()["ResponseMetadata"]["HTTPStatusCode"] == 200  # still serving


def test_errors_as_boto3_reports_them(sfn, server):
    def corrupt_body(request, **_):
        request.body = b'{"stateMachineArn": '
        request.headers["Content-Length"] = str(len(request.body))

    def unknown_target(request, **_):
        request.headers["X-Amz-Target"] = "AWSStepFunctions.LaunchRocket"

    for hook, code in ((corrupt_body, "SerializationException"), (unknown_target, "UnknownOperationException")):
        broken = client(server.url)
        broken.meta.events.register("before-send.sfn.*", hook)
        with pytest.raises(ClientError) as excinfo:
            broken.list_state_machines()
        assert error_code(excinfo) == code
        assert excinfo.value.response["ResponseMetadata"]["RequestId"]

    with pytest.raises(ClientError) as excinfo:
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:123456789012:stateMachine:oops")
    assert error_code(excinfo) == "InvalidArn"

    arn = create(sfn, PASS, "big")
    with pytest.raises(ClientError) as excinfo:
        sfn.start_execution(stateMachineArn=arn, input=json.dumps({"blob": "x" * (256 * 1024)}))
    assert error_code(excinfo) == "ValidationException"

    with pytest.raises(ClientError) as excinfo:
        sfn.send_task_heartbeat(taskToken="bm90IGEgdG9rZW4")
    assert error_code(excinfo) == "InvalidToken"
    assert sfn.list_state_machines()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_errors_as_the_aws_cli_reports_them(server, sfn, tmp_path):
    cases = [
        (["describe-execution", "--execution-arn", "not-an-arn"], "InvalidArn"),
        (["send-task-success", "--task-token", "not-a-token", "--task-output", "{}"], "InvalidToken"),
    ]
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"blob": "x" * (256 * 1024)}))
    cases.append((["start-execution", "--state-machine-arn", create(sfn, PASS, "cli-big"),
                   "--input", f"file://{big}"], "ValidationException"))
    for args, code in cases:
        result = aws(server, *args)
        assert result.returncode != 0
        assert f"An error occurred ({code})" in result.stderr, result.stderr


def test_aws_cli_runs_an_execution(server):
    arn = json.loads(aws(server, "create-state-machine", "--name", unique("cli"), "--definition",
                         json.dumps(PASS), "--role-arn", ROLE).stdout)["stateMachineArn"]
    execution = json.loads(aws(server, "start-execution", "--state-machine-arn", arn, "--input",
                               '{"name": "cli"}').stdout)["executionArn"]
    sfn = client(server.url)
    assert finished(sfn, execution)["status"] == "SUCCEEDED"
    described = json.loads(aws(server, "describe-execution", "--execution-arn", execution).stdout)
    assert json.loads(described["output"]) == {"greeting": "hello cli"}


# ---------------------------------------------------------------------------------------------
# the command-line client: send-task-success / -failure / -heartbeat
# ---------------------------------------------------------------------------------------------


def test_cli_send_task_commands(sfn, server):
    runner = CliRunner()
    arn = create(sfn, callback_task(), "cli-callback")
    keys = [unique("cli") for _ in range(2)]
    executions = [sfn.start_execution(stateMachineArn=arn, input=json.dumps({"key": k}))["executionArn"]
                  for k in keys]
    tokens = [server.token(k) for k in keys]

    result = runner.invoke(main, ["send-task-heartbeat", "--task-token", tokens[0], "--endpoint-url", server.url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["send-task-success", "--task-token", tokens[0], "--task-output", '{"n": 1}',
                                  "--endpoint-url", server.url])
    assert (result.exit_code, result.output) == (0, "")
    assert json.loads(finished(sfn, executions[0])["output"]) == {"n": 1}

    result = runner.invoke(main, ["send-task-failure", "--task-token", tokens[1], "--error", "Nope",
                                  "--cause", "said no"], env={"ASL_RUNNER_ENDPOINT": server.url})
    assert result.exit_code == 0, result.output
    described = finished(sfn, executions[1])
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Nope", "said no")

    result = runner.invoke(main, ["send-task-success", "--task-token", tokens[1], "--task-output", "{}",
                                  "--endpoint-url", server.url])
    assert result.exit_code == 1 and "TaskTimedOut" in result.stderr
    result = runner.invoke(main, ["send-task-heartbeat", "--task-token", "junk", "--endpoint-url", server.url])
    assert result.exit_code == 1 and "InvalidToken: " in result.stderr


def test_cli_send_task_usage_errors(server):
    runner = CliRunner()
    result = runner.invoke(main, ["send-task-success", "--task-token", "t", "--task-output", "{oops",
                                  "--endpoint-url", server.url])
    assert result.exit_code == 2 and "--task-output is not valid JSON" in result.stderr
    result = runner.invoke(main, ["send-task-failure", "--endpoint-url", server.url])
    assert result.exit_code == 2
    result = runner.invoke(main, ["send-task-heartbeat", "--task-token", "t", "--endpoint-url", "ftp://x"])
    assert result.exit_code == 2

    import socket

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = runner.invoke(main, ["send-task-heartbeat", "--task-token", "t",
                                  "--endpoint-url", f"http://127.0.0.1:{port}"])
    assert result.exit_code == 1 and "cannot reach" in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# serve: durable by default, clean on SIGTERM and SIGINT
# ---------------------------------------------------------------------------------------------


def test_restart_resumes_waiting_executions(tmp_path, aws_env):
    first = Server(tmp_path, "--clock", "real")
    assert first.ready_line.startswith("asl-runner: Step Functions API at http://127.0.0.1:")
    sfn = client(first.url)
    arn = create(sfn, callback_task(), "durable")
    key = unique("durable")
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"key": key}))["executionArn"]
    token = first.token(key)
    assert first.stop(signal.SIGINT) == 0

    second = Server(tmp_path, "--clock", "real")
    try:
        sfn = client(second.url)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        sfn.send_task_success(taskToken=token, output='{"resumed": true}')
        described = finished(sfn, execution)
        assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"resumed": True})
    finally:
        assert second.stop() == 0


def test_serve_reports_a_port_in_use(tmp_path, server):
    port = str(urlsplit(server.url).port)
    result = subprocess.run([*ASL_RUNNER, "serve", "--port", port, "--db", str(tmp_path / "x.db")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_virtual_clock_server(scratch):
    sfn = client(scratch.url)
    arn = create(sfn, {"StartAt": "Day", "States": {"Day": {"Type": "Wait", "Seconds": 86400, "End": True}}}, "day")
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = finished(sfn, execution, timeout=5)
    assert described["status"] == "SUCCEEDED"
    assert (described["stopDate"] - described["startDate"]).total_seconds() >= 86400


# ---------------------------------------------------------------------------------------------
# the ASGI application in-process: what no well-behaved client can provoke
# ---------------------------------------------------------------------------------------------


def asgi_call(app, body: bytes, target: str = "AWSStepFunctions.ListStateMachines",
              headers: list | None = None) -> tuple[int, dict, dict]:
    sent: list[dict] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/",
             "headers": [(b"x-amz-target", target.encode()), *(headers or [])]}
    asyncio.run(app(scope, receive, send))
    start, body_message = sent
    return start["status"], dict(start["headers"]), json.loads(body_message["body"])


@pytest.fixture
def app():
    from asl_runner.server import StepFunctionsApp
    from asl_runner.service import open_service

    service = open_service(None, clock="virtual")
    application = StepFunctionsApp(service, threads=2, sync_threads=2, poll_seconds=0.2)
    yield application
    application.close()
    service.close()


def test_an_unexpected_exception_is_a_500(app, monkeypatch):
    def broken(body):
        raise RuntimeError("a bug")

    monkeypatch.setitem(app._methods, "ListActivities", broken)
    status, headers, payload = asgi_call(app, b"{}", "AWSStepFunctions.ListActivities")
    assert status == 500
    assert payload["__type"] == "com.amazon.coral.service#InternalFailure"
    assert headers[b"x-amzn-requestid"].decode() in payload["message"]
    assert asgi_call(app, b"{}")[0] == 200


def test_an_oversized_body_is_refused(app):
    status, _, payload = asgi_call(app, b"{}", headers=[(b"content-length", str(64 * 1024 * 1024).encode())])
    assert (status, payload["__type"].rsplit("#", 1)[1]) == (413, "RequestEntityTooLarge")


def test_an_activity_poll_without_work_answers_empty(app):
    _, _, created = asgi_call(app, b'{"name": "idle"}', "AWSStepFunctions.CreateActivity")
    started = time.monotonic()
    status, _, payload = asgi_call(app, json.dumps({"activityArn": created["activityArn"]}).encode(),
                                   "AWSStepFunctions.GetActivityTask")
    assert (status, payload) == (200, {})
    assert 0.15 < time.monotonic() - started < 3
