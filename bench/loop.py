"""Choice + Pass loop: 10,000 transitions, a counter incremented with States.MathAdd, the
history recorded (each transition writes its Entered and Exited events)."""

from __future__ import annotations

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution

from _common import best_of, report

TRANSITIONS = 10_000
DEFINITION = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice",
                  "Choices": [{"Variable": "$.i", "NumericLessThan": TRANSITIONS // 2, "Next": "Inc"}],
                  "Default": "Done"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Done": {"Type": "Succeed"},
    },
}


def measure(definition: dict, label: str) -> None:
    """Run the loop ``definition`` (counting ``$.i`` up to TRANSITIONS / 2) and report it."""
    machine = asl_runner.load(definition)

    def once():
        ex = Execution(machine, {"i": 0}, clock=VirtualClock())
        ex.start()
        assert ex.status == "SUCCEEDED" and ex.output == {"i": TRANSITIONS // 2}, ex.cause
        return ex

    seconds, ex = best_of(once)
    transitions = (len(ex.history) - 2) // 2
    report(label, transitions / seconds, "transitions/s",
           f"({transitions} transitions, {len(ex.history)} events, {seconds * 1000:.0f} ms)")


def main() -> None:
    measure(DEFINITION, "loop: Choice+Pass, MathAdd, history")


if __name__ == "__main__":
    main()
