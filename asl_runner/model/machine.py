"""A state machine definition (or a Parallel branch / Map processor) as an immutable model."""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Any

from ..dataflow import compile_flow
from ..errors import DefinitionError, Problem
from ..jsonvalue import JsonInputError, loads
from ..paths import compile_path
from ..payload import compile_template, escape_pointer
from ..record import Record
from .choice import ChoiceRule, compile_condition
from .resource import parse_resource
from .retry import Catcher, Retrier
from .states import (
    JSONPATH,
    NULL,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)


class StateMachine(Record):
    start_at: str
    states: MappingProxyType
    query_language: str = JSONPATH
    comment: str | None = None
    version: str | None = None
    timeout_seconds: int | None = None
    #: the definition as given (a dict); for a branch/processor, that sub-object
    source: Any = None

    def state(self, name: str) -> State:
        return self.states[name]


def load_json_definition(source: Any) -> Any:
    """Accept a dict, JSON text (str or bytes), or a path (a str that does not begin with
    ``{`` or ``[``, or an os.PathLike) to a definition file, JSON or YAML, or to a template
    with a single state machine (asl_runner.templates); return the parsed JSON."""
    if not isinstance(source, (str, bytes, bytearray, os.PathLike)):
        return source  # already parsed JSON (parse_definition checks it is an object)
    if isinstance(source, (bytes, bytearray)):
        text: str | bytes = bytes(source)  # JSON text, never a path (loads checks its UTF-8)
    elif isinstance(source, os.PathLike) or not source.lstrip().startswith(("{", "[")):
        from ..templates import load_definition

        return load_definition(source).definition
    else:
        text = source
    try:
        return loads(text)
    except JsonInputError as exc:
        raise DefinitionError([Problem("", f"not valid JSON: {exc}")]) from None


def parse_definition(source: Any, *, validate: bool = True) -> StateMachine:
    """Parse (and validate) a definition: a dict, JSON text or a file path. The rules are
    AWS's plus the local conveniences of ``run`` and the Python API (a bare Lambda function
    name as a Task Resource); the endpoint validates with AWS's rules alone first."""
    definition = load_json_definition(source)
    if not isinstance(definition, dict):
        raise DefinitionError([Problem("", "a state machine definition is a JSON object with "
                                           f"'StartAt' and 'States', not {_json_type(definition)}")])
    if validate:
        from ..validate import validate_definition

        problems = validate_definition(definition, local=True)
        if problems:
            raise DefinitionError(problems)
    else:
        from ..validation.limits import definition_depth_problem

        too_deep = definition_depth_problem(definition)
        if too_deep is not None:
            raise DefinitionError([too_deep])
    try:
        return _machine(definition, "", definition.get("QueryLanguage", JSONPATH))
    except DefinitionError:
        raise
    except Exception as exc:  # a definition nothing checked, or a check that missed something
        why = ("it was not validated (validate=False)" if not validate
               else "this is a bug in asl-runner's checks, please report it")
        raise DefinitionError([Problem("", f"cannot compile the definition: {type(exc).__name__}: "
                                           f"{exc} ({why})")]) from exc


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


def _machine(d: dict, pointer: str, ql: str) -> StateMachine:
    """``ql``: the top-level QueryLanguage. States inside branches and processors inherit the
    machine's language, not their Parallel's or Map's own (AWS's rule)."""
    states = {
        name: _state(name, body, f"{pointer}/States/{escape_pointer(name)}", ql)
        for name, body in d["States"].items()
    }
    return StateMachine(
        start_at=d["StartAt"],
        states=MappingProxyType(states),
        query_language=ql,
        comment=d.get("Comment"),
        version=d.get("Version"),
        timeout_seconds=d.get("TimeoutSeconds"),
        source=d,
    )


def _opt_path(body: dict, key: str) -> Any:
    """None if absent, NULL if null, else the compiled path."""
    if key not in body:
        return None
    value = body[key]
    if value is None:
        return NULL
    return compile_path(value)


def _path_or_none(body: dict, key: str) -> Any:
    value = body.get(key)
    return compile_path(value) if isinstance(value, str) else None


def _path_or_call(body: dict, key: str) -> Any:
    """ErrorPath/CausePath: a path, or an intrinsic call (AWS accepts both)."""
    value = body.get(key)
    if not isinstance(value, str):
        return None
    if value.startswith("States."):
        from ..intrinsics import compile_intrinsic

        return compile_intrinsic(value)
    return compile_path(value)


def _template(body: dict, key: str) -> Any:
    return compile_template(body[key]) if key in body else None


def _retriers(body: dict) -> tuple[Retrier, ...]:
    out = []
    for r in body.get("Retry", ()):
        out.append(Retrier(
            error_equals=tuple(r["ErrorEquals"]),
            interval_seconds=r.get("IntervalSeconds", 1),
            max_attempts=r.get("MaxAttempts", 3),
            backoff_rate=r.get("BackoffRate", 2.0),
            max_delay_seconds=r.get("MaxDelaySeconds"),
            jitter_strategy=r.get("JitterStrategy", "NONE"),
        ))
    return tuple(out)


def _opt_value(body: dict, key: str) -> Any:
    """A JSONata field's value as written: None when absent, NULL when it is ``null``."""
    if key not in body:
        return None
    value = body[key]
    return NULL if value is None else value


def _catchers(body: dict, ql: str) -> tuple[Catcher, ...]:
    return tuple(
        Catcher(
            error_equals=tuple(c["ErrorEquals"]),
            next=c["Next"],
            result_path=_opt_path(c, "ResultPath"),
            # JSONata's is compiled by the state's data flow
            assign=_template(c, "Assign") if ql == JSONPATH else c.get("Assign"),
            output=_opt_value(c, "Output"),
        )
        for c in body.get("Catch", ())
    )


def _common(name: str, body: dict, pointer: str, ql: str) -> dict:
    state_ql = body.get("QueryLanguage", ql)
    return {
        "name": name,
        "type": body["Type"],
        "comment": body.get("Comment"),
        "next": body.get("Next"),
        "end": bool(body.get("End", False)),
        "query_language": state_ql,
        "input_path": _opt_path(body, "InputPath"),
        "output_path": _opt_path(body, "OutputPath"),
        "assign": _template(body, "Assign") if state_ql == JSONPATH else body.get("Assign"),
        "output": _opt_value(body, "Output"),
        "pointer": pointer,
    }


def _retryable(body: dict, ql: str) -> dict:
    return {
        "parameters": _template(body, "Parameters"),
        "result_selector": _template(body, "ResultSelector"),
        "result_path": _opt_path(body, "ResultPath"),
        "retry": _retriers(body),
        "catch": _catchers(body, ql),
        "arguments": body.get("Arguments"),
    }


def _state_fields(name: str, body: dict, pointer: str, ql: str) -> tuple[type[State], dict]:
    common = _common(name, body, pointer, ql)
    kind = body["Type"]
    state_ql = common["query_language"]
    if kind == "Pass":
        return PassState, dict(**common, result=body.get("Result"), has_result="Result" in body,
                         parameters=_template(body, "Parameters"),
                         result_path=_opt_path(body, "ResultPath"))
    if kind == "Succeed":
        return SucceedState, dict(**common)
    if kind == "Fail":
        return FailState, dict(**common, error=body.get("Error"), cause=body.get("Cause"),
                         error_path=_path_or_call(body, "ErrorPath"),
                         cause_path=_path_or_call(body, "CausePath"))
    if kind == "Choice":
        rules = tuple(
            ChoiceRule(
                condition=compile_condition(rule, f"Choices[{i}]/Condition"),
                next=rule["Next"],
                assign=(_template(rule, "Assign") if state_ql == JSONPATH else rule.get("Assign")),
                output=_opt_value(rule, "Output"),
            )
            for i, rule in enumerate(body["Choices"])
        )
        return ChoiceState, dict(**common, choices=rules, default=body.get("Default"))
    if kind == "Wait":
        return WaitState, dict(**common, seconds=body.get("Seconds"),
                         seconds_path=_path_or_none(body, "SecondsPath"),
                         timestamp=body.get("Timestamp"),
                         timestamp_path=_path_or_none(body, "TimestampPath"))
    if kind == "Task":
        return TaskState, dict(
            **common, **_retryable(body, state_ql),
            resource=parse_resource(body["Resource"]),
            timeout_seconds=body.get("TimeoutSeconds"),
            timeout_seconds_path=_path_or_none(body, "TimeoutSecondsPath"),
            heartbeat_seconds=body.get("HeartbeatSeconds"),
            heartbeat_seconds_path=_path_or_none(body, "HeartbeatSecondsPath"),
            credentials=body.get("Credentials"),
        )
    if kind == "Parallel":
        branches = tuple(
            _machine(b, f"{pointer}/Branches/{i}", ql) for i, b in enumerate(body["Branches"])
        )
        return ParallelState, dict(**common, **_retryable(body, state_ql), branches=branches)
    if kind == "Map":
        key = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
        proc = body[key]
        config = proc.get("ProcessorConfig") or {}
        selector = body.get("ItemSelector", body.get("Parameters"))
        fields = _retryable(body, state_ql)
        fields["parameters"] = None  # on a Map, legacy Parameters is the ItemSelector
        return MapState, dict(
            **common, **fields,
            processor=_machine(proc, f"{pointer}/{key}", ql),
            mode=config.get("Mode", "INLINE"),
            execution_type=config.get("ExecutionType"),
            items_path=_path_or_none(body, "ItemsPath"),
            items=body.get("Items"),
            # JSONata's is compiled by the state's data flow
            item_selector=(compile_template(selector) if selector is not None and state_ql == JSONPATH
                           else selector),
            max_concurrency=body.get("MaxConcurrency", 0),
            max_concurrency_path=_path_or_none(body, "MaxConcurrencyPath"),
            tolerated_failure_count=body.get("ToleratedFailureCount"),
            tolerated_failure_count_path=_path_or_none(body, "ToleratedFailureCountPath"),
            tolerated_failure_percentage=body.get("ToleratedFailurePercentage"),
            tolerated_failure_percentage_path=_path_or_none(body, "ToleratedFailurePercentagePath"),
            item_reader=body.get("ItemReader"),
            item_batcher=body.get("ItemBatcher"),
            result_writer=body.get("ResultWriter"),
            label=body.get("Label"),
        )
    raise DefinitionError([Problem(f"{pointer}/Type", f"unknown state type {kind!r}")])


def _state(name: str, body: dict, pointer: str, ql: str) -> State:
    cls, fields = _state_fields(name, body, pointer, ql)
    return cls(**fields, flow=compile_flow(fields["query_language"], fields))
