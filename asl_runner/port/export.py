"""``asl-runner export``: a tested definition as a CloudFormation or SAM snippet, the way back
into infrastructure code.

The definition goes in unchanged except for its local functions (bare names, ARNs of
asl-runner's offline account): each becomes ``${NameArn}``, which the snippet's
DefinitionSubstitutions fill with ``!GetAtt Name.Arn``, SAM's own convention. The role gets
the least-privilege policy of ``lint --for-aws``, its ARNs in ``!Sub`` (``${AWS::Region}``,
``${AWS::AccountId}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model.machine import StateMachine
from ..record import Record
from .functions import function_arn, function_refs, logical_id, parameterize
from .plan import DEFAULT_RUNTIME, trust_policy
from .policy import Target, needs

SAM, CLOUDFORMATION = "sam", "cloudformation"


class Intrinsic(Record):
    """A CloudFormation intrinsic function: ``name`` is ``GetAtt``, ``Sub`` or ``Ref``."""

    name: str
    value: Any

    def to_json(self) -> dict:
        if self.name == "GetAtt":
            return {"Fn::GetAtt": self.value.split(".", 1)}
        if self.name == "Ref":
            return {"Ref": self.value}
        return {f"Fn::{self.name}": self.value}


class Code(Record):
    """Where a function's code is: ``code_uri`` (a folder) and ``handler``."""

    function: str
    code_uri: str
    handler: str


def export_template(definition: Any, machine: StateMachine, *, name: str, flavour: str = SAM,
                    machine_type: str = "STANDARD", code: Sequence[Code] = (),
                    runtime: str = DEFAULT_RUNTIME) -> dict:
    """The snippet (``Resources``, the ``Parameters`` it needs, and the ``Transform`` of
    SAM), with :class:`Intrinsic` values where CloudFormation resolves something.

    A local function whose code is known is declared (SAM: ``AWS::Serverless::Function``;
    CloudFormation: ``AWS::Lambda::Function`` whose ``Code`` is the local folder, which
    ``aws cloudformation package`` uploads) and substituted with ``!GetAtt``; another is a
    parameter of the snippet (its ARN, ``!Ref``)."""
    refs = [ref for ref in function_refs(machine) if ref.local]
    parameterized, tokens = parameterize(definition, refs)
    known = {found.function: found for found in code}
    template: dict[str, Any] = {"Transform": "AWS::Serverless-2016-10-31"} if flavour == SAM else {}
    parameters: dict[str, Any] = {}
    functions: dict[str, Any] = {}
    substitutions: dict[str, Intrinsic] = {}
    #: the policy's ARNs of these functions, as the snippet names them
    arns: dict[str, Intrinsic] = {}
    target = Target(name)
    for token, function in tokens.items():
        found = known.get(function)
        if found is None:
            parameters[token] = {"Type": "String", "Description": f"The ARN of the Lambda function "
                                 f"{function} (a local handler when tested offline)"}
            substitutions[token] = Intrinsic("Ref", token)
            arn = token
        else:
            function_id = logical_id(function)
            substitutions[token] = Intrinsic("GetAtt", f"{function_id}.Arn")
            functions[function_id] = _function(found, runtime, flavour)
            arn = f"{function_id}.Arn"
        local = function_arn(target, function)
        arns[local] = Intrinsic("Ref", token) if found is None else substitutions[token]
        arns[f"{local}:*"] = Intrinsic("Sub", "${" + arn + "}:*")
    policy = _subbed(needs(machine, target).policy, arns)
    machine_id = logical_id(name)
    resources: dict[str, Any] = {}
    if flavour == SAM:
        properties: dict[str, Any] = {"Name": name, "Type": machine_type, "Definition": parameterized}
        if substitutions:
            properties["DefinitionSubstitutions"] = substitutions
        if policy["Statement"]:
            properties["Policies"] = [policy]
        resources[machine_id] = {"Type": "AWS::Serverless::StateMachine", "Properties": properties}
    else:
        role_id = f"{machine_id}Role"
        role: dict[str, Any] = {"AssumeRolePolicyDocument": trust_policy("states.amazonaws.com")}
        if policy["Statement"]:
            role["Policies"] = [{"PolicyName": "asl-runner", "PolicyDocument": policy}]
        resources[role_id] = {"Type": "AWS::IAM::Role", "Properties": role}
        properties = {"StateMachineName": name, "StateMachineType": machine_type,
                      "Definition": parameterized, "RoleArn": Intrinsic("GetAtt", f"{role_id}.Arn")}
        if substitutions:
            properties["DefinitionSubstitutions"] = substitutions
        resources[machine_id] = {"Type": "AWS::StepFunctions::StateMachine", "Properties": properties}
        if functions:
            resources[FUNCTIONS_ROLE] = {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": trust_policy("lambda.amazonaws.com"),
                "ManagedPolicyArns": [Intrinsic("Sub", "arn:${AWS::Partition}:iam::aws:policy/"
                                                       "service-role/AWSLambdaBasicExecutionRole")]}}
    resources.update(functions)
    if parameters:
        template["Parameters"] = parameters
    template["Resources"] = resources
    return template


#: the role of a CloudFormation snippet's functions: they may write their logs
FUNCTIONS_ROLE = "FunctionsRole"


def _function(found: Code, runtime: str, flavour: str) -> dict:
    if flavour == SAM:
        return {"Type": "AWS::Serverless::Function", "Properties": {
            "FunctionName": found.function, "CodeUri": found.code_uri, "Handler": found.handler,
            "Runtime": runtime}}
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "FunctionName": found.function, "Code": found.code_uri, "Handler": found.handler,
        "Runtime": runtime, "Role": Intrinsic("GetAtt", f"{FUNCTIONS_ROLE}.Arn")}}


def _subbed(value: Any, arns: dict[str, Intrinsic]) -> Any:
    """``value`` with the ARNs of ``arns`` replaced, and each other string that holds a pseudo
    parameter in ``!Sub``."""
    if isinstance(value, dict):
        return {key: _subbed(item, arns) for key, item in value.items()}
    if isinstance(value, list):
        return [_subbed(item, arns) for item in value]
    if isinstance(value, str) and value in arns:
        return arns[value]
    if isinstance(value, str) and "${AWS::" in value:
        return Intrinsic("Sub", value)
    return value


def as_json(template: Any) -> Any:
    """The template with its intrinsics in CloudFormation's JSON long form."""
    if isinstance(template, Intrinsic):
        return template.to_json()
    if isinstance(template, dict):
        return {key: as_json(value) for key, value in template.items()}
    if isinstance(template, list):
        return [as_json(value) for value in template]
    return template


def as_yaml(template: Any) -> str:
    """The template as YAML with CloudFormation's short tags (``!GetAtt``, ``!Sub``)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # CloudFormation reads anchors, people less so: each value in full

    def intrinsic(dumper: yaml.SafeDumper, value: Intrinsic) -> Any:
        return dumper.represent_scalar(f"!{value.name}", value.value)

    Dumper.add_representer(Intrinsic, intrinsic)
    return yaml.dump(template, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
