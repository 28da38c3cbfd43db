"""Step Functions' names for AWS SDK integrations, and botocore's for the same thing.

Step Functions runs ``arn:aws:states:::aws-sdk:SERVICE:ACTION`` on the AWS SDK for Java 2.x,
and its names are that SDK's:

- SERVICE is the SDK's package name (``software.amazon.awssdk.services.SERVICE``): the
  service's ``serviceId`` in PascalCase words, without a leading Amazon/AWS and a trailing
  Service, lowercased. Mostly botocore's name without its dashes (``acm-pca`` is
  ``acmpca``); the exceptions are in :data:`_BOTOCORE_NAMES` (``eventbridge`` is
  botocore's ``events``, ``sfn`` its ``stepfunctions``, ``cloudwatchlogs`` its ``logs``).
- ACTION is the SDK's method: the operation's name with its first letter lowercased
  (``getObject``, ``listObjectsV2``).
- The prefix of an error name is the SDK's client name (``DynamoDbClient``: ``DynamoDb``),
  which is also what the SDK writes as ``Service:`` in an error's message.

The table in AWS's developer guide ("Learning to use AWS service SDK integrations",
supported-services-awssdk.html: service names and exception prefixes) agrees with these rules
for every service botocore still ships; ``tests/test_aws_sdk.py`` checks a sample of it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: Step Functions' service name -> botocore's, where dropping botocore's dashes is not enough
#: (derived from each service's serviceId by the rule above)
_BOTOCORE_NAMES = {
    "applicationdiscovery": "discovery",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "costandusagereport": "cur",
    "costexplorer": "ce",
    "databasemigration": "dms",
    "directory": "ds",
    "directoryservicedata": "ds-data",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearch": "es",
    "eventbridge": "events",
    "iotdataplane": "iot-data",
    "iotjobsdataplane": "iot-jobs-data",
    "lexmodelbuilding": "lex-models",
    "lexmodelsv2": "lexv2-models",
    "lexruntimev2": "lexv2-runtime",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
    "pinpointsmsvoice": "sms-voice",
    "serverlessapplicationrepository": "serverlessrepo",
    "sfn": "stepfunctions",
    "simpledb": "sdb",
}

#: actions AWS lists as unsupported for services it otherwise supports (the same page:
#: "Unsupported API actions for supported services"); mostly event streams
_UNSUPPORTED = {
    ("comprehendmedical", "DetectEntities"), ("efs", "CreateTags"),
    ("elastictranscoder", "TestRole"), ("emr", "DescribeJobFlows"),
    ("iotdeviceadvisor", "ListTestCases"), ("kinesis", "SubscribeToShard"),
    ("lambda", "InvokeAsync"), ("lexruntimev2", "StartConversation"),
    ("mediapackage", "RotateChannelCredentials"), ("rdsdata", "ExecuteSql"),
    ("s3", "SelectObjectContent"), ("s3control", "SelectObjectContent"),
    ("shield", "DeleteSubscription"),
}


@lru_cache(maxsize=1)
def _services() -> dict[str, str]:
    """Step Functions' service names -> botocore's, for every service botocore ships."""
    import botocore.session

    renamed = {botocore_name: sfn for sfn, botocore_name in _BOTOCORE_NAMES.items()}
    names = {}
    for botocore_name in botocore.session.get_session().get_available_services():
        names[renamed.get(botocore_name, botocore_name.replace("-", ""))] = botocore_name
    return names


def botocore_service(service: str) -> str | None:
    """botocore's name for the Step Functions service name ``service`` (None: unknown)."""
    return _services().get(service)


def near_service(service: str) -> str | None:
    """Step Functions' name for a service written as botocore (or the AWS CLI) names it."""
    for sfn, botocore_name in _BOTOCORE_NAMES.items():
        if service == botocore_name:
            return sfn
    return None


def java_name(service_id: str) -> str:
    """The AWS SDK for Java 2.x's name for a service (its client class without ``Client``),
    from the model's serviceId: ``DynamoDB`` -> ``DynamoDb``, ``SFN`` -> ``Sfn``,
    ``IoTAnalytics`` -> ``IoTAnalytics``, ``Secrets Manager`` -> ``SecretsManager``."""
    name = "".join(word[:1].upper() + word[1:].lower() for word in _words(service_id))
    for prefix in ("amazon", "aws"):
        if name.lower().startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
    if name.lower().endswith("service") and len(name) > len("service"):
        name = name[: -len("service")]
    return name


def _words(text: str) -> list[str]:
    """The words of a name, split as the Java SDK's code generator splits them."""
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    text = re.sub(r"([^a-z]{2,})v([0-9]+)", r"\1 v\2 ", text)  # a version: "TESTv4" -> "TEST v4"
    text = re.sub(r"([^A-Z]{2,})V([0-9]+)", r"\1 V\2 ", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z](?:[a-zA-Z]|[0-9]))", " ", text)  # camelCase
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)  # an acronym, then a word
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)
    return text.split()


def operation_name(service_model: Any, action: str) -> str | None:
    """The botocore operation that ``action`` (camelCase, as Step Functions spells it) names."""
    if not action or not action[0].islower():
        return None
    name = action[0].upper() + action[1:]
    return name if name in service_model.operation_names else None


def near_action(service_model: Any, action: str) -> str | None:
    """The action that ``action`` probably meant: a case slip (``GetObject``, ``getobject``)."""
    for name in service_model.operation_names:
        if name.lower() == action.lower():
            return name[0].lower() + name[1:]
    return None


def is_unsupported(service: str, operation: str) -> bool:
    return (service, operation) in _UNSUPPORTED


def member_name(name: str) -> str:
    """A model member as a Step Functions parameter or result field: PascalCase, and
    ``EqualsValue`` for ``Equals``, which the Java SDK cannot name a field."""
    if name.lower() == "equals":
        return "EqualsValue"
    return name[:1].upper() + name[1:]
