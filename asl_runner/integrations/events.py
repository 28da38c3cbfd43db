"""``arn:aws:states:::events:putEvents`` (and ``.waitForTaskToken``): send events to an
EventBridge bus.

What the optimized integration adds to PutEvents (connect-eventbridge.html, and recorded):

- an entry's ``Detail`` that is a JSON object is sent as its JSON text (a string is sent as
  it is, so it must itself be an object's JSON text);
- the state machine's ARN and the execution's ARN are appended to each entry's
  ``Resources``;
- a response with a non-zero ``FailedEntryCount`` fails the task with
  ``EventBridge.FailedEntry``, the response (``Entries``, ``FailedEntryCount``) as JSON text
  its cause;
- the result is PutEvents' response alone, without the SDK's metadata.
"""

from __future__ import annotations

from typing import Any

from ..errors import StatesError
from ..jsonvalue import JsonInputError, dumps, loads
from .aws import REAL
from .iam import Grant, Scope
from .optimized import Api, call, patterns_of, serving
from .protocol import Environment, Integration

API = Api("events", "EventBridge", sdk_v1=False)

#: EventBridge's verdict on an entry whose Detail is not a JSON object's text (recorded)
MALFORMED = {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}


def _entry(entry: Any, context: dict) -> Any:
    if not isinstance(entry, dict):
        return entry  # the request cannot be built: to_request says why
    entry = dict(entry)
    if isinstance(entry.get("Detail"), dict):
        entry["Detail"] = dumps(entry["Detail"])
    resources = entry.get("Resources")
    if resources is None or isinstance(resources, list):
        entry["Resources"] = [*(resources or []), *_arns(context)]
    return entry


def _arns(context: dict) -> list[str]:
    """The state machine's and the execution's ARN, from the context object."""
    found = [(context.get(key) or {}).get("Id") for key in ("StateMachine", "Execution")]
    return [arn for arn in found if isinstance(arn, str)]


def _malformed(entry: Any) -> bool:
    """Whether EventBridge refuses the entry's Detail (moto takes any JSON text)."""
    detail = entry.get("Detail") if isinstance(entry, dict) else None
    if not isinstance(detail, str) or not detail:
        return False  # moto answers these as EventBridge does
    try:
        return not isinstance(loads(detail), dict)
    except JsonInputError:
        return True


def _perform(invocation: Any, env: Environment) -> Any:
    params = invocation.payload
    entries = params.get("Entries") if isinstance(params, dict) else None
    if not isinstance(entries, list):
        return _checked(call(API, invocation, env))
    entries = [_entry(entry, invocation.context) for entry in entries]
    refused = [env.aws.mode != REAL and _malformed(entry) for entry in entries]
    if not any(refused):
        return _checked(call(API, invocation, env, {**params, "Entries": entries}))
    sent = [entry for entry, bad in zip(entries, refused, strict=True) if not bad]
    answered = iter(call(API, invocation, env, {**params, "Entries": sent}).get("Entries", [])
                    if sent else ())
    # EventBridge answers for each entry in order, the refused ones included
    results = [dict(MALFORMED) if bad else next(answered, {}) for bad in refused]
    return _checked({"Entries": results,
                     "FailedEntryCount": sum(1 for r in results if "ErrorCode" in r)})


def _checked(result: dict) -> dict:
    if result.get("FailedEntryCount"):
        raise StatesError("EventBridge.FailedEntry", dumps(result))
    return result


def _permissions(scope: Scope) -> list[Grant]:
    """eventbridge-iam.html: PutEvents on each event bus the entries name (default: the
    account's default bus)."""
    entries = scope.arguments.get("Entries") if type(scope.arguments) is dict else None
    if type(entries) is not list or scope.dynamic("Entries"):
        return [Grant(("events:PutEvents",), (scope.arn("events", "event-bus/*"),),
                      scope.any_of("event bus", "Entries"))]
    buses: dict[str, None] = {}
    note = None
    for entry in entries:
        bus = scope.constant("EventBusName", entry)
        if bus is None and scope.dynamic("EventBusName", entry):
            bus, note = "*", scope.any_of("event bus", "EventBusName")
        bus = bus or "default"
        buses[bus if bus.startswith("arn:") else scope.arn("events", f"event-bus/{bus}")] = None
    return [Grant(("events:PutEvents",), tuple(buses), note)]


INTEGRATIONS = (
    # connect-eventbridge.html: PutEvents, request-response and .waitForTaskToken
    Integration("events:putEvents", perform=_perform, patterns=patterns_of("events", "putEvents"),
                serves=serving("events", "putEvents"), permissions=_permissions),
)
