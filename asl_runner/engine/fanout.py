"""The children of one Parallel or Map attempt: spawning them, collecting their outcomes.

Children are frames of the same execution. At most ``max_concurrency`` run at once (0: no
limit); results keep input order whatever order the children finish in. The first failure
beyond the tolerated threshold aborts the others and fails the state.

History, as AWS writes it (previousEventId in brackets):
Map: MapIterationStarted [the event that freed its slot] ... MapIterationSucceeded [the
iteration's last event]; MapStateSucceeded and MapStateExited [the last
MapIterationSucceeded]. Parallel: ParallelStateSucceeded and ParallelStateExited [the last
branch's last event]. A distributed Map's children are separate executions: only
MapRunStarted/MapRunSucceeded appear in the parent's history.

A redriven state resumes the run of its last attempt (``prior``, see ``engine.redrive``): the
children that succeeded keep their outputs and write nothing; the others (failed, aborted,
or never started) run again, each from the state it stopped at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StatesError
from .frame import ABORTED, RUNNING, Frame, Scope
from .redrive import rearm

if TYPE_CHECKING:
    from ..model import State, StateMachine
    from .execution import Execution


class FanOut:
    def __init__(
        self,
        ex: Execution,
        frame: Frame,
        state: State,
        machines: list[StateMachine],
        inputs: list[Any],
        *,
        map_events: bool,
        max_concurrency: int = 0,
        record_children: bool = True,
        isolated_scopes: bool = False,
        tolerated_count: int | None = None,
        tolerated_percentage: float | None = None,
        on_done: Callable[[list], bool],
        on_failed: Callable[[StatesError], bool],
    ):
        self.ex = ex
        self.frame = frame
        self.state = state
        self.machines = machines
        self.inputs = inputs
        self.map_events = map_events and record_children
        self.limit = max_concurrency if max_concurrency > 0 else len(inputs)
        self.record_children = record_children
        self.isolated_scopes = isolated_scopes
        self.tolerated_count = tolerated_count
        self.tolerated_percentage = tolerated_percentage
        self.on_done = on_done
        self.on_failed = on_failed
        self.results: list[Any] = [None] * len(inputs)
        self.active: dict[int, Frame] = {}
        #: children spawned that did not succeed (running, failed or aborted)
        self.unfinished: dict[int, Frame] = {}
        #: 1 for each child that succeeded (here, or in the run this one resumes)
        self.done = bytearray(len(inputs))
        self.next_index = 0
        self.finished = 0
        self.failures = 0
        self.closed = False
        #: previousEventId for the next child's first event
        self.cursor = frame.cursor
        self.last_event = frame.cursor
        frame.child_run = frame.last_run = self
        prior, frame.prior_run = frame.prior_run, None
        #: the last attempt's run, which this one resumes (a redrive)
        self.prior: FanOut | None = (prior if getattr(prior, "record_children", False)
                                     and prior.state is state
                                     and len(prior.inputs) == len(inputs) else None)

    def start(self) -> None:
        prior = self.prior
        if prior is not None:
            for i, done in enumerate(prior.done):
                if done:
                    self.done[i] = 1
                    self.results[i] = prior.results[i]
                    self.finished += 1
        if self.finished == len(self.inputs):
            self._complete()
            return
        self._fill(first=True)

    # -- children ---------------------------------------------------------------------------

    def _fill(self, first: bool = False) -> None:
        """Spawn children into free slots. The first batch runs next (depth-first); a child
        spawned into a freed slot queues behind its already-waiting siblings, so iterations
        start in index order."""
        spawned = []
        n = len(self.inputs)
        while self.next_index < n and len(self.active) < self.limit:
            i = self.next_index
            self.next_index += 1
            if not self.done[i]:
                spawned.append(self._spawn(i))
        if spawned:
            self.ex.make_ready_many(spawned, first=first)

    def _spawn(self, i: int) -> Frame:
        ex = self.ex
        machine = self.machines[i] if len(self.machines) > 1 else self.machines[0]
        stopped = self.prior.unfinished.get(i) if self.prior is not None else None
        if stopped is not None:  # redriven: it goes on from the state it stopped at
            child = stopped
            rearm(child, self.cursor)
            child.fanout = self
        else:
            scope = Scope() if self.isolated_scopes else Scope(self.frame.scope)
            child = Frame(ex, machine, self.inputs[i], scope=scope, cursor=self.cursor,
                          fanout=self, index=i, record=self.record_children)
        self.active[i] = child
        if self.record_children:  # a Map Run's children are never resumed (engine.redrive)
            self.unfinished[i] = child
        if self.map_events:
            def begin() -> bool:
                ex.emit(child, "MapIterationStarted", {"name": self.state.name, "index": i})
                return True

            child.resume = begin
        return child

    def child_succeeded(self, child: Frame, output: Any) -> None:
        if self.closed:
            return
        self.active.pop(child.index, None)
        self.unfinished.pop(child.index, None)
        self.done[child.index] = 1
        self.finished += 1
        self.results[child.index] = output
        self._child_ended(child, "MapIterationSucceeded")
        self._next()

    def child_failed(self, child: Frame, error: StatesError) -> None:
        if self.closed:
            return
        self.active.pop(child.index, None)
        self.finished += 1
        self.failures += 1
        self._child_ended(child, "MapIterationFailed")
        if self._tolerated():
            self.results[child.index] = {"Error": error.error, "Cause": error.cause}
            self._next()
            return
        self.close()
        self.frame.cursor = child.cursor if self.record_children else self.frame.cursor
        self.ex.wake(self.frame, lambda: self.on_failed(error))

    def _child_ended(self, child: Frame, event_type: str) -> None:
        if self.map_events:
            self.last_event = self.ex.emit(child, event_type,
                                           {"name": self.state.name, "index": child.index},
                                           advance=False)
        elif self.record_children:
            self.last_event = child.cursor
        if self.record_children:
            self.cursor = child.cursor

    def _tolerated(self) -> bool:
        return self.tolerates(self.failures)

    def tolerance_set(self) -> bool:
        """Whether the Map tolerates failed iterations at all (ToleratedFailure*)."""
        return self.tolerated_count is not None or self.tolerated_percentage is not None

    def tolerates(self, failures: int) -> bool:
        """Whether ``failures`` failed iterations are within the Map's tolerance."""
        if self.tolerated_count is not None and failures <= self.tolerated_count:
            return True
        if self.tolerated_percentage is not None and self.inputs:
            return failures * 100.0 / len(self.inputs) <= self.tolerated_percentage
        return False

    def _next(self) -> None:
        if self.finished == len(self.inputs):
            self._complete()
        else:
            self._fill()

    def _complete(self) -> None:
        self.closed = True
        self.frame.child_run = None
        if self.record_children:
            self.frame.cursor = self.last_event
        results = self.results
        self.ex.wake(self.frame, lambda: self.on_done(results))

    def close(self) -> None:
        """Stop: abort every child still running (and, through them, their own children)."""
        self.closed = True
        self.frame.child_run = None
        for child in self.active.values():
            abort_frame(child)
        self.active.clear()


def abort_frame(frame: Frame) -> None:
    frame.status = ABORTED
    frame.resume = None
    run = frame.child_run
    if run is not None:
        run.close()


__all__ = ["FanOut", "abort_frame", "RUNNING"]
