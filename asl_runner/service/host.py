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

Memory never runs ahead of the store. The bookkeeping of what is stored advances only after
a commit; when a commit fails, the execution is rebuilt from the store, as after a crash, so
what is in memory is again exactly what is stored. An outage of the store (a full disk, a
read-only file, a lock held elsewhere) answers API calls with ServiceUnavailable at once,
holds the outcomes of tasks that finish meanwhile and delivers them, in order, once writes
succeed again; timers wait too. Nothing committed is lost, no task runs twice because of it.
"""

from __future__ import annotations

import heapq
import logging
import queue
import random
import sqlite3
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..clock import Clock
from ..engine import Execution
from ..engine.effects import Invocation
from ..engine.outcomes import (
    ActivityStarted,
    Outcome,
    Redriven,
    TaskSubmitted,
    TimerFired,
    decode,
    perform,
)
from ..engine.workers import WorkerPool
from ..history import Event
from ..integrations.registry import find
from ..jsonvalue import dumps, loads
from ..model import StateMachine, parse_definition
from ..store import Store
from .errors import StoreUnavailable, store_outage
from .map_run_rows import StoreChanges

log = logging.getLogger("asl_runner.host")

#: how long background writes wait after the store failed, doubling up to the last
_RETRY_SECONDS = (0.5, 30.0)


class _Live:
    """Bookkeeping of one execution in memory: how much of it is already stored."""

    __slots__ = ("ex", "stored_events", "inputs", "timer_due")

    def __init__(self, ex: Execution, stored_events: int = 0, inputs: int = 0):
        self.ex = ex
        self.stored_events = stored_events
        self.inputs = inputs
        #: the due time last queued in the host's timer heap for this execution
        self.timer_due: float | None = None


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
        self._pool = WorkerPool(max_workers, self._perform, wanted=self._wanted)
        self._activity_queues: dict[str, deque[Invocation]] = defaultdict(deque)
        self._activity_waiters: dict[str, list[threading.Event]] = defaultdict(list)
        self._finish_waiters: dict[str, list[threading.Event]] = defaultdict(list)
        self._thread = threading.Thread(target=self._loop, name="asl-engine", daemon=True)
        self._stopping = False
        self._in_flight = 0
        #: tokens of the invocations handed to the pool and not yet back
        self._performing: set[str] = set()
        # what a store outage left to do: outcomes to deliver, executions to rebuild
        self._held: dict[str, deque[Outcome]] = {}
        self._unloaded: set[str] = set()
        #: executions waiting for others to end (a .sync child): child arn -> (waiting arn,
        #: the outcome to deliver it, from the child's row)
        self._end_watchers: dict[str, list[tuple[str, Callable[[dict], Outcome]]]] = defaultdict(list)
        self._retry_at = 0.0  # time.monotonic(): background writes wait until then
        self._retry_delay = 0.0
        #: why the store last failed, while it still does (None: it works)
        self.store_error: str | None = None
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
            try:
                timeout = self._next_timeout()
            except Exception:  # the engine thread outlives any bug, here too
                log.exception("the engine thread could not tell when its next timer is due")
                timeout = 1.0
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
                        log.exception("a step failed on the engine thread")
                else:
                    if future is not None:
                        future.set_result(result)
            try:
                if time.monotonic() >= self._retry_at:
                    self._resume_after_outage()
                    self._fire_due_timers()
            except StoreUnavailable:
                pass  # said once when the store failed; the work waits for it
            except Exception:  # the engine thread outlives any bug of the step it runs
                log.exception("background work failed on the engine thread")

    def _next_timeout(self) -> float | None:
        resting = self._retry_at - time.monotonic()
        if resting > 0:
            return resting if self._timers or self._held or self._unloaded else None
        if self._held or self._unloaded:
            return 0.0
        timers = self._timers
        while timers:  # drop what is stale (an execution that ended, a due time since moved)
            due, arn = timers[0]
            live = self._live.get(arn)
            if live is not None and live.timer_due == due:
                break
            heapq.heappop(timers)
        if not timers:
            return None
        # The virtual clock jumps when nothing else can happen; not to the one-year limit of
        # an execution that waits for a task token or an activity, though: under the service,
        # the outside world can still answer it.
        if (self._in_flight == 0
                and not (live.ex.only_the_limit_is_due and live.ex.tasks.waits_for_the_outside)
                and self.clock.skip_to(due)):
            return 0.0
        return max(0.0, due - self.clock.now())

    # ------------------------------------------------------------------ machines

    def machine(self, definition: str) -> StateMachine:
        """Definitions are compiled once per text and shared by the executions running them."""
        machine = self._machines.get(definition)
        if machine is None:
            machine = self._machines[definition] = parse_definition(loads(definition))
        return machine

    # ------------------------------------------------------------------ starting

    def start_execution(self, row: dict) -> None:
        """Create, persist and start an execution (engine thread). Nothing stays in memory
        unless the start was stored."""
        ex = self._new_execution(row)
        ex.start()
        live = _Live(ex)
        row["start_date"] = ex.start_time
        try:
            with self.store.transaction() as c:
                self.store.insert_execution(c, row)
                self._write(c, live, None)
        except sqlite3.Error as exc:
            raise self._store_failed(exc) from None
        self._stored(live, None)
        self._live[ex.arn] = live
        self._after_step(live)

    def _new_execution(self, row: dict) -> Execution:
        arn_parts = row["machine_arn"].split(":")
        ex = Execution(
            self.machine(row["definition"]), loads(row["input"]), clock=self.clock,
            name=row["name"], state_machine_name=row["machine_name"],
            state_machine_arn=row["machine_arn"], role_arn=row["role_arn"], seed=row["seed"],
            region=arn_parts[3], account=arn_parts[4], machine_type=row["type"],
        )
        ex.arn = row["arn"]
        ex.map_run_changes = StoreChanges()  # its Map Runs' children are written with each step
        return ex

    # ------------------------------------------------------------------ stepping

    def deliver(self, arn: str, outcome: Outcome) -> bool:
        """Apply an outcome to a live execution and persist the step (engine thread). Raises
        StoreUnavailable when the step could not be stored: then nothing changed."""
        live = self._live.get(arn)
        if live is None or not live.ex.running:
            return False
        return self._step(live, outcome)

    def _step(self, live: _Live, outcome: Outcome) -> bool:
        if not live.ex.apply(outcome):
            return False  # nothing changed (a late outcome, a stale timer): nothing to record
        if self._commit(live, outcome):
            self._after_step(live)
            if type(outcome) is TaskSubmitted:
                self._watch(live.ex, outcome.token)
        return True

    def _watch(self, ex: Execution, token: str) -> None:
        """Let the task's integration arrange for its outcome (a ``.sync`` child's end)."""
        pending = ex.tasks.pending(token)
        if pending is None or not pending.submitted:
            return
        integration = find(pending.invocation.resource)
        if integration is not None and integration.watch is not None:
            integration.watch(pending.invocation, pending.submitted_output, self)

    def when_finished(self, child: str, waiting: str, outcome_for: Callable[[dict], Outcome]) -> None:
        """When the execution ``child`` ends, deliver ``outcome_for(its row)`` to ``waiting``
        (engine thread; at once if it has ended already)."""
        row = None if child in self._live else self.store.get_execution(child)
        if row is not None and row["status"] != "RUNNING":
            self._post_outcome(waiting, outcome_for(row))
        else:  # running here, or not rebuilt yet (recovery takes executions one by one)
            self._end_watchers[child].append((waiting, outcome_for))

    def _post_outcome(self, arn: str, outcome: Outcome) -> None:
        """Deliver an outcome in a step of its own, after the one being taken."""
        self._commands.put((lambda: self._deliver_eventually(arn, outcome), None))

    def _deliver_eventually(self, arn: str, outcome: Outcome) -> None:
        """Deliver now, or, while the store cannot be written, once it can."""
        if arn in self._held or arn in self._unloaded or time.monotonic() < self._retry_at:
            self._hold(arn, outcome)
            return
        try:
            self.deliver(arn, outcome)
        except StoreUnavailable:
            self._hold(arn, outcome)

    def _commit(self, live: _Live, outcome: Outcome | None) -> bool:
        """Store the step; False if the execution could not go on (it is failed instead)."""
        ex = live.ex
        try:
            with self.store.transaction() as c:
                self._write(c, live, outcome)
        except sqlite3.Error as exc:
            self._rebuild(ex.arn)
            raise self._store_failed(exc) from None
        except Exception as exc:  # a value the store cannot take: this execution's own problem
            self._discard(ex.arn)
            self._fail_stored(ex.arn, f"asl-runner could not record a step of this execution: "
                                      f"{type(exc).__name__}: {exc}")
            return False
        self._stored(live, outcome)
        return True

    def _write(self, c: Any, live: _Live, outcome: Outcome | None) -> None:
        """The step's rows: its outcome, its new events, and the end if it ended. The
        bookkeeping in ``live`` advances only once they are committed (:meth:`_stored`)."""
        ex = live.ex
        if outcome is not None:
            self.store.append_input(c, ex.arn, live.inputs, outcome.kind, outcome.record())
        if len(ex.history) > live.stored_events:
            self.store.append_events(c, ex.arn, ex.history[live.stored_events:])
        if ex.map_run_changes.pending:
            ex.map_run_changes.write(self.store, c)
        if type(outcome) is Redriven:  # it runs again (and may have ended again at once)
            self.store.reopen_execution(c, ex.arn, ex.redrive_count, ex.redrive_time,
                                        outcome.client_token)
        if not ex.running:
            self.store.finish_execution(
                c, ex.arn, ex.status, dumps(ex.output) if ex.status == "SUCCEEDED" else None,
                ex.error, ex.cause, ex.stop_time)

    def _stored(self, live: _Live, outcome: Outcome | None) -> None:
        live.stored_events = len(live.ex.history)
        live.ex.map_run_changes.clear()
        if outcome is not None:
            live.inputs += 1
        if self.store_error is not None:
            log.warning("the store can be written again")
            self.store_error = None
        self._retry_delay = 0.0

    def _after_step(self, live: _Live) -> None:
        """Perform the step's effects: invocations, activity tasks, timers; or clean up."""
        ex = live.ex
        if not ex.running:
            self._live.pop(ex.arn, None)
            for waiter in self._finish_waiters.pop(ex.arn, ()):
                waiter.set()
            for callback in self.on_finished:
                callback(ex.arn)
            watchers = self._end_watchers.pop(ex.arn, ())
            if watchers:
                row = self.store.get_execution(ex.arn)
                for waiting, outcome_for in watchers:
                    self._post_outcome(waiting, outcome_for(row))
            return
        held = self._held.get(ex.arn)
        held_tokens = {outcome.token for outcome in held} if held else ()
        for invocation in ex.tasks.take_invocations():
            token = invocation.token
            if token in self._performing or token in held_tokens:
                continue  # performed already, or still being performed (a rebuilt execution)
            self._in_flight += 1
            self._performing.add(token)
            self._pool.submit(invocation)
        for invocation in ex.tasks.take_activity_tasks():
            arn = invocation.resource.arn
            self._activity_queues[arn].append(invocation)
            for waiter in self._activity_waiters.pop(arn, ()):
                waiter.set()
        self._schedule(live)

    def _schedule(self, live: _Live) -> None:
        """Queue the execution's next timer in the heap, once per due time."""
        due = live.ex.next_timer_due()
        if due is not None and due != live.timer_due:
            heapq.heappush(self._timers, (due, live.ex.arn))
            live.timer_due = due
        if len(self._timers) > 2 * len(self._live) + 1024:
            # entries of ended executions (their one-year limits) would pile up: start afresh
            self._timers = [(lv.timer_due, arn) for arn, lv in self._live.items()
                            if lv.timer_due is not None]
            heapq.heapify(self._timers)

    def _fire_due_timers(self) -> None:
        now = self.clock.now()
        timers = self._timers
        while timers and timers[0][0] <= now:
            due, arn = heapq.heappop(timers)
            live = self._live.get(arn)
            if live is None or live.timer_due != due:
                continue  # stale: the execution ended, or its next timer moved
            live.timer_due = None
            for timer in live.ex.due_timers(now):
                live = self._live.get(arn)  # a failed commit rebuilds it
                if live is None or not live.ex.running:
                    break
                self._step(live, TimerFired(timer.seq))
            live = self._live.get(arn)
            if live is not None:
                self._schedule(live)

    # ------------------------------------------------------------------ task outcomes

    def _wanted(self, invocation: Invocation) -> bool:
        """Whether the execution, as it is now in memory, still waits for this task (read
        from worker threads too: a stale answer only costs a redundant call)."""
        live = self._live.get(invocation.execution_arn)
        return live is not None and live.ex.tasks.awaits(invocation.token)

    def _perform(self, invocation: Invocation) -> None:
        """On a worker thread: run the task, then hand the outcome to the engine thread."""
        arn, token = invocation.execution_arn, invocation.token
        # abandoned while it waited for a thread: None, nothing to call
        outcome = perform(self.invoker, invocation) if self._wanted(invocation) else None
        self._commands.put((lambda: self._outcome(arn, token, outcome), None))

    def _outcome(self, arn: str, token: str, outcome: Outcome | None) -> None:
        self._in_flight -= 1
        if outcome is None:  # skipped; a rebuilt execution that still waits for it gets it anew
            self._performing.discard(token)
            live = self._live.get(arn)
            if live is not None and live.ex.tasks.awaits(token):
                live.ex.tasks.invocations.append(live.ex.tasks.pending(token).invocation)
                self._after_step(live)
            return
        try:
            if arn in self._held or arn in self._unloaded or time.monotonic() < self._retry_at:
                self._hold(arn, outcome)  # after the outcomes before it, once the store works
            else:
                self.deliver(arn, outcome)
        except StoreUnavailable:
            self._hold(arn, outcome)
        finally:
            # only now: an execution rebuilt while this outcome was being stored must not
            # perform the task again
            self._performing.discard(token)

    def _hold(self, arn: str, outcome: Outcome) -> None:
        self._held.setdefault(arn, deque()).append(outcome)

    # ------------------------------------------------------------------ the store's outages

    def _store_failed(self, exc: sqlite3.Error) -> StoreUnavailable:
        """Note that the store failed: background writes wait (with back-off), and the API
        caller gets ServiceUnavailable."""
        first, last = _RETRY_SECONDS
        self._retry_delay = min(last, self._retry_delay * 2 or first)
        self._retry_at = time.monotonic() + self._retry_delay
        if self.store_error is None:
            log.error("the store cannot be written (%s); API calls that change "
                      "anything answer ServiceUnavailable, task outcomes are kept until it can", exc)
        self.store_error = str(exc)
        return store_outage(exc) or StoreUnavailable(
            f"The store cannot be written now ({exc}); retry later")

    def _discard(self, arn: str) -> None:
        """Forget the execution's object in memory (the store has the truth)."""
        old = self._live.pop(arn, None)
        if old is not None:
            old.ex.discarded = True
            for tasks in self._activity_queues.values():
                for invocation in [i for i in tasks if i.execution_arn == arn]:
                    tasks.remove(invocation)

    def _rebuild(self, arn: str) -> None:
        """Replace the execution in memory by what the store holds of it (after a commit of
        it failed). An execution the store cannot even be read for waits for the store."""
        self._discard(arn)
        try:
            row = self.store.get_execution(arn)
            if row is not None and row["status"] == "RUNNING":
                self._recover_one(row)
        except sqlite3.Error:
            self._unloaded.add(arn)
        except Exception as exc:
            log.exception("execution %s could not be rebuilt from the store", arn)
            self._fail_stored(arn, f"asl-runner could not rebuild this execution from its "
                                   f"history: {exc}")

    def _resume_after_outage(self) -> None:
        """Rebuild what an outage left unloaded, then deliver the outcomes it held, in order."""
        for arn in list(self._unloaded):
            try:
                row = self.store.get_execution(arn)
                self._unloaded.discard(arn)
                if row is not None and row["status"] == "RUNNING":
                    self._recover_one(row)
            except sqlite3.Error as exc:
                self._unloaded.add(arn)
                raise self._store_failed(exc) from None
            except Exception as exc:
                self._fail_stored(arn, f"asl-runner could not rebuild this execution from its "
                                       f"history: {exc}")
        for arn in list(self._held):
            pending = self._held[arn]
            while pending:
                live = self._live.get(arn)
                if live is None:
                    break
                if live.ex.running:
                    self._step(live, pending[0])  # raises StoreUnavailable: stays held
                pending.popleft()
            if not pending or self._live.get(arn) is None and arn not in self._unloaded:
                del self._held[arn]

    def _fail_stored(self, arn: str, cause: str) -> None:
        """Fail an execution in the store, after its stored history, with States.Runtime (it
        cannot go on: it cannot be rebuilt, or a step of it cannot be recorded)."""
        self._live.pop(arn, None)
        stored = self.store.events(arn)
        last = stored[-1] if stored else None
        event = Event(len(stored) + 1, last.id if last else 0, "ExecutionFailed", self.clock.now(),
                      {"error": "States.Runtime", "cause": cause})
        try:
            with self.store.transaction() as c:
                self.store.append_events(c, arn, [event])
                self.store.finish_execution(c, arn, "FAILED", None, "States.Runtime", cause,
                                            event.timestamp)
        except sqlite3.Error as exc:
            self._unloaded.add(arn)  # tried again, and judged again, once the store works
            raise self._store_failed(exc) from None
        for waiter in self._finish_waiters.pop(arn, ()):
            waiter.set()

    # ------------------------------------------------------------------ lookups for the API

    def live(self, arn: str) -> Execution | None:
        live = self._live.get(arn)
        return live.ex if live else None

    def wait_finished(self, arn: str, timeout: float | None) -> bool:
        """Block (not on the engine thread) until the execution ends."""
        event = threading.Event()

        def register() -> bool:
            if arn not in self._live and arn not in self._unloaded:
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
            arn = invocation.execution_arn
            if self.deliver(arn, ActivityStarted(invocation.token, worker)):
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
                self._fail_stored(row["arn"], "asl-runner could not resume this execution after "
                                              f"a restart: {exc}")
            count += 1
        return count

    def _replayed(self, row: dict) -> _Live:
        """The execution rebuilt from its recorded history (running or ended)."""
        ex = self._new_execution(row)
        recorded: list[Event] = self.store.events(row["arn"])
        inputs = self.store.inputs(row["arn"])
        live = _Live(ex, stored_events=len(recorded), inputs=len(inputs))
        ex.begin_replay(recorded)
        ex.start()
        for kind, payload in inputs:
            ex.apply(decode(kind, payload))
        ex.end_replay()
        return live

    def redrive(self, row: dict, client_token: str | None) -> float:
        """RedriveExecution of an ended execution (engine thread; the caller judged that AWS
        allows it): rebuilt from the store, redriven, and that step stored like any other.
        Returns the redrive's time."""
        live = self._replayed(row)
        ex = live.ex
        outcome = Redriven(client_token)
        if not ex.apply(outcome):
            raise RuntimeError(f"the history of {ex.arn} does not end where its row says")
        self._live[ex.arn] = live
        if self._commit(live, outcome):
            self._after_step(live)
        return ex.redrive_time

    def _recover_one(self, row: dict) -> None:
        live = self._replayed(row)
        ex = live.ex
        self._live[ex.arn] = live
        if not ex.running:  # ended in its last recorded step, the row just didn't say so yet
            try:
                with self.store.transaction() as c:
                    self._write(c, live, None)
            except sqlite3.Error:
                self._live.pop(ex.arn, None)
                self._unloaded.add(ex.arn)
                raise
            self._stored(live, None)
        self._after_step(live)
        for pending in ex.tasks.all_pending():  # what waits for another execution, again
            if pending.submitted:
                self._watch(ex, pending.invocation.token)


def new_seed() -> int:
    return random.getrandbits(63)
