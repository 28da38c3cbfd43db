"""Static validation of state machine definitions: every problem, each with a JSON pointer.

The checks follow what AWS's own validator accepts and refuses (and add a few of their own,
such as did-you-mean suggestions). The one rule above all others: a definition AWS accepts is
never refused here. Where AWS is more lenient than its documentation, so is this package.

One module per concern: ``machine`` (machines, transitions, reachability), ``states`` (one
state and its fields), ``choice`` (choice rules), ``retry_catch``, ``map_config`` (a Map's
ProcessorConfig, ItemReader, ResultWriter, ItemBatcher), ``values`` (single field values:
paths, templates, JSONata, timestamps, ARNs), ``fields`` (which fields each object may have),
``limits`` (how deeply a definition may nest), ``report`` (pointers, wording, document order).
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .limits import definition_depth_problem
from .machine import Walk, check_machine, check_transitions
from .report import Report, a_type, in_document_order
from .values import JSONPATH

__all__ = ["validate_definition"]


def validate_definition(definition: Any, *, local: bool = False) -> list[Problem]:
    """Every problem found in ``definition`` (parsed JSON), in document order; empty when
    the definition is valid.

    By default the rules are AWS's: what passes deploys (``asl-runner validate``, the
    endpoint's CreateStateMachine and ValidateStateMachineDefinition). ``local=True`` also
    accepts what only asl-runner can run, for ``asl-runner run`` and the Python API: a Task
    Resource that is a bare Lambda function name, resolved to a local handler.
    """
    report = Report(local=local)
    if type(definition) is not dict:
        report.add("", f"a state machine definition must be a JSON object, not {a_type(definition)}")
        return report.problems
    too_deep = definition_depth_problem(definition)
    if too_deep is not None:
        return [too_deep]  # the checks below recurse through the definition
    walk = Walk(report)
    check_machine(walk, definition, "", "top", JSONPATH)
    check_transitions(walk)
    return in_document_order(definition, report.problems)
