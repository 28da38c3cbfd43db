"""Ctrl-C during ``asl-runner run``: stop the execution as StopExecution would, then end.

The stop must not land in the middle of a handler: a handler that Ctrl-C interrupts would
report a failure (KeyboardInterrupt) that Retry and Catch then act on, and the history would
show a task failure that never happened. So SIGINT unwinds the runner only where it waits
(or runs the engine) on the main thread; while a handler runs there, the execution is stopped
right away and the process ends, abandoning the handler as AWS abandons an in-flight task of
a stopped execution. Handlers on worker threads never see the signal.

After the stop, the process ends the way an interrupted Unix command does: it re-raises
SIGINT with the default action, so the shell sees status 130 and a script running
``asl-runner run`` in a loop stops too (Python itself ends so on an uncaught
KeyboardInterrupt).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


class Interrupted(BaseException):
    """Raised where the runner waits when Ctrl-C arrives (a BaseException, so that no
    ``except Exception`` in the engine or a handler mistakes it for a failure)."""


class StopOnInterrupt:
    """Wraps a runner's invoker and catches SIGINT while it is installed (``with``).

    ``finish`` stops the execution and reports it; it is called from the signal handler
    when a handler runs on the main thread, and by the caller on :class:`Interrupted`.
    """

    def __init__(self, invoker: Callable[[Any], Any], finish: Callable[[], None]):
        self._invoker = invoker
        self._finish = finish
        self._in_handler = 0
        self._previous: Any = None

    def __call__(self, invocation: Any) -> Any:
        main = threading.current_thread() is threading.main_thread()
        if main:
            self._in_handler += 1
        try:
            return self._invoker(invocation)
        finally:
            if main:
                self._in_handler -= 1

    def _on_sigint(self, signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C ends at once
        if self._in_handler:
            self._finish()
            die_interrupted()
        raise Interrupted

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def die_interrupted() -> None:
    """End the process as SIGINT's default action does (status 130 in the shell)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(signal, "SIGINT") and os.name == "posix":
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(130)  # where the signal did not end the process
