"""Mock files as tests: each TestCase of a Step Functions Local mock configuration file
(``MockConfigFile.json`` or ``*.mock.json``) is a pytest item, checked against what an
expectations file beside it declares.

The mock file stays exactly what Step Functions Local reads (asl-runner's reader, like a
careful user, refuses keys it does not know), so what the tests expect lives in a sidecar of
the same shape: ``MockConfigFile.expect.json`` beside ``MockConfigFile.json``, and
``orders.expect.json`` beside ``orders.mock.json``::

    {"StateMachines": {"ChargeAndNotify": {
        "Definition": "charge_and_notify.asl.json",    (relative to the sidecar)
        "Input": {...},                                (every test case's, unless its own)
        "TestCases": {"HappyPath": {"Input": {...},
                                    "Expect": {"Status": "SUCCEEDED", "Output": {...},
                                               "Path": ["ChargeCard", "SendReceipt"]}}}}}}

A mock file without a sidecar is only collected when named on the command line (then the
missing sidecar is the error): a project may keep one for Step Functions Local alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
_MACHINE_KEYS = ("Definition", "Input", "TestCases")
_CASE_KEYS = ("Input", "Expect")
_EXPECT_KEYS = ("Status", "Output", "Error", "Cause", "Path")


def is_mock_file(path: Path) -> bool:
    return path.name == "MockConfigFile.json" or path.name.endswith(".mock.json")


def sidecar_of(path: Path) -> Path:
    stem = path.name[:-len(".json")]
    return path.with_name(stem.removesuffix(".mock") + ".expect.json")


def pytest_collect_file(file_path: Path, parent: Any) -> Any:
    if is_mock_file(file_path) and (sidecar_of(file_path).is_file()
                                    or parent.session.isinitpath(file_path)):
        return MockFile.from_parent(parent, path=file_path)
    return None


class _Refused(Exception):
    """A mock file or sidecar that cannot be used, or a test case that did not do what its
    sidecar declares: the message is the whole report (no traceback of the plugin's)."""


class MockFile(pytest.File):
    def collect(self) -> Any:
        from ..mocks import MockConfigError, read_mock_config

        sidecar = sidecar_of(self.path)
        if not sidecar.is_file():
            raise _Refused(f"{self.path.name}: no expectations file {sidecar.name} beside it: it "
                           "says which definition each state machine is and what each test "
                           "case should do (see the README, 'Mock files as tests')")
        try:
            config = read_mock_config(self.path)
        except MockConfigError as exc:
            raise _Refused(str(exc)) from None
        expected = read_expectations(sidecar, config)
        for machine, cases in config.test_cases.items():
            for name, case in cases.items():
                yield MockCase.from_parent(self, name=f"{machine}#{name}", case=case,
                                           mock_config=config, spec=expected.get(machine, {}),
                                           sidecar=sidecar)

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, _Refused):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class MockCase(pytest.Item):
    """One TestCase: the definition run with the test case's mocks, checked against its
    ``Expect``."""

    def __init__(self, *, case: Any, mock_config: Any, spec: dict, sidecar: Path, **kw: Any) -> None:
        super().__init__(**kw)
        self.case = case
        self.mock_config = mock_config
        self.spec = spec
        self.sidecar = sidecar

    def runtest(self) -> None:
        case_spec = self.spec.get("TestCases", {}).get(self.case.name)
        where = f"{self.sidecar.name}: /StateMachines/{self.case.machine}"
        if "Definition" not in self.spec:
            raise _Refused(f"{where}: no 'Definition' for the state machine "
                           f"'{self.case.machine}': name its definition file there")
        if case_spec is None or "Expect" not in case_spec:
            raise _Refused(f"{where}/TestCases/{self.case.name}: no 'Expect' for this test "
                           "case: declare its Status (and Output, Error, Cause, Path as wanted)")
        machine = self._machine()
        input = case_spec.get("Input", self.spec.get("Input", {}))
        check(machine.run(input), case_spec["Expect"], f"{self.case.machine}#{self.case.name}")

    def _machine(self) -> Any:
        from ..errors import AslRunnerError, StatesError
        from .coverage import SESSION
        from .machine import StateMachines

        parsed = self.session.stash.setdefault(_DEFINITIONS, {})
        machines = StateMachines(parsed, coverage=self.config.stash.get(SESSION, None))
        try:
            machine = machines.load(self.sidecar.parent / self.spec["Definition"],
                                    name=self.case.machine)
        except AslRunnerError as exc:  # not a definition that runs: say why, as `validate` does
            raise _Refused("\n".join(f"{self.spec['Definition']}: {line}"
                                     for line in str(exc).splitlines())) from None
        for state, response in self.case.states.items():
            results = [StatesError(a.outcome.error, a.outcome.cause) if hasattr(a.outcome, "error")
                       else a.outcome.value
                       for a in response.answers for _ in range(a.first, a.last + 1)]
            try:
                machine.stub(state, results=results)
            except ValueError as exc:
                raise _Refused(f"{self.mock_config.source}: {self.case.pointer}/{state}: "
                               f"{exc}") from None
        return machine

    def repr_failure(self, excinfo: Any, style: Any = None) -> Any:
        if isinstance(excinfo.value, _Refused):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple:
        return self.path, None, self.name


_DEFINITIONS = pytest.StashKey[dict]()


def check(run: Any, expect: dict, label: str) -> None:
    """Raise _Refused with the plugin's explanation when ``run`` is not what ``expect`` says."""
    status = expect.get("Status", "SUCCEEDED")
    try:
        if status == "SUCCEEDED":
            run.assert_succeeded(**({"output": expect["Output"]} if "Output" in expect else {}))
        elif status == "FAILED":
            run.assert_failed(error=expect.get("Error"), cause=expect.get("Cause"))
        elif run.status != status or run.stuck:
            from .explain import explain_run

            raise AssertionError(explain_run(run, f"expected the execution to end {status}"))
        if "Path" in expect:
            run.assert_path(*expect["Path"])
    except AssertionError as exc:
        raise _Refused(f"{label}: {exc}") from None


def read_expectations(path: Path, config: Any) -> dict:
    """The sidecar, checked against itself and the mock file: every problem at its pointer."""
    from ..jsonvalue import JsonInputError, loads
    from ..validation.report import Report

    try:
        document = loads(path.read_bytes())
    except OSError as exc:
        raise _Refused(f"{path.name}: cannot be read: {exc.strerror or exc}") from None
    except JsonInputError as exc:
        raise _Refused(f"{path.name}: not valid JSON: {exc}") from None
    report = Report()
    _check_document(report, document, config, path.parent)
    if report.problems:
        raise _Refused("\n".join(f"{path.name}: {p.pointer}: {p.message}" if p.pointer
                                 else f"{path.name}: {p.message}" for p in report.problems))
    return document["StateMachines"]


def _check_document(report: Any, document: Any, config: Any, base: Path) -> None:
    from ..validation.report import a_type, child, did_you_mean, quote

    def is_object(pointer: str, value: Any, what: str) -> bool:
        if not isinstance(value, dict):
            report.add(pointer, f"must be {what}, not {a_type(value)}")
        return isinstance(value, dict)

    def known_keys(pointer: str, value: dict, allowed: tuple) -> None:
        for key in value:
            if key not in allowed:
                report.add(child(pointer, key), f"unknown key {quote(key)}"
                           f"{did_you_mean(key, allowed)}: it may have {', '.join(allowed)}")

    if not is_object("", document, "an object with 'StateMachines'"):
        return
    known_keys("", document, ("StateMachines",))
    machines = document.get("StateMachines")
    if not is_object("/StateMachines", machines, "the state machines by name, as in the mock file"):
        return
    for machine, body in machines.items():
        pointer = child("/StateMachines", machine)
        cases = config.test_cases.get(machine)
        if cases is None:
            report.add(pointer, f"the mock file has no state machine {quote(machine)}"
                                f"{did_you_mean(machine, config.test_cases)}")
            continue
        if not is_object(pointer, body, "an object with 'Definition' and 'TestCases'"):
            continue
        known_keys(pointer, body, _MACHINE_KEYS)
        definition = body.get("Definition")
        if definition is not None and not (isinstance(definition, str)
                                           and os.path.isfile(base / definition)):
            report.add(child(pointer, "Definition"),
                       f"names no definition file: {quote(definition)} (relative to this file)")
        cases_pointer = child(pointer, "TestCases")
        raw_cases = body.get("TestCases", {})
        if not is_object(cases_pointer, raw_cases, "the test cases by name"):
            continue
        for name, spec in raw_cases.items():
            where = child(cases_pointer, name)
            if name not in cases:
                report.add(where, f"the mock file has no test case {quote(name)} for "
                                  f"{quote(machine)}{did_you_mean(name, cases)}")
            elif is_object(where, spec, "an object with 'Expect' (and 'Input')"):
                known_keys(where, spec, _CASE_KEYS)
                if "Expect" in spec:
                    _check_expect(report, child(where, "Expect"), spec["Expect"], is_object,
                                  known_keys)


def _check_expect(report: Any, pointer: str, expect: Any, is_object: Any, known_keys: Any) -> None:
    from ..validation.report import a_type, child, quote

    if not is_object(pointer, expect, "an object with 'Status' (and 'Output', 'Error', 'Cause', "
                                      "'Path')"):
        return
    known_keys(pointer, expect, _EXPECT_KEYS)
    status = expect.get("Status", "SUCCEEDED")
    if status not in _STATUSES:
        report.add(child(pointer, "Status"), f"must be one of {', '.join(_STATUSES)}, not "
                                             f"{quote(status)}")
    for key in ("Error", "Cause"):
        if key in expect and status != "FAILED":
            report.add(child(pointer, key), f"an execution that ends {status} has no {key.lower()}"
                                            ": 'Status' is FAILED with it")
        elif key in expect and not isinstance(expect[key], str):
            report.add(child(pointer, key), f"must be a string, not {a_type(expect[key])}")
    if "Output" in expect and status != "SUCCEEDED":
        report.add(child(pointer, "Output"), f"an execution that ends {status} has no output")
    path = expect.get("Path", [])
    if not (isinstance(path, list) and all(isinstance(p, str) for p in path)):
        report.add(child(pointer, "Path"), "must be a list of state names (the top level's, in "
                                           "the order entered)")
