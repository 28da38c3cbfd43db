"""One in-process run, as ``asl_runner.run`` and the pytest plugin make it: the execution, its
integrations (local handlers, the run's own mocked AWS account, the child machines it may
start, the task tokens it answers) and the invoker its tasks go to, mocks first.

:meth:`LocalRun.drive` runs it to its end and closes what it opened; a caller that wants to
answer tasks itself (the plugin's token answers) wraps :attr:`LocalRun.invoker` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LocalRun:
    def __init__(self, definition: Any, input: Any = None, *, lambdas: str | None = None,
                 handlers: dict | None = None, mocks: Any = None, test_case: str | None = None,
                 machines: dict | None = None, aws_setup: Any = None, clock: Any = None,
                 name: str | None = None, state_machine_name: str = "StateMachine",
                 mock_warning_level: int = 3, execution: Any = None,
                 functions: dict | None = None, state_machine: str | None = None,
                 subs: dict | None = None, **kw: Any):
        from . import load, start
        from .integrations import Integrations
        from .integrations.run_api import RunApi
        from .model import StateMachine
        from .templates import is_file_path

        if is_file_path(definition):  # a file, perhaps a template with functions of its own
            from .templates import load_definition

            loaded = load_definition(definition, state_machine, subs)
            definition = load(loaded.definition)
            functions = {**loaded.handlers, **(functions or {})}
            if loaded.others:  # the template's other machines, which a task may start
                import warnings

                from .templates import sibling_machines

                siblings, notes = sibling_machines(loaded, subs)
                machines = {**siblings, **(machines or {})}
                for note in notes:
                    warnings.warn(note, stacklevel=mock_warning_level)
        elif state_machine is not None or subs:
            raise TypeError("state_machine and subs are for a definition read from a file")

        self._setup = None
        if aws_setup is not None:
            from .integrations.setup import read_setup

            self._setup = read_setup(aws_setup)
        integrations = Integrations(lambdas, handlers, functions=functions, machines={
            child: m if isinstance(m, StateMachine) else load(m) for child, m in (machines or {}).items()})
        invoker: Any = integrations
        #: the mocks' invoker, which answers the activity tasks it mocks for their worker
        self._mocked: Any = None
        if mocks is not None:
            import warnings

            from .mocks import MockedIntegrations, MockWarning, always, for_run

            definition = definition if isinstance(definition, StateMachine) else load(definition)
            chosen, state_machine_name, notes = for_run(mocks, test_case, definition,
                                                        state_machine_name)
            for note in notes:
                warnings.warn(note, MockWarning, stacklevel=mock_warning_level)
            invoker = self._mocked = MockedIntegrations(invoker, always(chosen))
        elif test_case is not None:
            raise TypeError("test_case names a test case of a mock configuration: pass it as mocks=")
        if execution is not None:  # a redrive: the ended execution goes on (asl_runner.redrive)
            self.execution = execution
            integrations.children = execution.children
        else:
            self.execution = start(definition, input, clock=clock, name=name,
                                   state_machine_name=state_machine_name, **kw)
            self.execution.children = integrations.children
        integrations.clock = self.execution.clock  # children run on the clock of their parent
        integrations.runs = RunApi(integrations)
        self.integrations = integrations
        #: what the run's tasks are performed by (wrap it to answer some of them yourself)
        self.invoker: Any = invoker

    def drive(self, *, max_workers: int = 16,
              on_wait_forever: Callable[[Any], None] | None = None) -> Any:
        """Run the execution to its end (or until ``on_wait_forever`` raises) and close the
        run's integrations: one mocked AWS account per run, as ``asl-runner run`` has."""
        from .engine import Runner

        integrations = self.integrations
        try:
            if self._setup:
                from .integrations.setup import apply_setup

                apply_setup(integrations.aws, self._setup)
            answers = self._mocked.answers if self._mocked is not None else None
            with Runner(self.invoker, max_workers=max_workers, on_wait_forever=on_wait_forever,
                        answers_activity=answers) as runner:
                integrations.runs.register(self.execution, runner)
                runner.run(self.execution)
        finally:
            integrations.close()
        return self.execution
