"""10,000 executions waiting on task tokens in one `asl-runner serve` process.

    python bench/waiting.py [--executions 10000] [--clients 8]

Starts a server (temporary store and lambdas folder), starts the executions (each parks on a
`.waitForTaskToken` Lambda task whose handler writes its token to a file), reports the
server's peak RSS (VmHWM) while they all wait, then resumes them all with SendTaskSuccess and
reports how long that took, and checks that every one SUCCEEDED (none lost).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from load import Client, start_server  # noqa: E402

PARK = '''import os


def handler(event, context):
    # O_APPEND writes of one short line do not interleave between threads
    with open(os.environ["ASL_BENCH_TOKENS"], "a") as fh:
        fh.write(event["token"] + "\\n")
    return {"parked": True}
'''

MACHINE = {
    "StartAt": "Park",
    "States": {"Park": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Park", "Payload": {"token.$": "$$.Task.Token", "order.$": "$"}},
        "End": True}},
}


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def parallel(clients: int, items: list, fn) -> None:
    chunks = [items[i::clients] for i in range(clients)]

    def work(chunk):
        client = Client(endpoint)
        for item in chunk:
            fn(client, item)

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    global endpoint
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--executions", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    n = args.executions
    with tempfile.TemporaryDirectory() as workdir:
        lambdas = os.path.join(workdir, "lambdas")
        os.mkdir(lambdas)
        with open(os.path.join(lambdas, "Park.py"), "w") as fh:
            fh.write(PARK)
        tokens_file = os.path.join(workdir, "tokens.txt")
        os.environ["ASL_BENCH_TOKENS"] = tokens_file
        proc, endpoint = start_server(workdir, extra=["--lambdas", lambdas])
        try:
            admin = Client(endpoint)
            _, created = admin.call("CreateStateMachine", {
                "name": "waiting", "definition": json.dumps(MACHINE),
                "roleArn": "arn:aws:iam::123456789012:role/bench"})
            machine = created["stateMachineArn"]
            t0 = time.perf_counter()
            errors: list = []

            def start(client, i):
                code, body = client.call("StartExecution", {"stateMachineArn": machine,
                                                            "name": f"w{i}", "input": json.dumps({"i": i})})
                if code != 200:
                    errors.append(body)

            parallel(args.clients, list(range(n)), start)
            started = time.perf_counter() - t0

            def parked() -> int:
                if not os.path.exists(tokens_file):
                    return 0
                with open(tokens_file) as fh:
                    return sum(1 for _ in fh)

            while parked() < n:
                time.sleep(0.2)
            waiting = time.perf_counter() - t0
            rss = peak_rss_mb(proc.pid)
            with open(tokens_file) as fh:
                tokens = [line.strip() for line in fh if line.strip()]
            t1 = time.perf_counter()

            def resume(client, token):
                code, body = client.call("SendTaskSuccess", {"taskToken": token, "output": '{"ok":true}'})
                if code != 200:
                    errors.append(body)

            parallel(args.clients, tokens, resume)
            resumed = time.perf_counter() - t1
            succeeded, token = 0, None
            while True:
                body = {"stateMachineArn": machine, "statusFilter": "SUCCEEDED", "maxResults": 1000}
                if token:
                    body["nextToken"] = token
                _, page = admin.call("ListExecutions", body)
                succeeded += len(page["executions"])
                token = page.get("nextToken")
                if not token:
                    break
            print(f"{n} executions started in {started:.1f} s, all parked on a token after {waiting:.1f} s")
            print(f"server peak RSS while {n} wait: {rss:.0f} MB")
            print(f"SendTaskSuccess for all {n}: {resumed:.1f} s ({n / resumed:,.0f}/s); "
                  f"SUCCEEDED {succeeded}, lost {n - succeeded}, errors {len(errors)}")
        finally:
            proc.terminate()
            proc.wait(10)


endpoint = ""

if __name__ == "__main__":
    main()
