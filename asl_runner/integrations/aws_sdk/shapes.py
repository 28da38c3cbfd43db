"""Parameters into a botocore request, and a botocore response into the task's result, as
Step Functions shapes them (it reads and writes the AWS SDK for Java 2.x's objects as JSON).

Into the request: fields are the model's members in PascalCase (:func:`names.member_name`);
a map's keys are data and stay as they are. A number or a boolean where a string is modelled
becomes its JSON text (``1`` -> ``"1"``), as the JSON reader Step Functions uses coerces
scalars; an object or an array there cannot be read. The operation's payload blob (S3
PutObject's ``Body``, Lambda Invoke's ``Payload``) is text: a string as it is, any other
value as its compact JSON text (recorded on AWS: ``"Body": {"Dict": "Value"}`` stores
``{"Dict":"Value"}``), sent as ``text/plain; charset=UTF-8`` unless ``ContentType`` says
otherwise, as the SDK's ``RequestBody.fromString`` does. A blob inside a document
(DynamoDB's ``B``) is base64 text, as in the service's own JSON.

Out of the response: PascalCase fields again, no ``ResponseMetadata``, the payload blob as
UTF-8 text (recorded: S3 GetObject's ``"Body": "binary data"``), other blobs as base64, and
timestamps as ISO-8601 text in UTC.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from typing import Any

from ...jsonvalue import dumps, type_label
from .names import member_name

#: what the SDK's RequestBody.fromString declares (recorded: an object S3 PutObject stored
#: from a task has ContentType "text/plain; charset=UTF-8")
TEXT_CONTENT_TYPE = "text/plain; charset=UTF-8"


class ParameterProblem(ValueError):
    """The parameters do not fit the operation's input shape; ``path`` says where."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def _child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if type(key) is int else (f"{path}.{key}" if path else key)


# ---------------------------------------------------------------------------------- request

def to_request(parameters: Any, input_shape: Any) -> dict:
    """botocore's keyword arguments for an operation whose input is ``input_shape``."""
    if parameters is None:
        parameters = {}
    if input_shape is None:
        if parameters:
            raise ParameterProblem("", "this action takes no parameters")
        return {}
    payload = input_shape.serialization.get("payload")
    request = _structure(parameters, input_shape, "", payload)
    if payload and payload in request and isinstance(request[payload], bytes) \
            and "ContentType" in input_shape.members and "ContentType" not in request:
        request["ContentType"] = TEXT_CONTENT_TYPE
    return request


def _structure(value: Any, shape: Any, path: str, payload: str | None = None) -> dict:
    if not isinstance(value, dict):
        raise ParameterProblem(path, f"must be an object, not {_a(value)}")
    fields = {member_name(name): name for name in shape.members}
    out = {}
    for key, item in value.items():
        name = fields.get(key)
        if name is None:
            raise ParameterProblem(_child(path, key), _unknown_field(key, fields, shape.name))
        member = shape.members[name]
        if name == payload and member.type_name == "blob":
            out[name] = _payload_blob(item)
        else:
            out[name] = _value(item, member, _child(path, key))
    return out


def _unknown_field(key: str, fields: dict[str, str], shape_name: str) -> str:
    hint = ""
    for field in fields:
        if field.lower() == key.lower():
            hint = f" (did you mean '{field}'? Step Functions writes parameters in PascalCase)"
            break
    return f"'{key}' is not a field of {shape_name}{hint}"


def _value(value: Any, shape: Any, path: str) -> Any:
    kind = shape.type_name
    if value is None:
        return None  # botocore reports a null where it matters
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        return _structure(value, shape, path)
    if kind == "list":
        if not isinstance(value, list):
            raise ParameterProblem(path, f"must be an array, not {_a(value)}")
        return [_value(item, shape.member, _child(path, i)) for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise ParameterProblem(path, f"must be an object, not {_a(value)}")
        return {k: _value(v, shape.value, _child(path, k)) for k, v in value.items()}
    if kind == "string":
        return _string(value, path)
    if kind in ("integer", "long"):
        return _integer(value, path, kind)
    if kind in ("float", "double"):
        return _number(value, path)
    if kind == "boolean":
        return _boolean(value, path)
    if kind == "blob":
        return _base64(value, path)
    if kind == "timestamp":
        return _timestamp(value, path)
    return value  # documents


def _a(value: Any) -> str:
    label = type_label(value)
    return f"an {label}" if label[0] in "aeiou" else f"a {label}"


def _string(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return dumps(value)
    raise ParameterProblem(path, f"must be a string, not {_a(value)}")


#: the Java SDK's types for the model's integers: a value out of their range cannot be read
_JAVA_RANGES = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}


def _integer(value: Any, path: str, kind: str = "long") -> int:
    number = _whole_number(value)
    if number is None:
        raise ParameterProblem(path, f"must be an integer, not {dumps(value)}")
    low, high = _JAVA_RANGES[kind]
    if not low <= number <= high:
        raise ParameterProblem(path, f"must be an integer from {low} to {high}, not {number}")
    return number


def _whole_number(value: Any) -> int | None:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _number(value: Any, path: str) -> float:
    if type(value) in (int, float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise ParameterProblem(path, f"must be a number, not {dumps(value)}")


def _boolean(value: Any, path: str) -> bool:
    if type(value) is bool:
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ParameterProblem(path, f"must be a boolean, not {dumps(value)}")


def _timestamp(value: Any, path: str) -> Any:
    """ISO-8601 text or epoch seconds, as botocore reads them; checked here, since botocore
    reports a value it cannot place in time (``1e308``) with a RuntimeError of its own."""
    from botocore.utils import parse_timestamp

    if not isinstance(value, bool) and isinstance(value, (str, int, float)):
        try:
            parse_timestamp(value)
            return value
        except (ValueError, TypeError, OverflowError, OSError, RuntimeError):
            pass
    raise ParameterProblem(path, f"must be a timestamp (ISO-8601 text or epoch seconds), not {dumps(value)}")


def _payload_blob(value: Any) -> bytes:
    text = value if isinstance(value, str) else dumps(value)
    return text.encode("utf-8")


def _base64(value: Any, path: str) -> bytes:
    if not isinstance(value, str):
        raise ParameterProblem(path, f"must be base64 text, not {_a(value)}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ParameterProblem(path, "must be base64 text") from None


# --------------------------------------------------------------------------------- response

def from_response(response: Any, output_shape: Any) -> dict:
    """The task's result for botocore's parsed ``response``."""
    if not isinstance(response, dict) or output_shape is None:
        return {}
    payload = output_shape.serialization.get("payload")
    out = {}
    for name, value in response.items():
        member = output_shape.members.get(name)
        if member is None:
            continue  # ResponseMetadata, and whatever else botocore adds of its own
        if name == payload and member.type_name == "blob":
            out[member_name(name)] = _text(value)
        else:
            out[member_name(name)] = _result(value, member)
    return out


def _result(value: Any, shape: Any) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure" and not shape.metadata.get("document") and isinstance(value, dict):
        return {member_name(k): _result(v, shape.members[k]) if k in shape.members else v
                for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_result(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _result(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return timestamp_text(value)
    if kind == "blob":
        if hasattr(value, "read"):  # a streaming blob that is not the payload
            return _text(value)
        return base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
    return value


def _text(value: Any) -> str:
    """A payload blob (bytes or a stream) as text: what the SDK's ``asUtf8String`` gives."""
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else dumps(value)


def timestamp_text(value: Any) -> Any:
    """A timestamp as ISO-8601 text in UTC, with milliseconds (or finer) only when there are
    any, as Java's ``Instant.toString`` writes it (``2024-05-03T14:05:04Z``,
    ``2024-05-03T14:05:04.120Z``). Step Functions' exact rendering is not documented (the
    recordings replace it with a placeholder); this is the JSON text of the SDK's Instant."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = _dt.datetime.fromtimestamp(value, _dt.UTC)
    if not isinstance(value, _dt.datetime):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(_dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    micro = value.microsecond
    if micro:
        text += f".{micro // 1000:03d}" if micro % 1000 == 0 else f".{micro:06d}"
    return text + "Z"
