"""`asl-runner graph` and `run --graph`: the picture of a machine and of a run, from the
command line; bad input is one clear message and exit 2."""

from __future__ import annotations

import json
import re
import time

import pytest

from asl_runner.cli import main

from cli_runner import CliRunner

CATCHING = {
    "StartAt": "Try",
    "States": {
        "Try": {"Type": "Pass", "Next": "Boom"},
        "Boom": {"Type": "Task", "Resource": "boom", "End": True,
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]},
        "Handled": {"Type": "Succeed"},
    },
}
BOOM = "def handler(event, context):\n    raise ValueError('no')\n"


@pytest.fixture
def cli(monkeypatch, tmp_path):
    monkeypatch.delenv("ASL_RUNNER_CLOCK", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "boom.py").write_text(BOOM)
    (tmp_path / "machine.json").write_text(json.dumps(CATCHING))

    def invoke(*args: str, input: str | None = None):
        result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=True)
        assert "Traceback" not in result.output
        return result

    return invoke


def statuses(svg: str) -> dict[str, str]:
    return dict(re.findall(r'data-state="([^"]+)" data-type="[^"]+" data-status="([^"]+)"', svg))


RUN_PATH = {"Try": "succeeded", "Boom": "caught", "Handled": "succeeded"}


def test_graph_of_a_run_json_history(cli, tmp_path):
    ran = cli("run", "machine.json", "--json", "--history")
    assert ran.exit_code == 0
    (tmp_path / "run.json").write_text(ran.stdout)
    drawn = cli("graph", "machine.json", "--history", "run.json")
    assert drawn.exit_code == 0, drawn.stderr
    assert drawn.stdout.startswith("<svg ")
    assert statuses(drawn.stdout) == RUN_PATH


def test_graph_of_a_get_execution_history_answer_from_stdin(cli, tmp_path):
    ran = json.loads(cli("run", "machine.json", "--json", "--history").stdout)
    answer = json.dumps({"events": ran["events"]})  # what `aws stepfunctions get-execution-history` prints
    drawn = cli("graph", "machine.json", "--history", "-", input=answer)
    assert statuses(drawn.stdout) == RUN_PATH


@pytest.mark.parametrize(("name", "start"), [("g.html", "<!DOCTYPE html>"), ("g.mmd", "flowchart TD"),
                                             ("g.dot", "digraph"), ("g.svg", "<svg ")])
def test_the_output_extension_names_the_format(cli, tmp_path, name, start):
    assert cli("graph", "machine.json", "--output", name).exit_code == 0
    assert (tmp_path / name).read_text().startswith(start)


def test_format_wins_over_the_extension_and_html_is_self_contained(cli, tmp_path):
    assert cli("graph", "machine.json", "--format", "html", "--output", "picture.txt").exit_code == 0
    page = (tmp_path / "picture.txt").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from a network


def test_run_graph_writes_the_picture_of_the_run(cli, tmp_path):
    ran = cli("run", "machine.json", "--graph", "run.svg")
    assert ran.exit_code == 0
    assert statuses((tmp_path / "run.svg").read_text()) == RUN_PATH
    assert cli("run", "machine.json", "--json", "--graph", "run.html").exit_code == 0
    assert "Boom" in (tmp_path / "run.html").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["run", "machine.json", "--graph", "run.png"], "--graph 'run.png': the extension names the format"),
    (["run", "machine.json", "--graph", "nowhere/run.svg"], "there is no folder 'nowhere'"),
    (["graph", "machine.json", "--output", "run.png"], "say --format"),
    (["graph", "machine.json", "--history", "h.json", "--execution", "arn:x"], "not both"),
    (["graph"], "give DEFINITION"),
    (["graph", "machine.json", "--history", "missing.json"], "cannot read history file"),
    (["graph", "machine.json", "--history", "bad.json"], "is not valid JSON"),
    (["graph", "machine.json", "--history", "status.json"], "it has no 'events' (`asl-runner run --json` writes them with --history)"),
    (["graph", "machine.json", "--history", "list.json"], "event 1 is not a history event"),
    (["graph", "broken.json"], "is not a valid state machine definition"),
])
def test_bad_input_is_one_message_and_exit_2(cli, tmp_path, args, message):
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "status.json").write_text('{"status": "SUCCEEDED"}')
    (tmp_path / "list.json").write_text('[1]')
    (tmp_path / "broken.json").write_text('{"StartAt": "A", "States": {}}')
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "run.png").exists()


def test_graph_of_an_execution_in_serve(cli, aws_env, tmp_path_factory):
    """--execution reads the history from the endpoint (every page) and, without DEFINITION,
    the definition the execution ran."""
    from test_server import Server, client

    server = Server(tmp_path_factory.mktemp("graph-serve"), "--clock", "virtual", db=":memory:")
    try:
        sfn = client(server.url)
        machine = sfn.create_state_machine(name="loop", roleArn="arn:aws:iam::123456789012:role/x",
                                           definition=json.dumps(MANY_EVENTS))["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        deadline = time.monotonic() + 10
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        drawn = cli("graph", "--execution", arn, "--endpoint-url", server.url, "--format", "mermaid")
        assert drawn.exit_code == 0, drawn.stderr
        assert "class s2 succeeded" in drawn.stdout  # Count
        assert "class s4 succeeded" in drawn.stdout  # Done: its events are past the first page
        missing = cli("graph", "--execution", arn + "x", "--endpoint-url", server.url)
        assert missing.exit_code == 1
        assert "ExecutionDoesNotExist" in missing.stderr
    finally:
        server.stop()


# a loop of 400 Pass visits: 1,200+ events, more than one page of GetExecutionHistory
MANY_EVENTS = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.n", "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 400, "Next": "Count"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


@pytest.fixture
def aws_env(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)


def test_graph_of_a_sam_template(cli):
    from pathlib import Path

    template = Path(__file__).resolve().parents[1] / "examples" / "sam_app" / "template.yaml"
    drawn = cli("graph", str(template), "--format", "mermaid")
    assert drawn.exit_code == 0, drawn.stderr
    assert '{"Buy or Sell?"}' in drawn.stdout  # the template's Choice state
