"""The shared conformance cases, run in-process and scored by the harness's own functions.

../shared/conformance sits beside the repo (never copied into it); this module is skipped when
it is absent. Each case without JSONata is one test: it parses the definition, runs it on a
virtual clock exactly as ``asl-runner run`` does, and asserts the harness's plain score and,
when the case recorded a history, its events score. Tier-2 cases (``needs``: Lambda functions)
run against the handlers in tests/conformance_lambdas, written from each case's description.

Some tier-2 recordings were normalised by the recorder in ways the harness does not undo (JSON
text parsed into objects, header values replaced by their names); :func:`as_recorded` applies
the same normalisation to our outcome, so the values are still compared, not skipped.
"""

from __future__ import annotations

import json
import re
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

ROLE_ARN_PLACEHOLDER = (
    "the recording's RoleArn is the literal placeholder 'snf_role_arn' (the recorder replaced the "
    "role ARN with a word that the harness does not treat as a wildcard)")
KNOWN_MISMATCHES = {
    "ls:context_object/test_context_object.py::TestSnfBase::test_output_path[$$]": ROLE_ARN_PLACEHOLDER,
    "ls:express/test_express_sync.py::TestExpressSync::test_query_runtime_memory#start_execution_sync_response": (
        "an EXPRESS machine: its context object has no Execution.RedriveCount, and `asl-runner run` has no "
        "notion of machine type yet"),
}
KNOWN_MISMATCHES.update({
    "ls:scenarios/test_base_scenarios.py::TestBaseScenarios::test_lambda_invoke_with_retry_extended_input": (
        "recorded before Step Functions added Execution.RedriveCount to the context object"),
    "ls:local_mocking/test_base_scenarios.py::TestBaseScenarios::test_parallel_state_lambda": (
        "the recorded output is the placeholder 'executionSucceededEventDetails.output'"),
})
KEY_FIELDS = ("output", "input", "assignedVariables", "cause", "error")
LAMBDAS = Path(__file__).resolve().parent / "conformance_lambdas"
# header values the recorder replaced with a word of its own (not a harness wildcard)
RECORDED_HEADERS = {"x-amzn-RequestId": "x-amzn-RequestId", "X-Amzn-Trace-Id": "X-Amzn-Trace-Id",
                    "Date": "date"}


def _parsed_if_object(value):
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _headers_as_recorded(value):
    if isinstance(value, dict):
        out = {k: _headers_as_recorded(v) for k, v in value.items()}
        if "HttpHeaders" in out and "AllHttpHeaders" in out:
            for name, word in RECORDED_HEADERS.items():
                if name in out["HttpHeaders"]:
                    out["HttpHeaders"][name] = word
                    out["AllHttpHeaders"][name] = word if word != "date" else word
        if set(out) == {"RequestId"}:
            out["RequestId"] = "RequestId"
        return out
    if isinstance(value, list):
        return [_headers_as_recorded(v) for v in value]
    return value


_BARE_NAME = re.compile(r"(?<!<)lambda_function_name(?!>)")


def as_recorded(outcome: dict, case: dict) -> dict:
    """Our outcome, normalised as the recorder normalised AWS's (see the module docstring)."""
    if not case.get("needs"):
        return outcome
    out = dict(outcome)
    if _BARE_NAME.search(json.dumps(case.get("expected_events"))):
        # some recordings replaced the function name with a bare word in the inputs
        text = json.dumps(out.get("events", []))
        for need in case["needs"]:
            text = text.replace(f'\\"{need["name"]}\\"', '\\"lambda_function_name\\"')
        out["events"] = json.loads(text)
    out["cause"] = _parsed_if_object(out.get("cause"))
    if isinstance(out.get("output"), str):
        output = json.loads(out["output"])
        # a JSON string output was recorded parsed ("HelloWorld", not '"HelloWorld"')
        out["output"] = output if isinstance(output, str) else json.dumps(_headers_as_recorded(output))
    events = []
    for event in out.get("events", []):
        event = dict(event)
        for key, details in list(event.items()):
            if key.endswith("EventDetails") and isinstance(details, dict):
                details = dict(details)
                if "cause" in details:
                    details["cause"] = _parsed_if_object(details["cause"])
                for field in ("output", "input"):
                    if isinstance(details.get(field), str) and details[field].startswith("{"):
                        details[field] = json.dumps(_headers_as_recorded(json.loads(details[field])))
                event[key] = details
        events.append(event)
    out["events"] = events
    return out


def _expects_role_arn_placeholder(case: dict) -> bool:
    """Whether 'snf_role_arn' appears where the harness compares it (output, events' key fields)."""
    if "snf_role_arn" in json.dumps(case["expected"].get("output")):
        return True
    for event in case.get("expected_events") or ():
        for key, details in event.items():
            if (key.endswith("EventDetails") and isinstance(details, dict)
                    and any("snf_role_arn" in json.dumps(details[f]) for f in KEY_FIELDS if f in details)):
                return True
    return False


def _cases() -> list:
    params = []
    for path in sorted((CONFORMANCE / "cases").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if "definition" not in case or "expected" not in case:
            continue
        if "JSONata" in case.get("features", []):
            continue
        reason = KNOWN_MISMATCHES.get(case["id"])
        if reason is None and _expects_role_arn_placeholder(case):
            reason = ROLE_ARN_PLACEHOLDER
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return sorted(params, key=lambda p: p.id)


CASES = _cases()


def run_case(case: dict) -> dict:
    """What the cli adapter would print for ``run --json --history``."""
    machine = parse_definition(case["definition"])
    execution = Execution(machine, case["input"], clock=VirtualClock(), state_machine_name="definition")
    with Runner(Integrations(str(LAMBDAS) if case.get("needs") else None)) as runner:
        runner.run(execution)
    described = execution.describe()
    described["events"] = [event.to_aws() for event in execution.history]
    return described


def test_the_corpus_is_there():
    assert len(CASES) > 400


@pytest.mark.parametrize("case", CASES)
def test_case(case):
    outcome = as_recorded(run_case(case), case)
    assert score_plain(case, outcome) is None
    if case.get("expected_events"):
        reason, unscorable = score_events(case, outcome)
        assert not unscorable
        assert reason is None
