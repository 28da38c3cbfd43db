"""Map Runs: DescribeMapRun, ListMapRuns, UpdateMapRun.

A Map Run's row is written with every step that changes it (``engine.map_run``), so reads go
to the store. UpdateMapRun is an outcome delivered to the execution the Map Run runs in, and
recorded like any other: a restart applies it again at the same point.
"""

from __future__ import annotations

from ..engine.map_run import MapRunUpdated
from .arns import parse_arn
from .base import Operations, operation
from .errors import does_not_exist, resource_not_found, validation
from .pagination import keyset_listing


class MapRuns(Operations):
    def _map_run(self, text: str) -> dict:
        parse_arn(text, "mapRun")
        row = self.store.get_map_run(text)
        if row is None:
            raise resource_not_found(text)
        return row

    @operation("DescribeMapRun")
    def describe_map_run(self, body: dict) -> dict:
        return self._map_run(body["mapRunArn"])["description"]

    @operation("ListMapRuns")
    def list_map_runs(self, body: dict) -> dict:
        arn = body["executionArn"]
        parse_arn(arn, "execution", "express")
        if self.store.get_execution(arn) is None:
            raise does_not_exist("Execution", arn)
        return keyset_listing(self.pages, f"ListMapRuns\n{arn}", "mapRuns", body,
                              lambda after, limit: self.store.list_map_runs(arn, after, limit),
                              _listed)

    @operation("UpdateMapRun")
    def update_map_run(self, body: dict) -> dict:
        arn = body["mapRunArn"]
        row = self._map_run(arn)
        settings = {key: body.get(key) for key in
                    ("maxConcurrency", "toleratedFailurePercentage", "toleratedFailureCount")}
        # AWS's words for these two are not known; the operation updates "an in-progress Map
        # Run" with at least one setting
        if all(value is None for value in settings.values()):
            raise validation("At least one of maxConcurrency, toleratedFailurePercentage or "
                             "toleratedFailureCount must be specified")
        outcome = MapRunUpdated(arn, settings["maxConcurrency"],
                                settings["toleratedFailurePercentage"],
                                settings["toleratedFailureCount"])
        if row["status"] != "RUNNING" or not self.host.call(
                lambda: self.host.deliver(row["root_arn"], outcome)):
            raise validation(f"Map Run is not running: '{arn}'")
        return {}


def _listed(row: dict) -> dict:
    item = {"executionArn": row["execution_arn"], "mapRunArn": row["arn"],
            "stateMachineArn": row["machine_arn"], "startDate": row["start_date"]}
    if row["stop_date"] is not None:
        item["stopDate"] = row["stop_date"]
    return item
