"""What a step changed of Map Runs and child executions, as store rows, written in the step's
own transaction.

A child's row is written when it starts (so ListExecutions shows it RUNNING) and again when it
ends; its events are written once, when it ends, and only for STANDARD children (AWS keeps no
history of an EXPRESS one). An ended child becomes rows at once and its objects go; a step
that ends more children than :data:`SPILL_AT` (a Map of Pass states ends them all in one step)
spills its rows to a temporary file, so memory holds the running children and a bounded
buffer, however many children a step ends.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ..engine.frame import RUNNING, SUCCEEDED
from ..engine.map_run import Changes
from ..jsonvalue import dumps
from ..store.sqlite import event_row

if TYPE_CHECKING:
    from ..engine.map_run import ChildExecution, MapRun
    from ..store import Store

#: ended children's rows held in memory before they go to the spill file
SPILL_AT = 2_000


class StoreChanges(Changes):
    """The host's Changes: ended children as rows (spilled past SPILL_AT), the rest as
    objects until the step is written."""

    keeps_events = False  # child() made them rows

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple] = []
        self._events: list[tuple] = []
        self._spill: Any = None  # a temporary file of pickled (rows, events) chunks
        self._chunks = 0

    def child(self, child: ChildExecution) -> None:
        if child.status == RUNNING:
            self.children[child.arn] = child
            return
        self.children.pop(child.arn, None)
        self._rows.append(_child_row(child))
        if child.execution_type == "STANDARD":
            self._events.extend(event_row(child.arn, e) for e in child.events)
        if len(self._rows) >= SPILL_AT:
            self._spill_rows()

    def _spill_rows(self) -> None:
        import pickle
        import tempfile

        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="asl-runner-children-")  # noqa: SIM115 - closed by clear()
        pickle.dump((self._rows, self._events), self._spill, protocol=pickle.HIGHEST_PROTOCOL)
        self._chunks += 1
        self._rows, self._events = [], []

    def write(self, store: Store, c: sqlite3.Connection) -> None:
        """Every row gathered since :meth:`clear` (may be written again if the commit failed:
        the host then rebuilds the execution and clears these)."""
        if self._spill is not None:
            import pickle

            self._spill.seek(0)
            for _ in range(self._chunks):
                rows, events = pickle.load(self._spill)
                store.put_child_executions(c, rows)
                store.append_event_rows(c, events)
        if self._rows:
            store.put_child_executions(c, self._rows)
            store.append_event_rows(c, self._events)
        if self.children:
            store.put_child_executions(c, [_child_row(child) for child in self.children.values()])
        if self.map_runs:
            store.put_map_runs(c, [_map_run_row(run) for run in self.map_runs.values()])

    @property
    def pending(self) -> bool:
        return bool(self.children or self.map_runs or self._rows or self._spill is not None)

    def clear(self) -> None:
        super().clear()
        self._rows, self._events = [], []
        if self._spill is not None:
            self._spill.close()
            self._spill, self._chunks = None, 0


def _child_row(child: ChildExecution) -> tuple:
    """The row of :data:`asl_runner.store.sqlite.CHILD_COLUMNS`."""
    run = child.run
    return (child.arn, child.state_machine_arn, child.name, child.status, dumps(child.input),
            dumps(child.output) if child.status == SUCCEEDED else None, child.error, child.cause,
            child.start, child.stop, run.ex.role_arn, run.execution_type, run.machine, run.arn,
            child.index, child.items, child.redrive_count, child.redrive_date)


def _definition(processor: Any) -> str:
    """The children's definition: the ItemProcessor without its ProcessorConfig (asl-runner's
    choice: AWS's DescribeStateMachineForExecution of a child is not recorded)."""
    if not isinstance(processor, dict):
        return "{}"
    return dumps({k: v for k, v in processor.items() if k != "ProcessorConfig"})


def _map_run_row(run: MapRun) -> dict:
    return {"arn": run.arn, "execution_arn": run.execution_arn,
            "machine_arn": run.parent_state_machine_arn, "root_arn": run.ex.arn,
            "label": run.label, "definition": _definition(run.processor), "status": run.status,
            "start_date": run.start, "stop_date": run.stop, "description": run.describe()}
