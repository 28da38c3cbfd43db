"""An execution: the interpreter that advances frames from event to event.

Nothing in here blocks or performs I/O. An execution advances until every frame waits for
something outside it (a task outcome, a timer), and leaves what it needs from the outside in
:attr:`Execution.tasks` (the Task lifecycle, ``engine.tasks``) and its timer queue. A runner
performs those effects and feeds what came of them back as typed outcomes
(``engine.outcomes``) through :meth:`Execution.apply`; the same engine thus serves
``asl-runner run``, tests, the HTTP endpoint and recovery.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import (
    AslRunnerError,
    DataFlowError,
    QueryEvaluationFailure,
    StatesDataLimitExceeded,
    StatesError,
    StatesRuntime,
    StatesTimeout,
    runtime_error,
)
from ..history import Event, iso_timestamp
from ..jsonvalue import dumps, exceeds_limit
from ..model import State, StateMachine
from ..model.retry import find_catcher, find_retrier
from ..names import random_uuid
from .effects import Invocation, Timer
from .frame import ABORTED, FAILED, RUNNING, SUCCEEDED, Frame, Scope
from .map_run import child_of
from .outcomes import Outcome, TimerFired
from .tasks import TaskBook
from .variable_limits import check_assignment

if TYPE_CHECKING:
    import random

# what a state handler returns
CONTINUE = True  # the frame moved to its next state: keep running it
SUSPEND = False  # the frame waits, or ended: run something else

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
#: AWS's quota on an execution's history: event 25,000 is the execution's ExecutionFailed
MAX_EVENTS = 25_000
HISTORY_FULL = f"The execution reached the maximum number of history events ({MAX_EVENTS})."
#: how long an execution may run at most, whatever its TimeoutSeconds (AWS's quotas)
MAX_DURATION = {"STANDARD": 365 * 24 * 3600, "EXPRESS": 5 * 60}
MAX_CAUSE = 32_768  # AWS's limit on a cause, in characters


def _log() -> Any:
    # logging costs ~10 ms of a cold start; only failures need it
    import logging

    return logging.getLogger("asl_runner.engine")


class ReplayDiverged(AslRunnerError):
    """Rebuilding an execution from its history produced a different history (a definition
    changed under it, or the engine is not deterministic: a bug)."""


def _crash_only(step: Callable) -> Callable:
    """An engine step that raises unexpectedly fails its own execution with States.Runtime
    instead of raising into its caller: one bad execution (a bug, a value the engine cannot
    handle) never takes a runner or the server's engine thread down. A replay re-raises, so
    the host can tell that the recorded history cannot be rebuilt."""

    @functools.wraps(step)
    def run_step(self: Execution, *args: Any) -> Any:
        try:
            return step(self, *args)
        except Exception as exc:
            if self._replay is not None:
                raise
            self.crash(exc)
            return True

    return run_step


class Execution:
    """One run of a state machine."""

    def __init__(
        self,
        machine: StateMachine,
        input: Any,
        *,
        clock: Any,
        name: str | None = None,
        state_machine_name: str = "StateMachine",
        state_machine_arn: str | None = None,
        role_arn: str | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        seed: int | None = None,
        machine_type: str = "STANDARD",
    ):
        self.machine = machine
        self.input = input
        self.clock = clock
        self.name = name or random_uuid()
        self.region = region
        self.account = account
        self.state_machine_name = state_machine_name
        self.state_machine_arn = state_machine_arn or (
            f"arn:aws:states:{region}:{account}:stateMachine:{state_machine_name}")
        if machine_type == "EXPRESS":  # AWS gives every Express execution a unique ARN
            self.arn = (f"arn:aws:states:{region}:{account}:express:{state_machine_name}:"
                        f"{self.name}:{random_uuid()}")
        else:
            self.arn = f"arn:aws:states:{region}:{account}:execution:{state_machine_name}:{self.name}"
        self.role_arn = role_arn or f"arn:aws:iam::{account}:role/asl-runner"
        self._seed = seed
        self.machine_type = machine_type

        self.status = RUNNING
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.start_time = 0.0
        self.stop_time: float | None = None
        #: how many times it was redriven, and when last (``engine.redrive``)
        self.redrive_count = 0
        self.redrive_time: float | None = None
        self.history: list[Event] = []
        #: advice for the user gathered while running (e.g. where a handler was looked for)
        self.hints: list[str] = []
        #: listeners called with each new event and the nesting depth of its frame
        self.listeners: list[Callable[[Event, int], None]] = []
        #: told of each state entered and each Choice rule, retrier and catcher that applied
        #: (the pytest plugin's coverage; see asl_runner.pytest_plugin.coverage). The history
        #: cannot say which of several rules with the same Next matched, and a distributed
        #: Map's iterations write none
        self.observer: Any = None

        self._ready: deque[Frame] = deque()
        self._timers: list[Timer] = []
        self._timer_seq = itertools.count()
        self._timers_by_seq: dict[int, Timer] = {}
        self._cancelled = 0  # timers cancel_timer cancelled that may still be in the heap
        #: the tasks in flight, and what becomes of their outcomes
        self.tasks = TaskBook(self)
        self._replay: list[Event] | None = None
        #: sizes of large JSON containers, for the payload quota checks (see jsonvalue)
        self.size_cache: dict = {}
        #: set when a host replaces this object by one rebuilt from the store
        self.discarded = False
        #: executions that states:startExecution tasks started in-process (``run``)
        self.children: list[Execution] = []
        self.root: Frame | None = None
        #: the Map Runs of its distributed Maps, by ARN (engine.map_run)
        self.map_runs: dict[str, Any] = {}
        #: set by a store that records child executions and Map Runs (engine.map_run.Changes)
        self.map_run_changes: Any = None
        self.context_execution: dict = {}
        self.context_state_machine = {"Id": self.state_machine_arn, "Name": state_machine_name}

    # ------------------------------------------------------------------ identity and events


    @functools.cached_property
    def random(self) -> random.Random:
        """The execution's random source (retry jitter, task tokens, Map Run ids), seeded with
        ``seed`` so that a replay draws the same. Made, and random imported, on first use:
        about 4 million instructions that a run without them does not spend."""
        import random

        return random.Random(self._seed)

    def emit(self, frame: Frame | None, type_: str, details: dict | None = None,
             advance: bool = True, previous: int | None = None, final: bool = False) -> int:
        """Append an event; it points at ``previous`` or the frame's cursor.

        ``final`` marks the execution's own last event; any other event that would be the
        history's MAX_EVENTS-th ends the execution instead, as on AWS (and returns 0).
        """
        if frame is not None:
            record = frame.record
            if record is not True:
                # a distributed Map's child writes its own history (engine.map_run)
                return record.emit(frame, type_, details, advance, previous) if record else 0
            if frame.fanout is not None:
                child = child_of(frame)
                if child is not None:
                    return child.emit(frame, type_, details, advance, previous)
        history = self.history
        event_id = len(history) + 1
        if event_id >= MAX_EVENTS and not final:
            self._end("FAILED", None, error=StatesRuntime(cause=HISTORY_FULL), previous=event_id - 1)
            return 0
        prev = previous if previous is not None else (frame.cursor if frame is not None else 0)
        replay = self._replay
        if replay is not None and event_id <= len(replay):
            recorded = replay[event_id - 1]
            if recorded.type != type_:
                raise ReplayDiverged(f"event {event_id}: recorded {recorded.type}, replay "
                                     f"produced {type_}")
            timestamp = recorded.timestamp
        else:
            timestamp = self.clock.now()
        event = Event(event_id, prev, type_, timestamp, details)
        history.append(event)
        if advance and frame is not None:
            frame.cursor = event_id
        if self.listeners and replay is None:
            depth = frame.depth if frame is not None else 0
            for listener in list(self.listeners):
                try:
                    listener(event, depth)
                except Exception:  # a broken observer (a closed pipe) must not fail the run
                    _log().exception("a history listener failed; it is removed")
                    self.listeners.remove(listener)
        return event_id

    # ------------------------------------------------------------------ driving

    @_crash_only
    def start(self) -> None:
        """Write ExecutionStarted and run until every frame waits."""
        self.emit(None, "ExecutionStarted", {"input": self.input, "roleArn": self.role_arn})
        now = self.start_time = self.history[-1].timestamp
        self.context_execution = {
            "Id": self.arn,
            "Input": self.input,
            "StartTime": iso_timestamp(now),
            "Name": self.name,
            "RoleArn": self.role_arn,
        }
        if self.machine_type == "STANDARD":  # EXPRESS executions cannot be redriven
            self.context_execution["RedriveCount"] = 0
        limit = MAX_DURATION.get(self.machine_type, MAX_DURATION["STANDARD"])
        timeout = self.machine.timeout_seconds
        if timeout:
            self.schedule_timer(now + min(timeout, limit), "execution-timeout", None, timeout > limit)
        else:
            # The execution's own limit: a timer like any other, so that even a task nothing
            # can answer ends on the virtual clock. Its own sequence number (-1) leaves the
            # numbering of every other timer, which recorded inputs refer to, unchanged.
            timer = Timer(now + limit, -1, "execution-timeout", None, True)
            heapq.heappush(self._timers, timer)
            self._timers_by_seq[timer.seq] = timer
        self.root = Frame(self, self.machine, self.input, scope=Scope(), cursor=0)
        self._ready.append(self.root)
        self.drain()

    @_crash_only
    def apply(self, outcome: Outcome) -> bool:
        """Feed an outcome from outside (a task's result, a timer, a callback, a stop) and
        run until every frame waits again; False if it changed nothing (a late outcome)."""
        return outcome.apply(self)

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    def make_ready(self, frame: Frame) -> None:
        """Queue a frame to run next: depth-first keeps a sequential-looking history."""
        self._ready.appendleft(frame)

    def make_ready_many(self, frames: list[Frame], first: bool = True) -> None:
        """Queue frames in order: to run next (``first``) or after everything queued."""
        if first:
            self._ready.extendleft(reversed(frames))
        else:
            self._ready.extend(frames)

    def drain(self) -> None:
        """Run the frames that are ready until each waits or ends."""
        ready = self._ready
        while ready and self.status == RUNNING:
            frame = ready.popleft()
            if frame.status == RUNNING:
                self.run_frame(frame)

    def run_frame(self, frame: Frame) -> None:
        """Run ``frame`` until it waits or ends.

        A frame woken by a timer, a task outcome or its children carries the continuation in
        ``frame.resume``; it runs here, inside the same error handling as a state's start.
        """
        handlers = _handlers()
        while True:
            state = frame.state
            try:
                resume = frame.resume
                if resume is not None:
                    frame.resume = None
                    step = resume()
                else:
                    step = handlers[state.type](self, frame, state)
                if step is not CONTINUE:
                    return
            except QueryEvaluationFailure as exc:
                if self.fail_state(frame, state, self.evaluation_failed(frame, state, exc)) \
                        is not CONTINUE:
                    return
            except DataFlowError as exc:
                self.fail_execution(frame, runtime_error(state.name, frame.entered_id, exc.detail)
                                    if exc.error == "States.Runtime"
                                    else StatesError(exc.error, exc.detail))
                return
            except StatesError as exc:
                if self.fail_state(frame, state, exc) is not CONTINUE:
                    return
            if self.status != RUNNING or frame.status != RUNNING:  # or its child execution ended
                return

    def start_fanout(self, fanout: Any) -> None:
        """Start a Parallel's branches or a Map's iterations (TestState answers for them)."""
        fanout.start()

    def evaluation_failed(self, frame: Frame, state: State,
                          failure: QueryEvaluationFailure) -> StatesError:
        """A JSONata expression of the state failed: AWS's EvaluationFailed event (which
        points where the state's Entered event points), and the error to fail the state with."""
        error = StatesError("States.QueryEvaluationError",
                            f"An error occurred while executing the state '{state.name}' "
                            f"(entered at the event id #{frame.entered_id}). {failure.detail}")
        entered = self.event_at(frame, frame.entered_id)
        details = {"error": error.error, "cause": error.cause, "state": state.name}
        if failure.location is not None:
            details["location"] = failure.location
        self.emit(frame, "EvaluationFailed", details,
                  previous=entered.previous_id if entered is not None else None)
        return error

    def wake(self, frame: Frame, resume: Callable[[], bool]) -> None:
        """Continue a waiting frame with ``resume`` (returns CONTINUE or SUSPEND)."""
        frame.resume = resume
        self.make_ready(frame)

    # ------------------------------------------------------------------ states

    def frame_time(self, frame: Frame | None) -> float:
        """When the frame's last event happened.

        Every decision that depends on time (a Wait's due time, a retry's back-off, a task's
        deadline) starts from an event's timestamp, never from a fresh reading of the clock:
        replaying a history then reproduces the same decisions.
        """
        if frame is not None:
            child = child_of(frame)
            if child is not None:
                return child.time_of(frame.cursor)
            if frame.cursor:
                return self.history[frame.cursor - 1].timestamp
        return self.history[-1].timestamp if self.history else self.clock.now()

    def event_at(self, frame: Frame, event_id: int) -> Event | None:
        """The event ``event_id`` of the history the frame writes (a distributed Map's
        child writes its own); None for 0."""
        child = child_of(frame)
        if child is not None:
            return child.event(event_id)
        return self.history[event_id - 1] if 0 < event_id <= len(self.history) else None

    def enter(self, frame: Frame, state: State) -> None:
        frame.last_run = None  # a Parallel's or Map's run belongs to the entry that made it
        frame.entered_id = self.emit(frame, state.type + "StateEntered",
                                     {"name": state.name, "input": frame.input})
        frame.entered_time = self.frame_time(frame)
        frame.retry_counts = None
        frame.retry_total = 0
        if self.observer is not None:
            self.observer.entered(state)

    def finish(self, frame: Frame, state: State, result: Any) -> bool:
        """After the state's work: its assignments and output (the state's data flow), then
        exit. ``result`` is what the flow kept of the work's result (ResultSelector's)."""
        flow = state.flow
        assigned = flow.assignments(result, frame)
        return self.exit(frame, state, flow.output(frame.input, result, frame), assigned)

    def check_size(self, state: State, value: Any, what: str = "returned a result") -> None:
        """The payload quota on a state's output, or its input after Parameters (terminal);
        ``what`` words the cause (a Task's call: "provided parameters", as AWS says)."""
        if exceeds_limit(value, cache=self.size_cache):
            raise StatesDataLimitExceeded(
                cause=f"The state/task '{state.name}' {what} with a size exceeding "
                "the maximum number of bytes service limit.")

    def exit(self, frame: Frame, state: State, output: Any, assigned: dict | None,
             next_name: str | None = None) -> bool:
        """Write the Exited event and move to the next state (or end the frame)."""
        self.check_size(state, output)
        details: dict[str, Any] = {"name": state.name, "output": output}
        if assigned:
            sizes = check_assignment(state.name, assigned, frame.scope, self.size_cache)
            frame.scope.assign(assigned, sizes)
            details["assignedVariables"] = assigned
        self.emit(frame, state.type + "StateExited", details)
        return self.transition(frame, next_name or state.next, output, end=state.end)

    def transition(self, frame: Frame, next_name: str | None, output: Any, end: bool = False) -> bool:
        if end or next_name is None:
            self.frame_succeeded(frame, output)
            return SUSPEND
        frame.state = frame.machine.states[next_name]
        frame.input = output
        return CONTINUE

    # ------------------------------------------------------------------ errors

    def fail_state(self, frame: Frame, state: State, error: StatesError,
                   before_catch: Callable[[], None] | None = None,
                   retry: Callable[[], None] | None = None) -> bool:
        """A state failed: retry it, catch the error, or fail the frame.

        ``before_catch`` writes the state's own failure event (MapStateFailed, ...) once no
        retry applies; ``retry`` is how to run the state again (None: not retryable).
        """
        if error.terminal:
            self.fail_execution(frame, error)
            return SUSPEND
        retriers = getattr(state, "retry", ())
        if retriers and retry is not None:
            i = find_retrier(retriers, error.error)
            if i >= 0:
                if frame.retry_counts is None:
                    frame.retry_counts = [0] * len(retriers)
                attempts = frame.retry_counts[i]
                retrier = retriers[i]
                if attempts < retrier.max_attempts:
                    frame.retry_counts[i] = attempts + 1
                    frame.retry_total += 1
                    if self.observer is not None:
                        self.observer.retried(state, i)
                    delay = retrier.delay(attempts + 1, self.random)
                    self.schedule_timer(self.frame_time(frame) + delay, "retry", frame, retry)
                    return SUSPEND
        if before_catch is not None:
            before_catch()
        catcher = find_catcher(getattr(state, "catch", ()), error.error)
        if catcher is None:
            self.frame_failed(frame, error)
            return SUSPEND
        if self.observer is not None:
            self.observer.caught(state, next(i for i, c in enumerate(state.catch) if c is catcher))
        error_output = {"Error": error.error, "Cause": error.cause if error.cause is not None else ""}
        try:
            output, assigned = state.flow.caught(catcher, frame.input, error_output, frame)
            self.check_size(state, output)
            sizes = check_assignment(state.name, assigned, frame.scope, self.size_cache) \
                if assigned else None
        except QueryEvaluationFailure as exc:  # in the Catch's own Output or Assign
            self.fail_execution(frame, self.evaluation_failed(frame, state, exc))
            return SUSPEND
        except DataFlowError as exc:
            self.fail_execution(frame, runtime_error(state.name, frame.entered_id, exc.detail))
            return SUSPEND
        except StatesError as exc:
            self.fail_execution(frame, exc)
            return SUSPEND
        details: dict[str, Any] = {"name": state.name, "output": output}
        if assigned:
            frame.scope.assign(assigned, sizes)
            details["assignedVariables"] = assigned
        self.emit(frame, state.type + "StateExited", details)
        return self.transition(frame, catcher.next, output)

    # ------------------------------------------------------------------ frames ending

    def frame_succeeded(self, frame: Frame, output: Any) -> None:
        frame.status = SUCCEEDED
        if frame.fanout is not None:
            frame.fanout.child_succeeded(frame, output)
        elif frame is self.root:
            self._end("SUCCEEDED", frame, output=output)

    def frame_failed(self, frame: Frame, error: StatesError) -> None:
        frame.status = FAILED
        if frame.fanout is not None:
            frame.fanout.child_failed(frame, error)
        elif frame is self.root:
            self._end("FAILED", frame, error=error)

    def fail_execution(self, frame: Frame | None, error: StatesError) -> None:
        """Fail the whole execution at once (a terminal error anywhere; inside a
        distributed Map's child, that child execution)."""
        child = child_of(frame)
        if child is not None:
            child.run.fanout.fail_child(frame, error)
            return
        while frame is not None and not frame.record and frame.fanout is not None:
            frame = frame.fanout.frame
        self._end("FAILED", frame, error=error)

    def _end(self, status: str, frame: Frame | None, output: Any = None,
             error: StatesError | None = None, previous: int | None = None) -> None:
        if self.status != RUNNING:
            return
        self.status = status
        if status == "SUCCEEDED":
            self.output = output
            self.emit(frame, "ExecutionSucceeded", {"output": output}, previous=previous, final=True)
        else:
            error_name = error.error if error else None
            cause = error.cause if error else None
            details = {k: v for k, v in (("error", error_name), ("cause", cause)) if v is not None}
            if status == "TIMED_OUT":
                # AWS names the error in the event only: DescribeExecution of a TIMED_OUT
                # execution has no error or cause
                error_name = cause = None
            self.error, self.cause = error_name, cause
            kind = {"FAILED": "ExecutionFailed", "TIMED_OUT": "ExecutionTimedOut",
                    "ABORTED": "ExecutionAborted"}[status]
            self.emit(frame, kind, details, previous=previous, final=True)
        self.stop_time = self.history[-1].timestamp
        for map_run in self.map_runs.values():
            map_run.abort()
        self._ready.clear()
        self._timers.clear()
        self._timers_by_seq.clear()
        self.tasks.clear()

    @_crash_only
    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: end as ABORTED, with the error and cause the caller gave."""
        if self.status != RUNNING:
            return
        # AWS's ExecutionAborted points at no event (previousEventId 0)
        self._end("ABORTED", None, error=StatesError(error, cause) if error or cause else None,
                  previous=0)

    def redrive(self) -> bool:
        """RedriveExecution, as the engine takes it (``engine.redrive``): False if the
        execution has not ended, or succeeded. Whether AWS would allow it is the caller's
        to judge (``engine.redrive.refusal``)."""
        from .outcomes import Redriven

        return self.apply(Redriven())

    def crash(self, exc: BaseException) -> None:
        """Fail the execution because asl-runner itself failed while running it."""
        cause = f"asl-runner failed while running this execution: {type(exc).__name__}: {exc}"
        _log().error("execution %s failed inside the engine", self.arn, exc_info=exc)
        self._ready.clear()
        try:
            self._end("FAILED", None, error=StatesRuntime(cause=cause[:MAX_CAUSE]),
                      previous=len(self.history))
        except Exception:  # not even the failure event could be written: end it regardless
            self.status, self.error, self.cause = "FAILED", "States.Runtime", cause[:MAX_CAUSE]
            self.stop_time = self.clock.now()

    # ------------------------------------------------------------------ timers

    def schedule_timer(self, due: float, kind: str, frame: Frame | None, data: Any = None) -> Timer:
        timer = Timer(due, next(self._timer_seq), kind, frame, data)
        heapq.heappush(self._timers, timer)
        self._timers_by_seq[timer.seq] = timer
        return timer

    def cancel_timer(self, timer: Timer) -> None:
        """Cancel a timer: it leaves the heap lazily, holding nothing meanwhile."""
        timer.cancelled = True
        timer.frame = timer.data = None
        self._timers_by_seq.pop(timer.seq, None)
        self._cancelled += 1
        timers = self._timers
        if self._cancelled > 1024 and 2 * self._cancelled > len(timers):
            # thousands of EXPRESS children's limits, cancelled as they end: drop them now
            timers[:] = [t for t in timers if not t.cancelled]
            heapq.heapify(timers)
            self._cancelled = 0

    def next_timer(self) -> Timer | None:
        timers = self._timers
        while timers and timers[0].cancelled:
            self._timers_by_seq.pop(heapq.heappop(timers).seq, None)
        return timers[0] if timers else None

    def next_timer_due(self) -> float | None:
        timer = self.next_timer()
        return timer.due if timer is not None else None

    @property
    def only_the_limit_is_due(self) -> bool:
        """Whether the next timer is the execution's own maximum duration (or an EXPRESS
        child's, engine.map_run): nothing in the definition will happen before it on its own."""
        timer = self.next_timer()
        return timer is not None and (timer.kind == "execution-timeout" and bool(timer.data)
                                      or timer.kind == "child-timeout")


    def due_timers(self, now: float) -> list[Timer]:
        """The live timers due by ``now``, in firing order (not fired yet)."""
        timers = self._timers
        out = []
        while timers and timers[0].due <= now:
            timer = heapq.heappop(timers)
            if not timer.cancelled:
                out.append(timer)
        for timer in reversed(out):
            heapq.heappush(timers, timer)
        return out

    def fire_timer(self, seq: int) -> bool:
        """Fire one timer (a runner decided it is due; replay names it by ``seq``); runners
        do so through :meth:`apply` (TimerFired)."""
        timer = self._timers_by_seq.pop(seq, None)
        if timer is None or timer.cancelled or self.status != RUNNING:
            return False
        timer.cancelled = True  # leaves the heap lazily
        self._on_timer(timer)
        self.drain()
        return True

    def fire_timers(self, now: float | None = None) -> int:
        """Fire every timer due by ``now``, in order; returns how many fired."""
        if now is None:
            now = self.clock.now()
        fired = 0
        for timer in self.due_timers(now):
            if self.status == RUNNING and self.apply(TimerFired(timer.seq)):
                fired += 1
        return fired

    def _on_timer(self, timer: Timer) -> None:
        frame = timer.frame
        kind = timer.kind
        if kind == "execution-timeout":
            # AWS's ExecutionTimedOut names States.Timeout, has no cause and points at no
            # event; reaching the execution's maximum duration says which limit it was
            cause = None
            if timer.data:
                limit = MAX_DURATION.get(self.machine_type, MAX_DURATION["STANDARD"])
                cause = (f"The execution reached the maximum duration of a {self.machine_type} "
                         f"execution ({_duration(limit)}).")
            self._end("TIMED_OUT", None, error=StatesTimeout(cause=cause), previous=0)
            return
        if frame is None or frame.status != RUNNING:
            return
        if kind in ("task-timeout", "heartbeat"):
            self.tasks.timed_out(timer.data, heartbeat=kind == "heartbeat")
            return
        self.wake(frame, timer.data)  # wait: finish the Wait state; retry: run the work again

    # ------------------------------------------------------------------ replay

    def begin_replay(self, recorded: list[Event]) -> None:
        """Rebuild this execution from its recorded history: until :meth:`end_replay`, events
        take the recorded timestamps (and must have the recorded types)."""
        self._replay = recorded

    def end_replay(self) -> None:
        recorded, self._replay = self._replay, None
        if recorded is not None and len(self.history) != len(recorded):
            raise ReplayDiverged(f"replay produced {len(self.history)} events, "
                                 f"{len(recorded)} were recorded")
        self.tasks.after_replay()

    @property
    def replaying(self) -> bool:
        return self._replay is not None

    # ------------------------------------------------------------------ results

    def describe(self) -> dict[str, Any]:
        """DescribeExecution-shaped status (output as JSON text, as AWS returns it)."""
        out: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": iso_timestamp(self.start_time),
            "input": dumps(self.input),
        }
        if self.stop_time is not None:
            out["stopDate"] = iso_timestamp(self.stop_time)
        if self.status == "SUCCEEDED":
            out["output"] = dumps(self.output)
        if self.error is not None:
            out["error"] = self.error
        if self.cause is not None:
            out["cause"] = self.cause
        if self.redrive_time is not None:
            out["redriveCount"] = self.redrive_count
            out["redriveDate"] = iso_timestamp(self.redrive_time)
        return out


def _duration(seconds: int) -> str:
    return f"{seconds // 86400} days" if seconds >= 86400 else f"{seconds // 60} minutes"


__all__ = ["Execution", "Invocation", "Timer", "CONTINUE", "SUSPEND", "StatesRuntime", "ABORTED"]


# The state handlers import this module; resolving them once, on first use, breaks the
# import cycle without paying an import statement per state.
_HANDLERS: dict | None = None


def _handlers() -> dict:
    global _HANDLERS
    if _HANDLERS is None:
        from .handlers import HANDLERS

        _HANDLERS = HANDLERS
    return _HANDLERS
