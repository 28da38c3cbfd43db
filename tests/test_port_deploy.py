"""`asl-runner deploy` against moto (in-process): the state machine, its version and alias, its
role and the packaged local handlers; --dry-run calls nothing; lint's blockers stop it."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import boto3
import pytest
from moto import mock_aws
from serve_process import serving

from asl_runner.cli import main

from cli_runner import CliRunner

REGION = "eu-west-1"
SECRET = "not-a-real-secret-key"
DEFINITION = """{
  "Comment": "kept as written",
  "StartAt": "Hello",
  "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "End": true}}
}
"""


@pytest.fixture(autouse=True)
def _credentials(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


def _deploy(path, *args: str):
    return CliRunner().invoke(main, ["deploy", str(path), *args])


def _write(tmp_path, text: str, name: str = "machine.asl.json"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _role(aws) -> str:
    iam = aws.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "states.amazonaws.com"}}]}
    return iam.create_role(RoleName="given", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def test_deploy_then_describe_returns_the_same_definition_and_a_version_and_alias_exist(tmp_path, aws):
    path = _write(tmp_path, DEFINITION)
    result = _deploy(path, "--name", "Hello", "--role-arn", _role(aws), "--publish", "--alias", "live")
    assert result.exit_code == 0, result.output
    account = aws.client("sts").get_caller_identity()["Account"]
    assert f"deploying to account {account}, region {REGION}" in result.stderr
    assert SECRET not in result.output and "AKIAEXAMPLEKEY" not in result.output
    sfn = aws.client("stepfunctions")
    arn = f"arn:aws:states:{REGION}:{account}:stateMachine:Hello"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == DEFINITION
    assert described["type"] == "STANDARD"
    version = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert version["definition"] == DEFINITION
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:live")
    assert alias["routingConfiguration"] == [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]

    # a second deploy updates the machine, publishes version 2 and moves the alias to it
    path.write_text(DEFINITION.replace('"hi"', '"hello"'))
    result = _deploy(path, "--name", "Hello", "--role-arn", _role_arn(aws), "--publish", "--alias", "live",
                     "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"stateMachineArn": arn, "stateMachineVersionArn": f"{arn}:2",
                                         "stateMachineAliasArn": f"{arn}:live"}
    assert '"hello"' in sfn.describe_state_machine(stateMachineArn=arn)["definition"]
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:live")
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == f"{arn}:2"


def _role_arn(aws) -> str:
    return aws.client("iam").get_role(RoleName="given")["Role"]["Arn"]


def test_without_a_role_it_makes_one_with_lints_policy(tmp_path, aws):
    definition = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
        "Parameters": {"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/123456789012/jobs",
                       "MessageBody": "x"}}}}
    path = _write(tmp_path, json.dumps(definition))
    result = _deploy(path, "--name", "Jobs")
    assert result.exit_code == 0, result.output
    iam = aws.client("iam")
    role = iam.get_role(RoleName="Jobs-role")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    policy = iam.get_role_policy(RoleName="Jobs-role", PolicyName="asl-runner")["PolicyDocument"]
    assert policy["Statement"] == [{"Effect": "Allow", "Action": ["sqs:SendMessage"],
                                    "Resource": [f"arn:aws:sqs:{REGION}:123456789012:jobs"]}]
    described = aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=f"arn:aws:states:{REGION}:123456789012:stateMachine:Jobs")
    assert described["roleArn"] == role["Arn"]


def test_package_deploys_the_local_handlers_and_rewrites_their_arns(tmp_path, aws):
    lambdas = tmp_path / "handlers"
    lambdas.mkdir()
    (lambdas / "ChargeCard.py").write_text("def handler(event, context):\n    return event\n")
    (lambdas / "notify").mkdir()
    (lambdas / "notify" / "handler.py").write_text("import helper\n\ndef handler(e, c):\n    return e\n")
    (lambdas / "notify" / "helper.py").write_text("X = 1\n")
    definition = {"StartAt": "Charge", "States": {
        "Charge": {"Type": "Task", "Resource": "ChargeCard", "Next": "Notify"},
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "notify", "Payload.$": "$"}, "End": True}}}
    path = _write(tmp_path, json.dumps(definition))
    args = ("--name", "Pay", "--lambdas", str(lambdas), "--package", "--publish", "--alias", "live")
    result = _deploy(path, *args)
    assert result.exit_code == 0, result.output
    account = "123456789012"
    lam = aws.client("lambda")
    charge = lam.get_function(FunctionName="ChargeCard")["Configuration"]
    assert (charge["Handler"], charge["Runtime"]) == ("ChargeCard.handler", "python3.12")
    assert charge["Role"].endswith(":role/Pay-lambda")
    notify = lam.get_function(FunctionName="notify")
    assert notify["Configuration"]["Handler"] == "handler.handler"
    sent = json.loads(aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=f"arn:aws:states:{REGION}:{account}:stateMachine:Pay")["definition"])
    assert sent["States"]["Charge"]["Resource"] == charge["FunctionArn"]
    assert sent["States"]["Notify"]["Parameters"]["FunctionName"] == \
        f"arn:aws:lambda:{REGION}:{account}:function:notify"
    policy = aws.client("iam").get_role_policy(RoleName="Pay-role", PolicyName="asl-runner")["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == [
        charge["FunctionArn"], charge["FunctionArn"] + ":*",
        f"arn:aws:lambda:{REGION}:{account}:function:notify",
        f"arn:aws:lambda:{REGION}:{account}:function:notify:*"]
    # the same code again: the functions are left alone
    result = _deploy(path, *args)
    assert result.exit_code == 0, result.output
    assert "the Lambda function ChargeCard is unchanged" in result.stdout
    (lambdas / "ChargeCard.py").write_text("def handler(event, context):\n    return {}\n")
    result = _deploy(path, *args)
    assert "updated the code of the Lambda function ChargeCard" in result.stdout
    assert "the Lambda function notify is unchanged" in result.stdout
    # another runtime: the functions' configuration follows
    result = _deploy(path, *args, "--runtime", "python3.13")
    assert result.exit_code == 0, result.output
    assert "updated the Runtime of the Lambda function ChargeCard" in result.stdout
    assert lam.get_function(FunctionName="notify")["Configuration"]["Runtime"] == "python3.13"


def test_a_package_is_the_handlers_files_only(tmp_path):
    from asl_runner.integrations.lambda_local import LocalLambdas
    from asl_runner.port.packaging import package

    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "handler.py").write_text("def handler(e, c): return e\n")
    (tmp_path / "f" / "__pycache__").mkdir()
    (tmp_path / "f" / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "g.py").write_text("def handler(e, c): return e\n")
    local = LocalLambdas(str(tmp_path))
    made = package(local, "f")
    assert made.handler == "handler.handler"
    assert zipfile.ZipFile(BytesIO(made.zip_bytes())).namelist() == ["handler.py"]
    assert package(local, "f").code_sha256 == made.code_sha256  # deterministic
    assert zipfile.ZipFile(BytesIO(package(local, "g").zip_bytes())).namelist() == ["g.py"]
    assert package(local, "missing") is None


def test_dry_run_prints_the_plan_and_calls_nothing(tmp_path, monkeypatch):
    # no credentials and no mock: any call would fail
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    import botocore.client

    def refuse(*args, **kwargs):
        raise AssertionError("--dry-run made an AWS call")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    path = _write(tmp_path, DEFINITION)
    result = _deploy(path, "--name", "Hello", "--publish", "--alias", "live", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"target: account ${{AWS::AccountId}}, region {REGION}"
    assert any(line.startswith("create or update the IAM role Hello-role") for line in lines)
    assert "create or update the STANDARD state machine Hello" in result.stdout
    assert lines[-1] == "create or update the alias live to the published version"
    result = _deploy(path, "--name", "Hello", "--dry-run", "--json", "--account", "111122223333")
    plan = json.loads(result.stdout)["plan"]
    assert plan["stateMachine"]["definition"] == DEFINITION
    assert plan["stateMachine"]["arn"] == f"arn:aws:states:{REGION}:111122223333:stateMachine:Hello"


def test_what_lint_blocks_is_not_deployed(tmp_path, aws):
    bare = {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": "ChargeCard", "End": True}}}
    result = _deploy(_write(tmp_path, json.dumps(bare)), "--name", "Pay")
    assert result.exit_code == 1
    assert "error: /States/Charge/Resource" in result.stderr
    callback = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
        "Parameters": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
                       "MessageBody": {"t.$": "$$.Task.Token"}}}}}
    result = _deploy(_write(tmp_path, json.dumps(callback)), "--name", "Ask", "--type", "EXPRESS")
    assert result.exit_code == 1
    assert "ExpressUnsupported" in result.stderr
    assert aws.client("stepfunctions").list_state_machines()["stateMachines"] == []
    assert aws.client("iam").list_roles()["Roles"] == []


def test_a_machines_type_cannot_change(tmp_path, aws):
    path = _write(tmp_path, DEFINITION)
    assert _deploy(path, "--name", "Hello").exit_code == 0
    result = _deploy(path, "--name", "Hello", "--type", "EXPRESS")
    assert result.exit_code == 1
    assert "TypeMismatch" in result.stderr and "cannot change" in result.stderr


def test_no_region_is_no_deploy(tmp_path, aws, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    result = _deploy(_write(tmp_path, DEFINITION), "--name", "Hello")
    assert result.exit_code == 2
    assert "no AWS region" in result.stderr
    result = _deploy(_write(tmp_path, DEFINITION), "--name", "Hello", "--dry-run")
    assert result.exit_code == 0
    assert "region ${AWS::Region}" in result.stdout


@pytest.mark.parametrize("args, message", [
    (("--name", "Hello", "--alias", "live"), "--alias needs --publish"),
    (("--name", "bad name"), "--name 'bad name'"),
    (("--name", "Hello", "--publish", "--alias", "123"), "--alias '123'"),
    (("--name", "Hello", "--publish", "--alias", "a/b"), "--alias 'a/b'"),
    (("--name", "Hello", "--lambda-role-arn", "arn:aws:iam::1:role/x"), "--lambda-role-arn"),
])
def test_usage_errors(tmp_path, args, message):
    result = _deploy(_write(tmp_path, DEFINITION), *args)
    assert result.exit_code == 2
    assert message in result.stderr


SAM_APP = __import__("pathlib").Path(__file__).resolve().parent.parent / "examples" / "sam_app"


def test_a_sam_apps_functions_are_packaged_from_their_code_uri(aws):
    result = _deploy(SAM_APP / "template.yaml", "--name", "Trader", "--package")
    assert result.exit_code == 0, result.output
    lam = aws.client("lambda")
    for function, files in (("CheckPriceFunction", ["app.py", "pricing.py"]),
                            ("PlaceOrderFunction", ["app.py"])):
        found = lam.get_function(FunctionName=function)
        assert found["Configuration"]["Handler"] == "app.lambda_handler"
        assert f"files {', '.join(files)}" in _plan_line(function)
    sent = json.loads(aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=f"arn:aws:states:{REGION}:123456789012:stateMachine:Trader")["definition"])
    assert sent["States"]["Check Price"]["Resource"] == \
        f"arn:aws:lambda:{REGION}:123456789012:function:CheckPriceFunction"
    assert sent["States"]["Buy"]["Parameters"]["FunctionName"] == \
        f"arn:aws:lambda:{REGION}:123456789012:function:PlaceOrderFunction"


def _plan_line(function: str) -> str:
    result = _deploy(SAM_APP / "template.yaml", "--name", "Trader", "--package", "--dry-run")
    return next(line for line in result.stdout.splitlines() if f"function {function} " in line)


def test_deploy_to_asl_runner_serve(tmp_path):
    """An endpoint without STS (serve): the account is --account's, else asl-runner's."""
    path = _write(tmp_path, DEFINITION)
    with serving(tmp_path) as url:
        args = ("--name", "Hello", "--role-arn", "arn:aws:iam::123456789012:role/r", "--publish",
                "--alias", "live", "--aws-endpoint", url)
        first = _deploy(path, *args)
        path.write_text(DEFINITION.replace('"hi"', '"hello"'))  # a new revision, a new version
        second = _deploy(path, *args, "--json")
        sfn = boto3.client("stepfunctions", endpoint_url=url, region_name=REGION)
        arn = json.loads(second.stdout)["stateMachineArn"]  # serve keeps its own region
        described = sfn.describe_state_machine(stateMachineArn=arn)
        alias = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:live")
    assert first.exit_code == 0, first.output
    assert "answers no STS GetCallerIdentity" in first.stderr
    assert "Traceback" not in first.output + second.output
    assert f"updated the state machine {arn}" in second.stderr
    assert json.loads(second.stdout)["stateMachineVersionArn"] == f"{arn}:2"
    assert described["definition"] == path.read_text()
    assert alias["routingConfiguration"] == [{"stateMachineVersionArn": f"{arn}:2", "weight": 100}]


def test_a_new_role_is_waited_for_until_it_can_be_assumed():
    from botocore.exceptions import ClientError

    from asl_runner.port.deployer import Deployer, DeployError

    refused = {"Error": {"Code": "AccessDeniedException", "Message": "Neither the global service "
                         "principal states.amazonaws.com, nor the regional one is authorized to "
                         "assume the provided role."}}

    class Fake:
        def __init__(self, refusals: int):
            self.refusals = refusals

        def get_role(self, **_):
            raise ClientError({"Error": {"Code": "NoSuchEntity", "Message": "no"}}, "GetRole")

        def create_role(self, **_):
            return {"Role": {"Arn": "arn:aws:iam::1:role/r"}}

        def put_role_policy(self, **_):
            return {}

        def describe_state_machine(self, **_):
            raise ClientError({"Error": {"Code": "StateMachineDoesNotExist", "Message": "no"}}, "D")

        def create_state_machine(self, **_):
            if self.refusals:
                self.refusals -= 1
                raise ClientError(refused, "CreateStateMachine")
            return {"stateMachineArn": "arn:aws:states:r:1:stateMachine:M"}

    plan = {"role": {"name": "M-role", "trust": {}, "policyName": "p", "policy": {"Statement": [{}]}},
            "stateMachine": {"name": "M", "arn": "arn:aws:states:r:1:stateMachine:M", "type": "STANDARD",
                             "definition": "{}"}, "publish": False}
    pauses: list[float] = []
    fake = Fake(refusals=2)
    result = Deployer(lambda service: fake, lambda line: None, pauses.append).run(plan)
    assert result == {"stateMachineArn": "arn:aws:states:r:1:stateMachine:M"}
    assert pauses == [3, 3]
    # a role that stays refused is given up after a minute, with AWS's words
    with pytest.raises(DeployError, match="authorized to assume"):
        Deployer(lambda service: Fake(refusals=100), lambda line: None, pauses.append).run(plan)
    # and a role that was not just made is not waited for
    plan["role"] = {"arn": "arn:aws:iam::1:role/given"}
    pauses.clear()
    with pytest.raises(DeployError):
        Deployer(lambda service: Fake(refusals=1), lambda line: None, pauses.append).run(plan)
    assert pauses == []
