"""Retry and Catch: retriers, catchers and their ErrorEquals."""

from __future__ import annotations

from typing import Any

from .fields import CATCHER, RETRIER, check_members
from .report import Report, a_type, child
from .values import (
    JSONATA,
    JSONPATH,
    MAX_SECONDS,
    check_assign,
    check_enum,
    check_integer,
    check_jsonata_value,
    check_number,
    check_path,
    check_string,
)

ALL = "States.ALL"


def _check_error_equals(report: Report, pointer: str, handler: dict, kind: str) -> bool:
    """Whether the handler names States.ALL (so it must come last)."""
    if "ErrorEquals" not in handler:
        report.add(pointer, f"a {kind} needs 'ErrorEquals', a non-empty array of error names")
        return False
    where = child(pointer, "ErrorEquals")
    names = handler["ErrorEquals"]
    if type(names) is not list or not names:
        what = "an empty array" if names == [] else a_type(names)
        report.add(where, f"'ErrorEquals' must be a non-empty array of error names, not {what}")
        return False
    for i, name in enumerate(names):
        check_string(report, child(where, i), name, "ErrorEquals")
    # Only the exact reserved name is a wildcard; AWS accepts look-alikes such as "State.ALL"
    # as ordinary (never raised) error names, so they are not reported.
    has_all = ALL in names
    if has_all and len(names) > 1:
        report.add(where, f"'{ALL}' must appear alone in its 'ErrorEquals'")
    return has_all


def _check_list(report: Report, pointer: str, value: Any, field: str) -> list | None:
    if type(value) is not list:
        report.add(pointer, f"'{field}' must be an array, not {a_type(value)}")
        return None
    return value


def check_retry(report: Report, pointer: str, value: Any) -> None:
    retriers = _check_list(report, pointer, value, "Retry")
    if retriers is None:
        return
    for i, retrier in enumerate(retriers):
        where = child(pointer, i)
        if type(retrier) is not dict:
            report.add(where, f"a retrier must be an object, not {a_type(retrier)}")
            continue
        check_members(report, where, retrier, RETRIER, "a retrier")
        if _check_error_equals(report, where, retrier, "retrier") and i != len(retriers) - 1:
            report.add(child(where, "ErrorEquals"),
                       f"the retrier with '{ALL}' must be the last one in 'Retry'")
        if "IntervalSeconds" in retrier:
            check_integer(report, child(where, "IntervalSeconds"), retrier["IntervalSeconds"],
                          "IntervalSeconds", minimum=1, maximum=MAX_SECONDS)
        if "MaxAttempts" in retrier:
            check_integer(report, child(where, "MaxAttempts"), retrier["MaxAttempts"],
                          "MaxAttempts", minimum=0, maximum=MAX_SECONDS)
        if "BackoffRate" in retrier:
            check_number(report, child(where, "BackoffRate"), retrier["BackoffRate"],
                         "BackoffRate", minimum=1.0)
        if "MaxDelaySeconds" in retrier:
            check_integer(report, child(where, "MaxDelaySeconds"), retrier["MaxDelaySeconds"],
                          "MaxDelaySeconds", minimum=1)
        if "JitterStrategy" in retrier:
            check_enum(report, child(where, "JitterStrategy"), retrier["JitterStrategy"],
                       "JitterStrategy", ("FULL", "NONE"))
        if "Comment" in retrier:
            check_string(report, child(where, "Comment"), retrier["Comment"], "Comment")


def check_catch(report: Report, pointer: str, value: Any, language: str) -> None:
    """The catchers' fields; their Next targets are checked with the other transitions."""
    catchers = _check_list(report, pointer, value, "Catch")
    if catchers is None:
        return
    other = CATCHER[JSONATA if language == JSONPATH else JSONPATH]
    for i, catcher in enumerate(catchers):
        where = child(pointer, i)
        if type(catcher) is not dict:
            report.add(where, f"a catcher must be an object, not {a_type(catcher)}")
            continue
        check_members(report, where, catcher, CATCHER[language], "a catcher", language, other)
        if _check_error_equals(report, where, catcher, "catcher") and i != len(catchers) - 1:
            report.add(child(where, "ErrorEquals"),
                       f"the catcher with '{ALL}' must be the last one in 'Catch'")
        if "Next" not in catcher:
            report.add(where, "a catcher needs 'Next', the state to go to")
        else:
            check_string(report, child(where, "Next"), catcher["Next"], "Next")
        if "Comment" in catcher:
            check_string(report, child(where, "Comment"), catcher["Comment"], "Comment")
        if "Assign" in catcher:
            check_assign(report, child(where, "Assign"), catcher["Assign"], language)
        if language == JSONPATH and "ResultPath" in catcher:
            check_path(report, child(where, "ResultPath"), catcher["ResultPath"], "ResultPath",
                       nullable=True, reference=True, input_only=True)
        if language == JSONATA and "Output" in catcher:
            check_jsonata_value(report, child(where, "Output"), catcher["Output"])
