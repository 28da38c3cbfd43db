"""An execution's path through its graph, read from its history events (AWS's shape).

Each state gets a status (see :data:`STATUSES`) and each edge it left by is marked taken.
Events that name no state (LambdaFunctionFailed, ParallelStateSucceeded, ...) belong to the
state their ``previousEventId`` chain leads back to, as AWS links them; a Parallel's or Map's
own events to the nearest group of that type around the state the chain reaches (a
Parallel's ParallelStateSucceeded points at the last branch state that ended).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from .structure import CATCH, END, RETRY, START, Graph

SUCCEEDED, FAILED, CAUGHT, RETRIED, RUNNING, ABORTED, NOT_REACHED = (
    "succeeded", "failed", "caught", "retried", "running", "aborted", "not-reached")
#: a Distributed Map's inner states: they ran in child executions, not in this history
UNKNOWN = ""
#: every status, the one that wins first when a state's visits differ (30 Map iterations,
#: one failed: the state shows failed)
STATUSES = (FAILED, RUNNING, CAUGHT, RETRIED, ABORTED, SUCCEEDED, NOT_REACHED)

_STATE_TYPES = ("Task", "Choice", "Pass", "Wait", "Succeed", "Fail", "Parallel", "Map")
_ATTEMPT_STARTS = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled",
                   "ParallelStateStarted", "MapStateStarted")
_FAILURES = ("TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
             "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed",
             "LambdaFunctionScheduleFailed", "ActivityFailed", "ActivityTimedOut",
             "ActivityScheduleFailed", "ParallelStateFailed", "MapStateFailed",
             "EvaluationFailed")
_EXECUTION_ENDS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
                   "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED"}


@dataclass
class Visit:
    """One entry into a state: what it got, what it gave, how it went."""

    state: str
    parent: Visit | None = None  # the visit of the Parallel or Map around it
    entered: Any = None  # the event's timestamp, as the history has it
    exited: Any = None
    input: Any = None  # JSON text, as in the history
    output: Any = None
    attempts: int = 0
    iterations: int = 0  # a Map's, started
    failures: int = 0
    failed_last: bool = False
    error: str | None = None
    cause: str | None = None
    status: str = RUNNING
    #: it failed or was stopped, and a redrive (ExecutionRedriven) ran the execution on again
    redriven: bool = False


@dataclass
class StateRun:
    status: str = NOT_REACHED
    visits: list[Visit] = field(default_factory=list)

    @property
    def retries(self) -> int:
        """Attempts after the first, over every visit (a Retry rule's work)."""
        return sum(max(0, v.attempts - 1) for v in self.visits)

    @property
    def error(self) -> str | None:
        return next((v.error for v in reversed(self.visits) if v.error), None)

    @property
    def cause(self) -> str | None:
        return next((v.cause for v in reversed(self.visits) if v.cause), None)


@dataclass
class RunPath:
    states: dict[str, StateRun]
    #: (source, target, kind) of every edge taken; kind is "catch" for a caught error, else
    #: "" (the state's Next, Choice rule or Default: the history does not say which rule)
    taken: set[tuple[str, str, str]]
    status: str | None = None  # the execution's: RUNNING, SUCCEEDED, FAILED, ...
    error: str | None = None
    cause: str | None = None

    def status_of(self, name: str) -> str:
        run = self.states.get(name)
        return run.status if run else NOT_REACHED

    def took(self, source: str, target: str, kind: str) -> bool:
        if kind == RETRY:
            run = self.states.get(source)
            return bool(run and run.retries)
        wanted = CATCH if kind == CATCH else ""
        return (source, target, wanted) in self.taken


def trace_path(graph: Graph, events: list[dict]) -> RunPath:
    """The path of the execution whose history is ``events`` (GetExecutionHistory's shape)."""
    tracer = _Tracer(graph)
    for event in events:
        tracer.feed(event)
    path = tracer.path
    for run in path.states.values():
        # a visit a redrive ran on from counts only where the state was not run again after it
        visits = [v for v in run.visits if not v.redriven] or run.visits
        if visits:
            run.status = min((v.status for v in visits), key=STATUSES.index)
    for node in graph.walk():
        if node.detached and path.states[node.key].visits:
            for branch in node.branches:
                for inner in branch.walk():
                    if not path.states[inner.key].visits:
                        path.states[inner.key].status = UNKNOWN
    return path


class _Tracer:
    def __init__(self, graph: Graph):
        self.parents = _parents(graph)
        self.types = {node.key: node.type for node in graph.walk()}
        self.first = next(e.target for e in graph.edges if e.source == START)
        states = {key: StateRun() for key in self.types if key not in (START, END)}
        self.path = RunPath(states, set())
        self.owner: dict[Any, Visit] = {}  # event id -> the visit it belongs to
        self.kinds: dict[Any, str] = {}  # event id -> its type
        self.open: list[Visit] = []
        self.last: Visit | None = None

    def feed(self, event: dict) -> None:
        kind = event.get("type")
        if not isinstance(kind, str):
            return
        details = _details(event)
        event_id, previous = _key(event.get("id")), _key(event.get("previousEventId"))
        if event_id is not None:
            self.kinds[event_id] = kind
        if self.path.status is None:
            self.path.status = "RUNNING"
        name = details.get("name") if isinstance(details.get("name"), str) else None
        state_event = _state_event(kind)
        if state_event == "Entered" and name in self.path.states:
            visit = self._enter(name, event, details)
        elif state_event == "Exited" and name in self.path.states:
            visit = self._exit(name, event, details)
        elif kind in _EXECUTION_ENDS:
            self._end(kind, event, details)
            return
        elif kind == "ExecutionRedriven":
            self._redriven()
            return
        else:
            visit = self._visit_of(kind, previous)
            if visit is not None:
                self._task_event(visit, kind, details)
        if visit is not None and event_id is not None:
            self.owner[event_id] = visit

    def _enter(self, name: str, event: dict, details: dict) -> Visit:
        before = self.owner.get(_key(event.get("previousEventId")))
        group = self.parents.get(name)
        if before is not None:
            parent = before if before.state == group else before.parent
        else:
            parent = next((v for v in reversed(self.open) if v.state == group), None)
        visit = Visit(name, parent, entered=_when(event.get("timestamp")), input=_payload(details.get("input")))
        self.path.states[name].visits.append(visit)
        self.open.append(visit)
        self.last = visit
        previous_kind = self.kinds.get(_key(event.get("previousEventId")))
        if previous_kind is None or previous_kind == "ExecutionStarted":
            if name == self.first:
                self.path.taken.add((START, name, ""))
        elif _state_event(previous_kind) == "Exited" and before is not None:
            self.path.taken.add((before.state, name, CATCH if before.status == CAUGHT else ""))
        return visit

    def _exit(self, name: str, event: dict, details: dict) -> Visit:
        visit = self.owner.get(_key(event.get("previousEventId")))
        if visit is None or visit.state != name or visit not in self.open:
            visit = next((v for v in reversed(self.open) if v.state == name), None) or Visit(name)
        if visit in self.open:
            self.open.remove(visit)
        visit.exited = _when(event.get("timestamp"))
        visit.output = _payload(details.get("output"))
        visit.status = CAUGHT if visit.failed_last else RETRIED if visit.failures else SUCCEEDED
        return visit

    def _visit_of(self, kind: str, previous: Any) -> Visit | None:
        visit = self.owner.get(previous, self.last)
        for group in ("Parallel", "Map"):
            if kind.startswith(group + "State") or kind.startswith(group + "Iteration"):
                while visit is not None and self.types.get(visit.state) != group:
                    visit = visit.parent
        return visit

    def _task_event(self, visit: Visit, kind: str, details: dict) -> None:
        if kind == "MapIterationStarted":
            visit.iterations += 1
        elif kind in _ATTEMPT_STARTS:
            visit.attempts += 1
            visit.failed_last = False
        elif kind in _FAILURES:
            visit.failures += 1
            visit.failed_last = True
            visit.error, visit.cause = _text(details.get("error")), _text(details.get("cause"))
            if kind in ("ParallelStateFailed", "MapStateFailed"):
                self._close_inside(visit)
        elif kind.endswith("Succeeded") and not kind.startswith("MapIteration"):
            visit.failed_last = False

    def _close_inside(self, group: Visit) -> None:
        """A Parallel or Map failed: what still ran inside it failed (the error it raised)
        or was stopped with it."""
        for visit in list(self.open):
            ancestor = visit.parent
            while ancestor is not None and ancestor is not group:
                ancestor = ancestor.parent
            if ancestor is group:
                self.open.remove(visit)
                visit.status = FAILED if visit.failed_last else ABORTED

    def _redriven(self) -> None:
        """A redrive ran the ended execution on: it is running again, and the visits that
        failed or were stopped give way to the state's visits after it."""
        path = self.path
        path.status, path.error, path.cause = "RUNNING", None, None
        for run in path.states.values():
            for visit in run.visits:
                if visit.status in (FAILED, ABORTED):
                    visit.redriven = True

    def _end(self, kind: str, event: dict, details: dict) -> None:
        """The execution ended: the state it ended in leads to End; a state still open failed
        (the one the end points at, or one whose error went uncaught) or was stopped."""
        path = self.path
        path.status = _EXECUTION_ENDS[kind]
        path.error, path.cause = _text(details.get("error")), _text(details.get("cause"))
        last = self.owner.get(_key(event.get("previousEventId")))
        if last is not None:
            path.taken.add((last.state, END, ""))
        for visit in self.open:
            ended_here = visit is last or (kind == "ExecutionFailed" and visit.failed_last)
            visit.status = FAILED if ended_here and kind != "ExecutionAborted" else ABORTED
            if visit is last and kind != "ExecutionSucceeded" and not visit.error:
                visit.error, visit.cause = path.error, path.cause
        self.open.clear()


def _key(value: Any) -> Any:
    """An event id as a dict key: ids are numbers (text from some tools); anything else is
    no id at all."""
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None


def _when(value: Any) -> Any:
    """A timestamp as the history has it: ISO text (the CLI), epoch seconds (the JSON API),
    or a datetime (boto3), which becomes ISO text."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else None


def _payload(value: Any) -> str | None:
    """An input or output as JSON text, as the API gives it (a tool that parsed it already,
    such as a recorder normalising histories, gives the value: it is written back as text)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):  # not JSON at all: nothing to show
        return None


def _text(value: Any) -> str | None:
    """A payload, error or cause as the history has it (text), or None for anything else."""
    return value if isinstance(value, str) else None


def _details(event: dict) -> dict:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


@functools.lru_cache(maxsize=256)
def _state_event(kind: str) -> str | None:
    for suffix in ("Entered", "Exited"):
        if kind.endswith("State" + suffix) and kind[: -len("State" + suffix)] in _STATE_TYPES:
            return suffix
    return None


def _parents(graph: Graph) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in graph.walk():
        for branch in node.branches:
            for inner in branch.nodes:
                out[inner.key] = node.key
    return out
