"""Distributed Map children as executions of their own, and Map Runs in the API.

In-process first (the engine on a virtual clock, then the service on a store), then through
boto3 against `asl-runner serve`, including a kill -9 in the middle of a Map Run: after the
restart no child row or event is written twice.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from typing import Any

import pytest

from asl_runner.engine import Runner
from asl_runner.engine.map_run import Changes
from asl_runner.service import ApiError, open_service

from support import lambda_arn, start

ROLE = "arn:aws:iam::123456789012:role/r"
FAIL_BAD = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "F"}],
          "Default": "P"},
    "P": {"Type": "Pass", "End": True},
    "F": {"Type": "Fail", "Error": "Bad", "Cause": "a bad row"}}}


def distributed(processor: dict, execution_type: str = "STANDARD", **map_fields: Any) -> dict:
    body = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            **processor}
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": body, "End": True,
                                             **map_fields}}}


def rows(*bad: bool) -> list[dict]:
    return [{"bad": b} for b in bad]


def run(definition: dict, input: Any) -> tuple[Any, Changes]:
    """Run in-process, keeping what a store would be given."""
    ex = start(definition, input, state_machine_name="sm")
    changes = ex.map_run_changes = Changes()
    Runner(lambda invocation: None).run(ex)
    return ex, changes


def only_map_run(ex: Any) -> dict:
    (map_run,) = ex.map_runs.values()
    return map_run.describe()


# ---------------------------------------------------------------------------------------------
# the engine (the Python API)
# ---------------------------------------------------------------------------------------------


def test_each_child_is_an_execution_with_awss_arn_and_its_own_history():
    ex, changes = run(distributed(FAIL_BAD, Label="Rows", ToleratedFailureCount=1),
                      rows(False, True, False))
    assert ex.status == "SUCCEEDED"
    # the parent's history has only the Map Run's events
    assert [e.type for e in ex.history] == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
        "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    map_run_arn = ex.history[3].details["mapRunArn"]
    assert map_run_arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:sm/Rows:")
    children = sorted(changes.children.values(), key=lambda c: c.index)
    assert [c.status for c in children] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
    for child in children:
        prefix, name = child.arn.rsplit(":", 1)
        assert prefix == "arn:aws:states:us-east-1:123456789012:execution:sm/Rows"
        assert name == child.name and len(name) == 36
        assert child.state_machine_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:sm/Rows"
        assert child.map_run_arn == map_run_arn
    good, bad = children[0], children[1]
    assert [(e.id, e.previous_id, e.type) for e in good.events] == [
        (1, 0, "ExecutionStarted"), (2, 0, "ChoiceStateEntered"), (3, 2, "ChoiceStateExited"),
        (4, 3, "PassStateEntered"), (5, 4, "PassStateExited"), (6, 5, "ExecutionSucceeded")]
    assert good.events[0].details["input"] == {"bad": False}
    assert good.events[-1].details == {"output": {"bad": False}}
    assert bad.events[-1].type == "ExecutionFailed"
    assert bad.events[-1].details == {"error": "Bad", "cause": "a bad row"}
    assert (bad.error, bad.cause) == ("Bad", "a bad row")


def test_an_express_child_has_an_express_arn():
    ex, changes = run(distributed(FAIL_BAD, "EXPRESS", Label="L"), rows(False))
    (child,) = changes.children.values()
    assert child.arn.startswith("arn:aws:states:us-east-1:123456789012:express:sm/L:")
    assert len(child.arn.split(":")) == 9  # ...:express:MACHINE/LABEL:NAME:UUID


def test_the_map_run_counts_items_and_executions_as_describe_map_run_does():
    ex, _ = run(distributed(FAIL_BAD, MaxConcurrency=2, ToleratedFailurePercentage=50),
                rows(False, True, False, False))
    described = only_map_run(ex)
    assert described["status"] == "SUCCEEDED"
    assert described["maxConcurrency"] == 2
    assert described["toleratedFailurePercentage"] == 50.0
    assert described["toleratedFailureCount"] == 0
    counts = {"pending": 0, "running": 0, "succeeded": 3, "failed": 1, "timedOut": 0, "aborted": 0,
              "total": 4, "resultsWritten": 4, "failuresNotRedrivable": 0, "pendingRedrive": 0}
    assert described["itemCounts"] == counts
    assert described["executionCounts"] == counts
    assert described["stopDate"] >= described["startDate"]


def test_item_counts_count_the_items_of_each_batch():
    definition = distributed({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                             ItemBatcher={"MaxItemsPerBatch": 2})
    ex, _ = run(definition, [1, 2, 3, 4, 5])
    described = only_map_run(ex)
    assert described["itemCounts"]["total"] == 5
    assert described["itemCounts"]["succeeded"] == 5
    assert described["executionCounts"]["total"] == 3


def test_past_either_threshold_the_map_run_fails_with_awss_error():
    # 2 of 10 items failed: within the count (5) but over the percentage (10): AWS fails the
    # run when either is exceeded
    ex, _ = run(distributed(FAIL_BAD, ToleratedFailureCount=5, ToleratedFailurePercentage=10),
                rows(True, True, *[False] * 8))
    assert ex.status == "FAILED"
    assert ex.error == "States.ExceedToleratedFailureThreshold"
    assert ex.cause == "The specified tolerated failure threshold was exceeded"
    assert [e.type for e in ex.history][-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed",
                                                 "ExecutionFailed"]
    assert only_map_run(ex)["status"] == "FAILED"


def test_the_first_failure_fails_a_map_run_without_a_threshold_and_aborts_the_rest():
    processor = {"StartAt": "C", "States": {**FAIL_BAD["States"], "P": {
        "Type": "Wait", "Seconds": 5, "End": True}}}
    ex, changes = run(distributed(processor, MaxConcurrency=2), rows(False, True, False))
    assert ex.error == "States.ExceedToleratedFailureThreshold"
    described = only_map_run(ex)
    assert described["status"] == "FAILED"
    counts = described["executionCounts"]
    assert (counts["failed"], counts["aborted"], counts["pending"]) == (1, 1, 1)
    aborted = [c for c in changes.children.values() if c.status == "ABORTED"]
    assert [e.type for e in aborted[0].events][-1] == "ExecutionAborted"


def test_a_terminal_error_inside_a_child_fails_that_child_not_the_parent():
    # States.Runtime (a path that is not there) ends the child execution, as on AWS; the Map
    # Run counts it, and its tolerance lets the parent succeed
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.missing",
                                                  "End": True}}}
    ex, changes = run(distributed(processor, ToleratedFailureCount=1), [{"missing": 1}, {}])
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    statuses = sorted(c.status for c in changes.children.values())
    assert statuses == ["FAILED", "SUCCEEDED"]
    (failed,) = [c for c in changes.children.values() if c.status == "FAILED"]
    assert failed.error == "States.Runtime"
    assert failed.events[-1].type == "ExecutionFailed"


def test_the_context_object_inside_a_child_is_the_childs():
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Parameters": {
        "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "input.$": "$$.Execution.Input",
        "machine.$": "$$.StateMachine.Id"}}}}
    ex, changes = run(distributed(processor, Label="L"), ["x"])
    (child,) = changes.children.values()
    assert ex.output == [{"id": child.arn, "name": child.name, "input": "x",
                          "machine": child.state_machine_arn}]


def test_a_stopped_parent_aborts_its_map_run_and_running_children():
    processor = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    ex = start(distributed(processor, MaxConcurrency=1), [1, 2], state_machine_name="sm")
    changes = ex.map_run_changes = Changes()
    ex.start()
    ex.stop("Stopped", "by the test")
    described = only_map_run(ex)
    assert described["status"] == "ABORTED"
    assert (described["executionCounts"]["aborted"], described["executionCounts"]["pending"]) == (1, 1)
    assert [c.status for c in changes.children.values()] == ["ABORTED"]


def test_nothing_is_kept_of_a_child_without_a_store():
    ex = start(distributed(FAIL_BAD), rows(*[False] * 50), state_machine_name="sm")
    Runner(lambda invocation: None).run(ex)
    assert ex.status == "SUCCEEDED"
    (map_run,) = ex.map_runs.values()
    assert map_run.fanout.children == {}  # no child lingers once ended
    assert map_run.describe()["executionCounts"]["succeeded"] == 50


def test_max_concurrency_zero_runs_at_most_awss_10000_children_at_once():
    from asl_runner.engine.map_run import MAX_CONCURRENT_CHILDREN

    processor = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}
    ex = start(distributed(processor), list(range(MAX_CONCURRENT_CHILDREN + 5)),
               state_machine_name="sm")
    ex.start()
    counts = only_map_run(ex)["executionCounts"]
    assert counts["running"] == MAX_CONCURRENT_CHILDREN
    assert counts["pending"] == 5


# ---------------------------------------------------------------------------------------------
# the service, in-process, on a store
# ---------------------------------------------------------------------------------------------

ASK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": lambda_arn("Ask"), "Payload": {"token.$": "$$.Task.Token",
                                                                  "item.$": "$"}},
    "End": True}}}


class Service:
    """A service whose children wait for a callback; the test answers them."""

    def __init__(self, db: str | None = None):
        self.tokens: dict[Any, str] = {}
        self.lock = threading.Lock()
        self.svc = open_service(db, clock="real", handlers={"Ask": self._ask})

    def _ask(self, event, context):
        with self.lock:
            self.tokens[json.dumps(event["item"])] = event["token"]
        return {}

    def wait_tokens(self, n: int) -> None:
        deadline = time.monotonic() + 10
        while len(self.tokens) < n:
            assert time.monotonic() < deadline, f"{len(self.tokens)} of {n} children asked"
            time.sleep(0.005)

    def answer(self, item: Any, output: Any = None) -> None:
        token = self.tokens.pop(json.dumps(item))
        self.svc.send_task_success({"taskToken": token, "output": json.dumps(output or item)})

    def fail(self, item: Any) -> None:
        token = self.tokens.pop(json.dumps(item))
        self.svc.send_task_failure({"taskToken": token, "error": "Bad", "cause": "a bad item"})

    def start(self, definition: dict, input: Any, name: str = "dm") -> str:
        machine = self.svc.create_state_machine({"name": name, "definition": json.dumps(definition),
                                                 "roleArn": ROLE})["stateMachineArn"]
        return self.svc.start_execution({"stateMachineArn": machine,
                                         "input": json.dumps(input)})["executionArn"]

    def map_run(self, execution: str) -> str:
        deadline = time.monotonic() + 10
        while True:
            runs = self.svc.list_map_runs({"executionArn": execution})["mapRuns"]
            if runs:
                return runs[0]["mapRunArn"]
            assert time.monotonic() < deadline
            time.sleep(0.005)

    def finished(self, arn: str) -> dict:
        assert self.svc.host.wait_finished(arn, 10)
        return self.svc.describe_execution({"executionArn": arn})

    def close(self) -> None:
        self.svc.close()


@pytest.fixture
def service():
    s = Service()
    yield s
    s.close()


def code(call, *args) -> str:
    with pytest.raises(ApiError) as excinfo:
        call(*args)
    return excinfo.value.code


def test_children_are_listed_described_and_have_histories(service):
    execution = service.start(distributed(ASK, Label="Rows"), [1, 2, 3])
    service.wait_tokens(3)
    map_run = service.map_run(execution)
    listed = service.svc.list_executions({"mapRunArn": map_run})["executions"]
    assert [c["status"] for c in listed] == ["RUNNING"] * 3  # listed while they run
    assert {c["itemCount"] for c in listed} == {1}
    assert {c["mapRunArn"] for c in listed} == {map_run}
    for item in (1, 2, 3):
        service.answer(item)
    assert service.finished(execution)["status"] == "SUCCEEDED"

    listed = service.svc.list_executions({"mapRunArn": map_run})["executions"]
    assert [c["status"] for c in listed] == ["SUCCEEDED"] * 3
    child = listed[0]["executionArn"]
    described = service.svc.describe_execution({"executionArn": child})
    assert described["mapRunArn"] == map_run
    assert described["stateMachineArn"].endswith(":stateMachine:dm/Rows")
    events = service.svc.get_execution_history({"executionArn": child})["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == \
        json.loads(described["input"])
    machine = service.svc.describe_state_machine_for_execution({"executionArn": child})
    assert (machine["mapRunArn"], machine["label"], machine["name"]) == (map_run, "Rows", "dm/Rows")
    assert json.loads(machine["definition"])["StartAt"] == "Ask"
    # the parent's own listing does not show its children
    parent_machine = service.svc.describe_execution({"executionArn": execution})["stateMachineArn"]
    assert [e["executionArn"] for e in service.svc.list_executions(
        {"stateMachineArn": parent_machine})["executions"]] == [execution]
    # and ListMapRuns shows its Map Run
    (listed_run,) = service.svc.list_map_runs({"executionArn": execution})["mapRuns"]
    assert listed_run["stateMachineArn"] == parent_machine and "stopDate" in listed_run


def test_describe_map_run_follows_the_run(service):
    execution = service.start(distributed(ASK, MaxConcurrency=2, ToleratedFailureCount=1), [1, 2, 3])
    service.wait_tokens(2)
    map_run = service.map_run(execution)
    running = service.svc.describe_map_run({"mapRunArn": map_run})
    assert running["status"] == "RUNNING" and "stopDate" not in running
    assert running["executionArn"] == execution
    assert {k: running["itemCounts"][k] for k in ("pending", "running", "total", "resultsWritten")} \
        == {"pending": 1, "running": 2, "total": 3, "resultsWritten": 0}
    service.fail(1)
    service.wait_tokens(2)
    service.answer(2)
    service.answer(3)
    assert service.finished(execution)["status"] == "SUCCEEDED"
    done = service.svc.describe_map_run({"mapRunArn": map_run})
    assert done["status"] == "SUCCEEDED" and done["stopDate"] >= done["startDate"]
    assert {k: done["executionCounts"][k] for k in ("succeeded", "failed", "running", "pending")} \
        == {"succeeded": 2, "failed": 1, "running": 0, "pending": 0}
    assert set(done) == {"mapRunArn", "executionArn", "status", "startDate", "stopDate",
                         "maxConcurrency", "toleratedFailurePercentage", "toleratedFailureCount",
                         "itemCounts", "executionCounts", "redriveCount"}


def test_update_map_run_changes_a_running_map_run(service):
    execution = service.start(distributed(ASK, MaxConcurrency=1), [1, 2, 3, 4])
    service.wait_tokens(1)
    map_run = service.map_run(execution)
    assert service.svc.update_map_run({"mapRunArn": map_run, "maxConcurrency": 3,
                                       "toleratedFailureCount": 1}) == {}
    service.wait_tokens(3)  # two more children started at once
    described = service.svc.describe_map_run({"mapRunArn": map_run})
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (3, 1)
    assert described["executionCounts"]["running"] == 3
    service.fail(1)  # tolerated now
    service.wait_tokens(3)
    for item in (2, 3, 4):
        service.answer(item)
    assert service.finished(execution)["status"] == "SUCCEEDED"
    # a Map Run that ended cannot be updated
    assert code(service.svc.update_map_run, {"mapRunArn": map_run, "maxConcurrency": 1}) \
        == "ValidationException"


def test_map_run_requests_get_awss_errors(service):
    execution = service.start(distributed(FAIL_BAD), rows(False))
    service.finished(execution)
    map_run = service.map_run(execution)
    missing = map_run[:-4] + "0000"
    svc = service.svc
    assert code(svc.describe_map_run, {"mapRunArn": "nope"}) == "InvalidArn"
    assert code(svc.describe_map_run, {"mapRunArn": execution}) == "InvalidArn"
    assert code(svc.describe_map_run, {"mapRunArn": missing}) == "ResourceNotFound"
    assert code(svc.update_map_run, {"mapRunArn": missing, "maxConcurrency": 1}) == "ResourceNotFound"
    assert code(svc.update_map_run, {"mapRunArn": map_run}) == "ValidationException"
    assert code(svc.update_map_run, {"mapRunArn": map_run, "maxConcurrency": -1}) \
        == "ValidationException"
    assert code(svc.update_map_run, {"mapRunArn": map_run, "toleratedFailurePercentage": 101}) \
        == "ValidationException"
    assert code(svc.list_map_runs, {"executionArn": map_run}) == "InvalidArn"
    assert code(svc.list_map_runs, {"executionArn": execution + "x"}) == "ExecutionDoesNotExist"
    machine = svc.describe_execution({"executionArn": execution})["stateMachineArn"]
    assert code(svc.list_executions, {}) == "ValidationException"
    assert code(svc.list_executions, {"stateMachineArn": machine, "mapRunArn": map_run}) \
        == "ValidationException"
    assert code(svc.list_executions, {"mapRunArn": "nope"}) == "InvalidArn"
    assert code(svc.list_executions, {"mapRunArn": missing}) == "ResourceNotFound"


def test_list_executions_of_a_map_run_pages(service):
    execution = service.start(distributed(FAIL_BAD, ToleratedFailurePercentage=100),
                              rows(*[False, True] * 3))
    service.finished(execution)
    map_run = service.map_run(execution)
    seen, token = [], None
    while True:
        page = service.svc.list_executions({"mapRunArn": map_run, "maxResults": 4,
                                            **({"nextToken": token} if token else {})})
        seen += page["executions"]
        token = page.get("nextToken")
        if not token:
            break
    assert len(seen) == 6 and len({c["executionArn"] for c in seen}) == 6
    failed = service.svc.list_executions({"mapRunArn": map_run, "statusFilter": "FAILED"})
    assert len(failed["executions"]) == 3


def test_an_express_child_is_described_but_keeps_no_history(service):
    execution = service.start(distributed(FAIL_BAD, "EXPRESS"), rows(False))
    service.finished(execution)
    (child,) = service.svc.list_executions({"mapRunArn": service.map_run(execution)})["executions"]
    assert ":express:" in child["executionArn"]
    assert service.svc.describe_execution({"executionArn": child["executionArn"]})["status"] \
        == "SUCCEEDED"
    assert code(service.svc.get_execution_history, {"executionArn": child["executionArn"]}) \
        == "InvalidArn"


def test_a_restart_resumes_the_children_without_writing_any_twice(tmp_path):
    db = str(tmp_path / "store.db")
    first = Service(db)
    execution = first.start(distributed(ASK, MaxConcurrency=2), [1, 2, 3, 4])
    first.wait_tokens(2)
    first.answer(1)
    first.wait_tokens(2)
    map_run = first.map_run(execution)
    first.close()  # every step was committed: what a kill -9 leaves, too

    second = Service(db)
    try:
        # the replay re-ran child 1 and restarted the tasks in flight; it wrote nothing
        store = second.svc.store
        before = {r["arn"]: len(store.events(r["arn"])) for r in store.map_run_children(map_run)}
        assert sorted(before.values()) == [0, 0, 8]  # 1 ended (8 events), 2 and 3 running
        # their callbacks had been submitted: they wait for the same tokens as before
        second.tokens.update(first.tokens)
        for item in (2, 3):
            second.answer(item)
        second.wait_tokens(1)
        second.answer(4)
        assert second.finished(execution)["status"] == "SUCCEEDED"
        children = store.map_run_children(map_run)
        assert [c["item_index"] for c in children] == [0, 1, 2, 3]
        assert {c["status"] for c in children} == {"SUCCEEDED"}
        for child in children:
            ids = [e.id for e in store.events(child["arn"])]
            assert ids == list(range(1, 9))
        counts = second.svc.describe_map_run({"mapRunArn": map_run})["executionCounts"]
        assert (counts["succeeded"], counts["total"]) == (4, 4)
        assert [c["status"] for c in store.map_run_children(map_run, ("FAILED",))] == []
    finally:
        second.close()


# ---------------------------------------------------------------------------------------------
# boto3 against `asl-runner serve`, and kill -9
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    pytest.importorskip("boto3")
    from test_server import Server

    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        root = tmp_path_factory.mktemp("map-runs")
        server = Server(root, "--clock", "real")
        yield server
        server.stop(signal.SIGKILL)


def boto(server):
    import boto3
    from botocore.config import Config

    return boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def callback_processor() -> dict:
    return {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": lambda_arn("callback"),
                       "Payload": {"token.$": "$$.Task.Token", "key.$": "$.key"}},
        "End": True}}}


def test_boto3_sees_map_runs_and_their_children(served):
    from botocore.exceptions import ClientError

    sfn = boto(served)
    machine = sfn.create_state_machine(
        name="dm-boto", roleArn=ROLE,
        definition=json.dumps(distributed(callback_processor(), Label="Keys", MaxConcurrency=1)))
    keys = ["mr-a", "mr-b"]
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                    input=json.dumps([{"key": k} for k in keys]))["executionArn"]
    token = served.token("mr-a")
    (listed,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    map_run = listed["mapRunArn"]
    assert ":mapRun:dm-boto/Keys:" in map_run
    sfn.update_map_run(mapRunArn=map_run, maxConcurrency=2)
    second = served.token("mr-b")
    assert sfn.describe_map_run(mapRunArn=map_run)["executionCounts"]["running"] == 2
    sfn.send_task_success(taskToken=token, output="{}")
    sfn.send_task_success(taskToken=second, output="{}")
    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    described = sfn.describe_map_run(mapRunArn=map_run)
    assert described["status"] == "SUCCEEDED"
    assert described["itemCounts"]["succeeded"] == 2
    children = sfn.list_executions(mapRunArn=map_run)["executions"]
    assert len(children) == 2 and {c["mapRunArn"] for c in children} == {map_run}
    child = children[0]["executionArn"]
    assert sfn.describe_execution(executionArn=child)["mapRunArn"] == map_run
    history = sfn.get_execution_history(executionArn=child)["events"]
    assert history[0]["type"] == "ExecutionStarted" and history[-1]["type"] == "ExecutionSucceeded"
    for call, kwargs, error in [
            (sfn.describe_map_run, {"mapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:x/y:z"},
             "ResourceNotFound"),
            (sfn.describe_map_run, {"mapRunArn": "x"}, "InvalidArn"),
            (sfn.list_executions, {"stateMachineArn": machine["stateMachineArn"],
                                   "mapRunArn": map_run}, "ValidationException"),
            (sfn.update_map_run, {"mapRunArn": map_run, "maxConcurrency": 3}, "ValidationException")]:
        with pytest.raises(ClientError) as excinfo:
            call(**kwargs)
        assert excinfo.value.response["Error"]["Code"] == error


def test_kill_dash_nine_mid_map_run_writes_no_child_twice(tmp_path):
    pytest.importorskip("boto3")
    from test_server import Server

    server = Server(tmp_path, "--clock", "real")
    sfn = boto(server)
    machine = sfn.create_state_machine(
        name="dm-kill", roleArn=ROLE,
        definition=json.dumps(distributed(callback_processor(), MaxConcurrency=2)))["stateMachineArn"]
    keys = [f"kill-{i}" for i in range(4)]
    execution = sfn.start_execution(stateMachineArn=machine,
                                    input=json.dumps([{"key": k} for k in keys]))["executionArn"]
    sfn.send_task_success(taskToken=server.token(keys[0]), output="{}")
    server.token(keys[2])
    server.stop(signal.SIGKILL)
    # a task token is drawn from the execution's seed: the restarted server waits for the same
    # ones (and a callback in flight at the kill is called again, with the same token)

    server = Server(tmp_path, "--clock", "real")
    try:
        sfn = boto(server)
        for key in keys[1:]:
            sfn.send_task_success(taskToken=server.token(key), output="{}")
        deadline = time.monotonic() + 10
        while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        (map_run,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
        children = sfn.list_executions(mapRunArn=map_run["mapRunArn"])["executions"]
        assert len(children) == 4 and {c["status"] for c in children} == {"SUCCEEDED"}
        for child in children:
            events = sfn.get_execution_history(executionArn=child["executionArn"])["events"]
            assert [e["id"] for e in events] == list(range(1, len(events) + 1))
            assert Counter(e["type"] for e in events)["ExecutionStarted"] == 1
        counts = sfn.describe_map_run(mapRunArn=map_run["mapRunArn"])["executionCounts"]
        assert (counts["succeeded"], counts["total"], counts["running"]) == (4, 4, 0)
    finally:
        server.stop()


def test_a_step_that_ends_many_children_spills_their_rows_and_writes_them_all(monkeypatch):
    from asl_runner.service import map_run_rows

    monkeypatch.setattr(map_run_rows, "SPILL_AT", 3)
    s = Service()
    try:
        # a Map of Pass states: every child ends within the execution's first step
        processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        execution = s.start(distributed(processor), list(range(10)))
        assert s.finished(execution)["status"] == "SUCCEEDED"
        map_run = s.map_run(execution)
        children = s.svc.store.map_run_children(map_run)
        assert [c["item_index"] for c in children] == list(range(10))
        assert [json.loads(c["output"]) for c in children] == list(range(10))
        for child in children:
            assert [e.type for e in s.svc.store.events(child["arn"])] == [
                "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    finally:
        s.close()


def test_a_child_whose_history_reaches_25000_events_fails_alone():
    forever = {"StartAt": "Loop", "States": {
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True,
                                                "Next": "Done"}], "Default": "Loop"},
        "Done": {"Type": "Succeed"}}}
    ex, changes = run(distributed(forever, ToleratedFailureCount=1), [1])
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    (child,) = changes.children.values()
    assert child.status == "FAILED" and child.error == "States.Runtime"
    assert child.cause == "The execution reached the maximum number of history events (25000)."
    assert len(child.events) == 25_000 and child.events[-1].type == "ExecutionFailed"


def test_an_express_child_times_out_after_five_minutes():
    processor = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Long"}],
              "Default": "Short"},
        "Long": {"Type": "Wait", "Seconds": 600, "End": True},
        "Short": {"Type": "Wait", "Seconds": 60, "End": True}}}
    ex, changes = run(distributed(processor, "EXPRESS", ToleratedFailureCount=1), [1, 2])
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    by_input = {c.input: c for c in changes.children.values()}
    long, short = by_input[1], by_input[2]
    assert (long.status, long.error) == ("TIMED_OUT", "States.Timeout")
    assert long.events[-1].type == "ExecutionTimedOut"
    assert long.stop - long.start == pytest.approx(300, abs=1)
    assert short.status == "SUCCEEDED"
    counts = only_map_run(ex)["executionCounts"]
    assert (counts["timedOut"], counts["succeeded"]) == (1, 1)
    # past the threshold, a timed-out child fails the Map Run like a failed one
    ex, _ = run(distributed(processor, "EXPRESS"), [1, 2])
    assert ex.error == "States.ExceedToleratedFailureThreshold"
    # a STANDARD child has no such limit
    ex, _ = run(distributed(processor), [1, 2])
    assert ex.status == "SUCCEEDED"


def test_an_ended_child_lets_go_of_its_history_unless_a_collector_keeps_it(monkeypatch):
    from asl_runner.engine.map_run import MapRun

    ended = []
    original = MapRun.child_ended
    monkeypatch.setattr(MapRun, "child_ended", lambda run, child: (original(run, child),
                                                                   ended.append(child)))
    ex = start(distributed(FAIL_BAD), rows(False, False), state_machine_name="sm")
    Runner(lambda invocation: None).run(ex)  # no store: nothing needs the events once it ends
    assert ex.status == "SUCCEEDED"
    assert [(c.status, c.events) for c in ended] == [("SUCCEEDED", []), ("SUCCEEDED", [])]
