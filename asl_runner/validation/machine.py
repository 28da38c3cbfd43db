"""State machines (the top level, Parallel branches, Map processors) and their transitions.

The walk checks every machine's own fields and every state, recording each machine's states
and transitions. The transition checks run after the walk, when every state name of the whole
definition is known: a target missing from its own machine but defined in another one is then
reported as the boundary crossing it is.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .fields import BRANCH, PROCESSOR, TOP_LEVEL
from .report import Report, a_type, child, did_you_mean, quote
from .states import check_state, check_state_name, state_language
from .values import check_integer, check_string

_ALLOWED = {"top": TOP_LEVEL, "branch": BRANCH, "processor": PROCESSOR}
_WHERE = {"top": "the state machine", "branch": "a Parallel branch", "processor": "a Map processor"}


# Plain classes, not dataclasses: importing dataclasses (and inspect with it) cost every
# `asl-runner run` several million instructions.

class Machine:
    """What the transition checks need to know about one machine."""

    __slots__ = ("pointer", "kind", "start_at", "states")

    def __init__(self, pointer: str, kind: str, start_at: str | None = None):
        self.pointer = pointer
        self.kind = kind
        self.start_at = start_at
        self.states: dict[str, Any] = {}


class Walk:
    __slots__ = ("report", "names", "machines")

    def __init__(self, report: Report):
        self.report = report
        #: every state name of the definition, with the pointer of its first definition
        self.names: dict[str, str] = {}
        self.machines: list[Machine] = []


def check_machine(walk: Walk, node: Any, pointer: str, kind: str, inherited: str) -> None:
    """Check a machine's fields and states. ``inherited``: the top-level query language,
    which the states of branches and processors take (a Map's own QueryLanguage does not
    reach the states of its processor)."""
    report = walk.report
    if type(node) is not dict:
        report.add(pointer, f"{_WHERE[kind]} must be an object with 'StartAt' and 'States', "
                            f"not {a_type(node)}")
        return
    allowed = _ALLOWED[kind]
    for key in node:
        if key in allowed:
            continue
        if key == "QueryLanguage":
            report.add(child(pointer, key), "'QueryLanguage' is not supported in a Map's "
                                            "processor: its states take the state machine's")
        else:
            report.add(child(pointer, key), f"unknown field '{key}' in {_WHERE[kind]}"
                                            f"{did_you_mean(key, allowed)}")

    language = inherited
    if "QueryLanguage" in node and kind != "processor":
        language = state_language(report, pointer, node, inherited)
    if kind == "top":
        inherited = language
    if "Comment" in node:
        check_string(report, child(pointer, "Comment"), node["Comment"], "Comment")
    if "Version" in node:
        check_string(report, child(pointer, "Version"), node["Version"], "Version")
    if "TimeoutSeconds" in node:
        check_integer(report, child(pointer, "TimeoutSeconds"), node["TimeoutSeconds"],
                      "TimeoutSeconds", minimum=0)

    machine = Machine(pointer, kind)
    walk.machines.append(machine)
    if "StartAt" not in node:
        report.add(pointer, f"missing required field 'StartAt' (the name of the first state) "
                            f"in {_WHERE[kind]}")
    elif check_string(report, child(pointer, "StartAt"), node["StartAt"], "StartAt"):
        machine.start_at = node["StartAt"]

    if "States" not in node:
        report.add(pointer, f"missing required field 'States' in {_WHERE[kind]}")
        return
    states = node["States"]
    where = child(pointer, "States")
    if type(states) is not dict:
        report.add(where, f"'States' must be an object mapping state names to states, "
                          f"not {a_type(states)}")
        return
    if not states:
        report.add(where, "'States' must have at least one state")
    machine.states = states
    for name, state in states.items():
        state_pointer = child(where, name)
        check_state_name(report, state_pointer, name)
        first = walk.names.setdefault(name, state_pointer)
        if first != state_pointer:
            report.add(state_pointer, f"state name '{name}' is already used at {first}; names "
                                      "must be unique across the whole state machine, "
                                      "branches and Map processors included")
        for sub in check_state(report, state_pointer, state, language):
            check_machine(walk, sub.node, sub.pointer, sub.kind, inherited)


# ----------------------------------------------------------------------------------------------
# transitions
# ----------------------------------------------------------------------------------------------

def _transitions(pointer: str, state: Any) -> tuple[list[tuple[str, str]], bool]:
    """Every (pointer, target) a state may move to (Next, Default, each rule's and catcher's
    Next), and whether one of those fields holds something other than a name."""
    if type(state) is not dict:
        return [], False
    out = []
    malformed = False
    for key in ("Next", "Default"):
        if key in state:
            if isinstance(state[key], str):
                out.append((child(pointer, key), state[key]))
            else:
                malformed = True
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if type(items) is list:
            where = child(pointer, key)
            for i, item in enumerate(items):
                if type(item) is dict and "Next" in item:
                    if isinstance(item["Next"], str):
                        out.append((child(child(where, i), "Next"), item["Next"]))
                    else:
                        malformed = True
        elif items is not None:
            malformed = True
    return out, malformed


def _is_terminal(state: Any) -> bool:
    return type(state) is dict and (state.get("End") is True or state.get("Type") in ("Succeed", "Fail"))


def _missing_target(walk: Walk, machine: Machine, target: str) -> str:
    elsewhere = walk.names.get(target)
    if elsewhere is not None:
        return (f"no state named '{target}' in {_WHERE[machine.kind]}; '{target}' is defined at "
                f"{elsewhere}, and a transition cannot cross into or out of a Parallel branch "
                "or a Map processor")
    return f"no state named {quote(target)}{did_you_mean(target, machine.states)}"


def check_transitions(walk: Walk) -> None:
    for machine in walk.machines:
        _check_machine_transitions(walk, machine)


def _check_machine_transitions(walk: Walk, machine: Machine) -> None:
    report = walk.report
    states = machine.states
    where = child(machine.pointer, "States")
    edges: dict[str, list[str]] = {}
    dangling = False
    for name, state in states.items():
        targets = edges[name] = []
        found, malformed = _transitions(child(where, name), state)
        dangling = dangling or malformed
        for pointer, target in found:
            if target in states:
                targets.append(target)
            else:
                report.add(pointer, _missing_target(walk, machine, target))
                dangling = True

    start = machine.start_at
    start_ok = start is not None and start in states
    if start is not None and not start_ok:
        report.add(child(machine.pointer, "StartAt"), _missing_target(walk, machine, start))
    if not states:
        return
    terminals = {name for name, state in states.items() if _is_terminal(state)}
    if not terminals:
        # as on AWS, this one problem stands for the whole machine: with no way to end,
        # listing which states are unreachable would only add noise
        report.add(machine.pointer, f"{_WHERE[machine.kind]} has no terminal state: no state "
                                    "has '\"End\": true' and none is a Succeed or Fail state")
        return
    if not start_ok:
        return
    reached = {start}
    queue = deque([start])
    while queue:
        for target in edges[queue.popleft()]:
            if target not in reached:
                reached.add(target)
                queue.append(target)
    for name in states:
        if name not in reached:
            report.add(child(where, name), f"state '{name}' is not reachable: no transition "
                                           f"from StartAt '{start}' leads to it")
    # a dangling or malformed transition, reported already, is the likelier reason
    if not terminals & reached and not dangling:
        report.add(child(machine.pointer, "StartAt"),
                   f"no terminal state can be reached from '{start}', so an execution of "
                   f"{_WHERE[machine.kind]} could never end")
