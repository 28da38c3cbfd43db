"""The ``asl-runner`` command line: the contract in DESIGN.md ("CLI: asl-runner run").

`run` prints one DescribeExecution-shaped JSON object with --json (output as JSON *text*),
adds GetExecutionHistory-shaped events with --history, exits 0 when the execution succeeded,
1 when it ended otherwise and 2 for a usage or definition error, which it reports on stderr
without a traceback. `validate` prints each problem as ``POINTER: message``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from asl_runner.cli import _WaitNotices, main
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.integrations import Integrations
from asl_runner.model import parse_definition
from asl_runner.trace import duration

from cli_runner import CliRunner
from support import lambda_arn

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


QUOTA = ("ValidationException: 1 validation error detected: Value at 'input' failed to satisfy "
         "constraint: Member must have length less than or equal to 262144")


@pytest.mark.parametrize("how", ["--input", "--input-file"])
def test_execution_input_over_the_quota(cli, write, how):
    big = json.dumps({"k": "a" * (256 * 1024)})
    value = big if how == "--input" else write("in.json", big)
    result = cli("run", write("d.json", OK), how, value)
    assert result.exit_code == 2
    assert QUOTA in result.stderr
    assert result.stdout == ""
    no_traceback(result)


def test_execution_input_at_the_quota_is_accepted(cli, write):
    text = json.dumps({"k": ""})
    text = json.dumps({"k": "a" * (256 * 1024 - len(text))})  # exactly 262144 bytes
    assert len(text.encode()) == 256 * 1024
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}
    result = cli("run", write("d.json", definition), "--input-file", write("in.json", text), "--json")
    assert result.exit_code == 0, result.stderr


def test_endless_input_file_is_read_only_up_to_the_quota(cli, write):
    """/dev/zero has no end: reading it whole filled 9 GB."""
    result = cli("run", write("d.json", OK), "--input-file", "/dev/zero")
    assert result.exit_code == 2
    assert QUOTA in result.stderr
    no_traceback(result)


def test_endless_definition_is_read_only_up_to_aws_limit(cli):
    for command in ("run", "validate"):
        result = cli(command, "/dev/zero")
        assert result.exit_code == 2
        assert "Member must have length less than or equal to 1048576" in result.stderr
        no_traceback(result)


@pytest.mark.parametrize(("text", "why"), [
    ('{"x": NaN}', "'NaN' is not a JSON number"),
    ('{"x": Infinity}', "'Infinity' is not a JSON number"),
    ('[-Infinity]', "'-Infinity' is not a JSON number"),
    ('{"x": 1e999}', "out of range"),
    ("[" * 1001 + "]" * 1001, "nested more than 1000 levels deep"),
])
def test_execution_input_that_aws_would_not_read(cli, write, text, why):
    """StartExecution refuses these (InvalidExecutionInput); Python's json module does not."""
    for how, value in (("--input", text), ("--input-file", write("in.json", text))):
        result = cli("run", write("d.json", OK), how, value, "--json")
        assert result.exit_code == 2
        line = result.stderr.strip()
        assert line.startswith("asl-runner: the execution input is not valid JSON: ")
        assert why in line and line.endswith("(InvalidExecutionInput)")
        assert result.stdout == ""
        no_traceback(result)


def test_definition_with_nan_is_not_json(cli, write):
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": NaN, "End": true}}}'
    path = write("d.json", definition)
    result = cli("run", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"asl-runner: {path}: not valid JSON: 'NaN' is not a JSON number")
    no_traceback(result)


def test_missing_lambdas_directory_is_a_usage_error(cli, write, tmp_path):
    result = cli("run", write("d.json", OK), "--lambdas", str(tmp_path / "nope"), "--json")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"asl-runner: --lambdas '{tmp_path / 'nope'}' is not a directory"
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize(("name", "code"), [
    ("../../x", "InvalidName"), ("a b", "InvalidName"), ("tab\there", "InvalidName"),
    ("x" * 81, "ValidationException"), ("", "ValidationException"), ("bell\x07", "InvalidName"),
    ("q?", "InvalidName"), ("star*", "InvalidName"), ("<tag>", "InvalidName"), ("a,b", "InvalidName"),
    ("semi;colon", "InvalidName"), ("c:d", "InvalidName"), ("100%", "InvalidName"), ("`tick`", "InvalidName"),
])
def test_run_name_is_checked_as_start_execution_checks_it(cli, write, name, code):
    result = cli("run", write("d.json", OK), "--name", name, "--json")
    assert result.exit_code == 2
    assert f"asl-runner: --name {name!r}: {code}: " in result.stderr
    assert "a name has 1 to 80 characters" in result.stderr
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize("name", ["run-7", "x" * 80, "a.b_c-d", "héllo", "(parens)", "a+b=c@d!"])
def test_run_name_that_start_execution_accepts(cli, write, name):
    out = one_json_object(cli("run", write("d.json", OK), "--input", '{"name": "x"}', "--json", "--name", name))
    assert out["name"] == name and out["executionArn"].endswith(f":{name}")


def test_run_name_with_bytes_that_are_not_utf8(write, tmp_path):
    """argv can hold any bytes; the message must still print (no UnicodeEncodeError)."""
    proc = subprocess.run([sys.executable, "-m", "asl_runner.cli", "run", write("d.json", OK), "--name",
                           os.fsdecode(b"bad\xff")], capture_output=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2
    assert b"InvalidName" in proc.stderr and b"Traceback" not in proc.stderr


def test_unknown_option_is_a_usage_error(cli, write):
    result = cli("run", write("d.json", OK), "--nope")
    assert result.exit_code == 2
    assert result.stderr == "asl-runner: unrecognized arguments: --nope (see 'asl-runner run --help')\n"
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize(("args", "message"), [
    (["run", "d.json", "--clock", "sundial"], "argument --clock: invalid choice: 'sundial'"),
    (["run", "d.json", "--inp", "{}"], "unrecognized arguments: --inp {}"),  # no abbreviations
    (["run"], "the following arguments are required: DEFINITION"),
    (["run", "d.json", "--name"], "argument --name: expected one argument"),
    (["serve", "--port", "70000"], "argument --port: 70000 is not in the range 0 to 65535"),
    (["serve", "--port", "http"], "argument --port: 'http' is not a port number"),
    (["send-task-success", "--task-token", "t"], "the following arguments are required: --task-output"),
    (["frob"], "argument COMMAND: invalid choice: 'frob'"),
])
def test_usage_errors_name_the_option(cli, write, args, message):
    write("d.json", OK)
    result = cli(*args)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"asl-runner: {message}") and line.endswith(" --help')"), line
    no_traceback(result)


def test_an_option_value_may_start_with_a_dash_after_equals(cli, write):
    out = one_json_object(cli("run", write("d.json", OK), "--input", '{"name": "x"}', "--json", "--name=-a"))
    assert out["name"] == "-a"


def test_no_command_lists_the_commands_and_is_a_usage_error(cli):
    result = cli()
    assert result.exit_code == 2 and result.stdout == ""
    for command in ("run", "validate", "serve", "send-task-success", "send-task-failure", "send-task-heartbeat"):
        assert f"\n  {command} " in result.stderr


def test_help_of_each_command(cli):
    top = cli("--help")
    assert top.exit_code == 0 and "Run AWS Step Functions state machines" in top.stdout
    run = cli("run", "--help")
    assert run.exit_code == 0 and run.stderr == ""
    assert "Run DEFINITION to its end and show what happened." in run.stdout
    for option in ("--input JSON", "--input-file FILE", "--json", "--history", "--lambdas DIR", "--clock",
                   "--name NAME", "--type STANDARD|EXPRESS", "--mock-config FILE", "--test-case NAME",
                   "--machine NAME=FILE", "--aws {moto,real}", "--aws-endpoint URL", "--aws-setup FILE"):
        assert option in run.stdout, option
    serve = cli("serve", "--help")
    # the example command line is kept as written, not re-wrapped into the paragraph
    assert "\n    aws stepfunctions list-state-machines --endpoint-url http://127.0.0.1:8083\n" in serve.stdout
    assert "(default: 8083)" in serve.stdout


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


def test_trace_says_modelled_only_on_the_virtual_clock_and_prints_human_durations(cli, write, monkeypatch):
    path = write("d.json", WAIT_A_DAY)
    virtual = cli("run", path, "--clock", "virtual")
    assert virtual.exit_code == 0
    [summary] = [line for line in virtual.stdout.splitlines() if line.startswith("■ ")]
    assert re.fullmatch(r"■ SUCCEEDED  6 events, 1 d 0 h 0 min 0(\.\d+)? s \(modelled\)", summary), summary
    monkeypatch.setattr("asl_runner.clock.make_clock", lambda name=None: ImpatientClock())
    real = cli("run", path)
    [summary] = [line for line in real.stdout.splitlines() if line.startswith("■ ")]
    assert "(modelled)" not in summary and "1 d 0 h 0 min" in summary and " ms" not in summary


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 ms"), (0.0794, "79 ms"), (0.9996, "1 s"), (2, "2 s"), (2.5, "2.5 s"), (90, "1 min 30 s"),
    (3600, "1 h 0 min 0 s"), (86400.005, "1 d 0 h 0 min 0.005 s"), (-3, "0 ms"),
])
def test_durations_read_at_a_glance(seconds, text):
    assert duration(seconds) == text


# ----------------------------------------------------------------------------------------------
# --type EXPRESS
# ----------------------------------------------------------------------------------------------

CONTEXT = {"StartAt": "C", "States": {"C": {"Type": "Pass", "Parameters": {"ctx.$": "$$.Execution"}, "End": True}}}


def test_express_run_has_express_arns_and_context(cli, write):
    out = one_json_object(cli("run", write("ctx.json", CONTEXT), "--type", "EXPRESS", "--name", "e-1", "--json"))
    assert out["status"] == "SUCCEEDED"
    assert re.fullmatch(r"arn:aws:states:us-east-1:123456789012:express:ctx:e-1:[0-9a-f-]{36}", out["executionArn"])
    context = json.loads(out["output"])["ctx"]
    assert context["Id"] == out["executionArn"] and "RedriveCount" not in context
    standard = one_json_object(cli("run", write("ctx.json", CONTEXT), "--json"))
    assert json.loads(standard["output"])["ctx"]["RedriveCount"] == 0
    assert ":execution:ctx:" in standard["executionArn"]


@pytest.mark.parametrize(("resource", "message"), [
    ("arn:aws:states:::lambda:invoke.waitForTaskToken",
     "Express state machine does not support '.waitForTaskToken' service integration"),
    ("arn:aws:states:::states:startExecution.sync", "Express state machine does not support '.sync' service integration"),
    ("arn:aws:states:::states:startExecution.sync:2",
     "Express state machine does not support '.sync:2' service integration"),
    ("arn:aws:states:us-east-1:123456789012:activity:Sign", "Express state machine does not support Activity ARN"),
])
def test_express_refuses_what_create_state_machine_refuses(cli, write, resource, message):
    task = {"Type": "Task", "Resource": resource, "Parameters": {"FunctionName": "F", "Payload": {}}, "End": True}
    if "activity" in resource:
        del task["Parameters"]
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "T", "States": {"T": task}}]}}}
    path = write("d.json", definition)
    result = cli("run", path, "--type", "express", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (f"asl-runner: {path} cannot run as an EXPRESS state machine (CreateStateMachine "
                        "refuses it: InvalidDefinition, SCHEMA_VALIDATION_FAILED):")
    assert lines[1:] == [f"  /States/P/Branches/0/States/T/Resource: {message}"]
    no_traceback(result)


def test_unknown_type_is_a_usage_error(cli, write):
    result = cli("run", write("d.json", OK), "--type", "QUICK")
    assert result.exit_code == 2
    no_traceback(result)


# ----------------------------------------------------------------------------------------------
# what a waiting run says
# ----------------------------------------------------------------------------------------------


class ImpatientClock(VirtualClock):
    """Behaves as the real clock to a runner (it cannot jump, so the runner blocks and says
    why), but a runner's wait for a timer passes at once: tests see the notices without
    waiting. A callback's timeout is reached by ``jump``."""

    name = "real"

    def skip_to(self, until: float) -> bool:
        return False

    def wait(self, until, wake=None) -> None:
        if until is not None:
            self.jump(until)

    def jump(self, until: float) -> None:
        VirtualClock.skip_to(self, until)


def waits(definition: dict, handlers: dict | None = None, **options) -> tuple[Execution, list]:
    """Run on an ImpatientClock; the notices as (what, seconds from the notice to until)."""
    clock = ImpatientClock()
    seen = []

    def on_wait(what, until):
        seen.append((what, None if until is None else round(until - clock.now(), 1)))
        if until is not None:
            clock.jump(until)  # lets a blocked callback reach its timeout now

    execution = Execution(parse_definition(definition), {}, clock=clock, **options)
    integrations = Integrations(None, handlers or {})
    try:
        with Runner(integrations, on_wait=on_wait) as runner:
            runner.run(execution)
    finally:
        integrations.close()  # a mocked AWS account it started must not outlive the test
    return execution, seen


def fail(event, context):
    raise RuntimeError("down")


def test_a_wait_state_says_until_when():
    _, seen = waits({"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 90, "End": True}}})
    assert seen == [("Wait state 'Nap'", 90.0)]


def test_a_retry_back_off_says_which_retry_of_how_many():
    task = {"Type": "Task", "Resource": lambda_arn("Flaky"), "End": True, "Retry": [
        {"ErrorEquals": ["Other"], "MaxAttempts": 5},
        {"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 2, "MaxAttempts": 2, "BackoffRate": 3}]}
    execution, seen = waits({"StartAt": "Charge", "States": {"Charge": task}}, {"Flaky": fail})
    assert execution.status == "FAILED"
    assert seen == [("Charge failed with RuntimeError: retry 1 of 2", 2.0),
                    ("Charge failed with RuntimeError: retry 2 of 2", 6.0)]


def test_a_task_token_says_run_cannot_answer_it():
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 3600,
            "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}
    execution, seen = waits({"StartAt": "Approve", "States": {"Approve": task}}, {"Ask": lambda e, c: None})
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    [(what, seconds)] = seen
    assert what == ("Approve: waiting for SendTaskSuccess or SendTaskFailure with its task token, which "
                    "`asl-runner run` cannot receive: run the machine under `asl-runner serve`; "
                    "TimeoutSeconds ends the wait")
    assert seconds == pytest.approx(3600.0, abs=2)  # the clock runs on while a loaded machine works


def test_an_activity_says_it_needs_a_worker_and_what_ends_the_wait():
    task = {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:Sign", "End": True}
    execution, seen = waits({"StartAt": "Sign", "TimeoutSeconds": 600, "States": {"Sign": task}})
    assert execution.status == "TIMED_OUT"
    [(what, seconds)] = seen
    assert what == ("Sign: waiting for an activity worker polling GetActivityTask, which `asl-runner run` "
                    "cannot serve: run the machine under `asl-runner serve`; the execution's "
                    "TimeoutSeconds ends it")
    assert seconds == pytest.approx(600.0, abs=2)  # the clock runs on while a loaded machine works


def test_a_callback_without_any_timeout_names_the_execution_limit():
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "Ask", "Payload": {}}, "End": True}
    execution, seen = waits({"StartAt": "Approve", "States": {"Approve": task}}, {"Ask": lambda e, c: None},
                            machine_type="EXPRESS")
    assert execution.status == "TIMED_OUT"
    [(what, seconds)] = seen
    assert what.endswith("; the maximum duration of a EXPRESS execution ends it")
    assert seconds == pytest.approx(300.0, abs=2)  # the clock runs on while a loaded machine works


def test_the_virtual_clock_jumps_without_notices():
    clock = VirtualClock()
    told = []
    execution = Execution(parse_definition(WAIT_A_DAY), {}, clock=clock)
    with Runner(Integrations(None), on_wait=lambda *a: told.append(a)) as runner:
        runner.run(execution)
    assert execution.status == "SUCCEEDED" and told == []


def test_notices_in_the_trace_and_on_stderr_with_json(cli, write, monkeypatch):
    monkeypatch.setattr("asl_runner.clock.make_clock", lambda name=None: ImpatientClock())
    path = write("d.json", WAIT_A_DAY)
    traced = cli("run", path)
    [notice] = [line for line in traced.stdout.splitlines() if "⏸" in line]
    assert re.fullmatch(r"  ⏸ waiting until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(in 1 d 0 h 0 min 0 s\): "
                        r"Wait state 'Wait'", notice), notice
    assert traced.stdout.index("→ Wait") < traced.stdout.index("⏸") < traced.stdout.index("✓ Wait")
    as_json = cli("run", path, "--json")
    assert one_json_object(as_json)["status"] == "SUCCEEDED"
    [line] = as_json.stderr.strip().splitlines()
    assert line.startswith("asl-runner: waiting until ") and line.endswith("(in 1 d 0 h 0 min 0 s): Wait state 'Wait'")


def test_a_wait_too_short_to_notice_gets_no_notice(cli, write, monkeypatch):
    monkeypatch.setattr("asl_runner.clock.make_clock", lambda name=None: ImpatientClock())
    short = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}
    result = cli("run", write("d.json", short), "--json")
    assert result.exit_code == 0 and result.stderr == ""


def test_the_same_wait_is_told_once():
    clock = ImpatientClock()
    lines = []
    notices = _WaitNotices(clock, printer=None)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("asl_runner.cli._echo", lambda text, err=False: lines.append(text))
        until = clock.now() + 60
        notices("Wait state 'W'", until)
        notices("Wait state 'W'", until)  # the runner woke up (a heartbeat, say) and blocks again
        notices("Wait state 'W'", until + 60)
    assert len(lines) == 2


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("asl-runner ")


# ----------------------------------------------------------------------------------------------
# start-up: what a plain run imports (instructions, not seconds: a timed test would be flaky)
# ----------------------------------------------------------------------------------------------

#: modules a machine without AWS calls does not need, each costing millions of instructions at
#: start (measured with callgrind: click ~40M with what it pulls in, dataclasses and inspect
#: ~37M, uuid with platform ~11M, shutil ~9M, datetime ~5M, random ~4M, the catalog ~1.5M)
NOT_AT_START = ("click", "boto3", "botocore", "moto", "lark", "jsonpath_ng", "uvicorn", "sqlite3",
                "dataclasses", "inspect", "ast", "dis", "tokenize", "uuid", "platform", "shutil",
                "datetime", "random", "importlib.metadata", "logging", "email", "decimal", "traceback",
                "asl_runner.integrations.catalog", "asl_runner.server", "asl_runner.service", "asl_runner.mocks",
                "jlens", "asl_runner.jsonata")

LIST_MODULES_AT_EXIT = """\
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.__stderr__))
sys.argv = ["asl-runner", *sys.argv[1:]]
from asl_runner.cli import main
main()
"""


@pytest.mark.parametrize("options", [[], ["--json"]])
def test_a_plain_run_imports_nothing_it_does_not_need(tmp_path, options):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    env = {k: v for k, v in os.environ.items() if k not in ("ASL_RUNNER_CLOCK", "AWS_ENDPOINT_URL")}
    proc = subprocess.run([sys.executable, "-c", LIST_MODULES_AT_EXIT, "run", str(path), *options],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert "asl_runner.engine" in loaded  # it did run
    unwanted = sorted(m for m in loaded if m in NOT_AT_START or m.split(".")[0] in NOT_AT_START
                      or any(m.startswith(f"{name}.") for name in NOT_AT_START))
    assert unwanted == []


def test_random_uuid_is_a_version_4_uuid():
    import random
    import uuid

    from asl_runner.names import random_uuid

    for _ in range(100):
        text = random_uuid()
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len({random_uuid() for _ in range(1000)}) == 1000
    # from a seeded source: the same text as uuid.UUID(int=..., version=4), so a replay repeats it
    assert random_uuid(random.Random(7)) == str(uuid.UUID(int=random.Random(7).getrandbits(128), version=4))


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


# ----------------------------------------------------------------------------------------------
# Ctrl-C: a real process, a real SIGINT
# ----------------------------------------------------------------------------------------------


def _start(tmp_path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "ASL_RUNNER_CLOCK"}  # the real clock
    # unbuffered bytes: _read_until reads the pipes itself, so no line hides in a buffer
    return subprocess.Popen([sys.executable, "-m", "asl_runner.cli", "run", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)


def _read_until(stream, needle: str, timeout: float = 30.0) -> str:
    """What ``stream`` (an unbuffered pipe) carries up to and including ``needle``."""
    import select

    seen = b""
    deadline = time.monotonic() + timeout
    while needle.encode() not in seen:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {needle!r} within {timeout} s; got {seen!r}")
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            raise AssertionError(f"the process ended before {needle!r}; got {seen!r}")
        seen += chunk
    return seen.decode()


def _finish(proc: subprocess.Popen) -> tuple[str, str]:
    out, err = proc.communicate(timeout=30)
    return out.decode(), err.decode()


needs_posix = pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process is POSIX")


@needs_posix
@pytest.mark.parametrize(("signum", "words"), [(signal.SIGINT, "interrupted"),
                                              (signal.SIGTERM, "terminated")])
def test_ctrl_c_or_sigterm_during_a_wait_aborts_and_still_prints_one_json_object(tmp_path, signum,
                                                                                 words):
    (tmp_path / "d.json").write_text(json.dumps(WAIT_A_DAY))
    proc = _start(tmp_path, "d.json", "--json", "--history")
    try:
        # the real clock: the run says what it waits for before anyone presses Ctrl-C
        notice = _read_until(proc.stderr, "waiting until")
        assert "(in 1 d 0 h 0 min 0 s): Wait state 'Wait'" in notice
        proc.send_signal(signum)
        out, err = _finish(proc)
    finally:
        proc.kill()
    # ends as an interrupted Unix command does: killed by the signal (130 or 143 in a shell)
    assert proc.returncode == -signum
    assert "Traceback" not in err and f"{words}: the execution was stopped (ABORTED)" in err
    result = json.loads(out)
    assert result["status"] == "ABORTED" and "stopDate" in result and "output" not in result
    assert [e["type"] for e in result["events"]] == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]


@needs_posix
def test_ctrl_c_during_a_handler_stops_without_a_task_failure(tmp_path):
    """A handler that Ctrl-C interrupted must not fail its task (a Retry would run it again)."""
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "Slow.py").write_text(
        "import time\n\ndef handler(event, context):\n    print('working', flush=True)\n"
        "    time.sleep(60)\n    return 'done'\n")
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lambda_arn("Slow"), "End": True,
                                                   "Retry": [{"ErrorEquals": ["States.ALL"]}]}}}
    (tmp_path / "d.json").write_text(json.dumps(definition))
    proc = _start(tmp_path, "d.json")
    try:
        before = _read_until(proc.stdout, "working")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = _finish(proc)
        out = before + out
    finally:
        proc.kill()
    assert time.monotonic() - started < 10  # the handler's minute was not waited out
    assert proc.returncode == -signal.SIGINT
    assert "Traceback" not in err
    assert "■ ABORTED" in out
    assert "✗" not in out and out.count("↳ call") == 1


@needs_posix
def test_a_reader_that_leaves_early_stops_the_trace_not_the_run(tmp_path):
    """`asl-runner run ... | head -1`: no BrokenPipeError traceback, and the execution ends."""
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "Nap.py").write_text(
        "import time\n\ndef handler(event, context):\n    time.sleep(0.3)\n    return {}\n")
    # the trace goes on after the reader has left: the handler takes a moment
    states = {"Nap": {"Type": "Task", "Resource": lambda_arn("Nap"), "Next": "S0"}}
    states.update({f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(20)})
    states["S20"] = {"Type": "Succeed"}
    (tmp_path / "d.json").write_text(json.dumps({"StartAt": "Nap", "States": states}))
    proc = _start(tmp_path, "d.json")
    _read_until(proc.stdout, "execution started")
    proc.stdout.close()  # as head does once it has its line
    err = proc.stderr.read().decode()
    assert proc.wait(30) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err
