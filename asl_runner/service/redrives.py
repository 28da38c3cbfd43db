"""RedriveExecution, and the redrive fields DescribeExecution and ListExecutions report.

The engine's side (what runs again, and how a redrive survives a restart) is
``engine.redrive``; here are AWS's conditions and answers. The request is judged on the engine
thread, where nothing else changes the execution meanwhile: the same ``clientToken`` again
answers the redrive it made, a refused redrive changes nothing, an accepted one is recorded
with its events in one transaction before any of its tasks is performed.
"""

from __future__ import annotations

from typing import Any

from ..engine.redrive import NOT_REDRIVABLE, refusal
from .base import Operations, operation
from .errors import ApiError

#: AWS's reason while (here: once) the execution's state machine is being deleted
MACHINE_DELETED = "State machine is in DELETING status"
#: a Distributed Map's child: its Map Run redrives it (with its parent)
BY_MAP_RUN = "REDRIVABLE_BY_MAP_RUN"
CHILD_OF_MAP_RUN = ("Execution is a child workflow of a Map Run: redrive its parent execution "
                    "to redrive it")


class Redrives(Operations):
    @operation("RedriveExecution")
    def redrive_execution(self, body: dict) -> dict:
        arn = body["executionArn"]
        self._execution(arn)
        token = body.get("clientToken")

        def redrive() -> dict:
            row = self.store.get_execution(arn)
            if token is not None and row.get("redrive_token") == token:
                return {"redriveDate": row["redrive_date"]}  # the same request, made again
            refused = self._refusal(row)
            if refused is not None:
                raise ApiError(NOT_REDRIVABLE, refused)
            if row.get("map_run_arn"):
                raise ApiError(NOT_REDRIVABLE, CHILD_OF_MAP_RUN)
            try:
                return {"redriveDate": self.host.redrive(row, token)}
            except ApiError:
                raise
            except Exception as exc:  # a history the engine cannot rebuild (a bug): say so
                raise ApiError(NOT_REDRIVABLE, "asl-runner cannot rebuild this execution from "
                                               f"its history: {exc}") from None

        return self.host.call(redrive)

    def _refusal(self, row: dict) -> str | None:
        """Why AWS would refuse to redrive the execution now (its redriveStatusReason)."""
        last = self.store.events(row["arn"], limit=1, reverse=True)
        refused = refusal(status=row["status"], machine_type=row["type"], start=row["start_date"],
                          stop=row["stop_date"], events=last[0].id if last else 0, now=self.now())
        if (refused is None and not row.get("map_run_arn")
                and self.store.get_state_machine(row["machine_arn"]) is None):
            return MACHINE_DELETED
        return refused

    def redrive_status(self, row: dict) -> tuple[str, str | None]:
        """(redriveStatus, redriveStatusReason) of an execution's row, as DescribeExecution
        reports them; AWS gives a reason only when it is NOT_REDRIVABLE."""
        refused = self._refusal(row)
        if refused is not None:
            return "NOT_REDRIVABLE", refused
        if row.get("map_run_arn"):
            return BY_MAP_RUN, None
        return "REDRIVABLE", None

    def redrive_fields(self, row: dict) -> dict[str, Any]:
        """DescribeExecution's redriveCount, redriveDate, redriveStatus, redriveStatusReason."""
        status, reason = self.redrive_status(row)
        out: dict[str, Any] = {"redriveCount": row.get("redrive_count") or 0,
                               "redriveStatus": status}
        if row.get("redrive_date") is not None:
            out["redriveDate"] = row["redrive_date"]
        if reason is not None:
            out["redriveStatusReason"] = reason
        return out


def listed_redrive_fields(row: dict) -> dict[str, Any]:
    """An ExecutionListItem's redriveCount and redriveDate."""
    out: dict[str, Any] = {"redriveCount": row.get("redrive_count") or 0}
    if row.get("redrive_date") is not None:
        out["redriveDate"] = row["redrive_date"]
    return out
