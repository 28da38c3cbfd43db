"""The execution host: runs many durable executions on one engine thread.

Every change to an execution happens on the engine thread, one step at a time: a command
(start, a task outcome, a timer, a callback, a stop) is applied to the execution, and the
events it caused are written together with the input that caused them in one transaction,
before any effect of the step (a task invocation) is performed. A waiting execution is only
that: rows in the store and, while the process lives, an object in memory with a timer or a
token; it holds no thread. After a crash, :meth:`recover` rebuilds every RUNNING execution by
replaying its recorded inputs over its definition; what had completed is not done again, what
was in flight is performed again (at least once, as on AWS), and timers that fell due while
the process was down fire at once.
"""

from __future__ import annotations

import heapq
import json
import logging
import queue
import random
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..clock import Clock
from ..engine import Execution
from ..engine.effects import Invocation
from ..engine.workers import WorkerPool
from ..errors import StatesError
from ..history import Event
from ..jsonvalue import dumps
from ..model import StateMachine, parse_definition
from ..store import Store

log = logging.getLogger("asl_runner.host")


class _Live:
    """Bookkeeping of one execution in memory: how much of it is already stored."""

    __slots__ = ("ex", "stored_events", "inputs")

    def __init__(self, ex: Execution, stored_events: int = 0, inputs: int = 0):
        self.ex = ex
        self.stored_events = stored_events
        self.inputs = inputs


def apply_input(ex: Execution, kind: str, p: dict) -> bool:
    """Feed one recorded input to an execution (live, or while replaying)."""
    if kind == "task-succeeded":
        return ex.complete_task(p["token"], p["output"])
    if kind == "task-failed":
        return ex.fail_task(p["token"], p.get("error"), p.get("cause"))
    if kind == "task-submitted":
        return ex.task_submitted(p["token"], p.get("output"))
    if kind == "activity-started":
        return ex.activity_started(p["token"], p.get("worker"))
    if kind == "heartbeat":
        return ex.heartbeat(p["token"], p["at"])
    if kind == "timer":
        return ex.fire_timer(p["seq"])
    if kind == "stop":
        ex.stop(p.get("error"), p.get("cause"))
        return True
    raise ValueError(f"unknown input kind {kind!r}")


class ExecutionHost:
    def __init__(self, store: Store, invoker: Callable[[Invocation], Any], clock: Clock, *,
                 max_workers: int = 32):
        self.store = store
        self.invoker = invoker
        self.clock = clock
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._live: dict[str, _Live] = {}
        self._machines: dict[str, StateMachine] = {}
        self._timers: list[tuple[float, str]] = []  # (due, execution arn), lazily deduplicated
        self._pool = WorkerPool(max_workers, self._perform)
        self._activity_queues: dict[str, deque[Invocation]] = defaultdict(deque)
        self._activity_waiters: dict[str, list[threading.Event]] = defaultdict(list)
        self._finish_waiters: dict[str, list[threading.Event]] = defaultdict(list)
        self._thread = threading.Thread(target=self._loop, name="asl-engine", daemon=True)
        self._stopping = False
        self._in_flight = 0
        self.on_finished: list[Callable[[str], None]] = []

    # ------------------------------------------------------------------ thread plumbing

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release_waiters()
        self._stopping = True
        self._commands.put(None)
        self._thread.join(timeout=5)
        self._pool.close()

    def call(self, fn: Callable[[], Any], timeout: float | None = 60) -> Any:
        """Run ``fn`` on the engine thread and return its result (or raise its exception)."""
        if threading.current_thread() is self._thread:
            return fn()
        future: Future = Future()
        self._commands.put((fn, future))
        return future.result(timeout)

    def _loop(self) -> None:
        commands = self._commands
        while not self._stopping:
            timeout = self._next_timeout()
            try:
                command = commands.get(timeout=timeout)
            except queue.Empty:
                command = None
            if command is not None:
                fn, future = command
                try:
                    result = fn()
                except BaseException as exc:  # the caller gets it; the engine thread goes on
                    if future is not None:
                        future.set_exception(exc)
                    else:  # nobody waits for this one (a task outcome): say it loudly
                        log.exception("asl-runner: a step failed on the engine thread")
                else:
                    if future is not None:
                        future.set_result(result)
            self._fire_due_timers()

    def _next_timeout(self) -> float | None:
        if not self._timers:
            return None
        due = self._timers[0][0]
        if self._in_flight == 0 and self.clock.skip_to(due):
            return 0.0  # the virtual clock jumps when nothing else can happen
        return max(0.0, due - self.clock.now())

    # ------------------------------------------------------------------ machines

    def machine(self, definition: str) -> StateMachine:
        """Definitions are compiled once per text and shared by the executions running them."""
        machine = self._machines.get(definition)
        if machine is None:
            machine = self._machines[definition] = parse_definition(json.loads(definition))
        return machine

    # ------------------------------------------------------------------ starting

    def start_execution(self, row: dict) -> None:
        """Create, persist and start an execution (engine thread)."""
        ex = self._new_execution(row)
        live = _Live(ex)
        self._live[ex.arn] = live
        ex.start()
        with self.store.transaction() as c:
            row["start_date"] = ex.start_time
            self.store.insert_execution(c, row)
            self._write_step(c, live, None, None)
        self._after_step(live)

    def _new_execution(self, row: dict) -> Execution:
        ex = Execution(
            self.machine(row["definition"]), json.loads(row["input"]), clock=self.clock,
            name=row["name"], state_machine_name=row["machine_name"],
            state_machine_arn=row["machine_arn"], role_arn=row["role_arn"], seed=row["seed"],
            region=row["machine_arn"].split(":")[3], account=row["machine_arn"].split(":")[4],
            machine_type=row["type"],
        )
        ex.arn = row["arn"]
        return ex

    # ------------------------------------------------------------------ stepping

    def deliver(self, arn: str, kind: str, payload: dict) -> bool:
        """Apply an input to a live execution and persist the step (engine thread)."""
        live = self._live.get(arn)
        if live is None or not live.ex.running:
            return False
        if not apply_input(live.ex, kind, payload):
            return False  # nothing changed (a late outcome, a stale timer): nothing to record
        with self.store.transaction() as c:
            self._write_step(c, live, kind, payload)
        self._after_step(live)
        return True

    def _write_step(self, c: Any, live: _Live, kind: str | None, payload: dict | None) -> None:
        ex = live.ex
        if kind is not None:
            self.store.append_input(c, ex.arn, live.inputs, kind, payload)
            live.inputs += 1
        new = ex.history[live.stored_events:]
        if new:
            self.store.append_events(c, ex.arn, new)
            live.stored_events = len(ex.history)
        if not ex.running:
            self.store.finish_execution(
                c, ex.arn, ex.status, dumps(ex.output) if ex.status == "SUCCEEDED" else None,
                ex.error, ex.cause, ex.stop_time)

    def _after_step(self, live: _Live) -> None:
        """Perform the step's effects: invocations, activity tasks, timers; or clean up."""
        ex = live.ex
        if not ex.running:
            self._live.pop(ex.arn, None)
            for waiter in self._finish_waiters.pop(ex.arn, ()):
                waiter.set()
            for callback in self.on_finished:
                callback(ex.arn)
            return
        for invocation in ex.take_invocations():
            self._in_flight += 1
            self._pool.submit(invocation)
        for invocation in ex.take_activity_tasks():
            arn = invocation.resource.arn
            self._activity_queues[arn].append(invocation)
            for waiter in self._activity_waiters.pop(arn, ()):
                waiter.set()
        due = ex.next_timer_due()
        if due is not None:
            heapq.heappush(self._timers, (due, ex.arn))

    def _fire_due_timers(self) -> None:
        now = self.clock.now()
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, arn = heapq.heappop(timers)
            live = self._live.get(arn)
            if live is None:
                continue
            for timer in live.ex.due_timers(now):
                self.deliver(arn, "timer", {"seq": timer.seq})
            if arn in self._live:
                due = live.ex.next_timer_due()
                if due is not None and due > now:
                    heapq.heappush(timers, (due, arn))

    # ------------------------------------------------------------------ task outcomes

    def _perform(self, invocation: Invocation) -> None:
        """On a worker thread: run the task, then hand the outcome to the engine thread."""
        arn = invocation.frame.execution.arn
        try:
            result = self.invoker(invocation)
            if invocation.kind == "callback":
                kind, payload = "task-submitted", {"token": invocation.token, "output": result}
            else:
                kind, payload = "task-succeeded", {"token": invocation.token, "output": result}
        except StatesError as exc:
            kind, payload = "task-failed", {"token": invocation.token, "error": exc.error,
                                            "cause": exc.cause}
        except BaseException as exc:  # a handler's crash must not take the host down
            kind, payload = "task-failed", {"token": invocation.token,
                                            "error": type(exc).__name__, "cause": str(exc)}
        self._commands.put((lambda: self._outcome(arn, kind, payload), None))

    def _outcome(self, arn: str, kind: str, payload: dict) -> None:
        self._in_flight -= 1
        self.deliver(arn, kind, payload)

    # ------------------------------------------------------------------ lookups for the API

    def live(self, arn: str) -> Execution | None:
        live = self._live.get(arn)
        return live.ex if live else None

    def wait_finished(self, arn: str, timeout: float | None) -> bool:
        """Block (not on the engine thread) until the execution ends."""
        event = threading.Event()

        def register() -> bool:
            if arn not in self._live:
                return True
            self._finish_waiters[arn].append(event)
            return False

        if self.call(register):
            return True
        return event.wait(timeout)

    def take_activity_task(self, activity_arn: str, worker: str | None) -> Invocation | None:
        """The oldest waiting task of an activity, marked as started (engine thread)."""
        tasks = self._activity_queues.get(activity_arn)
        while tasks:
            invocation = tasks.popleft()
            arn = invocation.frame.execution.arn
            if self.deliver(arn, "activity-started", {"token": invocation.token, "worker": worker}):
                return invocation
        return None

    def activity_waiter(self, activity_arn: str, event: threading.Event | None = None) -> threading.Event:
        """An event set when a task of the activity arrives (engine thread). A caller may pass its
        own (the ASGI app's also wakes its event loop, so a waiting poll holds no thread)."""
        event = event if event is not None else threading.Event()
        self._activity_waiters[activity_arn].append(event)
        return event

    def forget_activity_waiter(self, activity_arn: str, event: threading.Event) -> None:
        """A poll that ended without a task stops waiting (engine thread)."""
        waiters = self._activity_waiters.get(activity_arn)
        if waiters and event in waiters:
            waiters.remove(event)
            if not waiters:
                del self._activity_waiters[activity_arn]

    def release_waiters(self) -> None:
        """Wake every blocked poll and sync start (on shutdown): they answer at once."""
        for waiters in list(self._activity_waiters.values()) + list(self._finish_waiters.values()):
            for event in waiters:
                event.set()

    # ------------------------------------------------------------------ recovery

    def recover(self) -> int:
        """Rebuild every RUNNING execution of the store (engine thread); returns how many."""
        count = 0
        for row in self.store.running_executions():
            try:
                self._recover_one(row)
            except Exception as exc:  # one unrecoverable execution must not stop the others
                self._live.pop(row["arn"], None)
                self._abandon(row, exc)
            count += 1
        return count

    def _abandon(self, row: dict, exc: Exception) -> None:
        """Fail an execution that cannot be rebuilt (its definition no longer loads, or its
        replay diverged), with an ExecutionFailed event that says why."""
        stored = self.store.events(row["arn"])
        last = stored[-1] if stored else None
        cause = f"asl-runner could not resume this execution after a restart: {exc}"
        event = Event(len(stored) + 1, last.id if last else 0, "ExecutionFailed", self.clock.now(),
                      {"error": "States.Runtime", "cause": cause})
        with self.store.transaction() as c:
            self.store.append_events(c, row["arn"], [event])
            self.store.finish_execution(c, row["arn"], "FAILED", None, "States.Runtime", cause,
                                        event.timestamp)

    def _recover_one(self, row: dict) -> None:
        ex = self._new_execution(row)
        recorded: list[Event] = self.store.events(row["arn"])
        inputs = self.store.inputs(row["arn"])
        live = _Live(ex, stored_events=len(recorded), inputs=len(inputs))
        ex.begin_replay(recorded)
        ex.start()
        for kind, payload in inputs:
            apply_input(ex, kind, payload)
        ex.end_replay()
        self._live[ex.arn] = live
        if not ex.running:  # ended in its last recorded step, the row just didn't say so yet
            with self.store.transaction() as c:
                self._write_step(c, live, None, None)
        self._after_step(live)


def new_seed() -> int:
    return random.getrandbits(63)
