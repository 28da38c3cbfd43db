"""Task states that call Lambda: a function ARN (or bare name), and ``lambda:invoke``.

The two differ on AWS, and so here: a function ARN returns the function's own result and
reports a function error with the runtime's error text as the cause (``LambdaFunction*``
events); ``arn:aws:states:::lambda:invoke`` wraps the result in the Invoke API's response
(ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode) and re-encodes
an error's cause as compact JSON (``Task*`` events).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..errors import StatesError
from ..jsonvalue import JsonInputError, dumps, loads
from .catalog import lookup
from .iam import Grant, Scope
from .lambda_local import FunctionNotFound, InvokeResponse, LocalLambdas
from .metadata import http_date, sdk_metadata
from .protocol import Environment, Integration


def function_arn(name: str, region: str, account: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def _not_found(lambdas: LocalLambdas, name: str, arn: str, qualifier: str | None) -> StatesError:
    return _aws_error("ResourceNotFoundException", 404, "Function not found: "
                      f"{arn if qualifier else arn + ':$LATEST'}",
                      hint=f"no local handler for the Lambda function '{name}': "
                      f"{lambdas.searched(name)}")


def _aws_error(error_code: str, status: int, message: str, hint: str | None = None) -> StatesError:
    """A Lambda API error as Step Functions reports it: ``Lambda.CODE`` and the SDK's text."""
    return StatesError(f"Lambda.{error_code}", f"{message} (Service: AWSLambda; Status Code: "
                       f"{status}; Error Code: {error_code}; Request ID: {uuid.uuid4()}; "
                       "Proxy: null)", hint=hint)


def _event(payload: Any) -> Any:
    # Lambda receives JSON text: the handler gets its own copy, never the engine's values
    return json.loads(json.dumps(payload))


def _result(response: InvokeResponse, name: str) -> Any:
    """The function's result, read from the response body as Step Functions reads it."""
    try:
        return loads(response.body)
    except JsonInputError as exc:
        # The Python runtime writes NaN and Infinity (json's default), AWS's JSON parser
        # refuses them. What Step Functions then records is not documented: asl-runner fails
        # the task with States.Runtime, the error AWS documents for data it cannot process
        # (neither States.ALL nor States.TaskFailed catch it), rather than pass on a value no
        # AWS service would accept.
        raise StatesError(
            "States.Runtime", f"The response of the Lambda function '{name}' is not valid "
            f"JSON: {exc}",
            hint=f"the handler of '{name}' must return JSON as AWS reads it: no NaN or "
            "Infinity (float('nan'), float('inf')), at most 1,000 levels deep, and bytes only "
            "of JSON text") from None


def _function_error(response: InvokeResponse, compact: bool) -> StatesError:
    """A function error: named by the error object's errorType (Lambda.Unknown without
    one), its cause the body as Lambda returned it, or re-encoded compactly (``compact``,
    as lambda:invoke does)."""
    text = response.body.decode("utf-8", "replace")
    try:
        error = loads(response.body)
    except JsonInputError:
        error = None
    if not isinstance(error, dict):
        return StatesError("Lambda.Unknown", text)
    error_type = error.get("errorType")
    return StatesError(error_type if isinstance(error_type, str) and error_type else "Lambda.Unknown",
                       dumps(error) if compact else text)


def invoke_function(lambdas: LocalLambdas, invocation: Any, region: str, account: str) -> Any:
    """``Resource: arn:aws:lambda:...:function:NAME`` (or a bare name)."""
    resource = invocation.resource
    name = resource.function_name
    arn = function_arn(name, resource.region or region, resource.account or account,
                       resource.qualifier)
    try:
        response = lambdas.invoke(name, _event(invocation.payload), arn=arn,
                                  timeout_seconds=invocation.timeout_seconds,
                                  qualifier=resource.qualifier)
    except FunctionNotFound:
        raise _not_found(lambdas, name, arn, resource.qualifier) from None
    if response.function_error:
        raise _function_error(response, compact=False)
    return _result(response, name)


def _split_function_name(value: str) -> tuple[str, str | None]:
    """FunctionName may be a name, ``name:qualifier``, a partial or a full ARN."""
    parts = value.split(":")
    if value.startswith("arn:"):
        # arn:aws:lambda:region:account:function:name[:qualifier]
        return parts[6] if len(parts) > 6 else parts[-1], parts[7] if len(parts) > 7 else None
    if len(parts) >= 3 and parts[1] == "function":  # account:function:name[:qualifier]
        return parts[2], parts[3] if len(parts) > 3 else None
    if len(parts) == 2:
        return parts[0], parts[1]
    return value, None


def _http_metadata(response: Any, version: str) -> dict:
    trace = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0;Lineage=1:{uuid.uuid4().hex[:8]}:0"
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(response.body)),
        "Content-Type": "application/json",
        "Date": http_date(),
        "X-Amz-Executed-Version": version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": response.request_id,
        "X-Amzn-Trace-Id": trace,
    }
    return sdk_metadata(headers, response.request_id, response.status_code)


def _invoke_event(payload: Any) -> Any:
    """The event the function receives for lambda:invoke's ``Payload``."""
    if payload is None:
        # Step Functions sends no payload for a null (or absent) one, and Lambda gives a
        # function invoked without a payload the event {}
        return {}
    if not isinstance(payload, str):
        return _event(payload)
    # a string is the Invoke API's blob, sent as it is: its text must itself be JSON
    # ("0" arrives as the number 0, as recorded on AWS), or Lambda's Invoke refuses it
    if not payload.strip():
        return {}
    try:
        return loads(payload)
    except JsonInputError as exc:
        raise _aws_error("InvalidRequestContentException", 400,
                         "Could not parse request body into json: Could not parse payload into "
                         f"json: {exc}") from None


def invoke_service(lambdas: LocalLambdas, invocation: Any, region: str, account: str) -> Any:
    """``Resource: arn:aws:states:::lambda:invoke`` with Parameters FunctionName and Payload."""
    params = invocation.payload if isinstance(invocation.payload, dict) else {}
    function_name = params.get("FunctionName")
    if not isinstance(function_name, str) or not function_name:
        raise StatesError("States.Runtime", "The field 'FunctionName' is required by "
                          "arn:aws:states:::lambda:invoke")
    name, qualifier = _split_function_name(function_name)
    arn = function_arn(name, region, account, qualifier)
    event = _invoke_event(params.get("Payload"))
    try:
        response = lambdas.invoke(name, event, arn=arn,
                                  timeout_seconds=invocation.timeout_seconds, qualifier=qualifier)
    except FunctionNotFound:
        raise _not_found(lambdas, name, arn, qualifier) from None
    if response.function_error:
        raise _function_error(response, compact=True)
    version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
    return {
        "ExecutedVersion": version,
        "Payload": _result(response, name),
        **_http_metadata(response, version),
        "StatusCode": response.status_code,
    }


def _perform_function(invocation: Any, env: Environment) -> Any:
    env.aws.prepare()  # a handler that uses boto3 reaches the same account as the definition
    return invoke_function(env.lambdas, invocation, env.region, env.account)


def _perform_invoke(invocation: Any, env: Environment) -> Any:
    env.aws.prepare()
    return invoke_service(env.lambdas, invocation, env.region, env.account)


def function_resources(scope: Scope, function: str) -> tuple[str, ...]:
    """The function ``function`` (a name, ``name:qualifier``, a partial or a full ARN) and
    its versions and aliases (``:*``), as lambda-iam.html grants them."""
    name, _ = _split_function_name(function)
    parts = function.split(":")
    if function.startswith("arn:") and len(parts) > 6:
        base = ":".join(parts[:7])
    else:
        account = parts[0] if len(parts) >= 3 and parts[1] == "function" else scope.account
        base = f"arn:{scope.partition}:lambda:{scope.region}:{account}:function:{name}"
    return base, f"{base}:*"


def _function_permissions(scope: Scope) -> list[Grant]:
    return [Grant(("lambda:InvokeFunction",), function_resources(scope, scope.resource.arn))]


def _invoke_permissions(scope: Scope) -> list[Grant]:
    function = scope.constant("FunctionName")
    if function is None:
        return [Grant(("lambda:InvokeFunction",), (scope.arn("lambda", "function:*"),),
                      scope.any_of("Lambda function", "FunctionName"))]
    return [Grant(("lambda:InvokeFunction",), function_resources(scope, function))]


INTEGRATIONS = (
    # arn:aws:lambda:REGION:ACCOUNT:function:NAME (and, under `run`, a bare name): Lambda's
    # own resource, request-response only
    Integration("lambda function", serves=lambda resource: resource.kind == "lambda",
                perform=_perform_function, permissions=_function_permissions),
    Integration("lambda:invoke", serves=lambda resource: resource.is_lambda_invoke,
                perform=_perform_invoke, patterns=tuple(lookup("lambda", "invoke").patterns),
                permissions=_invoke_permissions),
)
