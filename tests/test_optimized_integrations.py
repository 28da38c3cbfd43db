"""The optimized integrations sqs:sendMessage, sns:publish, dynamodb:getItem|putItem|updateItem|
deleteItem and events:putEvents against in-process moto: AWS's result shapes and SDK metadata,
parameter handling, error names and causes, .waitForTaskToken, and the history events.

The expected values are AWS's, as recorded in the conformance cases (TestTaskService{Sqs,Sns,
DynamoDB,Events} and TestBaseScenarios) and in LocalStack's AWS snapshots.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
import zlib

import boto3
import pytest
from moto import mock_aws

import asl_runner
from asl_runner.engine import Runner
from asl_runner.engine.effects import Invocation
from asl_runner.errors import StatesError
from asl_runner.integrations import Integrations, dynamodb, optimized
from asl_runner.integrations.optimized import Api, MotoGaps, ServiceError
from asl_runner.model.resource import parse_resource
from asl_runner.validate import validate_definition

from support import first, machine, one, types, wait_until

REGION = "us-east-1"
#: the AWS SDK for Java 1.x's message tail
V1_TAIL = r" \(Service: {service}; Status Code: {status}; Error Code: {code}; Request ID: [^;]+; Proxy: null\)"


def v1_tail(service: str, status: int, code: str) -> str:
    return V1_TAIL.format(service=service, status=status, code=re.escape(code))


@pytest.fixture(scope="module", autouse=True)
def account():
    with mock_aws():
        yield


def client(service: str):
    return boto3.client(service, region_name=REGION)


def task(resource: str, parameters: dict | None = None, **state) -> dict:
    body = {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", **state}
    if parameters is not None:
        body["Parameters"] = parameters
    return body


def run(definition: dict, input=None, on_runner=None, clock: str = "virtual"):
    execution = asl_runner.start(definition, input, clock=clock)
    integrations = Integrations()
    try:
        with Runner(integrations) as runner:
            if on_runner is not None:
                on_runner(runner, execution)
            runner.run(execution)
    finally:
        integrations.close()
    return execution


def succeeded(execution) -> dict:
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    return execution.output


def metadata(result: dict) -> tuple[dict, str]:
    """The result's HTTP headers (checked to be listed alike in AllHttpHeaders) and request id."""
    http = result["SdkHttpMetadata"]
    headers = http["HttpHeaders"]
    assert http["AllHttpHeaders"] == {k: [v] for k, v in headers.items()}
    assert http["HttpStatusCode"] == 200
    request_id = result["SdkResponseMetadata"]["RequestId"]
    return headers, request_id


def compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def answer_from_queue(url: str, reply):
    """A worker: reads one message from the queue, answers its task token with ``reply``."""
    def on_runner(runner, execution):
        def work():
            sqs = client("sqs")
            while True:
                for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []):
                    body = json.loads(message["Body"])
                    # answered before the engine recorded the call that carried the token,
                    # the history would lack TaskSubmitted (an engine race, reported)
                    wait_until(lambda: "TaskSubmitted" in types(execution))
                    reply(runner, body["TaskToken"], body)
                    return

        threading.Thread(target=work, daemon=True).start()
    return on_runner


# -------------------------------------------------------------------------------------- SQS

def unique(name: str) -> str:
    """A resource name no other test in this process uses (moto's account outlives a mock)."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def queue(name: str) -> str:
    return client("sqs").create_queue(QueueName=unique(name))["QueueUrl"]


def test_sqs_send_message_result_attributes_and_events():
    url = queue("orders")
    ex = run(one(task("sqs:sendMessage", {
        "QueueUrl.$": "$.url", "MessageBody.$": "$.body",
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}}})),
        {"url": url, "body": "test_message_body"})
    out = succeeded(ex)
    assert list(out) == ["MD5OfMessageAttributes", "MD5OfMessageBody", "MessageId",
                         "SdkHttpMetadata", "SdkResponseMetadata"]
    assert out["MD5OfMessageBody"] == hashlib.md5(b"test_message_body").hexdigest()
    received = client("sqs").receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert received["MessageId"] == out["MessageId"]
    assert received["MessageAttributes"]["kind"]["StringValue"] == "order"
    headers, request_id = metadata(out)
    # recorded on AWS: SQS's JSON 1.0 headers, and the length of its compact JSON body
    # (166 bytes for these three fields)
    assert set(headers) == {"x-amzn-RequestId", "connection", "Content-Length", "Date", "Content-Type"}
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert headers["Content-Length"] == "166"
    assert headers["x-amzn-RequestId"] == request_id
    assert re.fullmatch(r"[0-9a-f-]{36}", request_id)
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", headers["Date"])
    scheduled = first(ex, "TaskScheduled").details
    assert (scheduled["resourceType"], scheduled["resource"]) == ("sqs", "sendMessage")
    assert scheduled["parameters"]["MessageBody"] == "test_message_body"
    assert types(ex) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                         "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert first(ex, "TaskSucceeded").details["resourceType"] == "sqs"


def test_sqs_a_json_message_body_is_sent_as_its_json_text():
    url = queue("json-bodies")
    for body, text in (({"Message": "hi", "n": 1}, '{"Message":"hi","n":1}'), ([1, "a"], '[1,"a"]'),
                       (12, "12"), (True, "true")):
        ex = run(one(task("sqs:sendMessage", {"QueueUrl": url, "MessageBody.$": "$.b"})), {"b": body})
        out = succeeded(ex)
        assert out["MD5OfMessageBody"] == hashlib.md5(text.encode()).hexdigest()
        assert headers_length(out) == len(compact({k: out[k] for k in ("MD5OfMessageBody", "MessageId")}))
        message = client("sqs").receive_message(QueueUrl=url)["Messages"][0]
        assert message["Body"] == text
        client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        # the task's parameters are recorded as they were, an object still
        assert first(ex, "TaskScheduled").details["parameters"]["MessageBody"] == body


def headers_length(result: dict) -> int:
    return int(result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"])


def test_sqs_errors():
    url = queue("errors")
    ex = run(one(task("sqs:sendMessage", {"QueueUrl": url + "-gone", "MessageBody": "x"})))
    assert ex.error == "SQS.QueueDoesNotExistException"
    assert re.fullmatch("The specified queue does not exist." + v1_tail(
        "AmazonSQS", 400, "AWS.SimpleQueueService.NonExistentQueue"), ex.cause)
    # recorded on AWS: a null MessageBody is not sent, and SQS answers MissingParameter, an
    # error its model does not declare: the client's base exception
    ex = run(one(task("sqs:sendMessage", {"QueueUrl": url, "MessageBody.$": "$.none"})), {"none": None})
    assert ex.error == "SQS.AmazonSQSException"
    assert re.fullmatch(r"The request must contain the parameter MessageBody\." + v1_tail(
        "AmazonSQS", 400, "MissingParameter"), ex.cause)
    assert first(ex, "TaskFailed").details["resourceType"] == "sqs"
    # absent altogether, it cannot start the task
    ex = run(one(task("sqs:sendMessage", {"QueueUrl": url})))
    assert ex.error == "States.Runtime"
    assert ex.cause == (f"The Parameters '{{\"QueueUrl\":\"{url}\"}}' could not be used to start "
                        "the Task: [The field 'MessageBody' is required but was missing]")


def test_sqs_service_errors_are_task_failures_that_catch_and_retry_handle():
    ex = run(machine({
        "Send": task("sqs:sendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/none",
                                         "MessageBody": "x"},
                     Retry=[{"ErrorEquals": ["SQS.QueueDoesNotExistException"], "MaxAttempts": 1}],
                     Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}], End=True),
        "Caught": {"Type": "Pass", "End": True}}))
    out = succeeded(ex)
    assert out["Error"] == "SQS.QueueDoesNotExistException"
    assert types(ex).count("TaskFailed") == 2


def test_sqs_wait_for_task_token_sends_then_waits_for_the_token():
    url = queue("approvals")
    definition = one(task("sqs:sendMessage.waitForTaskToken", {
        "QueueUrl": url, "MessageBody": {"Message.$": "$.m", "TaskToken.$": "$$.Task.Token"}},
        TimeoutSeconds=60))
    sent = []

    def reply(runner, token, body):
        sent.append(body)
        runner.send_task_success(token, {"approved": body["Message"]})

    # the real clock: on the virtual one a task nobody has answered yet times out at once
    ex = run(definition, {"m": "string-literal"}, on_runner=answer_from_queue(url, reply), clock="real")
    assert succeeded(ex) == {"approved": "string-literal"}
    assert types(ex) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                         "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    submitted = first(ex, "TaskSubmitted").details
    assert (submitted["resourceType"], submitted["resource"]) == ("sqs", "sendMessage.waitForTaskToken")
    assert set(submitted["output"]) == {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata",
                                        "SdkResponseMetadata"}
    assert sent[0]["TaskToken"] == first(ex, "TaskScheduled").details["parameters"]["MessageBody"]["TaskToken"]


def test_sqs_wait_for_task_token_failure_is_caught():
    url = queue("rejections")
    definition = machine({
        "Ask": task("sqs:sendMessage.waitForTaskToken", {
            "QueueUrl": url, "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
            Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
            End=True),
        "Caught": {"Type": "Pass", "End": True}})
    ex = run(definition, {"m": 1}, clock="real", on_runner=answer_from_queue(
        url, lambda runner, token, _: runner.send_task_failure(token, "Failure error", "Failure cause")))
    assert succeeded(ex) == {"m": 1, "error": {"Error": "Failure error", "Cause": "Failure cause"}}


# -------------------------------------------------------------------------------------- SNS

def topic_with_queue(name: str, **attributes: str) -> tuple[str, str]:
    """A topic whose messages reach a queue (raw), and the queue's URL."""
    sns, sqs = client("sns"), client("sqs")
    name = unique(name)
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    return arn, url


def test_sns_publish_result_and_a_json_message():
    arn, url = topic_with_queue("receipts")
    ex = run(one(task("sns:publish", {"TopicArn": arn, "Message.$": "$.m"})), {"m": {"Message": "HelloWorld!"}})
    out = succeeded(ex)
    assert list(out) == ["MessageId", "SdkHttpMetadata", "SdkResponseMetadata"]
    assert client("sqs").receive_message(QueueUrl=url)["Messages"][0]["Body"] == '{"Message":"HelloWorld!"}'
    headers, request_id = metadata(out)
    # recorded on AWS: SNS answers in XML, 294 bytes for a MessageId and a request id
    assert set(headers) == {"x-amzn-RequestId", "connection", "Content-Length", "Date", "Content-Type"}
    assert (headers["Content-Type"], headers["Content-Length"]) == ("text/xml", "294")
    assert headers["x-amzn-RequestId"] == request_id
    assert (first(ex, "TaskScheduled").details["resourceType"], first(ex, "TaskScheduled").details["resource"]) \
        == ("sns", "publish")


def test_sns_fifo_topics_number_messages_and_require_a_group():
    arn = client("sns").create_topic(Name=unique("ledger") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    ex = run(one(task("sns:publish", {"TopicArn": arn, "Message": "m", "MessageGroupId": "g",
                                      "MessageDeduplicationId": "d1"})))
    out = succeeded(ex)
    assert re.fullmatch(r"\d{20}", out["SequenceNumber"])
    assert headers_length(out) == 352  # recorded: the XML with its SequenceNumber
    ex = run(one(task("sns:publish", {"TopicArn": arn, "Message": "m"})))
    assert ex.error == "SNS.InvalidParameterException"
    assert re.fullmatch("Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
                        + v1_tail("AmazonSNS", 400, "InvalidParameter"), ex.cause)


def test_sns_no_such_topic():
    sns = client("sns")
    arn = sns.create_topic(Name=unique("deleted"))["TopicArn"]
    sns.delete_topic(TopicArn=arn)
    ex = run(one(task("sns:publish", {"TopicArn": arn, "Message": "m"})))
    assert ex.error == "SNS.NotFoundException"
    assert re.fullmatch("Topic does not exist" + v1_tail("AmazonSNS", 404, "NotFound"), ex.cause)
    # a null Message is not sent: SNS's validation answers it
    ex = run(one(task("sns:publish", {"TopicArn": arn, "Message.$": "$.m"})), {"m": None})
    assert ex.error == "SNS.AmazonSNSException"
    assert re.fullmatch(r"1 validation error detected: Value null at 'message' failed to satisfy "
                        r"constraint: Member must not be null" + v1_tail("AmazonSNS", 400, "ValidationError"),
                        ex.cause)


def test_sns_wait_for_task_token():
    arn, url = topic_with_queue("reviews")
    ex = run(one(task("sns:publish.waitForTaskToken", {
        "TopicArn": arn, "Message": {"TaskToken.$": "$$.Task.Token"}}, TimeoutSeconds=60)),
        clock="real", on_runner=answer_from_queue(url, lambda runner, token, _: runner.send_task_success(token, "ok")))
    assert succeeded(ex) == "ok"
    assert set(first(ex, "TaskSubmitted").details["output"]) == {"MessageId", "SdkHttpMetadata",
                                                                 "SdkResponseMetadata"}


# --------------------------------------------------------------------------------- DynamoDB

def table(name: str) -> str:
    name = unique(name)
    client("dynamodb").create_table(
        TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    return name


ITEM = {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}, "n": {"N": "1.5"}, "b": {"B": "AAEC"},
        "flag": {"BOOL": True}, "nothing": {"NULL": True}, "list": {"L": [{"S": "a"}, {"N": "2"}]},
        "map": {"M": {"k": {"SS": ["x", "y"]}}}}


def test_dynamodb_put_get_update_delete_keep_attribute_values():
    name = table("items")
    key = {"id": {"S": "id1"}}
    ex = run(machine({
        "Put": task("dynamodb:putItem", {"TableName": name, "Item.$": "$.item"}, ResultPath="$.put", Next="Get"),
        "Get": task("dynamodb:getItem", {"TableName": name, "Key": key}, ResultPath="$.get", Next="Update"),
        "Update": task("dynamodb:updateItem", {
            "TableName": name, "Key": key, "UpdateExpression": "SET #d = :d",
            "ExpressionAttributeNames": {"#d": "data"},
            "ExpressionAttributeValues": {":d": {"S": "Updated"}}, "ReturnValues": "UPDATED_NEW"},
            ResultPath="$.update", Next="Delete"),
        "Delete": task("dynamodb:deleteItem", {"TableName": name, "Key": key, "ReturnValues": "ALL_OLD"},
                       ResultPath="$.delete", Next="Missing"),
        "Missing": task("dynamodb:getItem", {"TableName": name, "Key": key}, ResultPath="$.missing", End=True),
    }), {"item": ITEM})
    out = succeeded(ex)
    assert list(out["put"]) == ["SdkHttpMetadata", "SdkResponseMetadata"]
    assert out["get"]["Item"] == ITEM
    assert out["update"]["Attributes"] == {"data": {"S": "Updated"}}
    assert "ConsumedCapacity" not in out["update"]  # not asked for
    assert out["delete"]["Attributes"] == {**ITEM, "data": {"S": "Updated"}}
    assert list(out["missing"]) == ["SdkHttpMetadata", "SdkResponseMetadata"]  # no Item
    assert [e.details["resource"] for e in ex.history if e.type == "TaskScheduled"] == \
        ["putItem", "getItem", "updateItem", "deleteItem", "getItem"]
    assert {e.details["resourceType"] for e in ex.history if e.type == "TaskSucceeded"} == {"dynamodb"}


def test_dynamodb_headers():
    name = table("headers")
    ex = run(machine({
        "Put": task("dynamodb:putItem", {"TableName": name, "Item": {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}}},
                    ResultPath="$.put", Next="Get"),
        "Get": task("dynamodb:getItem", {"TableName": name, "Key": {"id": {"S": "id1"}}}, ResultPath="$.get",
                    End=True)}))
    out = succeeded(ex)
    put, _ = metadata(out["put"])
    get, request_id = metadata(out["get"])
    # recorded on AWS: GetItem spells its request id header in lower case, the others do not
    assert set(put) == {"Server", "Connection", "x-amzn-RequestId", "x-amz-crc32", "Content-Length",
                        "Date", "Content-Type"}
    assert set(get) == set(put) - {"x-amzn-RequestId"} | {"x-amzn-requestid"}
    assert get["x-amzn-requestid"] == request_id
    assert (put["Server"], put["Content-Length"], get["Content-Length"]) == ("Server", "2", "53")
    body = compact({"Item": out["get"]["Item"]})
    assert get["x-amz-crc32"] == str(zlib.crc32(body))
    assert put["x-amz-crc32"] == str(zlib.crc32(b"{}"))


def test_dynamodb_errors():
    name = table("guarded")
    put = one(task("dynamodb:putItem", {"TableName.$": "$.t", "Item.$": "$.i"}))
    ex = run(put, {"t": "no_such_table", "i": {"id": {"S": "1"}}})
    assert ex.error == "DynamoDB.ResourceNotFoundException"
    assert re.fullmatch("Requested resource not found" + v1_tail("AmazonDynamoDBv2", 400,
                                                                 "ResourceNotFoundException"), ex.cause)
    # ValidationException is not an exception DynamoDB's model declares: the base class
    ex = run(put, {"t": "/invalid_table", "i": {"id": {"S": "1"}}})
    assert ex.error == "DynamoDB.AmazonDynamoDBException"
    assert re.fullmatch(r"1 validation error detected: Value '/invalid_table' at 'tableName' failed to "
                        r"satisfy constraint: Member must satisfy regular expression pattern: "
                        r"\[a-zA-Z0-9_.-\]\+" + v1_tail("AmazonDynamoDBv2", 400, "ValidationException"),
                        ex.cause)
    ex = run(put, {"t": name, "i": None})
    assert ex.error == "DynamoDB.AmazonDynamoDBException"
    assert re.fullmatch(r"1 validation error detected: Value null at 'item' failed to satisfy constraint: "
                        r"Member must not be null" + v1_tail("AmazonDynamoDBv2", 400, "ValidationException"),
                        ex.cause)
    assert first(ex, "TaskScheduled").details["parameters"] == {"TableName": name, "Item": None}
    ex = run(one(task("dynamodb:putItem", {"TableName": name, "Item": {"id": {"S": "1"}},
                                           "ConditionExpression": "attribute_exists(id)"})))
    assert ex.error == "DynamoDB.ConditionalCheckFailedException"
    assert re.fullmatch(r".+" + v1_tail("AmazonDynamoDBv2", 400, "ConditionalCheckFailedException"), ex.cause)


def problems(definition: dict) -> list[str]:
    return [f"{p.pointer}: {p.message}" for p in validate_definition(definition)]


def test_patterns_are_aws_s():
    assert problems(one(task("dynamodb:putItem.waitForTaskToken", {"TableName": "t", "Item": {}}))) != []
    assert problems(one(task("sqs:sendMessage.sync", {"QueueUrl": "u", "MessageBody": "b"}))) != []
    for resource in ("sqs:sendMessage.waitForTaskToken", "sns:publish.waitForTaskToken",
                     "events:putEvents.waitForTaskToken", "dynamodb:getItem"):
        assert problems(one(task(resource, {}))) == [], resource


# ------------------------------------------------------------------------------- EventBridge

def rule_to_queue(name: str) -> str:
    """A rule on the default bus sending events of detail-type NAME to a new queue."""
    events, sqs = client("events"), client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]  # name: unique already
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"detail-type": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue_arn}])
    return url


def test_events_put_events_detail_and_resources():
    kind = unique("order-placed")
    url = rule_to_queue(kind)
    entries = [{"Detail": {"Message": "HelloWorld1"}, "DetailType": kind, "Source": "shop"},
               {"Detail": '{"Message": "HelloWorld2"}', "DetailType": kind, "Source": "shop",
                "Resources": ["arn:aws:s3:::bucket"]}]
    ex = run(one(task("events:putEvents", {"Entries.$": "$.entries"})), {"entries": entries})
    out = succeeded(ex)
    # no SDK metadata: recorded
    assert list(out) == ["Entries", "FailedEntryCount"] and out["FailedEntryCount"] == 0
    assert all(set(e) == {"EventId"} for e in out["Entries"])
    delivered = [json.loads(m["Body"]) for m in
                 client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert sorted(e["detail"]["Message"] for e in delivered) == ["HelloWorld1", "HelloWorld2"]
    machine_arn = ex.arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
    by_message = {e["detail"]["Message"]: e["resources"] for e in delivered}
    assert by_message["HelloWorld1"] == [machine_arn, ex.arn]
    assert by_message["HelloWorld2"] == ["arn:aws:s3:::bucket", machine_arn, ex.arn]
    assert first(ex, "TaskScheduled").details["parameters"]["Entries"] == entries
    assert (first(ex, "TaskScheduled").details["resourceType"], first(ex, "TaskScheduled").details["resource"]) \
        == ("events", "putEvents")


def test_events_failed_entries_fail_the_task():
    put = one(task("events:putEvents", {"Entries.$": "$.entries"}))
    ok = {"Detail": '{"Message": "HelloWorld0"}', "DetailType": "t", "Source": "shop"}
    malformed = {"Detail": '"jsonstring"', "DetailType": "t", "Source": "shop"}
    ex = run(put, {"entries": [malformed]})
    assert ex.error == "EventBridge.FailedEntry"
    assert json.loads(ex.cause) == {"Entries": [{"ErrorCode": "MalformedDetail",
                                                 "ErrorMessage": "Detail is malformed."}],
                                    "FailedEntryCount": 1}
    ex = run(put, {"entries": [ok, malformed, {**ok, "Source": None}]})
    cause = json.loads(ex.cause)
    assert cause["FailedEntryCount"] == 2
    assert set(cause["Entries"][0]) == {"EventId"}
    assert cause["Entries"][1]["ErrorCode"] == "MalformedDetail"
    assert cause["Entries"][2] == {"ErrorCode": "InvalidArgument", "ErrorMessage":
                                   "Parameter Source is not valid. Reason: Source is a required argument."}
    assert first(ex, "TaskFailed").details["resourceType"] == "events"


# ------------------------------------------------------------------ where the calls go

class FakeTarget:
    """A target standing for real AWS: records the requests its client gets."""

    mode = "real"

    def __init__(self, answer):
        self.requests = []
        self.answer = answer

    def region(self, region=None):
        return region or REGION

    def client(self, service, region, validate=True):
        assert validate is False  # the Java SDK 1.x checks nothing itself
        target = self

        class Client:
            def put_item(self, **request):
                target.requests.append(request)
                return target.answer(request)

        return Client()


def test_real_aws_answers_for_itself():
    # the checks standing in for AWS's (moto skips them) are not made against AWS, and a null
    # member is not sent
    from botocore.exceptions import ClientError

    def answer(request):
        raise ClientError({"Error": {"Code": "ValidationException", "Message": "from AWS"},
                           "ResponseMetadata": {"HTTPStatusCode": 400, "RequestId": "R1"}}, "PutItem")

    target = FakeTarget(answer)
    env = type("Env", (), {"aws": target})()
    invocation = Invocation("t", "arn", "Put", parse_resource("arn:aws:states:::dynamodb:putItem"),
                            {"TableName": "/invalid", "Item": None}, None, None)
    with pytest.raises(StatesError) as raised:
        optimized.call(dynamodb.API, invocation, env)
    assert target.requests == [{"TableName": "/invalid"}]
    assert (raised.value.error, raised.value.cause) == (
        "DynamoDB.AmazonDynamoDBException", "from AWS (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ValidationException; Request ID: R1; Proxy: null)")


def test_a_call_without_an_answer_is_the_sdk_client_exception():
    from botocore.exceptions import EndpointConnectionError

    def answer(request):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    api = Api("dynamodb", "DynamoDB", sdk_service="AmazonDynamoDBv2",
              base_exception="AmazonDynamoDBException", moto_gaps=MotoGaps())
    model = optimized.service_model("dynamodb").operation_model("PutItem")
    with pytest.raises(StatesError) as raised:
        optimized.send(api, model, {"TableName": "t", "Item": {}}, FakeTarget(answer), None)
    assert raised.value.error == "DynamoDB.SdkClientException"
    assert raised.value.cause == ('Unable to execute HTTP request: Could not connect to the endpoint '
                                  'URL: "http://127.0.0.1:1"')


def test_validation_error_wording():
    one_error = optimized.validation_error(["Value null at 'item' failed to satisfy constraint: x"])
    assert isinstance(one_error, ServiceError)
    assert (one_error.code, one_error.status) == ("ValidationException", 400)
    assert one_error.message == "1 validation error detected: Value null at 'item' failed to satisfy constraint: x"
    assert optimized.validation_error(["a", "b"], "ValidationError").message == \
        "2 validation errors detected: a; b"
