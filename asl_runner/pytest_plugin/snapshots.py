"""Golden histories: a run's history, normalised, kept beside the test and compared on the
next run (the ``sfn_snapshot`` fixture; ``--sfn-snapshot-update`` rewrites the files).

What changes from one run to the next is replaced by a placeholder, so that only what the
machine did is compared: timestamps, the execution's ARN and name, task tokens and UUIDs
(default execution names, child executions, Map Runs, message and request ids; numbered by
first appearance, so the snapshot still shows which ids are the same). Payloads that the API
returns as JSON text (``input``, ``output``, ``parameters``, ``result``) are written as JSON, so
a changed field is a changed line in review, and each event is a block of its own.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest

UPDATE_OPTION = "--sfn-snapshot-update"
_DIRECTORY = "__snapshots__"
#: history fields whose value is JSON text on the API
_JSON_TEXT = frozenset({"input", "output", "parameters", "result"})
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
#: what an opaque task token looks like (base64url); each candidate is checked by decoding it
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{40,}")
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.=-]+")


def pytest_addoption(parser: Any) -> None:
    parser.getgroup("asl-runner").addoption(
        UPDATE_OPTION, action="store_true", default=False,
        help="write the sfn_snapshot golden histories anew instead of comparing with them")


#: the snapshot files the session's tests compared or wrote
_LOOKED_AT = pytest.StashKey[set]()
#: test modules not run whole and clean (a test deselected, skipped or failed): a snapshot no
#: test of theirs looked at may belong to a test that did not get that far
_PARTIAL = pytest.StashKey[set]()


@pytest.fixture
def sfn_snapshot(request: Any) -> Snapshots:
    """Compare a run's history with its golden file: ``sfn_snapshot.assert_match(run)``."""
    looked_at = request.config.stash.setdefault(_LOOKED_AT, set())
    return Snapshots(request.node, request.config.getoption(UPDATE_OPTION), looked_at)


def pytest_deselected(items: list) -> None:
    for item in items:
        item.config.stash.setdefault(_PARTIAL, set()).add(Path(str(item.path)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    report = yield
    if report.outcome != "passed":
        item.config.stash.setdefault(_PARTIAL, set()).add(Path(str(item.path)))
    return report


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    """Name the snapshots in the folders of modules that ran whole which no test compared:
    a test renamed or removed left them behind (deleting them is the reviewer's call)."""
    looked_at = config.stash.get(_LOOKED_AT, set())
    if not looked_at:
        return
    partial = config.stash.get(_PARTIAL, set())
    selected_parts = [arg for arg in config.args if "::" in arg]
    stale = []
    for folder in sorted({p.parent for p in looked_at}):
        module = folder.parent.parent / f"{folder.name}.py"
        if (module in partial
                or any(Path(arg.split("::", 1)[0]).resolve() == module for arg in selected_parts)):
            continue
        stale += [p for p in sorted(folder.glob("*.json")) if p not in looked_at]
    if stale:
        terminalreporter.write_sep("-", "unused sfn snapshots")
        for path in stale:
            terminalreporter.write_line(f"{_relative(path, config)}: compared by no test of its "
                                        "module: delete it if its test is gone")


class Snapshots:
    """The golden histories of one test, in ``__snapshots__/MODULE/TEST.json`` beside it (the
    module's own folder: two modules may well have tests of the same name)."""

    def __init__(self, node: Any, update: bool, looked_at: set | None = None) -> None:
        self._node = node
        self._update = update
        self._taken = 0
        self._looked_at = set() if looked_at is None else looked_at

    def path(self, name: str | None = None) -> Path:
        """The file of the snapshot ``name`` (the test's first unnamed one: the test's name;
        later unnamed ones are numbered)."""
        test_file = Path(str(self._node.path))
        stem = _UNSAFE.sub("_", self._node.name)
        if name is not None:
            stem += "." + _UNSAFE.sub("_", name)
        elif self._taken > 1:
            stem += f".{self._taken}"
        return test_file.parent / _DIRECTORY / test_file.stem / f"{stem}.json"

    def assert_match(self, run: Any, name: str | None = None) -> None:
        """Fail, with a diff of the events, when ``run``'s normalised history differs from the
        snapshot; write it instead under ``--sfn-snapshot-update``. A snapshot not written yet
        fails too (a clean checkout in CI must not pass by writing what it should compare)."""
        __tracebackhide__ = True
        if name is None:
            self._taken += 1
        path = self.path(name)
        self._looked_at.add(path)
        text = render(run)
        if self._update:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            return
        shown = _shown(path, self._node)
        if not path.is_file():
            raise AssertionError(f"no snapshot {shown} yet: run pytest {UPDATE_OPTION} to write it "
                                 "(and review it before committing it)")
        golden = path.read_text(encoding="utf-8")
        if golden != text:
            raise AssertionError(_mismatch(shown, golden, text))


def render(run: Any) -> str:
    """The snapshot file's text for ``run``."""
    document = {"status": run.status, "events": normalise(run.history, run.execution.arn)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def normalise(events: list[dict], execution_arn: str) -> list[dict]:
    """The events with what differs between runs replaced by placeholders."""
    from ..engine.tasks import execution_of_token

    names: dict[str, str] = {}
    execution_name = execution_arn.rsplit(":", 1)[-1]

    def placeholder(kind: str, value: str) -> str:
        if value not in names:
            names[value] = f"<{kind}-{sum(1 for p in names.values() if p.startswith(f'<{kind}-')) + 1}>"
        return names[value]

    during = _run_time(events)

    def text(value: str) -> str:
        value = _ISO_TIME.sub(lambda m: "<timestamp>" if during(m.group()) else m.group(), value)
        value = _TOKEN_LIKE.sub(lambda m: placeholder("task-token", m.group())
                                if execution_of_token(m.group()) else m.group(), value)
        value = value.replace(execution_arn, "<execution-arn>")
        # the name also appears in ARNs of its own (a Map Run's, an express child's)
        value = re.sub(rf"(?<=[:/]){re.escape(execution_name)}(?=[:/]|$)", "<execution-name>",
                       value) if value.startswith("arn:") else value
        return _UUID.sub(lambda m: placeholder("uuid", m.group().lower()), value)

    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            if key == "timestamp":
                return "<timestamp>"
            if key in _JSON_TEXT:
                try:
                    return walk(json.loads(value))
                except ValueError:
                    pass
            return text(value)
        return value

    return [walk(event) for event in events]


def _run_time(events: list[dict]) -> Any:
    """Whether an ISO-8601 time falls within the run (a second either side): such a time in a
    payload (``$$.Execution.StartTime``, ``$$.State.EnteredTime``) is the run's, and changes
    with it; a time in the test's own data (an order date) stays as it is."""
    from datetime import datetime, timedelta

    def parse(text: str) -> datetime | None:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None  # AWS's times say their zone

    times = [t for t in (parse(str(e.get("timestamp"))) for e in events) if t is not None]
    if not times:
        return lambda text: False
    first, last = min(times) - timedelta(seconds=1), max(times) + timedelta(seconds=1)

    def during(text: str) -> bool:
        moment = parse(text)
        return moment is not None and first <= moment <= last

    return during


def _mismatch(shown: str, golden: str, text: str) -> str:
    old = json.loads(golden)
    new = json.loads(text)
    lines = [f"the run's history differs from the snapshot {shown} "
             f"(run pytest {UPDATE_OPTION} to accept this run's)"]
    if old.get("status") != new["status"]:
        lines.append(f"status: {new['status']}, not {old.get('status')}")
    old_events, new_events = old.get("events", []), new["events"]
    first = next((i for i, (a, b) in enumerate(zip(old_events, new_events, strict=False)) if a != b),
                 min(len(old_events), len(new_events)))
    if first < max(len(old_events), len(new_events)):
        lines.append(f"events differ from event {first + 1} on: {_describe(old_events, first)} in "
                     f"the snapshot, {_describe(new_events, first)} in this run (of "
                     f"{len(old_events)} and {len(new_events)} events)")
    diff = difflib.unified_diff(golden.splitlines(), text.splitlines(), "snapshot", "this run",
                                n=4, lineterm="")
    return "\n".join(lines + list(diff))


def _describe(events: list[dict], index: int) -> str:
    if index >= len(events):
        return "no such event"
    event = events[index]
    name = next((d["name"] for d in event.values() if isinstance(d, dict) and "name" in d), None)
    return f"{event.get('type')}" + (f" of {name!r}" if name else "")


def _shown(path: Path, node: Any) -> str:
    return _relative(path, node.config)


def _relative(path: Path, config: Any) -> str:
    try:
        return path.relative_to(Path(str(config.rootpath))).as_posix()
    except ValueError:
        return str(path)
