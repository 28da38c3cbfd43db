"""What AWS refuses is refused where a definition heads for AWS, and kept where it is local.

A Task Resource that is a bare Lambda function name ("ProcessOrder") is a convenience of
``asl-runner run`` and the Python API, which resolve it to a local handler. AWS's
CreateStateMachine refuses it ("SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at
/States/NAME/Resource"), so ``asl-runner validate``, the endpoint's CreateStateMachine and
ValidateStateMachineDefinition refuse it too: a definition that passes ``validate`` deploys.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import asl_runner
from asl_runner.cli import main
from asl_runner.errors import DefinitionError
from asl_runner.validate import validate_definition

from cli_runner import CliRunner

BARE = {"StartAt": "Order", "States": {"Order": {"Type": "Task", "Resource": "ProcessOrder", "End": True}}}
HANDLER = "def handler(event, context):\n    return {'processed': event['id']}\n"
BIN = Path(sys.executable).parent
ASL_RUNNER = [str(BIN / "asl-runner")] if (BIN / "asl-runner").exists() else [sys.executable, "-m", "asl_runner.cli"]


def test_validate_says_what_aws_says_about_a_bare_function_name():
    problems = validate_definition(BARE)
    assert [p.pointer for p in problems] == ["/States/Order/Resource"]
    assert problems[0].message.startswith("Value is not a valid resource ARN")
    assert "only `asl-runner run` and the Python API" in problems[0].message


@pytest.mark.parametrize("resource", ["ProcessOrder", "ProcessOrder:live", "function:ProcessOrder",
                                      "123456789012:function:ProcessOrder:2"])
def test_local_rules_accept_bare_names_and_partial_arns(resource):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}
    assert validate_definition(definition, local=True) == []
    assert validate_definition(definition)[0].pointer == "/States/T/Resource"
    machine = asl_runner.load(definition)
    assert machine.state("T").resource.function_name == "ProcessOrder"


def test_local_rules_keep_every_other_aws_rule():
    inline_batches = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}}
    with pytest.raises(DefinitionError) as info:
        asl_runner.load(inline_batches)
    assert [p.pointer for p in info.value.problems] == ["/States/M/ItemBatcher"]
    not_a_name = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "not a name!", "End": True}}}
    with pytest.raises(DefinitionError):
        asl_runner.load(not_a_name)


def test_python_api_runs_a_bare_name_with_a_local_handler():
    execution = asl_runner.run(BARE, {"id": 7}, handlers={"ProcessOrder": lambda event, context: {"ok": event["id"]}},
                               clock="virtual")
    assert (execution.status, execution.output) == ("SUCCEEDED", {"ok": 7})


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("ASL_RUNNER_CLOCK", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "ProcessOrder.py").write_text(HANDLER)
    (tmp_path / "order.asl.json").write_text(json.dumps(BARE))
    return tmp_path


def test_cli_run_accepts_and_validate_refuses_a_bare_name(project):
    runner = CliRunner()
    ran = runner.invoke(main, ["run", "order.asl.json", "--input", '{"id": 1}', "--json", "--clock", "virtual"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(json.loads(ran.stdout)["output"]) == {"processed": 1}
    checked = runner.invoke(main, ["validate", "order.asl.json"])
    assert checked.exit_code == 1
    assert checked.stdout.startswith("/States/Order/Resource: Value is not a valid resource ARN")


def _call(url: str, operation: str, body: dict) -> tuple[int, dict]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("POST", "/", json.dumps(body), {"Content-Type": "application/x-amz-json-1.0",
                                                  "X-Amz-Target": f"AWSStepFunctions.{operation}"})
    response = conn.getresponse()
    status, payload = response.status, json.loads(response.read() or b"{}")
    conn.close()
    return status, payload


def test_the_endpoint_refuses_a_bare_name_as_aws_does(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ASL_RUNNER_CLOCK"}
    with open(tmp_path / "serve.log", "w") as log:
        proc = subprocess.Popen([*ASL_RUNNER, "serve", "--port", "0", "--db", ":memory:", "--lambdas",
                                 str(tmp_path)], stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                                cwd=tmp_path)
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(20)
        assert lines and lines[0], (tmp_path / "serve.log").read_text()
        url = lines[0].split(" at ", 1)[1].split()[0]
        status, error = _call(url, "CreateStateMachine", {
            "name": "orders", "definition": json.dumps(BARE),
            "roleArn": "arn:aws:iam::123456789012:role/r"})
        assert status == 400
        assert error["__type"].endswith("InvalidDefinition")
        assert "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN" in error["message"]
        assert "at /States/Order/Resource" in error["message"]
        status, checked = _call(url, "ValidateStateMachineDefinition", {"definition": json.dumps(BARE)})
        assert status == 200 and checked["result"] == "FAIL"
        assert checked["diagnostics"][0]["location"] == "/States/Order/Resource"
    finally:
        proc.terminate()
        proc.wait(15)
        proc.stdout.close()
