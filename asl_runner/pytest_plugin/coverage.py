"""State-machine coverage (``--sfn-cov``): which states, Choice rules and Defaults, Parallel
branches and Map processors, retriers and catchers of each definition the ``sfn`` fixture
loaded were exercised across the session.

Off unless asked: the plugin object here is registered only then, and a run without it
costs one ``is None`` test per state entered. On, each run's Execution gets a
:class:`Recorder` as its ``observer``: the engine tells it each state it enters and which
rule, retrier or catcher applied, which the history cannot always say (two rules with the
same Next; a distributed Map's iterations, which write no events). Items are keyed by their
JSON pointer in the definition, so states of the same name in different branches stay apart.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, NamedTuple

import pytest

KINDS = ("states", "branches", "retriers", "catchers")


def add_options(parser: Any) -> None:
    group = parser.getgroup("asl-runner", "asl-runner state machines")
    group.addoption("--sfn-cov", action="store_true", default=False,
                    help="report the state-machine coverage of the definitions loaded "
                         "through the sfn fixture")
    group.addoption("--sfn-cov-report", metavar="PATH", default=None,
                    help="write the state-machine coverage as JSON to PATH (implies --sfn-cov)")
    group.addoption("--sfn-cov-fail-under", metavar="PERCENT", type=float, default=None,
                    help="fail the session if the total state-machine coverage is under "
                         "PERCENT (implies --sfn-cov)")


def configure(config: Any) -> None:
    report = config.getoption("sfn_cov_report")
    fail_under = config.getoption("sfn_cov_fail_under")
    if not (config.getoption("sfn_cov") or report or fail_under is not None):
        return
    if fail_under is not None and not 0 <= fail_under <= 100:
        raise pytest.UsageError(f"--sfn-cov-fail-under is a percentage (0 to 100), "
                                f"not {fail_under:g}")
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: see the README
        return
    plugin = CoveragePlugin(str(config.rootpath), report, fail_under)
    config.stash[SESSION] = plugin.session
    config.pluginmanager.register(plugin, "asl_runner_coverage")


class Item(NamedTuple):
    """One thing a test can exercise: ``hit_by`` is the key a run records when it does (a
    branch is exercised when its first state is entered)."""

    kind: str
    key: str
    label: str
    hit_by: str


def items_of(machine: Any) -> list[Item]:
    """Every coverable item of a (sub-)machine, in the definition's order."""
    items: list[Item] = []
    for name, state in machine.states.items():
        p = state.pointer
        items.append(Item("states", p, f"state {name!r}", p))
        for i, rule in enumerate(getattr(state, "choices", ())):
            items.append(Item("branches", f"{p}/Choices/{i}", f"{name!r} Choices[{i}] -> {rule.next}",
                              f"{p}/Choices/{i}"))
        if getattr(state, "default", None) is not None:
            key = f"{p}/Choices/{len(state.choices)}"
            items.append(Item("branches", f"{p}/Default", f"{name!r} Default -> {state.default}",
                              key))
        inner = list(getattr(state, "branches", ()))
        processor = getattr(state, "processor", None)
        for i, branch in enumerate(inner):
            start = branch.states[branch.start_at].pointer
            items.append(Item("branches", f"{p}/Branches/{i}", f"{name!r} Branches[{i}]", start))
        if processor is not None:
            start = processor.states[processor.start_at].pointer
            where = start.rsplit("/States/", 1)[0]
            items.append(Item("branches", where,
                              f"{name!r} {where.rsplit('/', 1)[1]} (no iteration ran)", start))
            inner.append(processor)
        for i, retrier in enumerate(getattr(state, "retry", ())):
            items.append(Item("retriers", f"{p}/Retry/{i}",
                              f"{name!r} Retry[{i}] {_errors(retrier)}", f"{p}/Retry/{i}"))
        for i, catcher in enumerate(getattr(state, "catch", ())):
            items.append(Item("catchers", f"{p}/Catch/{i}",
                              f"{name!r} Catch[{i}] {_errors(catcher)} -> {catcher.next}",
                              f"{p}/Catch/{i}"))
        for sub in inner:
            items.extend(items_of(sub))
    return items


def _errors(entry: Any) -> str:
    """A Retry or Catch entry's ErrorEquals, cut short: its index names it already."""
    names = entry.error_equals
    shown = ", ".join(names[:2])
    return f"[{shown}, +{len(names) - 2}]" if len(names) > 2 else f"[{shown}]"


class Recorder:
    """The Execution's observer: records the keys of what the run exercised."""

    __slots__ = ("hits",)

    def __init__(self, hits: set[str]) -> None:
        self.hits = hits

    def entered(self, state: Any) -> None:
        self.hits.add(state.pointer)

    def chose(self, state: Any, index: int) -> None:
        self.hits.add(f"{state.pointer}/Choices/{index}")

    def retried(self, state: Any, index: int) -> None:
        self.hits.add(f"{state.pointer}/Retry/{index}")

    def caught(self, state: Any, index: int) -> None:
        self.hits.add(f"{state.pointer}/Catch/{index}")


class Definition:
    def __init__(self, label: str, model: Any) -> None:
        self.label = label
        self.model = model
        self.hits: set[str] = set()

    def figures(self) -> dict:
        """Covered and total per kind, the percentage, and every item with its outcome."""
        items = items_of(self.model)
        out: dict[str, Any] = {kind: {"covered": 0, "total": 0} for kind in KINDS}
        listed = []
        for item in items:
            covered = item.hit_by in self.hits
            out[item.kind]["total"] += 1
            out[item.kind]["covered"] += covered
            listed.append({"kind": item.kind, "key": item.key, "label": item.label,
                           "covered": covered})
        out["percent"] = _percent(out)
        out["items"] = listed
        return out


class SessionCoverage:
    """The definitions loaded through the ``sfn`` fixture this session, and what ran of them."""

    def __init__(self, rootdir: str) -> None:
        self.rootdir = rootdir
        self.definitions: dict[str, Definition] = {}

    def recorder(self, model: Any, path: str | None, name: str) -> Recorder:
        """``path``: the file it was read from (absolute); None for a dict or JSON text,
        which is told apart from others by its content and labelled by the machine's name."""
        key = path if path is not None else "inline:" + json.dumps(model.source, sort_keys=True)
        found = self.definitions.get(key)
        if found is None:
            label = os.path.relpath(path, self.rootdir) if path else self._inline_label(name)
            found = self.definitions[key] = Definition(label, model)
        return Recorder(found.hits)

    def _inline_label(self, name: str) -> str:
        used = {d.label for d in self.definitions.values()}
        label, n = f"<inline {name}>", 1
        while label in used:
            n += 1
            label = f"<inline {name} #{n}>"
        return label

    def report(self) -> dict:
        per = {d.label: d.figures() for d in self.definitions.values()}
        totals: dict[str, Any] = {kind: {"covered": sum(f[kind]["covered"] for f in per.values()),
                                         "total": sum(f[kind]["total"] for f in per.values())}
                                  for kind in KINDS}
        totals["percent"] = _percent(totals)
        return {"totals": totals, "definitions": per}


def _percent(figures: dict) -> float | None:
    total = sum(figures[k]["total"] for k in KINDS)
    return 100.0 * sum(figures[k]["covered"] for k in KINDS) / total if total else None


def _shown(percent: float | None) -> str:
    if percent is None:
        return "-"
    return f"{math.floor(percent)}%"  # as coverage.py: never rounded up to a 100% not reached


SESSION = pytest.StashKey[SessionCoverage]()


class CoveragePlugin:
    """Registered with pytest only under ``--sfn-cov`` (or its report and threshold options)."""

    def __init__(self, rootdir: str, report_path: str | None, fail_under: float | None) -> None:
        self.session = SessionCoverage(rootdir)
        self.report_path = report_path
        self.fail_under = fail_under
        self.result: dict | None = None
        self.failed_under = False
        self.report_error: str | None = None

    def pytest_sessionfinish(self, session: Any) -> None:
        # before the terminal summary (the terminal reporter's sessionfinish wraps this one)
        self.result = self.session.report()
        if self.report_path:
            try:
                with open(self.report_path, "w", encoding="utf-8") as f:
                    json.dump(self.result, f, indent=2)
                    f.write("\n")
            except OSError as exc:  # a CI step that reads the file must not pass without it
                self.report_error = f"cannot write {self.report_path}: {exc.strerror}"
                if session.exitstatus == pytest.ExitCode.OK:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.fail_under is not None:
            percent = self.result["totals"]["percent"]
            self.failed_under = percent is None or percent < self.fail_under
            if self.failed_under and session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.result is None:
            return
        tr = terminalreporter
        tr.write_sep("-", "state-machine coverage")
        for line in summary_lines(self.result):
            tr.write_line(line)
        if self.report_path and not self.report_error:
            tr.write_line(f"state-machine coverage written to {self.report_path}")
        if self.report_error:
            tr.write_line(f"ERROR: {self.report_error}", red=True)
        if self.fail_under is not None:
            percent = self.result["totals"]["percent"]
            reached = "no state machine was loaded" if percent is None else \
                f"total coverage {percent:.2f}%"
            if self.failed_under:
                tr.write_line(f"FAIL Required state-machine coverage of {self.fail_under:g}% "
                              f"not reached: {reached}", red=True, bold=True)
            else:
                tr.write_line(f"Required state-machine coverage of {self.fail_under:g}% "
                              f"reached: {reached}", green=True)


def summary_lines(result: dict) -> list[str]:
    """One line per definition (its figures beside its name), each missed item under it,
    and the total."""
    rows = list(result["definitions"].items())
    if not rows:
        return ["no state machine was loaded through the sfn fixture"]
    width = max(len(label) for label, _ in [*rows, ("TOTAL", None)])
    lines = []
    for label, figures in rows:
        lines.append(_row(label.ljust(width), figures))
        lines.extend(f"    missed {item['label']}" for item in figures["items"]
                     if not item["covered"])
    if len(rows) > 1:
        lines.append(_row("TOTAL".ljust(width), result["totals"]))
    return lines


def _row(label: str, figures: dict) -> str:
    cells = "  ".join(f"{kind} {figures[kind]['covered']}/{figures[kind]['total']}"
                      for kind in KINDS)
    return f"{label}  {cells}  {_shown(figures['percent'])}"
