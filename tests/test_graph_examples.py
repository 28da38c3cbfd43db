"""The README's pictures of the examples' runs (docs/graphs/*.svg) are what `asl-runner
graph` draws for those runs today: each test runs its example as the README does and
compares the SVG byte for byte, so the pictures cannot go stale.

After a change to the drawing (or to an example), rewrite them and look at them:

    ASL_RUNNER_UPDATE_GRAPHS=1 python -m pytest tests/test_graph_examples.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_examples_loan import DAY, START, HeldClock, Loans, of_type

import asl_runner
from asl_runner.graph import render

REPO = Path(__file__).resolve().parents[1]
GRAPHS = REPO / "docs" / "graphs"
DEFINITIONS = REPO / "definitions"
LAMBDAS = str(REPO / "lambdas")


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """The handlers' systems of record, fresh for each run (a rerun would go on from them)."""
    for kind in ("archive", "records", "staging", "approvals"):
        monkeypatch.setenv(f"ASL_RUNNER_{kind.upper()}_DIR", str(tmp_path / kind))
    return tmp_path


def run_example(example: str, scenario: str) -> list:
    """``asl-runner run definitions/EXAMPLE.asl.json --input-file .../SCENARIO.json
    --lambdas lambdas --aws-setup .../aws_setup.json --clock virtual``, as history events."""
    folder = DEFINITIONS / example
    execution = asl_runner.run(
        str(DEFINITIONS / f"{example}.asl.json"),
        json.loads((folder / f"{scenario}.json").read_text()),
        lambdas=LAMBDAS, aws_setup=str(folder / "aws_setup.json"), clock="virtual")
    return execution.history


def matches_committed(name: str, definition: Path, events: list) -> None:
    svg = render(str(definition), events, "svg")
    path = GRAPHS / f"{name}.svg"
    if os.environ.get("ASL_RUNNER_UPDATE_GRAPHS"):
        path.write_text(svg, encoding="utf-8")
    assert path.exists(), f"{path} is missing: ASL_RUNNER_UPDATE_GRAPHS=1 writes it"
    assert path.read_text(encoding="utf-8") == svg, (
        f"{path.relative_to(REPO)} is not what `asl-runner graph` draws for this run now: "
        "rewrite it with ASL_RUNNER_UPDATE_GRAPHS=1 and look at it")


def test_gdpr_team_admin(folders):
    events = run_example("gdpr_offboarding", "team_admin")
    matches_committed("gdpr_offboarding", DEFINITIONS / "gdpr_offboarding.asl.json", events)


def test_order_saga_crm_outage(folders):
    events = run_example("order_saga", "crm_outage")
    matches_committed("order_saga", DEFINITIONS / "order_saga.asl.json", events)


def test_loan_approved_after_escalation(folders):
    """The loan README's walkthrough in the service `serve` runs: the branch manager lets the
    day pass, the request goes up a level, the regional manager approves, the signing desk
    (examples/activity_worker.py) signs, the loan is funded."""
    from example_aws import mocked_account

    with mocked_account(DEFINITIONS / "loan_approval" / "aws_setup.json"):
        # time jumps past the first day (the request times out), not to the signing desk's
        # 60-second heartbeat deadline after it
        loans = Loans(folders / "loans.db", HeldClock(until=START + DAY + 30))
        try:
            loans.open_signing_desk()
            arn = loans.start("good_credit", "loan-1001")
            loans.waiting_for_approval(arn, count=2)
            filed = json.loads((folders / "approvals" / "loan-1001.json").read_text())
            loans.service.send_task_success({"taskToken": filed["taskToken"], "output": json.dumps(
                {"approved": True, "approver": "Radia Perlman"})})
            described = loans.finish(arn)
            assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"))
            events = loans.history(arn)
        finally:
            loans.close()
    assert len(of_type(events, "TaskTimedOut")) == 1
    matches_committed("loan_approval", DEFINITIONS / "loan_approval.asl.json", events)
