"""A Distributed Map's ItemBatcher: groups the items (after the ItemSelector, as AWS applies
them: ItemReader, ItemsPath, ItemSelector, ItemBatcher) into child inputs
``{"Items": [...], "BatchInput": ...}``.

AWS's rules (ItemBatcher documentation): a batch holds at most ``MaxItemsPerBatch`` items and
at most ``MaxInputBytesPerBatch`` bytes (up to 256 KiB), whichever comes first; each has a
``*Path`` form (a reference path, which may name a variable) and, in JSONata, may be an
expression; ``BatchInput`` is added to every batch. The bytes counted are the child's whole
input as JSON text, BatchInput included (asl-runner's reading of "the batch size").

Where AWS's behaviour is not documented, asl-runner chooses: a value that is not a positive
integer is States.Runtime, before the Map Run starts, in the words AWS uses for
MaxConcurrencyPath; an item larger than MaxInputBytesPerBatch by itself is a batch of its
own (an item cannot be split), which the payload quota on a child's input then judges;
without MaxInputBytesPerBatch a batch stops at that quota (256 KiB) all the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError
from ..jsonvalue import PAYLOAD_LIMIT, size_of
from . import path_numbers

if TYPE_CHECKING:
    from ..model import MapState
    from .frame import Frame

#: the bytes of ``{"Items":[]}``, and of each comma between items
_ENVELOPE = len('{"Items":[]}')


class Batcher:
    """The batches of one Map Run, built as the items arrive (page by page): ``add`` yields
    the batches an item completes, ``flush`` the last, partial one."""

    def __init__(self, max_items: int | None, max_bytes: int | None, batch_input: Any):
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.batch_input = batch_input
        self._base = _ENVELOPE + (len(',"BatchInput":') + size_of(batch_input)
                                  if batch_input is not None else 0)
        self._items: list = []
        self._bytes = self._base

    def add(self, items: Iterable[Any]) -> Iterator[dict]:
        for item in items:
            size = size_of(item) + (1 if self._items else 0)
            if self._items and self.max_bytes is not None and self._bytes + size > self.max_bytes:
                yield self._batch()
                size -= 1
            self._items.append(item)
            self._bytes += size
            if self.max_items is not None and len(self._items) >= self.max_items:
                yield self._batch()

    def flush(self) -> Iterator[dict]:
        if self._items:
            yield self._batch()

    def _batch(self) -> dict:
        batch: dict[str, Any] = {"Items": self._items}
        if self.batch_input is not None:
            batch["BatchInput"] = self.batch_input
        self._items, self._bytes = [], self._base
        return batch


def _positive(field: str, value: Any, path: str | None) -> int:
    if path is not None:
        number = path_numbers.integer(f"{field}Path", value, path)
    elif isinstance(value, str):  # only what a path refers to may be a number's text
        raise path_numbers.not_a(field, value, "integer", field)
    else:
        number = path_numbers.integer(field, value, field)
    if number <= 0:
        raise DataFlowError(f"{field} must be a positive integer, not {number}.")
    return number


def batcher(state: MapState, effective: Any, frame: Frame) -> Batcher:
    """The Map Run's batcher, its settings read from the state's input (and variables)."""
    from ..paths import compile_path

    spec = state.item_batcher
    flow = state.flow
    limits: dict[str, int | None] = {}
    for field, name in (("MaxItemsPerBatch", "max_items_per_batch"),
                        ("MaxInputBytesPerBatch", "max_input_bytes_per_batch")):
        path = spec.get(field + "Path")
        if path is not None:
            value = path_numbers.select(compile_path(path), effective, frame)
            limits[field] = _positive(field, value, path)
        elif field in spec:
            limits[field] = _positive(field, flow.value(name, spec[field], effective, frame), None)
        else:
            limits[field] = None
    max_bytes = limits["MaxInputBytesPerBatch"]
    if max_bytes is not None and max_bytes > PAYLOAD_LIMIT:
        raise DataFlowError(f"MaxInputBytesPerBatch must be at most {PAYLOAD_LIMIT} (256 KiB), "
                            f"not {max_bytes}.")
    batch_input = None
    if "BatchInput" in spec:
        batch_input = flow.batch_input(spec["BatchInput"], effective, frame)
    # without a byte limit a batch still stops at the payload quota a child's input has
    return Batcher(limits["MaxItemsPerBatch"], max_bytes or PAYLOAD_LIMIT, batch_input)
