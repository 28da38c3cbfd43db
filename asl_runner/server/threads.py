"""A bounded pool of daemon threads for the service's blocking calls.

Why not ``ThreadPoolExecutor``: it joins its threads when the interpreter exits, so a call
still blocked inside the service (a 60-second activity poll, a sync execution waiting for its
end) would keep ``asl-runner serve`` alive long after Ctrl-C. The service is closed before the
process exits; a thread still waiting on it has nothing left to lose, so these are daemons.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class DaemonThreadPool(Executor):
    """At most ``size`` threads, started as work arrives and kept for the next call."""

    def __init__(self, size: int, name: str):
        if size < 1:
            raise ValueError("a pool needs at least one thread")
        self.size = size
        self.name = name
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.name} is shut down")
            self._work.put((future, fn, args, kwargs))
            if self._idle == 0 and len(self._threads) < self.size:
                thread = threading.Thread(target=self._run, name=f"{self.name}-{len(self._threads)}",
                                          daemon=True)
                self._threads.append(thread)
                thread.start()
            elif self._idle > 0:
                self._idle -= 1  # an idle thread will take this item
        return future

    def _run(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # the caller awaits the future, it gets the error
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            with self._lock:
                self._idle += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    item = self._work.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in threads:
            self._work.put(None)
        if wait:
            for thread in threads:
                thread.join()
