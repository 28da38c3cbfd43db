"""Redriving a Map Run: only its unsuccessful children run again, in the same Map Run.

As the developer guide's "Redriving Map Runs" documents it: a redriven parent redrives its
failed Distributed Map's Map Run (the same Map Run ARN, ``MapRunRedriven`` with its
``redriveCount`` in the parent's history, ``redriveCount``/``redriveDate`` in DescribeMapRun,
at most 1,000 redrives of one Map Run, then ``States.Runtime``). The children that failed,
timed out or were aborted run again under their own ARNs: a STANDARD child is redriven (its
history goes on with ``ExecutionRedriven``, its ``redriveCount`` counts), an EXPRESS one starts
over; the items never started start; the succeeded children keep their results. The items
are those of the first attempt (not read again), and a Map Run that never started children
(its reader failed), or that succeeded before its state failed (``States.DataLimitExceeded``),
is not redriven: the state runs a new Map Run.

Memory stays bounded whatever the number of items: the unsuccessful children go, as they end,
to a temporary file (:class:`Unfinished`: each one's item index, input, ARN and where its
history stopped), with an 8-byte index and offset per child in memory; a redrive reads them
back a page at a time in item order. The results of the succeeded children are where the run
keeps them anyway: the state's output (within AWS's 256 KiB) or the ResultWriter's spooled
files (``result_writer``). A replay after a restart rebuilds all of it from the recorded
inputs, like the rest of the run.

A redriven STANDARD child goes on, as AWS documents, from the state of its ItemProcessor that
stopped it, with that state's input and the child's variables; a Parallel or Map inside the
child that failed runs again whole (AWS's finer grain there is not documented).
A STANDARD child whose history is full is not redriven (AWS: not redrivable); its failure
stays, counted in ``failuresNotRedrivable``.

asl-runner's choices where AWS documents nothing: the re-entered Map's events are
MapStateEntered, MapStateStarted, then MapRunRedriven (where a new Map Run has
MapRunStarted); the 1,000th redrive's refusal words; until a waiting child runs again it
counts as it ended (failed, aborted, timed out) for the thresholds too; a ResultWriter writes
every result again under the same prefix, the first attempt's SUCCEEDED records first. A Map
Run whose ResultWriter failed is redriven like one that failed past its threshold (AWS, whose
writer fails before any child starts, reads the items again there: here every child ran, and
none need run again).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import StatesRuntime
from ..jsonvalue import dumps, loads
from .frame import ABORTED, FAILED

if TYPE_CHECKING:
    from ..model import MapState
    from .frame import Frame
    from .map_run import ChildExecution

#: AWS's hard limit on the redrives of one Map Run (States.Runtime past it)
MAX_REDRIVES = 1000


def too_many(map_run_arn: str) -> StatesRuntime:
    return StatesRuntime(cause=f"The Map Run '{map_run_arn}' has been redriven {MAX_REDRIVES} "
                               "times, the most a Map Run can be redriven")


def resumable(frame: Frame, state: MapState) -> Any:
    """The paged run (``engine.map_pages.PagedRun``) a redriven Distributed Map resumes, or
    None for a new Map Run; takes the frame's ``prior_run`` either way."""
    prior, frame.prior_run = frame.prior_run, None
    paged = getattr(prior, "paged", prior)
    if getattr(paged, "state", None) is not state or not hasattr(paged, "redrive"):
        return None
    run = paged.map_run
    started = run.children_total > 0 or len(run.unfinished) > 0
    return paged if started and run.status in (FAILED, ABORTED) else None


class Unfinished:
    """A Map Run's children that did not succeed (and items never started), on disk."""

    def __init__(self) -> None:
        self._file: Any = None
        self._index = array("q")
        self._offset = array("q")
        self._taken = bytearray()
        #: not yet taken: children that ran (with their items), items never started and
        #: not yet counted in the Map Run's totals (with their items)
        self.started = self.started_items = 0
        self.uncounted = self.uncounted_items = 0

    def __len__(self) -> int:
        return len(self._index) - sum(self._taken)

    def child(self, child: ChildExecution) -> None:
        """A child ended unsuccessfully: what its redrive needs (a STANDARD one's: the
        top-level state it stopped at, with that state's input and its variables)."""
        record = {"i": child.index, "input": child.input, "items": child.items,
                  "arn": child.arn, "name": child.name, "start": child.start,
                  "events": child.first_id + len(child.events), "status": child.status,
                  "redrives": child.redrive_count}
        frame = child.frame
        if child.execution_type == "STANDARD" and frame is not None:
            record.update(state=frame.state.name, stateInput=frame.input)
            if frame.scope.values:
                record["variables"] = frame.scope.values
        self.add(record)

    def pending(self, index: int, item_input: Any, items: int, counted: bool = True) -> None:
        """An item (or batch) read but never started."""
        self.add({"i": index, "input": item_input, "items": items, "counted": counted})

    def add(self, record: dict) -> None:
        """A record (again: one a redrive took and did not start)."""
        if self._file is None:
            import tempfile  # not at import: a plain run has no use for it (random, shutil)

            self._file = tempfile.TemporaryFile(prefix="asl-runner-unfinished-")  # noqa: SIM115 - lives with the run
        self._file.seek(0, 2)
        self._offset.append(self._file.tell())
        self._index.append(record["i"])
        self._taken.append(0)
        self._file.write(dumps(record).encode() + b"\n")
        self._count(record, 1)

    def _count(self, record: dict, sign: int) -> None:
        if "arn" in record:
            self.started += sign
            self.started_items += sign * record["items"]
        elif not record.get("counted", True):
            self.uncounted += sign
            self.uncounted_items += sign * record["items"]

    def pages(self, size: int) -> Iterator[list[dict]]:
        """The records not taken yet, in item order, ``size`` at a time (each taken as its
        page is given out)."""
        positions = [p for p in range(len(self._index)) if not self._taken[p]]
        positions.sort(key=self._index.__getitem__)
        for start in range(0, len(positions), size):
            page = []
            for p in positions[start:start + size]:
                self._file.seek(self._offset[p])
                record = loads(self._file.readline().decode())
                self._taken[p] = 1
                self._count(record, -1)
                page.append(record)
            yield page
