"""Choice rules: every operator and its Path variant, type strictness, Is* tests, StringMatches,
And/Or/Not, timestamps; and the Choice state around them.

Type strictness follows the recorded AWS cases in ../shared/conformance (TestBooleanEquals,
TestNumerics, TestStrings, TestTimestamps, TestIsOperators: e.g. BooleanEquals true on 1 is
false, IsTimestamp on "2012-10-09T19:00:55" (no offset) is false). The AWS documentation says a
comparison whose Variable is missing fails the execution, and that an ``IsPresent`` guard in an
``And`` protects the comparisons after it.
"""

from __future__ import annotations

import pytest

from asl_runner.errors import DataFlowError
from asl_runner.model.choice import compile_condition, parse_timestamp

from support import machine, result, run, types


class Env:
    def __init__(self, context=None, variables=None):
        self.context = context if context is not None else {}
        self.variables = variables or {}

    def variable(self, name):
        return self.variables[name]


ENV = Env(context={"State": {"Name": "Check"}, "Execution": {"Input": {"tier": "gold"}}},
          variables={"limit": 10, "name": "ada"})


def holds(rule: dict, doc) -> bool:
    return compile_condition(rule).evaluate(doc, ENV)


def cmp(op: str, value, operand) -> bool:
    """``op`` on $.v with a literal operand, and the same through its Path variant."""
    literal = holds({"Variable": "$.v", op: operand}, {"v": value})
    via_path = holds({"Variable": "$.v", op + "Path": "$.o"}, {"v": value, "o": operand})
    assert literal == via_path, f"{op} and {op}Path disagree"
    return literal


# ----------------------------------------------------------------------------------------------
# comparison operators (each checked literally and through its ...Path variant)
# ----------------------------------------------------------------------------------------------

COMPARISONS = [
    # numeric
    ("NumericEquals", 1, 1, True),
    ("NumericEquals", 1, 2, False),
    ("NumericEquals", 1.0, 1, True),
    ("NumericEquals", 0.1 + 0.2, 0.3, False),
    ("NumericLessThan", 1, 2, True),
    ("NumericLessThan", 2, 2, False),
    ("NumericLessThan", -1.5, -1, True),
    ("NumericGreaterThan", 3, 2, True),
    ("NumericGreaterThan", 2, 2, False),
    ("NumericLessThanEquals", 2, 2, True),
    ("NumericLessThanEquals", 3, 2, False),
    ("NumericGreaterThanEquals", 2, 2, True),
    ("NumericGreaterThanEquals", 1, 2, False),
    # booleans are not numbers, strings are not numbers
    ("NumericEquals", True, 1, False),
    ("NumericEquals", False, 0, False),
    ("NumericGreaterThanEquals", True, 0, False),
    ("NumericEquals", "1", 1, False),
    ("NumericEquals", None, 0, False),
    ("NumericEquals", [1], 1, False),
    # strings: exact, ordinal (code point) order
    ("StringEquals", "Hello", "Hello", True),
    ("StringEquals", " ", "     ", False),
    ("StringEquals", "hello", "Hello", False),
    ("StringEquals", 1, "1", False),
    ("StringEquals", None, "null", False),
    ("StringLessThan", "A", "AB", True),
    ("StringLessThan", "AB", "A", False),
    ("StringLessThan", "B", "a", True),
    ("StringGreaterThan", "b", "a", True),
    ("StringGreaterThan", "A", "A ", False),
    ("StringLessThanEquals", "", "", True),
    ("StringGreaterThanEquals", "AB", "A", True),
    ("StringGreaterThanEquals", "A", "AB", False),
    # booleans
    ("BooleanEquals", True, True, True),
    ("BooleanEquals", False, False, True),
    ("BooleanEquals", False, True, False),
    ("BooleanEquals", 1, True, False),
    ("BooleanEquals", 0, False, False),
    ("BooleanEquals", "true", True, False),
    ("BooleanEquals", None, False, False),
    # timestamps: instants compared, offsets and fractions honoured
    ("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T01:59:00Z", True),
    ("TimestampEquals", "2016-03-14T03:59:00+02:00", "2016-03-14T01:59:00Z", True),
    ("TimestampEquals", "2016-03-13T21:59:00-04:00", "2016-03-14T01:59:00Z", True),
    ("TimestampEquals", "2016-03-14T01:59:00.000Z", "2016-03-14T01:59:00Z", True),
    ("TimestampEquals", "2016-03-14T01:59:00.001Z", "2016-03-14T01:59:00Z", False),
    ("TimestampLessThan", "2016-03-14T01:59:00.123456789Z", "2016-03-14T01:59:00.5Z", True),
    ("TimestampLessThan", "2016-03-14T01:59:00Z", "2016-03-14T01:59:00Z", False),
    ("TimestampGreaterThan", "2016-03-14T02:00:00+00:00", "2016-03-14T03:59:59+02:00", True),
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", True),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:54Z", "2012-10-09T19:00:55Z", False),
    # strings that are not timestamps, and non-strings
    ("TimestampEquals", "2012-10-09T19:00:55", "2012-10-09T19:00:55Z", False),
    ("TimestampEquals", "2012-10-09 19:00:55Z", "2012-10-09T19:00:55Z", False),
    ("TimestampEquals", "2023-02-24", "2023-02-24T00:00:00Z", False),
    ("TimestampEquals", 1, "2012-10-09T19:00:55Z", False),
    ("TimestampEquals", None, "2012-10-09T19:00:55Z", False),
]


@pytest.mark.parametrize(("op", "value", "operand", "expected"), COMPARISONS,
                         ids=[f"{c[0]}-{c[1]!r}-{c[2]!r}" for c in COMPARISONS])
def test_comparison(op, value, operand, expected):
    assert cmp(op, value, operand) is expected


def test_path_operand_of_the_wrong_type_is_false():
    assert not holds({"Variable": "$.v", "NumericEqualsPath": "$.o"}, {"v": 1, "o": True})
    assert not holds({"Variable": "$.v", "StringEqualsPath": "$.o"}, {"v": "1", "o": 1})
    assert not holds({"Variable": "$.v", "TimestampEqualsPath": "$.o"},
                     {"v": "2016-03-14T01:59:00Z", "o": "not a timestamp"})


def test_path_variant_reads_variables_and_the_context():
    assert holds({"Variable": "$.n", "NumericLessThanPath": "$limit"}, {"n": 9})
    assert holds({"Variable": "$name", "StringEquals": "ada"}, {})
    assert holds({"Variable": "$$.State.Name", "StringEqualsPath": "$.expected"}, {"expected": "Check"})
    assert holds({"Variable": "$$.Execution.Input.tier", "StringEquals": "gold"}, {})


# ----------------------------------------------------------------------------------------------
# type tests and IsPresent
# ----------------------------------------------------------------------------------------------

VALUES = {
    "null": None, "int": 0, "float": 1.1, "true": True, "false": False, "empty-string": "",
    "string": "HelloWorld", "timestamp": "2012-10-09T19:00:55Z",
    "timestamp-offset": "2012-10-09T19:00:55+01:00", "timestamp-fraction": "2012-10-09T19:00:55.123Z",
    "timestamp-without-zone": "2012-10-09T19:00:55", "date": "2023-02-24", "array": [], "object": {},
}
TYPE_OF = {
    "IsNull": {"null"},
    "IsNumeric": {"int", "float"},
    "IsBoolean": {"true", "false"},
    "IsString": {"empty-string", "string", "timestamp", "timestamp-offset", "timestamp-fraction",
                 "timestamp-without-zone", "date"},
    "IsTimestamp": {"timestamp", "timestamp-offset", "timestamp-fraction"},
}
TYPE_CASES = [(test, name) for test in TYPE_OF for name in VALUES]


@pytest.mark.parametrize(("test", "name"), TYPE_CASES, ids=[f"{t}-{n}" for t, n in TYPE_CASES])
def test_type_test(test, name):
    expected = name in TYPE_OF[test]
    doc = {"v": VALUES[name]}
    assert holds({"Variable": "$.v", test: True}, doc) is expected
    assert holds({"Variable": "$.v", test: False}, doc) is (not expected)


@pytest.mark.parametrize("test", [*TYPE_OF])
def test_type_test_on_a_missing_field_is_false_either_way(test):
    # not a States.Runtime error (unlike a comparison): the rule simply does not match
    assert holds({"Variable": "$.missing", test: True}, {}) is False
    assert holds({"Variable": "$.missing", test: False}, {}) is False


IS_PRESENT = [
    ("present", "$.v", {"v": 1}, True),
    ("present-null", "$.v", {"v": None}, True),
    ("present-false", "$.v", {"v": False}, True),
    ("missing", "$.v", {}, False),
    ("missing-parent", "$.a.b.c", {}, False),
    ("through-a-string", "$.v.x", {"v": "s"}, False),
    ("array-element", "$.v[1]", {"v": [1, 2]}, True),
    ("array-element-out-of-range", "$.v[5]", {"v": [1, 2]}, False),
    ("indefinite-with-matches", "$.v[*]", {"v": [1]}, True),
    ("indefinite-without-matches", "$.v[*]", {"v": []}, False),
]


@pytest.mark.parametrize(("path", "doc", "present"), [c[1:] for c in IS_PRESENT], ids=[c[0] for c in IS_PRESENT])
def test_is_present(path, doc, present):
    assert holds({"Variable": path, "IsPresent": True}, doc) is present
    assert holds({"Variable": path, "IsPresent": False}, doc) is (not present)


# ----------------------------------------------------------------------------------------------
# StringMatches: * is a wildcard; \* and \\ are literal (JSON text "\\*" and "\\\\")
# ----------------------------------------------------------------------------------------------

MATCHES = [
    ("log-*.txt", "log-2024.txt", True),
    ("log-*.txt", "log-.txt", True),
    ("log-*.txt", "log-2024.txt.bak", False),  # the whole string must match
    ("*", "", True),
    ("*", "anything at all\nwith a newline", True),
    ("a*b*c", "a--b--c", True),
    ("a*b*c", "a--c--b", False),
    ("exact", "exact", True),
    ("exact", "Exact", False),
    ("*.csv", "data.CSV", False),
    ("a.c", "abc", False),  # regex characters are literal
    ("[x]+", "[x]+", True),
    ("log-\\*.txt", "log-*.txt", True),
    ("log-\\*.txt", "log-2024.txt", False),
    ("a\\\\b", "a\\b", True),
    ("a\\\\*", "a\\anything", True),
    ("a\\\\*", "a*", False),
    ("\\\\\\*", "\\*", True),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), MATCHES, ids=[f"{p}~{v}" for p, v, _ in MATCHES])
def test_string_matches(pattern, value, expected):
    assert holds({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is expected


def test_string_matches_on_a_non_string_is_false():
    for value in (1, None, True, ["a"], {"a": 1}):
        assert not holds({"Variable": "$.v", "StringMatches": "*"}, {"v": value})


# ----------------------------------------------------------------------------------------------
# And / Or / Not
# ----------------------------------------------------------------------------------------------

GT0 = {"Variable": "$.n", "NumericGreaterThan": 0}
LT10 = {"Variable": "$.n", "NumericLessThan": 10}
IS_SEVEN = {"Variable": "$.n", "NumericEquals": 7}

BOOLEAN_LOGIC = [
    ("and-true", {"And": [GT0, LT10]}, 5, True),
    ("and-false", {"And": [GT0, LT10]}, 15, False),
    ("or-true", {"Or": [IS_SEVEN, {"Variable": "$.n", "NumericEquals": 8}]}, 8, True),
    ("or-false", {"Or": [IS_SEVEN, {"Variable": "$.n", "NumericEquals": 8}]}, 9, False),
    ("not", {"Not": IS_SEVEN}, 6, True),
    ("not-not", {"Not": {"Not": IS_SEVEN}}, 7, True),
    ("singleton-and", {"And": [IS_SEVEN]}, 7, True),
    ("nested", {"Or": [{"And": [GT0, {"Not": IS_SEVEN}, LT10]}, {"Variable": "$.n", "NumericEquals": 100}]},
     7, False),
    ("nested-other-branch", {"Or": [{"And": [GT0, {"Not": IS_SEVEN}, LT10]},
                                    {"Variable": "$.n", "NumericEquals": 100}]}, 100, True),
]


@pytest.mark.parametrize(("rule", "n", "expected"), [c[1:] for c in BOOLEAN_LOGIC], ids=[c[0] for c in BOOLEAN_LOGIC])
def test_boolean_logic(rule, n, expected):
    assert holds(rule, {"n": n}) is expected


def test_is_present_guard_short_circuits_and():
    # the AWS docs' example: StringEquals is evaluated only when the key exists
    guarded = {"And": [{"Variable": "$.maybe", "IsPresent": True},
                       {"Variable": "$.maybe", "StringEquals": "foo"}]}
    assert holds(guarded, {}) is False
    assert holds(guarded, {"maybe": "foo"}) is True
    first_true = {"Or": [{"Variable": "$.maybe", "IsPresent": False},
                         {"Variable": "$.maybe", "StringEquals": "foo"}]}
    assert holds(first_true, {}) is True


def test_comparison_on_a_missing_field_is_a_data_flow_error():
    with pytest.raises(DataFlowError) as info:
        holds({"Variable": "$.x", "NumericEquals": 1}, {})
    assert info.value.detail == "Invalid path '$.x' : No results for path: $['x']"
    with pytest.raises(DataFlowError, match="Invalid path '\\$.o'"):
        holds({"Variable": "$.v", "NumericEqualsPath": "$.o"}, {"v": 1})


# ----------------------------------------------------------------------------------------------
# timestamps
# ----------------------------------------------------------------------------------------------

TIMESTAMPS = [
    ("2016-03-14T01:59:00Z", True),
    ("2016-03-14T01:59:00.5Z", True),
    ("2016-03-14T01:59:00.123456789Z", True),  # nanoseconds accepted (truncated)
    ("2016-03-14T01:59:00+05:30", True),
    ("2016-03-14T01:59:00-00:00", True),
    ("2016-03-14T01:59:00", False),  # no offset
    ("2016-03-14 01:59:00Z", False),
    ("2016-03-14", False),
    ("14-03-2016T01:59:00Z", False),
    ("2016-13-14T01:59:00Z", False),  # month 13
    ("2016-03-14T25:59:00Z", False),
    ("2016-03-14T01:59:00+0530", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "valid"), TIMESTAMPS, ids=[t or "empty" for t, _ in TIMESTAMPS])
def test_parse_timestamp(text, valid):
    assert (parse_timestamp(text) is not None) is valid


def test_parse_timestamp_gives_the_instant():
    assert parse_timestamp("2016-03-14T03:59:00+02:00") == parse_timestamp("2016-03-14T01:59:00Z")
    assert parse_timestamp(20160314) is None


# ----------------------------------------------------------------------------------------------
# the Choice state
# ----------------------------------------------------------------------------------------------


def choice_machine(*rules, default="Default", **extra):
    """Check -> Small / Big / Default (Pass states that output their name); only targets used."""
    check = {"Type": "Choice", "Choices": list(rules), **extra}
    if default:
        check["Default"] = default
    targets = {r["Next"] for r in rules} | ({default} if default else set())
    states = {"Check": check}
    for name in ("Small", "Big", "Default"):
        if name in targets:
            states[name] = {"Type": "Pass", "Result": name.lower(), "End": True}
    return machine(states)


SIZE_RULES = (
    {"Variable": "$.n", "NumericLessThan": 10, "Next": "Small"},
    {"Variable": "$.n", "NumericGreaterThanEquals": 5, "Next": "Big"},  # overlaps: first rule wins
)


@pytest.mark.parametrize(("n", "expected"), [(3, "small"), (7, "small"), (50, "big")])
def test_first_matching_rule_wins(n, expected):
    assert result(run(choice_machine(*SIZE_RULES), {"n": n}))["output"] == expected


def test_default_when_nothing_matches():
    ex = run(choice_machine({"Variable": "$.n", "NumericLessThan": 0, "Next": "Small"}), {"n": 3})
    assert result(ex)["output"] == "default"


def test_choice_output_is_its_filtered_input():
    definition = machine({
        "Check": {"Type": "Choice", "InputPath": "$.inner", "OutputPath": "$.keep",
                  "Choices": [{"Variable": "$.keep", "IsPresent": True, "Next": "Done"}]},
        "Done": {"Type": "Succeed"},
    })
    ex = run(definition, {"inner": {"keep": {"k": 1}, "drop": 2}})
    assert result(ex) == {"status": "SUCCEEDED", "output": {"k": 1}}
    assert types(ex)[1:4] == ["ChoiceStateEntered", "ChoiceStateExited", "SucceedStateEntered"]


def test_no_choice_matched_fails_the_execution():
    ex = run(choice_machine({"Variable": "$.n", "NumericLessThan": 0, "Next": "Small"}, default=None),
             {"n": 3})
    assert result(ex)["status"] == "FAILED"
    assert ex.error == "States.NoChoiceMatched"
    assert types(ex) == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]


def test_missing_comparison_field_fails_with_states_runtime():
    ex = run(choice_machine({"Variable": "$.n", "NumericLessThan": 0, "Next": "Small"}), {})
    assert ex.error == "States.Runtime"
    assert ex.cause == ("An error occurred while executing the state 'Check' (entered at the event id #2). "
                        "Invalid path '$.n' : No results for path: $['n']")


def test_string_matches_in_a_machine():
    definition = choice_machine({"Variable": "$.file", "StringMatches": "*.csv", "Next": "Small"},
                                {"Variable": "$.file", "StringMatches": "report-\\*", "Next": "Big"})
    assert result(run(definition, {"file": "2024/data.csv"}))["output"] == "small"
    assert result(run(definition, {"file": "report-*"}))["output"] == "big"
    assert result(run(definition, {"file": "report-1"}))["output"] == "default"


def test_timestamp_rule_against_the_context_object():
    # $$.Execution.StartTime is an ISO timestamp (the virtual clock starts at 2024-01-01T00:00:00Z)
    definition = choice_machine(
        {"Variable": "$$.Execution.StartTime", "TimestampLessThan": "2023-12-31T23:59:59Z", "Next": "Small"},
        {"Variable": "$$.Execution.StartTime", "TimestampGreaterThanEquals": "2024-01-01T01:00:00+01:00",
         "Next": "Big"})
    assert result(run(definition))["output"] == "big"
