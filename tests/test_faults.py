"""Fault injection: the service keeps serving, and memory never diverges from the store.

A store whose "disk" fills on demand (SQLite's own max_page_count, so the errors are SQLite's
real ones), a store locked by another process, engine steps that raise, handlers that hang.
For each, the service goes on serving other executions, no committed event is lost or
duplicated, and the client gets AWS's error code.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from asl_runner.service import ApiError, open_service
from asl_runner.store import Store, StoreError, StoreLocked

from support import wait_until

ROLE = "arn:aws:iam::123456789012:role/test"
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


#: what SQLite says when a store cannot take a write: a full disk, a read-only file, a lock
#: held by something else, a failing disk
OUTAGES = ("database or disk is full", "attempt to write a readonly database",
           "database is locked", "disk I/O error")


@contextmanager
def failing_commits(service, message: str = OUTAGES[0]):
    """Every transaction of the store fails at its COMMIT, with SQLite's own error, until the
    block ends (the statements ran; the rollback undoes them, as after a real failure)."""
    store = service.store
    real = store.transaction

    @contextmanager
    def transaction():
        with real() as conn:
            yield conn
            raise sqlite3.OperationalError(message)

    store.transaction = transaction
    try:
        yield
    finally:
        del store.transaction


@contextmanager
def disk_full(service):
    """A really full disk, as SQLite sees it: no page can be added to the database."""
    store = service.store
    with store._write_lock:
        pages = store._writer.execute("PRAGMA page_count").fetchone()[0]
        store._writer.execute(f"PRAGMA max_page_count = {pages}")
    try:
        yield
    finally:
        with store._write_lock:
            store._writer.execute("PRAGMA max_page_count = 1073741823")


def create(service, definition: dict, name: str = "m") -> str:
    return service.create_state_machine({"name": name, "definition": json.dumps(definition),
                                         "roleArn": ROLE})["stateMachineArn"]


def start(service, machine: str, name: str | None = None, payload: dict | None = None) -> str:
    body = {"stateMachineArn": machine, "input": json.dumps(payload or {})}
    if name:
        body["name"] = name
    return service.start_execution(body)["executionArn"]


def describe(service, arn: str) -> dict:
    return service.describe_execution({"executionArn": arn})


def events(service, arn: str) -> list[dict]:
    return service.get_execution_history({"executionArn": arn, "maxResults": 1000})["events"]


def assert_whole(history: list[dict]) -> None:
    """Ids run 1..n without a gap or a repeat; every event links to an earlier one."""
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    assert all(e["previousEventId"] < e["id"] for e in history)


class Counting:
    """Handlers that count their calls; ``gate`` holds ``Slow`` until it is set."""

    def __init__(self):
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()
        self.gate = threading.Event()

    def _count(self, name: str) -> None:
        with self.lock:
            self.calls[name] = self.calls.get(name, 0) + 1

    def handlers(self) -> dict:
        def quick(event, context):
            self._count("Quick")
            return {"ok": True}

        def slow(event, context):
            self._count("Slow")
            self.gate.wait(10)
            return {"slow": True}

        def hang(event, context):
            self._count("Hang")
            self.gate.wait(30)

        return {"Quick": quick, "Slow": slow, "Hang": hang}


SLOW_THEN_QUICK = {"StartAt": "S", "States": {
    "S": {"Type": "Task", "Resource": FN + "Slow", "Next": "Q"},
    "Q": {"Type": "Task", "Resource": FN + "Quick", "End": True}}}
CALLBACK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Token", "Payload": {"token.$": "$$.Task.Token"}},
    "End": True}}}


@pytest.fixture
def counting():
    calls = Counting()
    yield calls
    calls.gate.set()


@pytest.fixture
def service(counting, tmp_path):
    tokens: list[str] = []
    handlers = counting.handlers()
    handlers["Token"] = lambda event, context: tokens.append(event["token"]) or {}
    svc = open_service(str(tmp_path / "store.db"), handlers=handlers, clock="virtual")
    svc.tokens = tokens
    yield svc
    counting.gate.set()
    svc.close()


# ---------------------------------------------------------------------- a full disk

@pytest.mark.parametrize("outage", OUTAGES)
def test_a_store_outage_answers_service_unavailable_at_once_and_loses_nothing(service, counting,
                                                                              outage):
    machine = create(service, SLOW_THEN_QUICK)
    running = [start(service, machine, f"e{i}") for i in range(3)]
    wait_until(lambda: counting.calls.get("Slow") == 3)
    with failing_commits(service, outage):
        # every task finishes while the disk is full: their outcomes must wait, not vanish
        counting.gate.set()
        time.sleep(0.3)
        began = time.monotonic()
        with pytest.raises(ApiError) as refused:
            start(service, machine, "during")
        assert refused.value.code == "ServiceUnavailable" and refused.value.status == 503
        assert time.monotonic() - began < 1  # at once, not after a 60-second timeout
        with pytest.raises(ApiError) as stopped:
            service.stop_execution({"executionArn": running[0]})
        assert stopped.value.code == "ServiceUnavailable"
        # reads go on
        assert [describe(service, arn)["status"] for arn in running] == ["RUNNING"] * 3
        stored = {arn: events(service, arn) for arn in running}
    for arn in running:
        wait_until(lambda arn=arn: describe(service, arn)["status"] == "SUCCEEDED")
        history = events(service, arn)
        assert_whole(history)
        assert history[:len(stored[arn])] == stored[arn]  # what was committed stayed
        assert [e["type"] for e in history].count("TaskSucceeded") + [
            e["type"] for e in history].count("LambdaFunctionSucceeded") == 2
    # each task ran once: the outcomes held during the outage were delivered, not redone
    assert counting.calls == {"Slow": 3, "Quick": 3}
    # and the service still serves
    later = start(service, create(service, SLOW_THEN_QUICK, "again"), "after")
    wait_until(lambda: describe(service, later)["status"] == "SUCCEEDED")


def test_a_timer_that_falls_due_during_an_outage_fires_once_the_store_works(service):
    waiting = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
                                           "P": {"Type": "Pass", "End": True}}}
    machine = create(service, waiting)
    with disk_full(service), pytest.raises(ApiError) as refused:
        # a really full disk: an input of 200 KB needs pages the database cannot add
        start(service, machine, "refused", {"big": "x" * 200_000})
    assert refused.value.code == "ServiceUnavailable"
    arn = start(service, machine, "w")
    with failing_commits(service):
        time.sleep(1.5)  # the virtual clock cannot jump (it is due), but real time passes
        assert describe(service, arn)["status"] == "RUNNING"
    wait_until(lambda: describe(service, arn)["status"] == "SUCCEEDED")
    history = events(service, arn)
    assert_whole(history)
    assert [e["type"] for e in history] == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited",
                                            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    with pytest.raises(ApiError) as missing:
        describe(service, machine.replace("stateMachine", "execution") + ":refused")
    assert missing.value.code == "ExecutionDoesNotExist"  # a refused start left nothing behind


def test_a_callback_refused_on_a_full_disk_can_be_sent_again(service):
    arn = start(service, create(service, CALLBACK))
    wait_until(lambda: service.tokens)
    token = service.tokens[0]
    with failing_commits(service), pytest.raises(ApiError) as refused:
        service.send_task_success({"taskToken": token, "output": '{"approved": true}'})
    assert refused.value.code == "ServiceUnavailable"
    assert describe(service, arn)["status"] == "RUNNING"
    service.send_task_success({"taskToken": token, "output": '{"approved": true}'})
    wait_until(lambda: describe(service, arn)["status"] == "SUCCEEDED")
    assert json.loads(describe(service, arn)["output"]) == {"approved": True}
    assert_whole(events(service, arn))


def test_after_an_outage_a_restart_recovers_without_constraint_errors(counting, tmp_path):
    db = str(tmp_path / "store.db")
    first = open_service(db, handlers=counting.handlers(), clock="virtual")
    arn = start(first, create(first, SLOW_THEN_QUICK))
    wait_until(lambda: counting.calls.get("Slow") == 1)
    with failing_commits(first):
        counting.gate.set()
        time.sleep(0.3)
    wait_until(lambda: describe(first, arn)["status"] == "SUCCEEDED")
    first.close()
    again = open_service(db, handlers=counting.handlers(), clock="virtual")
    try:
        assert describe(again, arn)["status"] == "SUCCEEDED"
        assert_whole(events(again, arn))
        later = start(again, create(again, SLOW_THEN_QUICK, "m2"))
        wait_until(lambda: describe(again, later)["status"] == "SUCCEEDED")
    finally:
        again.close()


# ---------------------------------------------------------------------- a locked store

def test_a_second_process_on_the_same_store_refuses_to_start(tmp_path):
    db = str(tmp_path / "store.db")
    holder = Store(db)
    try:
        with pytest.raises(StoreLocked, match="another process|already open"):
            Store(db)
        command = [sys.executable, "-m", "asl_runner.cli", "serve", "--db", db, "--port", "0"]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=30)
        assert proc.returncode != 0
        assert "is using the store" in proc.stderr or "already open" in proc.stderr
        assert "Traceback" not in proc.stderr
    finally:
        holder.close()
    Store(db).close()  # the lock went with its holder


def test_a_store_that_cannot_be_written_is_reported_at_open(tmp_path):
    (tmp_path / "store.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot write the store"):
        Store(str(tmp_path / "store.db"))


# ---------------------------------------------------------------------- steps that raise

def test_an_engine_step_that_raises_fails_that_execution_only_and_never_recurs(tmp_path, monkeypatch):
    from asl_runner.engine import execution as engine

    db = str(tmp_path / "store.db")
    service = open_service(db, clock="virtual")
    try:
        bad = create(service, {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
            "Boom": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True}}}, "bad")
        good = create(service, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                      "good")
        real_pass = engine._handlers()["Pass"]

        def pass_state(ex, frame, state):
            if state.name == "Boom":
                raise RecursionError("maximum recursion depth exceeded")
            return real_pass(ex, frame, state)

        monkeypatch.setitem(engine._handlers(), "Pass", pass_state)
        failing = start(service, bad, payload={"x": 1})  # fails in the timer path
        wait_until(lambda: describe(service, failing)["status"] != "RUNNING")
        described = describe(service, failing)
        assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
        assert "RecursionError" in described["cause"]
        assert_whole(events(service, failing))
        ok = start(service, good)  # the engine thread is alive and well
        wait_until(lambda: describe(service, ok)["status"] == "SUCCEEDED")
    finally:
        service.close()
    again = open_service(db, clock="virtual")  # recovery does not replay the failure
    try:
        assert describe(again, failing)["status"] == "FAILED"
    finally:
        again.close()


def test_a_step_the_store_cannot_record_fails_only_that_execution(service, monkeypatch):
    good = create(service, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "good")
    wait = create(service, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}},
                  "wait")
    real = type(service.store).append_events

    def append_events(store, c, execution_arn, new):
        if any(e.type == "WaitStateExited" for e in new):
            raise ValueError("Out of range float values are not JSON compliant")
        return real(store, c, execution_arn, new)

    monkeypatch.setattr(type(service.store), "append_events", append_events)
    arn = start(service, wait)
    wait_until(lambda: describe(service, arn)["status"] != "RUNNING")
    described = describe(service, arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "could not record" in described["cause"]
    history = events(service, arn)
    assert_whole(history)
    assert [e["type"] for e in history] == ["ExecutionStarted", "WaitStateEntered", "ExecutionFailed"]
    ok = start(service, good)
    wait_until(lambda: describe(service, ok)["status"] == "SUCCEEDED")


# ---------------------------------------------------------------------- handlers that hang

def test_hanging_handlers_do_not_starve_other_executions(service, counting):
    stuck = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 0, "End": True,
        "ItemProcessor": {"StartAt": "H", "States": {"H": {
            "Type": "Task", "Resource": FN + "Hang", "TimeoutSeconds": 1, "End": True}}}}}}
    quick = {"StartAt": "Q", "States": {"Q": {"Type": "Task", "Resource": FN + "Quick", "End": True}}}
    hung = service.start_execution({"stateMachineArn": create(service, stuck, "stuck"),
                                    "input": json.dumps(list(range(40)))})["executionArn"]
    wait_until(lambda: counting.calls.get("Hang", 0) >= 32)  # the pool's size
    wait_until(lambda: describe(service, hung)["status"] == "FAILED")  # the first timeouts
    began = time.monotonic()
    arn = start(service, create(service, quick, "quick"))
    wait_until(lambda: describe(service, arn)["status"] == "SUCCEEDED", timeout=5)
    assert time.monotonic() - began < 2


def test_under_serve_the_virtual_clock_never_jumps_to_an_execution_limit(service):
    """An ended execution leaves its one-year limit behind in the timer heap; a waiting
    callback must not time out because the clock jumped there."""
    done = start(service, create(service, {"StartAt": "Q", "States": {"Q": {
        "Type": "Task", "Resource": FN + "Quick", "End": True}}}, "quick"))
    wait_until(lambda: describe(service, done)["status"] == "SUCCEEDED")
    time.sleep(0.2)
    arn = start(service, create(service, CALLBACK))
    wait_until(lambda: service.tokens)
    time.sleep(0.3)
    assert describe(service, arn)["status"] == "RUNNING"
    assert describe(service, arn)["startDate"] - time.time() < 60  # not a year ahead
    service.send_task_success({"taskToken": service.tokens[0], "output": "{}"})
    wait_until(lambda: describe(service, arn)["status"] == "SUCCEEDED")


# ---------------------------------------------------------------------- through the endpoint

FAULTY_HANDLERS = {
    "nan.py": "def handler(event, context):\n    return {'value': float('nan')}\n",
    "hang.py": "import time\n\ndef handler(event, context):\n    time.sleep(30)\n",
    "exits.py": "import sys\n\ndef handler(event, context):\n    sys.exit(3)\n",
    "ok.py": "def handler(event, context):\n    return {'ok': event}\n",
}


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    pytest.importorskip("boto3")
    from test_server import Server, client

    root = tmp_path_factory.mktemp("faulty")
    server = Server(root, "--clock", "real")
    for name, code in FAULTY_HANDLERS.items():
        (server.lambdas / name).write_text(code)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                           "AWS_DEFAULT_REGION": "us-east-1"}.items():
            mp.setenv(key, value)
        yield client(server.url)
    assert server.stop() == 0
    assert "Traceback" not in server.log.read_text()


def _task(function: str, **extra) -> dict:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True, **extra,
            "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{function}"}}}


def _machine(sfn, definition: dict) -> str:
    import uuid

    return sfn.create_state_machine(name=f"f-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                    roleArn=ROLE)["stateMachineArn"]


def _finish(sfn, arn: str, timeout: float = 20) -> dict:
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout)
    return sfn.describe_execution(executionArn=arn)


def _still_serving(sfn) -> None:
    """A trivial execution still runs end to end, and its history is whole."""
    arn = sfn.start_execution(stateMachineArn=_machine(sfn, _task("ok")), input='{"n": 1}')["executionArn"]
    assert _finish(sfn, arn)["status"] == "SUCCEEDED"
    assert_whole(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])


@pytest.mark.parametrize(("function", "error"), [
    ("nan", "States.Runtime"),          # NaN is not JSON: AWS's parser refuses the result
    ("exits", "Runtime.ExitError"),     # Lambda reports a runtime that exited
])
def test_a_handler_returning_nan_or_exiting_fails_its_task_and_nothing_else(endpoint, function, error):
    arn = endpoint.start_execution(stateMachineArn=_machine(endpoint, _task(function)),
                                   input="{}")["executionArn"]
    described = _finish(endpoint, arn)
    assert (described["status"], described["error"]) == ("FAILED", error)
    history = endpoint.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    assert_whole(history)
    assert history[-2]["type"] == "LambdaFunctionFailed"
    _still_serving(endpoint)


def test_a_hanging_handler_times_out_and_the_server_goes_on(endpoint):
    arn = endpoint.start_execution(stateMachineArn=_machine(endpoint, _task("hang", TimeoutSeconds=1)),
                                   input="{}")["executionArn"]
    _still_serving(endpoint)  # while it hangs
    described = _finish(endpoint, arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert_whole(endpoint.get_execution_history(executionArn=arn, maxResults=1000)["events"])


@pytest.mark.parametrize(("text", "code"), [
    ('{"a": NaN}', "InvalidExecutionInput"),
    ('{"a": Infinity}', "InvalidExecutionInput"),
    ('{"a": 1e999}', "InvalidExecutionInput"),
    (_nested(1001), "InvalidExecutionInput"),
    ('{"a": "' + "x" * 262_145 + '"}', "ValidationException"),
])
def test_an_input_aws_refuses_gets_its_error_and_the_server_goes_on(endpoint, text, code):
    from botocore.exceptions import ClientError

    machine = _machine(endpoint, _task("ok"))
    with pytest.raises(ClientError) as refused:
        endpoint.start_execution(stateMachineArn=machine, input=text)
    assert refused.value.response["Error"]["Code"] == code
    assert endpoint.list_executions(stateMachineArn=machine)["executions"] == []
    _still_serving(endpoint)


def test_an_input_nested_1000_deep_runs(endpoint):
    arn = endpoint.start_execution(stateMachineArn=_machine(endpoint, {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": True}}}), input=_nested(1000))["executionArn"]
    described = _finish(endpoint, arn)
    assert described["status"] == "SUCCEEDED" and described["output"] == _nested(1000)
