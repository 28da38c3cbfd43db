"""Distributed Map over a CSV object in moto S3, each row through a trivial local Lambda
handler: 10,000 and 100,000 rows, unbatched and in batches of 100 items (ItemBatcher), results
exported with a ResultWriter. Prints items/s and the peak RSS (VmHWM) of the process that ran
it: each workload runs in a fresh child process, so one run's memory does not hide another's.

S3 is a moto server in a process of its own (as S3 is not in the runner's process on AWS):
the figure is asl-runner's own memory. ``--in-process`` runs moto inside the measured process
instead (asl-runner's default for a run), where the S3 objects, the exported results among
them, are held in memory too and count.

The acceptance bar (issue 11): peak RSS under 300 MB, and not growing with the row count.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from typing import Any

from _common import report

ROWS = (10_000, 100_000)
BATCH = 100


def definition(batched: bool, execution_type: str = "EXPRESS", **more: Any) -> dict:
    """The Map over rows.csv; ``more``: further fields of the Map state."""
    state: dict = {
        "Type": "Map", "Label": "Rows", "End": True, **more,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "bench", "Key": "rows.csv"}},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "Process",
            "States": {"Process": {"Type": "Task", "End": True, "Resource":
                                   "arn:aws:lambda:us-east-1:123456789012:function:process"}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "bench", "Prefix": "out"}},
    }
    if batched:
        state["ItemBatcher"] = {"MaxItemsPerBatch": BATCH}
    return {"StartAt": "Map", "States": {"Map": state}}


def csv_setup(rows: int) -> list[dict]:
    return [{"service": "s3", "op": "create_bucket", "params": {"Bucket": "bench"}},
            {"service": "s3", "op": "put_object",
             "params": {"Bucket": "bench", "Key": "rows.csv", "Body": csv_body(rows)}}]


def csv_body(rows: int) -> str:
    lines = ["id,name,amount"]
    lines += [f"{i},customer-{i},{i % 1000}.{i % 100:02d}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def process(event, context):
    items = event["Items"] if isinstance(event, dict) and "Items" in event else [event]
    return {"count": len(items), "total": sum(float(item["amount"]) for item in items)}


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workload(rows: int, batched: bool, endpoint: str | None, out: multiprocessing.Queue) -> None:
    import os

    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    import asl_runner

    # with an S3 of its own the object is put there first, by the parent: the CSV text is then
    # never in this process
    setup = None if endpoint else csv_setup(rows)
    before = peak_rss_mb()
    t0 = time.perf_counter()
    execution = asl_runner.run(definition(batched), {}, handlers={"process": process},
                               aws_setup=setup, clock="virtual")
    seconds = time.perf_counter() - t0
    ok = execution.status == "SUCCEEDED"
    out.put({"ok": ok, "seconds": seconds, "peak": peak_rss_mb(), "before": before,
             "detail": "" if ok else f"{execution.error}: {execution.cause}"})


def serve_s3(port: int, stop: Any) -> None:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    stop.wait()
    server.stop()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(rows: int, batched: bool, in_process: bool = False) -> dict:
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: its own peak
    stop = context.Event()
    server = None
    endpoint = None
    if not in_process:
        port = free_port()
        server = context.Process(target=serve_s3, args=(port, stop))
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(port)
        put_csv(endpoint, rows)
    out = context.Queue()
    child = context.Process(target=workload, args=(rows, batched, endpoint, out))
    child.start()
    result = out.get()
    child.join()
    if server is not None:
        stop.set()
        server.join(timeout=10)
    return result


def put_csv(endpoint: str, rows: int) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    for call in csv_setup(rows):
        getattr(s3, call["op"])(**call["params"])


def wait_for(port: int) -> None:
    import socket

    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("the moto server did not start")


def main() -> None:
    in_process = "--in-process" in sys.argv
    peaks = []
    for batched in (False, True):
        for rows in ROWS:
            result = measure(rows, batched, in_process)
            kind = f"batches of {BATCH}" if batched else "unbatched"
            if not result["ok"]:
                print(f"distributed Map {rows} rows {kind}: FAILED {result['detail']}")
                sys.exit(1)
            peaks.append(result["peak"])
            report(f"distributed Map: CSV {rows:,} rows, {kind}", rows / result["seconds"],
                   "items/s", f"(peak RSS {result['peak']:.0f} MB, {result['before']:.0f} MB "
                   f"before the run; {result['seconds']:.1f} s)")
    print(json.dumps({"max_peak_rss_mb": round(max(peaks))}))


if __name__ == "__main__":
    main()
