"""`asl-runner serve` as a subprocess for a test: ``with serving(cwd) as url: ...``."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def serving(cwd: Path, *args: str) -> Iterator[str]:
    """A server on a free port, in memory; its URL. Stopped (SIGTERM) when the block ends."""
    env = {k: v for k, v in os.environ.items() if k != "ASL_RUNNER_CLOCK"}
    with open(cwd / "serve.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "asl_runner.cli", "serve", "--port", "0",
                                 "--db", ":memory:", *args], stdout=subprocess.PIPE, stderr=log,
                                text=True, env=env, cwd=cwd)
    try:
        line = proc.stdout.readline()
        assert " at " in line, (cwd / "serve.log").read_text()
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
