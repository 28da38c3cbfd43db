"""Frames: one running (sub-)machine of an execution, and the variable scopes they see.

The root machine, each Parallel branch and each Map iteration is a frame. A frame is data:
where it is (state, effective input), how it got there (the event it last wrote, which
``previousEventId`` of its next event points at), its retry counters and its variables. A
frame doubles as the evaluation environment of its paths: ``frame.context`` is the ``$$``
object and ``frame.variable(name)`` resolves ``$name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError
from ..history import iso_timestamp

if TYPE_CHECKING:
    from ..model import State, StateMachine
    from .execution import Execution
    from .fanout import FanOut

# frame status
RUNNING, SUCCEEDED, FAILED, ABORTED = "RUNNING", "SUCCEEDED", "FAILED", "ABORTED"


class Scope:
    """Variables of one scope; inner scopes (branches, iterations) read through to outer ones."""

    __slots__ = ("values", "parent", "sizes")

    def __init__(self, parent: Scope | None = None, values: dict | None = None):
        self.values = values if values is not None else {}
        self.parent = parent
        #: the values' sizes as JSON text, where known (engine.variable_limits)
        self.sizes: dict[str, int] = {}

    def lookup(self, name: str) -> Any:
        scope = self
        while scope is not None:
            values = scope.values
            if name in values:
                return values[name]
            scope = scope.parent
        raise DataFlowError(f"Invalid path '${name}' : The variable '{name}' is not defined")

    def assign(self, values: dict, sizes: dict | None = None) -> None:
        self.values.update(values)
        if sizes is not None:
            self.sizes.update(sizes)
        else:
            for name in values:
                self.sizes.pop(name, None)


_RETRYABLE = frozenset({"Task", "Parallel", "Map"})


class Frame:
    __slots__ = (
        "execution", "machine", "state", "input", "fanout", "index", "scope", "cursor",
        "entered_id", "entered_time", "retry_counts", "retry_total", "record", "status",
        "task_token", "resume", "child_run", "inspection", "last_run", "prior_run",
    )

    def __init__(self, execution: Execution, machine: StateMachine, input: Any, *,
                 scope: Scope, cursor: int, fanout: FanOut | None = None, index: int = 0,
                 record: bool = True):
        self.execution = execution
        self.machine = machine
        self.state: State = machine.states[machine.start_at]
        self.input = input
        self.fanout = fanout
        self.index = index
        self.scope = scope
        self.cursor = cursor
        self.entered_id = 0
        self.entered_time = 0.0
        self.retry_counts: list[int] | None = None
        self.retry_total = 0
        self.record = record
        self.status = RUNNING
        self.task_token: str | None = None
        #: the continuation to run when the frame is next run (see Execution.run_frame)
        self.resume: Any = None
        #: the FanOut this frame waits for (Parallel/Map), to abort it with the frame
        self.child_run: Any = None
        #: where the state's data flow records each stage (TestState's inspectionData), or None
        self.inspection: dict | None = None
        #: the FanOut of the state's last attempt (kept after it ends, for a redrive), and
        #: the one a redriven state resumes (only its unfinished children run again)
        self.last_run: Any = None
        self.prior_run: Any = None

    def __repr__(self) -> str:
        return f"<Frame at {self.state.name!r} {self.status}>"

    @property
    def depth(self) -> int:
        """How many Parallel/Map levels this frame is nested in."""
        depth, run = 0, self.fanout
        while run is not None:
            depth += 1
            run = run.frame.fanout
        return depth

    # -- evaluation environment (paths.Env) ------------------------------------------------

    @property
    def context(self) -> dict:
        ex = self.execution
        state: dict[str, Any] = {"Name": self.state.name,
                                 "EnteredTime": iso_timestamp(self.entered_time)}
        if self.state.type in _RETRYABLE:
            state["RetryCount"] = self.retry_total
        child = child_of(self) if self.fanout is not None else None
        if child is not None:  # a distributed Map's child is an execution of its own
            ctx = {"Execution": child.context_execution,
                   "StateMachine": child.context_state_machine, "State": state}
        else:
            ctx = {"Execution": ex.context_execution, "StateMachine": ex.context_state_machine,
                   "State": state}
        if self.task_token is not None:
            ctx["Task"] = {"Token": self.task_token}
        return ctx

    def variable(self, name: str) -> Any:
        return self.scope.lookup(name)

    @property
    def random(self) -> Any:
        """The execution's random source (States.UUID, States.MathRandom): seeded, so a
        replay of the execution draws the same values."""
        return self.execution.random

    @property
    def now(self) -> float:
        """The time of the frame's last event (JSONata's $now()): on the execution's clock,
        and the same again when a replay recomputes it."""
        return self.execution.frame_time(self)

    @property
    def variables(self) -> dict:
        """Every variable visible from here (inner scopes win)."""
        chain = []
        scope: Scope | None = self.scope
        while scope is not None:
            chain.append(scope.values)
            scope = scope.parent
        out: dict = {}
        for values in reversed(chain):
            out.update(values)
        return out


def child_of(frame: Frame | None) -> Any:
    """The distributed Map child execution (``engine.map_run.ChildExecution``) a frame runs
    in: its own, or that of the frame it is nested in; None for a frame of the execution
    itself. A child's frame has it as its ``record`` (where its events go)."""
    while frame is not None:
        record = frame.record
        if record is not True and record is not False:
            return record
        run = frame.fanout
        frame = run.frame if run is not None else None
    return None


class ItemEnv:
    """The environment of a Map's ItemSelector: the Map's frame plus ``$$.Map.Item``."""

    __slots__ = ("frame", "index", "value")

    def __init__(self, frame: Frame, index: int, value: Any):
        self.frame = frame
        self.index = index
        self.value = value

    @property
    def context(self) -> dict:
        ctx = self.frame.context
        ctx["Map"] = {"Item": {"Index": self.index, "Value": self.value}}
        return ctx

    def variable(self, name: str) -> Any:
        return self.frame.variable(name)

    @property
    def random(self) -> Any:
        return self.frame.execution.random

    @property
    def now(self) -> float:
        return self.frame.now
