"""RedriveExecution through the Step Functions API: AWS's answers and refusals, the redrive
fields of DescribeExecution and ListExecutions, idempotency by clientToken, and a redrive that
survives a crash of the host (tests/test_redrive_serve.py kills a real server with -9)."""

from __future__ import annotations

import json
import threading

import pytest

from asl_runner.engine.redrive import LAUNCHED
from asl_runner.service import ApiError, open_service

from support import crash, wait_until

ROLE = "arn:aws:iam::123456789012:role/test"
WORK = "arn:aws:lambda:us-east-1:123456789012:function:Work"


class Work:
    """A handler that fails for the names in ``broken``, counting calls; ``gate`` holds calls
    to ``held`` until it is set."""

    def __init__(self, *broken: str):
        self.broken = set(broken)
        self.calls: dict[str, int] = {}
        self.gate = threading.Event()
        self.held: set[str] = set()

    def __call__(self, event, context):
        name = event["name"]
        self.calls[name] = self.calls.get(name, 0) + 1
        if name in self.held:
            self.gate.wait(10)
        if name in self.broken:
            raise RuntimeError(f"{name} is broken")
        return name


def step(name: str, **fields) -> dict:
    return {"Type": "Task", "Resource": WORK, "Parameters": {"name": name},
            **({"End": True} if "Next" not in fields else {}), **fields}


TASKS = {"StartAt": "Prepare", "States": {
    "Prepare": step("prepare", ResultPath="$.prepared", Next="Charge"),
    "Charge": step("charge", ResultPath="$.charged")}}
#: b fails once a and c are done: on the virtual clock its Wait ends when nothing else runs
BRANCHES = [{"StartAt": "a", "States": {"a": step("a")}},
            {"StartAt": "Later", "States": {"Later": {"Type": "Wait", "Seconds": 1, "Next": "b"},
                                             "b": step("b")}},
            {"StartAt": "c", "States": {"c": step("c")}}]
PARALLEL = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True,
                                             "Branches": BRANCHES}}}


@pytest.fixture
def work():
    return Work()


@pytest.fixture
def service(work):
    service = open_service(None, handlers={"Work": work}, clock="virtual")
    yield service
    service.close()


def create(service, definition: dict, name: str = "m", kind: str = "STANDARD") -> str:
    return service.create_state_machine({"name": name, "definition": json.dumps(definition),
                                         "roleArn": ROLE, "type": kind})["stateMachineArn"]


def finished(service, arn: str) -> dict:
    wait_until(lambda: service.describe_execution({"executionArn": arn})["status"] != "RUNNING")
    return service.describe_execution({"executionArn": arn})


def failed_run(service, work: Work, definition: dict, broken: str, name: str = "e") -> str:
    work.broken = {broken}
    arn = service.start_execution({"stateMachineArn": create(service, definition),
                                   "name": name, "input": "{}"})["executionArn"]
    assert finished(service, arn)["status"] == "FAILED"
    return arn


def history(service, arn: str) -> list[dict]:
    return service.get_execution_history({"executionArn": arn, "maxResults": 1000})["events"]


def refused(call, code: str, message: str | None = None) -> None:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.code == code, caught.value
    if message is not None:
        assert caught.value.message == message


def test_redrive_of_a_task_failure(service, work):
    arn = failed_run(service, work, TASKS, "charge")
    before = service.describe_execution({"executionArn": arn})
    assert (before["redriveCount"], before["redriveStatus"]) == (0, "REDRIVABLE")
    assert "redriveStatusReason" not in before and "redriveDate" not in before
    first = len(history(service, arn))
    work.broken.clear()
    work.calls.clear()

    answer = service.redrive_execution({"executionArn": arn})
    after = finished(service, arn)
    assert after["status"] == "SUCCEEDED"
    assert json.loads(after["output"]) == {"prepared": "prepare", "charged": "charge"}
    assert work.calls == {"charge": 1}
    assert after["redriveCount"] == 1 and after["redriveDate"] == answer["redriveDate"]
    assert after["redriveStatus"] == "NOT_REDRIVABLE"
    assert after["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert "error" not in after and "cause" not in after
    events = history(service, arn)
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    redriven = events[first]
    assert redriven["type"] == "ExecutionRedriven" and redriven["previousEventId"] == first
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert redriven["timestamp"] == answer["redriveDate"]
    assert events[first + 1]["type"] == "TaskStateEntered"

    listed = service.list_executions({"stateMachineArn": after["stateMachineArn"]})["executions"]
    assert listed[0]["redriveCount"] == 1 and listed[0]["redriveDate"] == answer["redriveDate"]
    for which, expected in (("REDRIVEN", [arn]), ("NOT_REDRIVEN", [])):
        page = service.list_executions({"stateMachineArn": after["stateMachineArn"],
                                        "redriveFilter": which})["executions"]
        assert [e["executionArn"] for e in page] == expected


def test_only_the_failed_branch_runs_again(service, work):
    arn = failed_run(service, work, PARALLEL, "b")
    assert work.calls == {"a": 1, "b": 1, "c": 1}
    work.broken.clear()
    work.calls.clear()
    service.redrive_execution({"executionArn": arn})
    done = finished(service, arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == ["a", "b", "c"]
    assert work.calls == {"b": 1}
    after = [e["type"] for e in history(service, arn)]
    after = after[after.index("ExecutionRedriven"):]
    assert after == ["ExecutionRedriven", "ParallelStateEntered", "ParallelStateStarted",
                     "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                     "LambdaFunctionSucceeded", "TaskStateExited", "ParallelStateSucceeded",
                     "ParallelStateExited", "ExecutionSucceeded"]


def test_the_same_client_token_redrives_once(service, work):
    arn = failed_run(service, work, TASKS, "charge")  # still broken: it fails again
    first = service.redrive_execution({"executionArn": arn, "clientToken": "retry-1"})
    finished(service, arn)
    again = service.redrive_execution({"executionArn": arn, "clientToken": "retry-1"})
    assert again == first
    assert [e["type"] for e in history(service, arn)].count("ExecutionRedriven") == 1
    service.redrive_execution({"executionArn": arn, "clientToken": "retry-2"})
    assert finished(service, arn)["redriveCount"] == 2


def test_refusals(service, work):
    arn = failed_run(service, work, TASKS, "charge")
    work.broken.clear()
    service.redrive_execution({"executionArn": arn})
    finished(service, arn)
    refused(lambda: service.redrive_execution({"executionArn": arn}), "ExecutionNotRedrivable",
            "Execution is SUCCEEDED and cannot be redriven")
    missing = arn.rpartition(":")[0] + ":nobody"
    refused(lambda: service.redrive_execution({"executionArn": missing}), "ExecutionDoesNotExist")
    refused(lambda: service.redrive_execution({"executionArn": "arn:nope"}), "InvalidArn")
    refused(lambda: service.redrive_execution({"executionArn": arn, "clientToken": ""}),
            "ValidationException")
    refused(lambda: service.redrive_execution({"executionArn": arn, "clientToken": "a b"}),
            "ValidationException")


def test_a_running_execution_is_not_redrivable(service, work):
    work.held = {"prepare"}
    arn = service.start_execution({"stateMachineArn": create(service, TASKS)})["executionArn"]
    wait_until(lambda: work.calls.get("prepare"))
    described = service.describe_execution({"executionArn": arn})
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"
    refused(lambda: service.redrive_execution({"executionArn": arn}), "ExecutionNotRedrivable",
            "Execution is RUNNING and cannot be redriven")
    work.gate.set()
    finished(service, arn)


def test_not_after_14_days(service, work):
    arn = failed_run(service, work, TASKS, "charge")
    stopped = service.describe_execution({"executionArn": arn})["stopDate"]
    service.host.clock.skip_to(stopped + 14 * 86400 + 1)
    described = service.describe_execution({"executionArn": arn})
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE", "Execution redrivable period exceeded")
    refused(lambda: service.redrive_execution({"executionArn": arn}), "ExecutionNotRedrivable",
            "Execution redrivable period exceeded")



def test_express_executions_are_not_redrivable(service, work):
    work.broken = {"charge"}
    machine = create(service, TASKS, name="x", kind="EXPRESS")
    arn = service.start_execution({"stateMachineArn": machine})["executionArn"]
    assert finished(service, arn)["status"] == "FAILED"
    refused(lambda: service.redrive_execution({"executionArn": arn}), "ExecutionNotRedrivable")


def test_a_redriven_execution_survives_a_crash(tmp_path):
    db = str(tmp_path / "store.db")
    work = Work("b")
    tokens = []

    def hold(event, context):
        tokens.append(event["token"])
        return {"queued": True}

    handlers = {"Work": work, "Hold": hold}
    machine = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Approve", "Branches": BRANCHES},
        # the redriven execution waits for a callback when the host dies
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "Hold", "Payload": {"token.$": "$$.Task.Token"}},
                    "ResultPath": None, "Next": "Last"},
        "Last": step("last")}}
    first = open_service(db, handlers=handlers, clock="virtual")
    arn = failed_run(first, work, machine, "b")
    work.broken.clear()
    work.calls.clear()
    first.redrive_execution({"executionArn": arn})
    wait_until(lambda: tokens)
    wait_until(lambda: "TaskSubmitted" in [e["type"] for e in history(first, arn)])
    before = history(first, arn)
    crash(first)

    second = open_service(db, handlers=handlers, clock="virtual")
    try:
        assert second.describe_execution({"executionArn": arn})["status"] == "RUNNING"
        second.send_task_success({"taskToken": tokens[-1], "output": '"yes"'})
        done = finished(second, arn)
        assert done["status"] == "SUCCEEDED" and done["redriveCount"] == 1
        events = history(second, arn)
        assert events[:len(before)] == before
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert [e["type"] for e in events].count("ExecutionRedriven") == 1
        assert work.calls == {"b": 1, "last": 1}  # a and c never ran again
    finally:
        second.close()


def test_an_execution_that_failed_before_a_restart_is_redriven_after_it(tmp_path):
    db = str(tmp_path / "store.db")
    work = Work()
    first = open_service(db, handlers={"Work": work}, clock="virtual")
    try:
        arn = failed_run(first, work, PARALLEL, "b")
        before = history(first, arn)
    finally:
        first.close()
    work.broken.clear()
    work.calls.clear()
    second = open_service(db, handlers={"Work": work}, clock="virtual")
    try:
        assert second.describe_execution({"executionArn": arn})["redriveStatus"] == "REDRIVABLE"
        second.redrive_execution({"executionArn": arn})
        done = finished(second, arn)
        assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == ["a", "b", "c"]
        assert work.calls == {"b": 1}
        assert history(second, arn)[:len(before)] == before
    finally:
        second.close()


def test_an_execution_of_a_deleted_state_machine_is_not_redrivable(service, work):
    arn = failed_run(service, work, TASKS, "charge")
    machine = service.describe_execution({"executionArn": arn})["stateMachineArn"]
    service.delete_state_machine({"stateMachineArn": machine})
    described = service.describe_execution({"executionArn": arn})
    assert (described["redriveStatus"], described["redriveStatusReason"]) == (
        "NOT_REDRIVABLE", "State machine is in DELETING status")
    refused(lambda: service.redrive_execution({"executionArn": arn}), "ExecutionNotRedrivable",
            "State machine is in DELETING status")


START = 1_750_000_000.0  # an execution of 2025


@pytest.mark.parametrize("change, reason", [
    ({"events": 24_999}, "Execution history event limit exceeded"),
    ({"now": START + 365 * 86400.0}, "Execution has exceeded the max execution time"),
    ({"now": START + 14 * 86400.0 + 10}, "Execution redrivable period exceeded"),
    ({"start": LAUNCHED - 1, "stop": LAUNCHED + 5},
     "Execution was started before the launch of RedriveExecution"),
])
def test_the_other_limits(change, reason):
    from asl_runner.engine.redrive import refusal

    facts = {"status": "FAILED", "machine_type": "STANDARD", "start": START, "stop": START + 5,
             "events": 10, "now": START + 60}
    assert refusal(**facts) is None
    assert refusal(**{**facts, **change}) == reason


def test_a_redrive_the_store_cannot_record_changes_nothing_and_can_be_made_again(service, work):
    from test_faults import failing_commits

    arn = failed_run(service, work, TASKS, "charge")
    before = history(service, arn)
    work.broken.clear()
    work.calls.clear()
    with failing_commits(service):
        refused(lambda: service.redrive_execution({"executionArn": arn, "clientToken": "t"}),
                "ServiceUnavailable")
    assert service.describe_execution({"executionArn": arn})["status"] == "FAILED"
    assert history(service, arn) == before and not work.calls  # nothing ran, nothing written
    service.redrive_execution({"executionArn": arn, "clientToken": "t"})  # the SDK's retry
    assert finished(service, arn)["status"] == "SUCCEEDED" and work.calls == {"charge": 1}
    assert [e["type"] for e in history(service, arn)].count("ExecutionRedriven") == 1


def test_a_distributed_maps_child_is_redrivable_by_its_map_run_only(service, work):
    work.broken = {"x"}
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": 1,
        "ItemSelector": {"name.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "W", "States": {"W": step("w")}}}}}
    definition["States"]["M"]["ItemProcessor"]["States"]["W"]["Parameters"] = {"name.$": "$.name"}
    machine = create(service, definition, name="dm")
    arn = service.start_execution({"stateMachineArn": machine, "input": '["ok", "x"]'})["executionArn"]
    assert finished(service, arn)["status"] == "FAILED"
    [run] = service.list_map_runs({"executionArn": arn})["mapRuns"]
    children = service.list_executions({"mapRunArn": run["mapRunArn"]})["executions"]
    by_status = {c["status"]: c["executionArn"] for c in children}
    failed = service.describe_execution({"executionArn": by_status["FAILED"]})
    assert failed["redriveStatus"] == "REDRIVABLE_BY_MAP_RUN" and "redriveStatusReason" not in failed
    ok = service.describe_execution({"executionArn": by_status["SUCCEEDED"]})
    assert ok["redriveStatus"] == "NOT_REDRIVABLE"
    refused(lambda: service.redrive_execution({"executionArn": by_status["FAILED"]}),
            "ExecutionNotRedrivable")
    assert service.describe_execution({"executionArn": arn})["redriveStatus"] == "REDRIVABLE"


def test_an_aws_sdk_task_can_redrive_another_execution(service, work):
    arn = failed_run(service, work, TASKS, "charge")
    work.broken.clear()
    redriver = {"StartAt": "R", "States": {"R": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:redriveExecution",
        "Parameters": {"ExecutionArn.$": "$.arn"}, "End": True}}}
    machine = create(service, redriver, name="redriver")

    def redrive_it() -> dict:
        started = service.start_execution({"stateMachineArn": machine,
                                           "input": json.dumps({"arn": arn})})
        return finished(service, started["executionArn"])

    first = redrive_it()
    assert first["status"] == "SUCCEEDED" and "RedriveDate" in json.loads(first["output"])
    assert finished(service, arn)["status"] == "SUCCEEDED"
    again = redrive_it()  # AWS's error, as the aws-sdk integration names it
    assert (again["status"], again["error"]) == ("FAILED", "Sfn.ExecutionNotRedrivableException")
    assert again["cause"].startswith("Execution is SUCCEEDED and cannot be redriven")
