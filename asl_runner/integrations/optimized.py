"""What the optimized integrations of one API call share: ``sqs:sendMessage``, ``sns:publish``,
``dynamodb:getItem|putItem|updateItem|deleteItem`` and ``events:putEvents``.

Each calls one operation of one service through botocore, wherever AWS calls go
(:mod:`.aws`), but the way Step Functions calls it, which is not the aws-sdk integration's:
Step Functions performs these with the AWS SDK for Java 1.x, and that shows (the recordings in
the conformance cases show each point):

- the parameters are the operation's request in PascalCase, read as aws-sdk tasks read theirs
  (:func:`.aws_sdk.shapes.to_request`). A null is an absent member, as the Java SDK's reader
  leaves it, and the SDK checks nothing itself: the service answers a required member that is
  null (``"Item": null`` reaches DynamoDB, which answers ``Value null at 'item' failed to
  satisfy constraint``). So botocore's own parameter checks are off for these calls;
- the result is the response in PascalCase plus ``SdkHttpMetadata`` (status and headers of the
  HTTP response) and ``SdkResponseMetadata`` (its request id), keys sorted;
- a service error is ``PREFIX.EXCEPTION``, the Java 1.x exception class of the error code
  (``SQS.QueueDoesNotExistException``, ``SNS.NotFoundException``,
  ``DynamoDB.ResourceNotFoundException``) or, for a code the service does not model, its base
  class (``DynamoDB.AmazonDynamoDBException`` for ValidationException); the cause is that
  SDK's message: ``MESSAGE (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: CODE;
  Request ID: ID; Proxy: null)``;
- a call that got no answer is ``PREFIX.SdkClientException`` (recorded for SQS: "Unable to
  execute HTTP request: ...").

EventBridge's integration is not one of these: its result carries no SDK metadata (recorded),
so it is not the Java 1.x client, and its errors follow the AWS SDK integrations' rules
(:mod:`.aws_sdk.errors`, ``EventBridge.NAME``); ``Api.sdk_v1`` says which.

Where the calls do not go to real AWS (moto in-process, or a moto server at
``--aws-endpoint``), a service module may answer as AWS's service would where moto answers
otherwise (:class:`MotoGaps`): moto skips some of the checks AWS's services make and words
some errors its own way. Real AWS always answers for itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ..errors import StatesError
from ..jsonvalue import dumps
from . import catalog
from .aws import REAL
from .aws_sdk import errors as sdk_errors
from .aws_sdk import names, service_model, shapes, unusable_parameters
from .metadata import http_date, sdk_metadata


class ServiceError(Exception):
    """An error the service answered: its wire ``code``, ``message``, HTTP ``status`` and
    request id, and ``shape`` (the error shape its model declares for the code; None: none)."""

    def __init__(self, code: str, message: str | None, status: int, request_id: str | None = None,
                 shape: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id or str(uuid.uuid4())
        self.shape = shape


class Response:
    """What the service sent back, for ``Api.headers``: the task's ``result`` (PascalCase,
    before the metadata is added), the request id and the Date header."""

    __slots__ = ("operation", "result", "request_id", "date")

    def __init__(self, operation: str, result: dict, request_id: str, date: str):
        self.operation = operation
        self.result = result
        self.request_id = request_id
        self.date = date


class MotoGaps:
    """Where moto answers otherwise than AWS's service, what AWS answers (applied only when
    the calls do not go to real AWS):

    - ``refuse(operation_model, request)``: the error AWS's service answers a request with
      before it does anything (a ServiceError), None for none;
    - ``response(operation_model, request, response)``: botocore's response made AWS's
      (in place);
    - ``error(request, error)``: the error AWS's service answers where moto answers ``error``.
    """

    __slots__ = ("refuse", "response", "error")

    def __init__(self, *, refuse: Callable[[Any, dict], ServiceError | None] | None = None,
                 response: Callable[[Any, dict, dict], None] | None = None,
                 error: Callable[[dict, ServiceError], ServiceError] | None = None):
        self.refuse = refuse
        self.response = response
        self.error = error


class Api:
    """One service as its optimized integrations call it.

    ``service``: botocore's name; ``prefix``: Step Functions' error prefix (``SQS``);
    ``sdk_service`` and ``base_exception``: the Java 1.x client's service name and base
    exception class, for error names and causes; ``headers(response)``: the response's HTTP
    headers as the SDK saw them (None: the result carries no SDK metadata);
    ``uuid_request_ids``: the service's request ids are UUIDs (moto's are not, and a request
    id can be part of the body whose length the headers give); ``sdk_v1``: False for an
    integration whose errors follow the AWS SDK integrations' rules instead.
    """

    __slots__ = ("service", "prefix", "sdk_service", "base_exception", "headers",
                 "uuid_request_ids", "moto_gaps", "sdk_v1")

    def __init__(self, service: str, prefix: str, *, sdk_service: str = "",
                 base_exception: str = "", headers: Callable[[Response], dict] | None = None,
                 uuid_request_ids: bool = False, moto_gaps: MotoGaps | None = None,
                 sdk_v1: bool = True):
        self.service = service
        self.prefix = prefix
        self.sdk_service = sdk_service
        self.base_exception = base_exception
        self.headers = headers
        self.uuid_request_ids = uuid_request_ids
        self.moto_gaps = moto_gaps or MotoGaps()
        self.sdk_v1 = sdk_v1


def call(api: Api, invocation: Any, env: Any, parameters: Any = None) -> dict:
    """Perform the invocation's optimized action with ``parameters`` (None: the task's own);
    return the task's result or raise :class:`StatesError` as Step Functions reports it."""
    resource = invocation.resource
    if parameters is None:
        parameters = invocation.payload
    missing = _missing(resource, parameters)
    if missing:
        raise StatesError("States.Runtime", unusable_parameters(parameters, "; ".join(
            f"The field '{name}' is required but was missing" for name in missing)))
    model = service_model(api.service)
    operation_model = model.operation_model(names.operation_name(model, resource.action))
    try:
        request = _without_nulls(shapes.to_request(parameters, operation_model.input_shape))
    except shapes.ParameterProblem as exc:
        raise StatesError("States.Runtime", unusable_parameters(parameters, str(exc))) from None
    response = send(api, operation_model, request, env.aws, resource.region)
    result = shapes.from_response(response, operation_model.output_shape)
    if api.headers is not None:
        meta = response.get("ResponseMetadata") or {}
        request_id = meta.get("RequestId")
        if not request_id or (api.uuid_request_ids and not _is_uuid(request_id)):
            request_id = str(uuid.uuid4())
        date = (meta.get("HTTPHeaders") or {}).get("date") or http_date()
        headers = api.headers(Response(operation_model.name, result, request_id, date))
        result.update(sdk_metadata(headers, request_id, meta.get("HTTPStatusCode") or 200))
    return dict(sorted(result.items()))


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def send(api: Api, operation_model: Any, request: dict, target: Any, region: str | None) -> dict:
    """botocore's response to ``request``, or :class:`StatesError` for what failed."""
    from botocore import xform_name
    from botocore.exceptions import BotoCoreError, ClientError

    model = operation_model.service_model
    gaps = api.moto_gaps if target.mode != REAL else MotoGaps()
    try:
        refused = gaps.refuse(operation_model, request) if gaps.refuse else None
        if refused is not None:
            raise refused
        client = target.client(api.service, target.region(region), validate=False)
        response = getattr(client, xform_name(operation_model.name))(**request)
        if gaps.response is not None:
            gaps.response(operation_model, request, response)
        return response
    except ServiceError as exc:
        raise _failure(api, exc, model) from None
    except ClientError as exc:
        error = _from_client_error(exc, model)
        raise _failure(api, gaps.error(request, error) if gaps.error else error, model) from None
    except BotoCoreError as exc:  # no answer: no connection, no credentials
        raise _no_answer(api, f"Unable to execute HTTP request: {exc}") from None
    except Exception as exc:  # botocore or in-process moto failing in a way of their own
        raise _no_answer(api, f"Unable to execute HTTP request: {type(exc).__name__}: {exc}") \
            from None


def _missing(resource: Any, parameters: Any) -> tuple[str, ...]:
    entry = catalog.lookup(resource.service, resource.action)
    return catalog.missing_parameters(entry, parameters) if entry is not None else ()


def _without_nulls(value: Any) -> Any:
    """The request as the Java SDK sends it: members that are null are not sent."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _from_client_error(exc: Any, model: Any) -> ServiceError:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    code = error.get("Code") or "Unknown"
    # botocore raises the modelled error's own class (named by its shape) when it knows it
    shape = type(exc).__name__ if type(exc).__name__ != "ClientError" else \
        sdk_errors.modelled(model, error.get("QueryErrorCode") or code)
    return ServiceError(code, error.get("Message"), meta.get("HTTPStatusCode") or 400,
                        meta.get("RequestId"), shape)


def _failure(api: Api, error: ServiceError, model: Any) -> StatesError:
    shape = error.shape or sdk_errors.modelled(model, error.code)
    if not api.sdk_v1:
        return sdk_errors.service_error(api.prefix, shape, error.message, error.status,
                                        error.request_id)
    name = sdk_errors.exception_name(shape) if shape else api.base_exception
    return StatesError(f"{api.prefix}.{name}", v1_cause(error.message, api.sdk_service,
                                                        error.status, error.code,
                                                        error.request_id))


def v1_cause(message: str | None, service: str, status: Any, code: str, request_id: str) -> str:
    """An AmazonServiceException's message in the AWS SDK for Java 1.x (``null`` for a
    service error without a message, as Java prints it)."""
    return (f"{message if message else 'null'} (Service: {service}; Status Code: {status}; "
            f"Error Code: {code}; Request ID: {request_id}; Proxy: null)")


def _no_answer(api: Api, cause: str) -> StatesError:
    if not api.sdk_v1:
        return sdk_errors.client_failure(cause)
    return StatesError(f"{api.prefix}.SdkClientException", cause)


def missing_members(operation_model: Any, request: dict) -> list[str]:
    """The operation's required top-level members the request lacks, in the model's order,
    by their names on the wire in AWS's validation messages (lowerCamelCase: ``item``)."""
    shape = operation_model.input_shape
    return [name[:1].lower() + name[1:] for name in shape.required_members if name not in request]


def validation_error(problems: list[str], code: str = "ValidationException") -> ServiceError:
    """An AWS service front end's answer to a request that breaks its model's constraints:
    ``1 validation error detected: Value null at 'item' failed to satisfy constraint: Member
    must not be null`` (several: ``2 validation errors detected: ...; ...``)."""
    count = len(problems)
    return ServiceError(code, f"{count} validation error{'s' if count > 1 else ''} detected: "
                        + "; ".join(problems), 400)


def null_members(operation_model: Any, request: dict) -> list[str]:
    """``validation_error`` problems for the required members the request lacks."""
    return [f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
            for name in missing_members(operation_model, request)]


def as_json_text(parameters: Any, member: str) -> Any:
    """The task's parameters with ``member`` (a String member of the API: SQS's MessageBody,
    SNS's Message) as JSON text when the task gave any other JSON value, as Step Functions
    sends it."""
    if (isinstance(parameters, dict) and parameters.get(member) is not None
            and not isinstance(parameters[member], str)):
        return {**parameters, member: dumps(parameters[member])}
    return parameters


def patterns_of(service: str, action: str) -> tuple[str | None, ...]:
    """The integration patterns AWS supports for ``service:action`` (the catalog's)."""
    entry = catalog.lookup(service, action)
    return tuple(entry.patterns) if entry is not None else ()


def serving(service: str, action: str) -> Callable[[Any], bool]:
    """``Integration.serves`` for ``arn:aws:states:::SERVICE:ACTION[.PATTERN]``."""
    return lambda resource: (resource.kind == "service" and resource.service == service
                             and resource.action == action)
