"""What the web view's inbox lists: the tasks running executions wait for.

AWS's API has no "list task tokens": a token reaches a person only through what the waiting
task sent out. The inbox reads it from the engine instead, and only reads: a snapshot of the
pending tasks of every RUNNING execution, taken on the engine thread (the only thread that
touches a live execution).
"""

from __future__ import annotations

from typing import Any

from ...jsonvalue import dumps


def running_tasks(service: Any) -> list[dict[str, Any]]:
    """Every task a RUNNING execution waits for, oldest state entry first.

    Each item: ``executionArn``, ``executionName``, ``stateMachineArn``, ``stateName``,
    ``resource``, ``kind`` (``callback``: a ``.waitForTaskToken`` task, answered with
    SendTaskSuccess/SendTaskFailure; ``activity``; ``invoke``: a call in progress),
    ``enteredTime`` (epoch seconds the state was entered, the base of the SLA), ``parameters``
    (JSON text, as in the TaskScheduled event), and where set ``timeoutTime`` (when the task
    times out), ``heartbeatSeconds`` and, for callbacks, ``taskToken``.
    """
    host = service.host
    rows = service.store.running_executions()

    def snapshot() -> list[dict[str, Any]]:
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
                item: dict[str, Any] = {
                    "executionArn": row["arn"], "executionName": row["name"],
                    "stateMachineArn": row["machine_arn"], "stateName": invocation.state_name,
                    "resource": invocation.resource.arn, "kind": invocation.kind,
                    "enteredTime": pending.frame.entered_time,
                    "parameters": dumps(invocation.payload),
                }
                if pending.timer is not None:
                    item["timeoutTime"] = pending.timer.due
                if invocation.heartbeat_seconds:
                    item["heartbeatSeconds"] = invocation.heartbeat_seconds
                if invocation.kind == "callback":
                    item["taskToken"] = invocation.token
                out.append(item)
        out.sort(key=lambda item: item["enteredTime"])
        return out

    return host.call(snapshot)
