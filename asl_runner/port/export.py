"""``asl-runner export``: a tested definition as a CloudFormation or SAM snippet, the way back
into infrastructure code.

The definition goes in unchanged except for its local functions (bare names, ARNs of
asl-runner's offline account): each becomes ``${NameArn}``, which the snippet's
DefinitionSubstitutions fill with ``!GetAtt Name.Arn``, SAM's own convention; other ARNs
and queue URLs of that account become ``${NameArn}``/``${NameQueueUrl}`` filled with ``!Sub``
in the stack's own partition, region and account. The role gets the least-privilege policy
of ``lint --for-aws``, its ARNs in ``!Sub`` (``${AWS::Region}``, ``${AWS::AccountId}``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..integrations.iam import ACCOUNT, REGION
from ..integrations.registry import DEFAULT_ACCOUNT
from ..model.machine import StateMachine, parse_definition
from ..record import Record
from .functions import function_arn, function_refs, logical_id, parameterize
from .plan import DEFAULT_RUNTIME, trust_policy
from .policy import STAND_INS, Target, needs
from .walk import strings

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
    parameterized, located = _in_any_account(parameterized, set(substitutions))
    for token, (_, subbed) in located.items():
        substitutions[token] = Intrinsic("Sub", subbed)
    # the policy of the machine as the stack will have it: those ARNs in the stack's account
    for_policy = _replaced(definition, {literal: _stand_in(subbed) for literal, subbed in located.values()})
    if for_policy != definition:
        machine = parse_definition(for_policy, validate=False)
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


_OFFLINE_ARN = re.compile(rf"arn:[\w-]+:(?P<service>[\w-]+):(?P<region>[\w-]*):{DEFAULT_ACCOUNT}:"
                          r"(?P<rest>[^$]+)")
_OFFLINE_QUEUE = re.compile(rf"https://sqs\.(?P<region>[\w-]+)\.amazonaws\.com/{DEFAULT_ACCOUNT}/"
                            r"(?P<rest>[\w-]+(?:\.fifo)?)")


def _in_any_account(definition: Any, taken: set[str]) -> tuple[Any, dict[str, tuple[str, str]]]:
    """``definition`` with each ARN or queue URL of asl-runner's offline account (a whole
    string) made a ``${Token}``, and ``{Token: (as written, the same in !Sub with the stack's
    partition, region and account)}``."""
    found: dict[str, str] = {}  # as written -> token
    located: dict[str, tuple[str, str]] = {}
    for _, text in strings(definition):
        if text in found:
            continue
        arn, queue = _OFFLINE_ARN.fullmatch(text), _OFFLINE_QUEUE.fullmatch(text)
        if arn is not None:
            region = "${AWS::Region}" if arn["region"] else ""
            subbed = (f"arn:${{AWS::Partition}}:{arn['service']}:{region}:${{AWS::AccountId}}:"
                      f"{arn['rest']}")
            word, kind = re.split(r"[:/]", arn["rest"])[-1], "Arn"
        elif queue is not None:
            subbed = f"https://sqs.${{AWS::Region}}.${{AWS::URLSuffix}}/${{AWS::AccountId}}/{queue['rest']}"
            word, kind = queue["rest"].removesuffix(".fifo"), "QueueUrl"
        else:
            continue
        token = logical_id(re.sub(r"[^A-Za-z0-9_-]", "-", word)) + kind
        while token in taken:
            token = f"{token[:-len(kind)]}{len(taken)}{kind}"
        taken.add(token)
        found[text] = token
        located[token] = (text, subbed)
    return _replaced(definition, {text: "${" + token + "}" for text, token in found.items()}), located


def _stand_in(subbed: str) -> str:
    """A ``!Sub`` text with the values the policy builder reads as the stack's own."""
    for pseudo, value in (("${AWS::Region}", STAND_INS[REGION]), ("${AWS::AccountId}", STAND_INS[ACCOUNT]),
                          ("${AWS::Partition}", "aws"), ("${AWS::URLSuffix}", "amazonaws.com")):
        subbed = subbed.replace(pseudo, value)
    return subbed


def _replaced(value: Any, texts: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _replaced(item, texts) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, texts) for item in value]
    return texts.get(value, value) if isinstance(value, str) else value


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
