"""Durable executions: what the store keeps, and what survives a crash of the host.

A "crash" here stops the host's engine thread where it stands, without any shutdown work, and
a new service then opens the same database: what the new one sees is only what the store held.
(tests/test_crash.py does the same with kill -9 of a real `asl-runner serve` process.)
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from asl_runner.service import ApiError, open_service

from support import crash, wait_until

ROLE = "arn:aws:iam::123456789012:role/test"
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def create(service, definition: dict, name: str = "m", kind: str = "STANDARD") -> str:
    return service.create_state_machine({"name": name, "definition": json.dumps(definition),
                                         "roleArn": ROLE, "type": kind})["stateMachineArn"]


def history(service, arn: str) -> list[dict]:
    return service.get_execution_history({"executionArn": arn, "maxResults": 1000})["events"]


def types(service, arn: str) -> list[str]:
    return [e["type"] for e in history(service, arn)]


def status(service, arn: str) -> str:
    return service.describe_execution({"executionArn": arn})["status"]


class Calls:
    """Handlers that count their invocations; ``Token`` hands out callback tokens."""

    def __init__(self):
        self.count: dict[str, int] = {}
        self.tokens: list[str] = []
        self.release = threading.Event()

    def handlers(self) -> dict:
        def count(name):
            def handler(event, context):
                self.count[name] = self.count.get(name, 0) + 1
                return {"from": name}
            return handler

        def token(event, context):
            self.tokens.append(event["token"])
            return {"queued": True}

        def blocked(event, context):
            self.count["Blocked"] = self.count.get("Blocked", 0) + 1
            self.release.wait(10)
            return {"from": "Blocked"}

        return {"First": count("First"), "Last": count("Last"), "Token": token, "Blocked": blocked}


MACHINE = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Task", "Resource": FN + "First", "Next": "Both"},
        "Both": {"Type": "Parallel", "Next": "Last", "Branches": [
            {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 1, "End": True}}},
            {"StartAt": "Ask", "States": {"Ask": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "Token", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True}}},
        ]},
        "Last": {"Type": "Task", "Resource": FN + "Last", "End": True},
    },
}


def test_a_crashed_host_resumes_every_running_execution(tmp_path):
    db = str(tmp_path / "store.db")
    calls = Calls()
    service = open_service(db, handlers=calls.handlers())
    arn = service.start_execution({"stateMachineArn": create(service, MACHINE), "input": "{}"})["executionArn"]
    wait_until(lambda: "TaskSubmitted" in types(service, arn))
    before = history(service, arn)
    token = calls.tokens[0]
    crash(service)

    time.sleep(1.1)  # the Wait falls due while nobody is running
    again = open_service(db, handlers=calls.handlers())
    try:
        assert status(again, arn) == "RUNNING"
        assert history(again, arn)[:len(before)] == before
        # First had completed: it is not invoked again; the callback task is not re-submitted
        assert calls.count == {"First": 1}
        assert len(calls.tokens) == 1
        wait_until(lambda: "WaitStateExited" in types(again, arn))
        # the token issued before the crash still completes the task
        again.send_task_success({"taskToken": token, "output": json.dumps({"approved": True})})
        wait_until(lambda: status(again, arn) != "RUNNING")
        events = history(again, arn)
        assert status(again, arn) == "SUCCEEDED"
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert calls.count == {"First": 1, "Last": 1}
        assert [e["type"] for e in events].count("TaskSubmitted") == 1
    finally:
        again.close()


def test_a_task_in_flight_at_the_crash_runs_again(tmp_path):
    """At least once, as on AWS: the outcome was never recorded, so the task is redone."""
    db = str(tmp_path / "store.db")
    calls = Calls()
    service = open_service(db, handlers=calls.handlers())
    machine = {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": FN + "Blocked", "End": True}}}
    arn = service.start_execution({"stateMachineArn": create(service, machine), "input": "{}"})["executionArn"]
    wait_until(lambda: calls.count.get("Blocked") == 1)
    crash(service)
    calls.release.set()
    again = open_service(db, handlers=calls.handlers())
    try:
        wait_until(lambda: status(again, arn) == "SUCCEEDED")
        assert calls.count["Blocked"] == 2
        assert types(again, arn).count("LambdaFunctionSucceeded") == 1
    finally:
        again.close()


def test_an_execution_that_cannot_be_rebuilt_fails_with_the_reason(tmp_path):
    db = str(tmp_path / "store.db")
    calls = Calls()
    service = open_service(db, handlers=calls.handlers())
    arn = service.start_execution({"stateMachineArn": create(service, MACHINE), "input": "{}"})["executionArn"]
    wait_until(lambda: "TaskSubmitted" in types(service, arn))
    crash(service)
    # the recorded definition no longer matches the history (as if edited under it)
    other = json.dumps({"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}})
    with service.store.transaction() as c:
        c.execute("UPDATE executions SET definition=? WHERE arn=?", (other, arn))
    again = open_service(db, handlers=calls.handlers())
    try:
        described = again.describe_execution({"executionArn": arn})
        assert described["status"] == "FAILED"
        assert described["error"] == "States.Runtime"
        assert "could not resume" in described["cause"]
        assert types(again, arn)[-1] == "ExecutionFailed"
    finally:
        again.close()


def test_a_step_and_its_events_land_together_or_not_at_all(tmp_path):
    db = str(tmp_path / "store.db")
    calls = Calls()
    service = open_service(db, handlers=calls.handlers())
    try:
        arn = service.start_execution({"stateMachineArn": create(service, MACHINE), "input": "{}"})["executionArn"]
        wait_until(lambda: "TaskSubmitted" in types(service, arn))
        store = service.store
        inputs_before = len(store.inputs(arn))
        events_before = types(service, arn)

        def broken(*args, **kwargs):
            raise OSError("disk full")

        original = store.append_events
        store.append_events = broken
        with pytest.raises(OSError):
            service.send_task_success({"taskToken": calls.tokens[0], "output": "{}"})
        store.append_events = original
        assert len(store.inputs(arn)) == inputs_before
        assert types(service, arn) == events_before
    finally:
        crash(service)


def test_heartbeat_timeout_on_a_callback_task():
    calls = Calls()
    service = open_service(None, handlers=calls.handlers(), clock="virtual")
    try:
        machine = {"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "HeartbeatSeconds": 30, "TimeoutSeconds": 3600,
            "Parameters": {"FunctionName": "Token", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True}}}
        arn = service.start_execution({"stateMachineArn": create(service, machine), "input": "{}"})["executionArn"]
        wait_until(lambda: status(service, arn) != "RUNNING")
        described = service.describe_execution({"executionArn": arn})
        # AWS records States.Timeout for a callback task's missed heartbeat (services/
        # TestHeartbeats_*: 2024); States.HeartbeatTimeout is an activity's
        assert described["error"] == "States.Timeout"
        events = history(service, arn)
        timed_out = [e for e in events if e["type"] == "TaskTimedOut"][0]
        assert timed_out["taskTimedOutEventDetails"] == {
            "error": "States.Timeout", "resourceType": "lambda", "resource": "invoke.waitForTaskToken"}
        submitted = [e for e in events if e["type"] == "TaskStarted"][0]
        assert timed_out["timestamp"] - submitted["timestamp"] == pytest.approx(30, abs=0.01)
        with pytest.raises(ApiError) as err:
            service.send_task_heartbeat({"taskToken": calls.tokens[0]})
        assert err.value.code == "TaskTimedOut"
    finally:
        service.close()


def test_heartbeats_keep_a_callback_task_alive(tmp_path):
    calls = Calls()
    service = open_service(None, handlers=calls.handlers())
    try:
        machine = {"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "HeartbeatSeconds": 1,
            "Parameters": {"FunctionName": "Token", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True}}}
        arn = service.start_execution({"stateMachineArn": create(service, machine), "input": "{}"})["executionArn"]
        wait_until(lambda: calls.tokens)
        for _ in range(4):
            time.sleep(0.4)
            service.send_task_heartbeat({"taskToken": calls.tokens[0]})
        assert status(service, arn) == "RUNNING"
        service.send_task_success({"taskToken": calls.tokens[0], "output": '"done"'})
        wait_until(lambda: status(service, arn) == "SUCCEEDED")
    finally:
        service.close()


def test_token_errors():
    calls = Calls()
    service = open_service(None, handlers=calls.handlers())
    try:
        machine = {"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Token", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True}}}
        arn = service.start_execution({"stateMachineArn": create(service, machine), "input": "{}"})["executionArn"]
        wait_until(lambda: calls.tokens)
        token = calls.tokens[0]
        for bad, code in (("not a token", "InvalidToken"),
                          ("YXJuOmF3czpzdGF0ZXM6dXMtZWFzdC0xOjEyMzQ1Njc4OTAxMjpleGVjdXRpb246bTpub3BlIzEjMA",
                           "TaskDoesNotExist")):
            with pytest.raises(ApiError) as err:
                service.send_task_success({"taskToken": bad, "output": "{}"})
            assert err.value.code == code
        with pytest.raises(ApiError) as err:
            service.send_task_success({"taskToken": token, "output": "not json"})
        assert err.value.code == "InvalidOutput"
        service.send_task_failure({"taskToken": token, "error": "Nope", "cause": "declined"})
        wait_until(lambda: status(service, arn) == "FAILED")
        with pytest.raises(ApiError) as err:
            service.send_task_success({"taskToken": token, "output": "{}"})
        assert err.value.code == "TaskTimedOut"
        described = service.describe_execution({"executionArn": arn})
        assert (described["error"], described["cause"]) == ("Nope", "declined")
    finally:
        service.close()


def test_activities_are_served_to_polling_workers():
    service = open_service(None)
    try:
        activity = service.create_activity({"name": "Sign"})["activityArn"]
        machine = {"StartAt": "Sign", "States": {"Sign": {
            "Type": "Task", "Resource": activity, "HeartbeatSeconds": 60, "End": True}}}
        arn = service.start_execution({"stateMachineArn": create(service, machine),
                                       "input": json.dumps({"doc": 7})})["executionArn"]
        task = service.get_activity_task({"activityArn": activity, "workerName": "w1"})
        assert json.loads(task["input"]) == {"doc": 7}
        service.send_task_success({"taskToken": task["taskToken"], "output": json.dumps({"signed": 7})})
        wait_until(lambda: status(service, arn) == "SUCCEEDED")
        assert types(service, arn) == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                       "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                       "ExecutionSucceeded"]
        started = [e for e in history(service, arn) if e["type"] == "ActivityStarted"][0]
        assert started["activityStartedEventDetails"] == {"workerName": "w1"}
        # nothing left: a poll returns an empty response after its wait
        assert service.get_activity_task({"activityArn": activity}, poll_seconds=0.2) == {}
    finally:
        service.close()


def test_stop_execution_aborts_with_the_given_error_and_cause():
    calls = Calls()
    service = open_service(None, handlers=calls.handlers())
    try:
        arn = service.start_execution({"stateMachineArn": create(service, MACHINE), "input": "{}"})["executionArn"]
        wait_until(lambda: calls.tokens)
        service.stop_execution({"executionArn": arn, "error": "Operator", "cause": "changed my mind"})
        described = service.describe_execution({"executionArn": arn})
        assert (described["status"], described["error"], described["cause"]) == (
            "ABORTED", "Operator", "changed my mind")
        last = history(service, arn)[-1]
        assert last["type"] == "ExecutionAborted"
        assert last["executionAbortedEventDetails"] == {"error": "Operator", "cause": "changed my mind"}
    finally:
        service.close()


def test_start_execution_is_idempotent_by_name_while_running():
    calls = Calls()
    service = open_service(None, handlers=calls.handlers())
    try:
        machine = create(service, MACHINE)
        first = service.start_execution({"stateMachineArn": machine, "name": "once", "input": "{}"})
        again = service.start_execution({"stateMachineArn": machine, "name": "once", "input": "{}"})
        assert again == first
        with pytest.raises(ApiError) as err:
            service.start_execution({"stateMachineArn": machine, "name": "once", "input": '{"x": 1}'})
        assert err.value.code == "ExecutionAlreadyExists"
    finally:
        service.close()


def test_executions_keep_the_definition_they_started_with():
    """Updating a machine (or publishing versions) never changes a running execution."""
    calls = Calls()
    service = open_service(None, handlers=calls.handlers())
    try:
        machine = create(service, MACHINE)
        arn = service.start_execution({"stateMachineArn": machine, "input": "{}"})["executionArn"]
        wait_until(lambda: calls.tokens)
        service.update_state_machine({"stateMachineArn": machine, "definition": json.dumps(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})})
        service.send_task_success({"taskToken": calls.tokens[0], "output": "{}"})
        wait_until(lambda: status(service, arn) == "SUCCEEDED")
        assert "Last" in [e.get("stateEnteredEventDetails", {}).get("name") for e in history(service, arn)]
        described = service.describe_state_machine_for_execution({"executionArn": arn})
        assert json.loads(described["definition"]) == MACHINE
    finally:
        service.close()


def test_versions_and_aliases_route_executions():
    service = open_service(None)
    try:
        one = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}
        two = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": True}}}
        machine = service.create_state_machine({"name": "v", "definition": json.dumps(one),
                                                "roleArn": ROLE, "publish": True})
        v1 = machine["stateMachineVersionArn"]
        v2 = service.update_state_machine({"stateMachineArn": machine["stateMachineArn"],
                                           "definition": json.dumps(two), "publish": True})["stateMachineVersionArn"]
        assert (v1.rsplit(":", 1)[1], v2.rsplit(":", 1)[1]) == ("1", "2")
        alias = service.create_state_machine_alias({
            "name": "live", "routingConfiguration": [{"stateMachineVersionArn": v1, "weight": 100}]})["stateMachineAliasArn"]
        for target, expected in ((v1, 1), (v2, 2), (alias, 1), (machine["stateMachineArn"], 2)):
            arn = service.start_execution({"stateMachineArn": target, "input": "{}"})["executionArn"]
            wait_until(lambda arn=arn: status(service, arn) == "SUCCEEDED")
            assert service.describe_execution({"executionArn": arn})["output"] == str(expected)
        listed = service.list_state_machine_versions({"stateMachineArn": machine["stateMachineArn"]})
        assert [v["stateMachineVersionArn"] for v in listed["stateMachineVersions"]] == [v2, v1]
        with pytest.raises(ApiError) as err:
            service.delete_state_machine_version({"stateMachineVersionArn": v1})
        assert err.value.code == "ConflictException"
    finally:
        service.close()
