"""``arn:aws:states:::sqs:sendMessage`` (and ``.waitForTaskToken``): send a message to a queue.

As on AWS, a ``MessageBody`` that is not a string is sent as its JSON text (compact:
``{"Message":"hi","TaskToken":"..."}``), so a worker reads the task token by parsing the
body. The result is SendMessage's response (``MD5OfMessageBody``, ``MessageId``, and
``MD5OfMessageAttributes`` or ``SequenceNumber`` when there are attributes or the queue is
FIFO) with the SDK's metadata: SQS answers in AWS JSON 1.0 (recorded headers:
``x-amzn-RequestId``, ``connection``, ``Content-Length``, ``Date``, ``Content-Type``).
"""

from __future__ import annotations

import re
from typing import Any

from ..jsonvalue import dumps
from .iam import Grant, Scope
from .metadata import json_service_headers
from .optimized import (
    Api,
    MotoGaps,
    Response,
    ServiceError,
    as_json_text,
    call,
    missing_members,
    patterns_of,
    serving,
)
from .protocol import Environment, Integration


def _headers(response: Response) -> dict:
    headers, _ = json_service_headers(len(dumps(response.result).encode()), response.request_id)
    headers["Date"] = response.date
    return headers


def _refuse(operation_model: Any, request: dict) -> ServiceError | None:
    # SQS's answer to a request without a member it requires (recorded on AWS for a null
    # MessageBody); moto fails on such a request in a way of its own
    missing = missing_members(operation_model, request)
    if not missing:
        return None
    name = missing[0][:1].upper() + missing[0][1:]
    return ServiceError("MissingParameter", f"The request must contain the parameter {name}.", 400)


API = Api("sqs", "SQS", sdk_service="AmazonSQS", base_exception="AmazonSQSException",
          headers=_headers, uuid_request_ids=True, moto_gaps=MotoGaps(refuse=_refuse))


def _perform(invocation: Any, env: Environment) -> Any:
    return call(API, invocation, env, as_json_text(invocation.payload, "MessageBody"))


def queue_arn(scope: Scope, url: str) -> str:
    """The ARN of the queue at ``url`` (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or
    the legacy REGION.queue.amazonaws.com host); the account's queues for another shape."""
    match = re.fullmatch(r"https?://(?:sqs\.)?([a-z0-9-]+)(?:\.queue)?\.amazonaws\.com(?:\.cn)?/"
                         r"(\d{12})/([\w-]+(?:\.fifo)?)/?", url)
    if match is None:
        return scope.arn("sqs", "*")
    region, account, name = match.groups()
    return f"arn:{scope.partition}:sqs:{region}:{account}:{name}"


def _permissions(scope: Scope) -> list[Grant]:
    # sqs-iam.html: SendMessage on the queue
    url = scope.constant("QueueUrl")
    if url is None:
        return [Grant(("sqs:SendMessage",), (scope.arn("sqs", "*"),), scope.any_of("queue", "QueueUrl"))]
    return [Grant(("sqs:SendMessage",), (queue_arn(scope, url),))]


INTEGRATIONS = (
    # connect-sqs.html: SendMessage, request-response and .waitForTaskToken
    Integration("sqs:sendMessage", perform=_perform, patterns=patterns_of("sqs", "sendMessage"),
                serves=serving("sqs", "sendMessage"), permissions=_permissions),
)
