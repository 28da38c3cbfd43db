"""Fuzzing the template reader: whatever a template holds (intrinsic functions nested in any
way, with wrong arguments, references to anything), reading it gives a definition or a
TemplateError, never another exception; what it gives is JSON whose placeholders point into
it (see tests/fuzzing.py for the budget)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from asl_runner.errors import DefinitionError
from asl_runner.jsonvalue import loads
from asl_runner.templates import LoadedDefinition, load_definition

from fuzzing import budgeted, examples, resolve

NAMES = st.sampled_from(["Fn", "Table", "Queue", "Machine", "Other", "Stage", "Missing",
                         "AWS::Region", "AWS::NoValue", "AWS::Partition", "Cond", "Fn.Arn"])
FUNCTIONS = ["Ref", "Condition", "Fn::Sub", "Fn::Join", "Fn::GetAtt", "Fn::Select", "Fn::Split",
             "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::FindInMap",
             "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::ToJsonString", "Fn::Length",
             "Fn::Cidr", "Fn::Nope"]
TEXTS = st.one_of(st.text(max_size=8), NAMES, st.sampled_from([
    "${Stage}", "${Fn.Arn}", "${!Lit}", "${AWS::Region}", "${Missing}", "${", "}", '"', "{}",
    '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}']))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), TEXTS)


def _with_functions(children: Any) -> Any:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(TEXTS, children, max_size=3),
        st.builds(lambda name, argument: {name: argument}, st.sampled_from(FUNCTIONS), children),
    )


VALUES = st.recursive(SCALARS, _with_functions, max_leaves=12)

RESOURCE_TYPES = st.sampled_from([
    "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::DynamoDB::Table",
    "AWS::SQS::Queue", "AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine",
    "AWS::SNS::Topic", "AWS::Custom::Thing", 3])
PROPERTIES = st.sampled_from(["Definition", "DefinitionString", "DefinitionSubstitutions",
                              "DefinitionUri", "DefinitionS3Location", "TableName",
                              "FunctionName", "CodeUri", "Handler", "Runtime", "Code", "Name"])

templates = st.fixed_dictionaries({
    "Parameters": st.dictionaries(NAMES, st.one_of(VALUES, st.fixed_dictionaries(
        {"Type": st.sampled_from(["String", "Number", "CommaDelimitedList"]), "Default": VALUES}))),
    "Conditions": st.dictionaries(NAMES, VALUES, max_size=2),
    "Mappings": st.dictionaries(NAMES, VALUES, max_size=2),
    "Resources": st.dictionaries(NAMES, st.one_of(VALUES, st.fixed_dictionaries({
        "Type": RESOURCE_TYPES,
        "Properties": st.one_of(VALUES, st.dictionaries(PROPERTIES, VALUES, max_size=4)),
    })), min_size=1, max_size=4),
})



def _machine(result: Any, resource: Any, substitutions: Any, text: bool) -> dict:
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": resource, "Next": "P"},
        "P": {"Type": "Pass", "Result": result, "End": True}}}
    source = ({"DefinitionString": {"Fn::Sub": json.dumps(definition)}} if text
              else {"Definition": definition})
    return {"Type": "AWS::StepFunctions::StateMachine",
            "Properties": {**source, "DefinitionSubstitutions": substitutions}}


#: templates with one state machine whose definition holds intrinsic functions and tokens
machines = st.builds(
    lambda base, machine: {**base, "Resources": {**base["Resources"], "M": machine}},
    templates,
    st.builds(_machine, VALUES, st.one_of(TEXTS, VALUES), st.one_of(
        VALUES, st.dictionaries(NAMES, VALUES, max_size=3)), st.booleans()))


@examples(100)
@given(template=st.one_of(templates, machines), machine=st.one_of(st.none(), NAMES),
       subs=st.dictionaries(NAMES, st.text(max_size=5), max_size=2))
@budgeted
def test_a_template_gives_a_definition_or_a_template_error(tmp_path_factory, template, machine, subs):
    folder = tmp_path_factory.mktemp("t")
    (folder / "def.json").write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}')
    path = folder / "template.json"
    path.write_text(json.dumps(template))
    try:
        loaded = load_definition(path, machine, subs)
    except DefinitionError as exc:
        assert str(exc).startswith(str(path)), exc
        event("TemplateError")
        return
    event("loaded")
    assert isinstance(loaded, LoadedDefinition)
    assert loads(loaded.text) == loaded.definition
    for placeholder in loaded.placeholders:
        value = resolve(loaded.definition, placeholder.pointer)
        assert isinstance(value, str)
        assert "${" + placeholder.token + "}" in value or value == placeholder.stands_for


YAML_PIECES = st.sampled_from([
    "a", ":", " ", "\n", "  ", "- ", "!Sub", "!GetAtt", "!Ref", "!!int", "!!float", "!!bool",
    "!!binary", "!!set", "!!map", "!!str", "&x", "*x", "[", "]", "{", "}", ",", "'", '"', "#",
    "---", "StartAt", "States", "Resources", "Type", "AWS::StepFunctions::StateMachine",
    "Properties", "Definition", "x", "1", "2024-01-01", ".nan", "~", "? ", "|", ">", "%YAML 1.1"])


@examples(100)
@given(pieces=st.lists(YAML_PIECES, max_size=40))
@budgeted
def test_yaml_text_gives_a_definition_or_a_template_error(tmp_path_factory, pieces):
    path = tmp_path_factory.mktemp("y") / "t.yaml"
    path.write_text("".join(pieces), encoding="utf-8")
    try:
        loaded = load_definition(path)
    except DefinitionError as exc:
        assert str(exc).startswith(str(path)), exc
        return
    assert loads(loaded.text) == loaded.definition
