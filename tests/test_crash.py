"""kill -9 of a real `asl-runner serve` mid-run, then a restart on the same store.

Every execution must finish as if nothing happened: its history complete, with consecutive ids
and no event written twice; a handler that had completed is not called again (only a task in
flight at the moment of the kill may run twice: at least once, as on AWS); timers that fell
due while the server was down fire on restart.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

EXE = shutil.which("asl-runner") or str(Path(sys.executable).with_name("asl-runner"))
pytestmark = pytest.mark.skipif(not Path(EXE).exists(), reason="the asl-runner command is not installed")

COUNT = '''import os
import time


def handler(event, context):
    time.sleep(event.get("sleep", 0))
    # one line per completed call: name of the execution and of the step
    with open(os.environ["ASL_CRASH_CALLS"], "a") as fh:
        fh.write(f"{event['run']} {event['step']}\\n")
    return {"step": event["step"]}
'''

FN = "arn:aws:lambda:us-east-1:123456789012:function:Count"
MACHINE = {
    "StartAt": "One",
    "States": {
        "One": {"Type": "Task", "Resource": FN, "ResultPath": "$.one",
                "Parameters": {"run.$": "$.run", "step": "one", "sleep": 0.05}, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.each",
                 "ItemSelector": {"run.$": "$.run", "step.$": "States.Format('item{}', $$.Map.Item.Value)",
                                  "sleep": 0.1},
                 "ItemProcessor": {"StartAt": "Item", "States": {
                     "Item": {"Type": "Task", "Resource": FN, "End": True}}},
                 "Next": "Two"},
        "Two": {"Type": "Task", "Resource": FN, "Parameters": {"run.$": "$.run", "step": "two"},
                "End": True},
    },
}
RUNS = 12
STEPS_PER_RUN = 1 + 4 + 1  # One, four Map items, Two


class Api:
    def __init__(self, port: int):
        self.port = port

    def call(self, operation: str, body: dict) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("POST", "/", json.dumps(body), {"X-Amz-Target": f"AWSStepFunctions.{operation}",
                                                     "Content-Type": "application/x-amz-json-1.0"})
        response = conn.getresponse()
        data = json.loads(response.read() or b"{}")
        conn.close()
        if response.status != 200:
            raise AssertionError(f"{operation}: {response.status} {data}")
        return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, ASL_CRASH_CALLS=str(tmp / "calls.txt"))
    proc = subprocess.Popen([EXE, "serve", "--port", str(port), "--db", str(tmp / "store.db"),
                             "--lambdas", str(tmp / "lambdas")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            Api(port).call("ListStateMachines", {})
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("asl-runner serve did not start")


def calls(tmp: Path) -> Counter:
    path = tmp / "calls.txt"
    return Counter(path.read_text().splitlines()) if path.exists() else Counter()


def test_kill_dash_nine_and_restart(tmp_path):
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "Count.py").write_text(COUNT)
    port = free_port()
    proc = serve(tmp_path, port)
    api = Api(port)
    try:
        machine = api.call("CreateStateMachine", {
            "name": "crash", "definition": json.dumps(MACHINE),
            "roleArn": "arn:aws:iam::123456789012:role/test"})["stateMachineArn"]
        arns = [api.call("StartExecution", {
            "stateMachineArn": machine, "name": f"run{i}",
            "input": json.dumps({"run": f"run{i}", "items": [1, 2, 3, 4]})})["executionArn"]
            for i in range(RUNS)]
        # kill it three times at different moments: during the first tasks, during the Wait
        # (which then falls due while the server is down), and inside the Maps
        for delay in (0.15, 0.6, 0.9):
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            time.sleep(0.3)
            proc = serve(tmp_path, port)

        deadline = time.monotonic() + 60
        while True:
            statuses = [api.call("DescribeExecution", {"executionArn": a})["status"] for a in arns]
            if all(s != "RUNNING" for s in statuses) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert statuses == ["SUCCEEDED"] * RUNS

        done = calls(tmp_path)
        for i in range(RUNS):
            history = api.call("GetExecutionHistory", {"executionArn": arns[i], "maxResults": 1000})["events"]
            ids = [e["id"] for e in history]
            assert ids == list(range(1, len(ids) + 1))
            types = Counter(e["type"] for e in history)
            # each step succeeded once in the history, whatever ran twice
            assert types["LambdaFunctionSucceeded"] == STEPS_PER_RUN
            assert types["LambdaFunctionScheduled"] == STEPS_PER_RUN
            assert types["MapIterationSucceeded"] == 4
            assert types["WaitStateExited"] == 1
            assert types["ExecutionSucceeded"] == 1
            steps = {k.split()[1]: v for k, v in done.items() if k.split()[0] == f"run{i}"}
            assert set(steps) == {"one", "item1", "item2", "item3", "item4", "two"}
        # at least once: a step runs again only if it was in flight at a kill (three kills,
        # at most two items in flight per execution each time)
        extra = sum(done.values()) - RUNS * STEPS_PER_RUN
        assert 0 <= extra <= 3 * 2 * RUNS
    finally:
        proc.kill()
        proc.wait(10)
