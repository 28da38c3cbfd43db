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
from .lambda_local import FunctionNotFound, LocalLambdas


def function_arn(name: str, region: str, account: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def _not_found(lambdas: LocalLambdas, name: str, arn: str, qualifier: str | None) -> StatesError:
    return StatesError(
        "Lambda.ResourceNotFoundException",
        f"Function not found: {arn if qualifier else arn + ':$LATEST'} (Service: AWSLambda; "
        f"Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {uuid.uuid4()}; "
        "Proxy: null)",
        hint=f"no local handler for the Lambda function '{name}': {lambdas.searched(name)}",
    )


def _event(payload: Any) -> Any:
    # Lambda receives JSON text: the handler gets its own copy, never the engine's values
    return json.loads(json.dumps(payload))


def _parse_body(body: bytes) -> Any:
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


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
        error = _parse_body(response.body)
        error_type = error.get("errorType") if isinstance(error, dict) else None
        raise StatesError(error_type or "Lambda.Unknown", response.body.decode("utf-8", "replace"))
    return _parse_body(response.body)


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
    # imported here: email.utils pulls in socket and more, 25 ms of a cold start otherwise
    from email.utils import formatdate

    length = str(len(response.body))
    date = formatdate(usegmt=True)
    trace = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0;Lineage=1:{uuid.uuid4().hex[:8]}:0"
    headers = {
        "Connection": "keep-alive",
        "Content-Length": length,
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": response.request_id,
        "X-Amzn-Trace-Id": trace,
    }
    return {
        "AllHttpHeaders": {k: [v] for k, v in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": response.status_code,
    }


def invoke_service(lambdas: LocalLambdas, invocation: Any, region: str, account: str) -> Any:
    """``Resource: arn:aws:states:::lambda:invoke`` with Parameters FunctionName and Payload."""
    params = invocation.payload if isinstance(invocation.payload, dict) else {}
    function_name = params.get("FunctionName")
    if not isinstance(function_name, str) or not function_name:
        raise StatesError("States.Runtime", "The field 'FunctionName' is required by "
                          "arn:aws:states:::lambda:invoke")
    name, qualifier = _split_function_name(function_name)
    arn = function_arn(name, region, account, qualifier)
    payload = params.get("Payload", {})
    if isinstance(payload, str):
        # Payload is the Invoke API's blob: a string goes to the function as it is, so its
        # text must itself be JSON ("0" arrives as the number 0, as recorded on AWS)
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise StatesError("Runtime.UnmarshalError", json.dumps(
                {"errorMessage": f"Unable to unmarshal input: {exc}",
                 "errorType": "Runtime.UnmarshalError", "requestId": str(uuid.uuid4()),
                 "stackTrace": []}, separators=(",", ":"))) from None
    else:
        event = _event(payload)
    try:
        response = lambdas.invoke(name, event, arn=arn,
                                  timeout_seconds=invocation.timeout_seconds, qualifier=qualifier)
    except FunctionNotFound:
        raise _not_found(lambdas, name, arn, qualifier) from None
    if response.function_error:
        error = _parse_body(response.body)
        if isinstance(error, dict):
            raise StatesError(error.get("errorType") or "Lambda.Unknown",
                              json.dumps(error, separators=(",", ":"), ensure_ascii=False))
        raise StatesError("Lambda.Unknown", str(error))
    version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
    return {
        "ExecutedVersion": version,
        "Payload": _parse_body(response.body),
        "SdkHttpMetadata": _http_metadata(response, version),
        "SdkResponseMetadata": {"RequestId": response.request_id},
        "StatusCode": response.status_code,
    }
