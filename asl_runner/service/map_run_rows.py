"""Writing what a step changed of Map Runs and child executions (``engine.map_run.Changes``)
into the store, in the step's own transaction.

A child's row is written when it starts (so ListExecutions shows it RUNNING) and again when it
ends; its events are written once, when it ends, and only for STANDARD children (AWS keeps no
history of an EXPRESS one). Memory thus holds a child's events only while it runs.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ..engine.frame import RUNNING, SUCCEEDED
from ..jsonvalue import dumps

if TYPE_CHECKING:
    from ..engine.map_run import Changes, ChildExecution, MapRun
    from ..store import Store


def write_changes(store: Store, c: sqlite3.Connection, changes: Changes) -> None:
    if changes.children:
        children = list(changes.children.values())
        store.put_child_executions(c, [_child_row(child) for child in children])
        for child in children:
            if child.status != RUNNING and child.execution_type == "STANDARD":
                store.append_events(c, child.arn, child.events)
    if changes.map_runs:
        store.put_map_runs(c, [_map_run_row(run) for run in changes.map_runs.values()])


def _child_row(child: ChildExecution) -> dict:
    run = child.run
    return {"arn": child.arn, "machine_arn": child.state_machine_arn, "name": child.name,
            "status": child.status, "input": dumps(child.input),
            "output": dumps(child.output) if child.status == SUCCEEDED else None,
            "error": child.error, "cause": child.cause, "start_date": child.start,
            "stop_date": child.stop, "role_arn": run.ex.role_arn, "type": run.execution_type,
            "machine_name": run.machine, "map_run_arn": run.arn, "item_index": child.index,
            "item_count": child.items}


def _definition(processor: Any) -> str:
    """The children's definition: the ItemProcessor without its ProcessorConfig (asl-runner's
    choice: AWS's DescribeStateMachineForExecution of a child is not recorded)."""
    if not isinstance(processor, dict):
        return "{}"
    return dumps({k: v for k, v in processor.items() if k != "ProcessorConfig"})


def _map_run_row(run: MapRun) -> dict:
    return {"arn": run.arn, "execution_arn": run.execution_arn,
            "machine_arn": run.parent_state_machine_arn, "root_arn": run.ex.arn,
            "label": run.label, "definition": _definition(run.processor), "status": run.status, "start_date": run.start,
            "stop_date": run.stop, "description": run.describe()}
