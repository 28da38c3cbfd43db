"""Each state's data flow, compiled once at load into one object per query language.

A state module never applies InputPath, Parameters or ResultPath itself: it asks its state's
``flow`` (a :class:`DataFlow`) for each stage, in AWS's order:

    input -> arguments -> (the state's work) -> result -> output     (and assignments)
    error output -> caught                                          (a Catch that matched)

The JSONPath flow (:mod:`.jsonpath`) is InputPath, Parameters, ResultSelector, ResultPath and
OutputPath; a JSONata flow has Arguments and Output over ``$states``. Both record what each
stage produced into ``env.inspection`` when the caller asks for it (a dict; every env has the
attribute, None when nobody inspects), under
the names of TestState's ``inspectionData`` (``afterInputPath``, ``afterParameters``,
``afterResultSelector``, ``afterResultPath``, ...).
"""

from __future__ import annotations

from typing import Any, Protocol


class DataFlow(Protocol):
    """One state's data flow; ``env`` is the frame (variables, context object, inspection)."""

    def input(self, raw: Any, env: Any) -> Any:
        """What the state works on, from its raw input."""

    def arguments(self, effective: Any, env: Any) -> Any:
        """What the state's work is given (a Task's call, a Parallel's branches)."""

    def has_arguments(self) -> bool:
        """Whether :meth:`arguments` builds a new value (its size is then checked)."""

    def result(self, result: Any, env: Any) -> Any:
        """The state's result as the flow keeps it (ResultSelector)."""

    def output(self, raw: Any, result: Any, env: Any) -> Any:
        """The state's output from its raw input and its (selected) result."""

    def passthrough(self, effective: Any, env: Any, rule: Any = None) -> Any:
        """The output of a state with no result of its own (Choice, Wait, Succeed); ``rule``
        is the Choice rule that matched (JSONata rules may have an Output of their own)."""

    def assignments(self, value: Any, env: Any, rule: Any = None) -> dict | None:
        """The variables to set as the state ends, from ``value`` (its result, or its input
        for a state without one); ``rule`` is the Choice rule that matched (its Assign adds
        to the state's)."""

    def items(self, effective: Any, env: Any) -> list:
        """A Map's items: what ItemsPath selects (JSONPath), or its Items (JSONata), else the
        input itself, which must be an array."""

    def has_item_selector(self) -> bool:
        """Whether a Map's iterations get :meth:`item_input` rather than the items."""

    def item_input(self, effective: Any, env: Any) -> Any:
        """A Map iteration's input through the ItemSelector; ``env`` knows the item
        (``$$.Map.Item``, ``$states.context.Map.Item``)."""

    def map_run_request(self, which: str, effective: Any, env: Any) -> Any:
        """A Distributed Map's ItemReader or ResultWriter (``which``) request: its Parameters
        (JSONPath) or Arguments (JSONata) evaluated against the Map's input; ``{}`` for none."""

    def value(self, name: str, written: Any, effective: Any, env: Any) -> Any:
        """A single-valued field, by the model's name (``seconds``, ``items``, ...): as
        written, or, in JSONata, the value of the expression written there."""

    def batch_input(self, written: Any, effective: Any, env: Any) -> Any:
        """A Distributed Map's ItemBatcher BatchInput, evaluated against the Map's input."""

    def caught(self, catcher: Any, raw: Any, error_output: dict, env: Any) -> tuple[Any, dict | None]:
        """A Catch that matched: the state's output and the variables the catcher sets."""


def compile_flow(query_language: str, fields: dict) -> DataFlow:
    """The data flow of a state built from the model's ``fields``."""
    if query_language == "JSONPath":
        from .jsonpath import JsonPathFlow

        return JsonPathFlow(
            input_path=fields.get("input_path"), parameters=fields.get("parameters"),
            result_selector=fields.get("result_selector"), result_path=fields.get("result_path"),
            output_path=fields.get("output_path"), assign=fields.get("assign"),
            item_selector=fields.get("item_selector"), items_path=fields.get("items_path"),
            map_run={"ItemReader": fields.get("item_reader"), "ResultWriter": fields.get("result_writer")})
    from .jsonata import JsonataFlow  # imports the JSONata engine: only machines that use it

    return JsonataFlow(state_type=fields["type"], arguments=fields.get("arguments"),
                       output=fields.get("output"), assign=fields.get("assign"),
                       item_selector=fields.get("item_selector"),
                       catchers=fields.get("catch", ()), rules=fields.get("choices", ()),
                       fields=fields)
