"""The GDPR offboarding example end to end: definition, handlers and the four scenarios.

Every test runs the real definition with the real handlers in lambdas/ on the virtual clock
(retry back-offs take no time); the handlers' folders point at tmp_path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shlex
import subprocess
import sys
import urllib.parse
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from example_aws import client, mocked_account, sent_mails

import asl_runner
from asl_runner.cli import main as cli

from cli_runner import CliRunner

REPO = Path(__file__).resolve().parents[1]
DEFINITION = REPO / "definitions" / "gdpr_offboarding.asl.json"
SCENARIOS = REPO / "definitions" / "gdpr_offboarding"
AWS_SETUP = SCENARIOS / "aws_setup.json"
LAMBDAS = str(REPO / "lambdas")
BRIEF = REPO.parent / "shared" / "examples" / "gdpr_offboarding.asl.json"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"

# what each scenario must run: the top-level path in order, and the document source count
EXPECTED = {
    "basic_user": (["Initialize", "IsEnterpriseAccount", "GatherData", "CheckSharedAssets",
                    "PackageExport", "UploadToS3", "NotifyUser", "PurgeData", "CheckPurgeResults",
                    "SummarizeCase", "Complete"], 3),
    "team_admin": (["Initialize", "IsEnterpriseAccount", "GatherData", "CheckSharedAssets",
                    "TransferAssets", "PackageExport", "UploadToS3", "NotifyUser", "PurgeData",
                    "CheckPurgeResults", "SummarizeCase", "Complete"], 3),
    "large_data_user": (["Initialize", "IsEnterpriseAccount", "GatherData", "CheckSharedAssets",
                         "PackageExport", "UploadToS3", "NotifyUser", "PurgeData",
                         "CheckPurgeResults", "SummarizeCase", "Complete"], 30),
    "enterprise_user": (["Initialize", "IsEnterpriseAccount", "CheckLegalHold", "IsUnderLegalHold",
                         "GatherData", "CheckSharedAssets", "TransferAssets", "PackageExport",
                         "UploadToS3", "NotifyUser", "PurgeData", "CheckPurgeResults",
                         "NotifyDataProtectionOfficer", "SummarizeCase", "Complete"], 40),
}
# states inside the two Parallels, with how many times each runs for N document sources
BRANCH_STATES = {"GatherProfile": 1, "GatherDocumentSources": 1, "GatherDocuments": "N",
                 "GatherPreferences": 1, "PurgeProfile": 1, "PurgeDocumentSources": 1,
                 "PurgeDocuments": "N", "PurgePreferences": 1}


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Point every folder the handlers write to at tmp_path, and hold one mocked AWS account
    for the whole test (runs join it), so a rerun finds what the first run archived."""
    paths = {}
    for kind in ("records", "staging"):
        paths[kind] = tmp_path / kind
        monkeypatch.setenv(f"ASL_RUNNER_{kind.upper()}_DIR", str(paths[kind]))
    with mocked_account():
        yield paths


def scenario(name):
    return json.loads((SCENARIOS / f"{name}.json").read_text())


def run(request, **kw):
    return asl_runner.run(str(DEFINITION), request, lambdas=LAMBDAS, clock="virtual",
                          aws_setup=AWS_SETUP, **kw)


def entered(execution):
    return [e.details["name"] for e in execution.history if e.type.endswith("StateEntered")]


def scheduled(execution):
    return [e.details["resource"].removeprefix(LAMBDA_ARN) for e in execution.history
            if e.type == "LambdaFunctionScheduled"]


def exited_output(execution, state):
    return [e.details["output"] for e in execution.history
            if e.type.endswith("StateExited") and e.details["name"] == state]


def archived(upload):
    return client("s3").get_object(Bucket=upload["bucket"], Key=upload["archiveKey"])


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def brief_states(states):
    """Every state name in a definition, including those inside branches and Map processors."""
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from brief_states(branch["States"])
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from brief_states(processor["States"])


# -- the definition ---------------------------------------------------------------------------

def test_definition_validates_and_keeps_the_briefs_names():
    result = CliRunner().invoke(cli, ["validate", str(DEFINITION)])
    assert result.exit_code == 0, result.output

    fixed = dict(brief_states(json.loads(DEFINITION.read_text())["States"]))
    for state in fixed.values():
        if state["Type"] == "Task":
            assert state["Resource"].startswith(LAMBDA_ARN)
    if BRIEF.exists():
        brief = dict(brief_states(json.loads(BRIEF.read_text())["States"]))
        assert set(brief) <= set(fixed)
        # the brief's account id (123) is not a valid one; the function names must stay
        functions = {s["Resource"].rsplit(":", 1)[-1] for s in brief.values() if s["Type"] == "Task"}
        assert functions <= {s["Resource"].rsplit(":", 1)[-1] for s in fixed.values()
                             if s["Type"] == "Task"}


@pytest.mark.skipif(not BRIEF.exists(), reason="../shared/examples is not beside the repo")
def test_the_briefs_verbatim_definition_fails_at_check_shared_assets(dirs):
    # the shipped handlers, the brief's input: the case is opened and every branch gathers,
    # then the Choice reads $.hasSharedAssets from the Parallel's array, as AWS would
    request = scenario("team_admin")
    execution = asl_runner.run(str(BRIEF), request, lambdas=LAMBDAS, clock="virtual")

    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert entered(execution)[-1] == "CheckSharedAssets"
    [choice] = [e for e in execution.history if e.type == "ChoiceStateEntered"]
    assert execution.cause == (
        f"An error occurred while executing the state 'CheckSharedAssets' (entered at the "
        f"event id #{choice.id}). Invalid path '$.hasSharedAssets' : Expected to find an "
        f"object with property ['hasSharedAssets'] in path $ but found "
        f"'java.util.ArrayList'. This is not a json object according to the "
        f"JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.")
    # Initialize and all three branches ran the real handlers and succeeded
    calls = [c.rsplit(":", 1)[-1] for c in scheduled(execution)]
    assert calls[0] == "InitOffboarding"
    assert sorted(calls[1:]) == ["GatherDocuments", "GatherPreferences", "GatherProfile"]
    assert sum(e.type == "LambdaFunctionSucceeded" for e in execution.history) == 4
    [gathered] = exited_output(execution, "GatherData")
    profile, documents, preferences = gathered
    assert profile["hasSharedAssets"] is True  # the answer is there, the Choice cannot see it
    assert [d["sourceId"] for d in documents] == sorted(
        s["sourceId"] for s in request["dataMap"]["documentSources"])
    assert preferences["source"] == "preferences"
    assert "TransferAssets" not in entered(execution)


def test_the_documented_command_runs_from_the_repo_root(dirs):
    # the README's main command, as copied: everything after `.venv/bin/asl-runner`
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- main-command -->", 1)[1].split("```")[1]
    args = shlex.split(block.split(".venv/bin/asl-runner ", 1)[1])
    assert args[:2] == ["run", "definitions/gdpr_offboarding.asl.json"]
    # a process of its own, as a newcomer runs it (and as `run` leaves its moto account
    # running until the process ends)
    result = subprocess.run([str(Path(sys.executable).with_name("asl-runner")), *args,
                             "--clock", "virtual", "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    described = json.loads(result.stdout)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["sharedAssetsTransferred"] is True


# -- the four scenarios -----------------------------------------------------------------------

@pytest.mark.parametrize("name", list(EXPECTED))
def test_scenario_succeeds_running_exactly_its_states(dirs, name):
    path, sources = EXPECTED[name]
    request = scenario(name)
    assert len(request["dataMap"]["documentSources"]) == sources

    execution = run(request)

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    names = entered(execution)
    assert [n for n in names if n not in BRANCH_STATES] == path
    counts = {n: sources if c == "N" else c for n, c in BRANCH_STATES.items()}
    assert Counter(n for n in names if n in BRANCH_STATES) == Counter(counts)
    # the fan-out: one Map iteration per document source, when gathering and when purging
    iterations = Counter(e.details["name"] for e in execution.history
                         if e.type == "MapIterationStarted")
    assert iterations == {"GatherDocumentSources": sources, "PurgeDocumentSources": sources}
    # one Lambda call per Task state entered: nothing needed a retry
    functions = Counter(scheduled(execution))
    assert sum(functions.values()) == sum(e.type == "TaskStateEntered" for e in execution.history)
    assert functions["GatherDocuments"] == functions["PurgeDocuments"] == sources
    assert ("TransferAssets" in functions) == bool(request["dataMap"]["sharedAssets"])
    # no personal data is left in staging once the export is archived
    assert not any(dirs["staging"].glob("*/*"))


@pytest.mark.parametrize("name", ["basic_user", "large_data_user"])
def test_export_zip_is_valid_and_holds_what_was_gathered(dirs, name):
    request = scenario(name)
    execution = run(request)
    assert execution.status == "SUCCEEDED"
    export = execution.output["export"]
    [gathered] = [out["gathered"] for out in exited_output(execution, "GatherData")]

    obj = archived({"bucket": "example-gdpr-exports", **export})
    assert obj["ContentType"] == "application/zip"
    data = obj["Body"].read()
    assert hashlib.sha256(data).hexdigest() == export["sha256"]
    assert len(data) == export["sizeBytes"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        files = {info.filename: zf.read(info) for info in zf.infolist()}

    documents = {p for p in files if p.startswith("documents/")}
    assert set(files) == {"README.txt", "manifest.json", "profile.json", "preferences.json"} | documents
    per_source = Counter(p.split("/")[1] for p in documents)
    assert per_source == {s["sourceId"]: s["documentCount"] for s in gathered["documentSources"]}
    assert len(per_source) == len(request["dataMap"]["documentSources"])
    assert export["documentCount"] == len(documents) and export["entryCount"] == len(files)

    manifest = json.loads(files["manifest.json"])
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        p: hashlib.sha256(files[p]).hexdigest() for p in files if p not in ("manifest.json", "README.txt")}
    profile = json.loads(files["profile.json"])
    assert (profile["userId"], profile["email"]) == (request["userId"], request["email"])
    # the execution's history carries references to the data, never the documents themselves
    some_document = files[sorted(documents)[0]].decode()
    assert not any(some_document in json.dumps(e.details) for e in execution.history if e.details)


def test_export_is_deterministic(tmp_path, monkeypatch):
    digests = []
    for attempt in ("first", "second"):  # two fresh worlds: folders and AWS account
        for kind in ("records", "staging"):
            monkeypatch.setenv(f"ASL_RUNNER_{kind.upper()}_DIR", str(tmp_path / attempt / kind))
        with mocked_account():
            digests.append(run(scenario("team_admin")).output["export"]["sha256"])
    assert digests[0] == digests[1]


def test_the_download_link_is_a_presigned_get_of_the_archived_zip_for_seven_days(dirs):
    execution = run(scenario("basic_user"))
    upload = exited_output(execution, "UploadToS3")[0]["upload"]
    url = urllib.parse.urlsplit(upload["downloadUrl"])
    query = urllib.parse.parse_qs(url.query)
    assert url.path == f"/{upload['archiveKey']}" and url.netloc.startswith("example-gdpr-exports.")
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["604800"]  # 7 days, SigV4's maximum
    signed = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert upload["expiresAt"] == (signed + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert execution.output["export"]["bucket"] == "example-gdpr-exports"


def test_without_the_bucket_the_upload_fails_into_review(dirs):
    execution = asl_runner.run(str(DEFINITION), scenario("basic_user"), lambdas=LAMBDAS,
                               clock="virtual")  # no aws_setup: an empty account
    assert execution.error == "GDPR.NeedsReview"
    assert "UploadToS3 failed with NoSuchBucket" in execution.cause


def test_user_is_notified_through_ses(dirs):
    request = scenario("basic_user")
    execution = run(request)
    [message] = sent_mails()
    upload = exited_output(execution, "UploadToS3")[0]["upload"]
    assert message["To"] == request["email"]
    assert message["X-Postmaster-Template"] == "gdpr-export-ready"
    assert request["requestId"] in message["Subject"]
    body = message.get_content()
    assert upload["downloadUrl"] in body and upload["expiresAt"] in body
    assert message["From"] == "Privacy Team <privacy@example.com>"
    assert execution.output["notificationId"] == message.ses_message_id


def test_enterprise_notifies_the_user_in_their_language_and_the_dpo(dirs):
    request = scenario("enterprise_user")
    assert run(request).status == "SUCCEEDED"
    messages = {m["To"]: m for m in sent_mails()}
    assert set(messages) == {request["email"], request["organization"]["dpoEmail"]}
    assert messages[request["email"]]["Subject"].startswith("Ihr Datenexport")
    assert messages[request["organization"]["dpoEmail"]]["X-Postmaster-Template"] == "gdpr-erasure-completed"


def test_purges_are_idempotent_across_runs(dirs):
    request = scenario("team_admin")
    first = run(request)
    second = run(request)
    assert first.status == second.status == "SUCCEEDED"

    def purge_results(execution):
        purge = execution.output["purge"]
        return [purge["profile"], purge["preferences"], *purge["documents"]["sources"]]

    assert all(not r["alreadyPurged"] and r["purged"] for r in purge_results(first))
    assert all(r["alreadyPurged"] and r["recordsDeleted"] == 0 for r in purge_results(second))
    # the second run finds nothing left to do or send, and keeps the export the user got
    assert "TransferAssets" not in scheduled(second)
    assert exited_output(second, "NotifyUser")[0]["notification"]["duplicate"] is True
    assert len(sent_mails()) == 1
    assert exited_output(second, "UploadToS3")[0]["upload"]["alreadyUploaded"] is True
    assert second.output["export"]["sha256"] == first.output["export"]["sha256"]
    # ... and describes that export, not the empty one the rerun packaged: no stale counts
    kept = ("archiveKey", "sha256", "sizeBytes", "entryCount", "documentCount")
    assert {k: second.output["export"][k] for k in kept} == {k: first.output["export"][k] for k in kept}
    assert first.output["export"]["documentCount"] > 0


# -- failures end in NeedsReview --------------------------------------------------------------

def review_ticket(dirs, request):
    return json.loads((dirs["records"] / "review" / f"{request['requestId']}.json").read_text())


def test_exhausted_retries_end_in_needs_review_with_the_error_recorded(dirs):
    request = scenario("basic_user")
    # the mail system is down for the whole run: GatherDocuments of that source keeps failing
    write_json(dirs["records"] / "outages" / "mail.json", {"reason": "maintenance"})

    execution = run(request)

    assert execution.status == "FAILED"
    assert execution.error == "GDPR.NeedsReview"
    assert "GatherData failed with SourceUnavailable" in execution.cause
    attempts = [e for e in execution.history if e.type == "LambdaFunctionScheduled"
                and e.details["input"].get("source", {}).get("system") == "mail"]
    assert len(attempts) == 1 + 5  # the first call and MaxAttempts retries
    assert entered(execution)[-2:] == ["OpenReviewCase", "NeedsReview"]

    ticket = review_ticket(dirs, request)
    [failure] = ticket["failures"]
    assert failure == {"step": "GatherData", "error": "SourceUnavailable",
                       "message": "system 'mail' is unavailable for read (maintenance)"}
    assert ticket["progress"]["purge"] == dict.fromkeys(("profile", "documents", "preferences"),
                                                        "NOT_STARTED")
    # what other sources already staged is listed as personal data to deal with
    assert any("staged copies" in item for item in ticket["personalDataRemaining"])
    assert client("s3").list_objects_v2(Bucket="example-gdpr-exports")["KeyCount"] == 0
    assert sent_mails() == []


def test_a_failed_purge_still_purges_the_rest_and_a_rerun_finishes_the_job(dirs):
    request = scenario("basic_user")
    outage = dirs["records"] / "outages" / "settings.json"
    write_json(outage, {"operations": ["erase"], "reason": "read-only maintenance"})

    execution = run(request)

    assert execution.error == "GDPR.NeedsReview"
    assert "PurgePreferences failed with SourceUnavailable" in execution.cause
    ticket = review_ticket(dirs, request)
    assert ticket["progress"]["purge"] == {"profile": "PURGED", "documents": "PURGED",
                                           "preferences": "FAILED"}
    assert ticket["progress"]["exportArchived"] and ticket["progress"]["userNotified"]
    assert [f["step"] for f in ticket["failures"]] == ["PurgeData", "PurgePreferences"]

    outage.unlink()  # the person fixes the source and runs the case again
    rerun = run(request)
    assert rerun.status == "SUCCEEDED"
    purge = rerun.output["purge"]
    assert purge["profile"]["alreadyPurged"] is True
    assert all(s["alreadyPurged"] for s in purge["documents"]["sources"])
    assert purge["preferences"]["alreadyPurged"] is False


def test_legal_hold_stops_an_enterprise_case_before_any_data_moves(dirs):
    request = scenario("enterprise_user")
    write_json(dirs["records"] / "legal_holds" / "org-acme.json",
               [{"holdId": "hold-17", "userId": request["userId"], "matter": "Acme v. Initech"}])

    execution = run(request)

    assert execution.error == "GDPR.NeedsReview"
    assert "GDPR.LegalHold" in execution.cause and "hold-17" in execution.cause
    assert "GatherData" not in entered(execution)
    assert "legal" in review_ticket(dirs, request)["nextActions"][0]


def test_an_invalid_request_is_not_retried_and_goes_to_review(dirs):
    request = scenario("team_admin")
    del request["successor"]

    execution = run(request)

    assert execution.error == "GDPR.NeedsReview"
    assert "Initialize failed with InvalidRequest" in execution.cause
    assert scheduled(execution) == ["InitOffboarding", "OpenReviewCase"]


def test_a_request_id_unfit_for_a_file_name_still_gets_a_ticket(dirs):
    execution = run({**scenario("basic_user"), "requestId": "../../etc/passwd"})
    assert execution.error == "GDPR.NeedsReview"
    [ticket] = (dirs["records"] / "review").glob("unidentified-*.json")
    assert json.loads(ticket.read_text())["failures"][0]["error"] == "InvalidRequest"


def test_when_even_the_ticket_fails_the_cause_carries_every_failure(dirs):
    def broken_ticketing(event, context):
        raise ConnectionError("review queue unreachable")

    write_json(dirs["records"] / "outages" / "settings.json", {"reason": "down"})
    execution = run(scenario("basic_user"), handlers={"OpenReviewCase": broken_ticketing})

    assert execution.error == "GDPR.NeedsReview"
    assert entered(execution)[-1] == "NeedsReviewWithoutTicket"
    failures = json.loads(execution.cause)
    assert failures["GatherData"]["Error"] == "SourceUnavailable"
    assert failures["OpenReviewCase"]["Error"] == "ConnectionError"
