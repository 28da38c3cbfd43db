"""The catalog of optimized integrations, and validate refusing the resources AWS refuses."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from asl_runner.integrations import catalog
from asl_runner.model.resource import parse_resource
from asl_runner.validate import validate_definition

NOT_RECOGNIZED = "The resource provided {} is not recognized. The value is not a valid resource ARN, " \
                 "or the resource is not available in this region."
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:Work"


def task(resource: str, jsonata: bool = False, **fields: Any) -> dict:
    state = {"Type": "Task", "Resource": resource, "End": True, **fields}
    top = {"QueryLanguage": "JSONata"} if jsonata else {}
    return {"StartAt": "S", "States": {"S": state}, **top}


def problems(definition: dict) -> list[str]:
    return [str(p) for p in validate_definition(definition)]


REFUSED = [
    # an action the optimized integration does not have
    ("arn:aws:states:::sqs:receiveMessage", "no action 'receiveMessage'"),
    ("arn:aws:states:::dynamodb:query", "arn:aws:states:::aws-sdk:dynamodb:query"),
    ("arn:aws:states:::ecs:startTask", "its actions are runTask"),
    ("arn:aws:states:::lambda:invokeAsync", "no action 'invokeAsync'"),
    ("arn:aws:states:::sqs:SendMessage", "actions are camelCase: 'sendMessage'"),
    ("arn:aws:states:::states:describeExecution", "its actions are startExecution"),
    # a pattern the action does not support
    ("arn:aws:states:::sqs:sendMessage.sync", "request-response and .waitForTaskToken, not .sync"),
    ("arn:aws:states:::dynamodb:putItem.waitForTaskToken", "only request-response, not .waitForTaskToken"),
    ("arn:aws:states:::lambda:invoke.sync", "lambda:invoke supports"),
    ("arn:aws:states:::glue:startJobRun.sync:2", "request-response and .sync, not .sync:2"),
    ("arn:aws:states:::batch:submitJob.waitForTaskToken", "not .waitForTaskToken"),
    ("arn:aws:states:::athena:stopQueryExecution.sync", "only request-response, not .sync"),
    ("arn:aws:states:::sns:publish.sync:2", "not .sync:2"),
    ("arn:aws:states:::events:putEvents.sync", "not .sync"),
    ("arn:aws:states:::codebuild:stopBuild.sync", "only request-response"),
    ("arn:aws:states:::sagemaker:createModel.sync", "only request-response"),
    ("arn:aws:states:::emr-containers:createVirtualCluster.sync", "only request-response"),
    ("arn:aws:states:::bedrockagentcore:invokeHarness.waitForTaskToken", "only request-response"),
    ("arn:aws:states:::states:startExecution.sync:3", "'.sync:3' is not an integration pattern"),
    ("arn:aws:states:::lambda:invoke.async", "'.async' is not an integration pattern"),
    # a service that has no optimized integration, or a misspelt one
    ("arn:aws:states:::nosuchservice:doThing", "no optimized integration named 'nosuchservice'"),
    ("arn:aws:states:::emr:createCluster", "did you mean 'elasticmapreduce'?"),
    ("arn:aws:states:::eventbridge:putEvents", "did you mean 'events'?"),
    ("arn:aws:states:::sfn:startExecution", "did you mean 'states'?"),
    ("arn:aws:states:::dynamodbb:getItem", "did you mean 'dynamodb'?"),
    ("arn:aws:states:::sqs", "arn:aws:states:::SERVICE:ACTION"),
    ("arn:aws:states:us-east-1:123456789012:stateMachine:Child", "states:startExecution"),
]


@pytest.mark.parametrize(("resource", "gist"), REFUSED)
def test_validate_refuses_what_aws_does_not_recognize(resource: str, gist: str) -> None:
    for jsonata in (False, True):
        found = validate_definition(task(resource, jsonata))
        assert [p.pointer for p in found] == ["/States/S/Resource"], found
        assert found[0].message.startswith(NOT_RECOGNIZED.format(resource))
        assert gist in found[0].message


# what AWS's pages document, written out here rather than read from the catalog
DOCUMENTED = [
    "arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "arn:aws:states:::sns:publish",
    "arn:aws:states:::dynamodb:updateItem", "arn:aws:states:::events:putEvents.waitForTaskToken",
    "arn:aws:states:::states:startExecution", "arn:aws:states:::states:startExecution.sync",
    "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:::states:startExecution.waitForTaskToken",
    "arn:aws:states:::batch:submitJob.sync", "arn:aws:states:::ecs:runTask.waitForTaskToken",
    "arn:aws:states:::glue:startJobRun.sync", "arn:aws:states:::databrew:startJobRun.sync",
    "arn:aws:states:::athena:startQueryExecution.sync", "arn:aws:states:::athena:getQueryResults",
    "arn:aws:states:::codebuild:startBuildBatch.sync", "arn:aws:states:::codebuild:batchDeleteBuilds",
    "arn:aws:states:::sagemaker:createTrainingJob.sync", "arn:aws:states:::sagemaker:updateEndpoint",
    "arn:aws:states:::elasticmapreduce:createCluster.sync",
    "arn:aws:states:::elasticmapreduce:modifyInstanceFleetByName",
    "arn:aws:states:::emr-containers:startJobRun.sync",
    "arn:aws:states:::emr-serverless:createApplication.sync", "arn:aws:states:::eks:runJob.sync",
    "arn:aws:states:::eks:call", "arn:aws:states:::eks:createNodegroup.sync",
    "arn:aws:states:::mediaconvert:createJob.sync", "arn:aws:states:::bedrock:invokeModel",
    "arn:aws:states:::bedrock:createModelCustomizationJob.sync",
    "arn:aws:states:::apigateway:invoke.waitForTaskToken", "arn:aws:states:::http:invoke",
    "arn:aws:states:::bedrockagentcore:invokeHarness",
    # a region and account, and other partitions
    "arn:aws:states:us-east-1:123456789012:lambda:invoke",
    "arn:aws-cn:states:::sqs:sendMessage", "arn:aws-us-gov:states:::dynamodb:getItem",
    # what is checked as before: activities, Lambda functions, AWS SDK integrations
    "arn:aws:states:us-east-1:123456789012:activity:Review", FUNCTION,
    "arn:aws:states:::aws-sdk:s3:getObject", "arn:aws:states:::aws-sdk:sfn:startExecution",
]


@pytest.mark.parametrize("resource", DOCUMENTED)
def test_validate_accepts_every_documented_integration(resource: str) -> None:
    assert problems(task(resource)) == []
    assert problems(task(resource, jsonata=True)) == []


def test_every_catalogued_pattern_validates_and_every_other_is_refused() -> None:
    for service, known in catalog.SERVICES.items():
        for action, entry in known.actions.items():
            for pattern in catalog.PATTERNS:
                arn = f"arn:aws:states:::{service}:{action}" + ("" if pattern is None else f".{pattern}")
                parsed = parse_resource(arn)
                assert (parsed.service, parsed.action, parsed.pattern) == (service, action, pattern)
                assert (problems(task(arn)) == []) == (pattern in entry.patterns), arn


def test_lookup() -> None:
    entry = catalog.lookup("sqs", "sendMessage")
    assert entry is not None and entry.patterns == {None, "waitForTaskToken"}
    assert entry.required == ("QueueUrl", "MessageBody")
    assert catalog.lookup("states", "startExecution").patterns == set(catalog.PATTERNS)
    assert catalog.lookup("sqs", "receiveMessage") is None
    assert catalog.lookup("aws-sdk:sqs", "sendMessage") is None
    assert catalog.lookup("s3", "getObject").where == catalog.ITEM_READER
    assert repr(entry) == ("Entry(patterns=['request-response', '.waitForTaskToken'], "
                           "required=('QueueUrl', 'MessageBody'), where='Task')")


def test_a_missing_required_parameter_deploys_and_is_for_the_task_to_report() -> None:
    # AWS checks an optimized integration's parameters when the task starts (States.Runtime,
    # "The Parameters '...' could not be used to start the Task: [...]"), not at
    # CreateStateMachine: such a definition deploys, so validate accepts it
    invoke = "arn:aws:states:::lambda:invoke"
    assert problems(task(invoke)) == []
    assert problems(task(invoke, Parameters={"Payload.$": "$"})) == []
    assert problems(task(invoke, jsonata=True, Arguments={"Payload": "{% $states.input %}"})) == []
    entry = catalog.lookup("lambda", "invoke")
    assert catalog.missing_parameters(entry, {"Payload.$": "$"}) == ("FunctionName",)
    assert catalog.missing_parameters(entry, None) == ("FunctionName",)
    assert catalog.missing_parameters(entry, "{% $states.input %}") == ("FunctionName",)
    assert catalog.missing_parameters(entry, {"FunctionName.$": "$.fn"}) == ()
    assert catalog.missing_parameters(entry, {"FunctionName": FUNCTION}) == ()
    put = catalog.lookup("dynamodb", "putItem")
    assert catalog.missing_parameters(put, {"TableName": "t"}) == ("Item",)


def test_every_problem_of_a_machine_is_reported() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.sync", "Next": "B"},
        "B": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "C", "States": {
            "C": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:scan", "End": True}}}]},
    }}
    assert [p.pointer for p in validate_definition(definition)] == [
        "/States/A/Resource", "/States/B/Branches/0/States/C/Resource"]


CATALOG = Path(__file__).resolve().parents[1] / "asl_runner" / "integrations" / "catalog.py"


def test_building_the_catalog_costs_well_under_a_millisecond() -> None:
    # what importing it costs beyond loading its .pyc: running the module's body
    code = compile(CATALOG.read_text(), str(CATALOG), "exec")
    best = float("inf")
    for _ in range(20):
        namespace = {"__name__": "catalog_copy"}
        start = time.perf_counter()
        exec(code, namespace)
        best = min(best, time.perf_counter() - start)
    assert best < 0.001, f"{best * 1e6:.0f} us"


def test_the_catalog_imports_nothing_and_validate_loads_no_integration() -> None:
    # the catalog is plain data; validating a machine with optimized integrations reads it
    # and loads neither the registry nor any integration module (nor boto3)
    script = (
        "import sys, asl_runner.integrations as pkg\n"
        "before = set(sys.modules)\n"
        "import asl_runner.integrations.catalog\n"
        "added = set(sys.modules) - before\n"
        "assert added == {'asl_runner.integrations.catalog'}, added\n"
        "from asl_runner.validate import validate_definition\n"
        "d = {'StartAt': 'S', 'States': {'S': {'Type': 'Task', 'End': True,\n"
        "     'Resource': 'arn:aws:states:::sqs:sendMessage.waitForTaskToken'}}}\n"
        "assert validate_definition(d) == []\n"
        "loaded = [m for m in sys.modules if m.startswith(('asl_runner.integrations.', 'boto'))]\n"
        "assert loaded == ['asl_runner.integrations.catalog'], loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
