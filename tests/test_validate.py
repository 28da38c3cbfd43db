"""Static validation: one table row per kind of problem, plus definitions AWS accepted."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from asl_runner.errors import Problem
from asl_runner.validate import validate_definition

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASES = SHARED / "conformance" / "cases"
SERVICE_CASES = SHARED / "conformance" / "services"
GDPR = SHARED / "examples" / "gdpr_offboarding.asl.json"

ARN = "arn:aws:lambda:us-east-1:123456789012:function:Work"


def machine(states: dict, start: str | None = None, **top: Any) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def one(state: dict, **top: Any) -> dict:
    """A machine of one state named S (plus whatever ``top`` adds)."""
    return machine({"S": state}, **top)


def task(**fields: Any) -> dict:
    return {"Type": "Task", "Resource": ARN, "End": True, **fields}


def pass_(**fields: Any) -> dict:
    return {"Type": "Pass", "End": True, **fields}


def choice(*rules: dict, **fields: Any) -> dict:
    """A machine whose Choice state C has ``rules`` and goes on to Done."""
    return machine({"C": {"Type": "Choice", "Choices": list(rules), "Default": "Done", **fields},
                    "Done": {"Type": "Succeed"}})


def rule(**fields: Any) -> dict:
    return {"Variable": "$.x", "Next": "Done", **fields}


def wait(**fields: Any) -> dict:
    return one({"Type": "Wait", "End": True, **fields})


DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}


def map_(config: dict | None = None, **fields: Any) -> dict:
    """A machine of one Map S; ``config``: its ItemProcessor's ProcessorConfig."""
    processor = {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}
    if config is not None:
        processor["ProcessorConfig"] = config
    state = {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}
    return one({k: v for k, v in state.items() if v is not None})


JSONATA = {"QueryLanguage": "JSONata"}

# (definition, pointer of the expected problem, words its message contains)
PROBLEMS = [
    # -- the definition and its machines --------------------------------------------------
    pytest.param([], "", "must be a JSON object", id="definition-not-object"),
    pytest.param({"States": {"A": pass_()}}, "", "missing required field 'StartAt'", id="no-startat"),
    pytest.param({"StartAt": "A"}, "", "missing required field 'States'", id="no-states"),
    pytest.param({"StartAt": "A", "States": {}}, "/States", "at least one state", id="empty-states"),
    pytest.param({"StartAt": "A", "States": []}, "/States", "must be an object", id="states-array"),
    pytest.param(machine({"A": pass_()}, start="B"), "/StartAt", "no state named 'B'", id="startat-missing"),
    pytest.param(machine({"Alpha": pass_()}, start="Alpa"), "/StartAt", "did you mean 'Alpha'",
                 id="startat-did-you-mean"),
    pytest.param(machine({"A": pass_()}, Foo=1), "/Foo", "unknown field 'Foo'", id="top-unknown-field"),
    pytest.param(machine({"A": pass_()}, Comments="x"), "/Comments", "did you mean 'Comment'",
                 id="top-did-you-mean"),
    pytest.param(machine({"A": pass_()}, QueryLanguage="JSONATA"), "/QueryLanguage",
                 "must be JSONPath or JSONata", id="query-language-value"),
    pytest.param(machine({"A": pass_()}, TimeoutSeconds="10"), "/TimeoutSeconds",
                 "must be an integer", id="top-timeout-type"),
    pytest.param(machine({"A": pass_()}, Version=1), "/Version", "must be a string", id="version-type"),
    # -- states ------------------------------------------------------------------------------
    pytest.param(one(5), "/States/S", "a state must be an object", id="state-not-object"),
    pytest.param(one({"End": True}), "/States/S", "missing required field 'Type'", id="no-type"),
    pytest.param(one({"Type": "Pas", "End": True}), "/States/S/Type", "did you mean 'Pass'",
                 id="bad-type"),
    pytest.param(one(pass_(Nxt="S")), "/States/S/Nxt", "unknown field 'Nxt' in a Pass state (did you mean 'Next'?)",
                 id="unknown-state-field"),
    pytest.param(one(pass_(Resource=ARN)), "/States/S/Resource", "not supported in a Pass state",
                 id="field-of-another-type"),
    pytest.param(one(pass_(Retry=[])), "/States/S/Retry", "not supported in a Pass state",
                 id="retry-on-pass"),
    pytest.param(machine({"P": {"Type": "Parallel", "Branches": [machine({"A": pass_()})],
                                "TimeoutSeconds": 5, "End": True}}),
                 "/States/P/TimeoutSeconds", "not supported in a Parallel state", id="timeout-on-parallel"),
    pytest.param(one({"Type": "Succeed", "Next": "S"}), "/States/S/Next", "not supported in a Succeed state",
                 id="next-on-succeed"),
    pytest.param(one({"Type": "Fail", "InputPath": "$"}), "/States/S/InputPath", "not supported in a Fail state",
                 id="inputpath-on-fail"),
    pytest.param(machine({"A" * 81: {"Type": "Succeed"}}), "/States/" + "A" * 81, "limit is 80",
                 id="long-state-name"),
    pytest.param(machine({"A": {"Type": "Parallel", "End": True, "Branches": [machine({"A": pass_()})]}}),
                 "/States/A/Branches/0/States/A", "already used at /States/A", id="duplicate-name"),
    pytest.param(one({"Type": "Pass", "Comment": 3, "End": True}), "/States/S/Comment", "must be a string",
                 id="comment-type"),
    # -- transitions -------------------------------------------------------------------------
    pytest.param(machine({"Charge": task(End=None, Next="Shiping"), "Shipping": {"Type": "Succeed"}}),
                 "/States/Charge/Next", "no state named 'Shiping' (did you mean 'Shipping'?)", id="next-typo"),
    pytest.param(one({"Type": "Pass"}), "/States/S", "needs 'Next'", id="no-next-or-end"),
    pytest.param(one({"Type": "Pass", "End": False}), "/States/S", "needs 'Next'", id="end-false"),
    pytest.param(machine({"A": pass_(Next="B"), "B": pass_()}), "/States/A/End", "not both",
                 id="next-and-end"),
    pytest.param(one({"Type": "Pass", "End": "yes"}), "/States/S/End", "true or false", id="end-type"),
    pytest.param(one({"Type": "Pass", "Next": 5}), "/States/S/Next", "must be a string", id="next-type"),
    pytest.param(machine({"A": pass_(), "B": pass_()}), "/States/B", "not reachable", id="unreachable"),
    pytest.param(machine({"A": pass_(End=None, Next="B"), "B": pass_(End=None, Next="A")}), "",
                 "no terminal state", id="no-terminal-state"),
    pytest.param(machine({"A": pass_(End=None, Next="B"), "B": pass_(End=None, Next="A"), "C": pass_()}),
                 "/StartAt", "could never end", id="terminal-never-reached"),
    pytest.param(choice(rule(BooleanEquals=True, Next="Nowhere")), "/States/C/Choices/0/Next",
                 "no state named 'Nowhere'", id="choice-next-missing"),
    pytest.param(machine({"C": {"Type": "Choice", "Choices": [rule(IsNull=True, Next="D")], "Default": "E"},
                          "D": {"Type": "Succeed"}}), "/States/C/Default", "no state named 'E'",
                 id="choice-default-missing"),
    pytest.param(one(task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}])),
                 "/States/S/Catch/0/Next", "no state named 'Recover'", id="catch-next-missing"),
    pytest.param(machine({"P": {"Type": "Parallel", "Next": "Done",
                                "Branches": [machine({"A": pass_(End=None, Next="Done")})]},
                          "Done": {"Type": "Succeed"}}),
                 "/States/P/Branches/0/States/A/Next", "cannot cross into or out of", id="leave-branch"),
    pytest.param(machine({"P": {"Type": "Parallel", "End": True,
                                "Branches": [machine({"A": pass_()}), machine({"B": pass_()}, start="A")]}}),
                 "/States/P/Branches/1/StartAt", "defined at /States/P/Branches/0/States/A", id="enter-branch"),
    # -- paths ----------------------------------------------------------------------------------
    pytest.param(one(pass_(InputPath="$.a[")), "/States/S/InputPath", "not a valid JSONPath", id="inputpath-syntax"),
    pytest.param(one(pass_(OutputPath=3)), "/States/S/OutputPath", "JSONPath string or null",
                 id="outputpath-type"),
    pytest.param(one(pass_(InputPath="a.b")), "/States/S/InputPath", "starts with '$'", id="path-without-dollar"),
    pytest.param(one(pass_(ResultPath="$.items[*]")), "/States/S/ResultPath", "reference path",
                 id="resultpath-indefinite"),
    pytest.param(one(pass_(ResultPath="$$.Execution")), "/States/S/ResultPath", "not the context object",
                 id="resultpath-context"),
    pytest.param(one(pass_(ResultPath="$var")), "/States/S/ResultPath", "or a variable", id="resultpath-variable"),
    pytest.param(wait(SecondsPath="$.a..b"), "/States/S/SecondsPath", "reference path", id="secondspath-indefinite"),
    pytest.param(one(task(TimeoutSecondsPath="$.t[")), "/States/S/TimeoutSecondsPath", "not a valid JSONPath",
                 id="timeoutsecondspath-syntax"),
    pytest.param(map_(ItemsPath="items"), "/States/S/ItemsPath", "not a valid JSONPath", id="itemspath-syntax"),
    pytest.param(one({"Type": "Fail", "CausePath": "$.c[?(@.x)]"}), "/States/S/CausePath", "reference path",
                 id="causepath-indefinite"),
    # -- payload templates and Assign ------------------------------------------------------------------
    pytest.param(one(pass_(Parameters={"a.$": "name"})), "/States/S/Parameters/a.$",
                 "valid JSONPath or a valid intrinsic", id="template-bad-dynamic"),
    pytest.param(one(pass_(Parameters={"a": {"b.$": 5}})), "/States/S/Parameters/a/b.$",
                 "must be a string", id="template-nested-non-string"),
    pytest.param(one(task(ResultSelector={"x.$": "$.a["})), "/States/S/ResultSelector/x.$",
                 "valid JSONPath", id="resultselector-path"),
    pytest.param(map_(ItemSelector={"v.$": "$$.Map.Item.Value["}), "/States/S/ItemSelector/v.$",
                 "valid JSONPath", id="itemselector-path"),
    pytest.param(one(pass_(Assign={"1st": 1})), "/States/S/Assign/1st", "not a valid variable name",
                 id="assign-bad-name"),
    pytest.param(one(pass_(Assign={"states": 1})), "/States/S/Assign/states", "reserved", id="assign-states"),
    pytest.param(one(pass_(Assign={"x.$": "nope"})), "/States/S/Assign/x.$", "valid JSONPath",
                 id="assign-bad-value"),
    pytest.param(one(pass_(Assign=[1])), "/States/S/Assign", "must be an object", id="assign-not-object"),
    pytest.param(one(pass_(Assign={"v" * 81: 1})), "/States/S/Assign/" + "v" * 81, "longer than 80",
                 id="assign-long-name"),
    pytest.param(one(pass_(Parameters={"a.$": "States.Fromat('{}', $.x)"})), "/States/S/Parameters/a.$",
                 "not a valid intrinsic function call", id="intrinsic-unknown"),
    pytest.param(one(pass_(Assign={"n.$": "States.ArrayLength()"})), "/States/S/Assign/n.$",
                 "not a valid intrinsic function call", id="intrinsic-arity-in-assign"),
    pytest.param(one({"Type": "Fail", "ErrorPath": "States.Format('{}'"}), "/States/S/ErrorPath",
                 "not a valid intrinsic function call", id="intrinsic-errorpath"),
    # -- Choice ---------------------------------------------------------------------------------------
    pytest.param(machine({"C": {"Type": "Choice", "Default": "D"}, "D": {"Type": "Succeed"}}),
                 "/States/C", "missing required field 'Choices'", id="choice-no-choices"),
    pytest.param(choice(), "/States/C/Choices", "non-empty array", id="choice-empty"),
    pytest.param(choice(rule(StringEquals=5)), "/States/C/Choices/0/StringEquals", "must be a string",
                 id="stringequals-operand"),
    pytest.param(choice(rule(NumericEquals="5")), "/States/C/Choices/0/NumericEquals", "must be a number",
                 id="numericequals-operand"),
    pytest.param(choice(rule(NumericGreaterThan=True)), "/States/C/Choices/0/NumericGreaterThan",
                 "must be a number", id="numeric-boolean-operand"),
    pytest.param(choice(rule(BooleanEquals="true")), "/States/C/Choices/0/BooleanEquals", "true or false",
                 id="booleanequals-operand"),
    pytest.param(choice(rule(IsPresent=1)), "/States/C/Choices/0/IsPresent", "true or false",
                 id="ispresent-operand"),
    pytest.param(choice(rule(TimestampEquals="2016-03-14")), "/States/C/Choices/0/TimestampEquals",
                 "ISO-8601 timestamp", id="timestamp-operand"),
    pytest.param(choice(rule(StringEqualsPath="x")), "/States/C/Choices/0/StringEqualsPath",
                 "not a valid JSONPath", id="path-operand"),
    pytest.param(choice({"StringEquals": "a", "Next": "Done"}), "/States/C/Choices/0", "needs a 'Variable'",
                 id="rule-no-variable"),
    pytest.param(choice(rule(Variable="x", IsNull=True)), "/States/C/Choices/0/Variable", "not a valid JSONPath",
                 id="rule-variable-syntax"),
    pytest.param(choice(rule()), "/States/C/Choices/0", "needs one comparison", id="rule-no-operator"),
    pytest.param(choice(rule(StringEquals="a", StringLessThan="b")), "/States/C/Choices/0",
                 "exactly one operator", id="rule-two-operators"),
    pytest.param(choice(rule(StringEqual="a")), "/States/C/Choices/0/StringEqual",
                 "did you mean 'StringEquals'", id="rule-operator-typo"),
    pytest.param(choice({"Variable": "$.x", "IsNull": True}), "/States/C/Choices/0", "needs 'Next'",
                 id="rule-no-next"),
    pytest.param(choice({"Not": rule(IsNull=True), "Next": "Done"}), "/States/C/Choices/0/Not/Next",
                 "only allowed on the top-level rules", id="nested-next"),
    pytest.param(choice({"And": [], "Next": "Done"}), "/States/C/Choices/0/And", "non-empty array",
                 id="and-empty"),
    pytest.param(choice({"Or": {"Variable": "$.x", "IsNull": True}, "Next": "Done"}), "/States/C/Choices/0/Or",
                 "non-empty array", id="or-not-array"),
    pytest.param(choice({"Not": [{"Variable": "$.x", "IsNull": True}], "Next": "Done"}),
                 "/States/C/Choices/0/Not", "must be an object", id="not-array"),
    pytest.param(choice({"And": [{"Variable": "$.x", "StringEquals": 1}], "Next": "Done"}),
                 "/States/C/Choices/0/And/0/StringEquals", "must be a string", id="nested-operand"),
    pytest.param(choice({"Variable": "$.x", "And": [{"Variable": "$.x", "IsNull": True}], "Next": "Done"}),
                 "/States/C/Choices/0/Variable", "no meaning", id="variable-with-and"),
    pytest.param(choice(rule(IsNull=True, Condition="{% true %}")), "/States/C/Choices/0/Condition",
                 "only supported when the QueryLanguage is JSONata", id="condition-in-jsonpath"),
    # -- Wait ------------------------------------------------------------------------------------
    pytest.param(wait(), "/States/S", "needs one of", id="wait-nothing"),
    pytest.param(wait(Seconds=5, SecondsPath="$.s"), "/States/S/SecondsPath", "exactly one of",
                 id="wait-two"),
    pytest.param(wait(Seconds=-1), "/States/S/Seconds", "from 0 to 99999999", id="wait-negative"),
    pytest.param(wait(Seconds="5"), "/States/S/Seconds", "must be an integer", id="wait-seconds-string"),
    pytest.param(wait(Timestamp="2016-03-14T01:59:00"), "/States/S/Timestamp", "with a time zone",
                 id="timestamp-no-zone"),
    pytest.param(wait(Timestamp="2016-02-30T01:59:00Z"), "/States/S/Timestamp", "ISO-8601",
                 id="timestamp-no-such-day"),
    pytest.param(wait(Timestamp="2016-03-14t01:59:00z"), "/States/S/Timestamp", "ISO-8601",
                 id="timestamp-lowercase"),
    # -- Task ------------------------------------------------------------------------------------
    pytest.param(one({"Type": "Task", "End": True}), "/States/S", "missing required field 'Resource'",
                 id="task-no-resource"),
    pytest.param(one(pass_(ResultPath="$['a','b']")), "/States/S/ResultPath", "must be a reference path",
                 id="resultpath-name-list"),
    pytest.param(one(pass_(ResultPath="$.[*]")), "/States/S/ResultPath", "must be a reference path",
                 id="resultpath-dot-wildcard"),
    pytest.param(one(pass_(Parameters={"x.$": "$.a b"})), "/States/S/Parameters/x.$", "valid JSONPath",
                 id="parameters-path-with-space"),
    pytest.param(one(task(Resource="not an arn!")), "/States/S/Resource", "must be an ARN", id="resource-shape"),
    # AWS refuses a Task Resource that is not an ARN; only `run` resolves bare names locally
    pytest.param(one(task(Resource="ProcessOrder")), "/States/S/Resource", "Value is not a valid resource ARN",
                 id="resource-bare-function-name"),
    pytest.param(one(task(Resource="ProcessOrder:live")), "/States/S/Resource", "bare Lambda function name",
                 id="resource-bare-function-name-alias"),
    pytest.param(one(task(Resource="123456789012:function:ProcessOrder")), "/States/S/Resource",
                 "not a valid resource ARN", id="resource-partial-arn"),
    pytest.param(map_(ItemReader={"Resource": "ReadItems"}), "/States/S/ItemReader/Resource",
                 "not a valid resource ARN", id="itemreader-bare-name"),
    # ItemBatcher batches the input of child workflows, which only a Distributed Map starts
    pytest.param(map_(ItemBatcher={"MaxItemsPerBatch": 5}), "/States/S/ItemBatcher",
                 "only supported in a Distributed Map", id="itembatcher-inline-by-default"),
    pytest.param(map_({"Mode": "INLINE"}, ItemBatcher={"MaxItemsPerBatch": 5}), "/States/S/ItemBatcher",
                 "only supported in a Distributed Map", id="itembatcher-inline-mode"),
    pytest.param(machine({"S": {"Type": "Map", "End": True, "ItemBatcher": {"MaxItemsPerBatch": 5},
                                "Iterator": {"StartAt": "I", "States": {"I": pass_()}}}}),
                 "/States/S/ItemBatcher", "only supported in a Distributed Map", id="itembatcher-legacy-iterator"),
    pytest.param(one(task(Resource=["arn"])), "/States/S/Resource", "must be a string", id="resource-type"),
    pytest.param(one(task(TimeoutSeconds=0)), "/States/S/TimeoutSeconds", "from 1 to 99999999",
                 id="timeout-zero"),
    pytest.param(one(task(TimeoutSeconds=1.5)), "/States/S/TimeoutSeconds", "must be an integer",
                 id="timeout-fraction"),
    pytest.param(one(task(TimeoutSeconds=5, TimeoutSecondsPath="$.t")), "/States/S/TimeoutSecondsPath",
                 "cannot be used together", id="timeout-exclusive"),
    pytest.param(one(task(HeartbeatSeconds=5, HeartbeatSecondsPath="$.h")), "/States/S/HeartbeatSecondsPath",
                 "cannot be used together", id="heartbeat-exclusive"),
    pytest.param(one(task(TimeoutSeconds=10, HeartbeatSeconds=10)), "/States/S/HeartbeatSeconds",
                 "must be smaller than 'TimeoutSeconds'", id="heartbeat-not-smaller"),
    pytest.param(one(task(Credentials="role")), "/States/S/Credentials", "must be an object",
                 id="credentials-type"),
    # -- Retry and Catch ---------------------------------------------------------------------------
    pytest.param(one(task(Retry={"ErrorEquals": ["X"]})), "/States/S/Retry", "must be an array",
                 id="retry-not-array"),
    pytest.param(one(task(Retry=["X"])), "/States/S/Retry/0", "retrier must be an object", id="retrier-type"),
    pytest.param(one(task(Retry=[{}])), "/States/S/Retry/0", "needs 'ErrorEquals'", id="retry-no-errorequals"),
    pytest.param(one(task(Retry=[{"ErrorEquals": []}])), "/States/S/Retry/0/ErrorEquals", "non-empty array",
                 id="errorequals-empty"),
    pytest.param(one(task(Retry=[{"ErrorEquals": [5]}])), "/States/S/Retry/0/ErrorEquals/0", "must be a string",
                 id="errorequals-entry"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["States.ALL", "X"]}])), "/States/S/Retry/0/ErrorEquals",
                 "must appear alone", id="states-all-not-alone"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])),
                 "/States/S/Retry/0/ErrorEquals", "must be the last", id="states-all-retrier-not-last"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 0}])),
                 "/States/S/Retry/0/IntervalSeconds", "from 1 to", id="interval-zero"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": -1}])), "/States/S/Retry/0/MaxAttempts",
                 "from 0 to", id="maxattempts-negative"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}])), "/States/S/Retry/0/BackoffRate",
                 "at least 1", id="backoff-below-one"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}])),
                 "/States/S/Retry/0/MaxDelaySeconds", "positive integer", id="maxdelay-zero"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "PARTIAL"}])),
                 "/States/S/Retry/0/JitterStrategy", "FULL or NONE", id="jitter-value"),
    pytest.param(one(task(Retry=[{"ErrorEquals": ["X"], "MaxAttempt": 2}])), "/States/S/Retry/0/MaxAttempt",
                 "did you mean 'MaxAttempts'", id="retrier-unknown-field"),
    pytest.param(machine({"S": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "F"},
                                           {"ErrorEquals": ["X"], "Next": "F"}]), "F": {"Type": "Fail"}}),
                 "/States/S/Catch/0/ErrorEquals", "must be the last", id="states-all-catcher-not-last"),
    pytest.param(one(task(Catch=[{"ErrorEquals": ["X"]}])), "/States/S/Catch/0", "needs 'Next'",
                 id="catch-no-next"),
    pytest.param(machine({"S": task(Catch=[{"ErrorEquals": ["X"], "Next": "F", "ResultPath": "$.e[0:1]"}]),
                          "F": {"Type": "Fail"}}), "/States/S/Catch/0/ResultPath", "reference path",
                 id="catch-resultpath"),
    pytest.param(machine({"S": task(Catch=[{"ErrorEquals": ["X"], "Next": "F", "Output": {}}]),
                          "F": {"Type": "Fail"}}), "/States/S/Catch/0/Output", "only supported when the "
                 "QueryLanguage is JSONata", id="catch-output-in-jsonpath"),
    # -- Fail ------------------------------------------------------------------------------------
    pytest.param(one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}), "/States/S/ErrorPath",
                 "cannot be used together", id="error-exclusive"),
    pytest.param(one({"Type": "Fail", "CausePath": "$.c", "Cause": "C"}), "/States/S/Cause",
                 "cannot be used together", id="cause-exclusive"),
    pytest.param(one({"Type": "Fail", "Error": 5}), "/States/S/Error", "must be a string", id="error-type"),
    # -- Parallel -------------------------------------------------------------------------------
    pytest.param(one({"Type": "Parallel", "End": True}), "/States/S", "missing required field 'Branches'",
                 id="parallel-no-branches"),
    pytest.param(one({"Type": "Parallel", "End": True, "Branches": []}), "/States/S/Branches", "non-empty",
                 id="parallel-empty-branches"),
    pytest.param(one({"Type": "Parallel", "End": True, "Branches": [5]}), "/States/S/Branches/0",
                 "must be an object", id="branch-type"),
    pytest.param(one({"Type": "Parallel", "End": True, "Branches": [machine({"A": pass_()}, Foo=1)]}),
                 "/States/S/Branches/0/Foo", "unknown field 'Foo' in a Parallel branch", id="branch-unknown"),
    pytest.param(one({"Type": "Parallel", "End": True, "Branches": [{"StartAt": "A"}]}),
                 "/States/S/Branches/0", "missing required field 'States'", id="branch-no-states"),
    pytest.param(one({"Type": "Parallel", "End": True, "Branches": [machine({"A": {"Type": "Pass"}})]}),
                 "/States/S/Branches/0/States/A", "needs 'Next'", id="branch-state-checked"),
    # -- Map ------------------------------------------------------------------------------------
    pytest.param(one({"Type": "Map", "End": True}), "/States/S", "missing required field 'ItemProcessor'",
                 id="map-no-processor"),
    pytest.param(map_(Iterator=machine({"I": pass_()})), "/States/S/Iterator", "cannot be used together",
                 id="map-iterator-and-processor"),
    pytest.param(map_(Parameters={}, ItemSelector={}), "/States/S/ItemSelector", "cannot be used together",
                 id="map-parameters-and-itemselector"),
    pytest.param(map_(MaxConcurrency=-1), "/States/S/MaxConcurrency", "non-negative integer",
                 id="maxconcurrency-negative"),
    pytest.param(map_(MaxConcurrency=2, MaxConcurrencyPath="$.m"), "/States/S/MaxConcurrencyPath",
                 "cannot be used together", id="maxconcurrency-exclusive"),
    pytest.param(map_(ToleratedFailurePercentage=101), "/States/S/ToleratedFailurePercentage", "from 0 to 100",
                 id="tolerated-percentage-range"),
    pytest.param(map_(ToleratedFailureCount=-2), "/States/S/ToleratedFailureCount", "non-negative",
                 id="tolerated-count-range"),
    pytest.param(map_(ToleratedFailureCount=1, ToleratedFailureCountPath="$.c"),
                 "/States/S/ToleratedFailureCountPath", "cannot be used together", id="tolerated-count-exclusive"),
    pytest.param(map_(Label="my label"), "/States/S/Label", "must not contain whitespace", id="label-chars"),
    pytest.param(map_(Label="L" * 41), "/States/S/Label", "at most 40", id="label-length"),
    pytest.param(map_(ItemProcessor={"StartAt": "I", "States": {"I": pass_()},
                                     "ProcessorConfig": {"Mode": "PARALLEL"}}),
                 "/States/S/ItemProcessor/ProcessorConfig/Mode", "INLINE or DISTRIBUTED", id="processor-mode"),
    pytest.param(map_(ItemProcessor={"StartAt": "I", "States": {"I": pass_()},
                                     "ProcessorConfig": {"Mode": "DISTRIBUTED"}}),
                 "/States/S/ItemProcessor/ProcessorConfig", "needs 'ExecutionType'", id="distributed-no-type"),
    pytest.param(map_(ItemProcessor={"StartAt": "I", "States": {"I": pass_()}, "QueryLanguage": "JSONata"}),
                 "/States/S/ItemProcessor/QueryLanguage", "not supported in a Map's processor",
                 id="processor-query-language"),
    pytest.param(map_(ItemReader={"Parameters": {}}), "/States/S/ItemReader", "missing required field 'Resource'",
                 id="itemreader-no-resource"),
    pytest.param(map_(ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Argument": {}}),
                 "/States/S/ItemReader/Argument", "unknown field", id="itemreader-unknown"),
    pytest.param(map_(ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                  "ReaderConfig": {"MaxItems": 5, "MaxItemsPath": "$.m"}}),
                 "/States/S/ItemReader/ReaderConfig/MaxItemsPath", "cannot be used together",
                 id="readerconfig-exclusive"),
    pytest.param(map_(DISTRIBUTED, ItemBatcher={"MaxItemsPerBatch": "5"}), "/States/S/ItemBatcher/MaxItemsPerBatch",
                 "must be an integer", id="itembatcher-type"),
    pytest.param(map_(ResultWriter={"Resource": 5}), "/States/S/ResultWriter/Resource", "must be a string",
                 id="resultwriter-resource"),
    # -- JSONata ---------------------------------------------------------------------------------
    pytest.param(one(pass_(Output={"a": 1})), "/States/S/Output",
                 "only supported when the QueryLanguage is JSONata; this is a JSONPath state",
                 id="jsonata-field-in-jsonpath"),
    pytest.param(one(pass_(Parameters={}), **JSONATA), "/States/S/Parameters",
                 "only supported when the QueryLanguage is JSONPath", id="jsonpath-field-in-jsonata"),
    pytest.param(one(pass_(Result=1, QueryLanguage="JSONata")), "/States/S/Result",
                 "only supported when the QueryLanguage is JSONPath", id="result-in-jsonata-state"),
    pytest.param(one(task(ResultPath="$.r"), **JSONATA), "/States/S/ResultPath",
                 "only supported when the QueryLanguage is JSONPath", id="resultpath-in-jsonata"),
    pytest.param(one(pass_(QueryLanguage="JSONPath"), **JSONATA), "/States/S/QueryLanguage",
                 "cannot be JSONPath", id="jsonpath-state-in-jsonata-machine"),
    pytest.param(one(pass_(QueryLanguage="jsonata")), "/States/S/QueryLanguage", "must be JSONPath or JSONata",
                 id="state-query-language-value"),
    pytest.param(machine({"C": {"Type": "Choice", "Choices": [{"Condition": "$states.input.x", "Next": "D"}]},
                          "D": {"Type": "Succeed"}}, **JSONATA),
                 "/States/C/Choices/0/Condition", "JSONata expression written as", id="condition-not-wrapped"),
    pytest.param(machine({"C": {"Type": "Choice", "Choices": [{"Next": "D"}]}, "D": {"Type": "Succeed"}},
                         **JSONATA), "/States/C/Choices/0", "needs a 'Condition'", id="condition-missing"),
    pytest.param(machine({"C": {"Type": "Choice", "Choices": [rule(IsNull=True, Next="D")]},
                          "D": {"Type": "Succeed"}}, **JSONATA),
                 "/States/C/Choices/0/Variable", "only supported when the QueryLanguage is JSONPath",
                 id="variable-in-jsonata"),
    pytest.param(wait(Seconds="{% %}", **JSONATA), "/States/S/Seconds", "empty JSONata expression",
                 id="empty-expression"),
    pytest.param(wait(Seconds="$.s", **JSONATA), "/States/S/Seconds", "JSONata expression",
                 id="seconds-not-expression"),
    pytest.param(wait(SecondsPath="$.s", **JSONATA), "/States/S/SecondsPath",
                 "only supported when the QueryLanguage is JSONPath", id="secondspath-in-jsonata"),
    pytest.param(one(task(TimeoutSeconds="{% 5"), **JSONATA), "/States/S/TimeoutSeconds",
                 "JSONata expression written as", id="timeout-half-wrapped"),
    pytest.param(one(task(Arguments=5), **JSONATA), "/States/S/Arguments",
                 "object or a JSONata expression", id="arguments-type"),
    pytest.param(one(task(Arguments={"a": ["{%   %}"]}), **JSONATA), "/States/S/Arguments/a/0",
                 "empty JSONata expression", id="arguments-empty-expression"),
    pytest.param(one(task(Resource="{% $arn %}"), **JSONATA), "/States/S/Resource", "constant ARN",
                 id="resource-expression"),
    pytest.param(map_(Items={"a": 1}, **JSONATA), "/States/S/Items", "array or a JSONata expression",
                 id="items-type"),
    pytest.param(one(pass_(Assign={"x.$": "$.y"}), **JSONATA), "/States/S/Assign/x.$", "do not use '.$'",
                 id="jsonata-assign-dollar-key"),
    pytest.param(one({"Type": "Fail", "Error": "{%%}"}, **JSONATA), "/States/S/Error", "empty JSONata",
                 id="fail-error-empty-expression"),
]


@pytest.mark.parametrize(("definition", "pointer", "gist"), PROBLEMS)
def test_problem(definition: Any, pointer: str, gist: str) -> None:
    problems = validate_definition(definition)
    at_pointer = [p.message for p in problems if p.pointer == pointer]
    assert any(gist.lower() in m.lower() for m in at_pointer), (
        f"no problem at {pointer!r} mentioning {gist!r}; found: "
        + "; ".join(str(p) for p in problems)
    )


# definitions that are valid, including the corners where AWS is more lenient than its docs
VALID = [
    pytest.param(one(pass_()), id="minimal"),
    pytest.param(one(task(Resource="arn:aws:states:::lambda:invoke", Parameters={"FunctionName": ARN,
                                                                                  "Payload.$": "$"})),
                 id="optimized-integration"),
    pytest.param(machine({"S": task(Retry=[{"ErrorEquals": ["State.ALL"]}],
                                    Catch=[{"ErrorEquals": ["States.ALL"], "Next": "F"}]),
                          "F": {"Type": "Fail"}}), id="look-alike-of-states-all"),
    pytest.param(machine({"M": {"Type": "Map", "End": True, "Iterator": {
        "StartAt": "I", "States": {"I": pass_()},
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}}}),
                 id="processor-config-in-iterator"),
    pytest.param(machine({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "I", "States": {"I": pass_()}}}}), id="itemprocessor-without-config"),
    pytest.param(one(pass_(ResultPath=None, InputPath=None, OutputPath=None)), id="null-paths"),
    pytest.param(one(pass_(InputPath="$$.Execution.Input", OutputPath="$$", ResultPath="$.r[0].s")),
                 id="context-paths"),
    pytest.param(one(pass_(Parameters={"v.$": "$myVar.field", "c.$": "$$.State.Name"},
                           Assign={"myVar": 1, "other.$": "$.x", "ünïcode_ok": 2})), id="variables"),
    pytest.param(one({"Type": "Fail", "ErrorPath": "$$.State.Name", "CausePath": "$causeVar"}),
                 id="fail-paths"),
    pytest.param(one({"Type": "Fail", "ErrorPath": "States.Format('{}', $.Error)",
                      "CausePath": "States.JsonToString($.Cause)"}), id="fail-intrinsics"),
    # JSONPath forms Jayway accepts, wherever a path goes (real AWS samples use each of them)
    pytest.param(machine({
        "P": {"Type": "Pass", "InputPath": " $.in ", "OutputPath": "$.['out']", "ResultPath": "$.r.[0] ",
              "Next": "C",
              "Parameters": {"a.$": "$.[0]", "b.$": "$.a.[0]", "c.$": "$.['a']", "d.$": "$.[?(@.OU > 0)]",
                             "e.$": "$.[*].['bucket', 'key']", "f.$": "$$.Execution.Name ",
                             "g.$": " $.x", "h.$": "$['Test\\\"\"Name\"']",
                             "i.$": "States.Format('{}', $.[0])", "j.$": "$..[0]"}},
        "C": {"Type": "Choice", "Choices": [rule(Variable="$.['x'] ", IsPresent=True, Next="M"),
                                            rule(Variable="$.x", StringEqualsPath="$.[0]", Next="M")],
              "Default": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.[*].items ", "End": True,
              "ItemProcessor": {"StartAt": "I", "States": {"I": pass_()}}},
    }), id="jayway-path-forms"),
    pytest.param(wait(Timestamp="2016-03-05T21:29:29.243167252Z"), id="timestamp-nanoseconds"),
    pytest.param(wait(Timestamp="2016-03-05T21:29:29+05:30"), id="timestamp-offset"),
    pytest.param(wait(SecondsPath="$waitTime"), id="secondspath-variable"),
    pytest.param(choice(rule(NumericEquals=1.0), rule(StringMatches="log-*.txt"),
                        {"And": [{"Variable": "$.x", "IsPresent": True},
                                 {"Not": {"Variable": "$.y", "IsNull": True}}], "Next": "Done"}),
                 id="choice-rules"),
    pytest.param(one(task(TimeoutSeconds=5, HeartbeatSeconds=1, Credentials={"RoleArn.$": "$.role"})),
                 id="task-timeouts"),
    pytest.param(map_(DISTRIBUTED, ToleratedFailurePercentage=0.5, ToleratedFailureCount=0, MaxConcurrency=0,
                      Label="L1",
                      ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                  "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                                  "Parameters": {"Bucket.$": "$.bucket", "Key": "k"}},
                      ItemBatcher={"MaxItemsPerBatch": 10, "BatchInput": {"x.$": "$.x"}},
                      ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                    "Parameters": {"Bucket": "b", "Prefix": "p"}}),
                 id="distributed-map-fields"),
    pytest.param(machine({"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}",
                                "End": True}}), id="jsonata-state-in-jsonpath-machine"),
    pytest.param(machine({
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C",
              "Arguments": {"FunctionName": ARN, "Payload": "{% $states.input %}"},
              "TimeoutSeconds": "{% $t %}", "Output": "{% $states.result.Payload %}",
              "Assign": {"n": "{% $states.result.Payload.n %}"},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "Output": "{% $states.errorOutput %}"}]},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $n > 1 %}", "Next": "W", "Output": {"n": 1}}],
              "Default": "M"},
        "W": {"Type": "Wait", "Seconds": "{% $n %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.items %}", "ItemSelector": {"v": "{% $states.context %}"},
              "MaxConcurrency": "{% 2 %}", "End": True,
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed", "Output": [1]}}}},
        "F": {"Type": "Fail", "Error": "{% $states.input.Error %}", "Cause": "plain text"},
    }, **JSONATA), id="jsonata-machine"),
]


@pytest.mark.parametrize("definition", VALID)
def test_valid(definition: dict) -> None:
    assert [str(p) for p in validate_definition(definition)] == []


def test_every_problem_is_reported_in_document_order() -> None:
    definition = machine({
        "A": {"Type": "Pass", "Next": "Missing", "Foo": 1},
        "B": {"Type": "Wait", "End": True},
    })
    problems = validate_definition(definition)
    assert [p.pointer for p in problems] == ["/States/A/Next", "/States/A/Foo", "/States/B", "/States/B"]
    assert problems == validate_definition(definition)  # deterministic
    assert all(isinstance(p, Problem) for p in problems)


def test_pointers_escape_slashes_and_tildes() -> None:
    problems = validate_definition(machine({"a/b~c": pass_(Foo=1)}))
    assert [p.pointer for p in problems] == ["/States/a~1b~0c/Foo"]


def test_definition_is_not_modified() -> None:
    definition = machine({"A": pass_(Parameters={"x.$": "$.a"}), "B": pass_()})
    before = json.dumps(definition, sort_keys=True)
    validate_definition(definition)
    assert json.dumps(definition, sort_keys=True) == before


@pytest.mark.skipif(not GDPR.exists(), reason="../shared/examples is not beside the repo")
def test_gdpr_example_is_valid_and_fast() -> None:
    definition = json.loads(GDPR.read_text())
    assert validate_definition(definition) == []
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        validate_definition(definition)
    per_run = (time.perf_counter() - start) / runs
    # it runs before every `asl-runner run`; the aim is well under 2 ms (generous for slow CI)
    assert per_run < 0.01


def _case_files() -> list[Path]:
    return [path for folder in (CASES, SERVICE_CASES) if folder.is_dir()
            for path in sorted(folder.glob("*.json"))]


_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _filled(value: Any) -> Any:
    """A tier-3 case's definition with each ``${name}`` (a name or ARN the harness makes up
    when it replays the case's resources) replaced by a valid value of its kind."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: "arn:aws:sqs:us-east-1:111111111111:placeholder"
                                if m.group().endswith("arn}") else "placeholder", value)
    if isinstance(value, list):
        return [_filled(item) for item in value]
    if isinstance(value, dict):
        return {_filled(key): _filled(item) for key, item in value.items()}
    return value


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/conformance is not beside the repo")
def test_every_definition_aws_accepted_is_valid() -> None:
    rejected = {}
    files = _case_files()
    for path in files:
        problems = validate_definition(_filled(json.loads(path.read_text())["definition"]))
        if problems:
            rejected[path.name] = [str(p) for p in problems]
    assert not rejected, json.dumps(rejected, indent=1)[:5000]
    assert len(files) >= 644 + (71 if SERVICE_CASES.is_dir() else 0)
