"""The README's examples do what the README says they do, run as a newcomer runs them: from
the repository root, with the handlers' folders pointed at tmp_path."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

import asl_runner

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    paths = {}
    for kind in ("archive", "records", "staging", "approvals"):
        paths[kind] = tmp_path / kind
        monkeypatch.setenv(f"ASL_RUNNER_{kind.upper()}_DIR", str(paths[kind]))
    monkeypatch.chdir(REPO)  # the README's paths are relative to the repository
    return paths


def section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    end = README.find("\n##", start + 1)
    return README[start:end]


def test_the_python_api_example_fails_at_the_step_it_names(dirs):
    [code] = re.findall(r"```python\n(.*?)```", section("The Python API"), re.S)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    execution = namespace["execution"]
    assert (execution.status, execution.error) == ("FAILED", "ChargePaymentFailed")
    assert execution.cause.startswith("ChargePayment failed with PaymentDeclined")


def test_try_a_failure_fails_the_scenario_the_readme_runs(dirs):
    gdpr = section("GDPR user offboarding")
    [outage] = re.findall(r"echo '\{\}' >\s*records/outages/(\w+)\.json", gdpr)
    # "the command above": the section's first
    scenario = re.findall(r"--input-file (definitions/gdpr_offboarding/\w+\.json)", gdpr)[0]
    (dirs["records"] / "outages").mkdir(parents=True)
    (dirs["records"] / "outages" / f"{outage}.json").write_text("{}")
    request = json.loads((REPO / scenario).read_text())

    execution = asl_runner.run("definitions/gdpr_offboarding.asl.json", request, lambdas="lambdas",
                               clock="virtual")

    assert (execution.status, execution.error) == ("FAILED", "GDPR.NeedsReview")
    assert f"system '{outage}' is unavailable" in execution.cause
    ticket = f"review/{request['requestId']}.json"
    assert f"`records/{ticket}`" in gdpr  # where the README says to look
    assert (dirs["records"] / ticket).exists()


def test_the_gdpr_snippet_shows_the_archived_zip_and_the_sent_notice(dirs, capsys):
    [code] = re.findall(r"```python\n(.*?)```", section("GDPR user offboarding"), re.S)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    execution, notice = namespace["execution"], namespace["notice"]
    assert execution.status == "SUCCEEDED"
    assert zipfile.ZipFile(io.BytesIO(namespace["zip_bytes"])).testzip() is None
    assert hashlib.sha256(namespace["zip_bytes"]).hexdigest() == execution.output["export"]["sha256"]
    request = json.loads((REPO / "definitions/gdpr_offboarding/basic_user.json").read_text())
    printed = capsys.readouterr().out
    assert printed.startswith(f"{request['email']} Your data export is ready ({request['requestId']})")
    assert "X-Amz-Signature=" in printed and notice["To"] == request["email"]
    # the comment beside the print says what it prints
    assert f"# {request['email']} Your data export is ready (...)" in code
