"""One run of a machine under test: ``asl_runner.run``'s wiring, with the test's token
answers outermost and a wait that nothing can end reported instead of blocking the test."""

from __future__ import annotations

from typing import Any

from .tokens import TokenAnswers


class _WaitsForever(Exception):
    pass


def execute(model: Any, input: Any, *, mocks: dict, answers: TokenAnswers | None, clock: Any,
            name: str | None, state_machine_name: str, lambdas: str | None,
            handlers: dict | None, machines: dict | None,
            observer: Any = None, functions: dict | None = None,
            redriven: Any = None) -> tuple[Any, bool]:
    """The Execution run to its end, and False; or left RUNNING, and True, when only an
    answer nobody will give (a task token, an activity worker) could take it further.
    ``redriven``: an ended Execution to redrive instead (asl_runner.redrive)."""
    from ..local_run import LocalRun

    run = LocalRun(model, input, mocks=mocks or None, clock=clock, name=name,
                   state_machine_name=state_machine_name, lambdas=lambdas, handlers=handlers,
                   machines=machines, functions=functions, mock_warning_level=4,
                   execution=redriven)
    run.execution.observer = observer  # --sfn-cov's Recorder
    if redriven is not None:
        redriven.redrive()
    if answers is not None:
        run.invoker = answers.around(run.invoker, run.integrations.runs)

    def waits_forever(ex: Any) -> None:
        raise _WaitsForever

    try:
        run.drive(on_wait_forever=waits_forever)
    except _WaitsForever:
        return run.execution, True
    return run.execution, False
