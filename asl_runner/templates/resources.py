"""What ``Ref`` and ``Fn::GetAtt`` of a template's resource give locally.

A resource is named as CloudFormation would name it when its template gives a name (the
literal or resolved ``FunctionName``, ``TableName``, ``QueueName``, ...), else by its logical
id (CloudFormation would add the stack's name and a random suffix; the logical id is what a
local handler folder, a table in ``--aws-setup`` or a ``--sub`` can name). ARNs are in
asl-runner's account and region, so a function's ARN reaches its local handler and a
table's name the run's mocked DynamoDB. Only the types a state machine usually reaches are
modelled; another type's value is :class:`~.intrinsics.Unresolved`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .intrinsics import Unresolved
from .substitution import ACCOUNT, REGION

if TYPE_CHECKING:
    from .intrinsics import Resolver

_FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")
_MACHINES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")


def _arns(kind: str, name: str) -> dict[str, str]:
    """Attribute -> value for a resource of ``kind`` named ``name``, "" the Ref."""
    r, a = REGION, ACCOUNT
    if kind in _FUNCTIONS:
        return {"": name, "Arn": f"arn:aws:lambda:{r}:{a}:function:{name}"}
    if kind in _MACHINES:
        arn = f"arn:aws:states:{r}:{a}:stateMachine:{name}"
        return {"": arn, "Arn": arn, "Name": name}
    if kind == "AWS::StepFunctions::Activity":
        arn = f"arn:aws:states:{r}:{a}:activity:{name}"
        return {"": arn, "Arn": arn, "Name": name}
    if kind in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
        arn = f"arn:aws:dynamodb:{r}:{a}:table/{name}"
        return {"": name, "Arn": arn, "StreamArn": f"{arn}/stream/1970-01-01T00:00:00.000"}
    if kind == "AWS::SQS::Queue":
        url = f"https://sqs.{r}.amazonaws.com/{a}/{name}"
        return {"": url, "QueueUrl": url, "QueueName": name, "Arn": f"arn:aws:sqs:{r}:{a}:{name}"}
    if kind == "AWS::SNS::Topic":
        arn = f"arn:aws:sns:{r}:{a}:{name}"
        return {"": arn, "TopicArn": arn, "TopicName": name}
    if kind == "AWS::S3::Bucket":
        return {"": name, "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{r}.amazonaws.com"}
    if kind == "AWS::Events::EventBus":
        arn = f"arn:aws:events:{r}:{a}:event-bus/{name}"
        return {"": name, "Arn": arn, "Name": name}
    if kind == "AWS::IAM::Role":
        return {"": name, "Arn": f"arn:aws:iam::{a}:role/{name}", "RoleId": name}
    if kind == "AWS::Logs::LogGroup":
        return {"": name, "Arn": f"arn:aws:logs:{r}:{a}:log-group:{name}:*"}
    if kind == "AWS::SecretsManager::Secret":
        arn = f"arn:aws:secretsmanager:{r}:{a}:secret:{name}"
        return {"": arn, "Id": arn}
    return {}


#: the property that names a resource of each type
_NAME_PROPERTY = {
    "AWS::Serverless::Function": "FunctionName", "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::StateMachine": "Name", "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::StepFunctions::Activity": "Name", "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::SimpleTable": "TableName", "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName", "AWS::S3::Bucket": "BucketName", "AWS::Events::EventBus": "Name",
    "AWS::IAM::Role": "RoleName", "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::SecretsManager::Secret": "Name",
}


def local_name(resolver: Resolver, logical_id: str, resource: Any) -> str:
    """The name of a resource: its own name property if that resolves to text, else its
    logical id (lower case for a bucket, whose names are)."""
    kind = resource.get("Type") if isinstance(resource, dict) else None
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    prop = _NAME_PROPERTY.get(kind)
    if prop and isinstance(properties, dict) and prop in properties:
        value = resolver.resolve(properties[prop], f"Resources/{logical_id}/Properties/{prop}")
        if isinstance(value, str) and value and "${" not in value:
            return value
    return logical_id.lower() if kind == "AWS::S3::Bucket" else logical_id


def ref(resolver: Resolver, logical_id: str, resource: Any) -> Any:
    return _attribute(resolver, logical_id, resource, "")


def get_att(resolver: Resolver, logical_id: str, resource: Any, attribute: str) -> Any:
    return _attribute(resolver, logical_id, resource, attribute)


def _attribute(resolver: Resolver, logical_id: str, resource: Any, attribute: str) -> Any:
    kind = resource.get("Type") if isinstance(resource, dict) else None
    token = f"{logical_id}.{attribute}" if attribute else logical_id
    if kind not in _NAME_PROPERTY:
        return Unresolved(token, f"{logical_id} is a {kind}, which has no local value here")
    value = _arns(kind, local_name(resolver, logical_id, resource)).get(attribute)
    if value is None:
        return Unresolved(token, f"{kind} {logical_id} has no attribute {attribute!r} here")
    return value


def sam_alias(resolver: Resolver, name: str) -> str | None:
    """The ARN of the alias SAM publishes for a function with ``AutoPublishAlias``, as
    ``!Ref MyFunction.Alias`` or its generated resource ``MyFunctionAliasLIVE`` names it
    (None: ``name`` is neither)."""
    defaults = resolver.globals.get("Function")
    defaults = defaults if isinstance(defaults, dict) else {}
    for logical_id, resource in resolver.resources.items():
        if not (isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function"
                and name.startswith(logical_id)):
            continue
        properties = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
        alias = properties.get("AutoPublishAlias", defaults.get("AutoPublishAlias"))
        if alias is None:
            continue
        alias = resolver.text(alias, f"Resources/{logical_id}/Properties/AutoPublishAlias")
        if name in (f"{logical_id}.Alias", f"{logical_id}Alias{alias}"):
            arn = _arns(resource["Type"], local_name(resolver, logical_id, resource))["Arn"]
            return f"{arn}:{alias}"
    return None
