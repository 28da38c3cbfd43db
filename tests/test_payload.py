"""Payload templates (Parameters, ResultSelector, ItemSelector, Assign in JSONPath mode).

The missing-path wording is AWS's, recorded in ../shared/conformance
(test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]: "The JSONPath
'$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '...'").
"""

from __future__ import annotations

import pytest

from asl_runner.errors import DataFlowError
from asl_runner.payload import TemplateError, compile_dynamic_value, compile_template, escape_pointer


class Env:
    def __init__(self, context=None, variables=None):
        self.context = context if context is not None else {}
        self.variables = variables or {}

    def variable(self, name):
        if name not in self.variables:
            raise DataFlowError(f"Invalid path '${name}' : The variable '{name}' is not defined")
        return self.variables[name]


ENV = Env(
    context={"Execution": {"Name": "exec-1", "Input": {"orig": True}}, "State": {"Name": "S"},
             "Map": {"Item": {"Index": 2, "Value": "v2"}}},
    variables={"count": 3, "xs": [1, 2], "cfg": {"region": "eu-west-1"}},
)
DOC = {"x": 1, "name": "Ada", "items": [{"id": "a"}, {"id": "b"}], "nested": {"deep": [10, 20]}}

TEMPLATES = [
    ("static-only", {"a": 1, "b": {"c": [True, None]}}, {"a": 1, "b": {"c": [True, None]}}),
    ("path", {"v.$": "$.x"}, {"v": 1}),
    ("whole-input", {"all.$": "$"}, {"all": DOC}),
    ("definite-deep", {"v.$": "$.nested.deep[1]"}, {"v": 20}),
    ("indefinite-gives-a-list", {"ids.$": "$.items[*].id"}, {"ids": ["a", "b"]}),
    ("indefinite-no-match-is-empty", {"ids.$": "$.nothing[*].id"}, {"ids": []}),
    ("context", {"exec.$": "$$.Execution.Name", "in.$": "$$.Execution.Input"},
     {"exec": "exec-1", "in": {"orig": True}}),
    ("map-item", {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"}, {"i": 2, "v": "v2"}),
    ("variable", {"n.$": "$count", "region.$": "$cfg.region", "first.$": "$xs[0]"},
     {"n": 3, "region": "eu-west-1", "first": 1}),
    ("intrinsic", {"msg.$": "States.Format('Hello {}', $.name)"}, {"msg": "Hello Ada"}),
    ("intrinsic-with-variable-and-context",
     {"v.$": "States.Format('{}-{}', $$.State.Name, States.ArrayLength($xs))"}, {"v": "S-2"}),
    ("nested-object", {"outer": {"inner": {"v.$": "$.x", "k": "const"}}},
     {"outer": {"inner": {"v": 1, "k": "const"}}}),
    ("inside-an-array", {"list": [{"v.$": "$.name"}, "const", [{"w.$": "$.x"}]]},
     {"list": [{"v": "Ada"}, "const", [{"w": 1}]]}),
    ("key-without-suffix-is-literal", {"v": "$.x"}, {"v": "$.x"}),
    ("key-order-kept", {"z": 1, "a.$": "$.x", "m": 2}, {"z": 1, "a": 1, "m": 2}),
]


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in TEMPLATES], ids=[c[0] for c in TEMPLATES])
def test_template(source, expected):
    out = compile_template(source).evaluate(DOC, ENV)
    assert out == expected
    assert list(out) == list(expected)


def test_non_object_templates():
    assert compile_template([1, {"v.$": "$.x"}]).evaluate(DOC, ENV) == [1, {"v": 1}]
    assert compile_template("plain").evaluate(DOC, ENV) == "plain"
    assert compile_template(None).evaluate(DOC, ENV) is None


def test_static_template_returns_its_source_without_copying():
    source = {"a": {"b": [1, 2]}, "c": "d"}
    template = compile_template(source)
    assert template.is_static
    assert template.evaluate(DOC, ENV) is source


def test_static_subtrees_are_shared_not_copied():
    source = {"big": {"rows": [[1, 2], [3, 4]]}, "list": [1, 2, 3], "v.$": "$.x"}
    template = compile_template(source)
    assert not template.is_static
    first, second = template.evaluate(DOC, ENV), template.evaluate({"x": 2}, ENV)
    assert first["big"] is source["big"] and second["big"] is source["big"]
    assert first["list"] is source["list"]
    assert (first["v"], second["v"]) == (1, 2)


def test_evaluation_does_not_modify_the_document():
    doc = {"x": {"y": [1]}}
    out = compile_template({"v.$": "$.x"}).evaluate(doc, ENV)
    assert out == {"v": {"y": [1]}} and doc == {"x": {"y": [1]}}


# ----------------------------------------------------------------------------------------------
# run-time errors
# ----------------------------------------------------------------------------------------------


def test_missing_path_error_names_the_field_and_quotes_the_input():
    with pytest.raises(DataFlowError) as info:
        compile_template({"ok": 1, "x.$": "$.x"}).evaluate({"y": "é", "n": [1, 2]}, ENV)
    assert info.value.error == "States.Runtime"
    assert info.value.detail == (
        "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input "
        "'{\"y\":\"é\",\"n\":[1,2]}'")


def test_missing_context_path_is_reported_against_the_input():
    with pytest.raises(DataFlowError) as info:
        compile_template({"value.$": "$$.Execution.Input.no_such_jsonpath"}).evaluate({"i": 0}, ENV)
    assert info.value.detail == ("The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the "
                                 "field 'value.$' could not be found in the input '{\"i\":0}'")


def test_missing_path_deep_in_the_template_names_its_own_field():
    with pytest.raises(DataFlowError, match="specified for the field 'leaf.\\$'"):
        compile_template({"a": [{"b": {"leaf.$": "$.nope.deeper"}}]}).evaluate(DOC, ENV)


def test_missing_path_inside_an_intrinsic_names_the_field():
    with pytest.raises(DataFlowError) as info:
        compile_template({"msg.$": "States.Format('{}', $.missing)"}).evaluate({"x": 1}, ENV)
    assert info.value.detail == ("The JSONPath '$.missing' specified for the field 'msg.$' could not "
                                 "be found in the input '{\"x\":1}'")


def test_undefined_variable():
    with pytest.raises(DataFlowError, match="The variable 'nope' is not defined"):
        compile_template({"v.$": "$nope"}).evaluate(DOC, ENV)


# ----------------------------------------------------------------------------------------------
# compile errors, with JSON pointers relative to the template
# ----------------------------------------------------------------------------------------------

COMPILE_ERRORS = [
    ("not-a-path", {"a": {"x.$": "nope"}}, "/a/x.$", "must be a valid JSONPath or a valid intrinsic"),
    ("not-a-string", {"x.$": 5}, "/x.$", "must be a string"),
    ("null-value", {"a": [0, {"b.$": None}]}, "/a/1/b.$", "must be a string"),
    ("bad-jsonpath", {"x.$": "$.a b"}, "/x.$", "must be a valid JSONPath (invalid JSONPath '$.a b'"),
    ("unknown-intrinsic", {"x.$": "States.Nope($.a)"}, "/x.$", "not a valid intrinsic function call"),
    ("intrinsic-arity", {"x.$": "States.Format('{}')"}, "/x.$", "not a valid intrinsic function call"),
    ("inside-an-array", [{"a.$": "x"}], "/0/a.$", "must be a valid JSONPath"),
    ("pointer-escapes", {"a/b": {"c~d.$": "x"}}, "/a~1b/c~0d.$", "the field 'c~d.$'"),
]


@pytest.mark.parametrize(("source", "pointer", "gist"), [c[1:] for c in COMPILE_ERRORS],
                         ids=[c[0] for c in COMPILE_ERRORS])
def test_compile_error_points_at_the_field(source, pointer, gist):
    with pytest.raises(TemplateError) as info:
        compile_template(source)
    assert info.value.pointer == pointer
    assert gist in info.value.message
    assert str(info.value).startswith(f"{pointer}: ")


def test_compile_dynamic_value_uses_the_given_pointer():
    with pytest.raises(TemplateError) as info:
        compile_dynamic_value("ErrorPath", 1, "/States/F/ErrorPath")
    assert info.value.pointer == "/States/F/ErrorPath"
    assert compile_dynamic_value("v.$", "$.x", "").evaluate({"x": 4}, ENV) == 4


def test_escape_pointer():
    assert escape_pointer("a/b~c") == "a~1b~0c"
