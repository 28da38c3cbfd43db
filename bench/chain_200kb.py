"""50 Pass states, each with InputPath, Parameters, ResultPath and OutputPath, over a 200 KB
document."""

from __future__ import annotations

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution
from asl_runner.jsonvalue import size_of

from _common import best_of, report

STATES = 50


def document() -> dict:
    records = [{"id": i, "name": f"customer-{i}", "email": f"c{i}@example.com",
                "tags": ["a", "b", "c"], "balance": i * 1.5} for i in range(1_900)]
    return {"meta": {"version": 1, "step": 0}, "records": records}


def definition() -> dict:
    states = {}
    for i in range(STATES):
        states[f"S{i}"] = {
            "Type": "Pass",
            "InputPath": "$",
            "Parameters": {"step.$": "$.meta.step", "first.$": "$.records[0]", "count": i},
            "ResultPath": f"$.results.s{i}",
            "OutputPath": "$",
            **({"Next": f"S{i + 1}"} if i < STATES - 1 else {"End": True}),
        }
    return {"StartAt": "S0", "States": states}


def main() -> None:
    machine = asl_runner.load(definition())
    doc = document()

    def once():
        ex = Execution(machine, doc, clock=VirtualClock())
        ex.start()
        assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
        return ex

    seconds, _ = best_of(once)
    report("chain: 50 Pass states over 200 KB", STATES / seconds, "states/s",
           f"(document {size_of(doc) // 1024} KB, {seconds * 1000:.1f} ms per run)")


if __name__ == "__main__":
    main()
