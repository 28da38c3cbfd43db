"""A Distributed Map's Map Run over its items, a page at a time, in bounded memory.

The ItemReader's items arrive in pages (``item_reader.read_page``); each page goes through the
ItemSelector and the ItemBatcher, then runs as children of the one Map Run (a
:class:`~.map_run.MapRunFanOut` per page, MaxConcurrency at a time); when they have all ended
their results go to the run's results (``result_writer``: a temporary file per status with a
ResultWriter, the state's output without one) and the next page is read. So what is held at
once is one page of items and the children running, whatever the dataset's size. A Map whose
items come from its input (within the payload quota) is a run of one page.

Thresholds: ToleratedFailureCount is judged at each failure, as on AWS.
ToleratedFailurePercentage is of all the items, which are known only once the last page is
read: until then a failure fails the run only past the count (asl-runner's reading; with one
page, the usual case below 1,000 items, nothing changes), and reading the last page judges the
failures so far at once.

A redrive (``engine.map_redrive``) resumes the paged run: the unsuccessful children, a page at
a time in item order, then the pages not read yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StatesError
from . import item_batcher, item_reader, result_writer
from .frame import ItemEnv
from .map_run import MapRun, MapRunFanOut

if TYPE_CHECKING:
    from ..model import MapState
    from .execution import Execution
    from .frame import Frame
    from .map_run import ChildExecution


class _PageFanOut(MapRunFanOut):
    """One page's children; their ends go to the paged run's results."""

    def __init__(self, paged: PagedRun, inputs: list, item_counts: list[int] | None,
                 **options: Any):
        self.paged = paged
        self.spawned = 0
        super().__init__(paged.ex, paged.frame, paged.state, [paged.state.processor], inputs,
                         map_run=paged.map_run, item_counts=item_counts, **options)

    def _spawn(self, i: int) -> Any:
        frame = super()._spawn(i)
        self.spawned += 1
        return frame

    def child_succeeded(self, frame: Frame, output: Any) -> None:
        child = None if self.closed else self.children.get(frame.index)
        super().child_succeeded(frame, output)
        if child is not None:
            self.paged.ended(frame.index, child)

    def child_failed(self, frame: Frame, error: StatesError) -> None:
        child = None if self.closed else self.children.get(frame.index)
        if child is not None:
            self.paged.last_error = error
        super().child_failed(frame, error)
        if child is not None:
            self.paged.ended(frame.index, child)

    def close(self) -> None:
        if self.closed:
            return
        running = dict(self.children)
        super().close()
        for i, child in running.items():
            self.paged.ended(i, child)
        unfinished = self.map_run.unfinished
        for i in range(self.next_index, len(self.inputs)):
            self.paged.results.pending(self.inputs[i])
            record = self.redriven[i] if self.redriven is not None else None
            if record is None:
                items = self.item_counts[i] if self.item_counts is not None else 1
                unfinished.pending(self.base + i, self.inputs[i], items)
            else:  # a redrive took it and did not start it: it waits for the next one
                unfinished.add(record if "arn" in record else {**record, "counted": True})

    def _tolerated(self) -> bool:
        if not self.paged.read_all and self.tolerated_percentage is not None:
            # the percentage is of all the items, not all read yet: only the count can fail it
            counts = self.map_run.item_counts
            count = self.tolerated_count
            return count is None or counts["failed"] + counts["timedOut"] <= count
        return super()._tolerated()


class PagedRun:
    """One Map Run of a Distributed Map (one attempt of the state)."""

    def __init__(self, ex: Execution, frame: Frame, state: MapState, effective: Any,
                 map_run: MapRun, settings: tuple[int, int | None, float | None], *,
                 on_succeeded: Callable[[Any], bool], on_failed: Callable[[StatesError], bool],
                 on_threshold: Callable[[StatesError], bool]):
        self.ex = ex
        self.frame = frame
        self.state = state
        self.effective = effective
        self.map_run = map_run
        self.max_concurrency, self.tolerated_count, self.tolerated_percentage = settings
        self.on_succeeded = on_succeeded
        self.on_failed = on_failed
        self.on_threshold = on_threshold
        self.results = result_writer.results(state)
        self.read_all = False
        self.last_error: StatesError | None = None
        #: children (or batches) made so far: the next one's index in the Map Run
        self.children_made = 0
        #: a redrive's pages of unsuccessful children (``map_redrive.Unfinished.pages``)
        self._redriven: Any = None
        #: the items read so far (the next one's $$.Map.Item.Index)
        self.items_read = 0
        self._cursor: Any = None
        self._reader: tuple[Any, int] | None = None
        self._batcher: item_batcher.Batcher | None = None
        #: the current page's ended children, by index (written in item order)
        self._ended: dict[int, ChildExecution] = {}
        # what a redrive of the state resumes (engine.map_redrive.resumable), until a page
        # of children makes its fanout the frame's last run
        frame.last_run = self

    # -- starting ----------------------------------------------------------------------------

    def run_inputs(self, inputs: list) -> bool:
        """The children's inputs are known (the Map's items, selected and batched)."""
        self.read_all = True
        return self._run_page(inputs)

    def read(self, request: Any, max_items: int) -> bool:
        """An ItemReader reads the items (``max_items``: 0 for all)."""
        self._reader = (request, max_items)
        if self.state.item_batcher is not None:
            self._batcher = item_batcher.batcher(self.state, self.effective, self.frame)
        return self._read_next()

    # -- reading -----------------------------------------------------------------------------

    def _read_next(self) -> bool:
        request, max_items = self._reader
        remaining = max_items - self.items_read if max_items else 0
        return item_reader.read_page(self.ex, self.frame, self.state, request, remaining,
                                     self._cursor, on_page=self._on_page,
                                     on_failed=self._reader_failed)

    def _on_page(self, items: list, cursor: Any) -> bool:
        self._cursor = cursor
        self.read_all = cursor is None
        inputs = self._selected(items)
        if self._batcher is not None:
            inputs = list(self._batcher.add(inputs))
            if self.read_all:
                inputs += list(self._batcher.flush())
        if self.read_all and self.last_error is not None and not self._within_percentage(inputs):
            for item_input in inputs:
                self.results.pending(item_input)
                items = len(item_input["Items"]) if self._batcher is not None else 1
                self.map_run.unfinished.pending(self.children_made, item_input, items,
                                                counted=False)
                self.children_made += 1
            return self._children_failed(self.last_error)
        if not inputs:
            return self._finish() if self.read_all else self._read_next()
        return self._run_page(inputs)

    def _selected(self, items: list) -> list:
        state, frame, flow = self.state, self.frame, self.state.flow
        first = self.items_read
        self.items_read += len(items)
        if not flow.has_item_selector():
            return items
        inputs = [flow.item_input(self.effective, ItemEnv(frame, first + i, item))
                  for i, item in enumerate(items)]
        for item_input in inputs:
            self.ex.check_size(state, item_input)
        return inputs

    def _within_percentage(self, inputs: list) -> bool:
        """Now that every item is known: whether the failures so far are within the
        percentage (counting the items of the last page, not started yet)."""
        if self.tolerated_percentage is None:
            return True
        counts = self.map_run.item_counts
        failed = counts["failed"] + counts["timedOut"]
        total = self.map_run.items_total + sum(
            len(i["Items"]) if self._batcher is not None else 1 for i in inputs)
        return not total or failed * 100.0 / total <= self.map_run.tolerated_percentage

    def _reader_failed(self, error: StatesError) -> bool:
        if not self.map_run.children_total:  # a redrive starts a new Map Run: nothing to keep
            self.results.close()
        # else a redrive reads on from here (engine.map_redrive): the results so far stay
        return self.on_failed(error)

    # -- running a page ----------------------------------------------------------------------

    def _run_page(self, inputs: list, redriven: list[dict] | None = None) -> bool:
        counts = None
        if redriven is not None:
            counts = [record["items"] for record in redriven]
        elif self.state.item_batcher is not None:
            counts = [len(i["Items"]) if isinstance(i, dict) and isinstance(i.get("Items"), list)
                      else 1 for i in inputs]
        self._ended = {}
        run = self.map_run
        base = self.children_made
        if redriven is None:
            self.children_made += len(inputs)
        self._page = _PageFanOut(
            self, inputs, counts, base=base, redriven=redriven,
            max_concurrency=run.max_concurrency, tolerated_count=run.tolerated_count,
            tolerated_percentage=run.tolerated_percentage, on_done=self._page_done,
            on_failed=self._children_failed)
        self.ex.start_fanout(self._page)
        return False

    # -- a redrive (engine.map_redrive) ----------------------------------------------------

    def redrive(self, *, on_succeeded: Callable[[Any], bool],
                on_failed: Callable[[StatesError], bool],
                on_threshold: Callable[[StatesError], bool]) -> bool:
        """Run the Map Run's unsuccessful children again (its items never started too), in
        item order a page at a time, then read on where the reader stopped, if it had not
        read everything."""
        self.on_succeeded, self.on_failed, self.on_threshold = on_succeeded, on_failed, on_threshold
        self._flush()  # an aborted run's last page had not gone to the results
        if isinstance(self.results, result_writer.Spooled):
            self.results.keep_succeeded()
        self._redriven = self.map_run.unfinished.pages(item_reader.PAGE_ITEMS)
        return self._next_page()

    def _next_page(self) -> bool:
        if self._redriven is not None:
            records = next(self._redriven, None)
            if records is not None:
                return self._run_page([record["input"] for record in records], records)
            self._redriven = None
        return self._finish() if self.read_all else self._read_next()

    def ended(self, index: int, child: ChildExecution) -> None:
        self._ended[index] = child

    def _flush(self) -> None:
        ended, self._ended = self._ended, {}
        for index in sorted(ended):
            self.results.add(ended[index])

    def _page_done(self, results: list) -> bool:
        if self._page.spawned == 0 and self._page.inputs:
            # answered without running its children (TestState's mock): that is the result
            self.results.close()
            return self.on_succeeded(results)
        self._flush()
        return self._next_page()

    def _children_failed(self, error: StatesError) -> bool:
        """Past the tolerated failures: the run fails (its results still go out, and the
        succeeded children's stay for a redrive)."""
        self._flush()
        self._redriven = None  # what a redrive had not run yet waits in the unfinished
        if isinstance(self.results, result_writer.Spooled):
            return result_writer.write(
                self.ex, self.frame, self.state, self.effective, self.map_run.arn, self.results,
                on_written=lambda _: self.on_threshold(error), on_failed=self.on_failed,
                keep=True)
        return self.on_threshold(error)

    def _finish(self) -> bool:
        results = self.results
        if isinstance(results, result_writer.Spooled):
            return result_writer.write(self.ex, self.frame, self.state, self.effective,
                                       self.map_run.arn, results, on_written=self.on_succeeded,
                                       on_failed=self.on_failed)
        try:
            values: Any = results.result()
        except StatesError as exc:  # over the payload quota: the state fails, the run did not
            values = exc
        return self.on_succeeded(values)
