"""Measure the candidate JSONata engines for asl-runner (issue 9, item 3): the jsonata-js test suite
in Step Functions' 2.0.6 scope, the AWS-specific behaviours we must get right, import time, and
evaluation speed on expressions shaped like ours.

Get the suite (JSONata 2.0.6, the version AWS documents) outside the repo, e.g.:

    git clone https://github.com/jsonata-js/jsonata && cd jsonata && git checkout v2.0.6
    # or, from any clone: git archive v2.0.6 test/test-suite | tar -x -C /work/jsonata-suite

Install the candidates in a throwaway venv (never the project's), then run with that interpreter:

    python3 -m venv /tmp/jvenv
    /tmp/jvenv/bin/pip install jlens jsonatapy jsonata2py jsonata-python
    /tmp/jvenv/bin/python bench/jsonata_engines.py --suite /work/jsonata-suite/test/test-suite
    /tmp/jvenv/bin/python bench/jsonata_engines.py --suite ... --only suite --engine jlens -v

An engine that is not installed is skipped. Each engine runs the suite in a child process, so a case
that hangs or crashes the interpreter (native stack overflow) costs that case only.

Scope: every case of the v2.0.6 suite except the 12 of group `function-eval`, because Step Functions
removes `$eval` (AWS: "All built-in JSONata functions and operators in the 2.0.6 specification are
supported, with one exception: $eval is not available"). The v2.0.6 suite has no 2.1 features
(`??`, `?:`), so nothing else is excluded: a case that needs JavaScript-only behaviour counts against
every engine alike. That gives 1,613 cases.

Judging, as the suite's own runner (test/run-test-suite.js) does: `result` is compared by strict
deep equality (numbers by value, booleans never equal to numbers, arrays in order), `undefinedResult`
needs JSONata's undefined (not null), `code` / `error.code` needs that error code from compiling or
evaluating. The runner's timebox (`timelimit`, `depth`) is a harness hook that raises U1001; engines
bound evaluation with their own options and codes, so the case's limits are passed to the engine's
options and, where U1001 is expected, any of U1001/D1011/D1012 counts. Outcomes: pass; fail (wrong
value or wrong error code); error (an error where a value was expected, a crash, a hang).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

ENGINES = ("jlens", "jsonatapy", "jsonata2py", "jsonata-python")
MODULES = {"jlens": "jlens", "jsonatapy": "jsonatapy", "jsonata2py": "jsonata2py", "jsonata-python": "jsonata"}
LIMIT_CODES = {"U1001", "D1011", "D1012"}
HARD_TIMEOUT_S = 20.0
RESULT_MARK = "@@case "  # engines may print to stdout themselves


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


class EngineError(Exception):
    """A JSONata error from an engine, with its code (None when the engine gave none)."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- adapters: compile(expr) -> handle; evaluate(handle, data, bindings, timelimit_ms, depth) ------
# Data and results are JSON values, UNDEFINED for JSONata's undefined. Each adapter uses the engine's
# API that keeps undefined apart from null, since Step Functions does.


class Adapter:
    name = ""

    def compile(self, expr: str) -> Any:
        raise NotImplementedError

    def evaluate(self, handle: Any, data: Any, bindings: dict | None = None,
                 timelimit_ms: int | None = None, depth: int | None = None) -> Any:
        raise NotImplementedError

    def evaluate_values(self, handle: Any, data: Any, bindings: dict | None = None) -> Any:
        """The fastest Python-values path, whatever it does with undefined (for the speed figures)."""
        return self.evaluate(handle, data, bindings)

    def register(self, handle: Any, name: str, fn: Callable[..., Any]) -> None:
        raise NotImplementedError


def _code_from(exc: BaseException) -> str | None:
    m = re.search(r"\b([A-Z]\d{4})\b", str(exc))
    return m.group(1) if m else None


class Jlens(Adapter):
    name = "jlens"

    def __init__(self) -> None:
        import jlens
        self.m = jlens

    def compile(self, expr):
        try:
            return self.m.Expression(expr)
        except self.m.JlensError as e:
            raise EngineError(e.code, str(e)) from None

    def evaluate(self, handle, data, bindings=None, timelimit_ms=None, depth=None):
        opts = {}
        if timelimit_ms:
            opts["timeout"] = timelimit_ms / 1000
        if depth:
            opts["max_depth"] = depth
        text = None if data is UNDEFINED else json.dumps(data)
        try:
            out = handle.evaluate_json(text, bindings, **opts)
        except self.m.JlensError as e:
            raise EngineError(e.code, str(e)) from None
        return UNDEFINED if out is None else json.loads(out)

    def evaluate_values(self, handle, data, bindings=None):
        return handle.evaluate(None if data is UNDEFINED else data, bindings)

    def register(self, handle, name, fn):
        handle.register_function(name, fn)


class Jsonatapy(Adapter):
    name = "jsonatapy"

    def __init__(self) -> None:
        import jsonatapy
        self.m = jsonatapy

    def compile(self, expr):
        try:
            return self.m.compile(expr)
        except ValueError as e:  # its one error type; the code is in the message
            raise EngineError(_code_from(e), str(e)) from None

    def evaluate(self, handle, data, bindings=None, timelimit_ms=None, depth=None):
        text = None if data is UNDEFINED else json.dumps(data)
        try:
            out = handle.evaluate_json_or_none(text, bindings, timeout=timelimit_ms, max_stack_depth=depth)
        except ValueError as e:
            raise EngineError(_code_from(e), str(e)) from None
        return UNDEFINED if out is None else json.loads(out)

    def evaluate_values(self, handle, data, bindings=None):
        return handle.evaluate(None if data is UNDEFINED else data, bindings)

    def register(self, handle, name, fn):
        try:
            handle.register(name, fn)
        except ValueError:  # a built-in's name
            handle.register_override(name, fn)


class Jsonata2py(Adapter):
    name = "jsonata2py"

    def __init__(self) -> None:
        import jsonata2py
        self.m = jsonata2py
        self.factory = jsonata2py.JsonataExpressionFactory()

    def compile(self, expr):
        try:
            return self.factory.compile(expr)
        except self.m.JsonataError as e:
            raise EngineError(getattr(e, "error_code", None), str(e)) from None

    def _bindings(self, bindings):
        b = self.m.JsonataBindings()
        for k, v in (bindings or {}).items():
            b.bind_value(k, v)
        return b

    def evaluate(self, handle, data, bindings=None, timelimit_ms=None, depth=None):
        # depth: fixed by the engine at 100 nested calls; no option
        handle.set_timeout(timelimit_ms or 0)
        try:
            out = handle.evaluate(self.m.MISSING if data is UNDEFINED else data, self._bindings(bindings))
        except self.m.JsonataError as e:
            raise EngineError(getattr(e, "error_code", None), str(e)) from None
        return UNDEFINED if out is self.m.MISSING else out

    def register(self, handle, name, fn):
        handle.register_function(name, self.m.bound_function(None)(fn))


class JsonataPython(Adapter):
    name = "jsonata-python"

    def __init__(self) -> None:
        import jsonata
        from jsonata.utils import Utils
        self.m = jsonata
        self.null = Utils.NULL_VALUE

    def compile(self, expr):
        try:
            handle = self.m.Jsonata(expr)
        except self.m.JException as e:
            raise EngineError(e.error, str(e)) from None
        handle.set_output_convert_nulls(False)  # then None is undefined and NULL_VALUE is null
        return handle

    def _plain(self, v):
        if v is self.null:
            return None
        if isinstance(v, list):
            return [self._plain(x) for x in v]
        if isinstance(v, dict):
            return {k: self._plain(x) for k, x in v.items()}
        return v

    def evaluate(self, handle, data, bindings=None, timelimit_ms=None, depth=None):
        frame = handle.create_frame(handle.environment)
        for k, v in (bindings or {}).items():
            frame.bind(k, v)
        if timelimit_ms or depth:
            frame.set_runtime_bounds(timelimit_ms, depth)
        try:
            out = handle.evaluate(None if data is UNDEFINED else data, frame)
        except self.m.JException as e:
            raise EngineError(e.error, str(e)) from None
        return UNDEFINED if out is None else self._plain(out)

    def register(self, handle, name, fn):
        handle.register_lambda(name, fn)


ADAPTERS: dict[str, type[Adapter]] = {
    "jlens": Jlens, "jsonatapy": Jsonatapy, "jsonata2py": Jsonata2py, "jsonata-python": JsonataPython,
}


def installed(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(MODULES[name]) is not None


def version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as v
    try:
        return v(name)
    except PackageNotFoundError:
        return "?"


# --- the suite ---------------------------------------------------------------------------------


def load_suite(root: str) -> list[dict]:
    """Cases in a fixed order, each with 'id' (group/file[#n]) and, if out of scope, 'skip'."""
    datasets = {}
    for name in sorted(os.listdir(os.path.join(root, "datasets"))):
        with open(os.path.join(root, "datasets", name), encoding="utf-8") as f:
            datasets[name.removesuffix(".json")] = json.load(f)
    cases = []
    groups_dir = os.path.join(root, "groups")
    for group in sorted(os.listdir(groups_dir)):
        for fname in sorted(n for n in os.listdir(os.path.join(groups_dir, group)) if n.endswith(".json")):
            with open(os.path.join(groups_dir, group, fname), encoding="utf-8") as f:
                spec = json.load(f)
            items = spec if isinstance(spec, list) else [spec]
            for n, case in enumerate(items):
                case["id"] = f"{group}/{fname}" + (f"#{n}" if isinstance(spec, list) else "")
                if "expr-file" in case:
                    with open(os.path.join(groups_dir, group, case["expr-file"]), encoding="utf-8") as f:
                        case["expr"] = f.read()
                if "data" in case:
                    case["input"] = case["data"]
                elif case.get("dataset") is None:
                    case["input"] = UNDEFINED
                else:
                    case["input"] = datasets[case["dataset"]]
                if group == "function-eval":
                    case["skip"] = "$eval: not available in Step Functions"
                cases.append(case)
    return cases


def same(a: Any, b: Any) -> bool:
    """Deep equality as chai's deep.equal sees JSON values."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def judge(adapter: Adapter, case: dict) -> tuple[str, str]:
    """('pass'|'fail'|'error', detail) for one case."""
    expected_code = case.get("code") or (case.get("error") or {}).get("code")
    timeboxed = "timelimit" in case and "depth" in case
    limits = (case["timelimit"], case["depth"]) if timeboxed else (None, None)

    def code_ok(code: str | None) -> bool:
        return code == expected_code or (timeboxed and expected_code == "U1001" and code in LIMIT_CODES)

    try:
        handle = adapter.compile(case["expr"])
        got = adapter.evaluate(handle, case["input"], case.get("bindings"), *limits)
    except EngineError as e:
        if expected_code:
            return ("pass", "") if code_ok(e.code) else ("fail", f"code {e.code}, expected {expected_code}")
        return "error", f"{e.code}: {str(e)[:160]}"
    except RecursionError:
        return ("pass", "") if timeboxed and expected_code == "U1001" else ("error", "RecursionError")
    except Exception as e:  # anything that is not a JSONata error is the engine's fault
        return "error", f"{type(e).__name__}: {str(e)[:160]}"
    if expected_code:
        return "fail", f"no error (expected {expected_code}), got {_short(got)}"
    if "undefinedResult" in case:
        return ("pass", "") if got is UNDEFINED else ("fail", f"got {_short(got)}, expected undefined")
    if got is not UNDEFINED and same(got, case["result"]):
        return "pass", ""
    return "fail", f"got {_short(got)}, expected {_short(case['result'])}"


def _short(v: Any) -> str:
    try:
        s = json.dumps(v) if v is not UNDEFINED else "undefined"
    except (TypeError, ValueError):
        s = repr(v)
    return s if len(s) < 120 else s[:117] + "..."


def worker(engine: str, suite: str, start: int) -> None:
    """Child process: judge cases from `start` on, one JSON line per case."""
    sys.setrecursionlimit(20_000)  # the pure-Python engines recurse per AST node
    adapter = ADAPTERS[engine]()
    cases = [c for c in load_suite(suite) if "skip" not in c]
    for i in range(start, len(cases)):
        t0 = time.perf_counter()
        outcome, detail = judge(adapter, cases[i])
        line = {"i": i, "outcome": outcome, "detail": detail, "s": time.perf_counter() - t0}
        sys.stdout.write(RESULT_MARK + json.dumps(line) + "\n")
        sys.stdout.flush()


def run_suite(engine: str, suite: str, verbose: bool) -> dict:
    cases = [c for c in load_suite(suite) if "skip" not in c]
    results: dict[int, dict] = {}
    start, wall0 = 0, time.perf_counter()
    while start < len(cases):
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", engine,
                                 "--suite", suite, "--start", str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        assert proc.stdout is not None
        nxt = start
        while nxt < len(cases):
            ready, _, _ = select.select([proc.stdout], [], [], HARD_TIMEOUT_S)
            if not ready:
                proc.kill()
                results[nxt] = {"outcome": "error", "detail": f"hung > {HARD_TIMEOUT_S:.0f} s", "s": HARD_TIMEOUT_S}
                break
            line = proc.stdout.readline()
            if not line:  # the child died mid-case
                proc.wait()
                results[nxt] = {"outcome": "error", "detail": f"crashed (exit {proc.returncode})", "s": 0.0}
                break
            if not line.startswith(RESULT_MARK):
                continue
            rec = json.loads(line.removeprefix(RESULT_MARK))
            results[rec["i"]] = rec
            nxt = rec["i"] + 1
        proc.stdout.close()
        proc.wait()
        start = nxt + 1 if nxt < len(cases) else nxt
    wall = time.perf_counter() - wall0
    counts = Counter(r["outcome"] for r in results.values())
    if verbose:
        for i in sorted(results):
            r = results[i]
            if r["outcome"] != "pass":
                print(f"  {engine} {r['outcome']:<5} {cases[i]['id']}: {r['detail']}")
                print(f"        expr: {json.dumps(cases[i]['expr'].strip())[:150]}")
    return {"counts": counts, "cases": len(cases), "wall": wall,
            "case_time": sum(r["s"] for r in results.values()),
            "failing": sorted(cases[i]["id"] for i, r in results.items() if r["outcome"] != "pass")}


# --- AWS specifics ------------------------------------------------------------------------------


def _outcome(adapter: Adapter, expr: str, data: Any = UNDEFINED, bindings: dict | None = None,
             register: dict | None = None, **limits: Any) -> str:
    try:
        handle = adapter.compile(expr)
        for name, fn in (register or {}).items():
            adapter.register(handle, name, fn)
        got = adapter.evaluate(handle, data, bindings, limits.get("timelimit_ms"), limits.get("depth"))
    except EngineError as e:
        return f"error {e.code}"
    except RecursionError:
        return "RecursionError"
    except Exception as e:
        return f"{type(e).__name__}: {str(e)[:60]}"
    return _short(got)


# (label, expression, data, what JSONata 2.0.6 gives: jsonata@2.0.6 from npm, run under Node 20)
CHECKS: list[tuple[str, str, Any, str]] = [
    ("`??` (2.1) rejected", "a ?? 1", {}, "error S0211"),
    ("`?:` (2.1) rejected", "a ?: 1", {}, "error S0211"),
    ("$eval", "$eval('1+1')", {}, "2 (AWS removes it: error T1006 expected)"),
    ("undefined result", "nothing", {"a": 1}, "undefined"),
    ("null result", "a", {"a": None}, "null"),
    ("$string(1e21)", "$string(1e21)", UNDEFINED, '"1e+21"'),
    ("$string(1e-7)", "$string(0.0000001)", UNDEFINED, '"1e-7"'),
    ("$string(1/3)", "$string(1/3)", UNDEFINED, '"0.333333333333333"'),
    # 2.1.1 (#762) stopped rounding to 15 digits here; 2.0.6 rounds, in $string and in `&`
    ("$string(12345678901234567)", "$string(12345678901234567)", UNDEFINED, '"12345678901234600"'),
    ("'' & 12345678901234567", "'' & 12345678901234567", UNDEFINED, '"12345678901234600"'),
    ("$string(1.7976931348623157e308)", "$string(1.7976931348623157e308)", UNDEFINED, '"null"'),
    ("lookahead", "$match('abc', /a(?=b)/).match", UNDEFINED, '"a"'),
    ("lookbehind", "$replace('ab', /(?<=a)b/, 'x')", UNDEFINED, '"ax"'),
    ("back-reference", "$replace('aab', /(a)\\1/, 'x')", UNDEFINED, '"xb"'),
    ("recursion 1,000 deep (not tail)",
     "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000))", UNDEFINED, "1000"),
    ("recursion 5,000 deep (not tail)",
     "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(5000))", UNDEFINED, "5000 (100000 works too)"),
]


def checks(adapters: list[Adapter]) -> None:
    print("\nAWS specifics (what each engine does as shipped; the wrapper closes the gaps)")
    for label, expr, data, aws in CHECKS:
        print(f"  {label:<34} AWS: {aws}")
        for a in adapters:
            print(f"      {a.name:<15} {_outcome(a, expr, data)}")
    extra = [
        ("new function $uuid", "$uuid()", {"uuid": lambda: "u-1"}, '"u-1"'),
        ("replace built-in $random", "$random()", {"random": lambda: 0.25}, "0.25"),
        ("replace built-in $now", "$now()", {"now": lambda: "2020-01-01T00:00:00.000Z"}, '"2020-..."'),
    ]
    for label, expr, reg, want in extra:
        print(f"  {label:<34} want: {want}")
        for a in adapters:
            print(f"      {a.name:<15} {_outcome(a, expr, register=reg)}")
    print("  time limit (infinite tail loop, 200 ms)")
    for a in adapters:
        t0 = time.perf_counter()
        out = _outcome(a, "($f := function($n){$f($n+1)}; $f(0))", timelimit_ms=200, depth=100_000_000)
        print(f"      {a.name:<15} {out} after {time.perf_counter() - t0:.2f} s")
    print("  top-level references (AWS's $states rule)")
    for a in adapters:
        h = a.compile("$states.input.a + $x.b + c")
        reads = getattr(h, "reads", None)
        print(f"      {a.name:<15} {reads() if callable(reads) else 'no API'}")


# --- speed --------------------------------------------------------------------------------------


def _rate(fn: Callable[[], Any], n: int) -> float:
    fn()
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def speed(adapters: list[Adapter], n: int) -> None:
    print(f"\nSpeed (best of 3; compile once; {n:,} evaluations; evaluations/s)")
    print(f"  {'engine':<15} {'compile ms':>10} {'a+1 values':>12} {'a+1 exact':>12} {'loop tr/s':>12}")
    for a in adapters:
        t0 = time.perf_counter()
        for i in range(50):
            a.compile(f"$states.input.a + {i}")
        compile_ms = (time.perf_counter() - t0) * 1000 / 50
        inc = a.compile("$states.input.a + 1")
        b = {"states": {"input": {"a": 41}, "context": {"Execution": {"Id": "x"}}}}
        values = _rate(lambda inc=inc, a=a, b=b: a.evaluate_values(inc, UNDEFINED, b), n)
        exact = _rate(lambda inc=inc, a=a, b=b: a.evaluate(inc, UNDEFINED, b), n)
        # the Choice+Pass loop of bench/loop.py in JSONata: a Condition, then an Output, 2 transitions
        cond = a.compile("$states.input.i < 5000")
        out = a.compile('{"i": $states.input.i + 1, "tag": $states.input.tag & "", "n": $count($items)}')
        state = {"input": {"i": 0, "tag": "t"}}

        def loop(a=a, cond=cond, out=out, state=state):
            bindings = {"states": state, "items": [1, 2, 3]}
            if a.evaluate(cond, UNDEFINED, bindings):
                state["input"] = a.evaluate(out, UNDEFINED, bindings)
            else:
                state["input"] = {"i": 0, "tag": "t"}
        loop_rate = 2 * _rate(loop, n // 2)
        print(f"  {a.name:<15} {compile_ms:>10.3f} {values:>12,.0f} {exact:>12,.0f} {loop_rate:>12,.0f}")
    print("  'values': Python values in and out (jlens/jsonatapy: null and undefined both None);")
    print("  'exact': the path that keeps undefined apart (jlens/jsonatapy: JSON text out), as the suite runs;")
    print("  'loop': a Condition plus an Output per pair of transitions, engine time only.")


def import_times(engines: list[str]) -> None:
    print("\nImport time (python -X importtime, cumulative, median of 5 cold processes)")
    for e in engines:
        samples = []
        for _ in range(5):
            p = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {MODULES[e]}"],
                               capture_output=True, text=True)
            for line in p.stderr.splitlines():
                parts = [x.strip() for x in line.split("|")]
                if len(parts) == 3 and parts[2] == MODULES[e]:
                    samples.append(int(parts[1]))
        samples.sort()
        print(f"  {e:<15} {samples[len(samples) // 2] / 1000:8.1f} ms" if samples else f"  {e:<15} ?")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--suite", help="the jsonata-js test/test-suite folder (v2.0.6)")
    p.add_argument("--engine", action="append", choices=ENGINES, help="only this engine (repeatable)")
    p.add_argument("--only", choices=("suite", "checks", "speed", "import"), action="append")
    p.add_argument("-n", type=int, default=100_000, help="evaluations per speed figure")
    p.add_argument("-v", "--verbose", action="store_true", help="list every case that does not pass")
    p.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    p.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.worker, args.suite, args.start)
        return
    parts = args.only or ["suite", "checks", "speed", "import"]
    engines = [e for e in (args.engine or ENGINES) if installed(e)]
    for e in set(args.engine or ENGINES) - set(engines):
        print(f"{e}: not installed, skipped")
    if "suite" in parts:
        if not args.suite:
            p.error("--suite is needed to run the suite (see the docstring for how to get it)")
        total = sum(1 for c in load_suite(args.suite))
        in_scope = sum(1 for c in load_suite(args.suite) if "skip" not in c)
        print(f"jsonata-js suite: {total} cases, {in_scope} in Step Functions' 2.0.6 scope")
        print(f"  {'engine':<15} {'version':<9} {'pass':>5} {'fail':>5} {'error':>5} {'cases s':>8} {'wall s':>7}")
        for e in engines:
            r = run_suite(e, args.suite, args.verbose)
            c = r["counts"]
            print(f"  {e:<15} {version(e):<9} {c['pass']:>5} {c['fail']:>5} {c['error']:>5} "
                  f"{r['case_time']:>8.1f} {r['wall']:>7.1f}", flush=True)
    adapters = [ADAPTERS[e]() for e in engines] if {"checks", "speed"} & set(parts) else []
    if "checks" in parts:
        checks(adapters)
    if "speed" in parts:
        speed(adapters, args.n)
    if "import" in parts:
        import_times(engines)


if __name__ == "__main__":
    main()
