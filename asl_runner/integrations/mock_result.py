"""A TestState mock's ``result`` checked against the response shape of the API it stands for
(``mock.fieldValidationMode``): STRICT (the default) wants every required field and checks
every present one, PRESENT checks the present ones, NONE checks nothing.

What AWS checks, from its documentation (test-state-isolation.html, "Mock validation modes")
and TestState responses recorded on AWS (LocalStack's snapshots of them):

- the shape is the botocore model's output of the operation, fields in Step Functions'
  PascalCase (``executionArn`` is no field of StartExecution's result: its ``ExecutionArn`` is
  missing); a field the model does not have is ignored in every mode;
- a ``.sync`` task's result is the response of the API Step Functions polls:
  ``states:startExecution.sync`` is DescribeExecution's. asl-runner knows the poll of that
  one only; the other ``.sync`` results, ``.waitForTaskToken`` results (the callback's
  output), Lambda function ARNs and activities have no shape to check;
- HTTP Tasks, API Gateway and EKS ``call``/``runJob`` are not checked (AWS says so);
- the raw API's types, not the task's: a blob (Lambda Invoke's ``Payload`` too) and a
  timestamp must be strings, integers and floats numbers, an enum one of its values, and a
  string or blob as long and a number as large as the model allows.

The messages are AWS's (``Mock result schema validation error: Field 'Entries' must be an
array``); where none was recorded (an object, a boolean, a too long string, a result that is
no object) asl-runner words them the same way.
"""

from __future__ import annotations

from typing import Any

from .aws_sdk import names, service_model

STRICT, PRESENT, NONE = "STRICT", "PRESENT", "NONE"
MODES = (STRICT, PRESENT, NONE)
PREFIX = "Mock result schema validation error: "
SDK = "aws-sdk:"
#: optimized integrations whose results AWS does not validate (and the EKS actions of them)
_UNCHECKED_SERVICES = frozenset({"http", "apigateway"})
_UNCHECKED_ACTIONS = frozenset({("eks", "call"), ("eks", "runJob")})
#: the API a .sync task's result comes from (the one Step Functions polls)
_POLLED = {("states", "startExecution"): "describeExecution"}


class MockResultProblem(ValueError):
    """The mocked result does not fit the API's response shape: ``str()`` is AWS's message."""


def response_shape(resource: Any) -> Any:
    """botocore's output shape of the API a Task's ``resource`` calls (None: none to check)."""
    if getattr(resource, "kind", None) != "service":
        return None
    service, action, pattern = resource.service, resource.action, resource.pattern
    if service.startswith(SDK):
        if pattern is not None:
            return None
        sdk = service[len(SDK):]
    else:
        from .catalog import SERVICES

        entry = SERVICES.get(service)
        if entry is None or entry.sdk is None or service in _UNCHECKED_SERVICES \
                or (service, action) in _UNCHECKED_ACTIONS:
            return None
        if pattern in ("sync", "sync:2"):
            action = _POLLED.get((service, action))
        elif pattern is not None:
            return None
        sdk = entry.sdk
    botocore_name = names.botocore_service(sdk)
    if botocore_name is None or action is None:
        return None
    model = service_model(botocore_name)
    operation = names.operation_name(model, action)
    if operation is None:  # an optimized action named otherwise than its API (EMR's)
        return None
    return model.operation_model(operation).output_shape


def check(result: Any, resource: Any, mode: str = STRICT) -> None:
    """Raise :class:`MockResultProblem` if ``result`` does not fit ``resource``'s response."""
    if mode == NONE:
        return
    shape = response_shape(resource)
    if shape is None:
        return
    if not isinstance(result, dict):
        raise MockResultProblem(PREFIX + "The mocked result must be a JSON object")
    _structure(result, shape, mode == STRICT)


def _structure(value: dict, shape: Any, strict: bool) -> None:
    fields = {names.member_name(name): member for name, member in shape.members.items()}
    if strict:
        for name in shape.required_members:
            if names.member_name(name) not in value:
                raise MockResultProblem(f"{PREFIX}Required field '{names.member_name(name)}' is missing")
    for key, item in value.items():
        member = fields.get(key)
        if member is not None:
            _value(item, member, key, strict)


def _fail(field: str, problem: str) -> None:
    raise MockResultProblem(f"{PREFIX}Field '{field}' {problem}")


def _value(value: Any, shape: Any, field: str, strict: bool) -> None:
    if value is None:  # an absent value, as the SDK reads a null
        return
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return
        if not isinstance(value, dict):
            _fail(field, "must be an object")
        _structure(value, shape, strict)
    elif kind == "list":
        if not isinstance(value, list):
            _fail(field, "must be an array")
        for item in value:
            _value(item, shape.member, field, strict)
    elif kind == "map":
        if not isinstance(value, dict):
            _fail(field, "must be an object")
        for item in value.values():
            _value(item, shape.value, field, strict)
    elif kind in ("string", "blob", "timestamp"):
        if not isinstance(value, str):
            _fail(field, "must be a string")
        if getattr(shape, "enum", None) and value not in shape.enum:
            _fail(field, "is not an expected value")
        if kind != "timestamp":
            _length(value, shape, field)
    elif kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(field, "must be a number")
        _range(value, shape, field)
    elif kind == "boolean" and not isinstance(value, bool):
        _fail(field, "must be a boolean")


def _length(value: str, shape: Any, field: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and len(value) < low:
        _fail(field, "is smaller than the minimum length")
    if high is not None and len(value) > high:  # asl-runner's words, after AWS's for minimums
        _fail(field, "exceeds the maximum length")


def _range(value: float, shape: Any, field: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        _fail(field, "is less than the minimum value")
    if high is not None and value > high:
        _fail(field, "exceeds the maximum value")
