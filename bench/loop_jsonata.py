"""The Choice + Pass loop of loop.py written in JSONata: 10,000 transitions, a Condition on
the counter, the counter incremented in an Output, the history recorded. Beside loop.py's
figure it says what JSONata costs per transition (issue 9: at least half as fast)."""

from __future__ import annotations

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution

from _common import best_of, report

TRANSITIONS = 10_000
DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice",
                  "Choices": [{"Condition": f"{{% $states.input.i < {TRANSITIONS // 2} %}}",
                               "Next": "Inc"}],
                  "Default": "Done"},
        "Inc": {"Type": "Pass", "Output": {"i": "{% $states.input.i + 1 %}"}, "Next": "Check"},
        "Done": {"Type": "Succeed"},
    },
}


def main() -> None:
    machine = asl_runner.load(DEFINITION)

    def once():
        ex = Execution(machine, {"i": 0}, clock=VirtualClock())
        ex.start()
        assert ex.status == "SUCCEEDED" and ex.output == {"i": TRANSITIONS // 2}, ex.cause
        return ex

    seconds, ex = best_of(once)
    transitions = (len(ex.history) - 2) // 2
    report("loop: Choice+Pass in JSONata, history", transitions / seconds, "transitions/s",
           f"({transitions} transitions, {len(ex.history)} events, {seconds * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
