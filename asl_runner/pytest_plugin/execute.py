"""One run of a machine under test: ``asl_runner.run``'s wiring, with the test's token
answers outermost and a wait that nothing can end reported instead of blocking the test."""

from __future__ import annotations

from typing import Any

from .tokens import TokenAnswers


class _WaitsForever(Exception):
    pass


def execute(model: Any, input: Any, *, mocks: dict, answers: TokenAnswers | None, clock: Any,
            name: str | None, state_machine_name: str, lambdas: str | None,
            handlers: dict | None, machines: dict | None) -> tuple[Any, bool]:
    """The Execution run to its end, and False; or left RUNNING, and True, when only an
    answer nobody will give (a task token, an activity worker) could take it further."""
    import warnings

    from .. import load, start
    from ..engine import Runner
    from ..integrations import Integrations
    from ..integrations.run_api import RunApi
    from ..mocks import MockedIntegrations, always, for_run
    from ..model import StateMachine

    integrations = Integrations(lambdas, handlers, machines={
        child: m if isinstance(m, StateMachine) else load(m) for child, m in (machines or {}).items()})
    invoker: Any = integrations
    if mocks:
        chosen, _, notes = for_run(mocks, None, model, state_machine_name)
        for note in notes:  # (the machine refused stubs that cannot apply: none are expected)
            warnings.warn(note, stacklevel=3)
        invoker = MockedIntegrations(invoker, always(chosen))
    execution = start(model, input, clock=clock, name=name, state_machine_name=state_machine_name)
    integrations.clock = execution.clock  # children run on the clock of the one that starts them
    integrations.runs = RunApi(integrations)
    execution.children = integrations.children
    if answers is not None:
        invoker = answers.around(invoker, integrations.runs)

    def waits_forever(ex: Any) -> None:
        raise _WaitsForever

    try:
        with Runner(invoker, on_wait_forever=waits_forever) as runner:
            integrations.runs.register(execution, runner)
            try:
                runner.run(execution)
            except _WaitsForever:
                return execution, True
    finally:
        integrations.close()
    return execution, False
