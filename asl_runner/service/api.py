"""The Step Functions API, operation by operation, on AWS's request and response shapes.

Each operation takes the request body (a dict, as the AWS JSON 1.0 protocol carries it) and
returns the response body. Timestamps are epoch seconds (floats), as that protocol sends them.
Failures raise :class:`ApiError` with AWS's error code. Reads go to the store directly;
anything that changes an execution runs on the host's engine thread.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from typing import Any

from ..errors import DefinitionError
from ..jsonvalue import PAYLOAD_LIMIT
from ..validate import validate_definition
from .errors import ApiError, does_not_exist, invalid_arn, validation
from .host import ExecutionHost, new_seed

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
# AWS's rule for names of state machines, executions, activities and aliases
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/.+$")
_TOKEN_LIMIT = 1024
_ARN_PREFIX = r"^arn:aws[\w-]*:states:[\w-]+:\d{12}:"
_MACHINE_ARN = re.compile(_ARN_PREFIX + r"stateMachine:")
_EXECUTION_ARN = re.compile(_ARN_PREFIX + r"(execution|express):")
_ACTIVITY_ARN = re.compile(_ARN_PREFIX + r"activity:")


def _check_name(name: Any, field: str = "name") -> str:
    if not isinstance(name, str) or not name:
        raise validation(f"1 validation error detected: Value at '{field}' failed to satisfy "
                         "constraint: Member must not be null")
    if len(name) > 80:
        raise validation(f"1 validation error detected: Value '{name}' at '{field}' failed to "
                         "satisfy constraint: Member must have length less than or equal to 80")
    if _BAD_NAME.search(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")
    return name


def _required(body: dict, field: str) -> Any:
    value = body.get(field)
    if value is None:
        raise validation(f"1 validation error detected: Value null at '{field}' failed to "
                         "satisfy constraint: Member must not be null")
    return value


def _string(body: dict, field: str) -> str:
    """A required string field (raw HTTP clients can send anything; botocore would not)."""
    value = _required(body, field)
    if not isinstance(value, str):
        raise ApiError("SerializationException",
                       f"Value of '{field}' must be a string, not {type(value).__name__}")
    return value


def _tags(value: Any) -> dict[str, str]:
    """A tag list ([{"key": k, "value": v}], both optional in AWS's model) as a dict."""
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ApiError("SerializationException", "'tags' must be a list of {key, value} objects")
    tags = {}
    for tag in value:
        key, text = tag.get("key", ""), tag.get("value", "")
        if not isinstance(key, str) or not isinstance(text, str):
            raise ApiError("SerializationException", "tag keys and values must be strings")
        if not 1 <= len(key) <= 128 or len(text) > 256:
            raise validation("1 validation error detected: a tag key must have 1 to 128 "
                             "characters and a value at most 256")
        tags[key] = text
    return tags


def _listing(key: str, items: list, body: dict, shape: Any, default: int = 100,
             limit: int = 1000) -> dict:
    """A List* response: ``items`` sliced by ``maxResults``/``nextToken`` (an opaque offset),
    each shaped by ``shape``, under ``key``."""
    size = body.get("maxResults") or default  # 0 means the default, as on AWS
    if not isinstance(size, int) or not 0 <= size <= limit:
        raise validation(f"1 validation error detected: Value '{size}' at 'maxResults' failed to "
                         f"satisfy constraint: Member must have value less than or equal to {limit}")
    offset = 0
    token = body.get("nextToken")
    if token:
        try:
            offset = int(base64.b64decode(token.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise ApiError("InvalidToken", f"Invalid Token: '{token}'") from None
    out: dict[str, Any] = {key: [shape(item) for item in items[offset:offset + size]]}
    if offset + size < len(items):
        out["nextToken"] = base64.b64encode(str(offset + size).encode()).decode()
    return out


class StepFunctions:
    """The service behind ``asl-runner serve`` (also usable in-process)."""

    def __init__(self, host: ExecutionHost, *, region: str = DEFAULT_REGION,
                 account: str = DEFAULT_ACCOUNT):
        self.host = host
        self.store = host.store
        self.region = region
        self.account = account
        self._sm_lock = threading.Lock()

    # ------------------------------------------------------------------ helpers

    def _arn(self, kind: str, *parts: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:{kind}:" + ":".join(parts)

    def now(self) -> float:
        return self.host.clock.now()

    def _validated_definition(self, definition: Any) -> str:
        if not isinstance(definition, str):
            raise validation("1 validation error detected: Value null at 'definition' failed to "
                             "satisfy constraint: Member must not be null")
        if len(definition.encode()) > 1024 * 1024:
            raise validation("1 validation error detected: Value at 'definition' failed to "
                             "satisfy constraint: Member must have length less than or equal to 1048576")
        try:
            parsed = json.loads(definition)
        except ValueError as exc:
            raise ApiError("InvalidDefinition", "Invalid State Machine Definition: "
                           f"'INVALID_JSON_DESCRIPTION: {exc.msg} at line {exc.lineno}'") from None
        problems = validate_definition(parsed) if isinstance(parsed, dict) else None
        if problems is None:
            raise ApiError("InvalidDefinition", "Invalid State Machine Definition: "
                           "'SCHEMA_VALIDATION_FAILED: The state machine definition must be a JSON object'")
        if problems:
            text = ", ".join(f"SCHEMA_VALIDATION_FAILED: {p.message} at {p.pointer or '/'}"
                             for p in problems[:10])
            raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{text}'")
        try:
            self.host.machine(definition)
        except DefinitionError as exc:
            raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{exc}'") from None
        return definition

    @staticmethod
    def _lookup(arn: Any, pattern: re.Pattern, get: Any, kind: str, key: Any = None) -> dict:
        """The row an ARN names: InvalidArn for an ARN of the wrong kind, ``<kind>DoesNotExist``
        for one that names nothing."""
        if not isinstance(arn, str) or not pattern.match(arn):
            raise invalid_arn(str(arn))
        row = get(key(arn) if key else arn)
        if row is None:
            raise does_not_exist(kind, arn)
        return row

    def _machine(self, arn: Any) -> dict:
        return self._lookup(arn, _MACHINE_ARN, self.store.get_state_machine, "StateMachine",
                            self._base_machine_arn)

    @staticmethod
    def _base_machine_arn(arn: str) -> str:
        parts = arn.split(":")
        return ":".join(parts[:7])

    def _execution(self, arn: Any) -> dict:
        return self._lookup(arn, _EXECUTION_ARN, self.store.get_execution, "Execution")

    # ------------------------------------------------------------------ state machines

    def create_state_machine(self, body: dict) -> dict:
        name = _check_name(body.get("name"))
        definition = self._validated_definition(body.get("definition"))
        role = _required(body, "roleArn")
        if not isinstance(role, str) or not _ROLE_ARN.match(role):
            raise invalid_arn(str(role))
        kind = body.get("type", "STANDARD")
        if kind not in ("STANDARD", "EXPRESS"):
            raise validation(f"1 validation error detected: Value '{kind}' at 'type' failed to "
                             "satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]")
        tags = _tags(body.get("tags"))
        arn = self._arn("stateMachine", name)
        with self._sm_lock:
            existing = self.store.get_state_machine(arn)
            if existing is not None:
                if (existing["definition"], existing["role_arn"], existing["type"]) == (definition, role, kind):
                    return {"stateMachineArn": arn, "creationDate": existing["created"]}
                raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            now = self.now()
            config = {k: body[k] for k in ("loggingConfiguration", "tracingConfiguration",
                                            "encryptionConfiguration") if k in body}
            self.store.put_state_machine({
                "arn": arn, "name": name, "type": kind, "definition": definition, "role_arn": role,
                "created": now, "revision_id": str(uuid.uuid4()), "description": None,
                "config": config})
            if tags:
                self.store.put_tags(arn, tags)
            result = {"stateMachineArn": arn, "creationDate": now}
            if body.get("publish"):
                version = self._publish(arn, body.get("versionDescription"))
                result["stateMachineVersionArn"] = version
        return result

    def describe_state_machine(self, body: dict) -> dict:
        arn = _required(body, "stateMachineArn")
        row = self._machine(arn)
        out = {
            "stateMachineArn": arn, "name": row["name"], "status": row["status"],
            "definition": row["definition"], "roleArn": row["role_arn"], "type": row["type"],
            "creationDate": row["created"],
            "loggingConfiguration": row["config"].get("loggingConfiguration", {"level": "OFF",
                                                                                "includeExecutionData": False}),
            "tracingConfiguration": row["config"].get("tracingConfiguration", {"enabled": False}),
            "revisionId": row["revision_id"],
        }
        if arn != row["arn"]:  # a version ARN
            version = self.store.get_version(arn)
            if version is None:
                raise does_not_exist("StateMachine", arn)
            out.update(definition=version["definition"], roleArn=version["role_arn"],
                       revisionId=version["revision_id"], creationDate=version["created"])
            if version["description"]:
                out["description"] = version["description"]
        return out

    def update_state_machine(self, body: dict) -> dict:
        arn = _required(body, "stateMachineArn")
        row = self._machine(arn)
        if not any(k in body for k in ("definition", "roleArn", "loggingConfiguration",
                                       "tracingConfiguration", "encryptionConfiguration")):
            raise ApiError("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, the "
                           "TracingConfiguration or the EncryptionConfiguration must be specified")
        if "definition" in body:
            row["definition"] = self._validated_definition(body["definition"])
        if "roleArn" in body:
            if not _ROLE_ARN.match(str(body["roleArn"])):
                raise invalid_arn(str(body["roleArn"]))
            row["role_arn"] = body["roleArn"]
        for key in ("loggingConfiguration", "tracingConfiguration", "encryptionConfiguration"):
            if key in body:
                row["config"][key] = body[key]
        row["updated"] = self.now()
        row["revision_id"] = str(uuid.uuid4())
        self.store.put_state_machine(row)
        out = {"updateDate": row["updated"], "revisionId": row["revision_id"]}
        if body.get("publish"):
            out["stateMachineVersionArn"] = self._publish(row["arn"], body.get("versionDescription"))
        return out

    def delete_state_machine(self, body: dict) -> dict:
        arn = _required(body, "stateMachineArn")
        if not isinstance(arn, str) or ":stateMachine:" not in arn:
            raise invalid_arn(str(arn))
        self.store.delete_state_machine(self._base_machine_arn(arn))
        return {}

    def list_state_machines(self, body: dict) -> dict:
        return _listing("stateMachines", self.store.list_state_machines(), body, lambda r: {
            "stateMachineArn": r["arn"], "name": r["name"], "type": r["type"],
            "creationDate": r["created"]})

    def validate_state_machine_definition(self, body: dict) -> dict:
        definition = _string(body, "definition")
        try:
            parsed = json.loads(definition)
        except ValueError as exc:
            return {"result": "FAIL", "truncated": False, "diagnostics": [{
                "severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION",
                "message": f"{exc.msg} at line {exc.lineno}, column {exc.colno}"}]}
        problems = validate_definition(parsed)
        limit = body.get("maxResults") or 100
        diagnostics = [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                        "message": p.message, "location": p.pointer or "/"} for p in problems]
        return {"result": "FAIL" if problems else "OK", "diagnostics": diagnostics[:limit],
                "truncated": len(diagnostics) > limit}

    # ------------------------------------------------------------------ versions and aliases

    def _publish(self, machine_arn: str, description: str | None) -> str:
        row = self.store.get_state_machine(machine_arn)
        versions = self.store.list_versions(machine_arn)
        if versions and versions[0]["definition"] == row["definition"] \
                and versions[0]["role_arn"] == row["role_arn"]:
            return versions[0]["arn"]  # nothing changed since the last version: AWS reuses it
        number = (versions[0]["version"] + 1) if versions else 1
        arn = f"{machine_arn}:{number}"
        self.store.put_version({"arn": arn, "machine_arn": machine_arn, "version": number,
                                "definition": row["definition"], "role_arn": row["role_arn"],
                                "revision_id": row["revision_id"], "description": description,
                                "created": self.now()})
        return arn

    def publish_state_machine_version(self, body: dict) -> dict:
        row = self._machine(_required(body, "stateMachineArn"))
        arn = self._publish(row["arn"], body.get("description"))
        return {"stateMachineVersionArn": arn, "creationDate": self.store.get_version(arn)["created"]}

    def list_state_machine_versions(self, body: dict) -> dict:
        row = self._machine(_required(body, "stateMachineArn"))
        return _listing("stateMachineVersions", self.store.list_versions(row["arn"]), body,
                        lambda v: {"stateMachineVersionArn": v["arn"], "creationDate": v["created"]})

    def delete_state_machine_version(self, body: dict) -> dict:
        arn = _required(body, "stateMachineVersionArn")
        for alias in self.store.list_aliases(self._base_machine_arn(arn)):
            if any(r["stateMachineVersionArn"] == arn for r in alias["routing"]):
                raise ApiError("ConflictException", f"Version {arn} is referenced by alias "
                               f"{alias['arn']}")
        self.store.delete_version(arn)
        return {}

    def _routing(self, machine_arn: str, routing: Any) -> list:
        if not isinstance(routing, list) or not 1 <= len(routing) <= 2:
            raise validation("routingConfiguration must hold one or two versions")
        if sum(r.get("weight", 0) for r in routing) != 100:
            raise validation("The weights of routingConfiguration must add up to 100")
        for r in routing:
            version = self.store.get_version(r.get("stateMachineVersionArn", ""))
            if version is None or version["machine_arn"] != machine_arn:
                raise does_not_exist("ResourceNotFound", r.get("stateMachineVersionArn", ""))
        return routing

    def create_state_machine_alias(self, body: dict) -> dict:
        name = _check_name(body.get("name"))
        routing = _required(body, "routingConfiguration")
        machine_arn = self._base_machine_arn(routing[0]["stateMachineVersionArn"]) if routing else ""
        self._routing(machine_arn, routing)
        arn = f"{machine_arn}:{name}"
        existing = self.store.get_alias(arn)
        if existing is not None:
            if existing["routing"] == routing:
                return {"stateMachineAliasArn": arn, "creationDate": existing["created"]}
            raise ApiError("ConflictException", f"Alias {arn} already exists")
        now = self.now()
        self.store.put_alias({"arn": arn, "machine_arn": machine_arn, "name": name,
                              "description": body.get("description"), "routing": routing,
                              "created": now})
        return {"stateMachineAliasArn": arn, "creationDate": now}

    def _alias(self, arn: Any) -> dict:
        row = self.store.get_alias(str(arn))
        if row is None:
            raise does_not_exist("ResourceNotFound", str(arn))
        return row

    def describe_state_machine_alias(self, body: dict) -> dict:
        row = self._alias(_required(body, "stateMachineAliasArn"))
        out = {"stateMachineAliasArn": row["arn"], "name": row["name"],
               "routingConfiguration": row["routing"], "creationDate": row["created"],
               "updateDate": row["updated"] or row["created"]}
        if row["description"]:
            out["description"] = row["description"]
        return out

    def update_state_machine_alias(self, body: dict) -> dict:
        row = self._alias(_required(body, "stateMachineAliasArn"))
        if "routingConfiguration" in body:
            row["routing"] = self._routing(row["machine_arn"], body["routingConfiguration"])
        if "description" in body:
            row["description"] = body["description"]
        row["updated"] = self.now()
        self.store.put_alias(row)
        return {"updateDate": row["updated"]}

    def delete_state_machine_alias(self, body: dict) -> dict:
        self.store.delete_alias(_required(body, "stateMachineAliasArn"))
        return {}

    def list_state_machine_aliases(self, body: dict) -> dict:
        row = self._machine(_required(body, "stateMachineArn"))
        return _listing("stateMachineAliases", self.store.list_aliases(row["arn"]), body,
                        lambda a: {"stateMachineAliasArn": a["arn"], "creationDate": a["created"]})

    # ------------------------------------------------------------------ executions

    def _resolve_target(self, target: str) -> tuple[dict, str, str | None, str | None]:
        """(machine row, definition, version arn, alias arn) for a machine, version or alias ARN."""
        machine = self._machine(target)
        if target == machine["arn"]:
            return machine, machine["definition"], None, None
        suffix = target.split(":")[-1]
        if suffix.isdigit():
            version = self.store.get_version(target)
            if version is None:
                raise does_not_exist("StateMachine", target)
            return machine, version["definition"], target, None
        alias = self.store.get_alias(target)
        if alias is None:
            raise does_not_exist("StateMachine", target)
        routes = alias["routing"]
        pick = routes[0]
        if len(routes) == 2 and random_weight() >= routes[0]["weight"]:
            pick = routes[1]
        version = self.store.get_version(pick["stateMachineVersionArn"])
        return machine, version["definition"], version["arn"], target

    def start_execution(self, body: dict, *, sync: bool = False) -> dict:
        target = _required(body, "stateMachineArn")
        machine, definition, version_arn, alias_arn = self._resolve_target(target)
        name = body.get("name")
        name = _check_name(name) if name is not None else str(uuid.uuid4())
        text = body.get("input", "{}")
        if text is None:
            text = "{}"
        if not isinstance(text, str):
            raise validation("1 validation error detected: Value at 'input' failed to satisfy "
                             "constraint: Member must be a string")
        if len(text.encode()) > PAYLOAD_LIMIT:
            raise validation("1 validation error detected: Value at 'input' failed to satisfy "
                             f"constraint: Member must have length less than or equal to {PAYLOAD_LIMIT}")
        try:
            json.loads(text)
        except ValueError as exc:
            raise ApiError("InvalidExecutionInput",
                           f"Invalid State Machine Execution Input: '{exc.msg}'") from None
        kind = "express" if machine["type"] == "EXPRESS" else "execution"
        arn = self._arn(kind, machine["name"], name)
        if kind == "express":
            arn += f":{uuid.uuid4()}"
        row = {"arn": arn, "machine_arn": machine["arn"], "name": name, "status": "RUNNING",
               "input": text, "definition": definition, "role_arn": machine["role_arn"],
               "seed": new_seed(), "version_arn": version_arn, "alias_arn": alias_arn,
               "type": machine["type"], "machine_name": machine["name"],
               "trace_header": body.get("traceHeader")}

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
        self.host.wait_finished(arn, timeout=300)
        return self._sync_result(arn)

    def start_sync_execution(self, body: dict) -> dict:
        machine = self._machine(_required(body, "stateMachineArn"))
        if machine["type"] != "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        return self.start_execution(body, sync=True)

    def _sync_result(self, arn: str) -> dict:
        row = self.store.get_execution(arn)
        out = {"executionArn": arn, "stateMachineArn": row["machine_arn"], "name": row["name"],
               "startDate": row["start_date"], "stopDate": row["stop_date"] or self.now(),
               "status": row["status"], "input": row["input"],
               "inputDetails": {"included": True},
               "billingDetails": {"billedMemoryUsedInMB": 64,
                                  "billedDurationInMilliseconds": max(
                                      100, int(((row["stop_date"] or self.now()) - row["start_date"]) * 1000))}}
        if row["status"] == "SUCCEEDED":
            out["output"] = row["output"]
            out["outputDetails"] = {"included": True}
        for key in ("error", "cause"):
            if row[key] is not None:
                out[key] = row[key]
        return out

    def stop_execution(self, body: dict) -> dict:
        arn = _required(body, "executionArn")
        row = self._execution(arn)
        error, cause = body.get("error"), body.get("cause")

        def stop() -> dict:
            self.host.deliver(arn, "stop", {"error": error, "cause": cause})
            current = self.store.get_execution(arn)
            return {"stopDate": current["stop_date"] or self.now()}

        if row["status"] != "RUNNING":
            return {"stopDate": row["stop_date"]}
        return self.host.call(stop)

    def describe_execution(self, body: dict) -> dict:
        arn = _required(body, "executionArn")
        row = self._execution(arn)
        out: dict[str, Any] = {
            "executionArn": arn, "stateMachineArn": row["version_arn"] or row["machine_arn"],
            "name": row["name"], "status": row["status"], "startDate": row["start_date"],
            "input": row["input"], "inputDetails": {"included": True}, "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE" if row["status"] in ("RUNNING", "SUCCEEDED")
            else "REDRIVABLE",
        }
        if row["stop_date"] is not None:
            out["stopDate"] = row["stop_date"]
        if row["status"] == "SUCCEEDED":
            out["output"] = row["output"]
            out["outputDetails"] = {"included": True}
        for key in ("error", "cause"):
            if row[key] is not None:
                out[key] = row[key]
        if row["version_arn"]:
            out["stateMachineVersionArn"] = row["version_arn"]
        if row["alias_arn"]:
            out["stateMachineAliasArn"] = row["alias_arn"]
        if row["trace_header"]:
            out["traceHeader"] = row["trace_header"]
        return out

    def describe_state_machine_for_execution(self, body: dict) -> dict:
        row = self._execution(_required(body, "executionArn"))
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

    def list_executions(self, body: dict) -> dict:
        target = body.get("stateMachineArn")
        map_run = body.get("mapRunArn")
        if (target is None) == (map_run is None):
            raise validation("Must provide a StateMachine ARN or a MapRun ARN")
        if map_run is not None:
            return {"executions": []}  # a distributed Map's children are not separate rows here
        machine = self._machine(target)
        status = body.get("statusFilter")
        if status is not None and status not in ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
                                                 "ABORTED", "PENDING_REDRIVE"):
            raise validation(f"1 validation error detected: Value '{status}' at 'statusFilter' "
                             "failed to satisfy constraint")
        version = target if target != machine["arn"] and target.split(":")[-1].isdigit() else None
        alias = target if target != machine["arn"] and version is None else None
        size = body.get("maxResults") or 100
        if not isinstance(size, int) or not 0 <= size <= 1000:
            raise validation("maxResults must be between 0 and 1000")
        after = None
        if body.get("nextToken"):
            try:
                date, arn = json.loads(base64.b64decode(body["nextToken"]).decode())
                after = (float(date), str(arn))
            except (ValueError, TypeError, UnicodeDecodeError):
                raise ApiError("InvalidToken", f"Invalid Token: '{body['nextToken']}'") from None
        rows = self.store.list_executions(machine["arn"], status, version, alias, after, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        out: dict[str, Any] = {"executions": []}
        for r in rows:
            item = {"executionArn": r["arn"], "stateMachineArn": r["machine_arn"], "name": r["name"],
                    "status": r["status"], "startDate": r["start_date"], "redriveCount": 0}
            if r["stop_date"] is not None:
                item["stopDate"] = r["stop_date"]
            if r["version_arn"]:
                item["stateMachineVersionArn"] = r["version_arn"]
            if r["alias_arn"]:
                item["stateMachineAliasArn"] = r["alias_arn"]
            out["executions"].append(item)
        if more:
            last = rows[-1]
            out["nextToken"] = base64.b64encode(
                json.dumps([last["start_date"], last["arn"]]).encode()).decode()
        return out

    def get_execution_history(self, body: dict) -> dict:
        arn = _required(body, "executionArn")
        self._execution(arn)
        size = body.get("maxResults") or 100
        if not isinstance(size, int) or not 0 <= size <= 1000:
            raise validation("maxResults must be between 0 and 1000")
        reverse = bool(body.get("reverseOrder"))
        include_data = body.get("includeExecutionData", True)
        position = None
        if body.get("nextToken"):
            try:
                position = int(base64.b64decode(body["nextToken"]).decode())
            except (ValueError, UnicodeDecodeError):
                raise ApiError("InvalidToken", f"Invalid Token: '{body['nextToken']}'") from None
        if reverse:
            events = self.store.events(arn, limit=size + 1, reverse=True, before_id=position)
        else:
            events = self.store.events(arn, after_id=position or 0, limit=size + 1)
        more = len(events) > size
        events = events[:size]
        out: dict[str, Any] = {"events": [e.to_aws("epoch") for e in events]}
        if not include_data:
            for e in out["events"]:
                for key, details in e.items():
                    if key.endswith("EventDetails") and isinstance(details, dict):
                        for field in ("input", "output", "parameters"):
                            if field in details:
                                del details[field]
                                details.pop(field + "Details", None)
        if more:
            out["nextToken"] = base64.b64encode(str(events[-1].id).encode()).decode()
        return out

    # ------------------------------------------------------------------ callbacks

    def _task(self, token: Any) -> tuple[str, Any]:
        """(execution arn, pending task) for a token, or AWS's error for a bad one."""
        if not isinstance(token, str) or not token or len(token) > _TOKEN_LIMIT:
            raise ApiError("InvalidToken", "Invalid Token: 'Task Token is invalid'")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            arn, _number, _salt = raw.rsplit("#", 2)
        except (ValueError, UnicodeDecodeError):
            raise ApiError("InvalidToken", f"Invalid Token: '{token}'") from None
        row = self.store.get_execution(arn)
        if row is None:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist")
        ex = self.host.live(arn)
        pending = ex.pending_task(token) if ex is not None else None
        if pending is None:
            # a token this execution issued, whose task is over (or whose execution ended)
            raise ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist "
                           "anymore'")
        return arn, pending

    def send_task_success(self, body: dict) -> dict:
        token = _string(body, "taskToken")
        output = _string(body, "output")
        if len(output.encode()) > PAYLOAD_LIMIT:
            raise validation("1 validation error detected: Value at 'output' failed to satisfy "
                             f"constraint: Member must have length less than or equal to {PAYLOAD_LIMIT}")
        try:
            value = json.loads(output)
        except ValueError as exc:
            raise ApiError("InvalidOutput", f"Invalid Output: '{exc.msg}'") from None

        def send() -> dict:
            arn, _ = self._task(token)
            self.host.deliver(arn, "task-succeeded", {"token": token, "output": value})
            return {}

        return self.host.call(send)

    def send_task_failure(self, body: dict) -> dict:
        token = _string(body, "taskToken")
        error, cause = body.get("error"), body.get("cause")

        def send() -> dict:
            arn, _ = self._task(token)
            self.host.deliver(arn, "task-failed", {"token": token, "error": error, "cause": cause})
            return {}

        return self.host.call(send)

    def send_task_heartbeat(self, body: dict) -> dict:
        token = _string(body, "taskToken")

        def send() -> dict:
            arn, _ = self._task(token)
            self.host.deliver(arn, "heartbeat", {"token": token, "at": self.now()})
            return {}

        return self.host.call(send)

    # ------------------------------------------------------------------ activities

    def create_activity(self, body: dict) -> dict:
        name = _check_name(body.get("name"))
        tags = _tags(body.get("tags"))
        arn = self._arn("activity", name)
        existing = self.store.get_activity(arn)
        created = existing["created"] if existing else self.now()
        if existing is None:
            self.store.put_activity(arn, name, created)
        if tags:
            self.store.put_tags(arn, tags)
        return {"activityArn": arn, "creationDate": created}

    def _activity(self, arn: Any) -> dict:
        return self._lookup(arn, _ACTIVITY_ARN, self.store.get_activity, "Activity")

    def describe_activity(self, body: dict) -> dict:
        row = self._activity(_required(body, "activityArn"))
        return {"activityArn": row["arn"], "name": row["name"], "creationDate": row["created"]}

    def delete_activity(self, body: dict) -> dict:
        arn = _required(body, "activityArn")
        if not isinstance(arn, str) or ":activity:" not in arn:
            raise invalid_arn(str(arn))
        self.store.delete_activity(arn)
        return {}

    def list_activities(self, body: dict) -> dict:
        return _listing("activities", self.store.list_activities(), body, lambda r: {
            "activityArn": r["arn"], "name": r["name"], "creationDate": r["created"]})

    def get_activity_task(self, body: dict, *, poll_seconds: float = 60.0) -> dict:
        """Long poll: waits up to ``poll_seconds`` (AWS: 60) for a task of the activity."""
        arn = _required(body, "activityArn")
        self._activity(arn)
        worker = body.get("workerName")
        deadline = time.monotonic() + poll_seconds
        while True:
            def take():
                invocation = self.host.take_activity_task(arn, worker)
                if invocation is not None:
                    return invocation, None
                return None, self.host.activity_waiter(arn)

            invocation, waiter = self.host.call(take)
            if invocation is not None:
                return {"taskToken": invocation.token, "input": json.dumps(invocation.payload)}
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not waiter.wait(remaining) or self.host._stopping:
                self.host.call(lambda waiter=waiter: self.host.forget_activity_waiter(arn, waiter))
                return {}

    # ------------------------------------------------------------------ tags

    def _taggable(self, arn: Any) -> str:
        if not isinstance(arn, str):
            raise invalid_arn(str(arn))
        if ":stateMachine:" in arn:
            self._machine(arn)
        elif ":activity:" in arn:
            self._activity(arn)
        else:
            raise invalid_arn(arn)
        return arn

    def tag_resource(self, body: dict) -> dict:
        arn = self._taggable(_required(body, "resourceArn"))
        self.store.put_tags(arn, _tags(_required(body, "tags")))
        return {}

    def untag_resource(self, body: dict) -> dict:
        arn = self._taggable(_required(body, "resourceArn"))
        keys = _required(body, "tagKeys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ApiError("SerializationException", "'tagKeys' must be a list of strings")
        self.store.delete_tags(arn, keys)
        return {}

    def list_tags_for_resource(self, body: dict) -> dict:
        arn = self._taggable(_required(body, "resourceArn"))
        return {"tags": [{"key": k, "value": v} for k, v in self.store.tags(arn).items()]}


def random_weight() -> int:
    import random

    return random.randrange(100)


#: operation name (as in X-Amz-Target) -> method name
OPERATIONS = {
    "CreateStateMachine": "create_state_machine",
    "DescribeStateMachine": "describe_state_machine",
    "UpdateStateMachine": "update_state_machine",
    "DeleteStateMachine": "delete_state_machine",
    "ListStateMachines": "list_state_machines",
    "ValidateStateMachineDefinition": "validate_state_machine_definition",
    "PublishStateMachineVersion": "publish_state_machine_version",
    "ListStateMachineVersions": "list_state_machine_versions",
    "DeleteStateMachineVersion": "delete_state_machine_version",
    "CreateStateMachineAlias": "create_state_machine_alias",
    "DescribeStateMachineAlias": "describe_state_machine_alias",
    "UpdateStateMachineAlias": "update_state_machine_alias",
    "DeleteStateMachineAlias": "delete_state_machine_alias",
    "ListStateMachineAliases": "list_state_machine_aliases",
    "StartExecution": "start_execution",
    "StartSyncExecution": "start_sync_execution",
    "StopExecution": "stop_execution",
    "DescribeExecution": "describe_execution",
    "DescribeStateMachineForExecution": "describe_state_machine_for_execution",
    "ListExecutions": "list_executions",
    "GetExecutionHistory": "get_execution_history",
    "SendTaskSuccess": "send_task_success",
    "SendTaskFailure": "send_task_failure",
    "SendTaskHeartbeat": "send_task_heartbeat",
    "CreateActivity": "create_activity",
    "DescribeActivity": "describe_activity",
    "DeleteActivity": "delete_activity",
    "ListActivities": "list_activities",
    "GetActivityTask": "get_activity_task",
    "TagResource": "tag_resource",
    "UntagResource": "untag_resource",
    "ListTagsForResource": "list_tags_for_resource",
}
