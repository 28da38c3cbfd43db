"""Definitions where they live: YAML files, SAM and CloudFormation templates, CDK's output.

The templates under tests/templates/ were written for these tests, one of each kind: SAM YAML
with short tags (!Sub, !GetAtt, !Ref), CloudFormation JSON with Fn::Sub and
DefinitionSubstitutions, and a CDK app's synthesised cdk.out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import asl_runner
from asl_runner.templates import LoadedDefinition, TemplateError, load_definition

HERE = Path(__file__).parent / "templates"
SAM = HERE / "sam_yaml" / "template.yaml"
CFN = HERE / "cfn_json" / "template.json"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def state(loaded: LoadedDefinition, name: str) -> dict:
    return loaded.definition["States"][name]


# ----------------------------------------------------------------------------- SAM YAML

def test_a_sam_definition_resolves_its_short_tags_and_substitutions():
    loaded = load_definition(SAM, "IntakeMachine", {"AlertEmail": "ops@example.com"})
    assert loaded.state_machine == "IntakeMachine"
    assert loaded.definition["Comment"] == "Order intake (dev)"  # !Sub of a parameter's Default
    # !GetAtt of a function with a FunctionName: its ARN carries that name
    assert state(loaded, "Validate")["Resource"] == ARN + "dev-validate-order"
    assert state(loaded, "Price")["Parameters"]["FunctionName"] == "PriceOrderFunction"  # !Ref
    assert state(loaded, "Save")["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert state(loaded, "Save")["Parameters"]["TableName"] == "dev-orders"
    assert state(loaded, "Alert")["Parameters"]["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:AlertsTopic"
    # the --sub gave the parameter without a Default
    assert state(loaded, "Alert")["Parameters"]["Subject"] == "New order on dev, alerts to ops@example.com"
    assert loaded.substitutions["TableName"] == "dev-orders"
    assert loaded.placeholders == ()
    assert json.loads(loaded.text) == loaded.definition


def test_a_sub_overrides_a_parameter_and_a_definition_substitution():
    loaded = load_definition(SAM, "IntakeMachine", {"Stage": "prod", "AlertEmail": "a@b.c",
                                                    "TableName": "my-table"})
    assert state(loaded, "Validate")["Resource"] == ARN + "prod-validate-order"
    assert state(loaded, "Save")["Parameters"]["TableName"] == "my-table"


def test_a_sam_template_s_functions_are_local_handlers():
    loaded = load_definition(SAM, "IntakeMachine", {"AlertEmail": "x"})
    validate = loaded.functions["ValidateOrderFunction"]
    assert validate.name == "dev-validate-order"
    assert validate.code_dir == str(HERE / "sam_yaml" / "src")  # Globals' CodeUri
    assert validate.handler == "validate.handler" and validate.runtime == "python3.12"
    assert loaded.functions["PriceOrderFunction"].handler == "price.lambda_handler"
    node = loaded.functions["NodeFunction"]
    assert "nodejs20.x" in node.unavailable
    assert set(loaded.handlers) == {"dev-validate-order", "PriceOrderFunction", "NodeFunction"}


def test_an_unresolved_parameter_is_a_placeholder():
    loaded = load_definition(SAM, "IntakeMachine")  # AlertEmail has no Default
    [placeholder] = loaded.placeholders
    assert placeholder.token == "AlertEmail"
    assert placeholder.pointer == "/States/Alert/Parameters/Subject"
    assert state(loaded, "Alert")["Parameters"]["Subject"] == "New order on dev, alerts to ${AlertEmail}"


def test_a_definition_uri_is_read_beside_the_template():
    loaded = load_definition(SAM, "ReportMachine")
    assert loaded.definition["States"]["Report"]["Result"] == {"table": "${TableName}"}
    assert [(p.token, p.pointer) for p in loaded.placeholders] == [("TableName", "/States/Report/Result/table")]


def test_two_state_machines_need_a_choice():
    with pytest.raises(TemplateError) as caught:
        load_definition(SAM)
    assert str(caught.value) == (
        f"{SAM}: Resources: the template has 2 state machines (IntakeMachine, ReportMachine): "
        "choose one with --state-machine LOGICAL_ID")
    with pytest.raises(TemplateError, match="OrdersTable: a AWS::DynamoDB::Table, not a state machine"):
        load_definition(SAM, "OrdersTable")
    with pytest.raises(TemplateError, match="Nope: no such resource; the template's state machines: "
                                            "IntakeMachine, ReportMachine"):
        load_definition(SAM, "Nope")


# ----------------------------------------------------------------------------- CloudFormation JSON

def test_a_cloudformation_definition_string_with_fn_sub_and_definition_substitutions():
    loaded = load_definition(CFN, "PaymentMachine")
    charge = state(loaded, "Charge")
    assert loaded.definition["Comment"] == "Charge in EUR, fee 1.4%"  # Fn::Sub's own variables
    assert charge["Resource"] == ARN + "ChargeFunction"  # ${ChargeFunction.Arn}
    assert charge["Parameters"]["euro"] is True  # Fn::If, substituted as JSON, not text
    assert charge["Retry"][0]["MaxAttempts"] == 2  # a Number parameter's Default
    assert state(loaded, "Queue")["Parameters"]["QueueUrl"] == \
        "https://sqs.us-east-1.amazonaws.com/123456789012/payments"
    # Fn::ImportValue has no local value, and ${!X} is Fn::Sub's literal ${X}
    assert [(p.token, p.pointer) for p in loaded.placeholders] == [
        ("LedgerTable", "/States/Ledger/Result/ledger"), ("NotSubstituted", "/States/Ledger/Result/literal")]
    assert loaded.functions["ChargeFunction"].code_dir == str(HERE / "cfn_json" / "functions" / "charge")


def test_a_definition_s3_location_as_a_local_yaml_file():
    loaded = load_definition(CFN, "RefundMachine")
    assert loaded.definition["Comment"] == "Refunds within 30 seconds"  # a number substituted
    assert state(loaded, "Refund")["Resource"] == ARN + "ChargeFunction"
    assert loaded.substitutions == {"ChargeFunctionArn": ARN + "ChargeFunction", "Timeout": "30"}


# ----------------------------------------------------------------------------- plain files

def test_a_yaml_definition_file(tmp_path):
    path = tmp_path / "m.asl.yaml"
    path.write_text("StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {day: 2024-01-01}\n"
                    "    End: true\n")
    loaded = load_definition(path)
    # a date stays text, as CloudFormation reads it
    assert loaded.definition["States"]["P"]["Result"] == {"day": "2024-01-01"}
    assert json.loads(loaded.text) == loaded.definition
    assert asl_runner.run(str(path), clock="virtual").output == {"day": "2024-01-01"}


def test_a_plain_json_definition_is_kept_as_written(tmp_path):
    path = tmp_path / "m.json"
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    path.write_text(text)
    loaded = load_definition(path)
    assert loaded.text == text and loaded.placeholders == () and loaded.functions == {}


def test_a_definition_file_s_tokens_are_filled_by_subs_or_stand_in(tmp_path):
    path = tmp_path / "m.asl.json"
    path.write_text(json.dumps({"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": "${CheckStockFunctionArn}", "Next": "Save"},
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "${SaveFunctionArn}", "Payload": {"t": "${Table}"}},
                 "End": True}}}))
    loaded = load_definition(path, subs={"Table": "orders"})
    assert state(loaded, "Check")["Resource"] == ARN + "CheckStockFunction"
    assert state(loaded, "Save")["Parameters"] == {"FunctionName": ARN + "SaveFunction",
                                                   "Payload": {"t": "orders"}}
    assert [str(p) for p in loaded.placeholders] == [
        f"/States/Check/Resource: ${{CheckStockFunctionArn}} is not resolved (stands for {ARN}CheckStockFunction)",
        f"/States/Save/Parameters/FunctionName: ${{SaveFunctionArn}} is not resolved (stands for {ARN}SaveFunction)"]
    asl_runner.load(loaded.definition)  # valid as AWS validates it


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("text, where, message", [
    ("StartAt: [", "line 2, column 1", "not valid YAML"),
    ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties: {}\n",
     "Resources/M/Properties", "the state machine has no definition: give one of Definition, "
                               "DefinitionString, DefinitionS3Location"),
    ("Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
     "      DefinitionUri: {Bucket: b, Key: k.json}\n",
     "Resources/M/Properties/DefinitionUri", "the definition is in S3 (s3://b/k.json)"),
    ("Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
     "      DefinitionUri: missing.asl.json\n",
     "Resources/M/Properties/DefinitionUri", "missing.asl.json: cannot read the file"),
    ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
     "      DefinitionString: '{\"StartAt\": ${Start}}'\n",
     "Resources/M/Properties/DefinitionString", "the definition is not valid JSON after substitution"),
    ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
     "      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n"
     "      DefinitionSubstitutions: {A: [1]}\n",
     "Resources/M/Properties/DefinitionSubstitutions/A", "a substitution is text, a number or a boolean"),
    ("Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
     "      DefinitionUri: !Split [',', 'a,b']\n",  # found by tests/test_fuzz_templates.py
     "Resources/M/Properties/DefinitionUri", "the definition is not a local file (['a', 'b'])"),
    ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
     "      DefinitionString: !Join [',', 3]\n",
     "Resources/M/Properties/DefinitionString/Fn::Join/1", "Fn::Join joins a list"),
])
def test_a_template_that_gives_no_definition_says_where(tmp_path, text, where, message):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    with pytest.raises(TemplateError) as caught:
        load_definition(path)
    assert caught.value.where == where
    assert str(caught.value).startswith(f"{path}: {where}: {message}")


# ----------------------------------------------------------------------------- running them

SAM_APP = Path(__file__).parent.parent / "examples" / "sam_app" / "template.yaml"


def test_the_python_api_runs_a_template_with_its_functions():
    execution = asl_runner.run(str(SAM), {"orderId": "o-1", "items": [{"price": 3, "quantity": 2}]},
                               state_machine="IntakeMachine", subs={"AlertEmail": "a@b.c"},
                               clock="virtual", aws_setup=[
                                   {"service": "dynamodb", "op": "create_table", "params": {
                                       "TableName": "dev-orders", "BillingMode": "PAY_PER_REQUEST",
                                       "AttributeDefinitions": [{"AttributeName": "orderId", "AttributeType": "S"}],
                                       "KeySchema": [{"AttributeName": "orderId", "KeyType": "HASH"}]}},
                                   {"service": "sns", "op": "create_topic", "params": {"Name": "AlertsTopic"}}])
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert execution.output["validatedBy"] == "dev-validate-order"  # the function's name, from the template
    assert execution.output["total"] == 6  # PriceOrderFunction's Handler price.lambda_handler


def test_a_template_function_s_errors_are_lambda_s():
    execution = asl_runner.run(str(SAM), {"items": []}, state_machine="IntakeMachine",
                               subs={"AlertEmail": "a@b.c"}, clock="virtual")
    assert execution.status == "FAILED" and execution.error == "ValueError"
    cause = json.loads(execution.cause)
    assert cause["errorMessage"] == "an order needs an orderId"
    assert any("/var/task/validate.py" in frame for frame in cause["stackTrace"])


def test_the_toolkit_loads_a_template(sfn):
    run = (sfn.load(SAM_APP)
           .stub("Check Price", result={"symbol": "ACME", "price": 80})
           .run({"symbol": "ACME"}))
    run.assert_succeeded().assert_path("Check Price", "Buy or Sell?", "Sell")
    assert run.output["order"]["id"] == "local-order-sell-ACME"  # the real PlaceOrderFunction


def test_the_toolkit_takes_a_state_machine_and_subs(sfn):
    run = sfn.load(SAM, state_machine="ReportMachine", subs={"TableName": "t"}).run({})
    assert run.output == {"table": "t"}


def test_test_state_runs_a_template_s_function():
    response = asl_runner.test_state(str(SAM_APP), {"symbol": "ACME", "price": 7},
                                     state_name="Check Price")
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"symbol": "ACME", "price": 7}


CDK = HERE / "cdk_app" / "cdk.out" / "StockStack.template.json"
CDK_TABLE = [{"service": "dynamodb", "op": "create_table", "params": {
    "TableName": "StockTable9C4B2E71", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "sku", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}]}}]


def test_a_cdk_synth_output_s_fn_join_definition_and_assets():
    loaded = load_definition(CDK)
    assert loaded.state_machine == "StockMachine3A8E2C5D"  # the only one
    check = state(loaded, "Check Stock")
    assert check["Resource"] == "arn:aws:states:::lambda:invoke"  # Ref AWS::Partition
    assert check["Parameters"]["FunctionName"] == ARN + "CheckStockFn5E2A7C1B"
    assert state(loaded, "Reserve")["Parameters"]["TableName"] == "StockTable9C4B2E71"
    assert loaded.placeholders == ()
    function = loaded.functions["CheckStockFn5E2A7C1B"]
    assert Path(function.code_dir).name.startswith("asset.3f9c6a1d")  # aws:asset:path
    assert function.unavailable is None and function.handler == "index.handler"


@pytest.mark.parametrize("sku, status, output", [
    ("SKU-1", "SUCCEEDED", {"notified": "SKU-1", "by": "NotifyFnA8D3F0E6"}),
    ("SKU-2", "FAILED", None),
])
def test_a_cdk_app_runs_with_its_asset_code(sku, status, output):
    execution = asl_runner.run(str(CDK), {"sku": sku}, clock="virtual", aws_setup=CDK_TABLE)
    assert execution.status == status
    assert execution.output == output
    if status == "FAILED":
        assert (execution.error, execution.cause) == ("SoldOut", "no stock left")


# ----------------------------------------------------------------------------- the command line

@pytest.fixture
def cli(monkeypatch):
    from asl_runner.cli import main

    from cli_runner import CliRunner

    monkeypatch.delenv("ASL_RUNNER_CLOCK", raising=False)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_run_takes_a_state_machine_and_subs(cli):
    result = cli("run", str(SAM), "--state-machine", "ReportMachine", "--sub", "TableName=orders",
                 "--json")
    assert result.exit_code == 0, result.stderr
    described = json.loads(result.stdout)
    assert json.loads(described["output"]) == {"table": "orders"}
    # the state machine's name is its logical id
    assert described["stateMachineArn"].endswith(":stateMachine:ReportMachine")


def test_run_tells_the_placeholders_left(cli):
    result = cli("run", str(SAM), "--state-machine", "ReportMachine", "--json")
    assert result.exit_code == 0
    assert json.loads(json.loads(result.stdout)["output"]) == {"table": "${TableName}"}
    assert (f"asl-runner: note: {SAM}: /States/Report/Result/table: ${{TableName}} is not resolved "
            "(give --sub TableName=VALUE)") in result.stderr


def test_a_template_s_errors_name_the_file_and_where(cli):
    result = cli("run", str(SAM))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"asl-runner: {SAM}: Resources: the template has 2 state "
                                     "machines (IntakeMachine, ReportMachine): choose one with "
                                     "--state-machine LOGICAL_ID")
    result = cli("run", str(SAM), "--sub", "novalue")
    assert result.exit_code == 2 and "--sub 'novalue': give NAME=VALUE" in result.stderr


def test_validate_checks_a_template_s_machine(cli, tmp_path):
    result = cli("validate", str(CFN), "--state-machine", "RefundMachine")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.strip() == f"{CFN} (RefundMachine): valid"
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                    "      Definition:\n        StartAt: Nowhere\n        States:\n"
                    "          P: {Type: Pass, End: true}\n")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert "/StartAt" in result.stdout
    result = cli("validate", str(path), "--state-machine", "X")
    assert result.exit_code == 1
    assert result.stdout.startswith("Resources: --state-machine X: no such resource")


def test_test_state_takes_a_template(cli):
    result = cli("test-state", str(SAM_APP), "--state", "Check Price", "--input", '{"symbol": "AB"}')
    assert result.exit_code == 0, result.stderr
    assert json.loads(json.loads(result.stdout)["output"]) == {"symbol": "AB", "price": 31}


def test_a_json_run_does_not_load_yaml_or_the_template_reader(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "one.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    script = ("import atexit, json, sys\n"
              "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.__stderr__))\n"
              "sys.argv = ['asl-runner', 'run', sys.argv[1]]\n"
              "from asl_runner.cli import main\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert "asl_runner.templates" in loaded  # it read the file
    assert sorted(m for m in loaded if m.startswith(("yaml", "_yaml", "asl_runner.templates."))) == []


def test_a_cloudformation_json_template_runs_with_its_function_and_queue():
    execution = asl_runner.run(str(CFN), {"amount": 100}, state_machine="PaymentMachine",
                               clock="virtual", aws_setup=[
                                   {"service": "sqs", "op": "create_queue", "params": {"QueueName": "payments"}}])
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert execution.output == {"charged": 100, "fee": 1.4, "currency": "EUR", "function": "ChargeFunction",
                                "ledger": {"ledger": "${LedgerTable}", "literal": "${NotSubstituted}"}}


def test_a_function_that_cannot_run_here_says_why(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                    "    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: .}\n"
                    "  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
                    "      Definition:\n        StartAt: T\n        States:\n"
                    "          T: {Type: Task, Resource: !GetAtt Fn.Arn, End: true}\n")
    execution = asl_runner.run(str(path), clock="virtual")
    assert execution.error == "Lambda.ResourceNotFoundException"
    assert any("the template's Fn cannot run here: its Runtime is nodejs20.x" in hint
               for hint in execution.hints)
    # a Python stand-in in the lambdas directory runs instead
    (tmp_path / "Fn.py").write_text("def handler(event, context):\n    return 'stand-in'\n")
    assert asl_runner.run(str(path), clock="virtual", lambdas=str(tmp_path)).output == "stand-in"


def test_the_readme_s_one_command_runs_the_sam_app():
    """The README's command, run as a newcomer runs it, from the repository, as a process."""
    import os
    import shlex
    import subprocess
    import sys

    repo = Path(__file__).parent.parent
    readme = (repo / "README.md").read_text(encoding="utf-8")
    command = re.search(r"<!-- sam-app-command -->\n```\n(.+?)\n```", readme).group(1)
    args = shlex.split(command)
    assert args[:3] == ["asl-runner", "run", "examples/sam_app/template.yaml"]
    env = {k: v for k, v in os.environ.items() if k not in ("ASL_RUNNER_CLOCK", "AWS_ENDPOINT_URL")}
    proc = subprocess.run([sys.executable, "-m", "asl_runner.cli", *args[1:], "--json"],
                          capture_output=True, text=True, timeout=60, cwd=repo, env=env)
    assert proc.returncode == 0, proc.stderr
    described = json.loads(proc.stdout)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": {
        "id": "local-order-buy-ACME", "side": "buy", "symbol": "ACME", "price": 42,
        "function": "PlaceOrderFunction"}}
    assert proc.stderr == ""  # nothing left unresolved


BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9 if p else ['x'] * 9)}]\n"
               for p, a in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


@pytest.mark.parametrize("text, message", [
    (BOMB + "StartAt: P\nStates: {P: {Type: Pass, Result: *i, End: true}}\n",
     "the document expands to more than 2,000,000 values (YAML aliases)"),
    ("&a [*a]\n", "a YAML alias is used inside the value it names"),
    ("StartAt: !!python/object/apply:os.system ['echo no']\n", "could not determine a constructor"),
    ("Resources: [1, 2]\n", "Resources maps logical ids to resources"),
    ("a: !!int x\n", "not valid YAML: ValueError: invalid literal for int()"),
    ("a: !!bool maybe\n", "not valid YAML: KeyError"),
    ("StartAt: P\nStates: {P: {Type: Pass, Result: .nan, End: true}}\n", "not JSON"),
    ("Conditions:\n  C: {Condition: C}\nResources:\n  N:\n    Type: AWS::StepFunctions::StateMachine\n"
     "    Properties:\n      Definition: {StartAt: P, States: {P: {Type: Pass, Result: !If [C, 1, 2], "
     "End: true}}}\n", "the condition has no local value: its value refers to itself"),
])
def test_hostile_yaml_is_a_clear_error_at_once(tmp_path, text, message):
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    with pytest.raises(TemplateError, match=re.escape(message)):
        load_definition(path)


def test_a_handler_setting_cannot_reach_outside_the_code_folder(tmp_path):
    (tmp_path / "evil.py").write_text("def x(event, context):\n    return 'outside'\n")
    code = tmp_path / "code"
    code.mkdir()
    path = code / "template.yaml"
    path.write_text("Resources:\n  F: {Type: AWS::Serverless::Function, Properties: "
                    "{Handler: ../evil.x, CodeUri: ., Runtime: python3.12}}\n  N:\n"
                    "    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition: "
                    "{StartAt: P, States: {P: {Type: Task, Resource: !GetAtt F.Arn, End: true}}}\n")
    loaded = load_definition(path)
    assert "is not MODULE.FUNCTION" in loaded.functions["F"].unavailable
    assert asl_runner.run(str(path), clock="virtual").error == "Lambda.ResourceNotFoundException"


NESTED = """\
Resources:
  Parent:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: parent-machine
      Definition:
        StartAt: Child
        States:
          Child:
            Type: Task
            Resource: arn:aws:states:::states:startExecution.sync:2
            Parameters:
              StateMachineArn: !Ref Child
              Input: {greeting: !Sub "hello from ${AWS::StackName}"}
            OutputPath: $.Output
            End: true
  Child:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: child-machine
      Definition:
        StartAt: Echo
        States:
          Echo: {Type: Pass, End: true}
  Broken:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition: {StartAt: Nowhere, States: {P: {Type: Pass, End: true}}}
"""


def test_a_template_s_other_machines_can_be_started(tmp_path, cli):
    path = tmp_path / "template.yaml"
    path.write_text(NESTED)
    loaded = load_definition(path, "Parent")
    assert loaded.name == "parent-machine" and loaded.others == ("Child", "Broken")
    assert state(loaded, "Child")["Parameters"]["StateMachineArn"] == \
        "arn:aws:states:us-east-1:123456789012:stateMachine:child-machine"
    with pytest.warns(UserWarning, match="Broken cannot be started by the run: /StartAt"):
        execution = asl_runner.run(str(path), state_machine="Parent", clock="virtual")
    assert execution.output == {"greeting": "hello from local"}
    result = cli("run", str(path), "--state-machine", "Parent", "--clock", "virtual", "--json")
    assert result.exit_code == 0
    described = json.loads(result.stdout)
    assert json.loads(described["output"]) == {"greeting": "hello from local"}
    assert described["stateMachineArn"].endswith(":stateMachine:parent-machine")
    assert f"asl-runner: note: {path}: Broken cannot be started by the run: /StartAt" in result.stderr


def test_load_takes_a_state_machine_and_subs():
    machine = asl_runner.load(str(SAM), state_machine="ReportMachine", subs={"TableName": "t"})
    assert machine.source["States"]["Report"]["Result"] == {"table": "t"}
    with pytest.raises(TypeError, match="for a definition read from a file"):
        asl_runner.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, subs={"A": "b"})
    with pytest.raises(TemplateError, match="choose one with --state-machine"):
        asl_runner.load(str(SAM))


def test_validate_a_sam_definition_file_on_its_own(cli):
    path = SAM_APP.parent / "statemachine" / "stock_trader.asl.yaml"
    result = cli("validate", str(path))
    assert result.exit_code == 0 and result.stdout == ""  # the stand-ins keep it valid
    notes = [line for line in result.stderr.splitlines() if line.startswith("asl-runner: note:")]
    assert len(notes) == 5
    assert (f"asl-runner: note: {path}: /States/Check Price/Resource: ${{CheckPriceFunctionArn}} is not "
            f"resolved (stands for {ARN}CheckPriceFunction) (give --sub CheckPriceFunctionArn=VALUE)") in notes


def test_only_names_are_tokens(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {
        "a": "${ spaced }", "b": '${"quoted"}', "c": "${}", "d": "${AWS::Region}-${Name.Attr}"}, "End": True}}}))
    assert [p.token for p in load_definition(path).placeholders] == ["AWS::Region", "Name.Attr"]


def test_a_yaml_definition_is_its_json_form(tmp_path):
    # found by tests/test_fuzz_templates.py: YAML keys that are not text (null, 1, false)
    path = tmp_path / "m.yaml"
    path.write_text("StartAt: P\nStates:\n  P: {Type: Pass, Result: {~: a, 1: b, false: c}, End: true}\n")
    loaded = load_definition(path)
    assert loaded.definition["States"]["P"]["Result"] == {"null": "a", "1": "b", "false": "c"}
    assert json.loads(loaded.text) == loaded.definition


def test_sam_s_auto_published_alias(tmp_path):
    (tmp_path / "app.py").write_text("def handler(event, context):\n"
                                     "    return context.invoked_function_arn\n")
    path = tmp_path / "template.yaml"
    path.write_text("Globals:\n  Function: {AutoPublishAlias: live, Runtime: python3.12}\n"
                    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                    "    Properties: {CodeUri: ., Handler: app.handler}\n"
                    "  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
                    "      Definition:\n        StartAt: A\n        States:\n"
                    "          A: {Type: Task, Resource: '${FnAlias}', Next: B}\n"
                    "          B: {Type: Task, Resource: !Ref FnAliaslive, End: true}\n"
                    "      DefinitionSubstitutions: {FnAlias: !Ref Fn.Alias}\n")
    loaded = load_definition(path)
    assert state(loaded, "A")["Resource"] == state(loaded, "B")["Resource"] == ARN + "Fn:live"
    assert asl_runner.run(str(path), clock="virtual").output == ARN + "Fn:live"
