"""The in-process runner: performs an execution's tasks and timers until it ends.

Tasks run in a bounded pool of worker threads, so Parallel branches and Map iterations make
progress together and a handler that overruns its TimeoutSeconds can be abandoned at the
deadline (its thread finishes in the background; its late result is ignored). Outcomes come
back through a queue and are fed to the engine on the runner's thread only: the engine is
never touched by two threads.

When the only thing the execution waits for is one task with no timeout and no timer is
pending, nothing could happen concurrently with it, so the runner calls the handler on its
own thread: the same behaviour, without two thread hand-offs per task. The same goes for a
handler that has proved fast (it returned within half a millisecond, on average, so far):
running it in place delays the others by less than a thread hand-off would.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import Any

from ..errors import StatesError
from .execution import Execution, Invocation
from .outcomes import (
    ActivityStarted,
    HeartbeatReceived,
    Invoker,
    Outcome,
    TaskFailed,
    TaskSucceeded,
    perform,
)
from .waiting import describe as describe_wait
from .workers import WorkerPool

#: what a run tells of an activity task no mock answers
NO_WORKER = ("activity tasks need a worker polling GetActivityTask: run the machine under "
             "`asl-runner serve`")
#: a handler this fast on average runs on the runner's thread (seconds)
FAST_HANDLER = 0.0005


def _handler_key(invocation: Invocation) -> tuple:
    resource = invocation.resource
    payload = invocation.payload
    name = payload.get("FunctionName") if resource.is_lambda_invoke and isinstance(payload, dict) else None
    return resource.arn, name


class Runner:
    def __init__(self, invoker: Invoker, *, max_workers: int = 16,
                 on_wait_forever: Callable[[Execution], None] | None = None,
                 on_wait: Callable[[str, float | None], None] | None = None,
                 answers_at: str | None = None,
                 answers_activity: Callable[[Invocation], bool] | None = None):
        self.invoker = invoker
        #: which activity tasks the invoker answers for their worker (a test's mocks), when
        #: no worker polls: the runner performs those like any call (None: none)
        self.answers_activity = answers_activity
        self.max_workers = max_workers
        #: called once if the execution can only go on with an outside callback
        #: (SendTaskSuccess and co.) and nothing else is pending
        self.on_wait_forever = on_wait_forever
        #: called as ``on_wait(what, until)`` each time the runner is about to block with
        #: nothing running: ``what`` says what the execution waits for (waiting.describe),
        #: ``until`` is when the next timer wakes it (epoch seconds; None: only an outside
        #: answer can). Not called when the virtual clock jumps instead of blocking.
        self.on_wait = on_wait
        #: where task-token answers come from outside (``run --task-token-endpoint``): a task
        #: waiting for one may be answered any time, so the virtual clock does not jump past it
        self.answers_at = answers_at
        #: (outcome, performed): what came back, and whether a worker performed it (None:
        #: the invocation was abandoned before any worker took it)
        self._outcomes: queue.SimpleQueue = queue.SimpleQueue()
        self._pool: WorkerPool | None = None
        self._ex: Execution | None = None  # the execution being run
        self._running = 0  # invocations being performed right now
        self._durations: dict[tuple, float] = {}  # moving average of each handler's run time

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _outcome(self, invocation: Invocation) -> Outcome:
        started = time.perf_counter()
        outcome = perform(self.invoker, invocation)
        key = _handler_key(invocation)
        took = time.perf_counter() - started
        seen = self._durations.get(key)
        self._durations[key] = took if seen is None else 0.7 * seen + 0.3 * took
        return outcome

    # -- callbacks (thread-safe: call them from a handler or any other thread) ------------------

    def send_task_success(self, token: str, output: Any) -> None:
        self._outcomes.put((TaskSucceeded(token, output), False))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        self._outcomes.put((TaskFailed(token, error, cause), False))

    def send_task_heartbeat(self, token: str) -> None:
        self._outcomes.put((HeartbeatReceived(token, None), False))

    def send(self, outcome: Outcome) -> None:
        """Deliver ``outcome`` from outside a performed call (e.g. a call that is still
        running telling that it has submitted its work)."""
        self._outcomes.put((outcome, False))

    def _wanted(self, invocation: Invocation) -> bool:
        ex = self._ex
        return ex is not None and ex.tasks.awaits(invocation.token)

    def _perform(self, invocation: Invocation) -> None:
        if not self._wanted(invocation):
            # abandoned while it waited for a thread (it timed out, or its branch ended):
            # calling the handler now would change nothing
            self._outcomes.put((None, True))
            return
        self._outcomes.put((self._outcome(invocation), True))

    def _submit(self, invocation: Invocation) -> None:
        if self._pool is None:
            self._pool = WorkerPool(self.max_workers, self._perform, wanted=self._wanted)
        self._running += 1
        self._pool.submit(invocation)

    def _run_here(self, ex: Execution, invocation: Invocation) -> None:
        """Perform an invocation on the runner's own thread and deliver its outcome, after
        what arrived while it ran (a call that told it had submitted its work, an answer)."""
        self._running += 1
        outcome = self._outcome(invocation)
        self._deliver_ready(ex)
        self._deliver(ex, (outcome, True))

    def _deliver_ready(self, ex: Execution) -> None:
        """Deliver every outcome already in the queue, in the order it came."""
        while True:
            try:
                item = self._outcomes.get_nowait()
            except queue.Empty:
                return
            self._deliver(ex, item)

    def _deliver(self, ex: Execution, item: tuple[Outcome | None, bool]) -> None:
        outcome, performed = item
        if performed:
            self._running -= 1
        if outcome is not None:
            ex.apply(outcome)

    def run(self, ex: Execution) -> Execution:
        """Start ``ex`` (unless started) and drive it to its end."""
        self._ex = ex
        if not ex.history:
            ex.start()
        clock = ex.clock
        outcomes = self._outcomes
        while ex.running:
            tasks = ex.tasks
            if tasks.activity_tasks:
                for invocation in tasks.take_activity_tasks():
                    if self.answers_activity is not None and self.answers_activity(invocation):
                        ex.apply(ActivityStarted(invocation.token, None))
                        self._submit(invocation)
                    elif NO_WORKER not in ex.hints:
                        ex.hints.append(NO_WORKER)
            invocations = tasks.take_invocations()
            # (not a call that submits work to wait for: a .sync child may run long under
            # run, and the task's token answer must be able to end the task meanwhile)
            if (len(invocations) == 1 and len(tasks) == 1 and invocations[0].kind != "callback"
                    and not invocations[0].timeout_seconds and ex.only_the_limit_is_due):
                self._run_here(ex, invocations[0])
                continue
            durations = self._durations
            for invocation in invocations:
                if (invocation.kind == "invoke" and not invocation.timeout_seconds
                        and durations.get(_handler_key(invocation), 1.0) < FAST_HANDLER):
                    self._run_here(ex, invocation)
                else:
                    self._submit(invocation)
            if not ex.running:
                break
            if tasks.invocations:  # a handler run in place led to more tasks: dispatch them first
                continue
            due = ex.next_timer_due()
            # Only tasks the engine still waits for count: a timed-out handler may still be
            # running, but nothing depends on it any more, so time may jump past it. A task
            # waiting for its token (SendTaskSuccess) counts too: it comes through the queue.
            if len(tasks):
                if self._running == 0 and self.on_wait_forever is not None and ex.only_the_limit_is_due:
                    self.on_wait_forever(ex)
                    self.on_wait_forever = None
                    continue  # what the callback answered is in the queue: deliver it first
                if (self._running == 0 and due is not None and outcomes.empty()
                        and self.answers_at is None and clock.skip_to(due)):
                    # only callbacks pending, nothing running: the virtual clock may jump
                    ex.fire_timers(clock.now())
                    continue
                if self._running == 0 and self.on_wait is not None and outcomes.empty():
                    self.on_wait(describe_wait(ex, self.answers_at), due)
                # Work is running: time may not jump. Wait for an outcome or the next timer.
                timeout = None if due is None else max(0.0, due - clock.now())
                try:
                    outcome = outcomes.get(timeout=timeout)
                except queue.Empty:
                    ex.fire_timers(clock.now())
                    continue
                self._deliver(ex, outcome)
                self._deliver_ready(ex)  # whatever else is ready, before scheduling more
                continue
            if due is None:
                # nothing runs and nothing is scheduled: the engine is stuck (a bug)
                ex.fail_execution(ex.root, StatesError(
                    "States.Runtime", "asl-runner: the execution has nothing left to wait for"))
                break
            if self.on_wait is not None and not clock.skip_to(due):
                self.on_wait(describe_wait(ex, self.answers_at), due)
            clock.wait(due)
            ex.fire_timers(clock.now())
        return ex
