"""Clocks: where the engine's "now" comes from, and how a runner waits for the next timer.

The real clock is wall time. The virtual clock is wall time plus an offset that jumps forward
whenever the runner has nothing to do but wait for a timer: a 24-hour Wait or a long retry
back-off completes at once, in order, while history timestamps show the modelled times. Work
that really takes time (a handler that sleeps, say) still advances it, so a Task timeout on the
virtual clock fires when the handler overruns, as it would on AWS.
"""

from __future__ import annotations

import os
import threading
import time


class Clock:
    """Base: ``now()`` in epoch seconds, and ``wait(until, event)``."""

    name = "real"

    def now(self) -> float:
        return time.time()

    def wait(self, until: float | None, wake: threading.Event | None = None) -> None:
        """Block until ``until`` (epoch seconds) or until ``wake`` is set.

        ``None`` waits for ``wake`` alone. Called by runners only when they are idle.
        """
        timeout = None if until is None else max(0.0, until - self.now())
        if wake is not None:
            wake.wait(timeout)
        elif timeout:
            time.sleep(timeout)

    def skip_to(self, until: float) -> bool:
        """Jump to ``until`` if this clock can; the real clock cannot."""
        return False


class RealClock(Clock):
    name = "real"


class VirtualClock(Clock):
    """Wall time plus an offset that :meth:`skip_to` advances."""

    name = "virtual"

    def __init__(self, start: float | None = None):
        base = time.time()
        self._offset = 0.0 if start is None else start - base
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def skip_to(self, until: float) -> bool:
        with self._lock:
            ahead = until - self.now()
            if ahead > 0:
                self._offset += ahead
        return True

    def wait(self, until: float | None, wake: threading.Event | None = None) -> None:
        if until is None:
            if wake is not None:
                wake.wait()
            return
        # Idle with only timers pending: time can jump. A runner with work in flight (a
        # handler running) must not call this, so the jump never skips real work.
        self.skip_to(until)


def make_clock(name: str | None = None) -> Clock:
    """``"real"`` or ``"virtual"``; by default ASL_RUNNER_CLOCK, else real."""
    name = (name or os.environ.get("ASL_RUNNER_CLOCK") or "real").strip().lower()
    if name == "virtual":
        return VirtualClock()
    if name == "real":
        return RealClock()
    raise ValueError(f"unknown clock {name!r}: use 'real' or 'virtual'")
