"""Task resources, parsed from their ARN once when the definition loads."""

from __future__ import annotations

import re

from ..record import Record

_LAMBDA_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]*):(?P<account>\d*):function:"
    r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
_STATES_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):states:(?P<region>[\w-]*):(?P<account>\d*):(?P<rest>.+)$"
)
_PATTERNS = (".waitForTaskToken", ".sync:2", ".sync")
_BARE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,140}$")


class Resource(Record):
    """What a Task state calls.

    ``kind`` is one of ``lambda`` (a Lambda function ARN or bare name), ``service`` (an
    optimized or aws-sdk integration, ``arn:aws:states:::SERVICE:ACTION[.pattern]``),
    ``activity`` or ``unknown``.
    """

    arn: str
    kind: str
    service: str | None = None  # lambda, aws-sdk:s3, sqs, states, ...
    action: str | None = None  # invoke, getObject, sendMessage, startExecution, ...
    pattern: str | None = None  # None (request-response), "sync", "sync:2", "waitForTaskToken"
    function_name: str | None = None
    qualifier: str | None = None
    region: str | None = None
    account: str | None = None
    activity_name: str | None = None

    @property
    def is_lambda_invoke(self) -> bool:
        return self.kind == "service" and self.service == "lambda" and self.action == "invoke"


def parse_resource(arn: str) -> Resource:
    m = _LAMBDA_ARN.match(arn)
    if m:
        return Resource(arn, "lambda", function_name=m["name"], qualifier=m["qualifier"],
                        region=m["region"] or None, account=m["account"] or None)
    m = _STATES_ARN.match(arn)
    if m:
        rest = m["rest"]
        if rest.startswith("activity:"):
            return Resource(arn, "activity", activity_name=rest[len("activity:"):],
                            region=m["region"] or None, account=m["account"] or None)
        pattern = None
        for suffix in _PATTERNS:
            if rest.endswith(suffix):
                pattern = suffix[1:]
                rest = rest[: -len(suffix)]
                break
        service, _, action = rest.rpartition(":")
        if service and action:
            return Resource(arn, "service", service=service, action=action, pattern=pattern)
    if _BARE_NAME.match(arn):
        return Resource(arn, "lambda", function_name=arn)
    if arn.startswith("function:") and _BARE_NAME.match(arn.split(":")[1]):
        parts = arn.split(":")
        return Resource(arn, "lambda", function_name=parts[1],
                        qualifier=parts[2] if len(parts) > 2 else None)
    # partial ARN: ACCOUNT:function:NAME or a function ARN with an unusual shape
    m = re.match(r"^(?:\d{12}:)?function:(?P<name>[A-Za-z0-9_-]+)(?::(?P<q>[A-Za-z0-9_$-]+))?$", arn)
    if m:
        return Resource(arn, "lambda", function_name=m["name"], qualifier=m["q"])
    return Resource(arn, "unknown")
