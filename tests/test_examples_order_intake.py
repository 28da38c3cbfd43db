"""The order intake example: Step Functions calling services directly, no Lambda anywhere.

Every test runs the real definitions on one mocked AWS account made from the example's
aws_setup.json (runs join it), then reads the table, the queue and the child execution.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from example_aws import client, mocked_account

import asl_runner
from asl_runner.validate import validate_definition

REPO = Path(__file__).resolve().parents[1]
DEFINITION = REPO / "definitions" / "order_intake.asl.json"
FOLDER = REPO / "definitions" / "order_intake"
CHILD = FOLDER / "reserve_stock.asl.json"
AWS_SETUP = FOLDER / "aws_setup.json"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/order-fulfilment"
CHILD_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:reserve_stock"


@pytest.fixture(autouse=True)
def account():
    with mocked_account(AWS_SETUP):
        yield


def order(name: str) -> dict:
    return json.loads((FOLDER / f"{name}.json").read_text())


def run(request: dict, **kw):
    kw.setdefault("machines", {"reserve_stock": str(CHILD)})
    return asl_runner.run(str(DEFINITION), request, clock="virtual", **kw)


def stored_order(order_id: str) -> dict:
    item = client("dynamodb").get_item(TableName="orders", Key={"orderId": {"S": order_id}})["Item"]
    return {k: next(iter(v.values())) for k, v in item.items()}


def stock() -> dict:
    items = client("dynamodb").scan(TableName="inventory")["Items"]
    return {i["sku"]["S"]: (int(i["available"]["N"]), int(i["reserved"]["N"])) for i in items}


def queued() -> list[dict]:
    answer = client("sqs").receive_message(QueueUrl=QUEUE, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["All"], VisibilityTimeout=0)
    return answer.get("Messages", [])


def entered(execution) -> list[str]:
    return [e.details["name"] for e in execution.history if e.type.endswith("StateEntered")]


def test_both_definitions_are_valid_and_call_no_lambda():
    for path in (DEFINITION, CHILD):
        definition = json.loads(path.read_text())
        assert validate_definition(definition) == []
        resources = [s["Resource"] for s in definition["States"].values() if s["Type"] == "Task"]
        assert resources and not any("lambda" in r for r in resources)


def test_a_new_order_is_recorded_reserved_by_the_child_and_queued():
    request = order("new_order")
    execution = run(request)

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert entered(execution) == ["RecordOrder", "ReserveStock", "AcceptOrder",
                                  "QueueForFulfilment", "OrderAccepted"]
    # the child: an execution of its own, named after the order, linked to its parent
    [child] = execution.children
    assert child.status == "SUCCEEDED"
    assert child.arn == (f"arn:aws:states:us-east-1:123456789012:execution:"
                                   f"reserve_stock:reserve-{request['orderId']}")
    assert child.input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] == execution.arn
    assert child.output == {"orderId": request["orderId"], "status": "RESERVED", "lines": 2}
    assert [e.details["resource"] for e in child.history if e.type == "TaskScheduled"] == [
        "transactWriteItems"]
    assert execution.output == {"orderId": request["orderId"], "status": "ACCEPTED",
                                "duplicate": False, "reservation": child.output,
                                "fulfilmentMessageId": execution.output["fulfilmentMessageId"]}
    # the table
    assert stored_order(request["orderId"]) == {
        "orderId": request["orderId"], "customerId": request["customerId"], "status": "ACCEPTED",
        "lineCount": "2", "receivedAt": execution.describe()["startDate"],
        "intakeExecution": execution.arn, "reservation": child.arn}
    assert stock() == {"MUG-BLUE": (10, 2), "TEE-M-GREY": (2, 1), "POSTER-A2": (0, 0)}
    # the queue: the body an optimized sqs:sendMessage sends for an object is its JSON text
    [message] = queued()
    assert message["MessageId"] == execution.output["fulfilmentMessageId"]
    assert json.loads(message["Body"]) == {
        "orderId": request["orderId"], "customerId": request["customerId"],
        "items": request["items"], "shipTo": request["shippingAddress"],
        "reservation": child.arn}
    assert message["MessageAttributes"]["eventType"]["StringValue"] == "OrderAccepted"


def test_a_duplicate_submission_answers_with_the_order_on_file_and_does_nothing_twice():
    request = order("new_order")
    first = run(request)
    second = run(request)

    assert second.status == "SUCCEEDED"
    assert entered(second) == ["RecordOrder", "LookUpExistingOrder", "AlreadyReceived"]
    failed_put = [e for e in second.history if e.type == "TaskFailed"]
    assert [e.details["error"] for e in failed_put] == ["DynamoDB.ConditionalCheckFailedException"]
    assert second.output == {"orderId": request["orderId"], "status": "ACCEPTED",
                             "duplicate": True, "firstReceivedBy": first.arn}
    assert second.children == []
    assert stored_order(request["orderId"])["intakeExecution"] == first.arn
    assert stock()["MUG-BLUE"] == (10, 2)  # reserved once
    assert len(queued()) == 1              # queued once


def test_an_order_the_stock_cannot_cover_is_rejected_and_reserves_nothing():
    request = order("out_of_stock")
    execution = run(request)

    assert execution.status == "SUCCEEDED"
    assert entered(execution)[-5:] == ["DidTheReservationRun", "ReadReservationFailure",
                                       "IsOutOfStock", "RejectOrder", "OrderRejected"]
    [child] = execution.children
    assert (child.status, child.error) == ("FAILED", "Stock.Insufficient")
    canceled = [e for e in child.history if e.type == "TaskFailed"]
    assert [e.details["error"] for e in canceled] == ["DynamoDb.TransactionCanceledException"]
    assert execution.output["status"] == "REJECTED"
    assert execution.output["reason"] == child.cause
    saved = stored_order(request["orderId"])
    assert (saved["status"], saved["rejectionReason"]) == ("REJECTED", child.cause)
    # all or nothing: the mug line could be reserved, but the poster's could not
    assert stock() == {"MUG-BLUE": (12, 0), "TEE-M-GREY": (3, 0), "POSTER-A2": (0, 0)}
    assert queued() == []


def test_a_reservation_that_breaks_otherwise_fails_the_intake_and_keeps_the_order():
    client("dynamodb").delete_table(TableName="inventory")
    request = order("new_order")
    execution = run(request)

    assert (execution.status, execution.error) == ("FAILED", "Order.ReservationFailed")
    [child] = execution.children
    assert child.error == "DynamoDb.ResourceNotFoundException"
    assert execution.cause == child.cause
    assert stored_order(request["orderId"])["status"] == "RECEIVED"  # for a redrive to finish
    assert queued() == []


def test_a_child_machine_that_does_not_exist_fails_the_intake_with_aws_s_cause():
    execution = run(order("new_order"), machines={})
    [failed] = [e for e in execution.history if e.type == "TaskFailed"]
    assert failed.details["error"] == "StepFunctions.StateMachineDoesNotExistException"
    # the Catch on States.TaskFailed took it too: that name matches every task error
    assert entered(execution)[-3:] == ["ReserveStock", "DidTheReservationRun",
                                       "CouldNotStartReservation"]
    assert (execution.status, execution.error) == ("FAILED", "Order.ReservationFailed")
    assert execution.cause.startswith(f"State Machine Does Not Exist: '{CHILD_ARN}'")
    assert execution.children == []


def test_the_readme_command_runs_it():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n### Order intake"):]
    command = section.split("\n\n    asl-runner ", 1)[1].split("\n\n", 1)[0]
    args = [a for a in command.replace("\\\n", " ").split()]
    result = subprocess.run([str(Path(sys.executable).with_name("asl-runner")), *args,
                             "--clock", "virtual", "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    output = json.loads(json.loads(result.stdout)["output"])
    assert (output["status"], output["reservation"]["status"]) == ("ACCEPTED", "RESERVED")
