"""The 18 intrinsic functions: results, escapes, nesting, run-time errors, load-time errors.

Expected values come from recorded AWS behaviour (the conformance cases, quoted by name) or
from the AWS documentation; see the modules in asl_runner/intrinsics for the evidence.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from asl_runner.errors import DataFlowError
from asl_runner.intrinsics import (
    IntrinsicArgumentError,
    IntrinsicCall,
    IntrinsicPathNotFound,
    IntrinsicSyntaxError,
    compile_intrinsic,
    is_intrinsic,
)
from asl_runner.intrinsics.encoding import lenient_b64decode
from asl_runner.intrinsics.java import jackson_json, java_double, java_round, java_str
from asl_runner.intrinsics.math_fns import JavaRandom


class Env:
    def __init__(self, context=None, variables=None, rng=None):
        self.context = context or {}
        self._variables = variables or {}
        if rng is not None:
            self.random = rng

    def variable(self, name):
        return self._variables[name]


CONTEXT = {
    "Execution": {"Name": "exec-1", "Input": {"csv": "a,b", "n": 4}},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:my-state-machine",
                     "Name": "my-state-machine"},
    "Map": {"Item": {"Value": "Pikachu", "Index": 1}},
}
VARIABLES = {"bias": 4.3, "xs": [1, 2, 3], "template": "It's {}!"}


def run(text, doc=None, env=None):
    return compile_intrinsic(text).evaluate(doc, env if env is not None else Env(CONTEXT, VARIABLES))


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------

RESULTS = [
    # States.Format: strings raw, other values as Java's String.valueOf
    ("format-path", "States.Format('Hello {}', $.name)", {"name": "Ada"}, "Hello Ada"),
    ("format-two", "States.Format('fst={} and snd={}.', $.a, $.b)", {"a": "", "b": " "}, "fst= and snd= ."),
    ("format-null", "States.Format('arg {}.', $.v)", {"v": None}, "arg null."),
    ("format-int", "States.Format('arg {}.', $.v)", {"v": 1}, "arg 1."),
    ("format-float", "States.Format('arg {}.', $.v)", {"v": 1.1}, "arg 1.1."),
    ("format-whole-float", "States.Format('{}', $.v)", {"v": 2.0}, "2.0"),
    ("format-big-float", "States.Format('{}', $.v)", {"v": 12345678.9}, "1.23456789E7"),
    ("format-bool", "States.Format('{}|{}', $.t, $.f)", {"t": True, "f": False}, "true|false"),
    ("format-object-java-map", "States.Format('{}', $.v)", {"v": {"Arg1": 1, "Arg2": []}}, "{Arg1=1, Arg2=[]}"),
    ("format-array-java-list", "States.Format('{}', $.v)", {"v": [1, "a", None, [True]]}, "[1, a, null, [true]]"),
    ("format-json-string-arg", "States.Format('{}', $.v)", {"v": '{"Arg1": 1}'}, '{"Arg1": 1}'),
    ("format-context-object", "States.Format('{}', $$.StateMachine)", None,
     "{Id=arn:aws:states:us-east-1:111111111111:stateMachine:my-state-machine, Name=my-state-machine}"),
    ("format-no-placeholder", "States.Format('plain')", None, "plain"),
    ("format-template-from-variable", "States.Format($template, $$.Map.Item.Value)", None, "It's Pikachu!"),
    ("format-string-to-json-is-json", "States.Format('{}', States.StringToJson($.j))", {"j": '"x"'}, '"x"'),
    ("format-string-to-json-object", "States.Format('{}', States.StringToJson($.j))", {"j": '{"a": [1]}'},
     '{"a":[1]}'),
    ("format-json-to-string", "States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))",
     {"svc": "lambda", "obj": {"k": 1}}, 'arn:lambda:{"k":1}'),
    ("format-placeholder-value-not-reparsed", "States.Format('{}', $.v)", {"v": "{}"}, "{}"),
    # States.StringToJson / JsonToString / JsonMerge
    ("string-to-json-object", "States.StringToJson($.v)", {"v": '{"Arg1": 1, "Arg2": []}'}, {"Arg1": 1, "Arg2": []}),
    ("string-to-json-array", "States.StringToJson($.v)", {"v": '[1, 2, "HelloWorld"]'}, [1, 2, "HelloWorld"]),
    ("string-to-json-blank", "States.StringToJson($.v)", {"v": " "}, None),
    ("string-to-json-empty", "States.StringToJson($.v)", {"v": ""}, None),
    ("string-to-json-null", "States.StringToJson($.v)", {"v": "null"}, None),
    ("string-to-json-minus-zero", "States.StringToJson($.v)", {"v": "-0"}, 0),
    ("string-to-json-float", "States.StringToJson($.v)", {"v": "1.1"}, 1.1),
    ("string-to-json-true", "States.StringToJson($.v)", {"v": "true"}, True),
    ("string-to-json-string", "States.StringToJson($.v)", {"v": '"HelloWorld"'}, "HelloWorld"),
    ("string-to-json-trailing-ignored", "States.StringToJson($.v)", {"v": '{"a":1} tail'}, {"a": 1}),
    ("string-to-json-literal", "States.StringToJson('{\"k\": \"v\"}')", None, {"k": "v"}),
    ("json-to-string-object", "States.JsonToString($.v)", {"v": {"Arg1": 1, "Arg2": []}}, '{"Arg1":1,"Arg2":[]}'),
    ("json-to-string-array", "States.JsonToString($.v)", {"v": [1, 2, "HelloWorld"]}, '[1,2,"HelloWorld"]'),
    ("json-to-string-string", "States.JsonToString($.v)", {"v": "HelloWorld"}, '"HelloWorld"'),
    ("json-to-string-null", "States.JsonToString($.v)", {"v": None}, "null"),
    ("json-to-string-float", "States.JsonToString($.v)", {"v": 1.1}, "1.1"),
    ("json-to-string-java-doubles", "States.JsonToString($.v)", {"v": [1.0, 1e20, 0.0001]}, "[1.0,1.0E20,1.0E-4]"),
    ("json-to-string-escapes", "States.JsonToString($.v)", {"v": 'a"b\\c\n\u0001é/'}, '"a\\"b\\\\c\\n\\u0001é/"'),
    ("json-merge-shallow", "States.JsonMerge($.a, $.b, false)",
     {"a": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}, "b": {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}},
     {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}),
    ("json-merge-with-parsed-literal",
     "States.JsonMerge(States.StringToJson('{\"constant\": \"false\"}'), $$.Execution.Input, false)", None,
     {"constant": "false", "csv": "a,b", "n": 4}),
    # arrays
    ("array-empty", "States.Array()", None, []),
    ("array-literals", "States.Array('a', 1, 1.5, true, false, null)", None, ["a", 1, 1.5, True, False, None]),
    ("array-paths", "States.Array($.a, $.b)", {"a": {"k": 1}, "b": [1, 2]}, [{"k": 1}, [1, 2]]),
    ("array-nested", "States.Array(1, States.Array(2, 3))", None, [1, [2, 3]]),
    ("array-whitespace", "States.Array( $.a ,\t$.b )", {"a": 1, "b": 2}, [1, 2]),
    ("partition-exact", "States.ArrayPartition($.a, 2)", {"a": [1, 2, 3, 4]}, [[1, 2], [3, 4]]),
    ("partition-remainder", "States.ArrayPartition($.a, 4)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
     [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("partition-oversized", "States.ArrayPartition($.a, 5)", {"a": [0, 1]}, [[0, 1]]),
    ("partition-empty", "States.ArrayPartition($.a, 3)", {"a": []}, []),
    ("partition-truncates-size", "States.ArrayPartition($.a, 2.6)", {"a": [1, 2, 3, 4, 5]}, [[1, 2], [3, 4], [5]]),
    ("contains-true", "States.ArrayContains($.a, 5)", {"a": [1, 2, 3, 4, 5, 6]}, True),
    ("contains-false", "States.ArrayContains($.a, 7)", {"a": [1, 2, 3]}, False),
    ("contains-empty-null", "States.ArrayContains($.a, $.v)", {"a": [], "v": None}, False),
    ("contains-nested-array", "States.ArrayContains($.a, $.v)", {"a": [[1, 2, 3], 2], "v": [1, 2, 3]}, True),
    ("contains-object-not-array", "States.ArrayContains($.a, $.v)", {"a": [{"1": 2, "2": []}], "v": []}, False),
    ("contains-object", "States.ArrayContains($.a, $.v)", {"a": [{"1": 2, "2": []}], "v": {"1": 2, "2": []}}, True),
    ("contains-false-value", "States.ArrayContains($.a, false)", {"a": [True, False]}, True),
    ("contains-null-literal", "States.ArrayContains($.a, null)", {"a": [1, None]}, True),
    ("contains-key-order-matters", "States.ArrayContains($.a, $.v)", {"a": [{"a": 1, "b": 2}], "v": {"b": 2, "a": 1}},
     False),
    ("contains-compares-text", "States.ArrayContains($.a, true)", {"a": ["true"]}, True),
    ("contains-no-bool-number", "States.ArrayContains($.a, false)", {"a": [0, 1]}, False),
    ("range-inclusive-end", "States.ArrayRange(0, 9, 3)", None, [0, 3, 6, 9]),
    ("range-past-end", "States.ArrayRange(0, 10, 3)", None, [0, 3, 6, 9]),
    ("range-docs-example", "States.ArrayRange(1, 9, 2)", None, [1, 3, 5, 7, 9]),
    ("range-single", "States.ArrayRange(1, 9, 9)", None, [1]),
    ("range-equal-bounds-negative-step", "States.ArrayRange(3, 3, -1)", None, [3]),
    ("range-descending", "States.ArrayRange(5, 1, -2)", None, [5, 3, 1]),
    ("range-wrong-direction", "States.ArrayRange(5, 1, 1)", None, []),
    ("range-truncates", "States.ArrayRange(5.4, -0.6, -2.4)", None, [5, 3, 1]),
    ("range-1000-items", "States.ArrayLength(States.ArrayRange(1, 1000, 1))", None, 1000),
    ("get-item", "States.ArrayGetItem($.a, 5)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, 6),
    ("get-item-truncates-index", "States.ArrayGetItem($.a, 1.2)", {"a": [10, 20, 30]}, 20),
    ("get-item-empty-array-is-null", "States.ArrayGetItem($.a, 999)", {"a": []}, None),
    ("get-item-object", "States.ArrayGetItem($.a, 1)", {"a": [{"a": 1}, {"b": 2}]}, {"b": 2}),
    ("length", "States.ArrayLength($)", [1, 2, 3, 4, 5, 6, 7, 8, 9], 9),
    ("length-mixed", "States.ArrayLength($.a)", {"a": [None, True, 1, 1.1, "x", [], {}]}, 7),
    ("unique", "States.ArrayUnique($.a)", {"a": [1, 2, 2, 3, 3, 4]}, [1, 2, 3, 4]),
    ("unique-structural", "States.ArrayUnique($.a)",
     {"a": [None, None, True, True, 1, 1, 1.1, 0, 0, "x", "x", [], [], [None], [None], {"a": 1, "b": 2},
            {"b": 2, "a": 1}, {"a": 1, "b": 1}]},
     [None, True, 1, 1.1, 0, "x", [], [None], {"a": 1, "b": 2}, {"a": 1, "b": 1}]),
    ("unique-int-and-float-differ", "States.ArrayUnique($.a)", {"a": [1, 1.0, True]}, [1, 1.0, True]),
    # encoding and hashing
    ("base64-encode", "States.Base64Encode($.v)", {"v": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
    ("base64-encode-empty", "States.Base64Encode($.v)", {"v": ""}, ""),
    ("base64-encode-utf8", "States.Base64Encode('✓')", None, "4pyT"),
    ("base64-decode", "States.Base64Decode($.v)", {"v": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
    ("base64-decode-empty", "States.Base64Decode($.v)", {"v": ""}, ""),
    ("base64-decode-utf8", "States.Base64Decode('44GT44KT44Gr44Gh44Gv')", None, "こんにちは"),
    ("base64-decode-lenient-spaces", "States.Base64Decode(' YWJjZA== ')", None, "abcd"),
    ("base64-decode-unpadded", "States.Base64Decode('YWJjZA')", None, "abcd"),
    ("base64-roundtrip", "States.Base64Decode(States.Base64Encode($.v))", {"v": "hello"}, "hello"),
    ("hash-sha256", "States.Hash($.a, $.b)", {"a": "input data", "b": "SHA-256"},
     "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
    ("hash-sha384", "States.Hash($.a, 'SHA-384')", {"a": "input data"},
     "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"),
    ("hash-md5", "States.Hash('hello', 'MD5')", None, "5d41402abc4b2a76b9719d911017c592"),
    ("hash-sha1", "States.Hash('hello', 'SHA-1')", None, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    ("hash-sha512", "States.Hash('hello', 'SHA-512')", None,
     "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"),
    ("hash-assign-case", "States.Hash('Hash this string', 'SHA-256')", None,
     "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"),
    ("hash-number-is-stringified", "States.Hash(123, 'MD5')", None, hashlib.md5(b"123").hexdigest()),
    ("hash-10000-chars", "States.Hash($.v, 'MD5')", {"v": "a" * 10000}, hashlib.md5(b"a" * 10000).hexdigest()),
    # math
    ("add-ints", "States.MathAdd($.a, $.b)", {"a": -9, "b": 3}, -6),
    ("add-rounds-half-up", "States.MathAdd($.a, $.b)", {"a": 1.5, "b": 1.51}, 4),
    ("add-rounds-negative-half-up", "States.MathAdd($.a, $.b)", {"a": -1.5, "b": -1.51}, -3),
    ("add-rounds-each-operand", "States.MathAdd($.a, $.b)", {"a": -0.5, "b": 0.5}, 1),
    ("add-minus-three-and-a-half", "States.MathAdd($.a, 0)", {"a": -3.5}, -3),
    ("add-opposites", "States.MathAdd($.a, $.b)", {"a": 1.49, "b": -1.49}, 0),
    ("add-nested", "States.MathAdd(States.MathAdd(States.MathAdd(9, 44), 6), 4.3)", None, 63),
    ("add-variables", "States.MathAdd(States.MathAdd(States.MathAdd($xs[1], $xs[0]), $xs[2]), $bias)", None, 10),
    ("add-negative-literal", "States.MathAdd($.n, -1)", {"n": 1}, 0),
    # strings
    ("split", "States.StringSplit($.s, ',')", {"s": "a,b,c,d,e"}, ["a", "b", "c", "d", "e"]),
    ("split-drops-empty", "States.StringSplit($.s, ',')", {"s": ", , ,"}, [" ", " "]),
    ("split-all-empty", "States.StringSplit($.s, ',')", {"s": ",,,,"}, []),
    ("split-no-delimiter", "States.StringSplit($.s, ',')", {"s": " "}, [" "]),
    ("split-any-char", "States.StringSplit($.s, $.d)", {"s": "split on T and \nnew line", "d": "T\n"},
     ["split on ", " and ", "new line"]),
    ("split-raw-newline-literal", "States.StringSplit('Hello\nWorld', '\n')", None, ["Hello", "World"]),
    ("split-context", "States.StringSplit($$.Execution.Input.csv, ',')", None, ["a", "b"]),
    ("split-empty-delimiter", "States.StringSplit('ab', '')", None, ["ab"]),
    # nesting (AWS docs example and conformance case TestGeneric_test_nested_calls_2)
    ("nested-last-part",
     "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
     "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))", None, "machine"),
    ("nested-docs-example",
     "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
     "States.StringSplit($.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit("
     "States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 1), 'x')",
     {"Arn": "arn:aws:imagebuilder:us-east-1:1:image-recipe/r/1.0.2"}, "1.0.x"),
    # paths of every kind
    ("path-indefinite", "States.Array($.items[*].id)", {"items": [{"id": 1}, {"id": 2}]}, [[1, 2]]),
    ("path-filter", "States.ArrayLength($.items[?(@.id > 1)])", {"items": [{"id": 1}, {"id": 2}, {"id": 3}]}, 2),
    ("path-quoted-name", "States.Array($['a b'], $['c,d'])", {"a b": 1, "c,d": 2}, [1, 2]),
    ("path-function", "States.Array($.xs.length())", {"xs": [1, 2, 3]}, [3]),
    ("path-root-variable", "States.ArrayLength($xs)", None, 3),
]


@pytest.mark.parametrize(("text", "doc", "expected"), [r[1:] for r in RESULTS], ids=[r[0] for r in RESULTS])
def test_result(text, doc, expected):
    result = run(text, doc)
    assert result == expected
    assert type(result) is type(expected)  # int stays int, float stays float


ESCAPES = [
    # AWS docs, "Reserved characters in intrinsic functions": \' \{ \} \\ stand for the character
    ("quote", r"States.Format('It\'s {}', $.v)", "It's x"),
    ("escaped-braces-are-literal", r"States.Format('\{\} is {}', $.v)", "{} is x"),
    ("escaped-brace-before-placeholder", r"States.Format('\{{}\}', $.v)", "{x}"),
    ("backslash", r"States.Format('a\\b {}', $.v)", "a\\b x"),
    ("backslash-then-placeholder", r"States.Format('\\{}', $.v)", "\\x"),
    ("unescaped-braces-in-other-functions", "States.StringToJson('{\"a\": {}}')", {"a": {}}),
    ("escaped-braces-in-other-functions", r"States.StringSplit('\{a\}', ',')", ["{a}"]),
    ("double-quotes-need-no-escape", "States.Format('Surname: \"{}\"', $.v)", 'Surname: "x"'),
]


@pytest.mark.parametrize(("text", "expected"), [e[1:] for e in ESCAPES], ids=[e[0] for e in ESCAPES])
def test_escapes(text, expected):
    assert run(text, {"v": "x"}) == expected


def test_runtime_template_escapes_match_literal_ones():
    assert run("States.Format($.t, $.v)", {"t": "\\{{}\\}", "v": 1}) == "{1}"


def test_assign_from_every_intrinsic_matches_recorded_case():
    # conformance case TestAssignReferenceVariables_test_assign_from_value_BASE_ASSIGN_FROM_INTRINSIC_F
    doc = {"inputArray": [1, 2, 3, 4, 5, 6], "duplicateArray": [1, 2, 2, 3, 3, 4], "rawString": "Hello World",
           "encodedString": "SGVsbG8gV29ybGQ=", "inputString": "Hash this string", "json1": {"a": 1, "b": 2},
           "json2": {"c": 3, "d": 4}, "jsonString": '{"key":"value"}', "jsonObject": {"test": "object"},
           "value1": 5, "value2": 3, "csvString": "a,b,c,d,e", "name": "John", "place": "LocalStack"}
    expected = {
        "States.Array('a', 'b', 'c')": ["a", "b", "c"],
        "States.ArrayPartition($.inputArray, 2)": [[1, 2], [3, 4], [5, 6]],
        "States.ArrayContains($.inputArray, 5)": True,
        "States.ArrayRange(1, 10, 2)": [1, 3, 5, 7, 9],
        "States.ArrayGetItem($.inputArray, 2)": 3,
        "States.ArrayLength($.inputArray)": 6,
        "States.ArrayUnique($.duplicateArray)": [1, 2, 3, 4],
        "States.Base64Encode($.rawString)": "SGVsbG8gV29ybGQ=",
        "States.Base64Decode($.encodedString)": "Hello World",
        "States.Hash($.inputString, 'SHA-256')": "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e",
        "States.JsonMerge($.json1, $.json2, false)": {"a": 1, "b": 2, "c": 3, "d": 4},
        "States.StringToJson($.jsonString)": {"key": "value"},
        "States.JsonToString($.jsonObject)": '{"test":"object"}',
        "States.MathAdd($.value1, $.value2)": 8,
        "States.StringSplit($.csvString, ',')": ["a", "b", "c", "d", "e"],
        "States.Format('Hello {}, welcome to {}!', $.name, $.place)": "Hello John, welcome to LocalStack!",
    }
    assert {text: run(text, doc) for text in expected} == expected


# ----------------------------------------------------------------------------------------------
# nondeterministic functions
# ----------------------------------------------------------------------------------------------

def test_uuid_is_version_4():
    value = run("States.UUID()")
    assert len(value) == 36 and value[14] == "4" and value[19] in "89ab"
    assert run("States.UUID()") != value


def test_uuid_and_random_follow_the_environment_generator():
    first = Env(rng=random.Random(7))
    second = Env(rng=random.Random(7))
    call = compile_intrinsic("States.Array(States.UUID(), States.MathRandom(0, 1000000))")
    assert call.evaluate(None, first) == call.evaluate(None, second)


@pytest.mark.parametrize(("text", "low", "high"), [
    ("States.MathRandom(1, 999)", 1, 999),
    ("States.MathRandom(-99999, -9999)", -99999, -9999),
    ("States.MathRandom(12.5, 44.51)", 12, 44),  # bounds truncate
    ("States.MathRandom(1.6, 5.4)", 1, 5),
    ("States.MathRandom(1, 2)", 1, 2),
], ids=["basic", "negative", "fractional", "truncated-narrow", "single-value"])
def test_math_random_range(text, low, high):
    values = {run(text) for _ in range(200)}
    assert all(type(v) is int and low <= v < high for v in values)


def test_math_random_with_seed_is_reproducible():
    values = {run("States.MathRandom(0, 999, 3)") for _ in range(5)}
    assert len(values) == 1
    # 1 + java.util.Random(42).nextInt(99); AWS's runtime is Java
    assert run("States.MathRandom(1, 100, 42)") == 63


def test_java_random_matches_java():
    # well-known values: new Random(0).nextInt(), new Random(42).nextInt(), new Random(42).nextInt(10)
    assert JavaRandom(0)._next(32) == -1155484576
    assert JavaRandom(42)._next(32) == -1170105035
    assert JavaRandom(42).next_int(10) == 0


# ----------------------------------------------------------------------------------------------
# run-time errors: States.Runtime, "Invalid arguments in States.X"
# ----------------------------------------------------------------------------------------------

RUNTIME_ERRORS = [
    ("format-template-not-string", "States.Format($.t, $.v)", {"t": 123, "v": 1}, "States.Format"),
    ("format-too-few-values", "States.Format($.t, $.v)", {"t": "{} {}", "v": 1}, "States.Format"),
    ("format-lone-brace", "States.Format($.t, $.v)", {"t": "{ {}", "v": 1}, "States.Format"),
    ("string-to-json-not-string", "States.StringToJson($.v)", {"v": {"a": 1}}, "States.StringToJson"),
    ("string-to-json-invalid", "States.StringToJson($.v)", {"v": "{"}, "States.StringToJson"),
    ("string-to-json-nan", "States.StringToJson($.v)", {"v": "NaN"}, "States.StringToJson"),
    ("string-to-json-huge-number", "States.StringToJson($.v)", {"v": "1e400"}, "States.StringToJson"),
    ("string-to-json-number-junk", "States.StringToJson($.v)", {"v": "1abc"}, "States.StringToJson"),
    ("json-merge-not-object", "States.JsonMerge($.a, $.b, false)", {"a": [1], "b": {}}, "States.JsonMerge"),
    ("json-merge-deep", "States.JsonMerge($.a, $.b, $.deep)", {"a": {}, "b": {}, "deep": True}, "States.JsonMerge"),
    ("partition-not-array", "States.ArrayPartition($.a, 2)", {"a": "abc"}, "States.ArrayPartition"),
    ("partition-zero", "States.ArrayPartition($.a, $.n)", {"a": [1], "n": 0}, "States.ArrayPartition"),
    ("partition-truncates-to-zero", "States.ArrayPartition($.a, $.n)", {"a": [1], "n": 0.6}, "States.ArrayPartition"),
    ("partition-negative", "States.ArrayPartition($.a, $.n)", {"a": [1], "n": -1}, "States.ArrayPartition"),
    ("partition-null-size", "States.ArrayPartition($.a, $.n)", {"a": [1], "n": None}, "States.ArrayPartition"),
    ("contains-not-array", "States.ArrayContains($.a, 1)", {"a": {"x": 1}}, "States.ArrayContains"),
    ("range-zero-step", "States.ArrayRange(1, $.n, 0)", {"n": 10}, "States.ArrayRange"),
    ("range-step-truncates-to-zero", "States.ArrayRange(1, 10, $.s)", {"s": 0.49}, "States.ArrayRange"),
    ("range-1001-items", "States.ArrayRange(1, $.n, 1)", {"n": 1001}, "States.ArrayRange"),
    ("range-1001-descending", "States.ArrayRange($.n, 1, -1)", {"n": 1001}, "States.ArrayRange"),
    ("range-string", "States.ArrayRange($.a, 5, 1)", {"a": "1"}, "States.ArrayRange"),
    ("get-item-past-end", "States.ArrayGetItem($.a, 3)", {"a": [10, 20, 30]}, "States.ArrayGetItem"),
    ("get-item-negative", "States.ArrayGetItem($.a, $.i)", {"a": [10, 20, 30], "i": -1}, "States.ArrayGetItem"),
    ("get-item-string-index", "States.ArrayGetItem($.a, $.i)", {"a": [1], "i": "0"}, "States.ArrayGetItem"),
    ("length-object", "States.ArrayLength($.a)", {"a": {"k": 1}}, "States.ArrayLength"),
    ("unique-string", "States.ArrayUnique($.a)", {"a": "abc"}, "States.ArrayUnique"),
    ("base64-encode-number", "States.Base64Encode($.v)", {"v": 1}, "States.Base64Encode"),
    ("base64-encode-too-long", "States.Base64Encode($.v)", {"v": "a" * 10001}, "States.Base64Encode"),
    ("base64-decode-too-long", "States.Base64Decode($.v)", {"v": "A" * 10001}, "States.Base64Decode"),
    ("base64-decode-object", "States.Base64Decode($.v)", {"v": {}}, "States.Base64Decode"),
    ("hash-too-long", "States.Hash($.v, 'SHA-256')", {"v": "a" * 10001}, "States.Hash"),
    ("hash-unknown-algorithm", "States.Hash('a', $.alg)", {"alg": "sha-256"}, "States.Hash"),
    ("hash-algorithm-not-string", "States.Hash('a', $.alg)", {"alg": 256}, "States.Hash"),
    ("add-string", "States.MathAdd($.a, 1)", {"a": "NOT A NUMBER"}, "States.MathAdd"),
    ("add-boolean", "States.MathAdd($.a, 1)", {"a": True}, "States.MathAdd"),
    ("random-equal-bounds", "States.MathRandom($.a, $.a)", {"a": 1}, "States.MathRandom"),
    ("random-reversed", "States.MathRandom($.a, 5)", {"a": 10}, "States.MathRandom"),
    ("random-truncated-to-equal", "States.MathRandom($.a, $.b)", {"a": 1.4, "b": 1.6}, "States.MathRandom"),
    ("random-null-seed", "States.MathRandom(1, 10, $.s)", {"s": None}, "States.MathRandom"),
    ("random-string-seed", "States.MathRandom(1, 10, $.s)", {"s": "seed"}, "States.MathRandom"),
    ("split-not-string", "States.StringSplit($.s, ',')", {"s": ["a,b"]}, "States.StringSplit"),
    ("nested-failure-names-inner", "States.ArrayLength(States.StringToJson($.v))", {"v": "{"},
     "States.StringToJson"),
    ("nested-result-of-wrong-type", "States.ArrayLength(States.StringToJson($.v))", {"v": "1"},
     "States.ArrayLength"),
]


@pytest.mark.parametrize(("text", "doc", "function"), [r[1:] for r in RUNTIME_ERRORS],
                         ids=[r[0] for r in RUNTIME_ERRORS])
def test_runtime_error(text, doc, function):
    with pytest.raises(IntrinsicArgumentError) as info:
        run(text, doc)
    assert isinstance(info.value, DataFlowError)
    assert info.value.error == "States.Runtime"
    assert info.value.detail == f"Invalid arguments in {function}"
    assert info.value.reason  # says what was wrong, for people


def test_path_that_selects_nothing():
    with pytest.raises(IntrinsicPathNotFound) as info:
        run("States.Hash($.missing, 'SHA-256')", {"a": 1})
    assert isinstance(info.value, DataFlowError) and info.value.error == "States.Runtime"
    assert info.value.detail == "The JSONPath '$.missing' could not be found in the input '{\"a\":1}'"
    assert info.value.for_field("value.$").detail == (
        "The JSONPath '$.missing' specified for the field 'value.$' could not be found in the input '{\"a\":1}'")


def test_missing_context_path_reports_the_path():
    with pytest.raises(IntrinsicPathNotFound, match=r"'\$\$.Execution.Nope'"):
        run("States.Format('{}', $$.Execution.Nope)", {})


# ----------------------------------------------------------------------------------------------
# load-time errors
# ----------------------------------------------------------------------------------------------

COMPILE_ERRORS = [
    # (id, text, message fragment, 1-based column of the caret)
    ("unknown-function", "States.Foo($.a)", "States.Foo is not an intrinsic function", 1),
    ("unknown-nested-function", "States.Array(States.Nope())", "States.Nope is not an intrinsic function", 14),
    ("lowercase-prefix", "states.Array()", "unexpected character 's'", 1),
    ("unclosed-call", "States.Array(", "unexpected end of the call", 14),
    ("unclosed-call-after-argument", "States.Array($.a", "unexpected end of the call, expected ')' or ','", 17),
    ("trailing-text", "States.Array($.a) trailing", "unexpected character 't'", 19),
    ("trailing-comma", "States.Array(1,)", "unexpected ')'", 16),
    ("empty-argument", "States.ArrayGetItem($.arr, )", "unexpected ')'", 28),
    ("leading-comma", "States.Array(,1)", "unexpected ','", 14),
    ("missing-comma", "States.Array(1 2)", "unexpected '2', expected ')' or ','", 16),
    ("number-trailing-dot", "States.Array(1.)", "unexpected character '.'", 15),
    ("number-leading-dot", "States.Array(.5)", "unexpected character '.'", 14),
    ("array-literal", "States.Array([1,2])", "unexpected character '['", 14),
    ("double-quoted-string", 'States.Array("x")', "unexpected character '\"'", 14),
    ("capitalised-true", "States.Array(True)", "unexpected character 'T'", 14),
    ("unterminated-string", "States.Array('abc)", "unterminated string", 14),
    ("bad-escape", "States.Format('a\\nb')", "invalid escape sequence '\\n'", 17),
    ("huge-number", "States.Array(1e400)", "the number 1e400 is out of range", 14),
    ("bad-path", "States.Array($.)", "invalid JSONPath '$.'", 14),
    ("space-inside-path", "States.Array($.a b)", "unexpected character 'b'", 18),
    ("too-few-arguments", "States.Hash($.a)", "States.Hash takes exactly 2 arguments, but 1 was given", 1),
    ("too-many-arguments", "States.Base64Encode('a', 'b')", "takes exactly 1 argument, but 2 were given", 1),
    ("uuid-arguments", "States.UUID(1)", "States.UUID takes no arguments, but 1 was given", 1),
    ("format-no-arguments", "States.Format()", "States.Format takes at least 1 argument, but 0 were given", 1),
    ("random-one-argument", "States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments", 1),
    ("random-four-arguments", "States.MathRandom(1, 10, 5, 99)", "States.MathRandom takes 2 to 3 arguments", 1),
    ("range-two-arguments", "States.ArrayRange(1, 5)", "takes exactly 3 arguments", 1),
    ("literal-not-array", "States.ArrayLength('abc')", "argument 1 of States.ArrayLength must be an array, not string", 20),
    ("literal-not-number", "States.MathAdd(1, 'a')", "argument 2 of States.MathAdd must be a number, not string", 19),
    ("null-not-number", "States.ArrayPartition($.a, null)", "must be a number, not null", 28),
    ("literal-not-string", "States.Base64Encode(123)", "must be a string, not number", 21),
    ("nested-result-type", "States.ArrayLength(States.Format('x'))", "but States.Format returns a string", 20),
    ("nested-result-type-2", "States.Base64Encode(States.Array())", "but States.Array returns an array", 21),
    ("format-template-not-string", "States.Format(1)", "must be a string, not number", 15),
    ("format-too-few-values", "States.Format('{} {}', $.a)", "has 2 placeholders but 1 value was given", 1),
    ("format-too-many-values", "States.Format('{}', $.a, $.b)", "has 1 placeholder but 2 values were given", 1),
    ("format-lone-open-brace", "States.Format('Hello {', $.a)", "a '{' that does not start a '{}' placeholder", 22),
    ("format-lone-close-brace", "States.Format('}')", "a '}' that does not end a '{}' placeholder", 16),
    ("format-doubled-braces", "States.Format('Hello {{}}', $.a)", "a '{' that does not start", 22),
    ("hash-lowercase-algorithm", "States.Hash('data', 'sha-256')", "does not know the algorithm 'sha-256'", 21),
    ("hash-hyphenless-algorithm", "States.Hash($.d, 'SHA256')", "does not know the algorithm 'SHA256'", 18),
    ("json-merge-deep", "States.JsonMerge($.a, $.b, true)", "third argument must be false", 28),
    ("json-merge-flag-type", "States.JsonMerge($.a, $.b, 'false')", "must be a boolean, not string", 28),
    ("partition-zero-size", "States.ArrayPartition($.a, 0)", "must be a positive integer", 28),
    ("partition-truncated-size", "States.ArrayPartition($.a, -0.4)", "must be a positive integer", 28),
    ("get-item-negative", "States.ArrayGetItem($.a, -1)", "must not be negative", 26),
    ("range-zero-step", "States.ArrayRange(1, 10, 0)", "States.ArrayRange cannot succeed: the step must not be zero", 1),
    ("range-too-long", "States.ArrayRange(1, 1001, 1)", "1001 items; at most 1000", 1),
    ("random-collapsed-bounds", "States.MathRandom(1.4, 1.6)", "start of States.MathRandom must be less than its end", 1),
    ("string-to-json-literal", "States.StringToJson('{')", "States.StringToJson cannot succeed", 1),
    ("base64-literal-too-long", "States.Base64Encode('" + "a" * 10001 + "')", "10001 characters", 1),
    ("nested-constant-failure", "States.Array(States.ArrayRange(1, 2, 0))", "States.ArrayRange cannot succeed", 14),
]


@pytest.mark.parametrize(("text", "fragment", "column"), [c[1:] for c in COMPILE_ERRORS],
                         ids=[c[0] for c in COMPILE_ERRORS])
def test_compile_error(text, fragment, column):
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic(text)
    message = str(info.value)
    assert fragment in message
    assert info.value.column == column
    assert f"at column {column}:" in message
    caret = message.splitlines()[-1]
    assert caret == " " * (column - 1) + "^"


def test_compile_error_caret_on_a_later_line():
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic("States.StringSplit('a\nb', 'c') x")
    assert str(info.value).splitlines()[-2:] == ["b', 'c') x", "         ^"]


def test_compile_rejects_non_string():
    with pytest.raises(IntrinsicSyntaxError):
        compile_intrinsic(42)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# the compiled form
# ----------------------------------------------------------------------------------------------

def test_compiled_calls_are_cached_and_immutable():
    call = compile_intrinsic("States.Array($.a, 'x', 1)")
    assert compile_intrinsic("States.Array($.a, 'x', 1)") is call
    assert isinstance(call, IntrinsicCall)
    with pytest.raises(AttributeError):
        call.name = "States.UUID"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        call.args[0].path = None  # type: ignore[misc]
    assert str(call) == "States.Array($.a, 'x', 1)"


def test_compiled_tree_shape():
    call = compile_intrinsic("States.Format('{} {}', $$.Execution.Name, States.MathAdd(1, 2.5))")
    template, path, nested = call.args
    assert (template.value, path.path.text, nested.name) == ("{} {}", "$$.Execution.Name", "States.MathAdd")
    assert [a.value for a in nested.args] == [1, 2.5]
    assert call == compile_intrinsic("States.Format('{} {}',$$.Execution.Name,States.MathAdd(1,2.5))")


def test_evaluation_does_not_mutate_input():
    doc = {"a": [3, 1, 3], "b": {"x": 1}, "c": {"y": 2}}
    before = json.dumps(doc)
    run("States.Array(States.ArrayUnique($.a), States.JsonMerge($.b, $.c, false), States.ArrayPartition($.a, 1))", doc)
    assert json.dumps(doc) == before


@pytest.mark.parametrize(("text", "expected"), [
    ("States.Format('x')", True), ("States.UUID()", True), ("$.a", False), ("States", False), (1, False),
], ids=["call", "no-args", "path", "bare-word", "not-a-string"])
def test_is_intrinsic(text, expected):
    assert is_intrinsic(text) is expected


# ----------------------------------------------------------------------------------------------
# the Java semantics underneath
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1.0"), (1.1, "1.1"), (-0.0, "-0.0"), (100.0, "100.0"), (0.001, "0.001"), (9999999.0, "9999999.0"),
    (1e7, "1.0E7"), (12345678.9, "1.23456789E7"), (1e20, "1.0E20"), (1e-4, "1.0E-4"), (-2.5e-10, "-2.5E-10"),
], ids=lambda v: str(v))
def test_java_double(value, text):
    assert java_double(value) == text


@pytest.mark.parametrize(("value", "rounded"), [
    (0.5, 1), (1.5, 2), (2.5, 3), (-0.5, 0), (-1.5, -1), (-2.5, -2), (-1.51, -2), (1.49, 1),
    (0.49999999999999994, 0), (7, 7),
], ids=lambda v: str(v))
def test_java_round(value, rounded):
    assert java_round(value) == rounded


def test_java_str_and_jackson_json_of_nested_values():
    value = {"a": [1, 2.0, None, True], "b": {"c": "d"}}
    assert java_str(value) == "{a=[1, 2.0, null, true], b={c=d}}"
    assert jackson_json(value) == '{"a":[1,2.0,null,true],"b":{"c":"d"}}'


@pytest.mark.parametrize(("text", "decoded"), [
    ("aGVsbG8=", b"hello"), ("abc", b"i\xb7"), ("ab==cd", b"i"), ("!!!invalid!!!", lenient_b64decode("invalid")),
    ("YWJj\nZA==", b"abcd"), ("-_8=", b"\xfb\xff"), ("a", b""),
], ids=["padded", "unpadded", "stops-at-padding", "skips-junk", "skips-newline", "url-safe", "lone-char"])
def test_lenient_base64(text, decoded):
    assert lenient_b64decode(text) == decoded


# ----------------------------------------------------------------------------------------------
# recorded AWS cases (when ../shared/conformance is present)
# ----------------------------------------------------------------------------------------------

CASES = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "cases"


def _single_intrinsic_cases():
    if not CASES.is_dir():
        return []
    found = []
    for file in sorted(CASES.glob("*.json")):
        case = json.loads(file.read_text())
        if any("JSONata" in f for f in case["features"]) or case["expected"]["status"] != "SUCCEEDED":
            continue
        states = case["definition"]["States"]
        state = next(iter(states.values()))
        params = state.get("Parameters")
        if len(states) != 1 or not params or list(params) != ["FunctionResult.$"]:
            continue
        expected = case["expected"]["output"]["FunctionResult"]
        if isinstance(expected, str) and "<" in expected:
            continue  # placeholders for generated names
        found.append(pytest.param(params["FunctionResult.$"], case["input"], expected, id=file.stem))
    return found


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/conformance is not present")
@pytest.mark.parametrize(("text", "doc", "expected"), _single_intrinsic_cases())
def test_recorded_case(text, doc, expected):
    context = {"Execution": {"Input": doc, "Name": "exec"}, "StateMachine": {"Name": "sm", "Id": "arn"}}
    result = compile_intrinsic(text).evaluate(doc, Env(context))
    assert json.dumps(result, sort_keys=True) == json.dumps(expected, sort_keys=True)


def _nested(levels: int) -> str:
    call = "States.MathAdd($.n, 1)"
    for _ in range(levels - 1):
        call = f"States.MathAdd({call}, 1)"
    return call


def test_calls_nest_at_most_ten_deep_as_aws_documents():
    # "You can nest up to 10 intrinsic functions within a field"
    assert compile_intrinsic(_nested(10)).evaluate({"n": 0}) == 10
    # a path's own function and parentheses in strings do not count as calls
    assert compile_intrinsic("States.Format('(({}))', " + _nested(9) + ")").evaluate({"n": 0}) == "((9))"
    with pytest.raises(IntrinsicSyntaxError, match="nest more than 10 deep") as info:
        compile_intrinsic(_nested(11))
    assert info.value.column == 1 + len("States.MathAdd(") * 10
    # far deeper: refused before it is parsed, quickly
    with pytest.raises(IntrinsicSyntaxError, match="nest more than 10 deep"):
        compile_intrinsic(_nested(50_000))
