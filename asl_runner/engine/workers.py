"""The pool of worker threads that perform task invocations (handlers, service calls).

A handler cannot be interrupted in Python. When the engine stops waiting for one (it overran
its TimeoutSeconds, or its execution or its branch ended), the handler keeps its thread until
it returns, but it no longer counts against the pool's size: the pool starts another thread for
new work. So abandoned work never makes live work wait, and a task's deadline can count from
its dispatch, as on AWS. The threads beyond ``size`` are bounded too (``max_abandoned``), and
leave once the work is done.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from .effects import Invocation


class WorkerPool:
    """Daemon threads taking invocations from one queue (lighter than concurrent.futures: no
    Future per task). Daemon, so a handler stuck past its timeout never blocks exit.

    ``size`` threads at most work on invocations that are ``wanted``; up to ``max_abandoned``
    more may exist while abandoned handlers hold theirs. ``submit`` is called on the engine's
    thread, so ``wanted`` may read the engine's state there.
    """

    def __init__(self, size: int, perform: Callable[[Invocation], None], *,
                 wanted: Callable[[Invocation], bool], max_abandoned: int = 256):
        self.size = max(1, size)
        self.max_abandoned = max_abandoned
        self._perform = perform
        self._wanted = wanted
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._busy: dict[threading.Thread, Invocation] = {}
        self._queued = 0
        self._closed = False

    @property
    def threads(self) -> int:
        return len(self._threads)

    def submit(self, invocation: Invocation) -> None:
        with self._lock:
            self._queued += 1
            self._work.put(invocation)
            threads = len(self._threads)
            if threads - len(self._busy) >= self._queued:
                return  # an idle thread will take it
            if threads < self.size:
                self._spawn()
            elif threads < self.size + self.max_abandoned:
                abandoned = sum(1 for busy in self._busy.values() if not self._wanted(busy))
                if threads - abandoned < self.size:
                    self._spawn()

    def _spawn(self) -> None:
        thread = threading.Thread(target=self._loop, name=f"asl-task-{len(self._threads)}",
                                  daemon=True)
        self._threads.add(thread)
        thread.start()

    def _loop(self) -> None:
        me = threading.current_thread()
        work = self._work
        while True:
            invocation = work.get()
            if invocation is None:
                return
            with self._lock:
                self._queued -= 1
                self._busy[me] = invocation
            try:
                self._perform(invocation)
            except BaseException:  # perform reports its own failures: this is a bug there
                import logging  # only now: logging costs ~10 ms of a cold start

                logging.getLogger("asl_runner.workers").exception(
                    "a worker thread's task failed")
            with self._lock:
                del self._busy[me]
                # a thread started while abandoned work held the others leaves when idle
                if len(self._threads) > self.size and self._queued == 0 and not self._closed:
                    self._threads.discard(me)
                    return

    def close(self) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
            self._threads.clear()
        for _ in threads:
            self._work.put(None)
