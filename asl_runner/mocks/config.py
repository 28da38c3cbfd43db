"""AWS Step Functions Local's mock configuration file (``MockConfigFile.json``), read and checked.

    {"StateMachines": {"MACHINE": {"TestCases": {"TEST": {"STATE": "RESPONSE", ...}}}},
     "MockedResponses": {"RESPONSE": {"0": {"Return": VALUE},
                                      "1-2": {"Throw": {"Error": "E", "Cause": "C"}}}}}

A test case maps Task state names to mocked responses. A mocked response answers a state's
invocations by number: zero-based, counted per state across one execution (every attempt
counts, retries included, and Map iterations share their state's count), one number (``"0"``)
or an inclusive range (``"1-2"``) at a time. AWS's guide asks for a response to every
invocation, numbered consecutively, so the ranges must cover 0, 1, 2, ... without gaps or
overlaps. ``Return`` is the task's result, any JSON value; ``Throw`` fails the task with its
``Error`` and ``Cause`` (both strings, as the guide says).

Everything wrong with a file is reported at once, each problem at its JSON pointer
(:class:`MockConfigError`). Whether a test case names states of the definition it runs with
can only be told once the two meet: :func:`unused_mocks` says which entries can never apply.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..errors import AslRunnerError, Problem
from ..jsonvalue import JsonInputError, loads
from ..validation.report import (
    Report,
    a_type,
    child,
    did_you_mean,
    in_document_order,
    listing,
    quote,
)

#: what Step Functions Local reads when SFN_MOCK_CONFIG is not set: this file, in the directory
#: it was started from
DEFAULT_FILE = "MockConfigFile.json"
ENV_VAR = "SFN_MOCK_CONFIG"

_TOP_KEYS = ("StateMachines", "MockedResponses")


class MockConfigError(AslRunnerError):
    """A mock configuration that cannot be used; ``problems`` lists each problem at its JSON
    pointer into the file, and the message says which file (``source``)."""

    def __init__(self, source: str, problems: list[Problem] | tuple[Problem, ...]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """One line per problem: ``SOURCE: POINTER: message`` (no pointer for the file as a
        whole, such as JSON that does not parse)."""
        return [f"{self.source}: {p.pointer}: {p.message}" if p.pointer
                else f"{self.source}: {p.message}" for p in self.problems]


@dataclass(frozen=True, slots=True)
class Return:
    value: Any


@dataclass(frozen=True, slots=True)
class Throw:
    error: str
    cause: str


@dataclass(frozen=True, slots=True)
class Answers:
    """The answer to invocations ``first`` to ``last`` (inclusive)."""

    first: int
    last: int
    outcome: Return | Throw


@dataclass(frozen=True)
class MockedResponse:
    """One entry of ``MockedResponses``: what each invocation of a mocked state gets."""

    name: str
    answers: tuple[Answers, ...]  # in order, consecutive from invocation 0

    def answer(self, number: int) -> Return | Throw | None:
        """The outcome of invocation ``number``; None past the last range."""
        for answers in self.answers:
            if answers.first <= number <= answers.last:
                return answers.outcome
        return None

    @property
    def invocations(self) -> int:
        """How many invocations it answers."""
        return self.answers[-1].last + 1


@dataclass(frozen=True)
class TestCase:
    """One test case of one state machine: state name -> its mocked response."""

    __test__ = False  # not a pytest class, wherever it is imported

    machine: str
    name: str
    states: Mapping[str, MockedResponse]
    pointer: str  # of the test case in the file, for messages


@dataclass(frozen=True)
class MockConfig:
    source: str  # the file's path (or what the caller called the structure)
    test_cases: Mapping[str, Mapping[str, TestCase]]  # state machine name -> name -> test case
    responses: Mapping[str, MockedResponse]

    def test_case(self, machine: str, name: str) -> TestCase:
        """The test case ``name`` of the state machine ``machine``; MockConfigError (at the
        machine's or its test cases' pointer) when the file has no such thing."""
        cases = self.test_cases.get(machine)
        if cases is None:
            known = _all(sorted(self.test_cases)) or "none"
            raise MockConfigError(self.source, [Problem(
                "/StateMachines", f"no state machine named {quote(machine)}"
                f"{did_you_mean(machine, self.test_cases)} (the file mocks {known})")])
        case = cases.get(name)
        if case is None:
            known = _all(sorted(cases)) or "none"
            raise MockConfigError(self.source, [Problem(
                child(child("/StateMachines", machine), "TestCases"),
                f"no test case named {quote(name)}{did_you_mean(name, cases)} for the state "
                f"machine {quote(machine)} (it has {known})")])
        return case

    def select(self, spec: str, machine: str) -> TestCase:
        """The test case a command line or API call names: ``MACHINE#TEST``, or ``TEST`` of the
        state machine ``machine`` or, when the file mocks a single state machine, of that one
        (a definition run from a file has no name of its own to match)."""
        if "#" in spec:
            machine, _, spec = spec.partition("#")
        elif machine not in self.test_cases and len(self.test_cases) == 1:
            machine = next(iter(self.test_cases))
        return self.test_case(machine, spec)


def read_mock_config(path: str | os.PathLike) -> MockConfig:
    """Read and check a mock configuration file; MockConfigError for anything wrong with it,
    including a file that cannot be read or is not JSON."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise MockConfigError(source, [Problem("", f"cannot read the mock configuration file: "
                                                   f"{exc.strerror or exc}")]) from None
    try:
        document = loads(raw)
    except JsonInputError as exc:
        raise MockConfigError(source, [Problem("", f"not valid JSON: {exc}")]) from None
    return parse_mock_config(document, source)


def parse_mock_config(document: Any, source: str = "mock configuration") -> MockConfig:
    """Check a mock configuration (the file's structure, as Python values) and build it."""
    report = Report()
    if not isinstance(document, dict):
        report.add("", "a mock configuration is a JSON object with 'StateMachines' and "
                       f"'MockedResponses', not {a_type(document)}")
        raise MockConfigError(source, report.problems)
    misspelt = _unknown_keys(report, "", document, _TOP_KEYS, "a mock configuration has")
    for key in _TOP_KEYS:
        if key not in document and not misspelt:
            report.add("", f"{quote(key)} is missing: a mock configuration has 'StateMachines' "
                           "and 'MockedResponses'")
    responses: dict[str, MockedResponse] = {}
    raw_responses = document.get("MockedResponses", {})
    if _is_object(report, "/MockedResponses", raw_responses, "the mocked responses by name"):
        for name, body in raw_responses.items():
            response = parse_mocked_response(report, child("/MockedResponses", name), name, body)
            if response is not None:
                responses[name] = response
    test_cases = _state_machines(report, document.get("StateMachines", {}), raw_responses,
                                 responses)
    if report.problems:
        raise MockConfigError(source, in_document_order(document, report.problems))
    return MockConfig(source, MappingProxyType(test_cases), MappingProxyType(responses))


def _state_machines(report: Report, raw: Any, raw_responses: Any,
                    responses: dict[str, MockedResponse]) -> dict[str, dict[str, TestCase]]:
    machines: dict[str, dict[str, TestCase]] = {}
    if not _is_object(report, "/StateMachines", raw, "the state machines by name"):
        return machines
    known = raw_responses if isinstance(raw_responses, dict) else {}
    for machine, body in raw.items():
        pointer = child("/StateMachines", machine)
        if not _is_object(report, pointer, body, "an object with 'TestCases'"):
            continue
        misspelt = _unknown_keys(report, pointer, body, ("TestCases",), "a state machine has")
        if "TestCases" not in body and not misspelt:
            report.add(pointer, "'TestCases' is missing")
        cases_pointer = child(pointer, "TestCases")
        cases = body.get("TestCases", {})
        if not _is_object(report, cases_pointer, cases, "the test cases by name"):
            continue
        machines[machine] = {}
        for name, states in cases.items():
            case_pointer = child(cases_pointer, name)
            if not _is_object(report, case_pointer, states,
                              "an object mapping state names to mocked responses"):
                continue
            mocked: dict[str, MockedResponse] = {}
            for state, response in states.items():
                where = child(case_pointer, state)
                if not isinstance(response, str):
                    report.add(where, f"names a mocked response, so it is a string, not "
                                      f"{a_type(response)}")
                elif response not in known:
                    report.add(where, f"no mocked response named {quote(response)} in "
                                      f"/MockedResponses{did_you_mean(response, known)}")
                elif response in responses:
                    mocked[state] = responses[response]
            machines[machine][name] = TestCase(machine, name, MappingProxyType(mocked),
                                               case_pointer)
    return machines


def parse_mocked_response(report: Report, pointer: str, name: str, body: Any) -> MockedResponse | None:
    """One mocked response (``{"0": {...}, "1-2": {...}}``), its problems added to ``report``;
    None if it has any."""
    if not _is_object(report, pointer, body, 'an object of invocation ranges such as "0" or "1-2"'):
        return None
    if not body:
        report.add(pointer, 'answers no invocation: give at least "0"')
        return None
    before = len(report.problems)
    spans: list[tuple[int, int, str, Return | Throw | None]] = []
    ranges_ok = True
    for key, value in body.items():
        where = child(pointer, key)
        span = _span(key)
        if span is None:
            report.add(where, "the invocation range must be N or N-M (zero-based invocation "
                              'numbers, such as "0" or "1-2")')
            ranges_ok = False
        elif span[1] < span[0]:
            report.add(where, f"the invocation range ends before it starts ({span[1]} < {span[0]})")
            ranges_ok = False
        else:
            spans.append((span[0], span[1], key, _outcome(report, where, value)))
    spans.sort(key=lambda s: s[0])
    # a range that does not read may be what fills a gap: gaps are told once all ranges read
    _check_coverage(report, pointer, spans, gaps=ranges_ok)
    if len(report.problems) > before:
        return None
    return MockedResponse(name, tuple(Answers(first, last, outcome)
                                      for first, last, _, outcome in spans))


def _check_coverage(report: Report, pointer: str, spans: list, *, gaps: bool) -> None:
    covered = -1  # the last invocation answered so far
    previous = ""
    for first, last, key, _ in spans:
        where = child(pointer, key)
        if first <= covered:
            report.add(where, f"overlaps {quote(previous)}: invocation {first} would have two "
                              "responses")
        elif first > covered + 1 and gaps:
            gap = (f"invocation {covered + 1}" if first == covered + 2
                   else f"invocations {covered + 1}-{first - 1}")
            report.add(where, f"nothing answers {gap}: invocations are numbered from 0, and "
                              "every one needs a response")
        covered = max(covered, last)
        previous = key


def _span(key: str) -> tuple[int, int] | None:
    first, dash, last = key.partition("-")
    if not (first.isascii() and first.isdigit()) or (dash and not (last.isascii() and last.isdigit())):
        return None
    return int(first), int(last) if dash else int(first)


def _outcome(report: Report, pointer: str, value: Any) -> Return | Throw | None:
    if not _is_object(report, pointer, value, "an object with 'Return' or 'Throw'"):
        return None
    misspelt = _unknown_keys(report, pointer, value, ("Return", "Throw"), "a response has")
    if "Return" in value and "Throw" in value:
        report.add(pointer, "has both 'Return' and 'Throw': a response either returns a result "
                            "or throws an error")
        return None
    if "Return" in value:
        return Return(value["Return"])
    if "Throw" not in value:
        if not misspelt:
            report.add(pointer, "needs 'Return' (the task's result) or 'Throw' (its error)")
        return None
    throw_pointer = child(pointer, "Throw")
    throw = value["Throw"]
    if not _is_object(report, throw_pointer, throw, "an object with 'Error' and 'Cause'"):
        return None
    misspelt = _unknown_keys(report, throw_pointer, throw, ("Error", "Cause"), "'Throw' has")
    fields = []
    for key in ("Error", "Cause"):
        field = throw.get(key)
        if key not in throw:
            if not misspelt:
                report.add(throw_pointer, f"{quote(key)} is missing: 'Throw' has an 'Error' and "
                                          "a 'Cause', both strings")
        elif not isinstance(field, str):
            report.add(child(throw_pointer, key), f"must be a string, not {a_type(field)}")
        fields.append(field)
    if not all(isinstance(f, str) for f in fields):
        return None
    return Throw(*fields)


def _all(names: Any) -> str:
    """'A', 'B' and 'C'."""
    return listing(names).replace("' or '", "' and '")


def _is_object(report: Report, pointer: str, value: Any, what: str) -> bool:
    if isinstance(value, dict):
        return True
    report.add(pointer, f"must be {what}, not {a_type(value)}")
    return False


def _unknown_keys(report: Report, pointer: str, value: dict, allowed: tuple[str, ...],
                  has: str) -> bool:
    """Report the keys not ``allowed``; whether there was any (then a missing key is most
    likely the misspelt one: it is not reported a second time)."""
    unknown = False
    for key in value:
        if key not in allowed:
            unknown = True
            report.add(child(pointer, key), f"unknown key {quote(key)}{did_you_mean(key, allowed)}: "
                                            f"{has} {_all(allowed)}")
    return unknown


def unused_mocks(entries: Mapping[str, Any], machine: Any, pointer: str = "", *,
                 resources: bool = False, activities: bool = False) -> list[Problem]:
    """The entries of a test case (state name -> mock) that can never apply to the definition
    ``machine`` (a model.StateMachine): a state it does not have, or one that calls nothing
    (with ``resources``, a key may also be the Resource of one of its Task states). Step
    Functions Local does not check this; a misspelt state name would silently run the real
    integration, so asl-runner says so (as a warning: the file may serve other definitions).
    With ``activities``, a mock of an activity task applies (the in-process runner then has the
    mock answer for the worker)."""
    tasks: dict[str, Any] = {}
    others: dict[str, str] = {}
    _states(machine, tasks, others)
    used_resources = {state.resource.arn for state in tasks.values()} if resources else set()
    problems = []
    for name in entries:
        where = child(pointer, name)
        if name in others:
            problems.append(Problem(where, f"{quote(name)} is a {others[name]} state, which calls "
                                           "no resource: this mock is never used"))
        elif name in tasks and tasks[name].resource.kind == "activity" and not activities:
            problems.append(Problem(where, f"{quote(name)} is an activity task, which workers "
                                           "answer (GetActivityTask): this mock is never used"))
        elif name not in tasks and name not in used_resources:
            what = "state or Task resource" if resources else "state"
            problems.append(Problem(where, f"the definition has no {what} {quote(name)}"
                                           f"{did_you_mean(name, list(tasks) + list(others))}: "
                                           "this mock is never used"))
    return problems


def _states(machine: Any, tasks: dict[str, Any], others: dict[str, str]) -> None:
    for name, state in machine.states.items():
        if state.type == "Task":
            tasks[name] = state
        else:
            others[name] = state.type
        for branch in getattr(state, "branches", ()):
            _states(branch, tasks, others)
        processor = getattr(state, "processor", None)
        if processor is not None:
            _states(processor, tasks, others)


def resolve_path(given: str | None) -> str | None:
    """Which mock configuration file to use, as Step Functions Local picks it: the one given,
    else $SFN_MOCK_CONFIG, else ./MockConfigFile.json if there is one; None if none."""
    if given:
        return given
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return from_env
    return DEFAULT_FILE if os.path.isfile(DEFAULT_FILE) else None
