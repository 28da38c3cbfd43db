"""`asl-runner export`: a tested definition as a SAM or CloudFormation snippet whose local
functions become DefinitionSubstitutions; the snippet loads back and runs the same."""

from __future__ import annotations

import json

import pytest

from asl_runner.cli import main

from cli_runner import CliRunner

DEFINITION = {"StartAt": "Charge", "States": {
    "Charge": {"Type": "Task", "Resource": "ChargeCard", "Next": "Notify"},
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:Notify",
                              "Payload.$": "$"},
               "OutputPath": "$.Payload", "End": True}}}


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A definition, its handler for ChargeCard in ./lambdas, and Notify's elsewhere."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "ChargeCard.py").write_text(
        "def handler(event, context):\n    return {'charged': event['amount']}\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "Notify.py").write_text(
        "def handler(event, context):\n    return {'notified': event}\n")
    path = tmp_path / "pay.asl.json"
    path.write_text(json.dumps(DEFINITION))
    return path


def _export(*args: str):
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code == 0, result.output
    return result


def test_sam_snippet_substitutes_the_local_functions(app):
    template = json.loads(_export(str(app), "--name", "Pay", "--json").stdout)
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    machine = template["Resources"]["Pay"]
    assert machine["Type"] == "AWS::Serverless::StateMachine"
    properties = machine["Properties"]
    states = properties["Definition"]["States"]
    assert states["Charge"]["Resource"] == "${ChargeCardArn}"
    assert states["Notify"]["Parameters"]["FunctionName"] == "${NotifyArn}"
    # ChargeCard's code is known (./lambdas): a function of the snippet; Notify's is not: a parameter
    assert properties["DefinitionSubstitutions"] == {
        "ChargeCardArn": {"Fn::GetAtt": ["ChargeCard", "Arn"]}, "NotifyArn": {"Ref": "NotifyArn"}}
    assert template["Resources"]["ChargeCard"] == {"Type": "AWS::Serverless::Function", "Properties": {
        "FunctionName": "ChargeCard", "CodeUri": "lambdas", "Handler": "ChargeCard.handler",
        "Runtime": "python3.12"}}
    assert template["Parameters"]["NotifyArn"]["Type"] == "String"
    assert properties["Policies"] == [{"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
        "Resource": [{"Fn::GetAtt": ["ChargeCard", "Arn"]}, {"Fn::Sub": "${ChargeCard.Arn}:*"},
                     {"Ref": "NotifyArn"}, {"Fn::Sub": "${NotifyArn}:*"}]}]}]
    # the rest of the definition is as it was
    assert {k: v for k, v in states["Notify"].items() if k != "Parameters"} == \
        {k: v for k, v in DEFINITION["States"]["Notify"].items() if k != "Parameters"}


def test_the_yaml_snippet_runs_offline_as_the_definition_did(app, tmp_path):
    (tmp_path / "other" / "Notify.py").rename(tmp_path / "lambdas" / "Notify.py")
    result = _export(str(app), "--name", "Pay", "-o", "template.yaml")
    assert "wrote template.yaml" in result.stderr
    text = (tmp_path / "template.yaml").read_text()
    assert "ChargeCardArn: !GetAtt 'ChargeCard.Arn'" in text
    assert "NotifyArn: !GetAtt 'Notify.Arn'" in text
    outputs = []
    # the template runs its own functions (CodeUri, Handler): no --lambdas for it
    for args in ([str(app), "--lambdas", "lambdas"], ["template.yaml", "--lambdas", "other"]):
        run = CliRunner().invoke(main, ["run", *args, "--input", '{"amount": 5}', "--json"])
        assert run.exit_code == 0, run.output
        outputs.append(json.loads(run.stdout)["output"])
    assert outputs[0] == outputs[1] == json.dumps({"notified": {"charged": 5}}, separators=(",", ":"))


def test_cloudformation_snippet_declares_the_role_and_the_functions_code(app):
    template = json.loads(_export(str(app), "--name", "Pay", "--format", "cloudformation",
                                  "--json", "--type", "EXPRESS").stdout)
    assert "Transform" not in template
    resources = template["Resources"]
    machine = resources["Pay"]["Properties"]
    assert resources["Pay"]["Type"] == "AWS::StepFunctions::StateMachine"
    assert machine["StateMachineType"] == "EXPRESS"
    assert machine["RoleArn"] == {"Fn::GetAtt": ["PayRole", "Arn"]}
    role = resources["PayRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    assert role["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == ["lambda:InvokeFunction"]
    function = resources["ChargeCard"]
    assert function["Type"] == "AWS::Lambda::Function"
    assert function["Properties"]["Code"] == "lambdas"  # for `aws cloudformation package`
    assert function["Properties"]["Role"] == {"Fn::GetAtt": ["FunctionsRole", "Arn"]}


def test_an_arn_of_another_account_stays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:Real"
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn,
                                                                  "End": True}}}))
    template = json.loads(_export(str(path), "--json").stdout)
    properties = template["Resources"]["M"]["Properties"]
    assert properties["Definition"]["States"]["T"]["Resource"] == arn
    assert "DefinitionSubstitutions" not in properties
    assert properties["Policies"][0]["Statement"][0]["Resource"] == [arn, arn + ":*"]


ACCOUNTS = {"StartAt": "Notify", "States": {
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "Queue",
               "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:order-events",
                              "Message": "arn:aws:sns:us-east-1:123456789012:order-events"}},
    "Queue": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
              "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo",
                             "MessageBody": "x", "MessageGroupId": "g"}}}}


@pytest.fixture
def accounts(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(ACCOUNTS))
    return path


def test_the_offline_accounts_arns_become_the_stacks(accounts):
    template = json.loads(_export(str(accounts), "--name", "Orders", "--json").stdout)
    properties = template["Resources"]["Orders"]["Properties"]
    assert properties["DefinitionSubstitutions"] == {
        "OrderEventsArn": {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:order-events"},
        "JobsQueueUrl": {"Fn::Sub": "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/jobs.fifo"}}
    states = properties["Definition"]["States"]
    # every string that is such an ARN, whatever the field
    assert states["Notify"]["Parameters"] == {"TopicArn": "${OrderEventsArn}", "Message": "${OrderEventsArn}"}
    assert states["Queue"]["Parameters"]["QueueUrl"] == "${JobsQueueUrl}"
    assert [s["Resource"] for s in properties["Policies"][0]["Statement"]] == [
        [{"Fn::Sub": "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:order-events"}],
        [{"Fn::Sub": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs.fifo"}]]


def test_cfn_lint_accepts_the_snippets(app, accounts):
    cfnlint = pytest.importorskip("cfnlint.api")
    for path, flavour in ((app, "sam"), (app, "cloudformation"), (accounts, "sam")):
        text = _export(str(path), "--name", "Pay", "--format", flavour).stdout
        problems = [str(m) for m in cfnlint.lint(text, config=cfnlint.ManualArgs(regions=["us-east-1"]))
                    # W3002: a local Code path needs `aws cloudformation package`, as intended
                    if m.rule.id != "W3002"]
        assert problems == [], flavour
