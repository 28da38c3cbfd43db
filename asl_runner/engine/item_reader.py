"""A Distributed Map's ItemReader, the engine's side: the read goes out as an invocation,
like a Task's call, and its outcome (the items, or why they could not be read) continues
the Map.

So the engine never performs I/O: ``run`` may read in place, the durable host reads on a
worker thread while its engine thread serves other executions, and the items come back
recorded like any task result (a restart replays them, it does not read again). The reading
itself is the integration's (``integrations.s3_items``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError, StatesError
from ..model.resource import parse_resource
from ..payload import TemplateError, compile_template
from .effects import Invocation

if TYPE_CHECKING:
    from ..model import MapState
    from .execution import Execution
    from .frame import Frame

ITEM_READER_FAILED = "States.ItemReaderFailed"


def parameters(state: MapState, effective: Any, frame: Frame) -> Any:
    """The reader's request: its Parameters evaluated against the Map's effective input."""
    source = state.item_reader.get("Parameters")
    if source is None:
        return {}
    try:
        template = compile_template(source)
    except TemplateError as exc:  # validate refuses it; a machine run unvalidated gets here
        raise DataFlowError(f"The ItemReader's Parameters are not valid: {exc}") from None
    return template.evaluate(effective, frame)


def read(ex: Execution, frame: Frame, state: MapState, request: Any, max_items: int,
         on_items: Callable[[list], bool], on_failed: Callable[[StatesError], bool]) -> bool:
    """Schedule the read; ``on_items`` or ``on_failed`` continues the frame with its outcome."""
    if max_items < 0:  # recorded: the Map Run starts, then fails with these words
        return on_failed(StatesError(ITEM_READER_FAILED, "field MaxItems must be positive"))
    reader = state.item_reader
    payload = {"Parameters": request, "ReaderConfig": reader.get("ReaderConfig") or {},
               "MaxItems": max_items}
    tasks = ex.tasks
    invocation = Invocation(tasks.new_token(opaque=False), ex.arn, state.name,
                            parse_resource(reader.get("Resource", "")), payload, None, None,
                            number=tasks.next_number(state.name), context=frame.context)

    def outcome(result: Any) -> bool:
        if isinstance(result, StatesError):
            if result.error != ITEM_READER_FAILED:  # the reader itself could not run
                cause = ": ".join(part for part in (result.error, result.cause) if part)
                result = StatesError(ITEM_READER_FAILED, cause)
            return on_failed(result)
        if not isinstance(result, list):
            return on_failed(StatesError(ITEM_READER_FAILED,
                                         "the item reader returned no array of items"))
        return on_items(result)

    tasks.schedule(frame, state, invocation, retry=lambda: False, on_outcome=outcome)
    return False
