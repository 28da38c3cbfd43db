"""The pool of worker threads that perform task invocations (handlers, service calls)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from .effects import Invocation


class WorkerPool:
    """Daemon threads taking work from one queue (lighter than concurrent.futures: no
    Future per task). Daemon, so a handler stuck past its timeout never blocks exit."""

    def __init__(self, size: int, perform: Callable[[Invocation], None]):
        self.size = max(1, size)
        self._perform = perform
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._queued = 0

    def submit(self, invocation: Invocation) -> None:
        self._work.put(invocation)
        if len(self._threads) < self.size:
            thread = threading.Thread(target=self._loop, name=f"asl-task-{len(self._threads)}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _loop(self) -> None:
        work = self._work
        while True:
            invocation = work.get()
            if invocation is None:
                return
            self._perform(invocation)

    def close(self) -> None:
        for _ in self._threads:
            self._work.put(None)
        self._threads.clear()
