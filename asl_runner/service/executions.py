"""Executions: Start/StartSync/Stop/DescribeExecution, DescribeStateMachineForExecution,
ListExecutions, GetExecutionHistory."""

from __future__ import annotations

import logging
import random
import uuid
from typing import Any

from ..engine.outcomes import StopRequested
from .arns import parse_arn
from .base import Operations, operation
from .errors import ApiError, does_not_exist, invalid_arn, resource_not_found, validation
from .fields import check_name, execution_input
from .host import new_seed
from .pagination import keyset_listing, page_size
from .redrives import listed_redrive_fields

log = logging.getLogger("asl_runner.service")

#: how long StartSyncExecution waits for its execution (AWS: an Express execution lasts 5 minutes)
SYNC_TIMEOUT_SECONDS = 300


class Executions(Operations):
    #: the mock configuration whose test cases StartExecution may name (``ARN#TestCase``)
    mock_config: Any = None

    def _resolve_target(self, target: str) -> tuple[dict, str, str | None, str | None]:
        """(machine row, definition, version arn, alias arn) for a machine, version or alias ARN."""
        arn, machine = self._machine(target)
        if target == machine["arn"]:
            return machine, machine["definition"], None, None
        if arn.version is not None:
            version = self.store.get_version(target)
            if version is None:
                raise does_not_exist("StateMachine", target)
            return machine, version["definition"], target, None
        alias = self.store.get_alias(target)
        if alias is None:
            raise does_not_exist("StateMachine", target)
        routes = alias["routing"]
        pick = routes[0]
        if len(routes) == 2 and random.randrange(100) >= routes[0]["weight"]:
            pick = routes[1]
        version = self.store.get_version(pick["stateMachineVersionArn"])
        return machine, version["definition"], version["arn"], target

    @operation("StartExecution")
    def start_execution(self, body: dict) -> dict:
        return self._start(body, sync=False)

    @operation("StartSyncExecution")
    def start_sync_execution(self, body: dict) -> dict:
        _, machine = self._machine(body["stateMachineArn"].partition("#")[0])
        if machine["type"] != "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        return self._start(body, sync=True)

    def _start(self, body: dict, *, sync: bool) -> dict:
        # Step Functions Local's form: "stateMachineArn#TestCase" runs the execution with the
        # mocked responses of that test case of the mock configuration file
        target, mocked, test_case = body["stateMachineArn"].partition("#")
        machine, definition, version_arn, alias_arn = self._resolve_target(target)
        if mocked:
            self._check_test_case(body["stateMachineArn"], machine["name"], test_case, definition)
        name = check_name(body["name"]) if "name" in body else str(uuid.uuid4())
        text = body.get("input", "{}")
        execution_input(text)
        kind = "express" if machine["type"] == "EXPRESS" else "execution"
        arn = self._arn(kind, machine["name"], name)
        if kind == "express":
            arn += f":{uuid.uuid4()}"
        row = {"arn": arn, "machine_arn": machine["arn"], "name": name, "status": "RUNNING",
               "input": text, "definition": definition, "role_arn": machine["role_arn"],
               "seed": new_seed(), "version_arn": version_arn, "alias_arn": alias_arn,
               "type": machine["type"], "machine_name": machine["name"],
               "trace_header": body.get("traceHeader"), "test_case": test_case or None}

        def start() -> dict:
            existing = self.store.get_execution(arn)
            if existing is not None:
                # idempotent by name: the same input while it runs gives back the same execution
                if existing["status"] == "RUNNING" and existing["input"] == text:
                    return {"executionArn": arn, "startDate": existing["start_date"]}
                raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            self.host.start_execution(row)
            return {"executionArn": arn, "startDate": row["start_date"]}

        started = self.host.call(start)
        if not sync:
            return started
        self.host.wait_finished(arn, timeout=SYNC_TIMEOUT_SECONDS)
        return self._sync_result(arn)

    def _check_test_case(self, target: str, machine: str, test_case: str, definition: str) -> None:
        """StateMachineDoesNotExist unless the mock configuration has the test case; a warning
        in the log for its mocks that can never apply to the definition."""
        from ..mocks import MockConfigError, unused_mocks

        config = self.mock_config
        if config is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{target}': "
                           "'#' names a test case of a mock configuration file, and this server "
                           "has none (start it with --mock-config FILE, or set SFN_MOCK_CONFIG)")
        try:
            case = config.test_case(machine, test_case)
        except MockConfigError as exc:
            raise ApiError("StateMachineDoesNotExist",
                           f"State Machine Does Not Exist: '{target}': {exc}") from None
        for problem in unused_mocks(case.states, self.host.machine(definition), case.pointer):
            log.warning("warning: %s: %s", config.source, problem)

    def _sync_result(self, arn: str) -> dict:
        row = self.store.get_execution(arn)
        stop = row["stop_date"] or self.now()
        out = {"executionArn": arn, "stateMachineArn": row["machine_arn"], "name": row["name"],
               "startDate": row["start_date"], "stopDate": stop, "status": row["status"],
               "input": row["input"], "inputDetails": {"included": True},
               "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": max(
                   100, int((stop - row["start_date"]) * 1000))}}
        _add_outcome(out, row)
        return out

    @operation("StopExecution")
    def stop_execution(self, body: dict) -> dict:
        arn = body["executionArn"]
        row = self._execution(arn)
        error, cause = body.get("error"), body.get("cause")

        def stop() -> dict:
            self.host.deliver(arn, StopRequested(error, cause))
            current = self.store.get_execution(arn)
            return {"stopDate": current["stop_date"] or self.now()}

        if row["status"] != "RUNNING":
            return {"stopDate": row["stop_date"]}
        return self.host.call(stop)

    @operation("DescribeExecution")
    def describe_execution(self, body: dict) -> dict:
        arn = body["executionArn"]
        row = self._execution(arn)
        out: dict[str, Any] = {
            "executionArn": arn, "stateMachineArn": row["version_arn"] or row["machine_arn"],
            "name": row["name"], "status": row["status"], "startDate": row["start_date"],
            "input": row["input"], "inputDetails": {"included": True},
            **self.redrive_fields(row),
        }
        if row["stop_date"] is not None:
            out["stopDate"] = row["stop_date"]
        _add_outcome(out, row)
        if row["version_arn"]:
            out["stateMachineVersionArn"] = row["version_arn"]
        if row["alias_arn"]:
            out["stateMachineAliasArn"] = row["alias_arn"]
        if row["trace_header"]:
            out["traceHeader"] = row["trace_header"]
        if row["map_run_arn"]:
            out["mapRunArn"] = row["map_run_arn"]
        return out

    @operation("DescribeStateMachineForExecution")
    def describe_state_machine_for_execution(self, body: dict) -> dict:
        row = self._execution(body["executionArn"])
        if row["map_run_arn"]:
            return self._child_machine(row)
        machine = self.store.get_state_machine(row["machine_arn"])
        out = {"stateMachineArn": row["machine_arn"], "name": row["machine_name"],
               "definition": row["definition"], "roleArn": row["role_arn"],
               "updateDate": (machine or {}).get("updated") or (machine or {}).get("created")
               or row["start_date"],
               "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
               "tracingConfiguration": {"enabled": False}}
        if machine:
            out["revisionId"] = machine["revision_id"]
        return out

    def _child_machine(self, row: dict) -> dict:
        """DescribeStateMachineForExecution of a Distributed Map's child: the Map Run's
        children's state machine, with the mapRunArn and label AWS adds for one."""
        run = self.store.get_map_run(row["map_run_arn"])
        return {"stateMachineArn": row["machine_arn"], "name": row["machine_name"],
                "definition": run["definition"] if run else "{}", "roleArn": row["role_arn"],
                "updateDate": run["start_date"] if run else row["start_date"],
                "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
                "tracingConfiguration": {"enabled": False}, "mapRunArn": row["map_run_arn"],
                "label": run["label"] if run else row["machine_name"].rpartition("/")[2]}

    @operation("ListExecutions")
    def list_executions(self, body: dict) -> dict:
        target, map_run = body.get("stateMachineArn"), body.get("mapRunArn")
        if (target is None) == (map_run is None):
            raise validation("Must provide a StateMachine ARN or a MapRun ARN")
        status = body.get("statusFilter")
        redriven = {"REDRIVEN": True, "NOT_REDRIVEN": False}.get(body.get("redriveFilter"))
        version = alias = machine_arn = None
        if map_run is not None:
            parse_arn(map_run, "mapRun")
            if self.store.get_map_run(map_run) is None:
                raise resource_not_found(map_run)
        else:
            arn, machine = self._machine(target)
            if machine["type"] == "EXPRESS":  # AWS keeps no list of Express executions
                raise ApiError("StateMachineTypeNotSupported",
                               "This operation is not supported by this type of state machine")
            machine_arn = machine["arn"]
            version = target if arn.version is not None else None
            alias = target if arn.alias is not None else None
        return keyset_listing(
            self.pages, f"ListExecutions\n{target or map_run}\n{status}\n{redriven}",
            "executions", body,
            lambda after, limit: self.store.list_executions(
                machine_arn, status, version, alias, after, limit, map_run_arn=map_run,
                redriven=redriven),
            lambda row: _listed(row, map_run is not None))

    @operation("GetExecutionHistory")
    def get_execution_history(self, body: dict) -> dict:
        arn = body["executionArn"]
        row = self._execution(arn)
        if row["map_run_arn"] and row["type"] == "EXPRESS":  # AWS keeps no history of one
            raise invalid_arn("Resource type not valid in this context: express")
        size = page_size(body)
        reverse = body.get("reverseOrder", False)
        listing_id = f"GetExecutionHistory\n{arn}\n{reverse}"
        position = self.pages.read(listing_id, body.get("nextToken"))
        if reverse:
            events = self.store.events(arn, limit=size + 1, reverse=True, before_id=position)
        else:
            events = self.store.events(arn, after_id=position or 0, limit=size + 1)
        out: dict[str, Any] = {"events": [e.to_aws("epoch") for e in events[:size]]}
        if not body.get("includeExecutionData", True):
            for event in out["events"]:
                _drop_data(event)
        if len(events) > size:
            out["nextToken"] = self.pages.issue(listing_id, events[size - 1].id)
        return out


def _listed(r: dict, by_map_run: bool = False) -> dict:
    item = {"executionArn": r["arn"], "stateMachineArn": r["machine_arn"], "name": r["name"],
            "status": r["status"], "startDate": r["start_date"], **listed_redrive_fields(r)}
    if by_map_run:  # AWS names the Map Run and counts the items only when listing by it
        item["mapRunArn"] = r["map_run_arn"]
        item["itemCount"] = r["item_count"]
    if r["stop_date"] is not None:
        item["stopDate"] = r["stop_date"]
    if r["version_arn"]:
        item["stateMachineVersionArn"] = r["version_arn"]
    if r["alias_arn"]:
        item["stateMachineAliasArn"] = r["alias_arn"]
    return item


def _drop_data(event: dict) -> None:
    """includeExecutionData=false: the event without its input, output and parameters."""
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            for field in ("input", "output", "parameters"):
                if field in details:
                    del details[field]
                    details.pop(field + "Details", None)


def _add_outcome(out: dict, row: dict) -> None:
    """DescribeExecution's (and StartSyncExecution's) output, error and cause of a row."""
    if row["status"] == "SUCCEEDED":
        out["output"] = row["output"]
        out["outputDetails"] = {"included": True}
    for key in ("error", "cause"):
        if row[key] is not None:
            out[key] = row[key]
