"""asl_runner.jsonata: JSONata as Step Functions runs it (2.0.6, no $eval, AWS's functions)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from asl_runner import jsonata
from asl_runner.jsonata import UNDEFINED, JsonataError, engine


def value(text, input=UNDEFINED, bindings=None, **options):
    return jsonata.compile(text).evaluate(input, bindings or {}, **options)


def error(text, input=UNDEFINED, bindings=None) -> JsonataError:
    with pytest.raises(JsonataError) as caught:
        value(text, input, bindings)
    return caught.value


# --- what 2.0.6 refuses -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "symbol", "position"), [
    ("$x ?? 1", "?", 5), ("$x ?: 1", ":", 5), ("a.b ?? c", "?", 6), ("($y := a ?: 'd'; $y)", ":", 11),
])
def test_the_2_1_operators_are_refused_as_2_0_6_refuses_them(text, symbol, position):
    with pytest.raises(JsonataError) as caught:
        jsonata.compile(text)
    assert (caught.value.code, caught.value.position) == ("S0211", position)
    assert caught.value.message == f"The symbol {symbol} cannot be used as a unary operator"


@pytest.mark.parametrize("text", ["'a ?? b'", '"?:"', "function($x)<n?:n>{$x}", "λ($f)<f<n?:n>:n>{$f(1)}",
                                  "/* x ?? y */ 1", "$x ? 1 : 2", "`a??b`",
                                  "$match('a?:', /a\\?:/)", "$x ? {'k': 1} : [2]"])
def test_question_marks_in_literals_comments_and_ternaries_are_not_the_2_1_operators(text):
    jsonata.compile(text)


def test_a_syntax_error_carries_jsonatas_code_and_position():
    e = error("[1, 2")
    assert (e.code, e.position) == ("S0203", 5)
    assert e.message == 'Expected "]" before end of expression'


def test_a_syntax_error_before_a_2_1_operator_is_the_one_reported():
    with pytest.raises(JsonataError) as caught:
        jsonata.compile("[1, ) ?? 2")
    assert caught.value.message == 'The symbol ")" cannot be used as a unary operator'
    assert caught.value.position == 5


def test_eval_is_not_available_it_fails_as_on_aws():
    # floci #2737, measured on AWS: $eval("1+1") fails the state with T1006
    e = error("$eval('1+1')")
    assert (e.code, e.message) == ("T1006", "Attempted to invoke a non-function")


# --- values -------------------------------------------------------------------------------------


def test_undefined_is_kept_apart_from_null():
    b = {"x": {"a": None}}
    assert value("$x.a", bindings=b) is None
    assert value("$x.b", bindings=b) is UNDEFINED
    assert value("$missing") is UNDEFINED
    assert value("[$x.a, $x.b]", bindings=b) == [None]
    assert repr(UNDEFINED) == "undefined" and not UNDEFINED


def test_the_input_is_the_context_value():
    assert value("a.b", {"a": {"b": [1, 2]}}) == [1, 2]
    assert value("$", UNDEFINED) is UNDEFINED
    assert value("$", None) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("1.0", 1), ("2 * 0.5", 1), ("0.1 + 0.2", 0.30000000000000004), ("1e21", 1e21), ("-0", 0),
    ("9007199254740993", 9007199254740992), ("$power(2, 60)", 1152921504606847000), ("1/3", 1 / 3),
])
def test_numbers_are_javascripts(text, expected):
    result = value(text)
    assert result == expected and type(result) is type(expected)


def test_an_integral_number_comes_back_as_an_int_and_writes_as_javascript_writes_it():
    assert json.dumps(value("[1.0, 2.5, 1e21, $power(2, 60)]")) == "[1, 2.5, 1e+21, 1152921504606847000]"


@pytest.mark.parametrize(("text", "expected"), [
    # jsonata-js 2.0.6 writes a number made text with 15 significant digits (its $string's
    # JSON.stringify replacer: Number(val.toPrecision(15))), and & makes text with $string
    ("'' & (0.1 + 0.2)", "0.3"), ("$string(0.1 + 0.2)", "0.3"), ("$string(1/3)", "0.333333333333333"),
    ("'' & (1/3)", "0.333333333333333"), ("$string([0.1 + 0.2, {'a': 1/3}])", '[0.3,{"a":0.333333333333333}]'),
    ("$string(-0.1 - 0.2)", "-0.3"), ("$string(1e21)", "1e+21"), ("$string(1e-7)", "1e-7"),
    ("$string(100)", "100"),
])
def test_numbers_made_text_have_15_significant_digits(text, expected):
    assert value(text) == expected


@pytest.mark.xfail(strict=True, reason="jlens keeps an integral number's digits beyond 15 "
                   "(2.2's rule); 2.0.6 rounds them too, and jlens has no hook for & (see README)")
@pytest.mark.parametrize("text", ["$string(12345678901234567)", "'' & 12345678901234567"])
def test_integers_beyond_15_digits_made_text_as_2_0_6(text):
    assert value(text) == "12345678901234600"


def test_a_number_out_of_range_is_an_error_not_infinity():
    assert error("$power(10, 300) * $power(10, 300)").code == "D1001"


def test_strings_and_objects_are_preserved():
    doc = {"s": "é \u2028 \"q\" \\", "o": {"z": 1, "a": [True, False, None]}, "empty": {}}
    assert value("$", doc) == doc
    assert list(value("$.o", doc)) == ["z", "a"]


def test_regex_lookaround_and_back_references_work():
    assert value("$replace('aab', /(?<=a)b/, 'x')") == "aax"
    assert value("$replace('aab', /(a)\\1/, 'x')") == "xb"


def test_errors_carry_jsonatas_codes():
    assert error("$number('x')").code == "D3030"
    assert error("'a' + 1").code == "T2001"
    assert error("$count(1, 2, 3)").code == "T0410"


# --- AWS's functions ----------------------------------------------------------------------------


@pytest.mark.parametrize(("array", "size", "expected"), [
    ([0, 1, 2], 2, [[0, 1], [2]]), ([0, 1, 2, 3], 2, [[0, 1], [2, 3]]), ([0, 1], 4, [[0, 1]]),
    ([0], 1, [[0]]), ([0, 1, 2], 1, [[0], [1], [2]]),
])
def test_partition_as_recorded_on_aws(array, size, expected):
    assert value("$partition($a, $n)", bindings={"a": array, "n": size}) == expected


@pytest.mark.parametrize("text", ["$partition([1, 2], 0)", "$partition([1, 2], -1)", "$partition([1, 2], 1.5)",
                                  "$partition([], 2)"])
def test_partition_refuses_what_it_cannot_chunk(text):
    assert error(text).code == "SFN01"


@pytest.mark.parametrize(("args", "expected"), [
    ("0, 9, 3", [0, 3, 6, 9]), ("0, 10, 3", [0, 3, 6, 9]), ("1, 9, 2", [1, 3, 5, 7, 9]),
    ("1, 9, 9", 1), ("10, 0, -5", [10, 5, 0]), ("0, 1, 0.5", [0, 0.5, 1]), ("5, 1, 1", UNDEFINED),
])
def test_range_includes_its_end_and_a_single_number_is_that_number(args, expected):
    result = value(f"$range({args})")
    assert result == expected
    if expected is not UNDEFINED:
        assert json.dumps(result) == json.dumps(expected)


def test_range_refuses_a_zero_step_a_non_number_and_a_range_past_the_memory_bound():
    assert error("$range(0, 5, 0)").code == "SFN01"
    assert error("$range(0, '5', 1)").code == "T0410"
    e = error("$range(0, 1000000, 1)")
    assert (e.code, e.message) == ("U1001", "Expression evaluation memory limit exceeded: Check for excessive memory usage")


@pytest.mark.parametrize(("algorithm", "digest"), [
    ("MD5", "a43c1b0aa53a0c908810c06ab1ff3967"),
    ("SHA-1", "140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"),  # AWS's answer (floci #2662)
    ("SHA-256", "c96c6d5be8d08a12e7b5cdc1b207fa6b2430974c86803d8891675e76fd992c20"),
    ("SHA-384", "4fbd200eb6266698f0846c66607c98797e2b9b3af5bf82aa1aa330a0e2b12aba"
                "97755e3bc955c9765e9edcc70278ca2c"),
    ("SHA-512", "dc6d6c30f2be9c976d6318c9a534d85e9a1c3f3608321a04b4678ef408124d45"
                "d7164f3e562e68c6c0b6c077340a785824017032fddfa924f4cf400e6cbb6adc"),
])
def test_hash_with_each_algorithm(algorithm, digest):
    assert value(f"$hash('input', '{algorithm}')") == digest


def test_hash_refuses_an_unknown_algorithm_and_a_non_string():
    e = error("$hash('input', 'sha-256')")
    assert e.code == "SFN01" and "MD5, SHA-1, SHA-256, SHA-384, SHA-512" in e.message
    assert error("$hash(1, 'MD5')").code == "T0410"


def test_random_with_a_seed_is_javas_random_as_on_aws():
    # AWS: $random(42) is 0.7275636800328681 (floci #2662), new java.util.Random(42).nextDouble()
    assert value("$random(42)") == 0.7275636800328681
    assert value("$random(-7)") == value("$random(-7)")
    assert value("$random(1)") != value("$random(2)")
    assert error("$random('x')").code == "T0410"
    assert error("$random(1.5)").code == "T0410"


def test_random_and_uuid_draw_from_the_given_source_so_a_replay_repeats_them():
    expression = jsonata.compile("[$random(), $uuid(), $random()]")
    first = expression.evaluate(UNDEFINED, {}, rng=random.Random(7))
    again = expression.evaluate(UNDEFINED, {}, rng=random.Random(7))
    assert first == again
    assert 0 <= first[0] < 1 and first[0] != first[2]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first[1])
    unseeded = expression.evaluate(UNDEFINED, {})
    assert unseeded != expression.evaluate(UNDEFINED, {})


def test_uuid_takes_no_argument():
    assert error("$uuid(1)").code == "T0410"


@pytest.mark.parametrize(("text", "expected"), [
    ("-0", 0), ("1", 1), ("1.1", 1.1), ("true", True), ('"HelloWorld"', "HelloWorld"),
    ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]), ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
    ("null", None),
])
def test_parse_as_recorded_on_aws(text, expected):
    assert value("$parse($s)", bindings={"s": text}) == expected


def test_parse_refuses_what_is_not_json():
    for text in ("{", "NaN", "[1,]"):
        assert error("$parse($s)", bindings={"s": text}).code == "SFN01"
    assert error("$parse(1)").code == "T0410"


# --- references ---------------------------------------------------------------------------------


def test_references_are_the_outside_variables_not_functions_or_local_names():
    expression = jsonata.compile("$states.input.a + $x.b + c + $count($y) "
                                 "+ $partition([1], 1)[0][0] + $uuid() + ($z := 1; $z)")
    assert expression.references() == frozenset({"states", "x", "y"})
    assert jsonata.compile("$states.context.Execution.Id").references() == frozenset({"states"})
    assert jsonata.compile("1 + 2").references() == frozenset()
    assert jsonata.compile("function($v) { $v + $w }").references() == frozenset({"w"})


# --- limits -------------------------------------------------------------------------------------


def test_a_runaway_recursion_stops_quickly_with_a_stack_overflow():
    t0 = time.perf_counter()
    e = error("($f := function($n) { 1 + $f($n + 1) }; $f(0))")
    assert time.perf_counter() - t0 < 1
    assert e.code == "U1001" and e.message.startswith("Stack overflow error")


def test_recursion_as_deep_as_aws_allows_evaluates():
    assert value("($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100))") == 100
    assert value("+".join(["1"] * 200)) == 200


def test_an_infinite_loop_stops_at_the_time_limit(monkeypatch):
    monkeypatch.setitem(engine.LIMITS, "timeout", 0.2)
    t0 = time.perf_counter()
    e = error("($f := function($n) { $f($n + 1) }; $f(0))")  # a tail call: no stack to overflow
    assert time.perf_counter() - t0 < 2
    assert (e.code, e.message) == ("U1001", "Expression evaluation timeout: Check for infinite loop")


def test_an_expression_holding_too_much_fails_with_awss_memory_message():
    # floci #2737, measured on AWS: [1..873782] evaluates, [1..873783] does not
    assert value("$count([1..873782])") == 873782
    for text in ("[1..873783]", "$pad('', 8000000)", "$join($map([1..500000], function($v) { 'abcdefghijklmnopqrstuvwxyz' }))"):
        e = error(text)
        assert (e.code, e.message) == ("U1001", "Expression evaluation memory limit exceeded: Check for excessive memory usage"), text


def test_the_default_time_limit_is_bounded():
    assert 0 < engine.LIMITS["timeout"] <= 10


# --- threads ------------------------------------------------------------------------------------


def test_one_compiled_expression_evaluates_from_several_threads_at_once():
    expression = jsonata.compile("$sum([1..$states.input.n]) & ':' & $hash($string($states.input.n), 'MD5')")
    results: dict[int, object] = {}

    def work(n: int) -> None:
        for _ in range(200):
            results[n] = expression.evaluate(UNDEFINED, {"states": {"input": {"n": n}}})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    import hashlib
    assert results == {n: f"{n * (n + 1) // 2}:{hashlib.md5(str(n).encode()).hexdigest()}" for n in range(1, 9)}


# --- import ------------------------------------------------------------------------------------


def test_importing_the_module_does_not_import_the_engine():
    code = ("import sys; import asl_runner.jsonata as j; assert 'jlens' not in sys.modules; "
            "j.compile('1'); assert 'jlens' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(Path.cwd())})


# --- the jsonata-js suite (v2.0.6), when it is on this machine -----------------------------------

SUITE = Path(os.environ.get("JSONATA_SUITE", "/work/jsonata-suite/test/test-suite"))


def _suite_cases():
    if not (SUITE / "groups").is_dir():
        return []
    datasets = {p.stem: json.loads(p.read_text()) for p in (SUITE / "datasets").glob("*.json")}
    cases = []
    for group in sorted(p for p in (SUITE / "groups").iterdir() if p.is_dir()):
        if group.name == "function-eval":  # $eval: not available in Step Functions
            continue
        for path in sorted(group.glob("*.json")):
            spec = json.loads(path.read_text())
            for n, case in enumerate(spec if isinstance(spec, list) else [spec]):
                if "expr-file" in case:
                    case["expr"] = (group / case["expr-file"]).read_text()
                if "data" in case:
                    case["input"] = case["data"]
                else:
                    case["input"] = datasets[case["dataset"]] if case.get("dataset") else UNDEFINED
                cases.append((f"{group.name}/{path.name}#{n}", case))
    return cases


#: the cases where we differ from the suite, each for a reason
SUITE_DEVIATIONS = {
    # a lone UTF-16 surrogate: a Python str cannot carry it into the engine
    "function-encodeUrl/case002.json#0", "function-encodeUrlComponent/case002.json#0",
    # $string(1/0): jlens stops at the division (D1001) before $string can say D3001
    "function-string/case019.json#0",
    # ten million items: past AWS's measured memory bound, which AWS enforces and the suite does not
    "range-operator/case021.json#0", "range-operator/case024.json#0",
    # the suite's harness stops a 100-deep non-tail recursion; AWS evaluates about that deep
    # and our depth bound is above it
    "tail-recursion/case002.json#0",
}


def _same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.mark.skipif(not (SUITE / "groups").is_dir(), reason="the jsonata-js v2.0.6 suite is not on this machine")
def test_the_jsonata_js_2_0_6_suite(monkeypatch):
    monkeypatch.setitem(engine.LIMITS, "timeout", 0.5)  # the suite's runaway cases, quickly
    failures = []
    cases = _suite_cases()
    for name, case in cases:
        expected_code = case.get("code") or (case.get("error") or {}).get("code")
        try:
            got = jsonata.compile(case["expr"]).evaluate(case["input"], case.get("bindings") or {})
        except JsonataError as e:
            # the suite's time box (timelimit/depth) raises U1001, as our limits do
            if expected_code != e.code:
                failures.append(f"{name}: {e.code} {e.message[:80]} (expected {expected_code or 'a value'})")
            continue
        except Exception as e:  # a lone surrogate cannot cross into the engine
            failures.append(f"{name}: {type(e).__name__}")
            continue
        if expected_code:
            failures.append(f"{name}: no error (expected {expected_code})")
        elif "undefinedResult" in case:
            if got is not UNDEFINED:
                failures.append(f"{name}: {got!r}, expected undefined")
        elif got is UNDEFINED or not _same(got, case["result"]):
            failures.append(f"{name}: {got!r}"[:160])
    assert sorted(f.split(":")[0] for f in failures) == sorted(SUITE_DEVIATIONS), "\n".join(failures)
    assert len(cases) >= 1600
