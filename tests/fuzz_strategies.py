"""Hypothesis strategies for tests/test_fuzz_*.py: hostile JSON, ASL definitions, handler
behaviour, API requests, aws-sdk parameters.

Everything here is mostly valid with some garbage mixed in: a definition that fails to load at
its first field explores nothing, so definitions are built from the state types with fields of
the right shape most of the time and corrupted afterwards. Sizes stay small so that an example
runs in milliseconds on the virtual clock; the big values (deep nesting, huge strings) are a
few prebuilt ones drawn now and then.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from asl_runner.service.shapes import SHAPES, Shape, input_shape


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each as often as its weight (``st.one_of`` draws its arguments
    equally often and counts a repeated one once). Shrinking goes towards the first."""
    total = sum(weight for weight, _ in choices)

    @st.composite
    def pick(draw: st.DrawFn) -> Any:
        roll = draw(st.integers(0, total - 1))
        for weight, strategy in choices:
            if roll < weight:
                return draw(strategy)
            roll -= weight
        raise AssertionError("unreachable")

    return pick()


# ---------------------------------------------------------------------------------------------
# JSON values
# ---------------------------------------------------------------------------------------------

EDGE_NUMBERS = [0, -0.0, 1, -1, 0.5, 1e308, -1e308, 1.7976931348623157e308, 5e-324, 1e-320,
                2**31, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63), 10**30, 1e16, 123456789.123]

EDGE_TEXT = ["", " ", "a", "$", "$.a", "$$", "x.$", "a.b", "a[0]", "['x']", '"', "'", "\\", "\\'",
             "{}", "{", "}", "\u0000", "\u001f", "\u007f", "\u00e9", "e\u0301", "\u0301",
             "\U0001d11e", "\U0001f600", "\u200b", "\ufeff", "\ufffe", "\uffff", "\U0010ffff",
             "\u202e", "\n", "\t", "States.Format('{}', $.a)", "null", "true", "1e999", "NaN",
             "2024-01-01T00:00:00Z", "2024-13-45T99:99:99Z", "arn:aws:states:::x"]

# keys as hostile to paths and templates as a key can be
EDGE_KEYS = EDGE_TEXT + ["a.b.c", "[0]", "[*]", "..", "*", "@", "?(@.a)", "a'b", 'a"b', "a]b",
                         "$.x", "k.$", "$$.k", "length()", " a ", "0", "-1"]

# plain text, no surrogates: a Python str with a lone surrogate is not JSON that any front end
# can bring in (JSON text can, as a \u escape: see HOSTILE_TEXTS)
text = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.text("ab$.[]'\"@*?()0{}\\ ", max_size=8),
)
keys = st.one_of(st.sampled_from(EDGE_KEYS), text)
numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, text)


def nest(levels: int, leaf: Any = 1, kind: str = "list") -> Any:
    """``leaf`` inside ``levels`` arrays (or objects ``{"a": ...}``)."""
    value = leaf
    for _ in range(levels):
        value = [value] if kind == "list" else {"a": value}
    return value


BIG_STRING = "x" * 270_000  # over the 256 KiB payload quota
LONG_STRING = "\U0001f600" * 20_000  # 80,000 bytes of UTF-8, 40,000 UTF-16 units
# prebuilt, so that drawing one costs nothing: the depths around AWS's 1,000-level limit
BIG_VALUES = [nest(n, kind=kind) for n in (20, 998, 999, 1000, 1001, 1500) for kind in ("list", "dict")]
BIG_VALUES += [BIG_STRING, LONG_STRING, list(range(2000)), {f"k{n}": n for n in range(500)}]

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(keys, inner, max_size=4)),
    max_leaves=8,
)
#: JSON values, now and then a big one
hostile_values = weighted((9, json_values), (1, st.sampled_from(BIG_VALUES)))


def _deep_text(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


HOSTILE_TEXTS = [
    "", "   ", "{", "[1,]", "{'a': 1}", '{"a": 1}{"b": 2}', '{"a":1,"a":2}', "\ufeff{}", "\u0000",
    "NaN", "[NaN]", '{"a": Infinity}', "-Infinity", "1e999", "-1e999", '{"a": 1e400}', "1e-400",
    '"\\ud800"', '{"a": "\\udc00x"}', '{"\\ud83d": 1}', '"\\ud83d\\ude00"', '"\\u0000"', "-0",
    "1" * 5000, "2e308", "123456789012345678901234567890", "[" + "1," * 1000 + "1]",
    _deep_text(999), _deep_text(1000), _deep_text(1001), _deep_text(5000),
    '{"a":' * 1000 + "1" + "}" * 1000, '{"a":' * 1001 + "1" + "}" * 1001,
    json.dumps(BIG_STRING), "null", "true", "0", '"text"', "[]", "{}",
]


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """JSON text of a value (ASCII-escaped or not), or text that AWS's parser refuses."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(HOSTILE_TEXTS))
    value = draw(hostile_values)
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


# ---------------------------------------------------------------------------------------------
# ASL definitions
# ---------------------------------------------------------------------------------------------

FUNCTIONS = ("F", "G")  # the local handlers every fuzzed execution has
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"

VALID_PATHS = ["$", "$.a", "$.a.b", "$.x[0]", "$[0]", "$..x", "$.a[*]", "$.a[0:2]", "$.a[-1:]",
               "$.a[?(@.n > 1)]", "$[?(@ == 1)]", "$.a[0,1]", "$['a.b']", "$.['a']", "$.[0]",
               " $.a ", "$.a[*].b", "$..[0]", "$.*", "$$.Execution.Id", "$$.Execution.Input",
               "$$.State.Name", "$$.State.RetryCount", "$$.Map.Item.Value", "$$.Map.Item.Index",
               "$$.Task.Token", "$$.StateMachine.Name", "$$", "$['k.$']", "$.a['b','c']", "$.n", "$.s"]
INVALID_PATHS = ["", "a", "$.", "$[", "$..", "$.a[", "$$.", "$.a b", "$[?(@.a ==)]", "$.a[?]",
                 "$['open", "@", "$[999999999999999999999]", "$.a[1:2:0]", "$[::-1]", "$x",
                 "$.a..", "$.a[?(@.x =~ /(/)]", "$.length()", "$[-0]", "$.'a'", "$.a\\"]
REFERENCE_PATHS = ["$", "$.a", "$.a.b", "$.x[0]", "$['a.b']", "$.n", "$.s", "$$.Execution.Id",
                   "$$.State.RetryCount", "$[0]", "$.a[1]"]

# name: (parameter kinds, kind of further arguments or None, result kind); a literal for the
# parameters AWS checks at load time ("format", "algorithm", "false", "size")
SIGNATURES = {
    "States.Format": (["format"], "any", "string"), "States.StringToJson": (["string"], None, "any"),
    "States.JsonToString": (["any"], None, "string"),
    "States.JsonMerge": (["object", "object", "false"], None, "object"),
    "States.StringSplit": (["string", "string"], None, "array"),
    "States.MathAdd": (["number", "number"], None, "number"),
    "States.MathRandom": (["number", "number"], None, "number"),
    "States.Base64Encode": (["string"], None, "string"), "States.Base64Decode": (["string"], None, "string"),
    "States.Hash": (["any", "algorithm"], None, "string"), "States.UUID": ([], None, "string"),
    "States.Array": ([], "any", "array"), "States.ArrayPartition": (["array", "size"], None, "array"),
    "States.ArrayContains": (["array", "any"], None, "boolean"),
    "States.ArrayRange": (["number", "number", "number"], None, "array"),
    "States.ArrayGetItem": (["array", "number"], None, "any"),
    "States.ArrayLength": (["array"], None, "number"), "States.ArrayUnique": (["array"], None, "array"),
}
LITERALS = {
    "string": ["'a'", "'a,b'", "'e30='", "'{\"a\": 1}'", "'[1,2]'", "'it\\'s'", "''", "'\\{'", "'NaN'",
               "'1e999'", "'\U0001f600'"],
    "number": ["0", "1", "-1", "2.5", "3", "1e308", "99999999999", "-0.0"],
    "boolean": ["true", "false"], "false": ["false"], "size": ["1", "2", "3"],
    "algorithm": ["'SHA-256'", "'MD5'", "'SHA-1'", "'SHA-384'", "'SHA-512'"],
    "format": ["'{}'"], "object": [], "array": [],
}
LITERALS["any"] = LITERALS["string"] + LITERALS["number"] + LITERALS["boolean"] + ["null"]
ARGUMENT_PATHS = ["$", "$.a", "$.n", "$.s", "$[0]", "$$.Execution.Id", "$.a[0]", "$.nope", "$.a[?(@ > 1)]"]
GARBAGE_CALLS = ["States.Nope()", "Format('x')", "States.Format()", "States.MathAdd(1)",
                 "States.Format('{}')", "States.Array(", "States.Hash($, 'SHA-3')", "States.UUID(1)",
                 "States.ArrayPartition($, 0)", "States.JsonMerge($, $, true)", "States.MathAdd('1', 2)",
                 "States.Format('{} {}', 1)", "States.Format('\\', 1)", "States.Array($.a]"]

ERROR_NAMES = ["States.ALL", "States.TaskFailed", "States.Timeout", "States.Runtime",
               "States.HeartbeatTimeout", "States.DataLimitExceeded", "States.Permissions",
               "States.BranchFailed", "States.NoChoiceMatched", "States.IntrinsicFailure",
               "States.ExceedToleratedFailureThreshold", "ValueError", "KeyError", "Boom", "My.Error",
               "Lambda.ServiceException", "Runtime.ExitError", "Runtime.MarshalError",
               "Lambda.ResourceNotFoundException", "States.Nope"]
TIMESTAMPS = ["2024-01-01T00:00:00Z", "2024-01-01T00:00:01.5Z", "2023-12-31T23:59:59+01:00",
              "2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z"]
RESOURCES = [FUNCTION_ARN.format("F"), FUNCTION_ARN.format("G"), FUNCTION_ARN.format("F") + ":live", "F",
             "arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken",
             FUNCTION_ARN.format("Missing"), "arn:aws:states:us-east-1:123456789012:activity:Act"]
UNSUPPORTED_RESOURCES = ["arn:aws:states:::sqs:sendMessage", "arn:aws:states:::aws-sdk:s3:listBuckets",
                         "arn:aws:states:::states:startExecution.sync", "not an arn", "arn:aws:lambda:::function:"]


class Asl:
    """Strategies for definitions. With ``hostile``, a field is now and then of the wrong type
    or out of range (about one in ten): such definitions exercise the checks, valid ones the
    engine. Without it every definition is valid ASL, yet hostile to run: paths that select
    nothing, intrinsics whose arguments turn out of the wrong type, handlers that misbehave,
    loops, retries and waits at their limits."""

    def __init__(self, hostile: bool):
        self.hostile = hostile
        sample = st.sampled_from
        self.paths = self.mostly(sample(VALID_PATHS), st.one_of(sample(INVALID_PATHS), st.builds(
            str.format, sample(["$.{}", "$['{}']", "$[{}]", "$..{}", "$.a[?(@.{} > 0)]"]), keys)))
        self.path_or_null = st.one_of(st.none(), self.paths)
        self.reference_paths = self.mostly(sample(REFERENCE_PATHS), self.paths)
        self.result_path = st.one_of(st.none(), self.mostly(
            sample(["$", "$.r", "$.a.b", "$.a[0]", "$['r']"]), sample(["$.a[*]", "$$.r", "$..r", "r"])))
        self.intrinsic_calls = self._intrinsic_calls()
        self.dynamic = st.one_of(self.paths, self.intrinsic_calls, self.reference_paths)
        self.template_keys = self.mostly(sample(["a", "b", "n", "token", "Payload", "x.y", "ü"]), keys, 3)
        self.templates = self._template()
        self.error_equals = self.mostly(
            st.one_of(st.just(["States.ALL"]), st.lists(sample(ERROR_NAMES[1:]), min_size=1, max_size=3)),
            st.one_of(st.just(["States.ALL", "ValueError"]), st.just([]), st.just([""])))
        self.retriers = st.lists(st.fixed_dictionaries({"ErrorEquals": self.error_equals}, optional={
            "IntervalSeconds": self.mostly(sample([1, 2, 3600, 99999999]), sample([0, 1.5])),
            "MaxAttempts": self.mostly(sample([0, 1, 2, 3, 99999999]), st.just(-1)),
            "BackoffRate": self.mostly(sample([1, 1.0, 2.0, 1.5]), sample([0.5, 1e308])),
            "MaxDelaySeconds": self.mostly(sample([1, 5, 60]), sample([0, 31622401])),
            "JitterStrategy": self.mostly(sample(["FULL", "NONE"]), st.just("HALF")),
        }), max_size=2)
        self.timestamps = self.mostly(sample(TIMESTAMPS), sample(["2024-13-45T99:99:99Z", "2024-01-01", ""]))
        operators = {
            "StringEquals": text, "StringLessThan": text, "StringGreaterThanEquals": text,
            "StringMatches": sample(["a*", "*", "\\*", "a\\", "**", "*.json"]),
            "NumericEquals": numbers, "NumericLessThan": numbers, "NumericGreaterThanEquals": numbers,
            "BooleanEquals": st.booleans(), "TimestampEquals": self.timestamps,
            "TimestampLessThan": self.timestamps, "IsPresent": st.booleans(), "IsNull": st.booleans(),
            "IsString": st.booleans(), "IsNumeric": st.booleans(), "IsBoolean": st.booleans(),
            "IsTimestamp": st.booleans(), "StringEqualsPath": self.reference_paths,
            "NumericLessThanPath": self.reference_paths, "TimestampEqualsPath": self.reference_paths,
            "BooleanEqualsPath": self.reference_paths,
        }
        comparison = st.builds(lambda op, variable, data: {"Variable": variable, op: data.draw(
            self.mostly(operators[op], scalars))}, sample(sorted(operators)), self.reference_paths, st.data())
        self.choice_rules = st.recursive(comparison, lambda inner: st.one_of(
            st.builds(lambda r: {"Not": r}, inner),
            st.builds(lambda rs: {"And": rs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda rs: {"Or": rs}, st.lists(inner, min_size=1, max_size=3))), max_leaves=6)
        self.assign = st.fixed_dictionaries({}, optional={"v": json_values, "w.$": self.dynamic,
                                                          "x": self.mostly(json_values, self.reference_paths)})
        self.wait_values = {
            "Seconds": self.mostly(sample([0, 1, 3600, 86400 * 400, 99999999]), sample([-1, 1.5, 10**12])),
            "Timestamp": self.timestamps, "SecondsPath": self.reference_paths,
            "TimestampPath": self.reference_paths}
        self.path_or_call = st.one_of(self.reference_paths, self.intrinsic_calls)
        self.resources = self.mostly(sample(RESOURCES), sample(UNSUPPORTED_RESOURCES))
        self.timeouts = self.mostly(sample([1, 5, 60, 3600, 99999999]), sample([0, 1.5]))
        self.machines = self._machine()

    def all_last(self, handlers: list[dict]) -> list[dict]:
        """Retriers or catchers as AWS takes them: one with States.ALL comes last (when hostile,
        not always)."""
        if self.hostile:
            return handlers
        rest = [h for h in handlers if "States.ALL" not in h["ErrorEquals"]]
        return rest + [h for h in handlers if "States.ALL" in h["ErrorEquals"]][:1]

    def mostly(self, valid: st.SearchStrategy, invalid: st.SearchStrategy, odds: int = 9) -> st.SearchStrategy:
        """``valid``, or when hostile ``invalid`` once in ``odds + 1``."""
        return weighted((odds, valid), (1, invalid)) if self.hostile else valid

    def _intrinsic_calls(self) -> st.SearchStrategy[str]:
        """Calls with arguments of the right kinds (what they evaluate to is up to the input),
        nested up to 10 levels; when hostile, also malformed calls and nesting past 10."""

        def call(draw: st.DrawFn, kind: str, depth: int) -> str:  # a result that suits ``kind``
            names = [n for n, (_, _, result) in SIGNATURES.items() if kind in ("any", result) or result == "any"]
            name = draw(st.sampled_from(names))
            params, rest, _ = SIGNATURES[name]
            params = params + [rest] * draw(st.integers(0, 3 if rest else 0))
            args = [argument(draw, p, depth - 1) for p in params]
            if params and params[0] == "format":  # as many placeholders as arguments
                args[0] = "'" + " ".join(["{}"] * (len(args) - 1)) + draw(st.sampled_from(["", " x", " \\{"])) + "'"
            return f"{name}({', '.join(args)})"

        def argument(draw: st.DrawFn, kind: str, depth: int) -> str:
            choice = draw(st.integers(0, 2))
            if kind in ("format", "false", "size", "algorithm") or (choice == 0 and LITERALS[kind]):
                return draw(st.sampled_from(LITERALS[kind]))
            if choice == 1 and depth > 0:
                return call(draw, kind, depth)
            return draw(st.sampled_from(ARGUMENT_PATHS))

        @st.composite
        def calls(draw: st.DrawFn) -> str:
            if self.hostile and draw(st.integers(0, 9)) == 0:
                if draw(st.booleans()):
                    return draw(st.sampled_from(GARBAGE_CALLS))
                text = "States.Format('{}', $.a)"
                for _ in range(draw(st.integers(1, 11))):
                    text = f"States.Format('{{}}', {text})"
                return text
            return call(draw, "any", draw(st.integers(0, 3)))

        return calls()

    def _template(self) -> st.SearchStrategy[dict]:
        """Payload templates: ``.$`` keys with paths or intrinsics, static values, nesting."""

        @st.composite
        def template(draw: st.DrawFn, level: int = 0) -> dict:
            out: dict[str, Any] = {}
            for _ in range(draw(st.integers(0, 3))):
                key = draw(self.template_keys).removesuffix(".$")
                kind = draw(st.integers(0, 12))
                if kind < 6:
                    out[key + ".$"] = draw(self.dynamic)
                elif kind < 10 or level == 2:
                    out[key] = draw(json_values)
                elif kind < 12 or not self.hostile:
                    out[key] = draw(template(level + 1))
                else:  # a .$ key whose value is not a string
                    out[key + ".$"] = draw(scalars)
            return out

        return template()

    def _state(self, draw: st.DrawFn, names: list[str], index: int, depth: int) -> dict:
        """State ``names[index]`` of a machine whose states are ``names``."""
        # on to the next state, so that every state is reachable; a Choice may also go back (a
        # loop that runs until something ends it, often the 25,000-event limit); only the last
        # state ends the machine
        later = names[index + 1:]
        onward = st.just(later[0]) if later else st.nothing()
        kinds = ["Pass", "Task", "Task", "Wait"] + (["Parallel", "Map"] if depth > 0 else [])
        state_type = draw(st.sampled_from(kinds + (["Choice"] if later else ["Succeed", "Fail"])))
        state: dict[str, Any] = {"Type": state_type}

        def maybe(key: str, strategy: st.SearchStrategy) -> None:
            if draw(st.integers(0, 3)) == 0:
                state[key] = draw(strategy)

        if state_type not in ("Choice", "Succeed", "Fail"):
            if later:
                state["Next"] = draw(onward)
            else:
                state["End"] = True
        if state_type != "Fail":
            maybe("InputPath", self.path_or_null)
            maybe("OutputPath", self.path_or_null)
        if state_type in ("Pass", "Task", "Parallel", "Map"):
            maybe("ResultPath", self.result_path)
            maybe("Parameters", self.templates)
            maybe("Assign", self.assign)
        if state_type in ("Task", "Parallel", "Map"):
            maybe("ResultSelector", self.templates)
            maybe("Retry", self.retriers.map(self.all_last))
            maybe("Catch", st.lists(st.fixed_dictionaries(
                {"ErrorEquals": self.error_equals, "Next": st.sampled_from(names)},
                optional={"ResultPath": self.result_path}), max_size=2).map(self.all_last))
        if state_type == "Pass":
            maybe("Result", hostile_values if self.hostile else json_values)
        elif state_type == "Task":
            resource = state["Resource"] = draw(self.resources)
            if resource.startswith("arn:aws:states:::lambda:invoke"):
                payload = draw(self.templates)
                if resource.endswith("waitForTaskToken") and draw(st.booleans()):
                    payload["token.$"] = "$$.Task.Token"
                state["Parameters"] = {"FunctionName": draw(st.sampled_from(FUNCTIONS + ("Missing",))),
                                       "Payload": payload}
                if draw(st.integers(0, 3)) == 0:  # the whole payload from a path instead
                    del state["Parameters"]["Payload"]
                    state["Parameters"]["Payload.$"] = draw(self.reference_paths)
            maybe("TimeoutSeconds", self.timeouts)
            maybe("HeartbeatSeconds", self.timeouts)
            if not self.hostile and state.get("HeartbeatSeconds", 0) >= state.get("TimeoutSeconds", 1e9):
                del state["HeartbeatSeconds"]
        elif state_type == "Choice":
            rules = draw(st.lists(self.choice_rules, min_size=1, max_size=3))
            back = st.sampled_from(names[:index + 2])
            state["Choices"] = [{**rule, "Next": draw(weighted((2, onward), (1, back)))} for rule in rules]
            if draw(st.integers(0, 3)):
                state["Default"] = draw(onward)
        elif state_type == "Wait":
            kind = draw(st.sampled_from(sorted(self.wait_values)))
            state[kind] = draw(self.wait_values[kind])
        elif state_type == "Fail":
            if draw(st.booleans()):
                maybe("Error", st.sampled_from(ERROR_NAMES))
                maybe("Cause", text)
            else:
                maybe("ErrorPath", self.path_or_call)
                maybe("CausePath", self.path_or_call)
        elif state_type == "Parallel":
            state["Branches"] = [draw(self._machine(depth - 1, f"{names[index]}.{n}."))
                                 for n in range(draw(st.integers(1, 2)))]
        elif state_type == "Map":
            processor = draw(self._machine(depth - 1, f"{names[index]}.it."))
            if draw(st.integers(0, 4)) == 0:
                processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
                maybe("ToleratedFailurePercentage", st.sampled_from([0, 50, 100]))
            state["ItemProcessor" if draw(st.integers(0, 3)) else "Iterator"] = processor
            maybe("ItemsPath", self.reference_paths)
            maybe("MaxConcurrency", self.mostly(st.sampled_from([0, 1, 2, 40]), st.just(-1)))
            if "Parameters" not in state:
                maybe("ItemSelector", self.templates)
        return state

    def _machine(self, depth: int = 2, prefix: str = "") -> st.SearchStrategy[dict]:
        """A state machine (or a Parallel branch, or a Map processor, whose state names begin
        with ``prefix``: names are unique across a whole definition)."""

        @st.composite
        def machine(draw: st.DrawFn) -> dict:
            names = [f"{prefix}S{n}" for n in range(draw(st.integers(1, 4)))]
            if draw(st.integers(0, 9)) == 0:
                names[-1] = prefix + draw(st.sampled_from(EDGE_KEYS[1:40]))
            body = {name: self._state(draw, names, index, depth) for index, name in enumerate(names)}
            out: dict[str, Any] = {"StartAt": names[0], "States": body}
            if self.hostile and draw(st.integers(0, 29)) == 0:
                out["StartAt"] = draw(keys)
            if not prefix and draw(st.integers(0, 9)) == 0:
                out["TimeoutSeconds"] = draw(self.mostly(st.sampled_from([1, 10, 99999999]), st.just(0)))
            if self.hostile and draw(st.integers(0, 29)) == 0:
                out["QueryLanguage"] = draw(st.sampled_from(["JSONata", "JSONPath", "XPath"]))
            return out

        return machine()


valid_machines = Asl(hostile=False).machines
hostile_machines = Asl(hostile=True).machines


_SHARED = {id(value) for value in BIG_VALUES}


def _locations(value: Any, out: list) -> list:
    """Every (container, key) inside ``value``, depth first, except inside the prebuilt values
    (shared between examples, so never changed)."""
    if id(value) in _SHARED:
        return out
    if isinstance(value, dict):
        for key in value:
            out.append((value, key))
            _locations(value[key], out)
    elif isinstance(value, list):
        for index in range(len(value)):
            out.append((value, index))
            _locations(value[index], out)
    return out


GARBAGE = st.one_of(scalars, st.lists(scalars, max_size=2), st.dictionaries(keys, scalars, max_size=2),
                    st.sampled_from([[], {}, None, "", 0, -1, True, "$.a", 1e308, [{}]]))


@st.composite
def corrupted(draw: st.DrawFn, base: st.SearchStrategy[Any]) -> Any:
    """``base`` with a few values replaced by garbage, keys removed or unknown keys added."""
    # a copy: strategies may hand out the same object twice (st.just), and the prebuilt values
    # stay shared, never changed
    value = copy.deepcopy(draw(base), {id(big): big for big in BIG_VALUES})
    for _ in range(draw(st.integers(1, 3))):
        spots = _locations(value, [])
        if not spots:
            break
        container, key = draw(st.sampled_from(spots))
        action = draw(st.integers(0, 3))
        if action == 0 and isinstance(container, dict):
            del container[key]
        elif action == 1 and isinstance(container, dict):
            container[draw(keys)] = draw(GARBAGE)
        else:
            container[key] = draw(GARBAGE)
    return value


#: execution inputs: mostly objects with the members the generated paths select (of any type),
#: now and then any JSON value
inputs = weighted(
    (4, st.fixed_dictionaries({}, optional={
        "a": st.one_of(json_values, st.lists(json_values, max_size=5), st.lists(numbers, max_size=5)),
        "n": numbers, "s": st.one_of(text, json_values.map(json.dumps)), "x": st.lists(json_values, max_size=4),
        "o": st.dictionaries(keys, json_values, max_size=3), "k.$": text, "a.b": json_values})),
    (1, hostile_values),
)

#: definitions: mostly valid machines, corrupted ones, and garbage that is no definition at all
definitions = weighted(
    (3, valid_machines), (4, hostile_machines), (2, corrupted(valid_machines)),
    (1, st.dictionaries(st.sampled_from(["StartAt", "States", "Comment", "TimeoutSeconds", "Version", "x"]),
                        GARBAGE, max_size=4)),
    (1, hostile_values),
)


# ---------------------------------------------------------------------------------------------
# what local handlers do
# ---------------------------------------------------------------------------------------------


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message for you")


def _named(name: str) -> type[Exception]:
    return type(name, (Exception,), {})


def _circular() -> list:
    value: list = []
    value.append(value)
    return value


class _Strange:
    """Non-JSON results, made fresh for each call (a handler may get a mutable one back)."""


NON_JSON = [lambda: {1, 2}, object, lambda: b"raw bytes", lambda: b"\xff\xfe", lambda: bytearray(b"{}"),
            lambda: Decimal("NaN"), lambda: Decimal("1.5"), lambda: Decimal("1e999999"),
            lambda: float("nan"), lambda: float("inf"), lambda: {1: "int key"}, lambda: {(1, 2): 3},
            _circular, lambda: (x for x in ()), lambda: "\ud800", lambda: {"a": "\udfff"},
            lambda: nest(1200), lambda: BIG_STRING, lambda: _Strange(), lambda: complex(1, 2),
            lambda: [float("-inf")], lambda: {"k": {1, 2}}]

EXCEPTIONS = [lambda: ValueError("bad"), lambda: KeyError("k"), lambda: _named("My.Error")("x"),
              lambda: _named("Über")("ü"), lambda: RecursionError("deep"), lambda: Unprintable(),
              lambda: SystemExit(3), lambda: SystemExit(None), lambda: SystemExit("bye"),
              lambda: Exception("x" * 40_000), lambda: ZeroDivisionError(), lambda: MemoryError(),
              lambda: Exception("\ud800")]

#: what one call of a handler does: ("return", value), ("raise", factory) or ("strange", factory)
handler_outcomes = st.one_of(
    st.tuples(st.just("return"), hostile_values),
    st.tuples(st.just("echo"), st.none()),
    st.tuples(st.just("raise"), st.sampled_from(EXCEPTIONS)),
    st.tuples(st.just("strange"), st.sampled_from(NON_JSON)),
)


def make_handler(outcomes: list[tuple[str, Any]]):
    """A handler(event, context) that goes through ``outcomes`` in turn, then starts again."""
    calls = [0]

    def handler(event: Any, context: Any) -> Any:
        kind, value = outcomes[calls[0] % len(outcomes)]
        calls[0] += 1
        if kind == "return":
            return value
        if kind == "echo":
            return event
        if kind == "raise":
            raise value()
        return value()

    return handler


# ---------------------------------------------------------------------------------------------
# API request bodies
# ---------------------------------------------------------------------------------------------


def shaped(shape_name: str, known: dict[str, list[str]], depth: int = 0) -> st.SearchStrategy[Any]:
    """A value for a member of shape ``shape_name``: mostly of the model's type and limits, now
    and then of another type or out of range. ``known`` holds values that exist on the server
    (ARNs, tokens), keyed by member name, so that requests reach past the not-found checks."""
    shape: Shape = SHAPES[shape_name]
    wrong = st.one_of(GARBAGE, st.sampled_from(BIG_VALUES[:4]))
    if shape.type == "structure":
        right = structures(shape_name, known, depth + 1) if depth < 4 else st.just({})
    elif shape.type == "list":
        right = st.lists(shaped(shape.member, known, depth + 1), max_size=3)
        if shape_name in ("TagList", "TagKeyList"):
            right = st.one_of(right, st.just([{"key": f"k{n}", "value": "v"} for n in range(51)]))
    elif shape.type == "boolean":
        right = st.booleans()
    elif shape.type in ("integer", "long"):
        low, high = shape.min or 0, shape.max or 1000
        right = st.one_of(st.integers(low, high), st.sampled_from([low - 1, high + 1, 2**63, -(2**63)]))
    elif shape.enum:
        right = st.one_of(st.sampled_from(shape.enum), text)
    elif shape_name == "Definition":
        right = st.one_of(st.one_of(valid_machines, hostile_machines).map(json.dumps), json_texts())
    elif shape_name == "SensitiveData":
        right = json_texts()
    else:
        right = st.one_of(text, st.text(max_size=3).map(lambda t: t * 100),
                          st.sampled_from(["x" * 257, "x" * 2049, "a" * 80, "a" * 81, "arn:aws:states:::",
                                           "arn:aws:states:us-east-1:123456789012:stateMachine:nope",
                                           "arn:aws:states:us-east-1:123456789012:execution:m:e",
                                           "arn:aws:iam::123456789012:role/r"]))
    return weighted((6, right), (1, wrong))


def structures(shape_name: str, known: dict[str, list[str]], depth: int = 0) -> st.SearchStrategy[dict]:
    shape = SHAPES[shape_name]

    @st.composite
    def build(draw: st.DrawFn) -> dict:
        body: dict[str, Any] = {}
        for member, member_shape in shape.members.items():
            required = member in shape.required
            if not draw(st.integers(0, 9 if required else 2)):  # usually present if required
                continue
            if known.get(member) and draw(st.booleans()):
                body[member] = draw(st.sampled_from(known[member]))
            else:
                body[member] = draw(shaped(member_shape, known, depth))
        if draw(st.integers(0, 9)) == 0:
            body[draw(keys)] = draw(GARBAGE)  # a member the model does not have
        return body

    return build()


def request_bodies(operation: str, known: dict[str, list[str]]) -> st.SearchStrategy[bytes]:
    """Request bodies for ``operation``: from its input shape, or garbage."""
    shaped_body = structures(input_shape(operation), known).map(lambda b: json.dumps(b).encode())
    garbage = st.one_of(
        st.sampled_from([t.encode("utf-8", "surrogatepass") for t in HOSTILE_TEXTS]),
        st.binary(max_size=20),
        hostile_values.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(keys, hostile_values, max_size=3).map(lambda b: json.dumps(b).encode()),
    )
    return weighted((6, shaped_body), (1, garbage))


# ---------------------------------------------------------------------------------------------
# aws-sdk task parameters
# ---------------------------------------------------------------------------------------------

#: services whose operations aws-sdk tasks are fuzzed with (Step Functions' names)
AWS_SDK_SERVICES = ["s3", "dynamodb", "sqs", "sns", "secretsmanager", "eventbridge", "lambda", "ec2",
                    "ssm", "kms", "ecs", "athena", "glue", "cloudwatch", "sfn", "kinesis", "iam"]
TIMESTAMP_VALUES = ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5+02:00", 1704067200, 1.5, 0, -1,
                    1e308, -1e308, 10**20, "yesterday", "", "2024-13-45T99:99:99Z", "9999-12-31T23:59:59Z"]


def _botocore_model(service: str) -> Any:
    from asl_runner.integrations.aws_sdk import service_model
    from asl_runner.integrations.aws_sdk.names import botocore_service

    return service_model(botocore_service(service))


def _parameter(draw: st.DrawFn, shape: Any, depth: int) -> Any:
    """A value for a member of botocore ``shape``: mostly of its type, now and then not."""
    from asl_runner.integrations.aws_sdk.names import member_name

    if draw(st.integers(0, 7)) == 0:
        return draw(weighted((3, scalars), (1, json_values)))
    kind = shape.type_name
    if kind == "structure":
        if depth <= 0 or shape.metadata.get("document"):
            return draw(json_values)
        members = sorted(shape.members)
        chosen = draw(st.lists(st.sampled_from(members), max_size=4, unique=True)) if members else []
        return {member_name(m): _parameter(draw, shape.members[m], depth - 1) for m in chosen}
    if kind == "list":
        return [_parameter(draw, shape.member, depth - 1) for _ in range(draw(st.integers(0, 2)))] \
            if depth > 0 else []
    if kind == "map":
        return {draw(keys): _parameter(draw, shape.value, depth - 1) for _ in range(draw(st.integers(0, 2)))} \
            if depth > 0 else {}
    if kind == "string":
        return draw(st.sampled_from(shape.enum)) if shape.enum and draw(st.booleans()) else draw(text)
    if kind in ("integer", "long"):
        return draw(weighted((4, st.integers(-5, 1000)), (1, st.sampled_from([2**31, 2**63, 2**64, 1.5, "7", "x"]))))
    if kind in ("float", "double"):
        return draw(weighted((4, numbers), (1, st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "1.5"]))))
    if kind == "boolean":
        return draw(weighted((4, st.booleans()), (1, st.sampled_from(["true", "false", "yes", 1]))))
    if kind == "blob":
        return draw(st.sampled_from(["e30=", "", "not base64!", "AAAA", "////"]))
    if kind == "timestamp":
        return draw(st.sampled_from(TIMESTAMP_VALUES))
    return draw(json_values)


@st.composite
def aws_sdk_calls(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(service, action, parameters) of an aws-sdk task: an operation of one of
    AWS_SDK_SERVICES, with parameters shaped after its input (mostly)."""
    service = draw(st.sampled_from(AWS_SDK_SERVICES))
    model = _botocore_model(service)
    operation = draw(st.sampled_from(sorted(model.operation_names)))
    shape = model.operation_model(operation).input_shape
    parameters = _parameter(draw, shape, 3) if shape is not None else {}
    if draw(st.integers(0, 9)) == 0:
        parameters = draw(GARBAGE)
    return service, operation[0].lower() + operation[1:], parameters
