"""A readable, live trace of an execution for the terminal (``asl-runner run`` without --json)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, TextIO

from .history import Event, iso_timestamp
from .jsonvalue import dumps
from .terminal import columns

_STYLES = {"dim": "2", "bold": "1", "red": "31", "green": "32", "yellow": "33", "blue": "34",
           "magenta": "35", "cyan": "36"}


def duration(seconds: float) -> str:
    """A duration in units a person reads at a glance: ``79 ms``, ``2.5 s``, ``1 min 30 s``,
    ``1 d 0 h 0 min 0.005 s`` (milliseconds are kept once a duration reaches seconds)."""
    millis = max(0, round(seconds * 1000))  # integer milliseconds: no float residue
    if millis < 1000:
        return f"{millis} ms"
    whole, rest = divmod(millis, 1000)
    days, whole = divmod(whole, 86400)
    hours, whole = divmod(whole, 3600)
    minutes, secs = divmod(whole, 60)
    text = f"{secs}.{rest:03d}".rstrip("0").rstrip(".") + " s"
    if days:
        return f"{days} d {hours} h {minutes} min {text}"
    if hours:
        return f"{hours} h {minutes} min {text}"
    if minutes:
        return f"{minutes} min {text}"
    return text


def wait_notice(what: str, until: float | None, now: float) -> str:
    """``waiting until TIMESTAMP (in 2.5 s): WHAT``; to the second once a wait is long."""
    if until is None:
        return f"waiting with no time limit: {what}"
    left = until - now
    left = round(left, 1) if left < 60 else round(left)
    return f"waiting until {iso_timestamp(until)} (in {duration(left)}): {what}"


class TracePrinter:
    def __init__(self, out: TextIO | None = None, color: bool = False, width: int | None = None):
        self.out = out or sys.stdout
        self.color = color
        self.width = width or columns(100)

    def _c(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_STYLES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def _preview(self, value: Any, used: int) -> str:
        text = dumps(value)
        room = max(20, self.width - used - 1)
        return text if len(text) <= room else text[: room - 1] + "…"

    def _print(self, text: str) -> None:
        if self.out is None:
            return
        try:
            print(text, file=self.out, flush=True)
        except BrokenPipeError:
            # the reader left (`asl-runner run ... | head`): the execution goes on, unwatched,
            # and nothing more is written there (not even at exit, when Python flushes stdout)
            if self.out is sys.stdout:
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            self.out = None

    def _line(self, depth: int, text: str) -> None:
        self._print("  " * (depth + 1) + text)

    def on_event(self, event: Event, depth: int = 0) -> None:
        t = event.type
        d = event.details or {}
        indent = 2 * (depth + 1)
        if t == "ExecutionStarted":
            self._print(self._c("▶ execution started", "bold") + "  input "
                        + self._preview(d.get("input"), 24))
        elif t.endswith("StateEntered"):
            kind = t[: -len("StateEntered")]
            self._line(depth, self._c("→ ", "cyan") + self._c(d["name"], "bold")
                       + self._c(f"  {kind}", "dim"))
        elif t.endswith("StateExited"):
            head = f"✓ {d['name']}  "
            line = self._c("✓ ", "green") + d["name"] + "  " + self._c(
                self._preview(d.get("output"), indent + len(head)), "dim")
            if d.get("assignedVariables"):
                line += self._c("  vars " + ", ".join(d["assignedVariables"]), "magenta")
            self._line(depth, line)
        elif t in ("LambdaFunctionScheduled", "TaskScheduled"):
            what = d.get("resource", "")
            if t == "TaskScheduled":
                what = f"{d.get('resourceType')}:{what}"
            payload = d.get("input", d.get("parameters"))
            head = f"  ↳ call {what} "
            self._line(depth, self._c(head, "blue") + self._c(self._preview(payload, indent + len(head)), "dim"))
        elif t in ("LambdaFunctionFailed", "TaskFailed", "LambdaFunctionTimedOut", "TaskTimedOut"):
            self._line(depth, self._c(f"  ✗ {d.get('error')}", "red")
                       + (self._c(f"  {self._preview(d.get('cause'), indent + 30)}", "dim")
                          if d.get("cause") else ""))
        elif t == "MapIterationStarted":
            self._line(depth, self._c(f"┌ {d['name']}[{d['index']}]", "dim"))
        elif t == "MapIterationFailed":
            self._line(depth, self._c(f"└ {d['name']}[{d['index']}] failed", "red"))
        elif t in ("MapStateFailed", "ParallelStateFailed"):
            self._line(depth, self._c(f"✗ {t}", "red"))
        elif t == "MapRunStarted":
            self._line(depth, self._c(f"  ↳ map run {d.get('mapRunArn')}", "dim"))
        elif t == "MapRunRedriven":
            self._line(depth, self._c(f"  ↳ map run {d.get('mapRunArn')} redriven "
                                      f"(#{d.get('redriveCount')})", "dim"))

    def on_wait(self, what: str, until: float | None, now: float) -> None:
        """The runner blocks: say what for, and until when (``until`` None: no timer)."""
        self._line(0, self._c(f"⏸ {wait_notice(what, until, now)}", "yellow"))

    def summary(self, execution: Any) -> None:
        status = execution.status
        elapsed = (execution.stop_time or execution.start_time) - execution.start_time
        style = "green" if status == "SUCCEEDED" else "red"
        # only the virtual clock models time; on the real one the duration was lived
        modelled = " (modelled)" if getattr(execution.clock, "name", "real") == "virtual" else ""
        self._print(self._c(f"■ {status}", "bold", style)
                    + self._c(f"  {len(execution.history)} events, {duration(elapsed)}{modelled}", "dim"))
        if status == "SUCCEEDED":
            self._print("output " + dumps(execution.output))
        else:
            if execution.error is not None:
                self._print(self._c("error  ", "red") + execution.error)
            if execution.cause is not None:
                self._print(self._c("cause  ", "red") + execution.cause)
