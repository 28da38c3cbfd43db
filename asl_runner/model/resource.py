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
# What Lambda's Invoke takes as a FunctionName besides a full ARN: NAME, NAME:QUALIFIER and
# the partial ARNs function:NAME[:QUALIFIER] and ACCOUNT:function:NAME[:QUALIFIER]
_LOCAL_NAME = re.compile(
    r"(?:(?:\d{12}:)?function:)?(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>[A-Za-z0-9_$-]{1,128}))?"
)


class Resource(Record):
    """What a Task state calls.

    ``kind`` is one of ``lambda`` (a Lambda function ARN, or locally a bare name), ``service`` (an
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


def is_local_function_name(text: str) -> bool:
    """A Task Resource that names a Lambda function without its ARN: a convenience of
    ``asl-runner run`` and the Python API (a local handler), which AWS refuses."""
    return _LOCAL_NAME.fullmatch(text) is not None


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
    m = _LOCAL_NAME.fullmatch(arn)
    if m:
        return Resource(arn, "lambda", function_name=m["name"], qualifier=m["qualifier"])
    return Resource(arn, "unknown")
