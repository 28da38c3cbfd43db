"""Map over 3,500 items, each invoking a trivial local Lambda handler, with MaxConcurrency
0 (no limit) and 1.

3,500, not more: an item writes 7 events, and AWS ends an execution at its 25,000th event (an
inline Map of 10,000 Lambda calls fails on AWS; a Distributed Map is its answer)."""

from __future__ import annotations

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.integrations import Integrations

from _common import best_of, report

ITEMS = 3_500


def definition(max_concurrency: int) -> dict:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {"Type": "Map", "MaxConcurrency": max_concurrency,
                     "ItemProcessor": {"StartAt": "Double", "States": {
                         "Double": {"Type": "Task",
                                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Double",
                                    "End": True}}},
                     "End": True},
        },
    }


def double(event, context):
    return event * 2


def main() -> None:
    items = list(range(ITEMS))
    for max_concurrency in (0, 1):
        machine = asl_runner.load(definition(max_concurrency))

        def once(machine=machine):
            ex = Execution(machine, items, clock=VirtualClock())
            with Runner(Integrations(handlers={"Double": double})) as runner:
                runner.run(ex)
            assert ex.status == "SUCCEEDED" and ex.output[-1] == 2 * (ITEMS - 1)
            return ex

        seconds, ex = best_of(once, repeat=3)
        report(f"map+lambda: MaxConcurrency {max_concurrency}", ITEMS / seconds, "items/s",
               f"({ITEMS} invocations, {len(ex.history)} events, {seconds * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
