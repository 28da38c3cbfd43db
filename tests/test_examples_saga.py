"""The order saga example: a failure at each step runs exactly the compensations it should,
in reverse order, and the execution ends naming the step that failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from example_aws import mocked_account, sent_mails

import asl_runner

REPO = Path(__file__).resolve().parents[1]
DEFINITION = REPO / "definitions" / "order_saga.asl.json"
SCENARIOS = REPO / "definitions" / "order_saga"
AWS_SETUP = SCENARIOS / "aws_setup.json"
LAMBDAS = str(REPO / "lambdas")
FORWARD = ["ReserveInventory", "ChargePayment", "CreateShipment", "UpdateCrm", "SendConfirmation"]
COMPENSATIONS = ["CancelShipment", "RefundPayment", "ReleaseInventory"]

# failing step -> the compensations that must run, in this order. A failed step's own
# compensation runs too (it may have taken effect before failing) and finds nothing to undo.
EXPECTED_COMPENSATIONS = {
    "ReserveInventory": ["ReleaseInventory"],
    "ChargePayment": ["RefundPayment", "ReleaseInventory"],
    "CreateShipment": ["CancelShipment", "RefundPayment", "ReleaseInventory"],
    "UpdateCrm": ["CancelShipment", "RefundPayment", "ReleaseInventory"],
    "SendConfirmation": ["CancelShipment", "RefundPayment", "ReleaseInventory"],
}
ERRORS = {"ReserveInventory": "OutOfStock", "ChargePayment": "PaymentDeclined",
          "CreateShipment": "AddressUndeliverable", "UpdateCrm": "CrmUnavailable",
          "SendConfirmation": "ConfirmationUndeliverable"}
# what each compensation reports, by how far the order got before failing
UNDO = {
    "ReleaseInventory": ({"released": False, "reason": "NO_RESERVATION"},
                         {"released": True, "alreadyReleased": False, "reservationId": "rsv-{}"}),
    "RefundPayment": ({"refunded": False, "reason": "NO_CHARGE"},
                      {"refunded": True, "alreadyRefunded": False, "paymentId": "pay-{}",
                       "amountCents": 4359}),
    "CancelShipment": ({"cancelled": False, "reason": "NO_SHIPMENT"},
                       {"cancelled": True, "alreadyCancelled": False, "shipmentId": "shp-{}"}),
}
DONE_BY = {"ReleaseInventory": "ReserveInventory", "RefundPayment": "ChargePayment",
           "CancelShipment": "CreateShipment"}


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    paths = {}
    for kind in ("records", "staging"):
        paths[kind] = tmp_path / kind
        monkeypatch.setenv(f"ASL_RUNNER_{kind.upper()}_DIR", str(paths[kind]))
    with mocked_account():  # the runs' SES account, kept to read what was sent
        yield paths


def order(**changes):
    base = json.loads((SCENARIOS / "happy_path.json").read_text())
    return {**base, **changes}


def run(request):
    return asl_runner.run(str(DEFINITION), request, lambdas=LAMBDAS, clock="virtual",
                          aws_setup=AWS_SETUP)


def tasks_entered(execution):
    return [e.details["name"] for e in execution.history if e.type == "TaskStateEntered"]


def task_outputs(execution):
    """The result each Task added to the state document, by Task name (last one wins)."""
    out = {}
    for e in execution.history:
        if e.type == "TaskStateExited":
            doc = e.details["output"]
            name = e.details["name"]
            out[name] = doc.get("compensations", {}).get(name, doc)
    return out


def ledger(dirs, order_id, kind):
    return json.loads((dirs["records"] / "orders" / order_id / f"{kind}.json").read_text())


def test_definition_validates():
    asl_runner.load(str(DEFINITION))  # raises DefinitionError listing every problem


def test_happy_path_places_the_order_and_confirms_it(dirs):
    request = order()
    execution = run(request)

    assert execution.status == "SUCCEEDED"
    assert tasks_entered(execution) == FORWARD
    oid = request["orderId"]
    assert ledger(dirs, oid, "reservation")["status"] == "RESERVED"
    assert ledger(dirs, oid, "payment") == {"paymentId": f"pay-{oid}", "amountCents": 4359,
                                            "currency": "EUR", "status": "CAPTURED"}
    assert ledger(dirs, oid, "shipment")["status"] == "BOOKED"
    assert ledger(dirs, oid, "crm")["status"] == "PLACED"
    [message] = sent_mails()
    assert message["To"] == request["customer"]["email"]
    assert message["From"] == "Example Shop <orders@example.com>"
    assert "EUR 43.59" in message.get_content()
    assert message["X-Postmaster-Idempotency-Key"] == f"{oid}/confirmation"
    assert execution.output["confirmation"]["messageId"] == message.ses_message_id
    assert execution.output["confirmation"]["duplicate"] is False


@pytest.mark.parametrize("step", FORWARD)
def test_failure_compensates_in_reverse_order_and_names_the_step(dirs, step):
    request = order(orderId=f"ord-{step.lower()}", failAt=step)
    execution = run(request)

    assert execution.status == "FAILED"
    assert execution.error == f"{step}Failed"
    assert execution.cause.startswith(f"{step} failed with {ERRORS[step]};")
    forward = FORWARD[: FORWARD.index(step) + 1]
    assert tasks_entered(execution) == forward + EXPECTED_COMPENSATIONS[step]
    entered = [e.details["name"] for e in execution.history if e.type.endswith("StateEntered")]
    assert entered[-2:] == ["DidCompensationFail", "OrderFailed"]

    # each compensation undid exactly what had been done, nothing more
    outputs = task_outputs(execution)
    oid = request["orderId"]
    for compensation in EXPECTED_COMPENSATIONS[step]:
        did_happen = FORWARD.index(DONE_BY[compensation]) < FORWARD.index(step)
        expected = UNDO[compensation][did_happen]
        assert outputs[compensation] == {k: v.format(oid) if isinstance(v, str) else v
                                         for k, v in expected.items()}
    if FORWARD.index(step) > 0:
        assert ledger(dirs, oid, "reservation")["status"] == "RELEASED"
    if FORWARD.index(step) > 1:
        assert ledger(dirs, oid, "payment")["status"] == "REFUNDED"


def test_transient_failures_are_retried_before_the_saga_compensates(dirs):
    execution = run(order(failAt="UpdateCrm"))
    calls = [e for e in execution.history if e.type == "LambdaFunctionScheduled"
             and e.details["resource"].endswith(":UpdateCrm")]
    assert len(calls) == 1 + 3  # CrmUnavailable is transient: MaxAttempts 3
    declined = run(order(orderId="ord-declined", failAt="ChargePayment"))
    assert sum(e.type == "LambdaFunctionFailed" for e in declined.history) == 1  # final, not retried


def test_a_failed_compensation_does_not_stop_the_others_and_is_escalated(dirs):
    request = order(orderId="ord-stuck", failAt=["CreateShipment", "RefundPayment"])
    execution = run(request)

    assert execution.error == "Order.CompensationFailed"
    assert execution.cause.startswith("CreateShipment failed with AddressUndeliverable, and these "
                                      "compensations failed too: {\"RefundPayment\":")
    assert tasks_entered(execution)[-3:] == COMPENSATIONS
    refunds = [e for e in execution.history if e.type == "LambdaFunctionScheduled"
               and e.details["resource"].endswith(":RefundPayment")]
    assert len(refunds) == 1 + 6
    # inventory was still released; the money is what a person must now refund by hand
    assert ledger(dirs, "ord-stuck", "reservation")["status"] == "RELEASED"
    assert ledger(dirs, "ord-stuck", "payment")["status"] == "CAPTURED"


@pytest.mark.parametrize("path", sorted(p for p in SCENARIOS.glob("*.json") if p != AWS_SETUP),
                         ids=lambda p: p.stem)
def test_scenario_files_end_as_their_failat_says(dirs, path):
    request = json.loads(path.read_text())
    execution = run(request)
    fail_at = request.get("failAt")
    if fail_at is None:
        assert execution.status == "SUCCEEDED"
    elif isinstance(fail_at, str):
        assert execution.error == f"{fail_at}Failed"
    else:
        assert execution.error == "Order.CompensationFailed"
