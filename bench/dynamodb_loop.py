"""A Choice+Task loop of 1,000 `dynamodb:putItem` + `getItem` iterations (2,000 tasks) on
in-process moto, beside the same 2,000 calls made directly with boto3 on in-process moto (the
floor for any engine on moto)."""

from __future__ import annotations

import time

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.integrations import Integrations

from _common import report

ITERATIONS = 1_000
TABLE = "bench"
DEFINITION = {
    "StartAt": "Put",
    "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": TABLE, "Item": {"id": {"S.$": "States.Format('{}', $.i)"},
                                                            "n": {"N": "1"}}},
                "ResultPath": None, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": TABLE, "Key": {"id": {"S.$": "States.Format('{}', $.i)"}}},
                "ResultPath": None, "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [
            {"Variable": "$.i", "NumericLessThan": ITERATIONS, "Next": "Put"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def _table(client) -> None:
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])


def main() -> None:
    machine = asl_runner.load(DEFINITION)
    integrations = Integrations()
    try:
        _table(integrations.aws.client("dynamodb", "us-east-1"))
        ex = Execution(machine, {"i": 0}, clock=VirtualClock())
        started = time.perf_counter()
        with Runner(integrations) as runner:
            runner.run(ex)
        seconds = time.perf_counter() - started
        assert ex.status == "SUCCEEDED", ex.cause
        report("dynamodb loop: putItem + getItem on moto", 2 * ITERATIONS / seconds, "tasks/s",
               f"({2 * ITERATIONS} tasks, {len(ex.history)} events, {seconds:.2f} s)")
    finally:
        integrations.close()

    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client)
        started = time.perf_counter()
        for i in range(ITERATIONS):
            client.put_item(TableName=TABLE, Item={"id": {"S": str(i)}, "n": {"N": "1"}})
            client.get_item(TableName=TABLE, Key={"id": {"S": str(i)}})
        seconds = time.perf_counter() - started
    report("the same calls with boto3 on moto (floor)", 2 * ITERATIONS / seconds, "calls/s",
           f"({seconds:.2f} s)")


if __name__ == "__main__":
    main()
