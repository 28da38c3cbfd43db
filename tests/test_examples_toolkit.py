"""The examples tested with asl-runner's own pytest toolkit (the `sfn` fixture), every Task
stubbed: what a user's tests of their own machines look like. The handler-backed tests in
test_examples_*.py test the handlers too; these test only the machines."""

from __future__ import annotations

import pytest

from asl_runner.errors import StatesError

GDPR = "definitions/gdpr_offboarding.asl.json"
SAGA = "definitions/order_saga.asl.json"
UPLOAD = {"bucket": "exports", "archiveKey": "c1/export.zip", "sha256": "ab12", "sizeBytes": 4056,
          "entryCount": 13, "documentCount": 9, "downloadUrl": "https://exports.example/c1",
          "expiresAt": "2024-05-10T14:05:00Z"}


def case(account_type: str, sources: int = 1) -> dict:
    organization = {"name": "Acme", "dpoEmail": "dpo@acme.example"}
    return {"caseId": "c1", "userId": "u1", "accountType": account_type, "displayName": "Ada",
            "email": "ada@acme.example", "locale": "en",
            "documentSources": [{"sourceId": f"s{i}", "system": "files"} for i in range(sources)],
            **({"organization": organization} if account_type == "enterprise" else {})}


def gdpr(sfn, account_type: str, *, shared_assets: bool = False, sources: int = 1):
    """The GDPR machine with every Task answered as its handler would for this case."""
    return (sfn.load(GDPR)
            .stub("Initialize", result=case(account_type, sources))
            .stub("CheckLegalHold", result={"active": False})
            .stub("GatherProfile", result={"hasSharedAssets": shared_assets,
                                           "sharedAssets": ["wiki-space"] if shared_assets else []})
            .stub("GatherDocuments", fn=lambda payload, call: {"sourceId": "s", "documents": 3})
            .stub("GatherPreferences", result={"theme": "dark"})
            .stub("TransferAssets", result={"transferred": 1})
            .stub("PackageExport", result={"staged": True})
            .stub("UploadToS3", result=UPLOAD)
            .stub("NotifyUser", result={"messageId": "m-1"})
            .stub("PurgeProfile", result={"source": "profile", "purged": True})
            .stub("PurgeDocuments", result={"purged": True})
            .stub("PurgePreferences", result={"source": "preferences", "purged": True})
            .stub("NotifyDataProtectionOfficer", result={"messageId": "m-dpo"})
            .stub("OpenReviewCase", result={"summary": "GatherData failed: the wiki is down"}))


# -- GDPR offboarding: the four scenarios of definitions/gdpr_offboarding/ ---------------------

def test_a_basic_user_is_exported_notified_and_purged_without_a_transfer(sfn):
    run = gdpr(sfn, "individual").run({"request": {}})
    run.assert_succeeded().assert_not_visited("TransferAssets", "CheckLegalHold")
    run.assert_path("Initialize", "IsEnterpriseAccount", "GatherData", "CheckSharedAssets",
                    "PackageExport", "UploadToS3", "NotifyUser", "PurgeData", "CheckPurgeResults",
                    "SummarizeCase", "Complete")
    assert run.output["export"]["archiveKey"] == "c1/export.zip"
    assert run.output["notificationId"] == "m-1"


def test_a_team_admin_s_shared_assets_go_to_a_successor_first(sfn):
    run = gdpr(sfn, "team", shared_assets=True).run({"request": {}})
    run.assert_succeeded().assert_visited("TransferAssets")
    assert run.output["sharedAssetsTransferred"] is True


def test_a_large_data_user_s_sources_are_gathered_and_purged_one_by_one(sfn):
    run = gdpr(sfn, "team", sources=30).run({"request": {}})
    run.assert_succeeded()
    assert len(run.states["GatherDocuments"]) == 30
    assert len(run.states["PurgeDocuments"]) == 30


def test_an_enterprise_user_is_checked_for_a_legal_hold_and_the_dpo_told(sfn):
    run = gdpr(sfn, "enterprise").run({"request": {}})
    run.assert_succeeded().assert_visited("CheckLegalHold", "NotifyDataProtectionOfficer")


def test_a_legal_hold_stops_the_case_for_review(sfn):
    run = gdpr(sfn, "enterprise").stub("CheckLegalHold", result={"active": True, "holds": ["litigation-7"]}).run({"request": {}})
    run.assert_failed(error="GDPR.NeedsReview").assert_visited("RecordLegalHold", "OpenReviewCase")
    run.assert_not_visited("GatherData")


def test_a_source_that_stays_down_is_retried_then_handed_to_a_person(sfn):
    down = StatesError("SourceUnavailable", "the wiki is down")
    run = gdpr(sfn, "team").stub("GatherDocuments", results=[down] * 6).run({"request": {}})
    run.assert_failed(error="GDPR.NeedsReview", cause="GatherData failed: the wiki is down")
    assert run.retries("GatherDocuments") == 5
    run.assert_visited("OpenReviewCase").assert_not_visited("PurgeData")


def test_purges_that_fail_are_recorded_and_handed_to_a_person(sfn):
    refused = ("PurgeRefused", "records are locked")
    run = (gdpr(sfn, "team").stub("PurgeProfile", error=refused).stub("PurgeDocuments", error=refused)
           .stub("PurgePreferences", error=refused).run({"request": {}}))
    run.assert_failed(error="GDPR.NeedsReview")
    run.assert_visited("ProfilePurgeFailed", "DocumentsPurgeFailed", "PreferencesPurgeFailed",
                       "RecordPurgeFailure", "OpenReviewCase")


def test_when_even_the_review_ticket_cannot_be_opened_the_cause_carries_every_failure(sfn):
    run = (gdpr(sfn, "enterprise").stub("CheckLegalHold", error=("HoldServiceDown", "503"))
           .stub("OpenReviewCase", error=("TicketingDown", "503")).run({"request": {}}))
    run.assert_failed(error="GDPR.NeedsReview").assert_path(
        "Initialize", "IsEnterpriseAccount", "CheckLegalHold", "OpenReviewCase",
        "NeedsReviewWithoutTicket")
    assert "HoldServiceDown" in run.cause and "TicketingDown" in run.cause


# -- the order saga: compensations in reverse order --------------------------------------------

@pytest.fixture
def saga(sfn):
    return (sfn.load(SAGA)
            .stub("ReserveInventory", result={"reservationId": "r-1"})
            .stub("ChargePayment", result={"chargeId": "ch-1"})
            .stub("CreateShipment", result={"shipmentId": "sh-1"})
            .stub("UpdateCrm", result={"updated": True})
            .stub("SendConfirmation", result={"messageId": "m-1"})
            .stub("CancelShipment", result={"cancelled": True})
            .stub("RefundPayment", result={"refunded": True})
            .stub("ReleaseInventory", result={"released": True}))


def test_an_order_that_goes_through_runs_no_compensation(saga):
    run = saga.run({"orderId": "o-1"})
    run.assert_succeeded().assert_not_visited("RefundPayment", "ReleaseInventory", "CancelShipment")


def test_a_declined_payment_releases_the_inventory_and_fails(saga):
    run = saga.stub("ChargePayment", error=("PaymentDeclined", "card declined")).run({"orderId": "o-2"})
    run.assert_failed().assert_visited("ReleaseInventory").assert_not_visited("CreateShipment")


def test_a_confirmation_that_cannot_be_sent_undoes_every_step_in_reverse_order(saga):
    run = saga.stub("SendConfirmation", error=("MailboxUnavailable", "smtp down")).run({"orderId": "o-3"})
    run.assert_failed(error="SendConfirmationFailed")
    assert run.path[-6:] == ["SendConfirmationFailed", "CancelShipment", "RefundPayment",
                             "ReleaseInventory", "DidCompensationFail", "OrderFailed"]


def test_a_compensation_that_fails_does_not_stop_the_others(saga):
    run = saga.stub("RefundPayment", error=("RefundsDown", "try later")) \
              .stub("UpdateCrm", error=("CrmDown", "maintenance")).run({"orderId": "o-4"})
    run.assert_failed(error="Order.CompensationFailed").assert_visited("ReleaseInventory")


@pytest.mark.parametrize("step, undo", [("ReserveInventory", "ReserveInventoryFailed"),
                                         ("CreateShipment", "CreateShipmentFailed")])
def test_each_step_that_fails_starts_the_compensations_from_its_own_point(saga, step, undo):
    run = saga.stub(step, error=("Unavailable", "down")).run({"orderId": "o-5"})
    run.assert_failed().assert_visited(undo, "ReleaseInventory")


# -- the loan approval: a person decides through a task token -----------------------------------

LOAN = "definitions/loan_approval.asl.json"


@pytest.fixture
def loan(sfn):
    return (sfn.load(LOAN)
            .stub("CheckCredit", result={"rating": "GOOD", "score": 720})
            .stub("VerifyIncome", result={"verified": True})
            .stub("AppraiseProperty", result={"value": 400000})
            .stub("UnderwriteLoan", result={"recommendation": "APPROVE"})
            .stub("GenerateLoanDocuments", result={"documents": ["offer.pdf"]})
            .stub("RecordApprovalDecision", fn=lambda payload, call: payload["decision"])
            .stub("CollectSignature", result={"signedBy": "applicant"})  # an activity's worker
            .stub("FundLoan", result={"fundedAt": "2024-05-04T10:00:00Z"})
            .stub("arn:aws:lambda:us-east-1:123456789012:function:SendLoanDecision",
                  result={"messageId": "m-1"}))


def test_a_manager_s_approval_is_signed_and_funded(loan):
    approve = {"approved": True, "approver": "m.king"}
    run = (loan.on_token("RequestApproval", lambda task: task.succeed(approve))
           .run({"applicationId": "a-0", "applicant": {"name": "Ada", "email": "ada@example.com"}}))
    run.assert_succeeded().assert_path("CheckCredit", "IsCreditGood", "AssessApplication",
                                       "RequestApproval", "RecordApprovalDecision", "IsApproved",
                                       "CollectSignature", "FundLoan", "SendFundedNotice",
                                       "LoanFunded")
    assert run.states["CollectSignature"].output["signature"] == {"signedBy": "applicant"}
    assert "ActivitySucceeded" in [e["type"] for e in run.history]


def test_a_manager_who_declines_has_the_applicant_told(loan):
    run = (loan.on_token("RequestApproval", lambda task: task.succeed({"approved": False}))
           .run({"applicationId": "a-1"}))
    run.assert_succeeded().assert_path("CheckCredit", "IsCreditGood", "AssessApplication",
                                       "RequestApproval", "RecordApprovalDecision", "IsApproved",
                                       "SendDeclineNotice", "ApplicationDeclined")
    assert run.states["RecordApprovalDecision"].output["approval"] == {"approved": False}


def test_poor_credit_is_rejected_without_asking_anyone(loan):
    run = loan.stub("CheckCredit", result={"rating": "POOR", "score": 540}).run({"applicationId": "a-3"})
    run.assert_succeeded().assert_path("CheckCredit", "IsCreditGood", "SendRejection",
                                       "ApplicationRejected")


def test_an_unanswered_request_goes_up_a_level_and_that_manager_decides(loan):
    run = (loan.on_token("RequestApproval", lambda task: None)  # nobody answers: a day passes
           .on_token("EscalateApproval", lambda task: task.succeed({"approved": False}))
           .run({"applicationId": "a-2"}))
    run.assert_succeeded().assert_visited("EscalateApproval", "SendDeclineNotice")
    run.assert_not_visited("FundLoan")
    assert run.states["RequestApproval"].error == "States.Timeout"


def test_a_credit_check_that_fails_opens_a_review(loan):
    run = loan.stub("CheckCredit", error=("BureauDown", "503")) \
              .stub("OpenLoanReview", result={"ticket": "t-1"}).run({"applicationId": "a-4"})
    run.assert_failed().assert_path("CheckCredit", "OpenLoanReview", "LoanNeedsReview")


def test_without_a_review_ticket_the_loan_still_ends_for_a_person(loan):
    run = loan.stub("CheckCredit", error=("BureauDown", "503")) \
              .stub("OpenLoanReview", error=("TicketingDown", "503")).run({"applicationId": "a-5"})
    run.assert_failed().assert_path("CheckCredit", "OpenLoanReview", "LoanNeedsReviewWithoutTicket")
