"""Map Runs: a Distributed Map's child workflow executions, each an execution in its own right.

As on AWS, each iteration of a DISTRIBUTED Map is a child execution with its own ARN
(``execution:MACHINE/LABEL:NAME``, or ``express:MACHINE/LABEL:NAME:UUID`` for EXPRESS
children), its own history (ExecutionStarted with the item as input, the processor's events,
ExecutionSucceeded/Failed/Aborted) and its own status; the parent's history has only the Map
Run's events. The children still run as frames of the parent execution (one engine step, one
transaction, one replay), but their events go to the child's own log instead of the parent's.

Memory stays bounded however many items there are: a child's events are held only while it
runs. A store that wants them (the service's host) sets :attr:`Execution.map_run_changes` to a
:class:`Changes`, which collects what each step changed (children started or ended, Map Runs
whose counts moved) and which the host writes in the step's own transaction; without one
(``asl-runner run``, the Python API) nothing about a child is kept beyond the Map Run's
counts. Nothing is collected while an execution is being replayed: every step replayed was
committed with its children, so a restart writes no child row or event twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import StatesError, StatesRuntime, StatesTimeout
from ..history import Event
from ..names import random_uuid
from . import redrive
from .fanout import FanOut, abort_frame
from .frame import ABORTED, FAILED, RUNNING, SUCCEEDED, Frame, child_of
from .map_redrive import Unfinished
from .outcomes import Outcome

if TYPE_CHECKING:
    from .execution import Execution

#: AWS's quota: a Distributed Map runs at most 10,000 child executions at a time (also what
#: MaxConcurrency 0, "no limit", means for one)
MAX_CONCURRENT_CHILDREN = 10_000

#: an Express execution's maximum duration (engine.execution.MAX_DURATION), a child's too
EXPRESS_SECONDS = 5 * 60
#: AWS's quota on an execution's history, a child's too (engine.execution.MAX_EVENTS)
MAX_EVENTS = 25_000
_ENDS = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted",
                   "ExecutionTimedOut"})
_COUNTED = ("pending", "running", "succeeded", "failed", "timedOut", "aborted")
_STATUS_COUNT = {SUCCEEDED: "succeeded", FAILED: "failed", ABORTED: "aborted",
                 "TIMED_OUT": "timedOut", RUNNING: "running"}


class Changes:
    """What the steps since the last :meth:`clear` changed, for a store to write. This one
    keeps the objects (tests look at them); the service's (``service.map_run_rows``) turns
    an ended child into rows at once, spilling them to disk past a bound."""

    #: whether an ended child keeps its events (this collector's readers look at them)
    keeps_events = True

    def __init__(self) -> None:
        #: child executions started or ended (the latest state of each)
        self.children: dict[str, ChildExecution] = {}
        self.map_runs: dict[str, MapRun] = {}

    def child(self, child: ChildExecution) -> None:
        """A child started or ended."""
        self.children[child.arn] = child

    def map_run(self, run: MapRun) -> None:
        """A Map Run's settings, counts or status changed."""
        self.map_runs[run.arn] = run

    def clear(self) -> None:
        self.children.clear()
        self.map_runs.clear()


class ChildExecution:
    """One child workflow execution of a Map Run: its identity, status and (while it runs,
    or until a store took it) its history."""

    __slots__ = ("run", "index", "arn", "name", "input", "items", "events", "status", "output",
                 "error", "cause", "start", "stop", "timer", "first_id", "redrive_count",
                 "redrive_date", "frame")

    def __init__(self, run: MapRun, index: int, input: Any, items: int, start: float,
                 redriven: dict | None = None):
        """``redriven``: the record (``map_redrive.Unfinished``) of the child a Map Run's
        redrive runs again, under its ARN."""
        ex = run.ex
        self.run = run
        self.index = index
        self.input = input
        self.items = items
        self.events: list[Event] = []
        self.status = RUNNING
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.start = start
        self.stop: float | None = None
        #: an EXPRESS child's 5-minute limit
        self.timer: Any = None
        #: the id of its last event before this run of it (its history goes on from there)
        self.first_id = 0
        self.redrive_count = 0
        self.redrive_date: float | None = None
        #: its top-level frame (where it stopped, for a redrive)
        self.frame: Frame | None = None
        if redriven is not None:
            self.arn, self.name = redriven["arn"], redriven["name"]
            if run.execution_type == "STANDARD":  # RedriveExecution: its history goes on
                self.start, self.first_id = redriven["start"], redriven["events"]
                self.redrive_count = redriven["redrives"] + 1
                self.redrive_date = start
                self.emit(None, "ExecutionRedriven", {"redriveCount": self.redrive_count},
                          previous=self.first_id)
                return
            # an EXPRESS child starts again (StartExecution), under the same ARN (documented)
        elif run.execution_type == "EXPRESS":
            self.name = random_uuid(ex.random)
            self.arn = f"{run.arn_prefix}:express:{run.machine}:{self.name}:{random_uuid(ex.random)}"
        else:
            self.name = random_uuid(ex.random)
            self.arn = f"{run.arn_prefix}:execution:{run.machine}:{self.name}"
        self.emit(None, "ExecutionStarted", {"input": input, "roleArn": ex.role_arn})

    @property
    def cursor(self) -> int:
        """Where its first state's events point: no event for a new child (as an
        execution's), ExecutionRedriven for a redriven one."""
        return self.first_id + 1 if self.first_id else 0

    @property
    def state_machine_arn(self) -> str:
        return self.run.state_machine_arn

    @property
    def context_execution(self) -> dict:
        """``$$.Execution`` inside the child: the child's own."""
        from ..history import iso_timestamp

        ctx = {"Id": self.arn, "Input": self.input, "StartTime": iso_timestamp(self.start),
               "Name": self.name, "RoleArn": self.run.ex.role_arn}
        if self.execution_type == "STANDARD":
            ctx["RedriveCount"] = self.redrive_count
            if self.redrive_date is not None:
                ctx["RedriveTime"] = iso_timestamp(self.redrive_date)
        return ctx

    @property
    def context_state_machine(self) -> dict:
        return {"Id": self.state_machine_arn, "Name": self.run.machine}

    @property
    def map_run_arn(self) -> str:
        return self.run.arn

    @property
    def execution_type(self) -> str:
        return self.run.execution_type

    def emit(self, frame: Frame | None, type_: str, details: dict | None = None,
             advance: bool = True, previous: int | None = None) -> int:
        if self.status != RUNNING:  # it ended (its history filled up): nothing more is written
            return 0
        events = self.events
        event_id = self.first_id + len(events) + 1
        if event_id >= MAX_EVENTS and type_ not in _ENDS:
            # AWS's quota applies to each execution: the child fails, as a parent would
            from .execution import HISTORY_FULL

            self.run.fanout.fail_child(frame, StatesRuntime(cause=HISTORY_FULL))
            return 0
        prev = previous if previous is not None else (frame.cursor if frame is not None else 0)
        timestamp = self.start if event_id == 1 else self.run.ex.clock.now()
        events.append(Event(event_id, prev, type_, timestamp, details))
        if advance and frame is not None:
            frame.cursor = event_id
        return event_id

    def event(self, event_id: int) -> Event | None:
        position = event_id - self.first_id - 1
        return self.events[position] if 0 <= position < len(self.events) else None

    def time_of(self, event_id: int) -> float:
        """When the child's event ``event_id`` happened (0: when the child started)."""
        event = self.event(event_id)
        return event.timestamp if event is not None else self.start

    def end(self, status: str, frame: Frame | None, *, output: Any = None,
            error: StatesError | None = None) -> None:
        if self.status != RUNNING:
            return
        if status == SUCCEEDED:
            self.output = output
            self.emit(frame, "ExecutionSucceeded", {"output": output})
        elif status == FAILED:
            self.error = error.error if error is not None else None
            self.cause = error.cause if error is not None else None
            details = {k: v for k, v in (("error", self.error), ("cause", self.cause))
                       if v is not None}
            self.emit(frame, "ExecutionFailed", details)
        elif status == "TIMED_OUT":  # as an execution's: States.Timeout, pointing at no event
            self.error, self.cause = "States.Timeout", error.cause if error is not None else None
            details = {"error": self.error, **({"cause": self.cause} if self.cause else {})}
            self.emit(None, "ExecutionTimedOut", details, previous=0)
        else:  # aborted with its Map Run; like a stopped execution, it points at no event
            self.emit(None, "ExecutionAborted", previous=0)
        if self.timer is not None:
            self.run.ex.cancel_timer(self.timer)
            self.timer = None
        self.status = status
        self.stop = self.events[-1].timestamp
        self.run.child_ended(self)
        self.frame = None  # the Map Run took what a redrive needs of it
        changes = self.run.ex.map_run_changes
        if changes is None or not changes.keeps_events:
            # what a store needed of its history it took in child_ended: whoever holds the
            # ended child for its result (a page of ResultWriter records) needs no events
            self.events = []

    def describe(self) -> dict[str, Any]:
        """DescribeExecution-shaped (as a store row would give it)."""
        from ..history import iso_timestamp
        from ..jsonvalue import dumps

        out: dict[str, Any] = {"executionArn": self.arn, "stateMachineArn": self.state_machine_arn,
                               "name": self.name, "status": self.status,
                               "startDate": iso_timestamp(self.start), "input": dumps(self.input),
                               "mapRunArn": self.map_run_arn}
        if self.stop is not None:
            out["stopDate"] = iso_timestamp(self.stop)
        if self.status == SUCCEEDED:
            out["output"] = dumps(self.output)
        for key in ("error", "cause"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


class MapRun:
    """One Map Run (one attempt of a Distributed Map): its settings, counts and status."""

    def __init__(self, ex: Execution, frame: Frame, state_name: str, arn: str, label: str,
                 execution_type: str, start: float, processor: Any = None):
        self.ex = ex
        #: the children's definition: the ItemProcessor as given (a dict)
        self.processor = processor
        self.arn = arn
        self.label = label
        self.state_name = state_name
        self.execution_type = execution_type
        parent = child_of(frame)
        #: the execution that started it (a child, for a Map Run nested in a child)
        self.execution_arn = parent.arn if parent is not None else ex.arn
        machine_arn = parent.state_machine_arn if parent is not None else ex.state_machine_arn
        self.parent_state_machine_arn = machine_arn
        self.arn_prefix, _, parent_machine = machine_arn.partition(":stateMachine:")
        #: the children's state machine, in their ARNs: MACHINE/LABEL
        self.machine = f"{parent_machine.split(':')[0]}/{label}"
        self.state_machine_arn = f"{self.arn_prefix}:stateMachine:{self.machine}"
        self.status = RUNNING
        self.start = start
        self.stop: float | None = None
        self.max_concurrency = 0
        self.tolerated_count: int | None = None
        self.tolerated_percentage: float | None = None
        self.redrive_count = 0
        self.redrive_date: float | None = None
        self.fanout: MapRunFanOut | None = None
        self.items_total = 0
        self.children_total = 0
        self.item_counts = dict.fromkeys(_COUNTED, 0)
        self.execution_counts = dict.fromkeys(_COUNTED, 0)
        self.results_written = 0
        #: the unsuccessful children, for a redrive; and (executions, items) waiting for it
        self.unfinished = Unfinished()
        self.pending_redrive = [0, 0]
        #: (executions, items) unsuccessful for good: a redrive does not run them again
        self.not_redrivable = [0, 0]
        ex.map_runs[arn] = self
        self._changed()

    # -- what the engine tells it -------------------------------------------------------

    def configure(self, max_concurrency: int, tolerated_count: int | None,
                  tolerated_percentage: float | None) -> None:
        self.max_concurrency = max_concurrency
        self.tolerated_count = tolerated_count
        self.tolerated_percentage = tolerated_percentage
        self._changed()

    def begin(self, fanout: MapRunFanOut, item_counts: list[int] | None) -> None:
        """More items are known (a page of them): their children are about to start."""
        self.fanout = fanout
        children = len(fanout.inputs)
        items = sum(item_counts) if item_counts is not None else children
        self.children_total += children
        self.items_total += items
        self.item_counts["pending"] += items
        self.execution_counts["pending"] += children
        self._changed()

    def redrive(self, now: float) -> None:
        """The Map Run is redriven (``engine.map_redrive``): its unsuccessful children wait
        to run again (``pendingRedrive``), its items never started are pending."""
        self.redrive_count += 1
        self.redrive_date = now
        self.status = RUNNING
        self.stop = None
        self.results_written = 0
        waiting = self.unfinished
        self.pending_redrive = [waiting.started, waiting.started_items]
        # items a failed run had read but not yet counted (it failed judging them)
        self.children_total += waiting.uncounted
        self.items_total += waiting.uncounted_items
        self.execution_counts["pending"] += waiting.uncounted
        self.item_counts["pending"] += waiting.uncounted_items
        self._changed()

    def child_started(self, child: ChildExecution, was: str | None = None) -> None:
        """``was``: the status a redriven child ended with before."""
        if was is None:
            self._move(child, "pending", "running")
        else:
            self.pending_redrive[0] -= 1
            self.pending_redrive[1] -= child.items
            self._move(child, _STATUS_COUNT[was], "running")
        self._record(child)

    def child_ended(self, child: ChildExecution) -> None:
        self._move(child, "running", _STATUS_COUNT[child.status])
        if child.status == SUCCEEDED:
            pass
        elif (child.execution_type == "STANDARD"
              and child.first_id + len(child.events) >= redrive.MAX_EVENTS_TO_REDRIVE):
            # AWS: a STANDARD child whose history is full cannot be redriven; its failure stays
            self.not_redrivable[0] += 1
            self.not_redrivable[1] += child.items
        else:
            self.unfinished.child(child)
        self._record(child)

    def finish(self, status: str) -> None:
        """The Map Run ended (MapRunSucceeded, MapRunFailed, or its execution ended)."""
        if self.status != RUNNING:
            return
        self.status = status
        self.stop = self.ex.frame_time(None) if status == ABORTED else self._now()
        self.pending_redrive = [0, 0]  # AWS resets it when the Map Run ends
        if status == SUCCEEDED:
            # every child's result went to the state's output or to the ResultWriter
            self.results_written = (self.execution_counts["succeeded"]
                                    + self.execution_counts["failed"]
                                    + self.execution_counts["timedOut"])
        self._changed()

    def abort(self) -> None:
        """Its execution ended while it ran: the running children are aborted."""
        if self.status != RUNNING:
            return
        if self.fanout is not None:
            self.fanout.close()
        self.finish(ABORTED)

    # -- UpdateMapRun --------------------------------------------------------------------

    def update(self, max_concurrency: int | None, tolerated_percentage: float | None,
               tolerated_count: int | None) -> bool:
        """New settings for a running Map Run; they apply from the next child on (a lower
        concurrency lets the running children finish; a threshold is judged at the next
        failure)."""
        if self.status != RUNNING:
            return False
        if max_concurrency is not None:
            self.max_concurrency = max_concurrency
        if tolerated_percentage is not None:
            self.tolerated_percentage = float(tolerated_percentage)
        if tolerated_count is not None:
            self.tolerated_count = tolerated_count
        fanout = self.fanout
        if fanout is not None and not fanout.closed:
            fanout.limit = _limit(self.max_concurrency)
            fanout.tolerated_count = self.tolerated_count
            fanout.tolerated_percentage = self.tolerated_percentage
            fanout.refill()
        self._changed()
        return True

    # -- reading -------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """DescribeMapRun's response (timestamps as epoch seconds, as the API sends them)."""
        out: dict[str, Any] = {
            "mapRunArn": self.arn, "executionArn": self.execution_arn, "status": self.status,
            "startDate": self.start, "maxConcurrency": self.max_concurrency,
            "toleratedFailurePercentage": float(self.tolerated_percentage or 0.0),
            "toleratedFailureCount": self.tolerated_count or 0,
            "itemCounts": self._counts(self.item_counts, self.items_total),
            "executionCounts": self._counts(self.execution_counts, self.children_total),
            "redriveCount": self.redrive_count,
        }
        if self.stop is not None:
            out["stopDate"] = self.stop
        if self.redrive_date is not None:
            out["redriveDate"] = self.redrive_date
        return out

    def _counts(self, counts: dict[str, int], total: int) -> dict[str, int]:
        out = dict(counts)
        out["total"] = total
        out["resultsWritten"] = (self.results_written if counts is self.execution_counts
                                 else self._items_written())
        out["failuresNotRedrivable"] = self.not_redrivable[0 if counts is self.execution_counts
                                                           else 1]
        out["pendingRedrive"] = self.pending_redrive[0 if counts is self.execution_counts else 1]
        return out

    def _items_written(self) -> int:
        if not self.results_written:
            return 0
        c = self.item_counts
        return c["succeeded"] + c["failed"] + c["timedOut"]

    # -- internals -----------------------------------------------------------------------

    def _now(self) -> float:
        return self.ex.clock.now()

    def _move(self, child: ChildExecution, before: str, after: str) -> None:
        self.execution_counts[before] -= 1
        self.execution_counts[after] += 1
        self.item_counts[before] -= child.items
        self.item_counts[after] += child.items
        self._changed()

    def _changed(self) -> None:
        changes = self.ex.map_run_changes
        if changes is not None and not self.ex.replaying:
            changes.map_run(self)

    def _record(self, child: ChildExecution) -> None:
        changes = self.ex.map_run_changes
        if changes is not None and not self.ex.replaying:
            changes.child(child)


class MapRunFanOut(FanOut):
    """The children of a Map Run: a FanOut whose every child is a child execution."""

    def __init__(self, ex: Execution, frame: Frame, state: Any, machines: list, inputs: list,
                 *, map_run: MapRun, item_counts: list[int] | None = None, base: int = 0,
                 redriven: list[dict] | None = None, **options: Any):
        """``base``: the item index of the first input (a page's); ``redriven``: a redrive's
        records (``map_redrive.Unfinished``), one per input, whose children run again."""
        options["max_concurrency"] = _limit(options.get("max_concurrency", 0))
        super().__init__(ex, frame, state, machines, inputs, map_events=False,
                         record_children=False, isolated_scopes=True, **options)
        self.map_run = map_run
        self.item_counts = item_counts
        self.base = base
        self.redriven = redriven
        #: the running children, by index
        self.children: dict[int, ChildExecution] = {}
        if redriven is None:
            map_run.begin(self, item_counts)
        else:  # counted already: these are the run's own children and items
            map_run.fanout = self

    def item_index(self, i: int) -> int:
        """The Map Run's index of this fanout's ``i``-th child (its item's, or batch's)."""
        return self.redriven[i]["i"] if self.redriven is not None else self.base + i

    def _spawn(self, i: int) -> Frame:
        frame = super()._spawn(i)
        run = self.map_run
        items = self.item_counts[i] if self.item_counts is not None else 1
        record = self.redriven[i] if self.redriven is not None else None
        again = record if record is not None and "arn" in record else None
        child = ChildExecution(run, self.item_index(i), self.inputs[i], items,
                               self.ex.clock.now(), again)
        self.children[i] = child
        child.frame = frame
        frame.record = child  # its events go to the child's own history (Execution.emit)
        frame.cursor = child.cursor
        if again is not None and again.get("state") in frame.machine.states:
            # RedriveExecution of the child: it goes on from the state that stopped it, with
            # that state's input and the variables it had
            frame.state = frame.machine.states[again["state"]]
            frame.input = again["stateInput"]
            if again.get("variables"):
                frame.scope.assign(again["variables"])
        if run.execution_type == "EXPRESS":
            child.timer = self.ex.schedule_timer(child.start + EXPRESS_SECONDS, "child-timeout",
                                                 frame, lambda: self._time_out(frame))
        run.child_started(child, again["status"] if again is not None else None)
        return frame

    def _time_out(self, frame: Frame) -> bool:
        """An EXPRESS child reached Express's 5-minute limit: it times out (TIMED_OUT, which
        counts against the thresholds as a failure does)."""
        child = self.children.pop(frame.index, None)
        if child is None or self.closed or frame.status != RUNNING:
            return False
        run = frame.child_run
        if run is not None:
            run.close()
        frame.status = FAILED
        error = StatesTimeout(cause=f"The execution reached the maximum duration of an EXPRESS "
                                    f"execution ({EXPRESS_SECONDS // 60} minutes).")
        child.end("TIMED_OUT", frame, error=error)
        FanOut.child_failed(self, frame, error)
        return False

    def refill(self) -> None:
        """Start children into slots that a higher MaxConcurrency freed (UpdateMapRun)."""
        if not self.closed:
            self._fill()

    def child_succeeded(self, frame: Frame, output: Any) -> None:
        if self.closed:
            return
        child = self.children.pop(frame.index, None)
        if child is not None:
            child.end(SUCCEEDED, frame, output=output)
        super().child_succeeded(frame, output)

    def child_failed(self, frame: Frame, error: StatesError) -> None:
        if self.closed:
            return
        child = self.children.pop(frame.index, None)
        if child is not None:
            child.end(FAILED, frame, error=error)
        super().child_failed(frame, error)

    def _tolerated(self) -> bool:
        """AWS's rule: the Map Run fails when its failures exceed either threshold given (the
        percentage is of items: failed and timed out ones over all); with neither, at the
        first failure."""
        run = self.map_run
        counts = run.item_counts
        failed = counts["failed"] + counts["timedOut"]
        count, percentage = self.tolerated_count, self.tolerated_percentage
        if count is None and percentage is None:
            return failed == 0
        if count is not None and failed > count:
            return False
        if percentage is not None and run.items_total:
            return failed * 100.0 / run.items_total <= percentage
        return True

    def fail_child(self, frame: Frame, error: StatesError) -> None:
        """A terminal error inside a child (States.Runtime, a payload limit): the child
        execution fails, not its parent; the Map Run counts it like any failure."""
        root = frame
        while root.fanout is not self:
            root = root.fanout.frame
        if root.status != RUNNING:
            return
        run = root.child_run
        if run is not None:
            run.close()
        root.resume = None
        root.status = FAILED
        self.child_failed(root, error)

    def close(self) -> None:
        """Stop: every child still running is aborted."""
        if self.closed:
            return
        children, self.children = self.children, {}
        super().close()
        for child in children.values():
            child.end(ABORTED, None)


def _limit(max_concurrency: int) -> int:
    if max_concurrency <= 0:
        return MAX_CONCURRENT_CHILDREN
    return min(max_concurrency, MAX_CONCURRENT_CHILDREN)




class MapRunUpdated(Outcome):
    """UpdateMapRun: new settings for a running Map Run (recorded, so a replay applies them
    where they first applied)."""

    __slots__ = ("map_run_arn", "max_concurrency", "tolerated_percentage", "tolerated_count")
    fields = __slots__
    kind = "map-run-updated"

    def __init__(self, map_run_arn: str, max_concurrency: int | None = None,
                 tolerated_percentage: float | None = None, tolerated_count: int | None = None):
        self.map_run_arn = map_run_arn
        self.max_concurrency = max_concurrency
        self.tolerated_percentage = tolerated_percentage
        self.tolerated_count = tolerated_count

    def apply(self, ex: Execution) -> bool:
        run = ex.map_runs.get(self.map_run_arn)
        if run is None or not run.update(self.max_concurrency, self.tolerated_percentage,
                                         self.tolerated_count):
            return False
        ex.drain()
        return True


__all__ = ["MAX_CONCURRENT_CHILDREN", "Changes", "ChildExecution", "MapRun", "MapRunFanOut",
           "MapRunUpdated", "abort_frame", "child_of"]
