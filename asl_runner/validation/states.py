"""One state: its Type, which fields it may have in its query language, and their values.

Transitions (whether a Next names a state) are checked by the machine, which sees all the
names; Parallel branches and Map processors are returned to the machine to check in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from .choice import check_choices
from .fields import (
    ALLOWED,
    ANY_STATE,
    STATE_TYPES,
    TRANSITIONING,
    check_members,
    language_message,
)
from .map_config import check_item_batcher, check_item_reader, check_processor_config, check_result_writer
from .report import Report, a_type, child, did_you_mean, listing, quote
from .retry_catch import check_catch, check_retry
from .values import (
    JSONATA,
    JSONPATH,
    MAX_SECONDS,
    QUERY_LANGUAGES,
    check_assign,
    check_boolean,
    check_enum,
    check_expression,
    check_integer,
    check_jsonata_value,
    check_label,
    check_number,
    check_object,
    check_object_or_expression,
    check_path,
    check_path_or_intrinsic,
    check_string,
    check_task_resource,
    check_template,
    check_timestamp,
    is_expression,
    is_integer,
)

#: longest state name AWS accepts
MAX_STATE_NAME = 80


class SubMachine(NamedTuple):
    """A Parallel branch or a Map processor, to be checked as a machine of its own."""

    pointer: str
    node: Any
    kind: str  # "branch" or "processor"


Check = Callable[[Report, str, Any, str], Any]


def _jsonpath_or_jsonata(report: Report, pointer: str, value: Any, language: str) -> None:
    if language == JSONPATH:
        check_template(report, pointer, value)
    else:
        check_jsonata_value(report, pointer, value)


def _arguments(report: Report, pointer: str, value: Any, language: str) -> None:
    check_object_or_expression(report, pointer, value, "Arguments")


def _items(report: Report, pointer: str, value: Any, language: str) -> None:
    if isinstance(value, str):
        check_expression(report, pointer, value, "Items")
    elif type(value) is list:
        check_jsonata_value(report, pointer, value)
    else:
        report.add(pointer, f"'Items' must be an array or a JSONata expression, not {a_type(value)}")


def _error_or_cause(field: str) -> Check:
    def check(report: Report, pointer: str, value: Any, language: str) -> None:
        if check_string(report, pointer, value, field) and language == JSONATA and is_expression(value):
            check_expression(report, pointer, value, field)
    return check


def _credentials(report: Report, pointer: str, value: Any, language: str) -> None:
    if check_object(report, pointer, value, "Credentials"):
        _jsonpath_or_jsonata(report, pointer, value, language)


def _ref_path(field: str) -> Check:
    return lambda r, p, v, lang: check_path(r, p, v, field, reference=True)


def _string(field: str) -> Check:
    return lambda r, p, v, lang: check_string(r, p, v, field)


def _seconds(field: str, minimum: int) -> Check:
    return lambda r, p, v, lang: check_integer(r, p, v, field, minimum=minimum, maximum=MAX_SECONDS,
                                                jsonata=lang == JSONATA)


def _count(field: str) -> Check:
    return lambda r, p, v, lang: check_integer(r, p, v, field, minimum=0, jsonata=lang == JSONATA)


#: the checks of fields whose value can be judged on its own
_FIELD_CHECKS: dict[str, Check] = {
    "Comment": _string("Comment"),
    "Next": _string("Next"),
    "Default": _string("Default"),
    "End": lambda r, p, v, lang: check_boolean(r, p, v, "End"),
    "InputPath": lambda r, p, v, lang: check_path(r, p, v, "InputPath", nullable=True),
    "OutputPath": lambda r, p, v, lang: check_path(r, p, v, "OutputPath", nullable=True),
    "ResultPath": lambda r, p, v, lang: check_path(r, p, v, "ResultPath", nullable=True,
                                                   reference=True, input_only=True),
    "ItemsPath": lambda r, p, v, lang: check_path(r, p, v, "ItemsPath"),
    "Parameters": lambda r, p, v, lang: check_template(r, p, v),
    "ResultSelector": lambda r, p, v, lang: check_template(r, p, v),
    "ItemSelector": _jsonpath_or_jsonata,
    "Assign": lambda r, p, v, lang: check_assign(r, p, v, lang),
    "Arguments": _arguments,
    "Output": lambda r, p, v, lang: check_jsonata_value(r, p, v),
    "Items": _items,
    "Retry": lambda r, p, v, lang: check_retry(r, p, v),
    "Catch": check_catch,
    "Credentials": _credentials,
    "Resource": lambda r, p, v, lang: check_task_resource(r, p, v),
    "Choices": check_choices,
    "Seconds": _seconds("Seconds", 0),
    "Timestamp": lambda r, p, v, lang: check_timestamp(r, p, v, "Timestamp", jsonata=lang == JSONATA),
    "TimeoutSeconds": _seconds("TimeoutSeconds", 1),
    "HeartbeatSeconds": _seconds("HeartbeatSeconds", 1),
    "MaxConcurrency": _count("MaxConcurrency"),
    "ToleratedFailureCount": _count("ToleratedFailureCount"),
    "ToleratedFailurePercentage": lambda r, p, v, lang: check_number(
        r, p, v, "ToleratedFailurePercentage", minimum=0, maximum=100, jsonata=lang == JSONATA),
    "Label": lambda r, p, v, lang: check_label(r, p, v),
    "Error": _error_or_cause("Error"),
    "Cause": _error_or_cause("Cause"),
    "ErrorPath": lambda r, p, v, lang: check_path_or_intrinsic(r, p, v, "ErrorPath"),
    "CausePath": lambda r, p, v, lang: check_path_or_intrinsic(r, p, v, "CausePath"),
}
for _field in ("SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
               "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"):
    _FIELD_CHECKS[_field] = _ref_path(_field)

#: pairs of fields a state may not have together
_EXCLUSIVE = (
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
    ("Parameters", "ItemSelector"),
    ("Iterator", "ItemProcessor"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
)

_WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")


def state_language(report: Report, pointer: str, state: dict, inherited: str) -> str:
    """The state's query language: its own QueryLanguage or the one it inherits."""
    if "QueryLanguage" not in state:
        return inherited
    value = state["QueryLanguage"]
    where = child(pointer, "QueryLanguage")
    if not check_enum(report, where, value, "QueryLanguage", QUERY_LANGUAGES):
        return inherited
    if value == JSONPATH and inherited == JSONATA:
        report.add(where, "'QueryLanguage' cannot be JSONPath in a state machine whose "
                          "QueryLanguage is JSONata")
    return value


def check_state_name(report: Report, pointer: str, name: str) -> None:
    if not name:
        report.add(pointer, "a state name must not be empty")
    elif len(name) > MAX_STATE_NAME:
        report.add(pointer, f"state name '{name[:20]}...' is {len(name)} characters long; "
                            f"the limit is {MAX_STATE_NAME}")


def check_state(report: Report, pointer: str, state: Any, inherited: str) -> list[SubMachine]:
    """Check one state; returns its branches or processors for the machine to check."""
    if type(state) is not dict:
        report.add(pointer, f"a state must be an object, not {a_type(state)}")
        return []
    language = state_language(report, pointer, state, inherited)
    other = JSONATA if language == JSONPATH else JSONPATH
    kind = state.get("Type")
    if "Type" not in state:
        report.add(pointer, f"missing required field 'Type' (one of {listing(STATE_TYPES)})")
    elif kind not in STATE_TYPES or not isinstance(kind, str):
        report.add(child(pointer, "Type"), f"'Type' must be one of {listing(STATE_TYPES)}, not "
                                           f"{quote(kind)}{did_you_mean(kind, STATE_TYPES)}")
    if kind not in STATE_TYPES or not isinstance(kind, str):
        # without a type only the fields no state has can be reported
        check_members(report, pointer, state, ANY_STATE[language], "a state", language,
                      ANY_STATE[other])
        return []

    allowed = ALLOWED[(kind, language)]
    for key in state:
        if key in allowed:
            continue
        where = child(pointer, key)
        if key in ALLOWED[(kind, other)]:
            report.add(where, language_message(key, language))
        elif key in ANY_STATE[language] or key in ANY_STATE[other]:
            report.add(where, f"field '{key}' is not supported in a {kind} state")
        else:
            report.add(where, f"unknown field '{key}' in a {kind} state{did_you_mean(key, allowed)}")

    for key, value in state.items():
        check = _FIELD_CHECKS.get(key)
        if check is not None and key in allowed:
            check(report, child(pointer, key), value, language)

    for first, second in _EXCLUSIVE:
        if first in state and second in state and first in allowed and second in allowed:
            later = second if list(state).index(second) > list(state).index(first) else first
            report.add(child(pointer, later), f"'{first}' and '{second}' cannot be used together")

    if kind in TRANSITIONING:
        _check_next_or_end(report, pointer, state, kind)
    return _TYPE_CHECKS[kind](report, pointer, state, language)


def _check_next_or_end(report: Report, pointer: str, state: dict, kind: str) -> None:
    end = state.get("End") is True
    if "Next" in state and end:
        report.add(child(pointer, "End"), "a state has either 'Next' or '\"End\": true', not both")
    elif "Next" not in state and not end:
        report.add(pointer, f"a {kind} state needs 'Next' (the state to go to) or '\"End\": true'")


def _require(report: Report, pointer: str, state: dict, field: str, what: str) -> bool:
    if field not in state:
        report.add(pointer, f"missing required field '{field}' ({what})")
        return False
    return True


def _no_more(report: Report, pointer: str, state: dict, language: str) -> list[SubMachine]:
    return []


def _task(report: Report, pointer: str, state: dict, language: str) -> list[SubMachine]:
    _require(report, pointer, state, "Resource", "the ARN of the work to do")
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if is_integer(timeout) and is_integer(heartbeat) and heartbeat >= timeout:
        report.add(child(pointer, "HeartbeatSeconds"),
                   f"'HeartbeatSeconds' ({heartbeat:g}) must be smaller than 'TimeoutSeconds' "
                   f"({timeout:g})")
    return []


def _choice(report: Report, pointer: str, state: dict, language: str) -> list[SubMachine]:
    _require(report, pointer, state, "Choices", "a non-empty array of choice rules")
    return []


def _wait(report: Report, pointer: str, state: dict, language: str) -> list[SubMachine]:
    fields = ("Seconds", "Timestamp") if language == JSONATA else _WAIT_FIELDS
    present = [f for f in state if f in _WAIT_FIELDS]
    if not present:
        report.add(pointer, f"a Wait state needs one of {listing(fields)}")
    elif len(present) > 1:
        report.add(child(pointer, present[1]),
                   f"a Wait state takes exactly one of {listing(fields)}; this one has "
                   f"{listing(present).replace(' or ', ' and ')}")
    return []


def _parallel(report: Report, pointer: str, state: dict, language: str) -> list[SubMachine]:
    if not _require(report, pointer, state, "Branches", "an array of state machines"):
        return []
    where = child(pointer, "Branches")
    branches = state["Branches"]
    if type(branches) is not list or not branches:
        what = "an empty array" if branches == [] else a_type(branches)
        report.add(where, f"'Branches' must be a non-empty array of state machines, not {what}")
        return []
    return [SubMachine(child(where, i), branch, "branch") for i, branch in enumerate(branches)]


def _map(report: Report, pointer: str, state: dict, language: str) -> list[SubMachine]:
    subs = []
    mode = "INLINE"
    for field in ("ItemProcessor", "Iterator"):
        if field in state:
            where = child(pointer, field)
            subs.append(SubMachine(where, state[field], "processor"))
            node = state[field]
            if type(node) is dict and "ProcessorConfig" in node:
                config = node["ProcessorConfig"]
                check_processor_config(report, child(where, "ProcessorConfig"), config)
                if type(config) is dict and config.get("Mode") == "DISTRIBUTED":
                    mode = "DISTRIBUTED"
    if not subs:
        report.add(pointer, "missing required field 'ItemProcessor' (the state machine to run "
                            "for each item)")
    if "ItemBatcher" in state and mode == "INLINE":
        # batches are the input of child workflows, which only a Distributed Map starts
        report.add(child(pointer, "ItemBatcher"),
                   "Field 'ItemBatcher' is only supported in a Distributed Map; this Map is INLINE "
                   "(its ItemProcessor needs \"ProcessorConfig\": {\"Mode\": \"DISTRIBUTED\", "
                   "\"ExecutionType\": ...})")
    for field, check in (("ItemReader", check_item_reader), ("ResultWriter", check_result_writer),
                         ("ItemBatcher", check_item_batcher)):
        if field in state and field in ALLOWED[("Map", language)]:
            check(report, child(pointer, field), state[field], language)
    return subs


_TYPE_CHECKS: dict[str, Callable[[Report, str, dict, str], list[SubMachine]]] = {
    "Pass": _no_more,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _no_more,
    "Fail": _no_more,
    "Parallel": _parallel,
    "Map": _map,
}
