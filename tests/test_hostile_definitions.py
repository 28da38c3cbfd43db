"""Definitions built to break the loader: deep nesting in every place that recurses.

Whatever the definition, ``validate_definition`` returns problems and ``parse_definition``
raises DefinitionError, nothing else (no RecursionError, no hang). Just below each limit the
definition is valid and runs, even from a stack that is already deep, as a server's is.
The limits (asl_runner/validation/limits.py): 1,000 levels of JSON (Jackson's default on AWS),
100 levels of And/Or/Not (asl-runner's; AWS documents none), intrinsic functions 10 deep
(AWS's documented limit).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import asl_runner
from asl_runner.cli import main
from asl_runner.errors import DefinitionError
from asl_runner.model import parse_definition
from asl_runner.validate import validate_definition

from cli_runner import CliRunner


def choice(levels: int, op: str = "Not") -> dict:
    """A Choice whose one rule nests ``levels`` levels of ``op`` (a top-level rule is level 1)."""
    rule: dict = {"Variable": "$.x", "IsPresent": True}
    for _ in range(levels - 1):
        rule = {"Not": rule} if op == "Not" else {op: [rule, {"Variable": "$.y", "IsPresent": True}]}
    return {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Succeed"}, "No": {"Type": "Fail", "Error": "No"}}}


def intrinsic(levels: int) -> str:
    call = "States.Format('{}', $.x)"
    for _ in range(levels - 1):
        call = f"States.Format('{{}}', {call})"
    return call


def pass_with(**fields: Any) -> dict:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **fields}}}


def nested_value(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def nested_template(levels: int) -> dict:
    value: dict = {"v.$": "$.x"}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def parallels(levels: int) -> dict:
    m = {"StartAt": "P0", "States": {"P0": {"Type": "Pass", "End": True}}}
    for i in range(1, levels + 1):
        m = {"StartAt": f"P{i}", "States": {f"P{i}": {"Type": "Parallel", "Branches": [m], "End": True}}}
    return m


def maps(levels: int) -> dict:
    m = {"StartAt": "M0", "States": {"M0": {"Type": "Pass", "End": True}}}
    for i in range(1, levels + 1):
        m = {"StartAt": f"M{i}", "States": {f"M{i}": {"Type": "Map", "ItemProcessor": m, "End": True}}}
    return m


# (definition, pointer of the problem, words of its message)
HOSTILE = [
    pytest.param(choice(101), "/States/C/Choices/0" + "/Not" * 100, "nest more than 100 levels",
                 id="choice-not-101"),
    pytest.param(choice(480, "And"), "/States/C/Choices/0" + "/And/0" * 99 + "/And", "nest more than 100",
                 id="choice-and-480"),
    pytest.param(choice(480, "Or"), "/States/C/Choices/0" + "/Or/0" * 99 + "/Or", "nest more than 100",
                 id="choice-or-480"),
    pytest.param(choice(2000), "/States/C/Choices", "more than 1000 levels deep", id="choice-not-2000-json-depth"),
    pytest.param(pass_with(Parameters={"v.$": intrinsic(11)}), "/States/P/Parameters/v.$",
                 "nest more than 10 deep", id="intrinsic-11"),
    pytest.param(pass_with(Parameters={"v.$": intrinsic(400)}), "/States/P/Parameters/v.$",
                 "nest more than 10 deep", id="intrinsic-400"),
    pytest.param(pass_with(Parameters={"v.$": intrinsic(60000)}), "/States/P/Parameters/v.$",
                 "nest more than 10 deep", id="intrinsic-60000"),
    pytest.param({"StartAt": "F", "States": {"F": {"Type": "Fail", "CausePath": intrinsic(11)}}},
                 "/States/F/CausePath", "nest more than 10 deep", id="intrinsic-11-causepath"),
    pytest.param(pass_with(Parameters=nested_template(1200)), "/States/P/Parameters", "more than 1000 levels",
                 id="parameters-template-1200"),
    pytest.param(pass_with(Result=nested_value(5000)), "/States/P/Result", "more than 1000 levels",
                 id="result-5000"),
    pytest.param(pass_with(Assign={"v": nested_value(1000)}), "/States/P/Assign", "more than 1000 levels",
                 id="assign-1000"),
    pytest.param(parallels(300), "/States/P300/Branches", "more than 1000 levels", id="parallel-in-parallel-300"),
    pytest.param(maps(400), "/States/M400/ItemProcessor", "more than 1000 levels", id="map-in-map-400"),
    pytest.param({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}},
                  "Comment": nested_value(3000)}, "/Comment", "more than 1000 levels", id="top-level-field"),
]


@pytest.mark.parametrize(("definition", "pointer", "gist"), HOSTILE)
def test_hostile_definition_is_a_problem_not_a_crash(definition, pointer, gist):
    start = time.perf_counter()
    problems = validate_definition(definition)
    assert [p.pointer for p in problems] == [pointer], [str(p)[:300] for p in problems]
    assert gist in problems[0].message
    with pytest.raises(DefinitionError) as info:
        parse_definition(definition)
    assert info.value.problems == tuple(problems)
    assert time.perf_counter() - start < 10


def test_without_validation_a_hostile_definition_is_still_a_definition_error():
    with pytest.raises(DefinitionError, match="more than 1000 levels"):
        parse_definition(pass_with(Result=nested_value(5000)), validate=False)
    with pytest.raises(DefinitionError, match="cannot compile the definition: KeyError"):
        parse_definition({"StartAt": "A"}, validate=False)
    with pytest.raises(DefinitionError, match="nest more than 10 deep"):
        parse_definition(pass_with(Parameters={"v.$": intrinsic(50)}), validate=False)


def test_json_text_too_deep_for_the_parser_is_a_definition_error():
    text = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, "Result": ' + "[" * 100_000
    text += "]" * 100_000 + "}}}"
    with pytest.raises(DefinitionError, match="not valid JSON: the JSON is nested more than 1000 levels"):
        parse_definition(text)


@pytest.mark.parametrize(("source", "gist"), [
    (b"", "Expecting value"),  # was read as a file path (FileNotFoundError) unless it began with { or [
    (b"null", "not null"),
    (b'{"StartAt": "\xff"}', "not UTF-8"),  # was UnicodeDecodeError
], ids=["empty", "null", "not-utf8"])
def test_bytes_are_json_text_never_a_path(source, gist):
    with pytest.raises(DefinitionError) as raised:
        parse_definition(source)
    assert gist in str(raised.value.problems), raised.value.problems


def _in_a_deep_stack(frames: int, fn):
    """Call ``fn`` with ``frames`` frames already on the stack (a server's engine thread, a
    test runner, a caller's own recursion)."""
    if frames:
        return _in_a_deep_stack(frames - 1, fn)
    return fn()


# just below each limit: valid, and runs (from a stack 300 frames deep)
AT_THE_LIMIT = [
    pytest.param(choice(100), {}, "SUCCEEDED", id="choice-not-100"),  # 99 Nots of a false test
    pytest.param(choice(100, "And"), {"x": 1, "y": 2}, "SUCCEEDED", id="choice-and-100"),
    pytest.param(choice(100, "Or"), {"x": 1}, "SUCCEEDED", id="choice-or-100"),
    pytest.param(pass_with(Parameters={"v.$": intrinsic(10)}), {"x": 1}, "SUCCEEDED", id="intrinsic-10"),
    pytest.param(pass_with(Parameters=nested_template(996)), {"x": 1}, "SUCCEEDED", id="parameters-1000-levels"),
    pytest.param(pass_with(Result=nested_value(996)), {}, "SUCCEEDED", id="result-1000-levels"),
    pytest.param(parallels(249), {}, "SUCCEEDED", id="parallel-in-parallel-249"),
    pytest.param(maps(330), nested_value(329, leaf=[1]), "SUCCEEDED", id="map-in-map-330"),
]


@pytest.mark.parametrize(("definition", "data", "status"), AT_THE_LIMIT)
def test_just_below_the_limit_it_validates_and_runs(definition, data, status):
    assert validate_definition(definition) == []

    def run():
        return asl_runner.run(definition, data, clock="virtual")

    execution = _in_a_deep_stack(300, run)
    assert execution.status == status, (execution.error, (execution.cause or "")[:300])


def test_the_command_line_reports_a_deep_definition(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "deep.asl.json"
    path.write_text(json.dumps(choice(480, "And")))
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(path)])
    assert checked.exit_code == 1 and "nest more than 100 levels" in checked.stdout
    assert "Traceback" not in checked.output
    ran = runner.invoke(main, ["run", str(path), "--clock", "virtual"])
    assert ran.exit_code == 2 and "nest more than 100 levels" in ran.output
    assert "Traceback" not in ran.output
