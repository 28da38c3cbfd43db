"""Shared by the benchmarks: timing a workload the same way each time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """(median seconds, last result) over ``repeat`` runs, after one warm-up run."""
    fn()
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def report(name: str, value: float, unit: str, detail: str = "") -> None:
    print(f"{name:<42} {value:>12,.0f} {unit:<14} {detail}", flush=True)
