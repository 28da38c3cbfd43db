"""Checks of single field values: numbers, strings, paths, templates, JSONata, timestamps."""

from __future__ import annotations

import re
from typing import Any

from ..model.resource import is_local_function_name, parse_resource
from ..paths import INPUT, PathSyntaxError, compile_path
from ..payload import TemplateError, compile_dynamic_value
from .report import Report, a_type, child, did_you_mean, quote

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)

#: AWS's upper bound for the time fields of states and retriers
MAX_SECONDS = 99_999_999


# ----------------------------------------------------------------------------------------------
# JSON types
# ----------------------------------------------------------------------------------------------

def is_integer(value: Any) -> bool:
    # JSON has one number type: 3.0 is the integer 3 to a JSON schema validator, as to AWS
    if type(value) is int:
        return True
    return type(value) is float and value.is_integer()


def is_number(value: Any) -> bool:
    return type(value) in (int, float)


def check_string(report: Report, pointer: str, value: Any, field: str, *, empty: bool = True) -> bool:
    if not isinstance(value, str):
        report.add(pointer, f"'{field}' must be a string, not {a_type(value)}")
        return False
    if not empty and not value:
        report.add(pointer, f"'{field}' must not be empty")
        return False
    return True


def check_boolean(report: Report, pointer: str, value: Any, field: str) -> bool:
    if type(value) is not bool:
        report.add(pointer, f"'{field}' must be true or false, not {quote(value)}")
        return False
    return True


def check_object(report: Report, pointer: str, value: Any, field: str) -> bool:
    if type(value) is not dict:
        report.add(pointer, f"'{field}' must be an object, not {a_type(value)}")
        return False
    return True


def check_enum(report: Report, pointer: str, value: Any, field: str, allowed: tuple[str, ...]) -> bool:
    if value not in allowed or not isinstance(value, str):
        choices = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        report.add(pointer, f"'{field}' must be {choices}, not {quote(value)}"
                            f"{did_you_mean(value, allowed)}")
        return False
    return True


def check_integer(report: Report, pointer: str, value: Any, field: str, *, minimum: int = 0,
                  maximum: int | None = None, jsonata: bool = False) -> bool:
    """An integer in [minimum, maximum]; in a JSONata state also a ``{% %}`` expression."""
    if jsonata and isinstance(value, str):
        return check_expression(report, pointer, value, field)
    if not is_integer(value):
        also = " or a JSONata expression" if jsonata else ""
        report.add(pointer, f"'{field}' must be an integer{also}, not {quote(value)}")
        return False
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            bound = {0: "a non-negative integer", 1: "a positive integer"}.get(
                minimum, f"an integer of at least {minimum}")
        else:
            bound = f"an integer from {minimum} to {maximum}"
        report.add(pointer, f"'{field}' must be {bound}, not {quote(value)}")
        return False
    return True


def check_number(report: Report, pointer: str, value: Any, field: str, *, minimum: float,
                 maximum: float | None = None, jsonata: bool = False) -> bool:
    if jsonata and isinstance(value, str):
        return check_expression(report, pointer, value, field)
    if not is_number(value):
        also = " or a JSONata expression" if jsonata else ""
        report.add(pointer, f"'{field}' must be a number{also}, not {quote(value)}")
        return False
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"of at least {minimum:g}" if maximum is None else f"from {minimum:g} to {maximum:g}"
        report.add(pointer, f"'{field}' must be a number {bound}, not {quote(value)}")
        return False
    return True


# ----------------------------------------------------------------------------------------------
# JSONPath
# ----------------------------------------------------------------------------------------------

def check_path(report: Report, pointer: str, value: Any, field: str, *, nullable: bool = False,
               reference: bool = False, input_only: bool = False) -> bool:
    """A JSONPath. ``reference``: a reference path, which selects one node (names and
    indexes only). ``input_only``: rooted at ``$``, not at the context object or a variable,
    as a path that says where to *write* must be."""
    if value is None and nullable:
        return True
    if not isinstance(value, str):
        also = " or null" if nullable else ""
        report.add(pointer, f"'{field}' must be a JSONPath string{also}, not {a_type(value)}")
        return False
    try:
        path = compile_path(value)
    except PathSyntaxError as exc:
        report.add(pointer, f"'{field}' is not a valid JSONPath: {exc}")
        return False
    if input_only and path.root is not INPUT:
        report.add(pointer, f"'{field}' must be a path into the state's data, starting with '$' "
                            f"(not the context object '$$' or a variable): {quote(value)}")
        return False
    if reference and not path.is_reference:
        report.add(pointer, f"'{field}' must be a reference path, which selects a single value "
                            f"with single names and indexes only (no '*', '..', slices, lists, "
                            f"filters or functions): {quote(value)}")
        return False
    return True


def check_path_or_intrinsic(report: Report, pointer: str, value: Any, field: str) -> bool:
    """ErrorPath and CausePath: a reference path or an intrinsic function call."""
    if isinstance(value, str) and value.startswith("States."):
        from ..intrinsics import IntrinsicSyntaxError, compile_intrinsic

        try:
            compile_intrinsic(value)
        except IntrinsicSyntaxError as exc:
            report.add(pointer, f"'{field}' is not a valid intrinsic function call: {exc}")
            return False
        return True
    return check_path(report, pointer, value, field, reference=True)


def check_template(report: Report, pointer: str, value: Any) -> bool:
    """A JSONPath-mode payload template (Parameters, ResultSelector, ItemSelector, ...).
    Each ``.$`` value is compiled on its own, so that every bad one is reported, not only
    the first as compiling the whole template would."""
    ok = True
    if type(value) is dict:
        for key, item in value.items():
            where = child(pointer, key)
            if key.endswith(".$"):
                try:
                    compile_dynamic_value(key, item, where)
                except TemplateError as exc:
                    report.add(exc.pointer, exc.message)
                    ok = False
            else:
                ok = check_template(report, where, item) and ok
    elif type(value) is list:
        for i, item in enumerate(value):
            ok = check_template(report, child(pointer, i), item) and ok
    return ok


# ----------------------------------------------------------------------------------------------
# JSONata
# ----------------------------------------------------------------------------------------------

def is_expression(value: Any) -> bool:
    """A ``{% ... %}`` string: the only strings a JSONata state evaluates."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def _syntax_problem(report: Report, pointer: str, value: str) -> bool:
    """Compile the expression of a ``{% ... %}`` string, as CreateStateMachine does; report
    what JSONata refuses (its code and message). The engine is imported only here, for
    definitions that hold expressions."""
    from .. import jsonata

    try:
        jsonata.compile(value[2:-2].strip())
    except jsonata.JsonataError as exc:
        report.add(pointer, f"the JSONata expression '{value[2:-2].strip()}' is not valid: "
                            f"{exc.message}")
        return False
    return True


def check_expression(report: Report, pointer: str, value: Any, field: str) -> bool:
    """A field whose value must be one JSONata expression."""
    if not is_expression(value):
        report.add(pointer, f"'{field}' must be a JSONata expression written as "
                            f"\"{{% ... %}}\", not {quote(value)}")
        return False
    if not value[2:-2].strip():
        report.add(pointer, f"'{field}' holds an empty JSONata expression")
        return False
    return _syntax_problem(report, pointer, value)


def check_object_or_expression(report: Report, pointer: str, value: Any, field: str) -> bool:
    """Arguments: an object (whose ``{% %}`` strings are evaluated) or one expression."""
    if isinstance(value, str):
        return check_expression(report, pointer, value, field)
    if type(value) is dict:
        return check_jsonata_value(report, pointer, value)
    report.add(pointer, f"'{field}' must be an object or a JSONata expression, not {a_type(value)}")
    return False


def check_jsonata_value(report: Report, pointer: str, value: Any) -> bool:
    """Any JSON in which ``{% %}`` strings are expressions (Arguments, Output, Assign values).
    A string that is not wrapped whole is a literal, as on AWS; an expression must compile."""
    if isinstance(value, str):
        if is_expression(value) and not value[2:-2].strip():
            report.add(pointer, "empty JSONata expression")
            return False
        return not is_expression(value) or _syntax_problem(report, pointer, value)
    ok = True
    if type(value) is dict:
        for key, item in value.items():
            ok = check_jsonata_value(report, child(pointer, key), item) and ok
    elif type(value) is list:
        for i, item in enumerate(value):
            ok = check_jsonata_value(report, child(pointer, i), item) and ok
    return ok


# ----------------------------------------------------------------------------------------------
# Assign
# ----------------------------------------------------------------------------------------------

#: AWS's limit on a variable name's length
MAX_VARIABLE_NAME = 80


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a variable (AWS follows Unicode identifier rules), or None."""
    if not name:
        return "a variable name must not be empty"
    if name == "states":
        return "'states' is reserved ($states holds the state's input, result and context)"
    if len(name) > MAX_VARIABLE_NAME:
        return f"variable name '{name}' is longer than {MAX_VARIABLE_NAME} characters"
    if not name.isidentifier():
        return (f"'{name}' is not a valid variable name: it must start with a letter or '_' "
                "and go on with letters, digits or '_'")
    return None


def check_assign(report: Report, pointer: str, value: Any, language: str) -> None:
    if not check_object(report, pointer, value, "Assign"):
        return
    for key in value:
        name = key
        if language == JSONPATH and key.endswith(".$"):
            name = key[:-2]
        why = variable_name_problem(name)
        if why:
            if language == JSONATA and key.endswith(".$"):
                why += " (JSONata states do not use '.$' keys: write the value as \"{% ... %}\")"
            report.add(child(pointer, key), why)
    if language == JSONPATH:
        check_template(report, pointer, value)
    else:
        check_jsonata_value(report, pointer, value)


# ----------------------------------------------------------------------------------------------
# timestamps, resources, labels
# ----------------------------------------------------------------------------------------------

# AWS's profile of RFC 3339: an uppercase T between date and time, and an explicit zone
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))"
)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    m = _TIMESTAMP.fullmatch(value)
    if not m:
        return False
    year, month, day, hour, minute, second, zh, zm = (int(g) if g else None for g in m.groups())
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return False
    if hour > 23 or minute > 59 or second > 59:
        return False
    return zh is None or (zh <= 23 and zm <= 59)


def check_timestamp(report: Report, pointer: str, value: Any, field: str, *, jsonata: bool = False) -> bool:
    if jsonata and is_expression(value):
        return check_expression(report, pointer, value, field)
    if not is_timestamp(value):
        report.add(pointer, f"'{field}' must be an ISO-8601 timestamp such as "
                            f"'2016-03-14T01:59:00Z' (with a time zone), not {quote(value)}")
        return False
    return True


_ARN = re.compile(r"arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]*:[A-Za-z0-9-]*:\S+")


def check_resource(report: Report, pointer: str, value: Any, field: str = "Resource") -> bool:
    """An ARN, as AWS requires of every Resource (a Task's, an ItemReader's, ...)."""
    if not check_string(report, pointer, value, field):
        return False
    if is_expression(value):
        report.add(pointer, f"'{field}' must be a constant ARN; it cannot be a JSONata expression")
        return False
    if not _ARN.fullmatch(value):
        # AWS's own wording (SCHEMA_VALIDATION_FAILED), then what it means here
        report.add(pointer, f"Value is not a valid resource ARN: '{field}' must be an ARN "
                            f"(arn:partition:service:region:account:resource), not {quote(value)}")
        return False
    return True


def check_task_resource(report: Report, pointer: str, value: Any) -> bool:
    """A Task's Resource: an ARN; with the local rules also a bare Lambda function name."""
    if isinstance(value, str) and is_local_function_name(value):
        if report.local:
            return True
        report.add(pointer, f"Value is not a valid resource ARN: {quote(value)} is a bare Lambda "
                            "function name, which only `asl-runner run` and the Python API resolve "
                            "(to a local handler); AWS needs the function's ARN, "
                            "arn:aws:lambda:REGION:ACCOUNT:function:NAME")
        return False
    if not check_resource(report, pointer, value):
        return False
    return check_integration_resource(report, pointer, value)


_STATES_ARN = re.compile(r"arn:[A-Za-z0-9-]+:states:")


def check_integration_resource(report: Report, pointer: str, value: str) -> bool:
    """``arn:aws:states:::SERVICE:ACTION[.PATTERN]`` names an integration AWS knows: an AWS
    SDK service and action botocore knows (botocore is loaded only for such a resource), or
    an optimized integration in the catalog, with a pattern that action supports."""
    if not _STATES_ARN.match(value):
        return True  # a Lambda function's ARN, or another service's, checked as an ARN only
    resource = parse_resource(value)
    if resource.kind == "activity":
        return True
    service = resource.service or ""
    if service.startswith("aws-sdk:"):
        from ..integrations.aws_sdk import resource_problem

        why = resource_problem(service[len("aws-sdk:"):], resource.action or "",
                               resource.pattern, value)
    else:
        from ..integrations import catalog

        why = catalog.problem(service, resource.action or "", resource.pattern, value)
    if why:
        report.add(pointer, why)
        return False
    return True


_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def check_label(report: Report, pointer: str, value: Any) -> None:
    if not check_string(report, pointer, value, "Label", empty=False):
        return
    if len(value) > 40:
        report.add(pointer, f"'Label' must be at most 40 characters long, not {len(value)}")
    bad = _LABEL_FORBIDDEN.search(value)
    if bad:
        report.add(pointer, f"'Label' must not contain whitespace, brackets, wildcards, special "
                            f"or control characters; found {bad.group()!r}")
