"""The ``asl-runner`` command line: the contract in DESIGN.md ("CLI: asl-runner run").

`run` prints one DescribeExecution-shaped JSON object with --json (output as JSON *text*),
adds GetExecutionHistory-shaped events with --history, exits 0 when the execution succeeded,
1 when it ended otherwise and 2 for a usage or definition error, which it reports on stderr
without a traceback. `validate` prints each problem as ``POINTER: message``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from asl_runner.cli import main

# the command next to this interpreter: CI runs the tests without activating the venv
EXE = shutil.which("asl-runner") or str(Path(sys.executable).with_name("asl-runner"))

OK = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.name)"},
                                              "End": True}}}
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}}
WAIT_A_DAY = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
                                            "Done": {"Type": "Succeed"}}}
INVALID = {"StartAt": "A", "States": {"A": {"Type": "Pas"}, "B": {"Type": "Pass", "End": True}}}


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Invoke the CLI in-process, from an empty directory, with no clock set in the environment."""
    monkeypatch.delenv("ASL_RUNNER_CLOCK", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=True)

    return invoke


@pytest.fixture
def write(tmp_path):
    def write(name: str, content) -> str:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return str(path)

    return write


def no_traceback(result) -> None:
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def one_json_object(result) -> dict:
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


# ----------------------------------------------------------------------------------------------
# run --json
# ----------------------------------------------------------------------------------------------


def test_run_json_success(cli, write):
    result = cli("run", write("hello.asl.json", OK), "--input", '{"name": "Ada"}', "--json")
    assert result.exit_code == 0
    out = one_json_object(result)
    assert out["status"] == "SUCCEEDED"
    assert isinstance(out["output"], str)  # JSON text, as AWS returns it
    assert json.loads(out["output"]) == {"greeting": "hi Ada"}
    assert "error" not in out and "cause" not in out and "events" not in out
    assert json.loads(out["input"]) == {"name": "Ada"}
    assert out["stateMachineArn"].endswith(":stateMachine:hello")
    assert out["executionArn"].startswith("arn:aws:states:us-east-1:")


def test_run_json_failure(cli, write):
    result = cli("run", write("failing.json", FAILING), "--json")
    assert result.exit_code == 1
    out = one_json_object(result)
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "Broken", "on purpose")
    assert "output" not in out


def test_run_states_runtime_exits_1(cli, write):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.missing", "End": True}}}
    result = cli("run", write("d.json", definition), "--json")
    assert result.exit_code == 1
    out = one_json_object(result)
    assert out["error"] == "States.Runtime"
    assert out["cause"].endswith("Invalid path '$.missing' : No results for path: $['missing']")


def test_run_with_history(cli, write):
    result = cli("run", write("d.json", OK), "--input", '{"name": "Ada"}', "--json", "--history")
    assert result.exit_code == 0
    events = one_json_object(result)["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "ExecutionSucceeded"]
    assert [(e["id"], e["previousEventId"]) for e in events] == [(1, 0), (2, 0), (3, 2), (4, 3)]
    assert events[0]["executionStartedEventDetails"]["input"] == '{"name":"Ada"}'
    assert events[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert events[2]["stateExitedEventDetails"] == {"name": "Hello", "output": '{"greeting":"hi Ada"}',
                                                    "outputDetails": {"truncated": False}}
    for e in events:
        datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00"))


def test_default_input_is_an_empty_object(cli, write):
    out = one_json_object(cli("run", write("d.json", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
                              "--json"))
    assert json.loads(out["input"]) == {} and json.loads(out["output"]) == {}


def test_input_file(cli, write):
    result = cli("run", write("d.json", OK), "--input-file", write("in.json", {"name": "Bo"}), "--json")
    assert json.loads(one_json_object(result)["output"]) == {"greeting": "hi Bo"}


def test_input_from_stdin(cli, write):
    result = cli("run", write("d.json", OK), "--input-file", "-", "--json", input='{"name": "Cy"}')
    assert result.exit_code == 0
    assert json.loads(one_json_object(result)["output"]) == {"greeting": "hi Cy"}


def test_definition_from_stdin(cli):
    result = cli("run", "-", "--input", '{"name": "Di"}', "--json", input=json.dumps(OK))
    assert result.exit_code == 0
    assert json.loads(one_json_object(result)["output"]) == {"greeting": "hi Di"}


def test_name_option(cli, write):
    out = one_json_object(cli("run", write("d.json", OK), "--input", "{\"name\": \"x\"}", "--json", "--name", "run-7"))
    assert out["name"] == "run-7" and out["executionArn"].endswith(":run-7")


# ----------------------------------------------------------------------------------------------
# clocks
# ----------------------------------------------------------------------------------------------


def _wait_seconds(out: dict) -> float:
    stamps = {e["type"]: datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")) for e in out["events"]}
    return (stamps["WaitStateExited"] - stamps["WaitStateEntered"]).total_seconds()


def test_virtual_clock_option(cli, write):
    result = cli("run", write("d.json", WAIT_A_DAY), "--clock", "virtual", "--json", "--history")
    assert result.exit_code == 0
    assert _wait_seconds(one_json_object(result)) == pytest.approx(86400, abs=1)


def test_virtual_clock_from_the_environment(cli, write):
    result = cli("run", write("d.json", WAIT_A_DAY), "--json", "--history", env={"ASL_RUNNER_CLOCK": "virtual"})
    assert result.exit_code == 0
    assert _wait_seconds(one_json_object(result)) == pytest.approx(86400, abs=1)


def test_real_clock_option(cli, write):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": True}}}
    result = cli("run", write("d.json", definition), "--clock", "real", "--json", env={"ASL_RUNNER_CLOCK": "virtual"})
    assert result.exit_code == 0


def test_unknown_clock_in_the_environment(cli, write):
    result = cli("run", write("d.json", OK), env={"ASL_RUNNER_CLOCK": "sundial"})
    assert result.exit_code == 2
    assert "unknown clock 'sundial'" in result.stderr
    no_traceback(result)


def test_unknown_clock_option(cli, write):
    result = cli("run", write("d.json", OK), "--clock", "sundial")
    assert result.exit_code == 2
    no_traceback(result)


# ----------------------------------------------------------------------------------------------
# usage and definition errors: exit 2, a clear message on stderr, never a traceback
# ----------------------------------------------------------------------------------------------


def test_unreadable_definition(cli, tmp_path):
    result = cli("run", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"asl-runner: cannot read definition '{tmp_path / 'missing.json'}': No such file or directory"]
    assert result.stdout == ""
    no_traceback(result)


def test_directory_as_definition(cli, tmp_path):
    result = cli("run", str(tmp_path))
    assert result.exit_code == 2
    assert "cannot read definition" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("text", ["", "{", '{"StartAt": "A",}', "not json"])
def test_definition_that_is_not_json(cli, write, text):
    path = write("d.json", text)
    result = cli("run", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"asl-runner: {path}: not valid JSON:")
    no_traceback(result)


def test_definition_that_is_not_utf8(cli, tmp_path):
    path = tmp_path / "d.json"
    path.write_bytes(b"\xff\xfe{}")
    result = cli("run", str(path))
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize("text", ["[1]", "null", "5", '"x"'])
def test_definition_that_is_json_but_not_an_object(cli, write, text):
    result = cli("run", write("d.json", text))
    assert result.exit_code == 2
    no_traceback(result)


def test_invalid_definition_lists_every_problem(cli, write):
    path = write("d.json", INVALID)
    result = cli("run", path, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"asl-runner: {path} is not a valid state machine definition:"
    problems = [line.strip() for line in lines[1:]]
    assert any(p.startswith("/States/A/Type: ") and "'Pas'" in p for p in problems)
    assert any(p.startswith("/States/B: ") and "not reachable" in p for p in problems)
    no_traceback(result)


@pytest.mark.parametrize("text", ["{a", "", "[1, 2", "undefined"])
def test_execution_input_that_is_not_json(cli, write, text):
    result = cli("run", write("d.json", OK), "--input", text)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("asl-runner: the execution input is not valid JSON:")
    no_traceback(result)


def test_execution_input_file_that_is_not_json(cli, write):
    result = cli("run", write("d.json", OK), "--input-file", write("in.json", "{nope"))
    assert result.exit_code == 2
    assert "the execution input is not valid JSON" in result.stderr
    no_traceback(result)


def test_unreadable_input_file(cli, write, tmp_path):
    result = cli("run", write("d.json", OK), "--input-file", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"asl-runner: cannot read input file '{tmp_path / 'nope.json'}': No such file or directory"
    no_traceback(result)


def test_input_and_input_file_together(cli, write):
    result = cli("run", write("d.json", OK), "--input", "{}", "--input-file", write("in.json", {}))
    assert result.exit_code == 2
    assert result.stderr.strip() == "asl-runner: give --input or --input-file, not both"
    no_traceback(result)


def test_execution_input_over_the_quota(cli, write):
    big = json.dumps({"k": "a" * (256 * 1024)})
    result = cli("run", write("d.json", OK), "--input-file", write("in.json", big))
    assert result.exit_code == 2
    assert "InvalidExecutionInput" in result.stderr
    no_traceback(result)


def test_unknown_option_is_a_usage_error(cli, write):
    result = cli("run", write("d.json", OK), "--nope")
    assert result.exit_code == 2
    no_traceback(result)


# ----------------------------------------------------------------------------------------------
# validate
# ----------------------------------------------------------------------------------------------


def test_validate_lists_problems_as_pointer_and_message(cli, write):
    result = cli("validate", write("d.json", INVALID))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 2
    for line in lines:
        pointer, _, message = line.partition(": ")
        assert pointer.startswith("/") and message
    assert any(line.startswith("/States/A/Type: ") for line in lines)


def test_validate_a_valid_definition(cli, write):
    path = write("d.json", OK)
    result = cli("validate", path)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == f"{path}: valid"


def test_validate_not_json(cli, write):
    result = cli("validate", write("d.json", "{"))
    assert result.exit_code == 1
    assert result.stdout.startswith(": not valid JSON")
    no_traceback(result)


def test_validate_unreadable(cli, tmp_path):
    result = cli("validate", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert "cannot read definition" in result.stderr
    no_traceback(result)


def test_validate_from_stdin(cli):
    result = cli("validate", "-", input=json.dumps(INVALID))
    assert result.exit_code == 1
    assert "/States/A/Type: " in result.stdout


# ----------------------------------------------------------------------------------------------
# the trace (no --json)
# ----------------------------------------------------------------------------------------------


def test_trace_shows_the_states_and_the_outcome(cli, write):
    definition = {"StartAt": "First", "States": {
        "First": {"Type": "Pass", "Assign": {"v": 1}, "Next": "Second"},
        "Second": {"Type": "Pass", "Result": {"done": True}, "End": True}}}
    result = cli("run", write("d.json", definition), "--input", '{"x": 1}')
    assert result.exit_code == 0
    text = result.stdout
    assert "\x1b[" not in text  # no colour when not a terminal
    assert text.index("First") < text.index("Second")
    assert "SUCCEEDED" in text
    assert 'output {"done":true}' in text
    assert "vars v" in text


def test_trace_of_a_failure(cli, write):
    result = cli("run", write("d.json", FAILING))
    assert result.exit_code == 1
    assert "Boom" in result.stdout and "FAILED" in result.stdout
    assert "Broken" in result.stdout and "on purpose" in result.stdout


def test_trace_of_a_map(cli, write):
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}}}}
    result = cli("run", write("d.json", definition), "--input", "[1, 2]")
    assert result.exit_code == 0
    assert "M[0]" in result.stdout and "M[1]" in result.stdout and "Item" in result.stdout


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("asl-runner ")


# ----------------------------------------------------------------------------------------------
# the installed command, as a real process
# ----------------------------------------------------------------------------------------------


@pytest.mark.skipif(not Path(EXE).exists(), reason="the asl-runner command is not installed")
def test_installed_command(tmp_path):
    definition = tmp_path / "d.json"
    definition.write_text(json.dumps(WAIT_A_DAY))
    data = tmp_path / "in.json"
    data.write_text('{"k": [1, 2]}')
    env = {**os.environ, "ASL_RUNNER_CLOCK": "virtual"}
    proc = subprocess.run([EXE, "run", str(definition), "--input-file", str(data), "--json", "--history"],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "SUCCEEDED" and json.loads(out["output"]) == {"k": [1, 2]}
    assert _wait_seconds(out) == pytest.approx(86400, abs=1)

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(INVALID))
    proc = subprocess.run([EXE, "run", str(bad)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "/States/A/Type" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.skipif(not Path(EXE).exists(), reason="the asl-runner command is not installed")
def test_installed_command_reads_stdin(tmp_path):
    proc = subprocess.run([EXE, "run", "-", "--json"], input=json.dumps(FAILING),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] == "Broken"
