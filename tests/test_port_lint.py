"""`asl-runner lint --for-aws`: findings at JSON pointers, the least-privilege policy built from
the integrations' declarations, recorded runs near AWS's limits, and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from serve_process import serving

from asl_runner.cli import main
from asl_runner.model import parse_definition
from asl_runner.port.policy import Target, needs

from cli_runner import CliRunner

ACCOUNT = "111122223333"


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./lambdas: the repository's own are not these tests'


def _task(resource: str, **fields) -> dict:
    return {"Type": "Task", "Resource": resource, "End": True, **fields}


def _machine(*states: tuple[str, dict]) -> dict:
    """States chained in order, the last one ending."""
    body = {}
    for i, (name, state) in enumerate(states):
        state = dict(state)
        if i < len(states) - 1:
            state.pop("End", None)
            state["Next"] = states[i + 1][0]
        body[name] = state
    return {"StartAt": states[0][0], "States": body}


def _lint(tmp_path, definition: dict, *args: str):
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(definition))
    result = CliRunner().invoke(main, ["lint", "--for-aws", str(path), "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result, json.loads(result.stdout)


def _policy(definition: dict, name: str = "Orders") -> list[dict]:
    target = Target(name, region="eu-west-1", account=ACCOUNT)
    return needs(parse_definition(definition), target).policy["Statement"]


def _codes(report: dict) -> list[tuple[str, str, str]]:
    return [(f["severity"], f["code"], f["pointer"]) for f in report["findings"]]


def test_a_bare_function_name_blocks_a_deploy_and_names_the_function_it_stands_for(tmp_path):
    result, report = _lint(tmp_path, _machine(("Charge", _task("ChargeCard"))),
                           "--region", "eu-west-1", "--account", ACCOUNT)
    assert result.exit_code == 1
    assert report["blocking"] is True
    assert ("error", "LocalHandler", "/States/Charge/Resource") in _codes(report)
    # AWS's own refusal of the same Resource is not reported twice
    assert [c for c in _codes(report) if c[2] == "/States/Charge/Resource"] == [
        ("error", "LocalHandler", "/States/Charge/Resource")]
    message = report["findings"][0]["message"]
    assert f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:ChargeCard" in message
    assert "${ChargeCardArn}" in message
    # the policy is the deployed machine's: the function of the target account
    assert report["policy"]["Statement"] == [{
        "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
        "Resource": [f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:ChargeCard",
                     f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:ChargeCard:*"]}]


def test_offline_account_arns_warn_and_nothing_blocks(tmp_path):
    definition = _machine(
        ("Charge", _task("arn:aws:lambda:us-east-1:123456789012:function:ChargeCard")),
        ("Notify", _task("arn:aws:states:::sns:publish",
                         Parameters={"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders",
                                     "Message": "hi"})))
    result, report = _lint(tmp_path, definition)
    assert result.exit_code == 0, result.output
    assert report["blocking"] is False
    assert ("warning", "LocalHandler", "/States/Charge/Resource") in _codes(report)
    assert ("warning", "OfflineAccount", "/States/Notify/Parameters/TopicArn") in _codes(report)
    assert report["counts"]["error"] == 0


def test_a_real_function_arn_is_only_a_note(tmp_path):
    arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:ChargeCard"
    result, report = _lint(tmp_path, _machine(("Charge", _task(arn))))
    assert result.exit_code == 0
    assert _codes(report) == [("info", "LocalHandler", "/States/Charge/Resource")]
    assert report["policy"]["Statement"][0]["Resource"] == [arn, arn + ":*"]


def test_express_refuses_callbacks_and_sync_and_says_how_executions_differ(tmp_path):
    definition = _machine(
        ("Wait for approval", _task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                    Parameters={"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/"
                                                f"{ACCOUNT}/approvals",
                                                "MessageBody": {"token.$": "$$.Task.Token"}})),
        ("Child", _task("arn:aws:states:::states:startExecution.sync:2",
                        Parameters={"StateMachineArn": "arn:aws:states:eu-west-1:"
                                    f"{ACCOUNT}:stateMachine:Child"})),
        ("Pause", {"Type": "Wait", "Seconds": 600, "End": True}))
    result, report = _lint(tmp_path, definition, "--type", "EXPRESS")
    assert result.exit_code == 1
    codes = _codes(report)
    assert ("error", "ExpressUnsupported", "/States/Wait for approval/Resource") in codes
    assert ("error", "ExpressUnsupported", "/States/Child/Resource") in codes
    assert ("info", "ExpressSemantics", "") in codes
    assert ("warning", "ExpressDuration", "/States/Pause/Seconds") in codes
    # the same definition as a Standard machine deploys
    result, report = _lint(tmp_path, definition)
    assert result.exit_code == 0
    assert not [c for c in _codes(report) if c[1].startswith("Express")]


def test_a_distributed_maps_express_children_cannot_wait_for_a_token(tmp_path):
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                 "StartAt": "Ask", "States": {"Ask": _task(
                     "arn:aws:states:::lambda:invoke.waitForTaskToken",
                     Parameters={"FunctionName": "Ask", "Payload": {"t.$": "$$.Task.Token"}})}}
    definition = _machine(("Each", {"Type": "Map", "ItemProcessor": processor, "End": True}))
    result, report = _lint(tmp_path, definition)
    assert result.exit_code == 1
    assert ("error", "ExpressUnsupported", "/States/Each/ItemProcessor/States/Ask/Resource") \
        in _codes(report)
    assert ("info", "DistributedMapRole", "/States/Each") in _codes(report)


def test_the_policy_scopes_each_integration_to_its_resources():
    definition = _machine(
        ("Queue", _task("arn:aws:states:::sqs:sendMessage", Parameters={
            "QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/orders.fifo",
            "MessageBody": "x"})),
        ("Save", _task("arn:aws:states:::dynamodb:putItem", Parameters={
            "TableName": "Orders", "Item": {}})),
        ("Load", _task("arn:aws:states:::dynamodb:getItem", Parameters={
            "TableName": "Orders", "Key": {}})),
        ("Tell", _task("arn:aws:states:::events:putEvents", Parameters={
            "Entries": [{"Detail": {}, "EventBusName": "orders"}, {"Detail": {}}]})),
        ("Child", _task("arn:aws:states:::states:startExecution.sync", Parameters={
            "StateMachineArn": f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:Ship"})))
    assert _policy(definition) == [
        {"Effect": "Allow", "Action": ["sqs:SendMessage"],
         "Resource": [f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders.fifo"]},
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"],
         "Resource": [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/Orders"]},
        {"Effect": "Allow", "Action": ["dynamodb:GetItem"],
         "Resource": [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/Orders"]},
        {"Effect": "Allow", "Action": ["events:PutEvents"],
         "Resource": [f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/orders",
                      f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/default"]},
        {"Effect": "Allow", "Action": ["states:StartExecution"],
         "Resource": [f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:Ship"]},
        {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"],
         "Resource": [f"arn:aws:states:eu-west-1:{ACCOUNT}:execution:Ship:*"]},
        {"Effect": "Allow", "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
         "Resource": [f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/"
                      "StepFunctionsGetEventsForStepFunctionsExecutionRule"]},
    ]


def test_a_distributed_map_needs_its_child_executions_and_its_bucket():
    definition = _machine(("Each", {
        "Type": "Map", "Label": "Files", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                       "Parameters": {"Bucket": "inbox", "Prefix": "new/"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "results", "Prefix": "runs"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}))
    assert _policy(definition) == [
        {"Effect": "Allow", "Action": ["states:StartExecution"],
         "Resource": [f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:Orders"]},
        {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"],
         "Resource": [f"arn:aws:states:eu-west-1:{ACCOUNT}:execution:Orders/Files:*"]},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::inbox"]},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                                       "s3:AbortMultipartUpload"],
         "Resource": ["arn:aws:s3:::results/runs/*"]},
    ]


def test_a_dynamic_resource_widens_its_grant_and_says_so(tmp_path):
    definition = _machine(
        ("Call", _task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName.$": "$.fn"})),
        ("Send", _task("arn:aws:states:::sqs:sendMessage", Parameters={
            "QueueUrl.$": "$.queue", "MessageBody": "x"})))
    result, report = _lint(tmp_path, definition, "--region", "eu-west-1", "--account", ACCOUNT)
    assert result.exit_code == 0
    assert report["policy"]["Statement"] == [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": [f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:*"]},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [f"arn:aws:sqs:eu-west-1:{ACCOUNT}:*"]}]
    wide = [f for f in report["findings"] if f["code"] == "WidePermission"]
    assert [f["pointer"] for f in wide] == ["/States/Call/Resource", "/States/Send/Resource"]
    assert "FunctionName is computed at run time" in wide[0]["message"]


def test_sdk_integrations_use_the_services_iam_names():
    definition = _machine(
        ("List", _task("arn:aws:states:::aws-sdk:s3:listObjectsV2", Parameters={"Bucket": "b"})),
        ("Start", _task("arn:aws:states:::aws-sdk:sfn:startExecution",
                        Parameters={"StateMachineArn": "arn:x"})),
        ("Put", _task("arn:aws:states:::aws-sdk:dynamodb:putItem",
                      Parameters={"TableName": "t", "Item": {}})))
    assert [(s["Action"], s["Resource"]) for s in _policy(definition)] == [
        (["s3:ListBucket"], ["*"]), (["states:StartExecution"], ["*"]),
        (["dynamodb:PutItem"], ["*"])]


def test_credentials_activities_and_undeclared_integrations(tmp_path):
    role = f"arn:aws:iam::{ACCOUNT}:role/Other"
    definition = _machine(
        ("As other", _task(f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:F",
                           Credentials={"RoleArn": role})),
        ("Work", _task(f"arn:aws:states:eu-west-1:{ACCOUNT}:activity:Work")),
        ("Build", _task("arn:aws:states:::codebuild:startBuild.sync", Parameters={
            "ProjectName": "p"})))
    result, report = _lint(tmp_path, definition)
    statements = report["policy"]["Statement"]
    assert {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": [role]} in statements
    assert not any("activity" in r for s in statements for r in s["Resource"])
    assert ("warning", "UndeclaredPermission", "/States/Build/Resource") in _codes(report)
    assert ("info", "SyncEventRule", "/States/Build/Resource") in _codes(report)
    assert ("info", "CallbackTimeout", "/States/Work") in _codes(report)


def test_recorded_runs_near_the_limits(tmp_path):
    big = json.dumps({"blob": "x" * 220_000})
    events = [{"type": "ExecutionStarted", "id": 1, "executionStartedEventDetails": {"input": "{}"}},
              {"type": "TaskSucceeded", "id": 2, "taskSucceededEventDetails": {"output": big}}]
    events += [{"type": "PassStateEntered", "id": i} for i in range(3, 20_500)]
    history = tmp_path / "run.json"
    history.write_text(json.dumps({"status": "SUCCEEDED", "events": events}))
    result, report = _lint(tmp_path, _machine(("P", {"Type": "Pass", "End": True})),
                           "--history", str(history))
    assert result.exit_code == 0
    found = [f for f in report["findings"] if f.get("file") == str(history)]
    assert [(f["severity"], f["code"], f["pointer"]) for f in found] == [
        ("warning", "HistoryLimit", "/events"),
        ("warning", "PayloadLimit", "/events/1/taskSucceededEventDetails/output")]
    assert "20,499 events" in found[0]["message"]
    assert "84%" in found[1]["message"]
    # a run that reached AWS's 25,000 events blocks (the same run fails on AWS)
    history.write_text(json.dumps([{"type": "PassStateEntered", "id": i} for i in range(25_000)]))
    result, report = _lint(tmp_path, _machine(("P", {"Type": "Pass", "End": True})),
                           "--history", str(history))
    assert result.exit_code == 1
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == ["HistoryLimit"]


def test_inline_map_quotas(tmp_path):
    definition = _machine(("Each", {"Type": "Map", "MaxConcurrency": 100, "End": True,
                                    "ItemProcessor": {"StartAt": "P", "States": {
                                        "P": {"Type": "Pass", "End": True}}}}))
    _, report = _lint(tmp_path, definition)
    assert ("info", "InlineMapConcurrency", "/States/Each") in _codes(report)
    assert ("info", "InlineMapHistory", "/States/Each") in _codes(report)
    assert "MaxConcurrency 100" in report["findings"][0]["message"]


def test_text_report_and_policy_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_machine(("Charge", _task("ChargeCard")))))
    policy = tmp_path / "policy.json"
    result = CliRunner().invoke(main, ["lint", "--for-aws", str(path), "--policy", str(policy)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("error: /States/Charge/Resource: offline this runs")
    assert "1 errors, 0 warnings, 0 notes; a deploy would fail" in result.stdout
    assert json.loads(policy.read_text())["Statement"][0]["Action"] == ["lambda:InvokeFunction"]


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"), ('{"status": "SUCCEEDED"}', "not a history")])
def test_a_bad_history_file_is_a_usage_error(tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_machine(("P", {"Type": "Pass", "End": True}))))
    history = tmp_path / "h.json"
    history.write_text(content)
    result = CliRunner().invoke(main, ["lint", str(path), "--history", str(history)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_templates_unfilled_tokens_are_reported_where_they_are(tmp_path):
    path = tmp_path / "machine.asl.yaml"
    path.write_text("StartAt: Save\nStates:\n  Save:\n    Type: Task\n"
                    "    Resource: arn:aws:states:::dynamodb:putItem\n"
                    "    Parameters:\n      TableName: ${OrdersTable}\n      Item: {}\n    End: true\n")
    result = CliRunner().invoke(main, ["lint", str(path), "--json"])
    report = json.loads(result.stdout)
    assert ("warning", "UnresolvedSubstitution", "/States/Save/Parameters/TableName") in _codes(report)
    result = CliRunner().invoke(main, ["lint", str(path), "--json", "--sub", "OrdersTable=orders",
                                       "--region", "eu-west-1", "--account", ACCOUNT])
    report = json.loads(result.stdout)
    assert not [c for c in _codes(report) if c[1] == "UnresolvedSubstitution"]
    assert report["policy"]["Statement"][0]["Resource"] == [
        f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"]


def test_a_sam_apps_functions_are_what_its_local_arns_stand_for():
    template = Path(__file__).resolve().parent.parent / "examples" / "sam_app" / "template.yaml"
    result = CliRunner().invoke(main, ["lint", "--for-aws", str(template), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    local = [f for f in report["findings"] if f["code"] == "LocalHandler"]
    assert [(f["severity"], f["pointer"]) for f in local] == [
        ("warning", "/States/Check Price/Resource"), ("warning", "/States/Buy/Parameters/FunctionName"),
        ("warning", "/States/Sell/Parameters/FunctionName")]
    assert "functions/check_price/app.py" in local[0]["message"]
    assert "${CheckPriceFunctionArn}" in local[0]["message"]


def test_jsonata_expressions_where_numbers_usually_are(tmp_path):
    definition = {"QueryLanguage": "JSONata", "StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "Each"},
        "Each": {"Type": "Map", "MaxConcurrency": "{% $states.input.width %}", "End": True,
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    result, report = _lint(tmp_path, definition, "--type", "EXPRESS")
    assert result.exit_code == 0, result.output
    assert not [c for c in _codes(report) if c[1] in ("ExpressDuration", "InlineMapConcurrency")]


def test_an_executions_history_is_read_from_serve(tmp_path):
    import time

    import boto3

    with serving(tmp_path) as url:
        sfn = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        definition = _machine(("Big", {"Type": "Pass", "Result": {"blob": "x" * 230_000}, "End": True}))
        arn = sfn.create_state_machine(name="Big", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        deadline = time.monotonic() + 10
        while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        result, report = _lint(tmp_path, definition, "--execution-arn", execution, "--endpoint-url", url)
        # an execution that does not exist: the endpoint's refusal, exit 1
        missing = CliRunner().invoke(main, ["lint", str(tmp_path / "machine.asl.json"), "--execution-arn",
                                            execution[:-3] + "xyz", "--endpoint-url", url])
    assert result.exit_code == 0, result.output
    found = [f for f in report["findings"] if f.get("file") == execution]
    assert {f["code"] for f in found} == {"PayloadLimit"}
    assert {f["pointer"].rsplit("/", 2)[1] for f in found} >= {
        "stateExitedEventDetails", "executionSucceededEventDetails"}
    assert missing.exit_code == 1
    assert "GetExecutionHistory: ExecutionDoesNotExist" in missing.stderr


def test_the_integrations_asl_runner_does_not_run_have_awss_policies():
    definition = _machine(
        ("Batch", _task("arn:aws:states:::batch:submitJob.sync", Parameters={
            "JobName": "j", "JobQueue": "q", "JobDefinition": "d"})),
        ("Task", _task("arn:aws:states:::ecs:runTask.sync", Parameters={"TaskDefinition": "worker:3"})),
        ("Family", _task("arn:aws:states:::ecs:runTask", Parameters={"TaskDefinition": "worker"})),
        ("Glue", _task("arn:aws:states:::glue:startJobRun", Parameters={"JobName": "etl"})))
    rule = f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/StepFunctionsGetEventsFor"
    assert [(s["Action"], s["Resource"]) for s in _policy(definition)] == [
        (["batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"], ["*"]),
        (["events:PutTargets", "events:PutRule", "events:DescribeRule"],
         [rule + "BatchJobsRule", rule + "ECSTaskRule"]),
        (["ecs:RunTask"], [f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/worker:3",
                           f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/worker:*"]),
        (["ecs:StopTask", "ecs:DescribeTasks"], ["*"]),
        (["glue:StartJobRun"], ["*"])]


def test_a_qualified_local_function_needs_its_version_or_alias(tmp_path):
    _, report = _lint(tmp_path, _machine(("Charge", _task("ChargeCard:prod"))))
    messages = [f["message"] for f in report["findings"] if f["code"] == "LocalHandler"]
    assert len(messages) == 2
    assert "offline the qualifier 'prod' runs the same handler" in messages[1]
    assert report["policy"]["Statement"][0]["Resource"][1].endswith(":function:ChargeCard:*")
