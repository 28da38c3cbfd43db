"""Redrive against a real `asl-runner serve`: boto3's redrive_execution and `asl-runner
redrive`, then kill -9 while the redriven execution (an inline Map; a Distributed Map's Map
Run) runs and a restart on the same store."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from test_crash import EXE, free_port, serve

pytestmark = pytest.mark.skipif(not Path(EXE).exists(), reason="the asl-runner command is not installed")

# Work fails for the step named in the file `broken` beside its calls file; Item sleeps a little
WORK = '''import os
import time
from pathlib import Path


def handler(event, context):
    calls = Path(os.environ["ASL_CRASH_CALLS"])
    time.sleep(event.get("sleep", 0))
    broken = calls.with_name("broken")
    if broken.exists() and event["step"] in broken.read_text().split():
        raise RuntimeError(event["step"] + " is broken")
    with calls.open("a") as fh:
        fh.write(event["step"] + "\\n")
    return event["step"]
'''
FN = "arn:aws:lambda:us-east-1:123456789012:function:Work"
MACHINE = {"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "Next": "Pause",
             "ItemSelector": {"step.$": "States.Format('item{}', $$.Map.Item.Value)", "sleep": 0.2},
             "ItemProcessor": {"StartAt": "Item", "States": {
                 "Item": {"Type": "Task", "Resource": FN, "End": True}}}},
    "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Last"},
    "Last": {"Type": "Task", "Resource": FN, "Parameters": {"step": "last"}, "End": True}}}


def client(port: int):
    return boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}",
                        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 1}))


def wait_for(sfn, arn: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.1)


def calls(tmp) -> list[str]:
    path = tmp / "calls.txt"
    return path.read_text().split() if path.exists() else []


def test_redrive_with_boto3_and_the_cli_and_kill_dash_nine(tmp_path):
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "Work.py").write_text(WORK)
    (tmp_path / "broken").write_text("item3 item5")
    port = free_port()
    proc = serve(tmp_path, port)
    sfn = client(port)
    try:
        machine = sfn.create_state_machine(name="redrive", definition=json.dumps(MACHINE),
                                           roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=machine, name="batch",
                                  input=json.dumps({"items": list(range(1, 7))}))["executionArn"]
        failed = wait_for(sfn, arn)
        assert failed["status"] == "FAILED" and failed["redriveStatus"] == "REDRIVABLE"
        first = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        done_before = {f"item{e['mapIterationSucceededEventDetails']['index'] + 1}"
                       for e in first if e["type"] == "MapIterationSucceeded"}
        assert "item3" not in done_before and done_before <= set(calls(tmp_path))

        (tmp_path / "broken").write_text("")  # fixed
        answer = sfn.redrive_execution(executionArn=arn)  # botocore adds a clientToken
        assert answer["redriveDate"].timestamp() > failed["stopDate"].timestamp()
        # kill -9 inside the redriven Map, then again during its Wait
        for delay in (0.3, 0.9):
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            proc = serve(tmp_path, port)
        done = wait_for(sfn, arn)
        assert done["status"] == "SUCCEEDED" and done["redriveCount"] == 1
        assert json.loads(done["output"]) == "last"
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        assert [e["id"] for e in history] == list(range(1, len(history) + 1))
        types = [e["type"] for e in history]
        assert types.count("ExecutionRedriven") == 1 and types.count("ExecutionSucceeded") == 1
        succeeded = [e["mapIterationSucceededEventDetails"]["index"] for e in history
                     if e["type"] == "MapIterationSucceeded"]
        assert sorted(succeeded) == list(range(6))  # each item succeeded once in the history
        # the items that had succeeded before the redrive were not called again (one that
        # was in flight when the Map failed may have finished after it: it runs again)
        made = Counter(calls(tmp_path))
        assert all(made[step] == 1 for step in done_before)
        assert set(made) == {f"item{i}" for i in range(1, 7)} | {"last"}

        with pytest.raises(ClientError) as refused:
            sfn.redrive_execution(executionArn=arn)
        assert refused.value.response["Error"]["Code"] == "ExecutionNotRedrivable"

        url = f"http://127.0.0.1:{port}"
        cli = subprocess.run([EXE, "redrive", "--execution-arn", arn, "--endpoint-url", url],
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 1
        assert "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven" in cli.stderr

        other = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"items": [1]}))
        (tmp_path / "broken").write_text("last")
        assert wait_for(sfn, other["executionArn"])["status"] == "FAILED"
        (tmp_path / "broken").write_text("")
        cli = subprocess.run([EXE, "redrive", "--execution-arn", other["executionArn"],
                              "--endpoint-url", url], capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout)["redriveDate"].endswith("Z")
        assert wait_for(sfn, other["executionArn"])["status"] == "SUCCEEDED"
    finally:
        proc.kill()
        proc.wait(10)


DISTRIBUTED_MACHINE = {"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "Label": "Items", "End": True,
    "ItemSelector": {"step.$": "States.Format('item{}', $$.Map.Item.Value)", "sleep": 0.2},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                      "StartAt": "Item", "States": {"Item": {"Type": "Task", "Resource": FN,
                                                              "End": True}}}}}}


def test_a_redriven_map_run_survives_kill_dash_nine(tmp_path):
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "Work.py").write_text(WORK)
    (tmp_path / "broken").write_text("item3")
    port = free_port()
    proc = serve(tmp_path, port)
    sfn = client(port)
    try:
        machine = sfn.create_state_machine(name="dm", definition=json.dumps(DISTRIBUTED_MACHINE),
                                           roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        items = list(range(1, 13))
        arn = sfn.start_execution(stateMachineArn=machine, name="batch",
                                  input=json.dumps({"items": items}))["executionArn"]
        assert wait_for(sfn, arn)["status"] == "FAILED"
        [listed] = sfn.list_map_runs(executionArn=arn)["mapRuns"]
        map_run = listed["mapRunArn"]
        before = {c["executionArn"]: c["status"] for c in
                  sfn.list_executions(mapRunArn=map_run)["executions"]}
        succeeded_before = {json.loads(sfn.describe_execution(executionArn=child)["input"])["step"]
                            for child, status in before.items() if status == "SUCCEEDED"}

        (tmp_path / "broken").write_text("")
        sfn.redrive_execution(executionArn=arn)
        for delay in (0.5, 0.5):  # kill -9 twice while the redriven children run
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            proc = serve(tmp_path, port)
        done = wait_for(sfn, arn)
        assert done["status"] == "SUCCEEDED" and done["redriveCount"] == 1
        assert json.loads(done["output"]) == [f"item{i}" for i in items]  # complete, in order
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        types = [e["type"] for e in history]
        assert types.count("MapRunStarted") == 1 and types.count("MapRunRedriven") == 1
        assert [e["id"] for e in history] == list(range(1, len(history) + 1))
        described = sfn.describe_map_run(mapRunArn=map_run)
        assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
        assert described["executionCounts"]["succeeded"] == len(items)
        assert described["executionCounts"]["total"] == len(items)
        children = sfn.list_executions(mapRunArn=map_run)["executions"]
        assert len(children) == len(items) and {c["status"] for c in children} == {"SUCCEEDED"}
        assert set(before) <= {c["executionArn"] for c in children}  # redriven under their ARNs
        for child, status in before.items():
            events = sfn.get_execution_history(executionArn=child, maxResults=1000)["events"]
            assert [e["id"] for e in events] == list(range(1, len(events) + 1))
            assert [e["type"] for e in events].count("ExecutionRedriven") == (status != "SUCCEEDED")
        # what had succeeded before the redrive was not called again (the rest at least once:
        # a call in flight when the first run failed, or at a kill, runs again)
        made = Counter(calls(tmp_path))
        assert succeeded_before and all(made[step] == 1 for step in succeeded_before)
        assert set(made) == {f"item{i}" for i in items}
    finally:
        proc.kill()
        proc.wait(10)
