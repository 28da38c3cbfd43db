"""The in-process runner: performs an execution's tasks and timers until it ends.

Tasks run in a bounded thread pool so Parallel branches and Map iterations make progress
together, and so a handler that overruns its TimeoutSeconds can be abandoned at the deadline
(its thread finishes in the background; its late result is ignored). Outcomes come back
through a queue and are fed to the engine on this thread only: the engine itself is never
touched by two threads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import StatesError
from .execution import Execution, Invocation

#: performs one invocation: returns the result, or raises StatesError
Invoker = Callable[[Invocation], Any]


def _crash(exc: BaseException) -> StatesError:
    return StatesError(type(exc).__name__, str(exc))


class Runner:
    def __init__(self, invoker: Invoker, *, max_workers: int = 16):
        self.invoker = invoker
        self.max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self._outcomes: queue.SimpleQueue = queue.SimpleQueue()
        self._wake = threading.Event()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _perform(self, invocation: Invocation) -> None:
        try:
            result = self.invoker(invocation)
        except StatesError as exc:
            self._outcomes.put((invocation.token, False, exc))
        except BaseException as exc:  # a handler's crash must not take the runner down
            self._outcomes.put((invocation.token, False, _crash(exc)))
        else:
            self._outcomes.put((invocation.token, True, result))

    def _submit(self, invocation: Invocation) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.max_workers,
                                            thread_name_prefix="asl-task")
        self._pool.submit(self._perform, invocation)

    def _deliver(self, ex: Execution, outcome: tuple) -> None:
        token, ok, value = outcome
        if ok:
            ex.complete_task(token, value)
        else:
            ex.fail_task(token, value.error, value.cause)

    def run(self, ex: Execution) -> Execution:
        """Start ``ex`` (unless started) and drive it to its end."""
        if not ex.history:
            ex.start()
        clock = ex.clock
        outcomes = self._outcomes
        while ex.running:
            for invocation in ex.take_invocations():
                self._submit(invocation)
            if not ex.running:
                break
            due = ex.next_timer_due()
            # Only tasks the engine still waits for count: a timed-out handler may still be
            # running, but nothing depends on it any more, so time may jump past it.
            if ex.tasks_in_flight:
                # Work is running: time may not jump. Wait for an outcome or the next timer.
                timeout = None if due is None else max(0.0, due - clock.now())
                try:
                    outcome = outcomes.get(timeout=timeout)
                except queue.Empty:
                    ex.fire_timers(clock.now())
                    continue
                self._deliver(ex, outcome)
                while True:  # deliver whatever else is ready before scheduling more
                    try:
                        outcome = outcomes.get_nowait()
                    except queue.Empty:
                        break
                    self._deliver(ex, outcome)
                continue
            if due is None:
                # nothing runs and nothing is scheduled: the engine is stuck (a bug)
                ex.fail_execution(ex.root, StatesError(
                    "States.Runtime", "asl-runner: the execution has nothing left to wait for"))
                break
            clock.wait(due)
            ex.fire_timers(clock.now())
        return ex
