"""A Distributed Map's ItemReader, the engine's side: the read goes out as an invocation,
like a Task's call, and its outcome (the items, or why they could not be read) continues
the Map.

The items are read a page at a time (``read_page``; ``engine.map_pages`` asks for the next
page when the children of the last one have ended), each page a call of its own. So the
engine never performs I/O: ``run`` may read in place, the durable host reads on a worker
thread while its engine thread serves other executions, and each page comes back recorded
like any task result (a restart replays them, it does not read again). The reading
itself is the integration's (``integrations.s3_items``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StatesError
from ..model.resource import parse_resource
from .effects import Invocation

if TYPE_CHECKING:
    from ..model import MapState
    from .execution import Execution
    from .frame import Frame

ITEM_READER_FAILED = "States.ItemReaderFailed"
#: the Invocation.event_family of a Map Run's own calls (they write no Task events); the
#: integrations that serve them refuse anything else
MAP_RUN = "map-run"
#: the S3 actions an ItemReader reads with, and a ResultWriter writes with (AWS's
#: documentation: arn:PARTITION:states:::s3:ACTION)
READERS = ("getObject", "listObjectsV2")
WRITERS = ("putObject",)


def s3_action(arn: Any, actions: tuple[str, ...]) -> bool:
    """Whether ``arn`` is ``arn:PARTITION:states:::s3:ACTION`` for one of ``actions``."""
    if not isinstance(arn, str):
        return False
    resource = parse_resource(arn)
    return (resource.kind == "service" and resource.service == "s3"
            and resource.action in actions and resource.pattern is None)


def invoke(ex: Execution, frame: Frame, state: MapState, arn: str, payload: Any,
           outcome: Callable[[Any], bool]) -> bool:
    """Send one call of the Map Run's (its reader's read, its writer's write) to the runner;
    ``outcome`` continues the frame with the result, or the StatesError it failed with."""
    tasks = ex.tasks
    invocation = Invocation(tasks.new_token(opaque=False), ex.arn, state.name,
                            parse_resource(arn), payload, None, None, MAP_RUN,
                            number=tasks.next_number(state.name), context=frame.context)
    tasks.schedule(frame, state, invocation, retry=lambda: False, on_outcome=outcome)
    return False


#: how much one page of items may hold: the Map Run reads the next page when the children of
#: this one have ended, so the items held at once stay within it whatever the dataset's size
PAGE_ITEMS = 1000
PAGE_BYTES = 4 << 20


def read_page(ex: Execution, frame: Frame, state: MapState, request: Any, max_items: int,
              cursor: Any, on_page: Callable[[list, Any], bool],
              on_failed: Callable[[StatesError], bool]) -> bool:
    """Schedule the read of one page of items from ``cursor`` (None: the first);
    ``on_page(items, next_cursor)`` (None: that was the last) or ``on_failed`` continues the
    frame. ``max_items``: how many more items the reader may read (0: no limit)."""
    if max_items < 0:  # recorded: the Map Run starts, then fails with these words
        return on_failed(StatesError(ITEM_READER_FAILED, "field MaxItems must be positive"))
    reader = state.item_reader
    arn = reader.get("Resource", "")
    if not s3_action(arn, READERS):  # validate refuses it; an unvalidated machine gets here
        return on_failed(StatesError(ITEM_READER_FAILED, f"An ItemReader reads with "
                                     f"s3:getObject or s3:listObjectsV2, not {arn}"))
    payload = {"Parameters": request, "ReaderConfig": reader.get("ReaderConfig") or {},
               "MaxItems": max_items, "Cursor": cursor,
               "Page": {"items": PAGE_ITEMS, "bytes": PAGE_BYTES}}

    def outcome(result: Any) -> bool:
        if isinstance(result, StatesError):
            return on_failed(as_error(result, ITEM_READER_FAILED))
        if isinstance(result, list):  # recorded before reads were paged: all the items
            return on_page(result, None)
        if not isinstance(result, dict) or not isinstance(result.get("Items"), list):
            return on_failed(StatesError(ITEM_READER_FAILED,
                                         "the item reader returned no page of items"))
        return on_page(result["Items"], result.get("Cursor"))

    return invoke(ex, frame, state, arn, payload, outcome)


def as_error(error: StatesError, name: str) -> StatesError:
    """``error`` under the Map Run's error ``name`` (a call that could not run at all, or
    crashed, keeps what happened in the cause)."""
    if error.error == name:
        return error
    return StatesError(name, ": ".join(part for part in (error.error, error.cause) if part))
