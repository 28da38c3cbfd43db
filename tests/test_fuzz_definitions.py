"""Fuzzing definitions and executions: anything loads or is a DefinitionError, and anything
that loads runs to an end, on any input, with handlers that misbehave (see tests/fuzzing.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import asl_runner
from asl_runner.errors import InvalidExecutionInput, Problem
from asl_runner.validate import validate_definition

from fuzz_strategies import (
    FUNCTIONS,
    NON_JSON,
    corrupted,
    definitions,
    handler_outcomes,
    hostile_machines,
    inputs,
    json_texts,
    make_handler,
    valid_machines,
    weighted,
)
from fuzzing import acceptable, budgeted, check_ended, examples, load, resolve


@pytest.mark.parametrize("as_text", [False, True], ids=["dict", "json-text"])
@examples(150)
@given(definition=definitions)
@budgeted
def test_definitions_load_or_raise_definition_error(as_text: bool, definition: Any):
    problems = validate_definition(definition)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem) and isinstance(problem.message, str), problem
        resolve(definition, problem.pointer)
    text_form = as_text and isinstance(definition, (dict, list))  # other JSON text reads as a path
    machine = load(json.dumps(definition) if text_form else definition)
    if not problems:  # what deploys to AWS also runs locally
        assert machine is not None, definition


@examples(60)
@given(text=json_texts())
@example(text="")  # bytes were read as a file path unless they began with { or [
@example(text="\ud800")  # bytes that are not UTF-8 raised UnicodeDecodeError
@budgeted
def test_definition_text_loads_or_raises_definition_error(text: str):
    load(text.encode("utf-8", "surrogatepass"))
    load(text)


@examples(120)
@given(definition=weighted((6, valid_machines), (1, hostile_machines), (1, corrupted(valid_machines))),
       value=weighted((8, inputs), (1, st.sampled_from(NON_JSON).map(lambda make: make()))),
       outcomes=st.lists(st.lists(handler_outcomes, min_size=1, max_size=4), min_size=2, max_size=2))
@budgeted
def test_any_definition_that_loads_runs_to_an_end(definition: Any, value: Any, outcomes: list):
    machine = load(definition)
    event(f"loads: {machine is not None}")
    if machine is None:
        return
    handlers = {name: make_handler(o) for name, o in zip(FUNCTIONS, outcomes, strict=True)}
    try:
        execution = asl_runner.run(machine, value, handlers=handlers, clock="virtual", max_workers=4)
    except InvalidExecutionInput:
        assert not acceptable(value)
        return
    assert acceptable(value)
    event(f"{execution.status} {execution.error}")
    check_ended(execution)
