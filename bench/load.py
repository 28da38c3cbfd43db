"""Load on loopback: N concurrent clients, each looping StartExecution + DescribeExecution
polling until the execution ends, against `asl-runner serve`, for a fixed time.

    python bench/load.py                          # starts its own server (temp db), 50 clients, 60 s
    python bench/load.py --endpoint-url http://127.0.0.1:8083 --clients 50 --seconds 60

Prints executions/s, p50/p99 latency of each API call and of a whole execution, errors, and
whether every started execution was found afterwards (none lost). The clients speak the AWS
JSON 1.0 protocol with http.client (keep-alive, no signing: the server does not check it), so
the load generator stays light beside the server on the same machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

MACHINE = {
    "Comment": "a short machine: three states",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"order.$": "$.order", "step": 1}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.order", "NumericGreaterThan": -1, "Next": "Done"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


class Client:
    def __init__(self, endpoint: str):
        url = urllib.parse.urlparse(endpoint)
        self.address = (url.hostname, url.port or 80)
        self.conn = http.client.HTTPConnection(*self.address, timeout=120)

    def call(self, operation: str, body: dict) -> tuple[int, dict]:
        payload = json.dumps(body).encode()
        headers = {"X-Amz-Target": f"AWSStepFunctions.{operation}",
                   "Content-Type": "application/x-amz-json-1.0"}
        for attempt in (1, 2):
            try:
                self.conn.request("POST", "/", body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else {}
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # the server closed an idle keep-alive connection: open a new one, once
                self.conn.close()
                self.conn = http.client.HTTPConnection(*self.address, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: str, extra: list[str] | None = None) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("asl-runner") or os.path.join(os.path.dirname(sys.executable), "asl-runner")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--port", str(port), "--db", os.path.join(workdir, "bench.db"),
                             *(extra or [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            Client(endpoint).call("ListStateMachines", {})
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint-url")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()

    proc = None
    with tempfile.TemporaryDirectory() as workdir:
        endpoint = args.endpoint_url
        if endpoint is None:
            proc, endpoint = start_server(workdir)
        try:
            run(endpoint, args.clients, args.seconds)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(10)


def run(endpoint: str, clients: int, seconds: float) -> None:
    admin = Client(endpoint)
    name = f"load-{int(time.time())}"
    status, created = admin.call("CreateStateMachine", {
        "name": name, "definition": json.dumps(MACHINE),
        "roleArn": "arn:aws:iam::123456789012:role/load"})
    if status != 200:
        raise SystemExit(f"CreateStateMachine failed: {created}")
    machine = created["stateMachineArn"]

    lock = threading.Lock()
    starts, describes, whole = [], [], []
    started: list[str] = []
    errors: list[str] = []
    done = 0
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        nonlocal done
        client = Client(endpoint)
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            t0 = time.perf_counter()
            code, body = client.call("StartExecution", {
                "stateMachineArn": machine, "name": f"c{index}-{n}", "input": json.dumps({"order": n})})
            t1 = time.perf_counter()
            if code != 200:
                with lock:
                    errors.append(f"StartExecution {code} {body}")
                continue
            arn = body["executionArn"]
            local_describes = []
            while True:
                d0 = time.perf_counter()
                code, body = client.call("DescribeExecution", {"executionArn": arn})
                local_describes.append(time.perf_counter() - d0)
                if code != 200:
                    with lock:
                        errors.append(f"DescribeExecution {code} {body}")
                    break
                if body["status"] != "RUNNING":
                    if body["status"] != "SUCCEEDED":
                        with lock:
                            errors.append(f"execution ended {body['status']}")
                    break
            with lock:
                starts.append(t1 - t0)
                describes.extend(local_describes)
                whole.append(time.perf_counter() - t0)
                started.append(arn)
                done += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0

    # none lost: every started execution is listed, and SUCCEEDED
    listed, token = set(), None
    while True:
        body = {"stateMachineArn": machine, "maxResults": 1000}
        if token:
            body["nextToken"] = token
        code, page = admin.call("ListExecutions", body)
        listed.update(e["executionArn"] for e in page["executions"] if e["status"] == "SUCCEEDED")
        token = page.get("nextToken")
        if not token:
            break
    lost = len(set(started) - listed)

    ms = 1000
    print(f"clients {clients}, {elapsed:.0f} s: {done} executions, {done / elapsed:,.0f} executions/s, "
          f"{len(starts) + len(describes)} API calls ({(len(starts) + len(describes)) / elapsed:,.0f}/s)")
    print(f"StartExecution    p50 {percentile(starts, 50) * ms:6.1f} ms   p99 {percentile(starts, 99) * ms:6.1f} ms")
    print(f"DescribeExecution p50 {percentile(describes, 50) * ms:6.1f} ms   p99 {percentile(describes, 99) * ms:6.1f} ms")
    print(f"start to end      p50 {percentile(whole, 50) * ms:6.1f} ms   p99 {percentile(whole, 99) * ms:6.1f} ms"
          f"   (mean {statistics.fmean(whole) * ms if whole else float('nan'):.1f} ms)")
    print(f"errors {len(errors)}, lost executions {lost}")
    for e in errors[:5]:
        print("  ", e)


if __name__ == "__main__":
    main()
