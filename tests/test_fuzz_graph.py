"""Fuzzing the drawing: a history from anywhere (a hand-edited file, another tool, a cut-off
download) is drawn as far as it can be read, in every format; what cannot be read is skipped,
never a crash (see tests/fuzzing.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_graph import MACHINE

import asl_runner
from asl_runner.graph import render

from fuzzing import budgeted, examples

_names = st.sampled_from(["Check", "Work", "Fan", "Left", "Right", "Recover", "Nope", "", 7, None])
_kinds = st.sampled_from([
    "TaskStateEntered", "TaskStateExited", "PassStateEntered", "PassStateExited", "ChoiceStateEntered",
    "ParallelStateEntered", "ParallelStateStarted", "ParallelStateFailed", "ParallelStateExited",
    "MapIterationStarted", "LambdaFunctionScheduled", "LambdaFunctionFailed", "LambdaFunctionSucceeded",
    "TaskFailed", "ExecutionStarted", "ExecutionFailed", "ExecutionSucceeded", "ExecutionAborted",
    "FailStateEntered", "Weird", 3, None])
_ids = st.one_of(st.integers(-2, 12), st.none(), st.text(max_size=2), st.lists(st.integers(), max_size=1))
_details = st.one_of(st.none(), st.integers(), st.fixed_dictionaries({}, optional={
    "name": _names, "error": st.one_of(st.text(max_size=3), st.integers()),
    "cause": st.one_of(st.text(max_size=3), st.none()), "input": st.one_of(st.text(max_size=3), st.integers())}))
_event = st.fixed_dictionaries({"type": _kinds}, optional={
    "id": _ids, "previousEventId": _ids, "timestamp": st.one_of(st.floats(), st.text(max_size=3), st.none()),
    "stateEnteredEventDetails": _details, "stateExitedEventDetails": _details,
    "taskFailedEventDetails": _details, "executionFailedEventDetails": _details})
_MACHINE = asl_runner.load(MACHINE)


@examples(100)
@given(st.lists(_event, max_size=16))
@budgeted
def test_any_history_is_drawn_in_every_format(events):
    for fmt in ("html", "mermaid", "dot"):  # the HTML holds the SVG
        assert render(_MACHINE, events, fmt)
