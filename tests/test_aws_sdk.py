"""arn:aws:states:::aws-sdk:SERVICE:ACTION against in-process moto: names, shapes, errors,
.waitForTaskToken, the load-time checks, and where calls go.

One moto account serves the whole module (each run's own target joins it), so the setup of one
test is visible to the next only through names that tests do not share.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
import threading

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

import asl_runner
from asl_runner.engine import Runner
from asl_runner.integrations import Integrations, aws_sdk
from asl_runner.integrations.aws import AwsTarget
from asl_runner.integrations.aws_sdk import names, shapes
from asl_runner.validate import validate_definition

REGION = "us-east-1"
#: the SDK's message tail: "(Service: X, Status Code: N, Request ID: R[, Extended Request ID:
#: E]) (SDK Attempt Count: 1)"
TAIL = r" \(Service: {service}, Status Code: {status}, Request ID: [^,()]+{extended}\) \(SDK Attempt Count: 1\)"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z")


def tail(service: str, status: int, extended: bool = False) -> str:
    return TAIL.format(service=service, status=status,
                       extended=", Extended Request ID: [^,()]+" if extended else "")


@pytest.fixture(scope="module", autouse=True)
def account():
    with mock_aws():
        yield


def client(service: str):
    return boto3.client(service, region_name=REGION)


def sdk(service_action: str, parameters: dict | None = None, **state) -> dict:
    body = {"Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:{service_action}", **state}
    if parameters is not None:
        body["Parameters"] = parameters
    return body


def chain(*states: tuple[str, dict]) -> dict:
    names_ = [n for n, _ in states]
    out = {}
    for i, (name, state) in enumerate(states):
        state = dict(state)
        if "Next" not in state and "End" not in state:
            if i + 1 < len(states):
                state["Next"] = names_[i + 1]
            else:
                state["End"] = True
        out[name] = state
    return {"StartAt": names_[0], "States": out}


def run(definition: dict, input=None, integrations: Integrations | None = None, on_runner=None,
        clock: str = "virtual"):
    execution = asl_runner.start(definition, input, clock=clock)
    integrations = integrations or Integrations()
    try:
        with Runner(integrations) as runner:
            if on_runner is not None:
                on_runner(runner)
            runner.run(execution)
    finally:
        integrations.close()
    return execution


def task_failed(execution) -> dict:
    return next(e.details for e in execution.history if e.type == "TaskFailed")


# ------------------------------------------------------------------------------------- S3

def test_s3_put_and_get_a_text_object():
    client("s3").create_bucket(Bucket="text-bucket")
    ex = run(chain(
        ("Put", sdk("s3:putObject", {"Bucket": "text-bucket", "Key": "note.txt", "Body.$": "$.text"},
                    ResultPath="$.put")),
        ("Get", sdk("s3:getObject", {"Bucket": "text-bucket", "Key": "note.txt"}, ResultPath="$.get")),
    ), {"text": "héllo wörld"})
    assert ex.status == "SUCCEEDED", ex.cause
    got = ex.output["get"]
    assert got["Body"] == "héllo wörld"
    assert got["ContentLength"] == len("héllo wörld".encode())
    # what the SDK's RequestBody.fromString declares when the task names no ContentType
    assert got["ContentType"] == "text/plain; charset=UTF-8"
    assert ISO.fullmatch(got["LastModified"])
    assert "ResponseMetadata" not in got and "ResponseMetadata" not in ex.output["put"]
    assert ex.output["put"]["ETag"] == got["ETag"]


def test_s3_results_have_the_members_aws_sends_where_moto_differs():
    # recorded on AWS (services/TestTaskServiceAwsSdk_test_s3_put_object_*, _get_object_*):
    # SSE-S3 by default, the CRC32 the SDK sends as a whole-object checksum, and no checksum
    # in GetObject (Step Functions does not ask for one)
    client("s3").create_bucket(Bucket="members-bucket")
    ex = run(chain(
        ("Put", sdk("s3:putObject", {"Bucket": "members-bucket", "Key": "k", "Body": True},
                    ResultPath="$.put")),
        ("Get", sdk("s3:getObject", {"Bucket": "members-bucket", "Key": "k"}, ResultPath="$.get")),
    ), {})
    assert ex.status == "SUCCEEDED", ex.cause
    assert set(ex.output["put"]) == {"ChecksumCRC32", "ChecksumType", "ETag", "ServerSideEncryption"}
    assert ex.output["put"]["ChecksumType"] == "FULL_OBJECT"
    assert ex.output["put"]["ServerSideEncryption"] == "AES256"
    assert set(ex.output["get"]) == {"AcceptRanges", "Body", "ContentLength", "ContentType", "ETag",
                                     "LastModified", "Metadata", "ServerSideEncryption"}


def test_s3_a_json_body_is_stored_as_its_compact_json_text():
    # recorded on AWS: "Body": {"Dict": "Value"} stores {"Dict":"Value"}, 0 stores "0"
    s3 = client("s3")
    s3.create_bucket(Bucket="json-bucket")
    for key, body, text in (("dict", {"Dict": "Value"}, '{"Dict":"Value"}'), ("num", 0, "0"),
                            ("list", ["List", "Data"], '["List","Data"]'), ("bool", False, "false")):
        ex = run(chain(("Put", sdk("s3:putObject", {"Bucket": "json-bucket", "Key": key,
                                                     "Body.$": "$.body"}))), {"body": body})
        assert ex.status == "SUCCEEDED", ex.cause
        stored = s3.get_object(Bucket="json-bucket", Key=key)
        assert stored["Body"].read().decode() == text
        assert stored["ContentType"] == "text/plain; charset=UTF-8"


def test_s3_get_a_binary_object_body_is_text():
    s3 = client("s3")
    s3.create_bucket(Bucket="binary-bucket")
    s3.put_object(Bucket="binary-bucket", Key="file_key", Body=b"binary data")
    s3.put_object(Bucket="binary-bucket", Key="empty", Body=b"")
    s3.put_object(Bucket="binary-bucket", Key="raw", Body=b"\xff\x00ok")
    ex = run(chain(
        ("A", sdk("s3:getObject", {"Bucket": "binary-bucket", "Key": "file_key"}, ResultPath="$.a")),
        ("B", sdk("s3:getObject", {"Bucket": "binary-bucket", "Key": "empty"}, ResultPath="$.b")),
        ("C", sdk("s3:getObject", {"Bucket": "binary-bucket", "Key": "raw"}, ResultPath="$.c")),
    ))
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["a"]["Body"] == "binary data"
    assert ex.output["a"]["ContentType"] == "binary/octet-stream"
    assert ex.output["b"]["Body"] == "" and ex.output["b"]["ContentLength"] == 0
    assert ex.output["c"]["Body"] == "\ufffd\x00ok"  # not UTF-8: replaced, as asUtf8String does


def test_s3_no_such_key_and_no_such_bucket():
    client("s3").create_bucket(Bucket="keyless-bucket")
    ex = run(chain(("Get", sdk("s3:getObject", {"Bucket": "keyless-bucket", "Key": "no_such_key.json"},
                               Catch=[{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Listed"}])),
                   ("Listed", sdk("s3:listObjects", {"Bucket": "no-such-bucket-here"}))))
    assert ex.status == "FAILED"
    first, second = [e.details for e in ex.history if e.type == "TaskFailed"]
    assert first["error"] == "S3.NoSuchKeyException"  # S3's NoSuchKey, with the suffix
    assert re.fullmatch(r"The specified key does not exist\." + tail("S3", 404, extended=True),
                        first["cause"])
    assert (ex.error, second["resourceType"], second["resource"]) == \
        ("S3.NoSuchBucketException", "aws-sdk:s3", "listObjects")
    assert re.fullmatch(r"The specified bucket does not exist" + tail("S3", 404, extended=True),
                        ex.cause)


def test_a_service_error_is_caught_by_states_taskfailed_and_states_all():
    for catch in ("States.TaskFailed", "States.ALL"):
        ex = run(chain(("List", sdk("s3:listObjects", {"Bucket": "no-such-bucket-here"},
                                    Catch=[{"ErrorEquals": [catch], "ResultPath": "$.e",
                                            "Next": "Done"}])),
                       ("Done", {"Type": "Pass"})))
        assert ex.status == "SUCCEEDED"
        assert ex.output["e"]["Error"] == "S3.NoSuchBucketException"


# ------------------------------------------------------------------------------- DynamoDB

def make_table(name: str) -> None:
    client("dynamodb").create_table(
        TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")


def test_dynamodb_put_update_get_item_keep_the_attribute_value_shapes():
    make_table("orders")
    item = {"id": {"S": "id1"}, "count": {"N": "5"}, "blob": {"B": "AAEC"},
            "tags": {"SS": ["a", "b"]}, "nested": {"M": {"lowerCase": {"BOOL": True}}}}
    ex = run(chain(
        ("Put", sdk("dynamodb:putItem", {"TableName": "orders", "Item.$": "$.item"}, ResultPath="$.put")),
        ("Update", sdk("dynamodb:updateItem", {
            "TableName": "orders", "Key": {"id": {"S": "id1"}}, "UpdateExpression": "SET #c = :c",
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": {":c": {"N": "6"}}, "ReturnValues": "UPDATED_NEW"},
            ResultPath="$.update")),
        ("Get", sdk("dynamodb:getItem", {"TableName": "orders", "Key": {"id": {"S": "id1"}}},
                    ResultPath="$.get")),
    ), {"item": item})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["put"] == {}
    # no ConsumedCapacity unless asked for (moto's UpdateItem sends it anyway)
    assert ex.output["update"] == {"Attributes": {"count": {"N": "6"}}}
    got = ex.output["get"]["Item"]
    # attribute names are data (map keys): never PascalCased; B stays base64, as DynamoDB's JSON
    assert got == {**item, "count": {"N": "6"}}


def test_dynamodb_errors_modelled_and_not():
    make_table("guarded")
    client("dynamodb").put_item(TableName="guarded", Item={"id": {"S": "taken"}})
    ex = run(chain(
        ("Missing", sdk("dynamodb:putItem", {"TableName": "no_such_table", "Item": {"id": {"S": "x"}}},
                        Catch=[{"ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                                "ResultPath": "$.missing", "Next": "Conditional"}])),
        ("Conditional", sdk("dynamodb:putItem", {
            "TableName": "guarded", "Item": {"id": {"S": "taken"}},
            "ConditionExpression": "attribute_not_exists(id)"},
            Catch=[{"ErrorEquals": ["DynamoDb.ConditionalCheckFailedException"],
                    "ResultPath": "$.conditional", "Next": "Invalid"}])),
        # a key of the wrong type: DynamoDB's ValidationException, which its model does not
        # declare, is the SDK's catch-all DynamoDbException
        ("Invalid", sdk("dynamodb:putItem", {"TableName": "guarded", "Item": {"id": {"N": "1"}}})),
    ))
    assert ex.output is None and ex.error == "DynamoDb.DynamoDbException"
    assert re.fullmatch(r".+" + tail("DynamoDb", 400), ex.cause)
    causes = [e.details for e in ex.history if e.type == "TaskFailed"]
    assert [c["error"] for c in causes] == ["DynamoDb.ResourceNotFoundException",
                                           "DynamoDb.ConditionalCheckFailedException",
                                           "DynamoDb.DynamoDbException"]
    assert re.fullmatch("Requested resource not found" + tail("DynamoDb", 400), causes[0]["cause"])


# ------------------------------------------------------------------ Secrets Manager, SQS

def test_secrets_manager_and_timestamps_in_results():
    ex = run(chain(
        ("Create", sdk("secretsmanager:createSecret", {"Name": "db-password", "SecretString": "s3cret"},
                       ResultPath="$.created")),
        ("Read", sdk("secretsmanager:getSecretValue", {"SecretId": "db-password"}, ResultPath="$.read")),
        ("List", sdk("secretsmanager:listSecrets", {}, ResultPath="$.list")),
    ))
    assert ex.status == "SUCCEEDED", ex.cause
    read = ex.output["read"]
    assert read["SecretString"] == "s3cret" and read["Name"] == "db-password"
    assert ISO.fullmatch(read["CreatedDate"])
    listed = [s for s in ex.output["list"]["SecretList"] if s["Name"] == "db-password"]
    assert ISO.fullmatch(listed[0]["LastChangedDate"])


def test_timestamp_text_is_the_json_of_an_instant():
    utc = dt.UTC
    assert shapes.timestamp_text(dt.datetime(2024, 5, 3, 14, 5, 4, tzinfo=utc)) == "2024-05-03T14:05:04Z"
    assert shapes.timestamp_text(dt.datetime(2024, 5, 3, 14, 5, 4, 120000, tzinfo=utc)) == \
        "2024-05-03T14:05:04.120Z"
    assert shapes.timestamp_text(dt.datetime(2024, 5, 3, 14, 5, 4, 120001, tzinfo=utc)) == \
        "2024-05-03T14:05:04.120001Z"
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert shapes.timestamp_text(dt.datetime(2024, 5, 3, 16, 5, 4, tzinfo=plus_two)) == "2024-05-03T14:05:04Z"
    assert shapes.timestamp_text(1714745104.5) == "2024-05-03T14:05:04.500Z"  # epoch seconds


def test_sqs_send_and_receive_and_a_missing_queue():
    url = client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    ex = run(chain(
        # a number where a string is modelled is its JSON text, as Step Functions' reader coerces
        ("Send", sdk("sqs:sendMessage", {"QueueUrl": url, "MessageBody": 42, "DelaySeconds": "0"},
                     ResultPath="$.sent")),
        ("Receive", sdk("sqs:receiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 1},
                        ResultPath="$.received")),
        ("Missing", sdk("sqs:sendMessage", {"QueueUrl": url + "-gone", "MessageBody": "x"})),
    ))
    assert ex.output is None
    assert [m["Body"] for m in task_succeeded(ex, "receiveMessage")["Messages"]] == ["42"]
    # SQS declares this error with its own code (AWS.SimpleQueueService.NonExistentQueue)
    assert ex.error == "Sqs.QueueDoesNotExistException"
    assert re.fullmatch(r".+" + tail("Sqs", 400), ex.cause)


def task_succeeded(execution, action: str) -> dict:
    return next(e.details["output"] for e in execution.history
                if e.type == "TaskSucceeded" and e.details["resource"] == action)


# ----------------------------------------------------------- parameters, other failures

def test_parameters_that_do_not_fit_the_shape_fail_with_states_runtime():
    for parameters, problem in (
            ({"Bucket": "b", "Key": "k", "Bodyy": "x"}, "'Bodyy' is not a field of PutObjectRequest"),
            ({"bucket": "b", "Key": "k"}, "did you mean 'Bucket'? Step Functions writes parameters in PascalCase"),
            ({"Bucket": {"Name": "b"}, "Key": "k"}, "Bucket: must be a string, not an object")):
        ex = run(chain(("Put", sdk("s3:putObject", parameters))))
        assert ex.error == "States.Runtime"
        assert ex.cause.startswith("The Parameters '") and "could not be used to start the Task" in ex.cause
        assert problem in ex.cause


def test_shapes_member_names_and_coercions():
    import botocore.session

    model = botocore.session.Session().get_service_model("cloudtrail")
    shape = model.shape_for("AdvancedFieldSelector")  # a member named Equals
    assert "EqualsValue" in {names.member_name(m) for m in shape.members}
    assert shapes.to_request({"FieldSelectors": [{"Field": "eventCategory", "EqualsValue": ["Data"]}]},
                             model.shape_for("AdvancedEventSelector")) == \
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}
    sqs = botocore.session.Session().get_service_model("sqs")
    send = sqs.operation_model("SendMessage").input_shape
    assert shapes.to_request({"QueueUrl": "u", "MessageBody": True, "DelaySeconds": 3.0}, send) == \
        {"QueueUrl": "u", "MessageBody": "true", "DelaySeconds": 3}
    with pytest.raises(shapes.ParameterProblem, match="DelaySeconds: must be an integer"):
        shapes.to_request({"QueueUrl": "u", "MessageBody": "m", "DelaySeconds": 1.5}, send)


@pytest.mark.parametrize(("service", "operation", "parameters", "problem"), [
    # found by tests/test_fuzz_aws_sdk.py: botocore raised OverflowError (CBOR) or RuntimeError (its
    # timestamp check), so the task failed with a Python exception's name as its error
    ("dynamodb", "Scan", {"TableName": "t", "Limit": 2**64},
     "Limit: must be an integer from -2147483648 to 2147483647, not 18446744073709551616"),
    ("sqs", "SendMessage", {"QueueUrl": "u", "MessageBody": "m", "DelaySeconds": -2**31 - 1},
     "DelaySeconds: must be an integer from -2147483648"),
    ("ecs", "SubmitTaskStateChange", {"ExecutionStoppedAt": 1e308},
     "ExecutionStoppedAt: must be a timestamp (ISO-8601 text or epoch seconds), not 1e+308"),
    ("ecs", "SubmitTaskStateChange", {"ExecutionStoppedAt": "yesterday"}, "must be a timestamp"),
    ("ecs", "SubmitTaskStateChange", {"ExecutionStoppedAt": True}, "must be a timestamp"),
])
def test_parameters_java_cannot_read_are_a_parameter_problem(service, operation, parameters, problem):
    import botocore.session

    shape = botocore.session.Session().get_service_model(service).operation_model(operation).input_shape
    with pytest.raises(shapes.ParameterProblem, match=re.escape(problem)):
        shapes.to_request(parameters, shape)
    ok = {**parameters, **{k: "2024-01-01T00:00:00Z" for k, v in parameters.items() if "At" in k},
          **{k: 7 for k in ("Limit", "DelaySeconds") if k in parameters}}
    shapes.to_request(ok, shape)  # in range, a timestamp: taken


class Unreachable:
    """An AWS target whose endpoint nobody listens on."""

    def region(self, region):
        return REGION

    def client(self, service, region):
        import botocore.session

        return botocore.session.Session().create_client(
            service, region_name=region, endpoint_url="http://127.0.0.1:9",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"max_attempts": 1}, connect_timeout=1))


def test_a_call_that_gets_no_answer_is_states_taskfailed():
    with pytest.raises(asl_runner.errors.StatesError) as failed:
        aws_sdk.call(Unreachable(), "s3", "listBuckets", {})
    assert failed.value.error == "States.TaskFailed"
    assert "Could not connect to the endpoint URL" in failed.value.cause


def test_a_request_botocore_fails_to_build_in_its_own_way_is_states_taskfailed():
    # found by tests/test_fuzz_aws_sdk.py: DynamoDB's endpoint parameters are JMESPath over the request,
    # and without RequestItems it raised JMESPathTypeError, which became the task's error name
    with pytest.raises(asl_runner.errors.StatesError) as failed:
        aws_sdk.call(Unreachable(), "dynamodb", "batchGetItem", {})
    assert failed.value.error == "States.TaskFailed"
    assert failed.value.cause.startswith("Unable to build the request: In function keys()")


# ------------------------------------------------------------------- .waitForTaskToken

def test_wait_for_task_token_makes_the_call_then_waits_for_the_token():
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    # the body is a string in SQS's model: the token travels as JSON text
    definition = chain(("Ask", sdk("sqs:sendMessage.waitForTaskToken", {
        "QueueUrl": url, "MessageBody.$": "States.JsonToString($$.Task)"}, TimeoutSeconds=60)))

    def worker(runner):
        def answer():
            while True:
                messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
                if messages:
                    token = json.loads(messages[0]["Body"])["Token"]
                    runner.send_task_success(token, {"approved": True})
                    return

        threading.Thread(target=answer, daemon=True).start()

    # the real clock: on the virtual one a task nobody has answered yet times out at once
    ex = run(definition, on_runner=worker, clock="real")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"approved": True}
    submitted = next(e.details for e in ex.history if e.type == "TaskSubmitted")
    assert set(submitted["output"]) >= {"MessageId", "MD5OfMessageBody"}
    assert submitted["resource"] == "sendMessage.waitForTaskToken"


# ----------------------------------------------------------------------- load-time checks

def problems(resource: str) -> list[str]:
    found = validate_definition(chain(("Call", {"Type": "Task", "Resource": resource})))
    assert all(p.pointer == "/States/Call/Resource" for p in found)
    return [p.message for p in found]


def test_validate_refuses_what_botocore_does_not_know():
    assert problems("arn:aws:states:::aws-sdk:s3:getObject") == []
    assert problems("arn:aws:states:::aws-sdk:eventbridge:putEvents") == []
    assert problems("arn:aws:states:::aws-sdk:sfn:startExecution.waitForTaskToken") == []
    assert problems("arn:aws:states:::aws-sdk:cloudwatchlogs:putLogEvents") == []
    for resource, why in (
            ("arn:aws:states:::aws-sdk:s3:getObjectt", "'s3' has no action 'getObjectt'"),
            ("arn:aws:states:::aws-sdk:s3:GetObject", "did you mean 'getObject'?"),
            ("arn:aws:states:::aws-sdk:s4:getObject", "no AWS SDK service is named 's4'"),
            ("arn:aws:states:::aws-sdk:events:putEvents", "Step Functions calls events 'eventbridge'"),
            ("arn:aws:states:::aws-sdk:stepfunctions:startExecution", "calls stepfunctions 'sfn'"),
            ("arn:aws:states:::aws-sdk:s3:getObject.sync", "not .sync"),
            ("arn:aws:states:::aws-sdk:sfn:startExecution.sync:2", "not .sync:2"),
            ("arn:aws:states:::aws-sdk:s3:selectObjectContent", "does not support s3:selectObjectContent")):
        [message] = problems(resource)
        assert message.startswith(f"The resource provided {resource} is not recognized."), message
        assert why in message


def test_validate_reaches_tasks_inside_a_map():
    definition = chain(("Each", {"Type": "Map", "ItemProcessor": chain(
        ("Call", {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItm"}))}))
    [problem] = validate_definition(definition)
    assert problem.pointer == "/States/Each/ItemProcessor/States/Call/Resource"


# ------------------------------------------------------------------------------- names

def test_java_names_match_aws_s_table_of_exception_prefixes():
    # "Learning to use AWS service SDK integrations": Exception prefix column
    for service_id, prefix in (
            ("DynamoDB", "DynamoDb"), ("SFN", "Sfn"), ("S3", "S3"), ("Secrets Manager", "SecretsManager"),
            ("SQS", "Sqs"), ("EventBridge", "EventBridge"), ("ACM PCA", "AcmPca"),
            ("IoTAnalytics", "IoTAnalytics"), ("IoT Jobs Data Plane", "IotJobsDataPlane"),
            ("IoTFleetHub", "IoTFleetHub"), ("codestar notifications", "CodestarNotifications"),
            ("Database Migration Service", "DatabaseMigration"), ("FSx", "FSx"), ("MTurk", "MTurk"),
            ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"), ("XRay", "XRay"),
            ("EC2 Instance Connect", "Ec2InstanceConnect"), ("IoT 1Click Projects", "Iot1ClickProjects"),
            ("CloudWatch Logs", "CloudWatchLogs"), ("Cost and Usage Report Service", "CostAndUsageReport")):
        assert names.java_name(service_id) == prefix


def test_service_names_are_the_java_sdk_packages():
    assert names.botocore_service("eventbridge") == "events"
    assert names.botocore_service("sfn") == "stepfunctions"
    assert names.botocore_service("acmpca") == "acm-pca"
    assert names.botocore_service("s3") == "s3"
    for botocore_only in ("events", "stepfunctions", "logs", "acm-pca"):
        assert names.botocore_service(botocore_only) is None
    # every renamed service: its package name is its serviceId's Java name, lowercased
    for sfn, botocore_name in names._BOTOCORE_NAMES.items():
        service_id = aws_sdk.service_model(botocore_name).metadata["serviceId"]
        assert names.java_name(service_id).lower() == sfn


# -------------------------------------------------------------------- Step Functions itself

def test_aws_sdk_sfn_goes_to_asl_runner_s_own_api():
    from asl_runner.service import open_service

    service = open_service(None, clock="virtual")
    try:
        child = service.create_state_machine({
            "name": "child", "roleArn": "arn:aws:iam::123456789012:role/r",
            "definition": json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})})
        parent = service.create_state_machine({
            "name": "parent", "roleArn": "arn:aws:iam::123456789012:role/r",
            "definition": json.dumps(chain(
                ("Start", sdk("sfn:startExecution", {"StateMachineArn": child["stateMachineArn"],
                                                     "Name": "from-parent"}, ResultPath="$.started")),
                ("Fail", sdk("sfn:sendTaskFailure", {"TaskToken": "NoSuchTaskToken"}))))})
        arn = service.start_execution({"stateMachineArn": parent["stateMachineArn"]})["executionArn"]
        from support import wait_until

        wait_until(lambda: service.describe_execution({"executionArn": arn})["status"] != "RUNNING")
        described = service.describe_execution({"executionArn": arn})
        assert described["error"] == "Sfn.InvalidTokenException"
        assert re.fullmatch(r"Invalid Token: .+" + tail("Sfn", 400), described["cause"])
        history = service.get_execution_history({"executionArn": arn})["events"]
        started = next(json.loads(e["taskSucceededEventDetails"]["output"]) for e in history
                       if e["type"] == "TaskSucceeded")
        assert started["ExecutionArn"].endswith(":execution:child:from-parent")
        assert ISO.fullmatch(started["StartDate"])
    finally:
        service.close()


def test_aws_sdk_sfn_without_an_api_says_to_use_serve():
    ex = run(chain(("List", sdk("sfn:listStateMachines", {}))))
    assert ex.error == "States.Runtime"
    assert any("asl-runner serve" in hint for hint in ex.hints)


# ------------------------------------------------------------------- where calls go

def test_endpoint_mode_from_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert AwsTarget().mode == "endpoint"
    assert AwsTarget("moto").mode == "moto"  # chosen explicitly over the environment
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert AwsTarget().mode == "moto"
    with pytest.raises(ValueError, match="unknown AWS target"):
        AwsTarget("cloud")


def test_endpoint_mode_tells_handlers_where_to_go(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull + ".none")
    target = AwsTarget("endpoint", "http://127.0.0.1:5999")
    target.prepare()
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "asl-runner"  # dummies: no credentials configured
    target.close()  # and the process environment is as it was
    assert "AWS_ENDPOINT_URL" not in os.environ and "AWS_ACCESS_KEY_ID" not in os.environ


def run_fresh(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, env={**environment, **env})


def test_no_aws_calls_no_boto3():
    result = run_fresh("""
        import sys
        import asl_runner.cli
        assert not [m for m in sys.modules if m.startswith(("boto", "moto"))], "cli"
        import asl_runner
        ex = asl_runner.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        assert ex.status == "SUCCEEDED"
        loaded = [m for m in sys.modules if m.startswith(("boto", "moto"))]
        assert not loaded, loaded
    """)
    assert result.returncode == 0, result.stderr


def test_a_handler_with_a_module_level_boto3_client_reaches_the_same_account(tmp_path):
    # moto starts when the handler imports boto3, before its client exists
    (tmp_path / "writer.py").write_text(textwrap.dedent("""
        import boto3
        s3 = boto3.client("s3", region_name="us-east-1")

        def handler(event, context):
            s3.create_bucket(Bucket=event["bucket"])
            s3.put_object(Bucket=event["bucket"], Key="k", Body=b"from the handler")
            return {}
    """))
    result = run_fresh(f"""
        import asl_runner
        ex = asl_runner.run({{"StartAt": "W", "States": {{
            "W": {{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:writer",
                  "Parameters": {{"bucket": "handler-bucket"}}, "ResultPath": None, "Next": "G"}},
            "G": {{"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                  "Parameters": {{"Bucket": "handler-bucket", "Key": "k"}},
                  "OutputPath": "$.Body", "End": True}}}}}}, lambdas={str(tmp_path)!r})
        print(ex.status, ex.output, ex.cause)
    """)
    assert result.stdout.strip() == "SUCCEEDED from the handler None", result.stderr


def test_cli_aws_options(tmp_path):
    from asl_runner.cli import main

    from cli_runner import CliRunner

    machine = tmp_path / "m.json"
    machine.write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}')
    runner = CliRunner()
    both = runner.invoke(main, ["run", str(machine), "--aws", "real", "--aws-endpoint", "http://x"])
    assert both.exit_code == 2 and "not both" in both.output
    real = runner.invoke(main, ["run", str(machine), "--json", "--aws", "real"])
    assert real.exit_code == 0
    assert "--aws real: AWS calls use your AWS credentials" in real.output


def test_each_python_api_run_has_its_own_mocked_account():
    # in a new process: this module's own mock (the fixture above) would join both runs
    script = """
import asl_runner

def task(action, **parameters):
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Parameters": parameters, "End": True,
            "Resource": "arn:aws:states:::aws-sdk:s3:" + action}}}

created = asl_runner.run(task("createBucket", Bucket="only-once"), {}, clock="virtual")
assert created.status == "SUCCEEDED", (created.error, created.cause)
listed = asl_runner.run(task("listBuckets"), {}, clock="virtual")
print(listed.status, len(listed.output["Buckets"]))
"""
    done = run_fresh(script)
    assert done.stdout.split() == ["SUCCEEDED", "0"], done.stderr  # the first account went with its run
