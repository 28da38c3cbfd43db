"""Inline Map over 5,000 items, each iteration a Pass state."""

from __future__ import annotations

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution

from _common import best_of, report

ITEMS = 5_000
DEFINITION = {
    "StartAt": "Each",
    "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items",
                 "ItemProcessor": {"StartAt": "Touch", "States": {
                     "Touch": {"Type": "Pass", "Parameters": {"value.$": "$", "seen": True},
                               "End": True}}},
                 "End": True},
    },
}


def main() -> None:
    machine = asl_runner.load(DEFINITION)
    items = list(range(ITEMS))

    def once():
        ex = Execution(machine, {"items": items}, clock=VirtualClock())
        ex.start()
        assert ex.status == "SUCCEEDED" and len(ex.output) == ITEMS
        return ex

    seconds, ex = best_of(once)
    report("map: inline Map of Pass", ITEMS / seconds, "items/s",
           f"({ITEMS} items, {len(ex.history)} events, {seconds * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
