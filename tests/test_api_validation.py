"""Bad API requests get AWS's error code, HTTP status and message, and change nothing.

Requests go as raw HTTP bodies through the ASGI application in-process (what no SDK would send:
a dict where a string belongs, a lone surrogate, a body nested too deep), a few through boto3 to
a real server to show that the SDK sees the same codes. The request shapes are checked against
botocore's copy of AWS's service model, so asl-runner's table cannot drift from it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from typing import Any

import pytest

from asl_runner.server import StepFunctionsApp
from asl_runner.service import OPERATIONS, ApiError, open_service
from asl_runner.service.shapes import SHAPES, input_shape

ROLE = "arn:aws:iam::123456789012:role/test"
PREFIX = "arn:aws:states:us-east-1:123456789012"
CALLBACK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


# ---------------------------------------------------------------------------------------------
# the table is AWS's model
# ---------------------------------------------------------------------------------------------


def test_the_request_shapes_are_botocores():
    loaders = pytest.importorskip("botocore.loaders")
    model = loaders.Loader().load_service_model("stepfunctions", "service-2")
    reachable: set[str] = set()

    def visit(name: str) -> None:
        if name in reachable:
            return
        reachable.add(name)
        shape = model["shapes"][name]
        for inner in [m["shape"] for m in shape.get("members", {}).values()] + \
                [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]:
            visit(inner)

    for operation in OPERATIONS:
        assert model["operations"][operation]["input"]["shape"] == input_shape(operation)
        visit(input_shape(operation))
    assert set(SHAPES) == reachable
    for name, ours in SHAPES.items():
        theirs = model["shapes"][name]
        assert ours.type == theirs["type"], name
        assert (ours.min, ours.max) == (theirs.get("min"), theirs.get("max")), name
        assert ours.pattern == theirs.get("pattern"), name
        assert ours.enum == (tuple(theirs["enum"]) if "enum" in theirs else None), name
        assert ours.sensitive == theirs.get("sensitive", False), name
        assert ours.required == tuple(theirs.get("required", ())), name
        assert ours.members == {k: v["shape"] for k, v in theirs.get("members", {}).items()}, name
        assert ours.member == theirs.get("member", {}).get("shape"), name


# ---------------------------------------------------------------------------------------------
# an in-process service and its ASGI application
# ---------------------------------------------------------------------------------------------


class Api:
    """The service with a callback task whose tokens the test collects, and its ASGI app."""

    def __init__(self, **app_options: Any):
        self.tokens: list[str] = []
        # the real clock: on the virtual one a task nobody answers reaches the execution's
        # one-year limit at once, and these executions must wait for the test's answer
        self.service = open_service(None, clock="real", handlers={"Ask": self._ask})
        self.app = StepFunctionsApp(self.service, threads=4, sync_threads=2, poll_seconds=0.3, **app_options)

    def _ask(self, event, context):
        self.tokens.append(event["token"])
        return {}

    def close(self) -> None:
        self.app.close()
        self.service.close()

    async def send(self, operation: str, body: bytes | dict) -> tuple[int, dict]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        messages = [{"type": "http.request", "body": raw, "more_body": False}]
        sent: list[dict] = []

        async def receive():
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)

        async def reply(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/",
                 "headers": [(b"x-amz-target", f"AWSStepFunctions.{operation}".encode())]}
        await self.app(scope, receive, reply)
        return sent[0]["status"], json.loads(sent[1]["body"])

    def call(self, operation: str, body: bytes | dict) -> tuple[int, dict]:
        return asyncio.run(self.send(operation, body))

    def ok(self, operation: str, body: dict) -> dict:
        status, reply = self.call(operation, body)
        assert status == 200, reply
        return reply

    def machine(self, definition: dict = CALLBACK, name: str = "m") -> str:
        return self.ok("CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                              "roleArn": ROLE})["stateMachineArn"]

    def waiting_execution(self) -> tuple[str, str]:
        """(execution arn, task token) of an execution waiting for its callback."""
        count = len(self.tokens)
        arn = self.ok("StartExecution", {"stateMachineArn": self.machine()})["executionArn"]
        deadline = time.monotonic() + 10
        while len(self.tokens) == count:
            assert time.monotonic() < deadline, "the callback task did not start"
            time.sleep(0.005)
        return arn, self.tokens[-1]

    def status(self, arn: str) -> str:
        return self.ok("DescribeExecution", {"executionArn": arn})["status"]


@pytest.fixture
def api():
    instance = Api()
    yield instance
    instance.close()


def code_of(reply: dict) -> str:
    return reply["__type"].rsplit("#", 1)[1]


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


V1 = "1 validation error detected: "
NOT_NULL = "failed to satisfy constraint: Member must not be null"
VERSION = f"{PREFIX}:stateMachine:m:1"
ROUTING_3 = [{"stateMachineVersionArn": f"{PREFIX}:stateMachine:m:{n}", "weight": w}
             for n, w in ((1, 50), (2, 30), (3, 20))]
TAGS_51 = [{"key": f"k{n}", "value": "v"} for n in range(51)]

# (operation, body, HTTP status, AWS's code, message); a message in AWS's words where it was
# recorded from AWS (see asl_runner/service/errors.py), else asl-runner's
BAD_REQUESTS = [
    # the protocol: bodies that do not parse, values of the wrong JSON type
    ("ListStateMachines", b"[]", 400, "SerializationException", "Start of list found where not expected"),
    ("ListStateMachines", ('{"x": ' + deep(1000) + "}").encode(), 400, "SerializationException",
     "The request body is not valid JSON: the JSON is nested more than 1000 levels deep"),
    ("ListStateMachines", b'{"maxResults": NaN}', 400, "SerializationException", None),
    ("ListStateMachines", b'{"maxResults": 1e999}', 400, "SerializationException", None),
    ("ListStateMachines", {"maxResults": "x"}, 400, "SerializationException",
     "STRING_VALUE can not be converted to an Integer"),
    ("ListStateMachines", {"maxResults": True}, 400, "SerializationException",
     "TRUE_VALUE can not be converted to an Integer"),
    ("ListStateMachines", {"nextToken": 5}, 400, "SerializationException",
     "NUMBER_VALUE can not be converted to a String"),
    ("ListStateMachines", {"nextToken": ["a"]}, 400, "SerializationException",
     "Start of list found where not expected"),
    ("StartExecution", {"stateMachineArn": f"{PREFIX}:stateMachine:m", "traceHeader": {"a": 1}}, 400,
     "SerializationException", "Start of structure or map found where not expected."),
    ("StartExecution", {"stateMachineArn": f"{PREFIX}:stateMachine:m", "input": {"a": 1}}, 400,
     "SerializationException", "Start of structure or map found where not expected."),
    ("DeleteStateMachineVersion", {"stateMachineVersionArn": 5}, 400, "SerializationException",
     "NUMBER_VALUE can not be converted to a String"),
    ("CreateStateMachineAlias", {"name": "live", "routingConfiguration": "x"}, 400,
     "SerializationException", "Expected list or null"),
    ("CreateStateMachineAlias", {"name": "live", "routingConfiguration": {"a": 1}}, 400,
     "SerializationException", "Start of structure or map found where not expected."),
    ("CreateStateMachineAlias", {"name": "live", "routingConfiguration": ["x"]}, 400,
     "SerializationException", "Expected null"),
    ("CreateStateMachineAlias", {"name": "live", "routingConfiguration": [
        {"stateMachineVersionArn": VERSION, "weight": "100"}]}, 400,
     "SerializationException", "STRING_VALUE can not be converted to an Integer"),
    ("CreateStateMachine", {"name": "m", "definition": "{}", "roleArn": ROLE, "publish": "yes"}, 400,
     "SerializationException", "STRING_VALUE can not be converted to a Boolean"),
    ("CreateActivity", b'{"name": "a\\ud800"}', 400, "SerializationException",
     "The string at 'name' is not Unicode text: it holds an unpaired UTF-16 surrogate"),
    ("SendTaskFailure", {"taskToken": "t", "error": {"a": 1}}, 400, "SerializationException",
     "Start of structure or map found where not expected."),
    ("SendTaskFailure", {"taskToken": "t", "cause": 7}, 400, "SerializationException",
     "NUMBER_VALUE can not be converted to a String"),
    ("StopExecution", {"executionArn": f"{PREFIX}:execution:m:e", "error": False}, 400,
     "SerializationException", "FALSE_VALUE can not be converted to a String"),
    # the model's constraints, all at once
    ("DescribeExecution", {}, 400, "ValidationException", f"{V1}Value null at 'executionArn' {NOT_NULL}"),
    ("CreateStateMachine", {"type": "SLOW"}, 400, "ValidationException",
     f"4 validation errors detected: Value null at 'name' {NOT_NULL}; Value null at 'definition' "
     f"{NOT_NULL}; Value null at 'roleArn' {NOT_NULL}; Value 'SLOW' at 'type' failed to satisfy "
     "constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"),
    ("ListStateMachines", {"maxResults": 1001}, 400, "ValidationException",
     f"{V1}Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less "
     "than or equal to 1000"),
    ("ListStateMachines", {"maxResults": -1}, 400, "ValidationException",
     f"{V1}Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater "
     "than or equal to 0"),
    ("ListStateMachines", {"nextToken": ""}, 400, "ValidationException",
     f"{V1}Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater "
     "than or equal to 1"),
    ("ListActivities", {"nextToken": "t" * 1025}, 400, "ValidationException",
     f"{V1}Value '{'t' * 1025}' at 'nextToken' failed to satisfy constraint: Member must have length "
     "less than or equal to 1024"),
    ("ListExecutions", {"stateMachineArn": f"{PREFIX}:stateMachine:m", "statusFilter": "succeeded"}, 400,
     "ValidationException", f"{V1}Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
     "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"),
    ("CreateStateMachine", {"name": "", "definition": "{}", "roleArn": ROLE}, 400, "ValidationException",
     f"{V1}Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    ("CreateActivity", {"name": "a" * 81}, 400, "ValidationException",
     f"{V1}Value '{'a' * 81}' at 'name' failed to satisfy constraint: Member must have length less than "
     "or equal to 80"),
    ("StartExecution", {"stateMachineArn": f"{PREFIX}:stateMachine:m", "name": "\U0001f600" * 41}, 400,
     "ValidationException", None),  # 41 emoji are 82 UTF-16 code units, as Java counts them
    ("SendTaskFailure", {"taskToken": "t", "error": "E" * 257}, 400, "ValidationException",
     f"{V1}Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256"),
    ("SendTaskFailure", {"taskToken": "t", "cause": "c" * 32769}, 400, "ValidationException",
     f"{V1}Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768"),
    ("StopExecution", {"executionArn": f"{PREFIX}:execution:m:e", "cause": "c" * 32769}, 400,
     "ValidationException",
     f"{V1}Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768"),
    ("SendTaskSuccess", {"taskToken": "t", "output": "x" * (256 * 1024 + 1)}, 400, "ValidationException",
     f"{V1}Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144"),
    ("SendTaskHeartbeat", {"taskToken": "t" * 2049}, 400, "ValidationException",
     f"{V1}Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048"),
    ("StartExecution", {"stateMachineArn": f"{PREFIX}:stateMachine:m", "traceHeader": "é"}, 400,
     "ValidationException", f"{V1}Value 'é' at 'traceHeader' failed to satisfy constraint: Member must "
     "satisfy regular expression pattern: \\p{ASCII}*"),
    ("CreateStateMachineAlias", {"name": "123", "routingConfiguration": [
        {"stateMachineVersionArn": VERSION, "weight": 101}]}, 400, "ValidationException",
     "2 validation errors detected: Value '123' at 'name' failed to satisfy constraint: Member must "
     "satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$; Value '101' at "
     "'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value "
     "less than or equal to 100"),
    ("CreateStateMachineAlias", {"name": "live", "routingConfiguration": ROUTING_3}, 400,
     "ValidationException", f"{V1}Value '[" + ", ".join(
         f"RoutingConfigurationListItem(stateMachineVersionArn={r['stateMachineVersionArn']}, "
         f"weight={r['weight']})" for r in ROUTING_3) + "]' at 'routingConfiguration' failed to satisfy "
     "constraint: Member must have length less than or equal to 2"),
    ("CreateStateMachineAlias", {"name": "live", "routingConfiguration": [{"weight": 100}]}, 400,
     "ValidationException", f"{V1}Value null at 'routingConfiguration.1.member.stateMachineVersionArn' {NOT_NULL}"),
    # the service's own rules
    ("CreateActivity", {"name": "a b"}, 400, "InvalidName", "Invalid Name: 'a b'"),
    ("CreateStateMachine", {"name": "../../x", "definition": "{}", "roleArn": ROLE}, 400, "InvalidName",
     "Invalid Name: '../../x'"),
    ("CreateActivity", {"name": "many", "tags": TAGS_51}, 400, "TooManyTags", None),
    ("CreateStateMachine", {"name": "m", "definition": json.dumps(PASS), "roleArn": ROLE, "versionDescription": "v1"},
     400, "ValidationException", "Version description can only be set when publish is true"),
    ("CreateStateMachine", {"name": "m", "definition": '{"StartAt": NaN}', "roleArn": ROLE}, 400,
     "InvalidDefinition", None),
    ("CreateStateMachine", {"name": "m", "definition": json.dumps(PASS), "roleArn": "role"}, 400,
     "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: role'"),
    ("DescribeExecution", {"executionArn": "nope"}, 400, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: nope'"),
    ("DescribeExecution", {"executionArn": f"{PREFIX}:stateMachine:m"}, 400, "InvalidArn",
     "Invalid Arn: 'Resource type not valid in this context: statemachine'"),
    ("DeleteStateMachineVersion", {"stateMachineVersionArn": "garbage"}, 400, "InvalidArn",
     "Invalid Arn: 'Invalid ARN prefix: garbage'"),
    ("DeleteStateMachineVersion", {"stateMachineVersionArn": f"{PREFIX}:stateMachine:m"}, 400, "InvalidArn",
     f"Invalid Arn: 'Not a state machine version ARN: {PREFIX}:stateMachine:m'"),
    ("DeleteStateMachineAlias", {"stateMachineAliasArn": "garbage"}, 400, "InvalidArn",
     "Invalid Arn: 'Invalid ARN prefix: garbage'"),
    ("DeleteStateMachineAlias", {"stateMachineAliasArn": f"{PREFIX}:activity:a"}, 400, "InvalidArn",
     "Invalid Arn: 'Resource type not valid in this context: activity'"),
    ("ListStateMachines", {"nextToken": "LTE="}, 400, "InvalidToken", "Invalid Token: 'Invalid token'"),
    # found by tests/test_fuzz_api.py: hmac.compare_digest refused non-ASCII text (500)
    ("ListActivities", {"nextToken": ".\u0080"}, 400, "InvalidToken", "Invalid Token: 'Invalid token'"),
    ("GetExecutionHistory", {"executionArn": f"{PREFIX}:execution:m:e", "nextToken": "MA"}, 400,
     "ExecutionDoesNotExist", f"Execution Does Not Exist: '{PREFIX}:execution:m:e'"),
    ("SendTaskHeartbeat", {"taskToken": "not a token"}, 400, "InvalidToken", "Invalid Token: 'Invalid token'"),
    ("TagResource", {"resourceArn": f"{PREFIX}:stateMachine:nothing", "tags": []}, 400, "ResourceNotFound",
     f"Resource not found: '{PREFIX}:stateMachine:nothing'"),
]


@pytest.mark.parametrize(("operation", "body", "status", "code", "message"), BAD_REQUESTS,
                         ids=[f"{op}-{code}-{n}" for n, (op, _, _, code, _) in enumerate(BAD_REQUESTS)])
def test_a_bad_request_gets_awss_error(api, operation, body, status, code, message):
    got_status, reply = api.call(operation, body)
    assert (got_status, code_of(reply)) == (status, code), reply
    if message is not None:
        assert reply["message"] == message
    assert api.call("ListStateMachines", {})[0] == 200  # and the server goes on


def test_the_service_object_checks_requests_too(api):
    """The Python API (the service's methods) gives the same answers as the endpoint."""
    for operation, body, _, code, message in BAD_REQUESTS:
        if isinstance(body, bytes):
            continue  # raw JSON is the protocol's business
        method = getattr(api.service, OPERATIONS[operation])
        with pytest.raises(ApiError) as err:
            method(body)
        assert err.value.code == code
        assert message is None or err.value.message == message


INPUTS = [
    ("NaN", "'NaN' is not a JSON number (NaN and Infinity are not JSON)"),
    ('{"n": Infinity}', "'Infinity' is not a JSON number (NaN and Infinity are not JSON)"),
    ('{"n": -Infinity}', "'-Infinity' is not a JSON number (NaN and Infinity are not JSON)"),
    ("[1e999]", "the number 1e999 is out of range for a double"),
    (deep(1001), "the JSON is nested more than 1000 levels deep"),
    ("", "Invalid execution input."),  # AWS's answer to an empty input
    ("{'not': 'json'", None),
    ('"\\ud800"', "a \\u escape names an unpaired UTF-16 surrogate, which is not a Unicode character"),
]


@pytest.mark.parametrize(("text", "detail"), INPUTS)
def test_execution_input_that_is_not_json_as_aws_reads_it(api, text, detail):
    machine = api.machine(PASS)
    status, reply = api.call("StartExecution", {"stateMachineArn": machine, "input": text})
    assert (status, code_of(reply)) == (400, "InvalidExecutionInput")
    if detail is not None:
        assert reply["message"] == f"Invalid State Machine Execution Input: '{detail}'"
    assert api.ok("ListExecutions", {"stateMachineArn": machine}) == {"executions": []}


def test_a_deep_input_within_the_limit_runs(api):
    machine = api.machine(PASS)
    arn = api.ok("StartExecution", {"stateMachineArn": machine, "input": deep(999)})["executionArn"]
    deadline = time.monotonic() + 10
    while api.status(arn) == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert api.ok("DescribeExecution", {"executionArn": arn})["output"] == deep(999)


def test_a_body_nested_1000_levels_is_read(api):
    """The body object is the first level: a member may nest 999 more."""
    assert api.call("ListStateMachines", ('{"x": ' + deep(999) + "}").encode())[0] == 200


# ---------------------------------------------------------------------------------------------
# a rejected request changes nothing
# ---------------------------------------------------------------------------------------------


REJECTED_CALLBACKS = [
    ("SendTaskFailure", {"error": {"not": "a string"}}, "SerializationException"),
    ("SendTaskFailure", {"error": 42}, "SerializationException"),
    ("SendTaskFailure", {"cause": ["x"]}, "SerializationException"),
    ("SendTaskFailure", {"error": "E" * 257}, "ValidationException"),
    ("SendTaskFailure", {"cause": "c" * 32769}, "ValidationException"),
    ("SendTaskSuccess", {"output": deep(1001)}, "InvalidOutput"),
    ("SendTaskSuccess", {"output": '{"n": NaN}'}, "InvalidOutput"),
    ("SendTaskSuccess", {"output": "not json"}, "InvalidOutput"),
    ("SendTaskSuccess", {"output": {"a": 1}}, "SerializationException"),
    ("SendTaskSuccess", {}, "ValidationException"),  # output is required
    ("SendTaskHeartbeat", {"taskToken": None}, "ValidationException"),
]


@pytest.mark.parametrize(("operation", "extra", "code"), REJECTED_CALLBACKS)
def test_a_rejected_callback_leaves_the_task_waiting(api, operation, extra, code):
    arn, token = api.waiting_execution()
    status, reply = api.call(operation, {"taskToken": token, **extra})
    assert (status, code_of(reply)) == (400, code), reply
    time.sleep(0.05)
    assert api.status(arn) == "RUNNING"
    api.ok("SendTaskHeartbeat", {"taskToken": token})  # the token still works
    api.ok("SendTaskSuccess", {"taskToken": token, "output": '{"done": true}'})
    deadline = time.monotonic() + 10
    while api.status(arn) == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert api.ok("DescribeExecution", {"executionArn": arn})["output"] == '{"done":true}'


@pytest.mark.parametrize("extra", [{"error": {"a": 1}}, {"cause": 5}, {"error": "E" * 257},
                                   {"cause": "c" * 32769}])
def test_a_rejected_stop_leaves_the_execution_running(api, extra):
    arn, token = api.waiting_execution()
    status, _ = api.call("StopExecution", {"executionArn": arn, **extra})
    assert status == 400
    assert api.status(arn) == "RUNNING"
    api.ok("SendTaskSuccess", {"taskToken": token, "output": "{}"})


def test_limits_are_inclusive(api):
    """Exactly AWS's maximum is accepted: 256 / 32,768 characters, 50 tags, 80-character names."""
    arn, token = api.waiting_execution()
    api.ok("SendTaskFailure", {"taskToken": token, "error": "E" * 256, "cause": "c" * 32768})
    deadline = time.monotonic() + 10
    while api.status(arn) == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    described = api.ok("DescribeExecution", {"executionArn": arn})
    assert (len(described["error"]), len(described["cause"])) == (256, 32768)
    activity = api.ok("CreateActivity", {"name": "a" * 80, "tags": TAGS_51[:50]})["activityArn"]
    assert len(api.ok("ListTagsForResource", {"resourceArn": activity})["tags"]) == 50


def test_tags_beyond_50_are_too_many(api):
    machine = api.machine(PASS)
    api.ok("TagResource", {"resourceArn": machine, "tags": TAGS_51[:30]})
    status, reply = api.call("TagResource", {"resourceArn": machine, "tags": TAGS_51[25:]})
    assert (status, code_of(reply), reply["resourceName"]) == (400, "TooManyTags", machine)
    assert len(api.ok("ListTagsForResource", {"resourceArn": machine})["tags"]) == 30  # none added
    api.ok("TagResource", {"resourceArn": machine, "tags": TAGS_51[20:50]})  # 50 in all: fine


def test_an_unwritable_store_is_service_unavailable(api, monkeypatch):
    """SQLite's "disk full", "read-only" and "locked" are an outage the SDKs retry (503)."""
    for text in ("database or disk is full", "attempt to write a readonly database", "database is locked"):
        def failing(*args, text=text, **kwargs):
            raise sqlite3.OperationalError(text)

        monkeypatch.setattr(api.service.store, "put_activity", failing)
        status, reply = api.call("CreateActivity", {"name": "a"})
        assert (status, code_of(reply)) == (503, "ServiceUnavailable"), reply
        assert reply["__type"] == "com.amazon.coral.service#ServiceUnavailable"
    monkeypatch.setattr(api.service.store, "put_activity", lambda *a: (_ for _ in ()).throw(
        sqlite3.OperationalError("no such table: activities")))
    assert api.call("CreateActivity", {"name": "a"})[0] == 500  # a bug is still a bug


# ---------------------------------------------------------------------------------------------
# page tokens are opaque and checked
# ---------------------------------------------------------------------------------------------


def test_page_tokens_belong_to_their_listing(api):
    for n in range(3):
        api.ok("CreateActivity", {"name": f"a{n}"})
        api.machine(PASS, name=f"m{n}")
    first = api.ok("ListActivities", {"maxResults": 2})
    assert len(first["activities"]) == 2 and first["nextToken"]
    rest = api.ok("ListActivities", {"maxResults": 2, "nextToken": first["nextToken"]})
    assert [a["name"] for a in first["activities"] + rest["activities"]] == ["a0", "a1", "a2"]
    assert "nextToken" not in rest

    token = first["nextToken"]
    forged = [token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace(".", ""), "LTE=",
              token.split(".")[0] + ".", "x" * 1024]
    for bad in forged:
        status, reply = api.call("ListActivities", {"nextToken": bad})
        assert (status, code_of(reply)) == (400, "InvalidToken"), bad
    status, reply = api.call("ListStateMachines", {"nextToken": token})  # another listing's token
    assert (status, code_of(reply)) == (400, "InvalidToken")


def test_history_and_execution_tokens_are_checked(api):
    machine = api.machine(PASS)
    arns = [api.ok("StartExecution", {"stateMachineArn": machine})["executionArn"] for _ in range(3)]
    page = api.ok("ListExecutions", {"stateMachineArn": machine, "maxResults": 2})
    assert len(page["executions"]) == 2
    other = api.machine(PASS, name="other")
    for body in ({"stateMachineArn": other, "nextToken": page["nextToken"]},
                 {"stateMachineArn": machine, "statusFilter": "RUNNING", "nextToken": page["nextToken"]}):
        status, reply = api.call("ListExecutions", body)
        assert (status, code_of(reply)) == (400, "InvalidToken")
    rest = api.ok("ListExecutions", {"stateMachineArn": machine, "nextToken": page["nextToken"]})
    assert sorted(e["executionArn"] for e in page["executions"] + rest["executions"]) == sorted(arns)

    history = api.ok("GetExecutionHistory", {"executionArn": arns[0], "maxResults": 1})
    status, reply = api.call("GetExecutionHistory", {"executionArn": arns[1], "nextToken": history["nextToken"]})
    assert (status, code_of(reply)) == (400, "InvalidToken")
    status, reply = api.call("GetExecutionHistory", {"executionArn": arns[0], "reverseOrder": True,
                                                     "nextToken": history["nextToken"]})
    assert (status, code_of(reply)) == (400, "InvalidToken")


def test_page_tokens_expire_after_24_hours(api, monkeypatch):
    for n in range(2):
        api.ok("CreateActivity", {"name": f"a{n}"})
    token = api.ok("ListActivities", {"maxResults": 1})["nextToken"]
    later = time.time() + 24 * 3600 + 1
    monkeypatch.setattr(api.service.pages, "_clock", lambda: later)
    status, reply = api.call("ListActivities", {"nextToken": token})
    assert (status, code_of(reply)) == (400, "InvalidToken")


# ---------------------------------------------------------------------------------------------
# versions and aliases
# ---------------------------------------------------------------------------------------------


def test_versions_and_aliases_answer_as_aws(api):
    machine = api.machine(PASS)
    v1 = api.ok("PublishStateMachineVersion", {"stateMachineArn": machine})["stateMachineVersionArn"]
    api.ok("CreateStateMachineAlias", {"name": "live", "routingConfiguration": [
        {"stateMachineVersionArn": v1, "weight": 100}]})
    status, reply = api.call("DeleteStateMachineVersion", {"stateMachineVersionArn": v1})
    assert (status, code_of(reply)) == (400, "ConflictException")
    assert reply["message"] == ("Version to be deleted must not be referenced by an alias. Current list "
                                "of aliases referencing this version: [live]")
    for routing, message in (
            ([{"stateMachineVersionArn": machine, "weight": 100}],
             f"Routing configuration must contain state machine version ARNs. Received: [{machine}]"),
            ([{"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v1, "weight": 50}],
             f"Routing configuration must contain distinct state machine version ARNs. Received: [{v1}, {v1}]"),
            ([{"stateMachineVersionArn": v1, "weight": 70}],
             "Sum of routing configuration weights must equal 100. Received: [70]")):
        status, reply = api.call("CreateStateMachineAlias", {"name": "other", "routingConfiguration": routing})
        assert (status, code_of(reply), reply["message"]) == (400, "ValidationException", message)
    status, reply = api.call("CreateStateMachineAlias", {"name": "live", "description": "changed",
                                                         "routingConfiguration": [
                                                             {"stateMachineVersionArn": v1, "weight": 100}]})
    assert (status, code_of(reply)) == (400, "ConflictException")
    status, reply = api.call("PublishStateMachineVersion", {"stateMachineArn": machine, "revisionId": "old"})
    assert (status, code_of(reply)) == (400, "ConflictException")
    # deleting what is not there (but could be) is fine, as on AWS
    assert api.call("DeleteStateMachineVersion", {"stateMachineVersionArn": machine + ":7"}) == (200, {})
    assert api.call("DeleteStateMachineAlias", {"stateMachineAliasArn": machine + ":gone"}) == (200, {})
    status, reply = api.call("UpdateStateMachineAlias", {"stateMachineAliasArn": machine + ":gone",
                                                         "description": "x"})
    assert (status, code_of(reply), reply["message"]) == (
        400, "ResourceNotFound", "Request references a resource that does not exist.")
    status, reply = api.call("UpdateStateMachine", {"stateMachineArn": v1, "definition": json.dumps(PASS)})
    assert (status, code_of(reply)) == (400, "StateMachineDoesNotExist")


def test_an_express_machine_cannot_wait_for_a_callback_or_an_activity(api):
    """Found by tests/test_fuzz_api.py: CreateStateMachine took such an EXPRESS machine, and
    StartSyncExecution then waited until the execution's 5 minutes were up."""
    activity = {"StartAt": "Act", "States": {"Act": {
        "Type": "Task", "Resource": f"{PREFIX}:activity:sign", "End": True}}}
    for definition, problem in (
            (activity, "Express state machine does not support Activity ARN at /States/Act/Resource"),
            (CALLBACK, "Express state machine does not support '.waitForTaskToken' service "
                       "integration at /States/Ask/Resource")):
        status, reply = api.call("CreateStateMachine", {"name": "fast", "definition": json.dumps(definition),
                                                        "roleArn": ROLE, "type": "EXPRESS"})
        assert (status, code_of(reply)) == (400, "InvalidDefinition"), reply
        assert reply["message"] == f"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {problem}'"
        checked = api.ok("ValidateStateMachineDefinition", {"definition": json.dumps(definition),
                                                            "type": "EXPRESS"})
        assert checked["result"] == "FAIL" and problem.startswith(checked["diagnostics"][0]["message"])
        assert api.ok("ValidateStateMachineDefinition", {"definition": json.dumps(definition)})["result"] == "OK"
    express = api.ok("CreateStateMachine", {"name": "fast", "definition": json.dumps(PASS), "roleArn": ROLE,
                                            "type": "EXPRESS"})["stateMachineArn"]
    status, reply = api.call("UpdateStateMachine", {"stateMachineArn": express, "definition": json.dumps(activity)})
    assert (status, code_of(reply)) == (400, "InvalidDefinition"), reply
    assert api.machine(activity, name="slow")  # a STANDARD machine may


# ---------------------------------------------------------------------------------------------
# long polls: AWS's 1,000 per activity, no thread while waiting
# ---------------------------------------------------------------------------------------------


def test_polls_wait_without_threads_and_are_capped_per_activity():
    api = Api(max_polls_per_activity=40)
    try:
        first = api.ok("CreateActivity", {"name": "first"})["activityArn"]
        second = api.ok("CreateActivity", {"name": "second"})["activityArn"]
        machine = api.machine({"StartAt": "Work", "States": {"Work": {
            "Type": "Task", "Resource": first, "End": True}}})
        api.app.poll_seconds = 5
        threads_before = threading.active_count()

        async def scenario():
            polls = [asyncio.create_task(api.send("GetActivityTask", {"activityArn": first}))
                     for _ in range(40)]
            await asyncio.sleep(0.3)
            # 40 open polls, 4 API threads: more than the pool could hold if polls held threads
            assert threading.active_count() - threads_before <= 4
            over = await api.send("GetActivityTask", {"activityArn": first})
            other = asyncio.create_task(api.send("GetActivityTask", {"activityArn": second}))
            started = await api.send("StartExecution", {"stateMachineArn": machine, "input": '{"job": 1}'})
            done, _ = await asyncio.wait(polls, timeout=3, return_when=asyncio.FIRST_COMPLETED)
            api.app.stopping = True  # the rest answer "no task" at once
            rest = await asyncio.wait_for(asyncio.gather(*polls, other), timeout=3)
            return over, started, done, rest

        over, started, done, rest = asyncio.run(scenario())
        assert over[0] == 400 and code_of(over[1]) == "ActivityWorkerLimitExceeded"
        assert over[1]["message"] == ("The maximum number of workers concurrently polling for activity "
                                      "tasks has been reached.")
        assert started[0] == 200
        tasks = [reply for status, reply in rest if reply.get("taskToken")]
        assert len(done) == 1 and len(tasks) == 1 and json.loads(tasks[0]["input"]) == {"job": 1}
        assert all(status == 200 for status, _ in rest)
        assert api.app._activities == {}
    finally:
        api.close()


def test_a_task_wakes_one_poll_and_every_task_finds_one(api):
    """No thundering herd: a task costs a claim or two, not one per open poll; tasks that arrive
    together reach as many waiting polls, oldest first."""
    activity = api.ok("CreateActivity", {"name": "work"})["activityArn"]
    machine = api.machine({"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": activity, "End": True}}})
    claims = []
    poll_method = api.app._methods["GetActivityTask"]
    api.app._methods["GetActivityTask"] = lambda *a, **kw: claims.append(1) or poll_method(*a, **kw)
    api.app.poll_seconds = 5

    async def scenario():
        polls = [asyncio.create_task(api.send("GetActivityTask", {"activityArn": activity}))
                 for _ in range(30)]
        await asyncio.sleep(0.5)
        settled = len(claims)
        await api.send("StartExecution", {"stateMachineArn": machine, "input": '{"n": 0}'})
        done, _ = await asyncio.wait(polls, timeout=3, return_when=asyncio.FIRST_COMPLETED)
        one_task = len(claims) - settled
        for n in range(1, 6):
            await api.send("StartExecution", {"stateMachineArn": machine, "input": json.dumps({"n": n})})
        deadline = time.monotonic() + 3
        while sum(p.done() for p in polls) < 6 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        api.app.stopping = True
        replies = await asyncio.gather(*polls)
        return settled, one_task, replies

    settled, one_task, replies = asyncio.run(scenario())
    assert settled == 30  # each poll looked once, then waited
    assert one_task <= 3
    inputs = sorted(json.loads(reply["input"])["n"] for _, reply in replies if reply.get("taskToken"))
    assert inputs == [0, 1, 2, 3, 4, 5]


def test_a_poll_that_times_out_or_hangs_up_stops_waiting(api):
    activity = api.ok("CreateActivity", {"name": "idle"})["activityArn"]
    started = time.monotonic()
    assert api.call("GetActivityTask", {"activityArn": activity}) == (200, {})
    assert 0.25 < time.monotonic() - started < 3
    assert api.service.host._activity_waiters.get(activity) in (None, [])

    async def hang_up():
        messages = [{"type": "http.request", "body": json.dumps({"activityArn": activity}).encode()},
                    {"type": "http.disconnect"}]
        sent = []

        async def receive():
            if len(messages) == 1:
                await asyncio.sleep(0.05)
            return messages.pop(0) if messages else await asyncio.sleep(3600)

        async def reply(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/",
                 "headers": [(b"x-amz-target", b"AWSStepFunctions.GetActivityTask")]}
        api.app.poll_seconds = 30
        began = time.monotonic()
        await api.app(scope, receive, reply)
        return time.monotonic() - began, json.loads(sent[1]["body"])

    elapsed, reply = asyncio.run(hang_up())
    assert reply == {} and elapsed < 2
    assert api.service.host._activity_waiters.get(activity) in (None, [])


# ---------------------------------------------------------------------------------------------
# through boto3: the SDK sees AWS's codes
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sfn(tmp_path_factory):
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    from asl_runner.server import listen, serve
    from asl_runner.server.serving import url_of

    service = open_service(None, clock="virtual")
    sock = listen("127.0.0.1", 0)
    ready = threading.Event()
    thread = threading.Thread(target=serve, args=(service,), kwargs={"sock": sock, "on_ready": lambda url: ready.set()},
                              daemon=True)
    thread.start()
    assert ready.wait(10)
    client = boto3.client("stepfunctions", endpoint_url=url_of(sock), region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x",
                          # send what botocore's own checks would stop, as other SDKs and raw HTTP can
                          config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    yield client
    service.close()


def test_boto3_sees_awss_codes(sfn):
    from botocore.exceptions import ClientError

    machine = sfn.create_state_machine(name="m", definition=json.dumps(PASS), roleArn=ROLE)["stateMachineArn"]
    cases = [
        (lambda: sfn.list_state_machines(maxResults="x"), "SerializationException", 400),
        (lambda: sfn.list_state_machines(maxResults=5000), "ValidationException", 400),
        (lambda: sfn.list_state_machines(nextToken="LTE="), "InvalidToken", 400),
        (lambda: sfn.delete_state_machine_version(stateMachineVersionArn="garbage"), "InvalidArn", 400),
        (lambda: sfn.start_execution(stateMachineArn=machine, input='{"n": NaN}'), "InvalidExecutionInput", 400),
        (lambda: sfn.tag_resource(resourceArn=machine, tags=TAGS_51), "TooManyTags", 400),
        (lambda: sfn.create_activity(name="a b"), "InvalidName", 400),
    ]
    for call, code, status in cases:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == code
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    with pytest.raises(ClientError) as excinfo:
        sfn.tag_resource(resourceArn=machine, tags=TAGS_51)
    assert excinfo.value.response["resourceName"] == machine  # the error shape's other member
    pages = list(sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 1}))
    assert [m["name"] for page in pages for m in page["stateMachines"]] == ["m"]


def test_the_command_line_client_retries_service_unavailable():
    """`asl-runner send-task-*` try a 503 again, as the SDKs do; other errors at once."""
    import http.server

    from asl_runner.server.client import ApiCallError, call

    answers: list[tuple[int, dict]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            status, body = answers.pop(0)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    busy = (503, {"__type": "com.amazon.coral.service#ServiceUnavailable", "message": "disk full"})
    try:
        pauses: list[float] = []
        answers[:] = [busy, busy, (200, {})]
        assert call(url, "SendTaskHeartbeat", {"taskToken": "t"}, sleep=pauses.append) == {}
        assert pauses == [0.5, 1.0]
        answers[:] = [busy, busy, busy]
        with pytest.raises(ApiCallError) as err:
            call(url, "SendTaskHeartbeat", {"taskToken": "t"}, sleep=pauses.append)
        assert (err.value.code, err.value.status) == ("ServiceUnavailable", 503)
        answers[:] = [(500, {"__type": "com.amazon.coral.service#InternalFailure", "message": "bug"})]
        with pytest.raises(ApiCallError) as err:
            call(url, "SendTaskHeartbeat", {"taskToken": "t"}, sleep=pauses.append)
        assert err.value.code == "InternalFailure" and answers == []  # one attempt only
    finally:
        server.shutdown()
