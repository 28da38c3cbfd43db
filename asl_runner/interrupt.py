"""Ctrl-C (or SIGTERM) during ``asl-runner run``: stop the execution as StopExecution would,
then end.

The stop must not land in the middle of a handler: a handler that Ctrl-C interrupts would
report a failure (KeyboardInterrupt) that Retry and Catch then act on, and the history would
show a task failure that never happened. So SIGINT unwinds the runner only where it waits
(or runs the engine) on the main thread; while a handler runs there, the execution is stopped
right away and the process ends, abandoning the handler as AWS abandons an in-flight task of
a stopped execution. Handlers on worker threads never see the signal.

After the stop, the process ends the way an interrupted Unix command does: it re-raises
the signal with the default action, so the shell sees status 130 (143 for SIGTERM) and a script
running ``asl-runner run`` in a loop stops too (Python itself ends so on an uncaught
KeyboardInterrupt). SIGTERM is what ``kill``, ``timeout`` and container runtimes send: without
it, the run would vanish with no ABORTED result and no report.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

#: the signals that stop a run: Ctrl-C, and the polite kill
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


class Interrupted(BaseException):
    """Raised where the runner waits when Ctrl-C or SIGTERM arrives (a BaseException, so that
    no ``except Exception`` in the engine or a handler mistakes it for a failure)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def signal_words(signum: int) -> str:
    """How the run's report names the signal: 'interrupted' (Ctrl-C) or 'terminated'."""
    return "terminated" if signum == getattr(signal, "SIGTERM", None) else "interrupted"


class StopOnInterrupt:
    """Wraps a runner's invoker and catches SIGINT and SIGTERM while it is installed (``with``).

    ``finish`` stops the execution and reports it; it is called from the signal handler
    when a handler runs on the main thread, and by the caller on :class:`Interrupted`.
    """

    def __init__(self, invoker: Callable[[Any], Any], finish: Callable[[int], None]):
        self._invoker = invoker
        self._finish = finish
        self._in_handler = 0
        self._previous: dict[int, Any] = {}

    def __call__(self, invocation: Any) -> Any:
        main = threading.current_thread() is threading.main_thread()
        if main:
            self._in_handler += 1
        try:
            return self._invoker(invocation)
        finally:
            if main:
                self._in_handler -= 1

    def _on_signal(self, signum: int, frame: Any) -> None:
        for stop in STOP_SIGNALS:  # a second Ctrl-C (or kill) ends at once
            signal.signal(stop, signal.SIG_DFL)
        if self._in_handler:
            self._finish(signum)
            die_interrupted(signum)
        raise Interrupted(signum)

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = {stop: signal.signal(stop, self._on_signal) for stop in STOP_SIGNALS}
        return self

    def __exit__(self, *exc: Any) -> None:
        for stop, previous in self._previous.items():
            signal.signal(stop, previous)
        self._previous = {}


def die_interrupted(signum: int = signal.SIGINT) -> None:
    """End the process as the signal's default action does (status 130 in the shell for
    SIGINT, 143 for SIGTERM)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(128 + int(signum))  # where the signal did not end the process
