"""Cold start: `asl-runner run` of a one-state machine, as a new process each time."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _common import report

RUNS = 21


def main() -> None:
    exe = shutil.which("asl-runner")
    if exe is None:
        print("cold start: asl-runner is not on PATH (install the package first)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "one.json")
        with open(path, "w") as fh:
            json.dump({"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}, fh)
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            subprocess.run([exe, "run", path, "--json"], check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    baseline = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - t0)
    report("cold start: run a one-state machine", statistics.median(times) * 1000, "ms (median)",
           f"(min {min(times) * 1000:.0f} ms over {RUNS} runs; bare python "
           f"{statistics.median(baseline) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
