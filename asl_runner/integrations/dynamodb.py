"""``arn:aws:states:::dynamodb:getItem``, ``putItem``, ``updateItem`` and ``deleteItem``
(request-response only, as on AWS).

Parameters and results are DynamoDB's own JSON (attribute values as ``{"S": "text"}``,
``{"N": "1"}``), with the SDK's metadata. DynamoDB answers in AWS JSON 1.0; the headers
Step Functions records are ``Server: Server``, ``Connection``, the request id, ``x-amz-crc32``
(the CRC-32 of the body), ``Content-Length``, ``Date`` and ``Content-Type``, and GetItem's
request id header is spelled ``x-amzn-requestid`` where the others spell it
``x-amzn-RequestId`` (recorded on AWS in November 2025, in every GetItem).
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from ..jsonvalue import dumps
from .aws_sdk.moto_answers import dynamodb_consumed_capacity
from .iam import Grant, Scope
from .optimized import (
    Api,
    MotoGaps,
    Response,
    ServiceError,
    call,
    null_members,
    patterns_of,
    serving,
    validation_error,
)
from .protocol import Environment, Integration

ACTIONS = ("getItem", "putItem", "updateItem", "deleteItem")


def _headers(response: Response) -> dict:
    body = dumps(response.result).encode()
    request_id = "x-amzn-requestid" if response.operation == "GetItem" else "x-amzn-RequestId"
    return {"Server": "Server", "Connection": "keep-alive", request_id: response.request_id,
            "x-amz-crc32": str(zlib.crc32(body)), "Content-Length": str(len(body)),
            "Date": response.date, "Content-Type": "application/x-amz-json-1.0"}


# -- what AWS's DynamoDB answers where moto answers otherwise --------------------------------

#: a table's name, where it is not the table's ARN (DynamoDB's naming rules)
_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def _refuse(operation_model: Any, request: dict) -> ServiceError | None:
    # DynamoDB's front end checks the request against its model first and reports every
    # violation (recorded: "Value null at 'item'", "Value '/x' at 'tableName' ... pattern:
    # [a-zA-Z0-9_.-]+"); moto fails on a missing member and takes any table name
    problems = []
    name = request.get("TableName")
    if isinstance(name, str) and not name.startswith("arn:"):
        def fail(constraint: str) -> None:
            problems.append(f"Value '{name}' at 'tableName' failed to satisfy constraint: "
                            f"Member must {constraint}")

        if not _TABLE_NAME.fullmatch(name):
            fail("satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        if len(name) < 3:
            fail("have length greater than or equal to 3")
        elif len(name) > 255:
            fail("have length less than or equal to 255")
    problems += null_members(operation_model, request)
    return validation_error(problems) if problems else None


def _response(operation_model: Any, request: dict, response: dict) -> None:
    dynamodb_consumed_capacity(request, response)


API = Api("dynamodb", "DynamoDB", sdk_service="AmazonDynamoDBv2",
          base_exception="AmazonDynamoDBException", headers=_headers,
          moto_gaps=MotoGaps(refuse=_refuse, response=_response))


def _perform(invocation: Any, env: Environment) -> Any:
    return call(API, invocation, env)


def _permissions(scope: Scope) -> list[Grant]:
    # dynamo-iam.html: the API's own action on the table (TableName may also be its ARN)
    action = f"dynamodb:{scope.resource.action[:1].upper()}{scope.resource.action[1:]}"
    table = scope.constant("TableName")
    if table is None:
        return [Grant((action,), (scope.arn("dynamodb", "table/*"),), scope.any_of("table", "TableName"))]
    return [Grant((action,), (table if table.startswith("arn:") else scope.arn("dynamodb", f"table/{table}"),))]


INTEGRATIONS = tuple(
    # connect-ddb.html: these four APIs, request-response only
    Integration(f"dynamodb:{action}", perform=_perform, patterns=patterns_of("dynamodb", action),
                serves=serving("dynamodb", action), permissions=_permissions)
    for action in ACTIONS
)
