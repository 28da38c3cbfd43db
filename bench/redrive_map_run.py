"""Redrive of a Distributed Map's Map Run over a CSV in moto S3: 10,000 and 100,000 rows,
STANDARD children through a local handler that fails every tenth row, 5% tolerated, so the
Map Run fails once every row is read (the percentage is of all items) with 10% of its
children failed; then the handler is fixed and the execution redriven, and only those run
again. Prints the redrive's rows/s and the peak RSS (VmHWM) of the process that ran both, a
fresh process per workload; S3 is a moto server of its own (see distributed_map_csv.py).

The bar (issue 11): peak RSS under 300 MB, and not growing with the row count.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time

from distributed_map_csv import definition, free_port, peak_rss_mb, put_csv, serve_s3, wait_for

from _common import report

ROWS = (10_000, 100_000)
DEFINITION = definition(False, "STANDARD", ToleratedFailurePercentage=5)


def broken(event, context):
    if int(event["id"]) % 10 == 0:
        raise ValueError(f"row {event['id']} is broken")
    return fixed(event, context)


def fixed(event, context):
    return {"id": event["id"], "amount": float(event["amount"])}


def workload(rows: int, endpoint: str, out: multiprocessing.Queue) -> None:
    import os

    os.environ["AWS_ENDPOINT_URL"] = endpoint
    import asl_runner

    execution = asl_runner.run(DEFINITION, {}, handlers={"process": broken}, clock="virtual")
    failed = execution.status == "FAILED"
    t0 = time.perf_counter()
    asl_runner.redrive(execution, handlers={"process": fixed})
    seconds = time.perf_counter() - t0
    [map_run] = execution.map_runs.values()
    counts = map_run.describe()["itemCounts"]
    ok = failed and execution.status == "SUCCEEDED" and counts["succeeded"] == rows
    out.put({"ok": ok, "seconds": seconds, "peak": peak_rss_mb(), "detail": f"{counts}"})


def measure(rows: int) -> dict:
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    port = free_port()
    server = context.Process(target=serve_s3, args=(port, stop))
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    wait_for(port)
    put_csv(endpoint, rows)
    out = context.Queue()
    child = context.Process(target=workload, args=(rows, endpoint, out))
    child.start()
    result = out.get()
    child.join()
    stop.set()
    server.join(timeout=10)
    return result


def main() -> None:
    peaks = []
    for rows in ROWS:
        result = measure(rows)
        if not result["ok"]:
            print(f"redrive of a Map Run, {rows} rows: FAILED {result['detail']}")
            sys.exit(1)
        peaks.append(result["peak"])
        report(f"redriven Map Run: CSV {rows:,} rows, 10% again", rows // 10 / result["seconds"],
               "rows/s", f"(peak RSS {result['peak']:.0f} MB over the run and its redrive; "
               f"redrive {result['seconds']:.1f} s)")
    print(json.dumps({"max_peak_rss_mb": round(max(peaks))}))


if __name__ == "__main__":
    main()
