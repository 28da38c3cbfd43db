"""State machines and their versions: Create/Describe/Update/Delete/ListStateMachines,
ValidateStateMachineDefinition, Publish/List/DeleteStateMachineVersion."""

from __future__ import annotations

import uuid

from ..errors import DefinitionError
from ..jsonvalue import JsonInputError
from ..jsonvalue import loads as parse_json
from ..model.express import express_problems
from ..validate import validate_definition
from .arns import check_role_arn, parse_arn
from .base import Operations, operation
from .errors import ApiError, does_not_exist, invalid_arn, validation, validation_errors
from .fields import check_name, check_tag_count, tag_map
from .pagination import listing

#: AWS: "Maximum size of state machine definition: 1 MB" (a hard quota), in UTF-8 bytes
DEFINITION_LIMIT = 1024 * 1024
_CONFIG_KEYS = ("loggingConfiguration", "tracingConfiguration", "encryptionConfiguration")


def _invalid_definition(detail: str) -> ApiError:
    return ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{detail}'")


def _schema_validation_failed(problems: list) -> ApiError:
    return _invalid_definition(", ".join(f"SCHEMA_VALIDATION_FAILED: {p.message} at {p.pointer or '/'}"
                                         for p in problems[:10]))


def _check_version_description(body: dict) -> None:
    if "versionDescription" in body and not body.get("publish"):
        # AWS's recorded answer
        raise validation("Version description can only be set when publish is true")


class StateMachines(Operations):
    def _validated_definition(self, definition: str, kind: str) -> str:
        """``definition`` if a machine of type ``kind`` may have it, else InvalidDefinition."""
        if len(definition) * 3 > DEFINITION_LIMIT and len(definition.encode()) > DEFINITION_LIMIT:
            raise validation_errors(["Value at 'definition' failed to satisfy constraint: Member must "
                                     f"have length less than or equal to {DEFINITION_LIMIT}"])
        try:
            parsed = parse_json(definition)
        except JsonInputError as exc:
            raise _invalid_definition(f"INVALID_JSON_DESCRIPTION: {exc}") from None
        problems = validate_definition(parsed) if isinstance(parsed, dict) else None
        if problems is None:
            raise _invalid_definition("SCHEMA_VALIDATION_FAILED: The state machine definition must be a JSON object")
        if problems:
            raise _schema_validation_failed(problems)
        try:
            machine = self.host.machine(definition)
        except DefinitionError as exc:
            raise _invalid_definition(str(exc)) from None
        # an Express machine that waited for a callback or an activity would hold
        # StartSyncExecution until its 5 minutes were up
        problems = express_problems(machine) if kind == "EXPRESS" else []
        if problems:
            raise _schema_validation_failed(problems)
        return definition

    # ------------------------------------------------------------------ state machines

    @operation("CreateStateMachine")
    def create_state_machine(self, body: dict) -> dict:
        _check_version_description(body)
        name = check_name(body["name"])
        kind = body.get("type", "STANDARD")
        definition = self._validated_definition(body["definition"], kind)
        role = check_role_arn(body["roleArn"])
        arn = self._arn("stateMachine", name)
        tags = tag_map(body.get("tags", []))
        check_tag_count(arn, tags)
        with self._sm_lock:
            existing = self.store.get_state_machine(arn)
            if existing is not None:
                if (existing["definition"], existing["role_arn"], existing["type"]) == (definition, role, kind):
                    return {"stateMachineArn": arn, "creationDate": existing["created"]}
                raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            now = self.now()
            self.store.put_state_machine({
                "arn": arn, "name": name, "type": kind, "definition": definition, "role_arn": role,
                "created": now, "revision_id": str(uuid.uuid4()), "description": None,
                "config": {k: body[k] for k in _CONFIG_KEYS if k in body}})
            if tags:
                self.store.put_tags(arn, tags)
            result = {"stateMachineArn": arn, "creationDate": now}
            if body.get("publish"):
                result["stateMachineVersionArn"] = self._publish(arn, body.get("versionDescription"))
        return result

    @operation("DescribeStateMachine")
    def describe_state_machine(self, body: dict) -> dict:
        text = body["stateMachineArn"]
        _, row = self._machine(text)
        out = {
            "stateMachineArn": text, "name": row["name"], "status": row["status"],
            "definition": row["definition"], "roleArn": row["role_arn"], "type": row["type"],
            "creationDate": row["created"],
            "loggingConfiguration": row["config"].get("loggingConfiguration",
                                                      {"level": "OFF", "includeExecutionData": False}),
            "tracingConfiguration": row["config"].get("tracingConfiguration", {"enabled": False}),
            "revisionId": row["revision_id"],
        }
        if text != row["arn"]:  # a version ARN
            version = self.store.get_version(text)
            if version is None:
                raise does_not_exist("StateMachine", text)
            out.update(definition=version["definition"], roleArn=version["role_arn"],
                       revisionId=version["revision_id"], creationDate=version["created"])
            if version["description"]:
                out["description"] = version["description"]
        return out

    @operation("UpdateStateMachine")
    def update_state_machine(self, body: dict) -> dict:
        text = body["stateMachineArn"]
        _, row = self._machine(text)
        if text != row["arn"]:  # versions are immutable: AWS says the ARN names no machine
            raise does_not_exist("StateMachine", text)
        if not any(k in body for k in ("definition", "roleArn", *_CONFIG_KEYS)):
            raise ApiError("MissingRequiredParameter", "Either the definition, the role ARN, the "
                           "LoggingConfiguration, or the TracingConfiguration must be specified")
        _check_version_description(body)
        definition = self._validated_definition(body["definition"], row["type"]) if "definition" in body else None
        role = check_role_arn(body["roleArn"]) if "roleArn" in body else None
        row["definition"] = definition or row["definition"]
        row["role_arn"] = role or row["role_arn"]
        row["config"].update({k: body[k] for k in _CONFIG_KEYS if k in body})
        row["updated"] = self.now()
        row["revision_id"] = str(uuid.uuid4())
        self.store.put_state_machine(row)
        out = {"updateDate": row["updated"], "revisionId": row["revision_id"]}
        if body.get("publish"):
            out["stateMachineVersionArn"] = self._publish(row["arn"], body.get("versionDescription"))
        return out

    @operation("DeleteStateMachine")
    def delete_state_machine(self, body: dict) -> dict:
        self.store.delete_state_machine(parse_arn(body["stateMachineArn"], "stateMachine").base)
        return {}

    @operation("ListStateMachines")
    def list_state_machines(self, body: dict) -> dict:
        return listing(self.pages, "ListStateMachines", "stateMachines", self.store.list_state_machines(),
                       body, lambda r: {"stateMachineArn": r["arn"], "name": r["name"], "type": r["type"],
                                        "creationDate": r["created"]})

    @operation("ValidateStateMachineDefinition")
    def validate_state_machine_definition(self, body: dict) -> dict:
        try:
            parsed = parse_json(body["definition"])
        except JsonInputError as exc:
            return {"result": "FAIL", "truncated": False, "diagnostics": [{
                "severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION", "message": str(exc)}]}
        problems = validate_definition(parsed)
        if not problems and body.get("type") == "EXPRESS":
            try:
                problems = express_problems(self.host.machine(body["definition"]))
            except DefinitionError as exc:
                problems = exc.problems
        limit = body.get("maxResults") or 100
        diagnostics = [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                        "message": p.message, "location": p.pointer or "/"} for p in problems]
        return {"result": "FAIL" if problems else "OK", "diagnostics": diagnostics[:limit],
                "truncated": len(diagnostics) > limit}

    # ------------------------------------------------------------------ versions

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

    @operation("PublishStateMachineVersion")
    def publish_state_machine_version(self, body: dict) -> dict:
        _, row = self._machine(body["stateMachineArn"])
        revision = body.get("revisionId")
        if revision is not None and revision != row["revision_id"]:
            raise ApiError("ConflictException", f"Failed to publish the State Machine version for revision "
                           f"{revision}. The current State Machine revision is {row['revision_id']}.")
        arn = self._publish(row["arn"], body.get("description"))
        return {"stateMachineVersionArn": arn, "creationDate": self.store.get_version(arn)["created"]}

    @operation("ListStateMachineVersions")
    def list_state_machine_versions(self, body: dict) -> dict:
        # AWS's model lists no not-found error here and its answer for an unknown machine is
        # not recorded: StateMachineDoesNotExist, as ListExecutions answers, rather than an
        # empty list that would hide a mistyped ARN
        _, row = self._machine(body["stateMachineArn"])
        return listing(self.pages, f"ListStateMachineVersions\n{row['arn']}", "stateMachineVersions",
                       self.store.list_versions(row["arn"]), body,
                       lambda v: {"stateMachineVersionArn": v["arn"], "creationDate": v["created"]})

    @operation("DeleteStateMachineVersion")
    def delete_state_machine_version(self, body: dict) -> dict:
        text = body["stateMachineVersionArn"]
        arn = parse_arn(text, "stateMachine")
        if arn.version is None:
            # AWS's wording for this case is not known; the code is one its model gives here
            raise invalid_arn(f"Not a state machine version ARN: {text}")
        referencing = [alias["name"] for alias in self.store.list_aliases(arn.base)
                       if any(r["stateMachineVersionArn"] == text for r in alias["routing"])]
        if referencing:
            raise ApiError("ConflictException", "Version to be deleted must not be referenced by an alias. "
                           f"Current list of aliases referencing this version: [{', '.join(referencing)}]")
        self.store.delete_version(text)  # deleting a version that is not there is no error
        return {}
