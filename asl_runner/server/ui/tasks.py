"""What the web view's inbox lists: the tasks running executions wait for.

AWS's API has no "list task tokens": a token reaches a person only through what the waiting
task sent out. The inbox reads it from the engine instead, and only reads: a snapshot of the
pending tasks of every RUNNING execution, taken on the engine thread (the only thread that
touches a live execution).
"""

from __future__ import annotations

from typing import Any

from ...jsonvalue import dumps

#: how much of a task's parameters a listing carries (a task may send 256 KiB; the whole is in
#: the execution's TaskScheduled event)
PARAMETERS_SHOWN = 32 * 1024
_ALL = 1 << 62


def running_tasks(service: Any, kind: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """The tasks RUNNING executions wait for, oldest state entry first: ``{"tasks": [...],
    "counts": {kind: n}}``, the tasks of ``kind`` only (None: all), at most ``limit`` of them;
    ``counts`` counts every task by kind.

    Each item: ``executionArn``, ``executionName``, ``stateMachineArn``, ``stateName``,
    ``resource``, ``kind`` (``callback``: a ``.waitForTaskToken`` task, answered with
    SendTaskSuccess/SendTaskFailure; ``activity``; ``invoke``: a call in progress),
    ``enteredTime`` (epoch seconds the state was entered, the base of the SLA), ``parameters``
    (JSON text, as in the TaskScheduled event; cut at ``PARAMETERS_SHOWN`` characters, then
    ``parametersTruncated`` is true), and where set ``timeoutTime`` (when the task times out),
    ``heartbeatSeconds`` and, for callbacks, ``taskToken``.
    """
    host = service.host
    # the light columns only (a definition per row would be read for nothing); a Distributed
    # Map's children run inside their parent, whose live execution holds their tasks
    rows = [row for row in service.store.list_executions(status="RUNNING", limit=_ALL)
            if not row["map_run_arn"]]

    def snapshot() -> list[tuple[Any, Any, dict]]:
        out = []
        for row in rows:
            ex = host.live(row["arn"])
            if ex is None:
                continue
            for pending in ex.tasks.all_pending():
                invocation = pending.invocation
                # a Map Run's own reads and writes are not a Task state's work
                if invocation.event_family == "map-run" or not ex.tasks.awaits(invocation.token):
                    continue
                # only what the listing needs is read on the engine thread; the rest is
                # plain data, written out after
                out.append((pending.frame.entered_time, row, {
                    "invocation": invocation, "timeout": pending.timer.due if pending.timer else None}))
        return out

    found = sorted(host.call(snapshot), key=lambda entry: entry[0])
    counts: dict[str, int] = {}
    tasks = []
    for entered, row, live in found:
        invocation = live["invocation"]
        counts[invocation.kind] = counts.get(invocation.kind, 0) + 1
        if (kind is not None and invocation.kind != kind) or (limit is not None and len(tasks) >= limit):
            continue
        tasks.append(_item(entered, row, invocation, live["timeout"]))
    return {"tasks": tasks, "counts": counts}


def _item(entered: float, row: dict, invocation: Any, timeout: float | None) -> dict[str, Any]:
    parameters = dumps(invocation.payload)
    # in a Map Run's child, $$.Execution is the child's own: the inbox links to it
    execution = invocation.context.get("Execution") or {}
    item: dict[str, Any] = {
        "executionArn": execution.get("Id") or row["arn"], "executionName": execution.get("Name") or row["name"],
        "stateMachineArn": row["machine_arn"], "stateName": invocation.state_name,
        "resource": invocation.resource.arn, "kind": invocation.kind, "enteredTime": entered,
        "parameters": parameters[:PARAMETERS_SHOWN],
    }
    if len(parameters) > PARAMETERS_SHOWN:
        item["parametersTruncated"] = True
    if timeout is not None:
        item["timeoutTime"] = timeout
    if invocation.heartbeat_seconds:
        item["heartbeatSeconds"] = invocation.heartbeat_seconds
    if invocation.kind == "callback":
        item["taskToken"] = invocation.token
    return item
