"""Fuzzing the endpoint: every request gets an AWS-shaped answer (never a 500), any definition
goes through CreateStateMachine and its executions through the API, and the service still
serves afterwards (see tests/fuzzing.py). Requests go through the ASGI app, in-process."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from functools import cache
from itertools import count
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from asl_runner.server import StepFunctionsApp
from asl_runner.service import OPERATIONS, open_service

from fuzz_strategies import definitions, inputs, json_texts, request_bodies, valid_machines, weighted
from fuzzing import CRASHED, TERMINAL, budgeted, examples

ROLE = "arn:aws:iam::123456789012:role/fuzz"
PREFIX = "arn:aws:states:us-east-1:123456789012"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
CALLBACK = json.dumps({"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}})
ACTIVITY = json.dumps({"StartAt": "Act", "States": {"Act": {
    "Type": "Task", "Resource": f"{PREFIX}:activity:fuzz-activity", "End": True}}})
NO_TARGET = "(no X-Amz-Target header)"
TOKEN = "@@task-token@@"  # stands for the token of the waiting execution, unknown until it runs
#: values that name what the fuzzing service holds (FuzzApi creates exactly these), so that
#: requests get past "does not exist"
KNOWN = {
    "roleArn": [ROLE], "definition": [PASS, CALLBACK], "name": ["fuzz-standard", "done", "x"],
    "stateMachineArn": [f"{PREFIX}:stateMachine:fuzz-standard", f"{PREFIX}:stateMachine:fuzz-express",
                        f"{PREFIX}:stateMachine:fuzz-callback", f"{PREFIX}:stateMachine:fuzz-standard:1",
                        f"{PREFIX}:stateMachine:fuzz-standard:live"],
    "stateMachineVersionArn": [f"{PREFIX}:stateMachine:fuzz-standard:1"],
    "stateMachineAliasArn": [f"{PREFIX}:stateMachine:fuzz-standard:live"],
    "executionArn": [f"{PREFIX}:execution:fuzz-standard:done", f"{PREFIX}:execution:fuzz-callback:waiting"],
    "activityArn": [f"{PREFIX}:activity:fuzz-activity"], "taskToken": [TOKEN],
    "resourceArn": [f"{PREFIX}:stateMachine:fuzz-standard", f"{PREFIX}:activity:fuzz-activity",
                    f"{PREFIX}:stateMachine:fuzz-standard:live"],
}
#: what any operation may answer besides the codes botocore's model lists for it: the protocol's
#: own (a body that does not parse, an unknown target, one too large) and the request validator's
COMMON_CODES = {"SerializationException", "UnknownOperationException", "ValidationException",
                "RequestEntityTooLarge"}


@cache
def service_model() -> dict:
    loaders = pytest.importorskip("botocore.loaders")
    return loaders.Loader().load_service_model("stepfunctions", "service-2")


#: codes an operation gives beyond its model's list, where AWS's own answer is not recorded
#: (asl_runner/service says why at each)
EXTRA_CODES = {"ListStateMachineVersions": {"StateMachineDoesNotExist"}}


def allowed_codes(operation: str) -> set[str]:
    listed = service_model()["operations"].get(operation, {}).get("errors", [])
    return COMMON_CODES | EXTRA_CODES.get(operation, set()) | {error["shape"] for error in listed}


def output_members(operation: str) -> set[str]:
    model = service_model()
    shape = model["operations"][operation].get("output", {}).get("shape")
    return set(model["shapes"][shape]["members"]) if shape else set()


class FuzzApi:
    """An in-memory service on the virtual clock behind its ASGI app, holding the resources
    KNOWN names: machines (one with a version and an alias), executions (one waiting for its
    task token), an activity."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        handlers = {"F": lambda event, context: event, "G": lambda event, context: 1 / 0,
                    "Ask": lambda event, context: self.tokens.append(event["token"]) or {}}
        self.service = open_service(None, clock="virtual", handlers=handlers, max_workers=4)
        self.app = StepFunctionsApp(self.service, threads=4, sync_threads=4, poll_seconds=0.05)
        self.create("fuzz-standard", PASS, publish=True)
        self.create("fuzz-express", PASS, type="EXPRESS")
        # for still_serves: machines that no fuzzed request can name, so none deletes them
        self.standard = self.create("liveness-standard", PASS)["stateMachineArn"]
        self.express = self.create("liveness-express", PASS, type="EXPRESS")["stateMachineArn"]
        callback = self.create("fuzz-callback", CALLBACK)["stateMachineArn"]
        self.create("fuzz-activity-machine", ACTIVITY)
        self.ok("CreateActivity", {"name": "fuzz-activity"})
        self.ok("CreateStateMachineAlias", {"name": "live", "routingConfiguration": [
            {"stateMachineVersionArn": KNOWN["stateMachineVersionArn"][0], "weight": 100}]})
        self.ok("StartExecution", {"stateMachineArn": self.standard, "name": "done"})
        self.ok("StartExecution", {"stateMachineArn": callback, "name": "waiting"})
        self.wait_for(lambda: self.tokens)
        self.names = count()

    def close(self) -> None:
        self.app.close()
        self.service.close()

    def create(self, name: str, definition: str, **fields: Any) -> dict:
        return self.ok("CreateStateMachine", {"name": name, "definition": definition, "roleArn": ROLE, **fields})

    def ok(self, operation: str, body: dict) -> dict:
        status, reply = self.call(operation, json.dumps(body).encode())
        assert status == 200, (operation, body, reply)
        return reply

    @staticmethod
    def wait_for(condition: Callable[[], Any], seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.002)

    def call(self, operation: str, body: bytes, *, target: str | None = None,
             method: str = "POST") -> tuple[int, Any]:
        if self.tokens:
            body = body.replace(TOKEN.encode(), self.tokens[0].encode())
        return asyncio.run(self._send(body, f"AWSStepFunctions.{operation}" if target is None else target,
                                      method))

    async def _send(self, body: bytes, target: str, method: str) -> tuple[int, Any]:
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict] = []

        async def receive() -> dict:
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)  # the client stays for the answer
            return {"type": "http.disconnect"}

        async def reply(message: dict) -> None:
            sent.append(message)

        headers = [] if target == NO_TARGET else [(b"x-amz-target", target.encode("utf-8", "surrogateescape"))]
        scope = {"type": "http", "method": method, "path": "/", "headers": headers}
        await self.app(scope, receive, reply)
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"], sent
        return sent[0]["status"], json.loads(sent[1]["body"].decode("utf-8"))  # strict UTF-8

    def still_serves(self) -> None:
        """A good request still works, and the engine still runs executions to their end."""
        result = self.ok("StartSyncExecution", {"stateMachineArn": self.express, "input": '{"ok": 1}'})
        assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"ok": 1}, result
        arn = self.ok("StartExecution", {"stateMachineArn": self.standard})["executionArn"]
        self.wait_for(lambda: self.ok("DescribeExecution", {"executionArn": arn})["status"] == "SUCCEEDED")


def check_answer(operation: str | None, status: int, reply: Any) -> None:
    """An AWS-shaped answer: 200 with the operation's output members, or a 4xx error whose code
    the operation may give (``operation`` None: a request that names no operation)."""
    assert isinstance(reply, dict), reply
    if status == 200 and operation is not None:
        assert set(reply) <= output_members(operation), (operation, reply)
        return
    assert 400 <= status < 500, (operation, status, reply)  # 500 is a bug; no 503 in memory
    assert isinstance(reply.get("message"), str), reply
    namespace, _, code = str(reply.get("__type")).rpartition("#")
    assert namespace, reply
    assert code in (allowed_codes(operation) if operation else COMMON_CODES), (operation, status, reply)


@pytest.fixture(scope="module")
def api():
    instance = FuzzApi()
    yield instance
    instance.close()


_BODIES = {operation: request_bodies(operation, KNOWN) for operation in sorted(OPERATIONS)}
#: (operation, target, method, body): now and then a target or method that names no operation
requests = st.tuples(
    st.sampled_from(sorted(OPERATIONS)),
    weighted((19, st.none()), (1, st.sampled_from([
        NO_TARGET, "", "AWSStepFunctions.", "AWSStepFunctions.Nope", "StepFunctions.ListActivities",
        "AWSStepFunctions.DescribeMapRun", "AWSStepFunctions.listActivities",
        "AWSStepFunctions.ListActivities.x", "AWSStepFunctions.\udcff"]))),
    weighted((19, st.just("POST")), (1, st.sampled_from(["GET", "PUT"]))),
).flatmap(lambda r: _BODIES[r[0]].map(lambda body: (*r, body)))


@examples(60)
@given(batch=st.lists(requests, min_size=1, max_size=4))
@budgeted
def test_api_answers_every_request_in_aws_shape(api: FuzzApi, batch: list):
    for operation, target, method, body in batch:
        status, reply = api.call(operation, body, target=target, method=method)
        named = operation if target is None and method == "POST" else None
        event(f"{named} {status} {reply.get('__type', '').rpartition('#')[2]}")
        check_answer(named, status, reply)
    api.still_serves()


@examples(40)
@given(definition=weighted((3, valid_machines), (1, definitions)), kind=st.sampled_from(["STANDARD", "EXPRESS"]),
       text=weighted((3, inputs.map(json.dumps)), (1, json_texts())))
@budgeted
def test_api_runs_any_definition(api: FuzzApi, definition: Any, kind: str, text: str):
    """A definition goes through CreateStateMachine (or is refused as AWS refuses it), and an
    execution of it through StartExecution or StartSyncExecution, DescribeExecution and
    GetExecutionHistory: every answer AWS-shaped, whatever the definition and the input."""
    answers = []

    def call(operation: str, body: dict) -> dict:
        status, reply = api.call(operation, json.dumps(body).encode())
        check_answer(operation, status, reply)
        answers.append(f"{operation} {status} {reply.get('__type', '').rpartition('#')[2]}")
        return reply if status == 200 else {}

    name = f"fuzz-{next(api.names)}"
    created = call("CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                          "roleArn": ROLE, "type": kind})
    machine = created.get("stateMachineArn")
    if machine is not None:
        if kind == "EXPRESS":
            result = call("StartSyncExecution", {"stateMachineArn": machine, "input": text})
            assert result.get("status", "FAILED") in TERMINAL, result
            assert not result.get("cause", "").startswith(CRASHED), result
        else:
            execution = call("StartExecution", {"stateMachineArn": machine, "input": text}).get("executionArn")
            if execution is not None:
                described = call("DescribeExecution", {"executionArn": execution})
                assert not described.get("cause", "").startswith(CRASHED), described
                call("GetExecutionHistory", {"executionArn": execution, "reverseOrder": True})
                call("StopExecution", {"executionArn": execution, "error": "Fuzz"})
        call("DeleteStateMachine", {"stateMachineArn": machine})
    event(" / ".join(answers))


# the host: found by these tests, fixed there


def test_virtual_clock_under_serve_jumps_to_the_limit_a_wait_outlasts():
    service = open_service(None, clock="virtual")
    try:
        machine = service.create_state_machine({"name": "long-wait", "roleArn": ROLE,
                                                "definition": machine_definition(400 * 86400)})
        arn = service.start_execution({"stateMachineArn": machine["stateMachineArn"]})["executionArn"]
        deadline = time.monotonic() + 2
        while service.describe_execution({"executionArn": arn})["status"] == "RUNNING":
            assert time.monotonic() < deadline, "still RUNNING: the year did not pass"
            time.sleep(0.01)
        assert service.describe_execution({"executionArn": arn})["status"] == "TIMED_OUT"
        # an Express one held StartSyncExecution for 5 real minutes
        express = service.create_state_machine({"name": "long-wait-express", "roleArn": ROLE, "type": "EXPRESS",
                                                "definition": machine_definition(3600)})
        answers: list[dict] = []
        caller = threading.Thread(target=lambda: answers.append(service.start_sync_execution(
            {"stateMachineArn": express["stateMachineArn"]})), daemon=True)
        caller.start()
        caller.join(5)
        assert answers and answers[0]["status"] == "TIMED_OUT", answers
    finally:
        service.close()


def machine_definition(wait_seconds: int) -> str:
    return json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": wait_seconds, "End": True}}})
