"""Machines under test: load, stub, answer task tokens, run.

A stub is an asl-runner mock (``asl_runner.mocks``), keyed by state name or resource ARN as
``asl_runner.run(mocks=...)`` keys them, so a stubbed task's history is the one its real
integration writes. A token answer plays the worker of a ``.waitForTaskToken`` task: it gets
the call (and its token) instead of the integration, and answers through the run's own
SendTaskSuccess/SendTaskFailure, as a worker answers on AWS.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .result import Run
from .stubs import UNSET, stub_mock
from .tokens import TokenAnswers, TokenTask


class StateMachines:
    """What the ``sfn`` fixture gives: loads definitions (a path, a dict or JSON text)."""

    def __init__(self, parsed: dict, coverage: Any = None) -> None:
        self._parsed = parsed
        self._coverage = coverage  # the session's SessionCoverage under --sfn-cov

    def load(self, definition: Any, *, name: str = "StateMachine", lambdas: str | None = None,
             handlers: dict | None = None, machines: dict | None = None,
             state_machine: str | None = None, subs: dict | None = None) -> Machine:
        """A machine to stub and run. A path is read once per session: a JSON or YAML
        definition, or a CloudFormation/SAM/CDK template whose state machine
        ``state_machine`` (a logical id; the only one by default) is taken, with ``subs``
        filling its ``${name}`` tokens and its Python functions as local handlers. ``name`` is
        the state machine's name (its ARN's last part); ``lambdas``, ``handlers`` and
        ``machines`` are ``asl_runner.run``'s, for the tasks no stub answers."""
        from .. import load
        from ..templates import is_file_path

        path = None
        functions: dict = {}
        if is_file_path(definition):
            key = (os.path.abspath(definition), state_machine, tuple(sorted((subs or {}).items())))
            cached = self._parsed.get(key)
            if cached is None:
                from ..templates import load_definition

                loaded = load_definition(definition, state_machine, subs)
                cached = self._parsed[key] = (load(loaded.definition), loaded.handlers,
                                              loaded.state_machine)
            model, functions, logical_id = cached
            # each of a template's machines is a definition of its own in the coverage report
            path = key[0] + (f"#{logical_id}" if logical_id else "")
        else:
            model = load(definition, state_machine=state_machine, subs=subs)
        recorder = None if self._coverage is None else self._coverage.recorder(model, path, name)
        return Machine(model, name, lambdas=lambdas, handlers=handlers, machines=machines,
                       recorder=recorder, functions=functions)


class Machine:
    """One definition with the stubs and token answers of one test. ``stub`` and ``on_token``
    return the machine, so they chain; ``run`` may be called any number of times."""

    def __init__(self, model: Any, name: str, *, lambdas: str | None, handlers: dict | None,
                 machines: dict | None, recorder: Any = None, functions: dict | None = None) -> None:
        self.model = model
        self._recorder = recorder
        self.name = name
        self._integrations = {"lambdas": lambdas, "handlers": handlers, "machines": machines,
                              "functions": functions}
        self._stubs: dict[str, Any] = {}
        self._answers: dict[str, Callable[[TokenTask], Any]] = {}

    def stub(self, target: str, *, result: Any = UNSET, error: tuple | str | None = None,
             results: list | None = None, fn: Callable[[Any, Any], Any] | None = None) -> Machine:
        """Answer the Task state ``target`` (or every Task calling the resource ARN ``target``)
        without calling anything: with ``result`` (the task's raw result, before
        ResultSelector: for ``lambda:invoke``, the Invoke response ``{"Payload": ...}``), an
        ``error`` (``"Name"`` or ``("Name", "cause")``), ``results`` (one per invocation,
        retries included; an item that is a ``StatesError`` is thrown), or ``fn(payload,
        call)``. Exactly one of them."""
        self._check_target(target)
        if target in self._answers:
            raise ValueError(f"'{target}' is answered by on_token already: its call is the test's, "
                             "so it cannot be stubbed too")
        self._stubs[target] = stub_mock(target, result=result, error=error, results=results, fn=fn)
        return self

    def on_token(self, state: str, answer: Callable[[TokenTask], Any]) -> Machine:
        """Play the worker of the ``.waitForTaskToken`` task ``state``: each call goes to
        ``answer(task)`` instead of the integration; ``task.succeed(output)``,
        ``task.fail(error, cause)`` or ``task.heartbeat()`` answer its token (none of them:
        the task waits, up to its timeout). What ``answer`` returns is the call's response
        (TaskSubmitted's output)."""
        found = _find_state(self.model, state)
        resource = getattr(found, "resource", None)
        if resource is None or resource.pattern != "waitForTaskToken":
            raise ValueError(f"on_token answers a Task state whose Resource ends in "
                             f".waitForTaskToken; '{state}' is "
                             f"{'not a state of the definition' if found is None else 'not one'}")
        if state in self._stubs:
            raise ValueError(f"'{state}' is stubbed already: a stub answers the whole task, "
                             "so there is no token to answer")
        self._answers[state] = answer
        return self

    def run(self, input: Any = None, *, clock: Any = "virtual", name: str | None = None) -> Run:
        """Run the machine to its end (on the virtual clock unless told otherwise)."""
        from .execute import execute

        answers = TokenAnswers(self._answers) if self._answers else None
        execution, stuck = execute(self.model, input, mocks=self._stubs, answers=answers,
                                   clock=clock, name=name, state_machine_name=self.name,
                                   observer=self._recorder, **self._integrations)
        return Run(execution, stuck=stuck)

    def redrive(self, run: Run) -> Run:
        """RedriveExecution of ``run`` (FAILED, ABORTED or TIMED_OUT), with the stubs and
        token answers as they are now (the fix): it goes on from the state that stopped it,
        as ``asl_runner.redrive`` does, and the new Run is the whole execution. Raises
        ``asl_runner.errors.ExecutionNotRedrivable`` where AWS would refuse."""
        from ..engine.redrive import check
        from .execute import execute

        check(run.execution)
        answers = TokenAnswers(self._answers) if self._answers else None
        execution, stuck = execute(self.model, None, mocks=self._stubs, answers=answers,
                                   clock=run.execution.clock, name=None,
                                   state_machine_name=self.name, observer=self._recorder,
                                   redriven=run.execution, **self._integrations)
        return Run(execution, stuck=stuck)

    def _check_target(self, target: str) -> None:
        from ..mocks import unused_mocks

        if not isinstance(target, str):
            raise TypeError(f"a stub's target is a state name or a resource ARN, not {target!r}")
        problems = unused_mocks({target: None}, self.model, resources=True, activities=True)
        if problems:
            raise ValueError(f"cannot stub '{target}': {problems[0].message.split(': this mock')[0]}")


def _find_state(machine: Any, name: str) -> Any:
    for state_name, state in machine.states.items():
        if state_name == name:
            return state
        inner = [*getattr(state, "branches", ()), *filter(None, [getattr(state, "processor", None)])]
        for sub in inner:
            found = _find_state(sub, name)
            if found is not None:
                return found
    return None
