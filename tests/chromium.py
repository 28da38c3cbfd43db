"""Headless Chromium for the web view's tests, the benchmark and the README's screenshots.

Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver, the same
build) driven by selenium through that chromedriver: nothing is downloaded (selenium's own
driver manager is not used when a Service names the driver). The flags keep Chromium off the
network this machine does not have: no background requests, component updates, sync or QUIC,
and a fresh profile each time.

Also ``Serve``: `asl-runner serve` in a subprocess on a free port, as a user starts it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("ASL_RUNNER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ASL_RUNNER_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
BIN = Path(sys.executable).parent
ASL_RUNNER = [str(BIN / "asl-runner")] if (BIN / "asl-runner").exists() else [sys.executable, "-m", "asl_runner.cli"]


def missing() -> str | None:
    """Why the browser cannot run here (None: it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install {package})"
    return None


class Browser:
    """One headless Chromium with a fresh profile; ``driver`` is selenium's WebDriver."""

    def __init__(self, width: int = 1400, height: int = 1000):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="asl-runner-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in [*FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)

    def errors(self) -> list[str]:
        """The page's console errors since the last call."""
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def wait(self, condition: Any, timeout: float = 15, message: str = "") -> Any:
        """``condition(driver)``'s first truthy value; elements a redraw replaced are looked
        up again."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                             ).until(condition, message)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


class Serve:
    """`asl-runner serve --port 0` in ``root`` with ``args``, until :meth:`stop`."""

    def __init__(self, root: Path, *args: str, lambdas: str | Path | None = None, env: dict | None = None):
        self.root = root
        self.log = root / "serve.log"
        command = [*ASL_RUNNER, "serve", "--port", "0", "--db", str(root / "store.db"), *args]
        if lambdas is not None:
            command += ["--lambdas", str(lambdas)]
        environment = {k: v for k, v in os.environ.items() if k != "ASL_RUNNER_CLOCK"}
        environment.update(env or {})
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True,
                                         cwd=root, env=environment)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not lines or " at " not in lines[0]:
            self.proc.kill()
            raise RuntimeError(f"asl-runner serve did not start: {self.log.read_text()}")
        self.url = lines[0].split(" at ", 1)[1].split()[0]

    def client(self) -> Any:
        import boto3

        return boto3.client("stepfunctions", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="x", aws_secret_access_key="x")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.stdout.close()


def wait_until(predicate: Any, timeout: float = 15, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        time.sleep(0.05)
    return value
