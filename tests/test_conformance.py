"""The shared conformance cases, run in-process and scored by the harness's own functions.

../shared/conformance sits beside the repo (never copied into it); this module is skipped when
it is absent. Each case (JSONPath and JSONata) is one test: it parses the definition, runs it on a
virtual clock exactly as ``asl-runner run`` does, and asserts the harness's plain score and,
when the case recorded a history, its events score. Tier-2 cases (``needs``: Lambda functions)
run against the handlers in tests/conformance_lambdas, written from each case's description.

The harness applies the recorder's own normalisations (JSON text parsed into objects, header
values replaced by their names, the role ARN placeholder) to our outcome, so every value is
compared as recorded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

CONFORMANCE = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance"
if not (CONFORMANCE / "cases").is_dir() or not (CONFORMANCE / "run_corpus.py").is_file():
    pytest.skip("../shared/conformance is not beside the repo", allow_module_level=True)

sys.path.insert(0, str(CONFORMANCE))
from run_corpus import score_events, score_plain  # noqa: E402

from asl_runner.clock import VirtualClock  # noqa: E402
from asl_runner.engine import Execution, Runner  # noqa: E402
from asl_runner.integrations import Integrations  # noqa: E402
from asl_runner.model import parse_definition  # noqa: E402

KNOWN_MISMATCHES = {
    "ls:scenarios/test_base_scenarios.py::TestBaseScenarios::test_lambda_invoke_with_retry_extended_input": (
        "recorded before Step Functions added Execution.RedriveCount to the context object"),
}
LAMBDAS = Path(__file__).resolve().parent / "conformance_lambdas"


def _cases() -> list:
    params = []
    for path in sorted((CONFORMANCE / "cases").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if "definition" not in case or "expected" not in case:
            continue
        reason = KNOWN_MISMATCHES.get(case["id"])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return sorted(params, key=lambda p: p.id)


CASES = _cases()


def run_case(case: dict) -> dict:
    """What the cli adapter would print for ``run --json --history``."""
    machine = parse_definition(case["definition"])
    execution = Execution(machine, case["input"], clock=VirtualClock(), state_machine_name="definition",
                          machine_type=case.get("state_machine_type", "STANDARD"))
    integrations = Integrations(str(LAMBDAS) if case.get("needs") else None)
    try:
        with Runner(integrations) as runner:
            runner.run(execution)
    finally:
        integrations.close()  # each case its own AWS account, as each `asl-runner run` has
    described = execution.describe()
    described["events"] = [event.to_aws() for event in execution.history]
    return described


def test_the_corpus_is_there():
    assert len(CASES) > 400


@pytest.mark.parametrize("case", CASES)
def test_case(case):
    outcome = run_case(case)
    assert score_plain(case, outcome) is None
    if case.get("expected_events"):
        reason, unscorable = score_events(case, outcome)
        assert not unscorable
        assert reason is None
