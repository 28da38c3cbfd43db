"""The Choice + Pass loop of loop.py written in JSONata: 10,000 transitions, a Condition on
the counter, the counter incremented in an Output, the history recorded. Beside loop.py's
figure it says what JSONata costs per transition (issue 9: at least half as fast)."""

from __future__ import annotations

from loop import TRANSITIONS, measure

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
    measure(DEFINITION, "loop: Choice+Pass in JSONata, history")


if __name__ == "__main__":
    main()
