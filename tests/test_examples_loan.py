"""The loan approval example: a human decision with a task token, and an activity worker.

Every test runs the real definition and handlers in the in-process service (the same one
`asl-runner serve` exposes), with the handlers' folders in tmp_path. The signing desk is
examples/activity_worker.py itself, run in a thread against the service through a small
adapter with boto3's method names.

The clock: the virtual clock jumps to the next timer as soon as nothing is running, and a
waiting approval is exactly that, so its 24-hour timeout would fire before a test could
answer. Tests that answer use :class:`HeldClock`, which only jumps up to a chosen moment:
the timers a test wants (the first day's timeout, say) fire at once, later ones stay in
the future and the answer comes first, as it would in life. The expiry test uses the
plain virtual clock: two days pass in an instant.

The service keeps its store in a file, as `asl-runner serve --db` does: the in-memory store
loses task outcomes while another thread polls the history (reported with a reproduction).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from example_aws import mocked_account, sent_mails

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.service import ApiError, open_service

REPO = Path(__file__).resolve().parents[1]
DEFINITION = REPO / "definitions" / "loan_approval.asl.json"
SCENARIOS = REPO / "definitions" / "loan_approval"
AWS_SETUP = SCENARIOS / "aws_setup.json"
LAMBDAS = str(REPO / "lambdas")
ROLE = "arn:aws:iam::123456789012:role/loans"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:CollectSignature"
START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC).timestamp()  # a Monday morning
DAY = 86400

_spec = importlib.util.spec_from_file_location("activity_worker", REPO / "examples" / "activity_worker.py")
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

ASSESSMENTS = ["VerifyIncome", "AppraiseProperty", "UnderwriteLoan", "GenerateLoanDocuments"]
UP_TO_APPROVAL = ["CheckCredit", "IsCreditGood", "AssessApplication", *ASSESSMENTS, "RequestApproval"]


class HeldClock(VirtualClock):
    """A virtual clock that jumps to timers due by ``until`` and runs at wall speed after."""

    def __init__(self, until: float):
        super().__init__(start=START)
        self.until = until

    def skip_to(self, until: float) -> bool:
        return until <= self.until and super().skip_to(until)


class Client:
    """The in-process service with boto3's method names and errors, for the worker."""

    def __init__(self, service):
        self.service = service
        self.calls: list[str] = []

    def __getattr__(self, name):
        operation = getattr(self.service, name)

        def call(**body):
            self.calls.append(name)
            try:
                if name == "get_activity_task":  # a short long-poll, so the thread stops quickly
                    return operation(body, poll_seconds=0.1)
                return operation(body)
            except ApiError as exc:
                raise ClientError({"Error": {"Code": exc.code, "Message": exc.message}}, name) from None
        return call


class Loans:
    """One service with the loan machine; helpers to start applications and read them."""

    def __init__(self, db: Path, clock):
        self.service = open_service(str(db), lambdas=LAMBDAS, clock=clock)
        self.machine = self.service.create_state_machine({
            "name": "loan-approval", "definition": DEFINITION.read_text(), "roleArn": ROLE,
        })["stateMachineArn"]
        self.service.create_activity({"name": "CollectSignature"})
        self.desk: threading.Thread | None = None
        self.stop = threading.Event()
        self.desk_log: list[str] = []
        self.desk_client = Client(self.service)

    def start(self, scenario: str, name: str | None = None) -> str:
        return self.service.start_execution({
            "stateMachineArn": self.machine, "name": name or scenario,
            "input": (SCENARIOS / f"{scenario}.json").read_text()})["executionArn"]

    def open_signing_desk(self) -> None:
        self.desk = threading.Thread(target=worker.run, daemon=True, kwargs={
            "client": self.desk_client, "worker": "desk-1", "stop": self.stop,
            "log": self.desk_log.append, "sign_seconds": 0.2, "heartbeat_every": 0.05})
        self.desk.start()

    def close(self) -> None:
        self.stop.set()
        if self.desk is not None:
            self.desk.join(5)
        self.service.close()

    def describe(self, arn: str) -> dict:
        return self.service.describe_execution({"executionArn": arn})

    def history(self, arn: str) -> list[dict]:
        return self.service.get_execution_history({"executionArn": arn, "maxResults": 1000})["events"]

    def wait(self, arn: str, predicate, timeout: float = 5.0) -> list[dict]:
        """The history once ``predicate(history)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.history(arn)
            if predicate(events):
                return events
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; history ends {[e['type'] for e in events[-5:]]}")
            time.sleep(0.01)

    def finish(self, arn: str) -> dict:
        self.wait(arn, lambda events: events[-1]["type"].startswith("Execution")
                  and events[-1]["type"] != "ExecutionStarted")
        return self.describe(arn)

    def waiting_for_approval(self, arn: str, count: int = 1) -> list[dict]:
        return self.wait(arn, lambda events: types(events).count("TaskSubmitted") >= count)


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    paths = {}
    for kind in ("archive", "records", "staging", "approvals"):
        paths[kind] = tmp_path / kind
        monkeypatch.setenv(f"ASL_RUNNER_{kind.upper()}_DIR", str(paths[kind]))
    with mocked_account(AWS_SETUP):  # the service's SES account, as `serve --aws-setup` makes it
        yield paths


@pytest.fixture
def service(dirs, tmp_path):
    """``service(clock)`` opens a Loans service; every one is closed after the test."""
    opened = []

    def open_(clock):
        opened.append(Loans(tmp_path / f"service-{len(opened)}.db", clock))
        return opened[-1]

    yield open_
    for loans in opened:
        loans.close()


def types(events):
    return [e["type"] for e in events]


def details(event):
    return next((v for k, v in event.items() if k.endswith("EventDetails")), {})


def entered(events):
    return [details(e)["name"] for e in events if e["type"].endswith("StateEntered")]


def of_type(events, kind):
    return [e for e in events if e["type"] == kind]


def mails(dirs):
    return sent_mails()


def mail_to(dirs, address):
    found = [m for m in mails(dirs) if m["To"] == address]
    assert len(found) == 1, f"{len(found)} messages to {address}"
    return found[0]


def request(dirs, application="loan-1001"):
    return json.loads((dirs["approvals"] / f"{application}.json").read_text())


def record(dirs, kind, application="loan-1001"):
    path = dirs["records"] / "loans" / application / f"{kind}.json"
    return json.loads(path.read_text()) if path.exists() else None


def answer(loans, token, **decision):
    loans.service.send_task_success({"taskToken": token, "output": json.dumps(decision)})


# ------------------------------------------------------------------------------ definition

def test_definition_is_valid_and_names_only_handlers_that_exist():
    asl_runner.load(str(DEFINITION))
    text = DEFINITION.read_text()
    names = {part.split('"')[0] for part in text.split(":function:")[1:]}
    assert names == {"CheckCredit", "SendLoanDecision", "VerifyIncome", "AppraiseProperty",
                     "UnderwriteLoan", "GenerateLoanDocuments", "RequestApproval",
                     "RecordApprovalDecision", "FundLoan", "OpenLoanReview"}
    for name in names:
        assert (REPO / "lambdas" / f"{name}.py").exists()


# ------------------------------------------------------------------------------ poor credit

@pytest.mark.parametrize(("scenario", "reason"), [
    ("poor_credit", "Your credit score of 588 is below our minimum of 660."),
    ("no_credit_history", "The credit bureau holds no credit history for you."),
])
def test_poor_credit_is_rejected_by_email_and_no_manager_is_asked(service, dirs, scenario, reason):
    loans = service("virtual")
    arn = loans.start(scenario)
    described = loans.finish(arn)

    assert described["status"] == "SUCCEEDED"
    events = loans.history(arn)
    assert entered(events) == ["CheckCredit", "IsCreditGood", "SendRejection", "ApplicationRejected"]
    assert "TaskScheduled" not in types(events)  # no approval task, no token
    assert not dirs["approvals"].exists()
    output = json.loads(described["output"])
    assert output["credit"]["rating"] == "POOR"
    assert output["decisionNotice"]["decision"] == "REJECTED"
    [letter] = mails(dirs)
    assert letter["To"] == output["applicant"]["email"]
    assert letter["From"] == "Example Bank Lending <loans@bank.example.com>"
    assert reason in letter.get_content()
    assert output["decisionNotice"]["messageId"] == letter.ses_message_id


def test_a_rerun_reuses_the_first_credit_report_and_sends_no_second_letter(service, dirs):
    loans = service("virtual")
    first = json.loads(loans.finish(loans.start("poor_credit", "first"))["output"])
    again = json.loads(loans.finish(loans.start("poor_credit", "again"))["output"])

    assert again["credit"] == first["credit"]  # one hard inquiry on the applicant's file, not two
    assert again["decisionNotice"]["messageId"] == first["decisionNotice"]["messageId"]
    assert again["decisionNotice"]["duplicate"] is True
    assert len(mails(dirs)) == 1


# ------------------------------------------------------------------------------ the wait

@pytest.mark.parametrize(("scenario", "recommendation", "income"), [
    ("good_credit", "APPROVE", "(VERIFIED)"),
    ("needs_judgement", "REFER", "(NOT VERIFIED)"),
])
def test_good_credit_is_assessed_in_parallel_then_waits_for_a_manager(service, dirs, scenario,
                                                                      recommendation, income):
    loans = service(HeldClock(until=START))
    arn = loans.start(scenario)
    events = loans.waiting_for_approval(arn)
    time.sleep(0.1)  # it keeps waiting: nothing else happens
    assert loans.history(arn) == events
    assert loans.describe(arn)["status"] == "RUNNING"
    assert entered(events) == UP_TO_APPROVAL
    assert types(events)[-4:] == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted"]

    # the four assessments were all under way before the first one finished
    kinds = types(events)
    parallel = kinds[kinds.index("ParallelStateStarted"):kinds.index("ParallelStateSucceeded")]
    assert parallel.count("LambdaFunctionScheduled") == 4
    assert parallel.index("LambdaFunctionSucceeded") > max(
        i for i, kind in enumerate(parallel) if kind == "LambdaFunctionScheduled")

    # the token in the inbox is the one the task waits for
    scheduled = details(of_type(events, "TaskScheduled")[0])
    payload = json.loads(scheduled["parameters"])["Payload"]
    filed = request(dirs, json.loads((SCENARIOS / f"{scenario}.json").read_text())["applicationId"])
    assert filed["taskToken"] == payload["taskToken"]
    assert filed["approver"]["name"] == "Margaret Hamilton"
    assert filed["respondBy"] == "2024-03-05T09:00:00Z"
    assert f"Underwriting: {recommendation};" in "\n".join(filed["summary"])
    assert income in "\n".join(filed["summary"])
    assert filed["answer"]["approve"].startswith("aws stepfunctions send-task-success ")
    # the manager is told that a request waits; the token, a credential, stays in the inbox
    notice = mail_to(dirs, "margaret.hamilton@bank.example.com")
    assert filed["applicationId"] in notice["Subject"]
    assert filed["taskToken"] not in notice.get_content()
    submitted = json.loads(details(events[-1])["output"])
    assert submitted["Payload"]["approver"]["name"] == "Margaret Hamilton"


# ------------------------------------------------------------------------------ decisions

def test_an_approved_loan_is_signed_by_the_activity_worker_then_paid_out(service, dirs):
    loans = service(HeldClock(until=START))
    loans.open_signing_desk()
    arn = loans.start("good_credit")
    loans.waiting_for_approval(arn)
    answer(loans, request(dirs)["taskToken"], approved=True, approver="Margaret Hamilton")
    described = loans.finish(arn)

    assert described["status"] == "SUCCEEDED"
    events = loans.history(arn)
    assert entered(events) == UP_TO_APPROVAL + [
        "RecordApprovalDecision", "IsApproved", "CollectSignature", "FundLoan", "SendFundedNotice",
        "LoanFunded"]
    assert "TaskSucceeded" in types(events)  # the approval's outcome, sent with the token
    activity = [e["type"] for e in events if e["type"].startswith("Activity")]
    assert activity == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    assert details(of_type(events, "ActivityStarted")[0]) == {"workerName": "desk-1"}
    assert loans.desk_client.calls.count("send_task_heartbeat") >= 3  # it signed for 0.2 s

    output = json.loads(described["output"])
    assert output["approval"]["approved"] is True
    assert output["approval"]["approver"] == "Margaret Hamilton"
    signature = output["signature"]
    assert signature["status"] == "SIGNED"
    assert [d["name"] for d in signature["documents"]] == ["loan-agreement.txt", "esis.txt"]
    assert (dirs["records"] / "signatures" / f"{signature['envelopeId']}.json").exists()
    funding = record(dirs, "funding")
    assert funding == output["funding"]
    assert funding["envelopeId"] == signature["envelopeId"]
    assert funding["amountCents"] == 32000000
    assert not (dirs["approvals"] / "loan-1001.json").exists()  # answered: out of the inbox
    letter = mail_to(dirs, "ada@example.com")
    assert "paid out" in letter["Subject"]
    assert "300 monthly instalments of EUR 1,645.22 at 3.75 % a year" in " ".join(
        letter.get_content().split())


def test_a_declined_loan_ends_with_a_decline_notice(service, dirs):
    loans = service(HeldClock(until=START))
    arn = loans.start("needs_judgement")
    loans.waiting_for_approval(arn)
    token = request(dirs, "loan-1004")["taskToken"]
    answer(loans, token, approved=False, reason="The income declared is not borne out by payslips.")
    described = loans.finish(arn)

    assert described["status"] == "SUCCEEDED"
    events = loans.history(arn)
    assert entered(events)[len(UP_TO_APPROVAL):] == [
        "RecordApprovalDecision", "IsApproved", "SendDeclineNotice", "ApplicationDeclined"]
    assert not [e for e in events if e["type"].startswith("Activity")]
    output = json.loads(described["output"])
    assert output["decisionNotice"]["decision"] == "DECLINED"
    assert record(dirs, "approval", "loan-1004")["approver"] == "Margaret Hamilton"  # the one asked
    assert record(dirs, "funding", "loan-1004") is None
    letter = mail_to(dirs, "grace@example.com")
    assert "The income declared is not borne out by payslips." in letter.get_content()
    # the token is spent: a second answer is refused, as AWS refuses it
    with pytest.raises(ApiError) as err:
        answer(loans, token, approved=True)
    assert err.value.code == "TaskTimedOut"


@pytest.mark.parametrize("bad", ["string", "failure"])
def test_an_answer_that_is_no_decision_goes_to_a_person(service, dirs, bad):
    loans = service(HeldClock(until=START))
    arn = loans.start("good_credit")
    loans.waiting_for_approval(arn)
    token = request(dirs)["taskToken"]
    if bad == "string":
        answer(loans, token, approved="yes")
        step, error = "RecordApprovalDecision", "InvalidDecision"
    else:
        loans.service.send_task_failure({"taskToken": token, "error": "Approval.Recused",
                                         "cause": "the manager knows the applicant"})
        step, error = "RequestApproval", "Approval.Recused"
    described = loans.finish(arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "Loan.NeedsReview"
    assert described["cause"].startswith(f"Application loan-1001 needs review: {step} failed with {error}")
    assert entered(loans.history(arn))[-2:] == ["OpenLoanReview", "LoanNeedsReview"]
    ticket = json.loads((dirs["records"] / "review" / "loan-1001.json").read_text())
    assert [f["step"] for f in ticket["failures"]] == [step]
    assert record(dirs, "funding") is None


# ------------------------------------------------------------------------------ no answer

def test_an_unanswered_request_goes_up_a_level_then_expires_for_review(service, dirs):
    loans = service("virtual")
    arn = loans.start("good_credit")
    described = loans.finish(arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "Loan.ApprovalExpired"
    events = loans.history(arn)
    assert entered(events) == UP_TO_APPROVAL + ["EscalateApproval", "OpenLoanReview", "LoanNeedsReview"]
    timed_out = of_type(events, "TaskTimedOut")
    assert [details(e)["error"] for e in timed_out] == ["States.Timeout", "States.Timeout"]
    # each manager had a full day: the task's TimeoutSeconds, in virtual time
    for scheduled, expired in zip(of_type(events, "TaskScheduled"), timed_out, strict=True):
        assert expired["timestamp"] - scheduled["timestamp"] == pytest.approx(DAY, abs=0.5)
    tokens = [json.loads(details(e)["parameters"])["Payload"]["taskToken"]
              for e in of_type(events, "TaskScheduled")]
    assert len(set(tokens)) == 2
    for token in tokens:  # both are dead now
        with pytest.raises(ApiError) as err:
            answer(loans, token, approved=True)
        assert err.value.code == "TaskTimedOut"
    mail_to(dirs, "margaret.hamilton@bank.example.com")
    escalated = mail_to(dirs, "radia.perlman@bank.example.com")
    assert "did not answer in time" in escalated.get_content()
    ticket = json.loads((dirs["records"] / "review" / "loan-1001.json").read_text())
    assert ticket["error"] == "Loan.ApprovalExpired"
    assert ticket["progress"]["assessed"] is True
    assert described["cause"] == ("Application loan-1001 needs review: nobody decided on the loan in "
                                  "time. Ticket review-loan-1001.")
    assert "start a new execution with the same input" in " ".join(ticket["nextActions"])
    assert not (dirs["approvals"] / "loan-1001.json").exists()
    assert record(dirs, "funding") is None


def test_after_escalation_only_the_new_token_decides(service, dirs):
    # time may jump past the first day's timeout, not the second's
    loans = service(HeldClock(until=START + DAY + 3600))
    arn = loans.start("good_credit")
    loans.waiting_for_approval(arn, count=2)
    filed = request(dirs)
    assert filed["escalated"] is True
    assert filed["approver"]["name"] == "Radia Perlman"
    first = json.loads(details(of_type(loans.history(arn), "TaskScheduled")[0])["parameters"])
    with pytest.raises(ApiError) as err:  # the branch manager answers too late
        answer(loans, first["Payload"]["taskToken"], approved=True)
    assert err.value.code == "TaskTimedOut"
    answer(loans, filed["taskToken"], approved=False, reason="Loan-to-value too high.")
    described = loans.finish(arn)

    assert described["status"] == "SUCCEEDED"
    assert entered(loans.history(arn))[-4:] == ["RecordApprovalDecision", "IsApproved",
                                                 "SendDeclineNotice", "ApplicationDeclined"]
    approval = json.loads(described["output"])["approval"]
    assert (approval["approver"], approval["escalated"]) == ("Radia Perlman", True)


# ------------------------------------------------------------------------------ the signing desk

def test_the_signing_desk_refuses_documents_changed_after_approval(service, dirs):
    loans = service(HeldClock(until=START))
    loans.open_signing_desk()
    arn = loans.start("good_credit")
    loans.waiting_for_approval(arn)
    agreement = dirs["archive"] / "loans" / "loan-1001" / "loan-agreement.txt"
    agreement.write_text(agreement.read_text().replace("3.75 %", "0.75 %"))
    answer(loans, request(dirs)["taskToken"], approved=True)
    described = loans.finish(arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "Loan.NeedsReview"
    events = loans.history(arn)
    failed = of_type(events, "ActivityFailed")
    assert [details(e)["error"] for e in failed] == ["Signature.DocumentMismatch"]
    assert "loan-agreement.txt changed after it was generated" in details(failed[0])["cause"]
    assert "FundLoan" not in entered(events)
    assert record(dirs, "funding") is None
    assert any("Signature.DocumentMismatch" in line for line in loans.desk_log)


def test_a_task_redelivered_to_the_desk_does_not_ask_the_applicant_twice(dirs, tmp_path):
    document = tmp_path / "agreement.txt"
    document.write_text("LOAN AGREEMENT\n")
    task = {"applicationId": "loan-9", "signer": {"name": "Ada", "email": "ada@example.com"},
            "documents": [{"name": "agreement.txt", "path": str(document),
                           "sha256": "c1c5ad1cbd0a6b8b2e5f2c8f0e7d1b0b0c4e8a3f3b7f7a0c8a0b0f0e0d0c0b0a"}]}
    with pytest.raises(worker.TaskError) as err:
        worker.sign(task, heartbeat=lambda: None, sign_seconds=0)
    assert err.value.error == "Signature.DocumentMismatch"

    task["documents"][0]["sha256"] = hashlib.sha256(document.read_bytes()).hexdigest()
    beats = []
    first = worker.sign(task, heartbeat=lambda: beats.append(1), sign_seconds=0.02, heartbeat_every=0.01)
    again = worker.sign(task, heartbeat=lambda: beats.append(2), sign_seconds=0.02, heartbeat_every=0.01)
    assert again == first
    assert 2 not in beats  # the second delivery found the envelope: no wait, no heartbeats


EXE = shutil.which("asl-runner") or str(Path(sys.executable).with_name("asl-runner"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, db: Path) -> subprocess.Popen:
    """`asl-runner serve`, as a user starts it; returns once it answers."""
    proc = subprocess.Popen([EXE, "serve", "--port", str(port), "--db", str(db), "--lambdas", LAMBDAS],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if "Step Functions API at" not in proc.stdout.readline():
        proc.kill()
        raise AssertionError("asl-runner serve did not start")
    return proc


def _until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.skipif(not Path(EXE).exists(), reason="the asl-runner command is not installed")
def test_the_signing_desk_outlasts_restarts_of_the_endpoint(dirs, tmp_path):
    """The desk starts before the server, loses it to a restart, and carries on: one line per
    attempt, waits that double up to a cap, no traceback, and the next task is signed."""
    port, db = _free_port(), tmp_path / "store.db"
    client = worker.make_client(f"http://127.0.0.1:{port}")
    log: list[str] = []
    stop = threading.Event()
    desk = threading.Thread(target=worker.run, daemon=True, kwargs={
        "client": client, "worker": "desk", "stop": stop, "log": log.append, "backoff": (0.05, 0.2),
        "sign_seconds": 0})
    desk.start()
    server = None
    try:
        _until(lambda: sum("cannot reach the endpoint" in line for line in log) >= 4)
        waits = [line.rsplit("polling again in ", 1)[1] for line in log]
        assert waits[:4] == ["0.05 s", "0.1 s", "0.2 s", "0.2 s"]  # doubling, capped
        server = _serve(port, db)
        _until(lambda: any("reconnected" in line for line in log))

        server.terminate()  # a restart: the desk is in a long poll when the server goes
        server.wait(30)
        seen = len(log)
        _until(lambda: any("cannot reach the endpoint" in line for line in log[seen:]))
        server = _serve(port, db)
        _until(lambda: any("reconnected" in line for line in log[seen:]))

        document = tmp_path / "agreement.txt"
        document.write_text("LOAN AGREEMENT\n")
        task = {"applicationId": "loan-7", "signer": {"name": "Ada", "email": "ada@example.com"},
                "documents": [{"name": "agreement.txt", "path": str(document),
                               "sha256": hashlib.sha256(document.read_bytes()).hexdigest()}]}
        definition = {"StartAt": "Sign", "States": {"Sign": {
            "Type": "Task", "Resource": ACTIVITY, "HeartbeatSeconds": 60, "End": True}}}
        machine = client.create_state_machine(name="sign", definition=json.dumps(definition), roleArn=ROLE)
        arn = client.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(task))["executionArn"]
        _until(lambda: client.describe_execution(executionArn=arn)["status"] != "RUNNING")
        described = client.describe_execution(executionArn=arn)
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"])["status"] == "SIGNED"
        assert desk.is_alive()
        assert not any("Traceback" in line for line in log)
    finally:
        stop.set()
        if server is not None:
            server.kill()
            server.wait(30)
    desk.join(10)
