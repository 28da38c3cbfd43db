"""``arn:aws:states:::sns:publish`` (and ``.waitForTaskToken``): publish a message.

As on AWS, a ``Message`` that is not a string is published as its JSON text (recorded: the
object ``{}`` arrives as ``{}``). The result is Publish's response (``MessageId``, and
``SequenceNumber`` for a FIFO topic) with the SDK's metadata: SNS answers in the Query
protocol's XML (recorded headers: ``Content-Type: text/xml`` and a ``Content-Length`` that is
the length of that XML, 294 bytes for a standard topic).
"""

from __future__ import annotations

import threading
from typing import Any

from .iam import Grant, Scope
from .metadata import json_service_headers
from .optimized import (
    Api,
    MotoGaps,
    Response,
    ServiceError,
    as_json_text,
    call,
    null_members,
    patterns_of,
    serving,
    validation_error,
)
from .protocol import Environment, Integration


def _publish_xml(response: Response) -> str:
    """The body of SNS's answer to Publish."""
    result = response.result
    sequence = result.get("SequenceNumber")
    sequence_line = f"    <SequenceNumber>{sequence}</SequenceNumber>\n" if sequence else ""
    return ('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n'
            "  <PublishResult>\n"
            f"    <MessageId>{result.get('MessageId', '')}</MessageId>\n"
            f"{sequence_line}"
            "  </PublishResult>\n"
            "  <ResponseMetadata>\n"
            f"    <RequestId>{response.request_id}</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</PublishResponse>\n")


def _headers(response: Response) -> dict:
    headers, _ = json_service_headers(len(_publish_xml(response).encode()), response.request_id)
    headers["Date"] = response.date
    headers["Content-Type"] = "text/xml"
    return headers


# -- what AWS's SNS answers where moto answers otherwise -------------------------------------

def _refuse(operation_model: Any, request: dict) -> ServiceError | None:
    problems = null_members(operation_model, request)
    if problems:
        return validation_error(problems, "ValidationError")  # SNS's code for these
    # a FIFO topic's name ends in .fifo: AWS refuses a message without a group (recorded);
    # moto answers MissingParameter
    if str(request.get("TopicArn", "")).endswith(".fifo") and not request.get("MessageGroupId"):
        return ServiceError("InvalidParameter", "Invalid parameter: The MessageGroupId "
                            "parameter is required for FIFO topics", 400)
    return None


_sequence_numbers: dict[str, int] = {}
_sequence_lock = threading.Lock()


def _response(operation_model: Any, request: dict, response: dict) -> None:
    # AWS numbers each message of a FIFO topic (a 20-digit, increasing SequenceNumber, part
    # of the response); moto leaves it out. Numbers that look like AWS's, per topic
    topic = str(request.get("TopicArn", ""))
    if topic.endswith(".fifo") and "SequenceNumber" not in response:
        with _sequence_lock:
            number = _sequence_numbers[topic] = _sequence_numbers.get(topic, 0) + 1
        response["SequenceNumber"] = str(10**19 + 1000 * number)


def _error(request: dict, error: ServiceError) -> ServiceError:
    # moto looks a topic it does not have up as a mobile endpoint and says so; AWS says the
    # topic does not exist (recorded)
    if error.code == "NotFound" and error.message == "Endpoint does not exist" \
            and request.get("TopicArn") and not request.get("TargetArn"):
        error.message = "Topic does not exist"
    return error


API = Api("sns", "SNS", sdk_service="AmazonSNS", base_exception="AmazonSNSException",
          headers=_headers, uuid_request_ids=True,
          moto_gaps=MotoGaps(refuse=_refuse, response=_response, error=_error))


def _perform(invocation: Any, env: Environment) -> Any:
    return call(API, invocation, env, as_json_text(invocation.payload, "Message"))


def _permissions(scope: Scope) -> list[Grant]:
    # sns-iam.html: Publish on the topic; a message to a phone number names no resource
    for name in ("TopicArn", "TargetArn"):
        arn = scope.constant(name)
        if arn is not None:
            return [Grant(("sns:Publish",), (arn,))]
        if scope.dynamic(name):
            return [Grant(("sns:Publish",), (scope.arn("sns", "*"),), scope.any_of("topic", name))]
    return [Grant(("sns:Publish",), ("*",), "a message to a phone number (PhoneNumber) names "
                  "no resource IAM can scope")]


INTEGRATIONS = (
    # connect-sns.html: Publish, request-response and .waitForTaskToken
    Integration("sns:publish", perform=_perform, patterns=patterns_of("sns", "publish"),
                serves=serving("sns", "publish"), permissions=_permissions),
)
