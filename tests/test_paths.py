"""JSONPath as Step Functions evaluates it (Jayway JsonPath semantics and error wording).

Expected texts come from AWS recordings in ../shared/conformance (e.g. "Invalid path
'$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']" in
test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH], "Missing property in path $['no']" in
test_catch_states_runtime, empty arrays for indefinite paths over missing data in
test_json_path_array_wildcard_or_slice_with_no_input).
"""

from __future__ import annotations

import copy

import pytest

from asl_runner.paths import (
    CONTEXT,
    INPUT,
    VARIABLE,
    PathAssignError,
    PathNotFound,
    PathSyntaxError,
    compile_path,
    is_path,
    put,
)

DOC = {
    "a": {"b": [1, 2, {"c": 3}], "x y": 5, "d.e": 6},
    "items": [{"x": 1, "tag": "red"}, {"x": 2, "tag": "blue"}, {"x": 3, "tag": "red"}],
    "s": "text",
    "n": None,
    "t": True,
    "f": 1.5,
    "deep": {"x": 10, "inner": {"x": 20, "list": [{"x": 30}]}},
}


class Env:
    def __init__(self, context=None, variables=None):
        self.context = context if context is not None else {}
        self.variables = variables or {}

    def variable(self, name):
        return self.variables[name]


# ----------------------------------------------------------------------------------------------
# definite paths: one value
# ----------------------------------------------------------------------------------------------

DEFINITE = [
    ("root", "$", DOC),
    ("name", "$.s", "text"),
    ("nested-names", "$.deep.inner.x", 20),
    ("bracket-name", "$['s']", "text"),
    ("double-quoted-name", '$["s"]', "text"),
    ("quoted-name-with-space", "$.a['x y']", 5),
    ("quoted-name-with-dot", "$.a['d.e']", 6),
    ("bracket-chain", "$['a']['b'][2]['c']", 3),
    ("index", "$.a.b[0]", 1),
    ("index-then-name", "$.items[1].tag", "blue"),
    ("negative-index", "$.a.b[-1]", {"c": 3}),
    ("negative-index-first", "$.a.b[-3]", 1),
    ("null-value-is-a-value", "$.n", None),
    ("boolean", "$.t", True),
    ("float", "$.f", 1.5),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in DEFINITE], ids=[c[0] for c in DEFINITE])
def test_definite_path_selects_one_value(text, expected):
    path = compile_path(text)
    assert path.definite
    assert path.select(DOC) == expected


# ----------------------------------------------------------------------------------------------
# indefinite paths: a list of every match (empty when nothing matches)
# ----------------------------------------------------------------------------------------------

INDEFINITE = [
    ("wildcard-over-object", "$.a.*", [[1, 2, {"c": 3}], 5, 6]),
    ("bracket-wildcard-over-object", "$.deep.inner[*]", [20, [{"x": 30}]]),
    ("wildcard-over-array", "$.a.b[*]", [1, 2, {"c": 3}]),
    ("wildcard-then-name", "$.items[*].x", [1, 2, 3]),
    ("wildcard-then-name-skips-missing", "$.a.b[*].c", [3]),
    ("slice", "$.items[0:2].x", [1, 2]),
    ("slice-open-end", "$.items[1:].x", [2, 3]),
    ("slice-open-start", "$.items[:1].x", [1]),
    ("slice-step-is-ignored", "$.items[0:3:2].x", [1, 2, 3]),
    ("slice-four-parts-reads-two", "$.a.b[1:2:3:4]", [2]),
    ("slice-negative-start", "$.items[-2:].x", [2, 3]),
    ("slice-past-the-end", "$.a.b[1:10]", [2, {"c": 3}]),
    ("index-union", "$.items[0,2].tag", ["red", "red"]),
    ("name-list-then-more", "$['a','deep'].x", [10]),
    ("recursive-descent-name", "$..x", [1, 2, 3, 10, 20, 30]),
    ("recursive-descent-under-a-key", "$.deep..x", [10, 20, 30]),
    ("recursive-descent-bracket-name", "$.deep..['x']", [10, 20, 30]),
    ("recursive-descent-one-match", "$..c", [3]),
    ("filter-greater-than", "$.items[?(@.x > 1)].x", [2, 3]),
    ("filter-string-equals", "$.items[?(@.tag == 'red')].x", [1, 3]),
    ("filter-no-match", "$.items[?(@.x > 99)]", []),
    ("wildcard-on-missing", "$.nothing[*]", []),
    ("slice-on-missing", "$.nothing.items[1:5].itemValue", []),
    ("root-wildcard-on-empty-object", "$[*]", []),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in INDEFINITE], ids=[c[0] for c in INDEFINITE])
def test_indefinite_path_selects_a_list(text, expected):
    path = compile_path(text)
    assert not path.definite
    doc = {} if text == "$[*]" else DOC
    assert path.select(doc) == expected


def test_recursive_descent_lists_a_node_before_its_children():
    # Jayway's deep scan: a node's own match first, then the matches below it, in document order
    doc = {"x": 1, "a": {"x": 2, "b": {"x": 3}}, "c": [{"x": 4}]}
    assert compile_path("$..x").select(doc) == [1, 2, 3, 4]


FUNCTIONS = [
    ("length-of-array", "$.items.length()", 3),
    ("length-of-matches", "$.items[*].x.length()", 3),
    ("length-of-empty", "$.a.b[5:].length()", 0),
    ("sum", "$.items[*].x.sum()", 6),
    ("min", "$.items[*].x.min()", 1),
    ("max", "$.items[*].x.max()", 3),
    ("avg", "$.items[*].x.avg()", 2.0),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in FUNCTIONS], ids=[c[0] for c in FUNCTIONS])
def test_trailing_function_yields_one_value(text, expected):
    assert compile_path(text).select(DOC) == expected


def test_aggregate_of_nothing_is_an_error():
    with pytest.raises(PathNotFound, match="empty array: sum"):
        compile_path("$.nothing[*].sum()").select(DOC)


# ----------------------------------------------------------------------------------------------
# Jayway's grammar: forms real definitions use (issue 7: they rejected 8 of 250 AWS samples)
# ----------------------------------------------------------------------------------------------

SAMPLE = {"buckets": [{"bucket": "b1", "key": "k1", "size": 1}, {"bucket": "b2", "size": 2}, "x"],
          "accounts": [{"OU": 1, "id": "a"}, {"OU": 0, "id": "b"}, {"OU": 3, "id": "c"}]}

JAYWAY_FORMS = [
    # a dot may be followed by any token, not only a name
    ("dot-then-index", "$.[0]", ["first", "second"], "first"),
    ("name-dot-index", "$.buckets.[1].bucket", SAMPLE, "b2"),
    ("dot-then-quoted-name", "$.['buckets'][0]['key']", SAMPLE, "k1"),
    ("dot-then-filter", "$.accounts.[?(@.OU > 0)].id", SAMPLE, ["a", "c"]),
    ("root-dot-filter", "$.[?(@.OU > 0)]", SAMPLE["accounts"], [{"OU": 1, "id": "a"}, {"OU": 3, "id": "c"}]),
    ("dot-then-wildcard-bracket", "$.[*]", [1, 2], [1, 2]),
    # a list of names as the last step merges those members into one object per match
    ("wildcard-then-name-list", "$.buckets.[*].['bucket', 'key']", SAMPLE,
     [{"bucket": "b1", "key": "k1"}, {"bucket": "b2"}]),
    ("root-wildcard-then-name-list", "$.[*].['bucket', 'key']", SAMPLE["buckets"],
     [{"bucket": "b1", "key": "k1"}, {"bucket": "b2"}]),
    ("name-list-is-one-object", "$.a['x y','d.e','missing']", DOC, {"x y": 5, "d.e": 6}),
    ("double-quoted-name-list", '$.a["x y", "d.e"]', DOC, {"x y": 5, "d.e": 6}),
    # surrounding whitespace is trimmed (Java's String.trim)
    ("trailing-space", "$.s ", DOC, "text"),
    ("leading-space", " $.s", DOC, "text"),
    ("tabs-and-newlines-around", "\t$.a.b[0]\n", DOC, 1),
    ("spaces-inside-brackets", "$[ 'a' ][ 'b' ][ 1 ]", DOC, 2),
    # a backslash keeps the next character from closing the name, and stays in it (as on AWS)
    ("backslash-before-double-quote", "$['Test\\\"\"Name\"']", {'Test\\""Name"': 7}, 7),
    ("escaped-quote", "$['it\\'s']", {"it\\'s": 1, "it's": 2}, 1),
    # deep scan followed by any token
    ("scan-then-index", "$..[0]", {"a": [1, 2], "b": {"c": [3]}}, [1, 3]),
    ("scan-then-slice", "$..[1:]", {"a": [1, 2, 3], "b": [[4, 5]]}, [2, 3, 5]),
    ("scan-then-filter", "$..[?(@.OU > 0)].id", {"x": SAMPLE["accounts"]}, ["a", "c"]),
    ("scan-then-name-list", "$..['bucket','key']", SAMPLE, [{"bucket": "b1", "key": "k1"}]),
    # Jayway: an array matched by a scan step that is not the last hands every element on
    ("scan-index-then-name", "$..[0].v", {"a": [{"v": 1}, {"v": 2}]}, [1, 2]),
    # a dot name runs to the next '.', '[' or '(' and may hold other punctuation
    ("name-with-punctuation", "$.a-b:c'd", {"a-b:c'd": 1}, 1),
    ("token-right-after-bracket", "$['a']b", {"a": {"b": 2}}, 2),
    # Jayway's slices: a negative end of [a:b] does not count from the end
    ("slice-negative-end-between", "$[1:-1]", [1, 2, 3], []),
    ("slice-negative-end", "$[:-1]", [1, 2, 3], [1, 2]),
    ("slice-negative-start", "$[-2:]", [1, 2, 3], [2, 3]),
    ("slice-negative-start-wraps", "$[-2:2]", [1, 2, 3], [2, 3, 1, 2]),
]


@pytest.mark.parametrize(("text", "doc", "expected"), [c[1:] for c in JAYWAY_FORMS],
                         ids=[c[0] for c in JAYWAY_FORMS])
def test_jayway_form(text, doc, expected):
    assert compile_path(text).select(doc) == expected


def test_definite_and_reference_paths():
    merged = compile_path("$.a['x y','d.e']")
    assert merged.definite and not merged.is_reference  # one value, but not a place to write
    assert compile_path("$.[0].a")
    assert compile_path("$.['a'].[0]").is_reference
    assert not compile_path("$['a','b'].c").definite  # not the last step: the values, one by one
    assert compile_path("$.a ").is_reference and compile_path(" $$.Execution.Name ").root == CONTEXT
    with pytest.raises(PathAssignError, match="not a reference path"):
        put({}, merged, 1)


def test_name_list_of_a_non_object_is_a_definite_miss():
    with pytest.raises(PathNotFound, match=r"with property \['x','y'\] in path \$\['s'\] but found "
                                           r"'java.lang.String'"):
        compile_path("$.s['x','y']").select(DOC)


def test_whitespace_is_trimmed_but_the_text_is_kept():
    assert compile_path("$$.Execution.Name ").select(None, Env(context={"Execution": {"Name": "n"}})) == "n"
    assert compile_path(" $.a ").text == " $.a "
    assert is_path(" $.a") and not is_path("  ")


# ----------------------------------------------------------------------------------------------
# roots: $ (input), $$ (context object), $name (variable)
# ----------------------------------------------------------------------------------------------


def test_context_root():
    path = compile_path("$$.Execution.Input.k")
    assert path.root == CONTEXT
    assert path.select({"ignored": 1}, Env(context={"Execution": {"Input": {"k": "v"}}})) == "v"
    assert compile_path("$$").select(None, Env(context={"a": 1})) == {"a": 1}


def test_variable_root():
    path = compile_path("$my_var.items[0]")
    assert (path.root, path.var) == (VARIABLE, "my_var")
    assert path.select({"ignored": 1}, Env(variables={"my_var": {"items": ["first"]}})) == "first"
    assert compile_path("$v2").select(None, Env(variables={"v2": 7})) == 7


def test_input_root():
    path = compile_path("$.a")
    assert (path.root, path.var) == (INPUT, None)
    assert not compile_path("$").steps and path.steps


def test_context_path_without_an_environment_is_a_miss():
    with pytest.raises(PathNotFound):
        compile_path("$$.Execution").select({})


def test_compile_is_cached_and_paths_compare_by_text():
    assert compile_path("$.a.b") is compile_path("$.a.b")
    assert compile_path("$.a.b") == compile_path("$.a.b")
    assert len({compile_path("$.a"), compile_path("$.a"), compile_path("$.b")}) == 2


def test_is_path():
    assert is_path("$.a") and is_path("$$") and is_path("$var")
    assert not is_path("a.$") and not is_path(5) and not is_path(None)


# ----------------------------------------------------------------------------------------------
# misses: Jayway's wording
# ----------------------------------------------------------------------------------------------

MISSES = [
    ("last-step-missing", "$.missing", "No results for path: $['missing']"),
    ("recorded-inputpath", "$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"),
    ("nested-last-step-missing", "$.a.nope", "No results for path: $['a']['nope']"),
    ("earlier-step-missing", "$.no.such.result.path", "Missing property in path $['no']"),
    ("middle-step-missing", "$.a.nope.deeper", "Missing property in path $['a']['nope']"),
    ("index-out-of-range", "$.a.b[5]", "No results for path: $['a']['b'][5]"),
    ("negative-index-out-of-range", "$.a.b[-4]", "No results for path: $['a']['b'][-4]"),
    ("property-of-string", "$.s.x",
     "Expected to find an object with property ['x'] in path $['s'] but found 'java.lang.String'. "
     "This is not a json object according to the JsonProvider: "
     "'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'."),
    ("property-of-array", "$.a.b.x",
     "Expected to find an object with property ['x'] in path $['a']['b'] but found 'java.util.ArrayList'."),
    ("property-of-null", "$.n.x", "in path $['n'] but found 'null'."),
    ("property-of-boolean", "$.t.x", "but found 'java.lang.Boolean'."),
    ("property-of-integer", "$.a.b[0].x", "in path $['a']['b'][0] but found 'java.lang.Integer'."),
    ("property-of-double", "$.f.x", "but found 'java.lang.Double'."),
    ("index-of-string", "$.s[0]", "Filter: [0] can only be applied to arrays. Current context is: \"text\""),
    ("index-of-object", "$.a[1]", "Filter: [1] can only be applied to arrays."),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in MISSES], ids=[c[0] for c in MISSES])
def test_definite_miss_uses_jayway_wording(text, message):
    with pytest.raises(PathNotFound) as info:
        compile_path(text).select(DOC)
    assert message in str(info.value)


def test_missing_variable_is_reported_by_the_environment():
    with pytest.raises(KeyError):
        compile_path("$undefined").select({}, Env())


# ----------------------------------------------------------------------------------------------
# syntax errors
# ----------------------------------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("empty", ""),
    ("no-dollar", "a.b"),
    ("dollar-not-first", "x$.a"),
    ("trailing-dot", "$."),
    ("dot-after-dot-name", "$.a."),
    ("unterminated-bracket", "$.a[1"),
    ("unterminated-open-bracket", "$["),
    ("unterminated-quote", "$['a"),
    ("bare-word-subscript", "$[abc]"),
    ("space-in-dot-name", "$.a b"),
    ("unknown-function", "$.foo()"),
    ("function-not-last", "$.length().x"),
    ("unterminated-filter", "$[?(@.x >]"),
    ("slice-without-bounds", "$.a[::2]"),
    ("slice-bound-not-a-number", "$.a[1:x]"),
    ("index-with-plus", "$.a[+1]"),
    ("index-out-of-java-range", "$.a[2147483648]"),
    ("empty-index", "$.a[1,,2]"),
    ("three-dots", "$...a"),
    ("dot-then-space", "$. a"),
    ("space-after-root", "$ .a"),
    ("space-between-tokens", "$['a'] ['b']"),
    ("name-list-without-comma", "$['a' 'b']"),
    ("name-list-trailing-comma", "$['a',]"),
    ("filter-placeholder", "$[?]"),
    ("function-with-arguments", "$.a.length(1)"),
    ("only-whitespace", "   "),
]


@pytest.mark.parametrize("text", [c[1] for c in SYNTAX_ERRORS], ids=[c[0] for c in SYNTAX_ERRORS])
def test_syntax_error(text):
    with pytest.raises(PathSyntaxError) as info:
        compile_path(text)
    assert "invalid JSONPath" in str(info.value)


def test_syntax_error_says_where():
    with pytest.raises(PathSyntaxError, match=r"'\$\.a b': unexpected whitespace at position 3"):
        compile_path("$.a b")


# ----------------------------------------------------------------------------------------------
# put: ResultPath
# ----------------------------------------------------------------------------------------------

PUTS = [
    ("new-top-level-key", "$.r", {"k": 1, "r": "v"}),
    ("replace-top-level-key", "$.k", {"k": "v"}),
    ("nested-creation", "$.a.b.c", {"k": 1, "a": {"b": {"c": "v"}}}),
    ("quoted-name", "$['x y']", {"k": 1, "x y": "v"}),
    ("root-replaces-everything", "$", "v"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in PUTS], ids=[c[0] for c in PUTS])
def test_put(text, expected):
    assert put({"k": 1}, compile_path(text), "v") == expected


def test_put_into_an_existing_nested_object_and_array_element():
    doc = {"o": {"keep": 1}, "arr": [{"x": 1}, {"x": 2}]}
    assert put(doc, compile_path("$.o.new"), 2) == {"o": {"keep": 1, "new": 2}, "arr": doc["arr"]}
    assert put(doc, compile_path("$.arr[1].x"), 9)["arr"] == [{"x": 1}, {"x": 9}]
    assert put(doc, compile_path("$.arr[-1].y"), 9)["arr"] == [{"x": 1}, {"x": 2, "y": 9}]


def test_put_replaces_a_null_on_the_way_with_an_object():
    assert put({"n": None}, compile_path("$.n.x"), 1) == {"n": {"x": 1}}


def test_put_is_copy_on_write():
    doc = {"a": {"b": 1}, "other": {"big": [1, 2, 3]}, "arr": [{"x": 1}, {"x": 2}]}
    before = copy.deepcopy(doc)
    out = put(doc, compile_path("$.a.c"), 5)
    assert doc == before  # the original document is unchanged
    assert out["a"] is not doc["a"]  # the path's containers are copied
    assert out["other"] is doc["other"]  # everything else is shared
    out2 = put(doc, compile_path("$.arr[0].x"), 7)
    assert doc == before
    assert out2["arr"][1] is doc["arr"][1]


PUT_ERRORS = [
    ("through-a-string", {"s": "str"}, "$.s.x", "$['s'] is not an object"),
    ("through-a-number", {"a": {"b": 1}}, "$.a.b.c", "$['a']['b'] is not an object"),
    ("into-an-array-root", [1, 2], "$.x", "$ is not an object"),
    ("index-out-of-range", {"arr": [1]}, "$.arr[5]", "no array element at $['arr'][5]"),
    ("index-into-an-object", {"o": {}}, "$.o[0]", "no array element at $['o'][0]"),
]


@pytest.mark.parametrize(("doc", "text", "message"), [c[1:] for c in PUT_ERRORS], ids=[c[0] for c in PUT_ERRORS])
def test_put_error(doc, text, message):
    before = copy.deepcopy(doc)
    with pytest.raises(PathAssignError) as info:
        put(doc, compile_path(text), 1)
    assert f"Unable to apply ResultPath '{text}'" in str(info.value)
    assert message in str(info.value)
    assert doc == before


# ----------------------------------------------------------------------------------------------
# the same forms through a whole definition: every place a path goes compiles them alike
# ----------------------------------------------------------------------------------------------


def test_jayway_forms_run_in_every_field():
    import asl_runner

    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Pass", "InputPath": " $.in ", "ResultPath": "$.r.['picked'] ", "Next": "C",
              "Parameters": {"first.$": "$.buckets.[0].bucket", "pairs.$": "$.buckets.[*].['bucket', 'key']",
                             "name.$": "$$.Execution.Name ", "positive.$": "$.accounts.[?(@.OU > 0)].id",
                             "quoted.$": " $['Test\\\"\"Name\"']",
                             "formatted.$": "States.Format('{}', $.buckets.[1].bucket)"}},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.r.['picked'].first ", "StringEquals": "b1",
                                             "Next": "M"}], "Default": "Fail"},
        "M": {"Type": "Map", "ItemsPath": " $.in.buckets.[*].size", "ResultPath": "$.sizes",
              "OutputPath": "$.['r', 'sizes']", "End": True,
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
        "Fail": {"Type": "Fail"},
    }}
    data = dict(SAMPLE, **{'Test\\""Name"': "q"})
    execution = asl_runner.run(definition, {"in": data}, clock="virtual", name="exec-1")
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {
        "r": {"picked": {"first": "b1", "pairs": [{"bucket": "b1", "key": "k1"}, {"bucket": "b2"}],
                         "name": "exec-1", "positive": ["a", "c"], "quoted": "q", "formatted": "b2"}},
        "sizes": [1, 2],
    }
