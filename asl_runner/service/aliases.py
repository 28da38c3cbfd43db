"""State machine aliases: Create/Describe/Update/Delete/ListStateMachineAliases.

The ValidationException and ConflictException messages are AWS's recorded ones.
"""

from __future__ import annotations

from .arns import Arn, parse_arn
from .base import Operations, operation
from .errors import ApiError, invalid_arn, resource_not_found, validation
from .pagination import listing


class Aliases(Operations):
    def _routing(self, routing: list[dict]) -> str:
        """The machine whose versions ``routing`` (checked against the model) splits between."""
        arns = [r["stateMachineVersionArn"] for r in routing]
        received = f"Received: [{', '.join(arns)}]"
        parsed = [parse_arn(text, "stateMachine") for text in arns]
        if any(arn.version is None for arn in parsed):
            raise validation(f"Routing configuration must contain state machine version ARNs. {received}",
                             reason="INVALID_ROUTING_CONFIGURATION")
        if len(set(arns)) < len(arns):
            raise validation(f"Routing configuration must contain distinct state machine version ARNs. "
                             f"{received}", reason="INVALID_ROUTING_CONFIGURATION")
        weights = [r["weight"] for r in routing]
        if sum(weights) != 100:
            raise validation("Sum of routing configuration weights must equal 100. "
                             f"Received: [{', '.join(map(str, weights))}]",
                             reason="INVALID_ROUTING_CONFIGURATION")
        machine = parsed[0].base
        if any(arn.base != machine for arn in parsed):
            raise validation("Routing configuration must contain versions of one state machine. "
                             f"{received}", reason="INVALID_ROUTING_CONFIGURATION")
        for text in arns:
            version = self.store.get_version(text)
            if version is None or version["machine_arn"] != machine:
                raise resource_not_found()
        return machine

    def _alias_arn(self, text: str) -> Arn:
        arn = parse_arn(text, "stateMachine")
        if arn.alias is None:
            # AWS's wording for this case is not known; the code is one its model gives here
            raise invalid_arn(f"Not a state machine alias ARN: {text}")
        return arn

    def _alias(self, text: str) -> dict:
        self._alias_arn(text)
        row = self.store.get_alias(text)
        if row is None:
            raise resource_not_found()
        return row

    @operation("CreateStateMachineAlias")
    def create_state_machine_alias(self, body: dict) -> dict:
        name, routing = body["name"], body["routingConfiguration"]
        machine_arn = self._routing(routing)
        arn = f"{machine_arn}:{name}"
        description = body.get("description")
        existing = self.store.get_alias(arn)
        if existing is not None:
            if (existing["routing"], existing["description"]) == (routing, description):
                return {"stateMachineAliasArn": arn, "creationDate": existing["created"]}
            raise ApiError("ConflictException", "Failed to create alias because an alias with the same "
                           "name and a different routing configuration already exists.")
        now = self.now()
        self.store.put_alias({"arn": arn, "machine_arn": machine_arn, "name": name,
                              "description": description, "routing": routing, "created": now})
        return {"stateMachineAliasArn": arn, "creationDate": now}

    @operation("DescribeStateMachineAlias")
    def describe_state_machine_alias(self, body: dict) -> dict:
        row = self._alias(body["stateMachineAliasArn"])
        out = {"stateMachineAliasArn": row["arn"], "name": row["name"],
               "routingConfiguration": row["routing"], "creationDate": row["created"],
               "updateDate": row["updated"] or row["created"]}
        if row["description"]:
            out["description"] = row["description"]
        return out

    @operation("UpdateStateMachineAlias")
    def update_state_machine_alias(self, body: dict) -> dict:
        row = self._alias(body["stateMachineAliasArn"])
        if "routingConfiguration" not in body and "description" not in body:
            raise validation("Either the description or the routingConfiguration must be specified",
                             reason="MISSING_REQUIRED_PARAMETER")
        if "routingConfiguration" in body:
            if self._routing(body["routingConfiguration"]) != row["machine_arn"]:
                raise validation("An alias can only route to versions of its own state machine",
                                 reason="INVALID_ROUTING_CONFIGURATION")
            row["routing"] = body["routingConfiguration"]
        if "description" in body:
            row["description"] = body["description"]
        row["updated"] = self.now()
        self.store.put_alias(row)
        return {"updateDate": row["updated"]}

    @operation("DeleteStateMachineAlias")
    def delete_state_machine_alias(self, body: dict) -> dict:
        text = body["stateMachineAliasArn"]
        self._alias_arn(text)
        self.store.delete_alias(text)  # AWS answers 200 for an alias that is already gone
        return {}

    @operation("ListStateMachineAliases")
    def list_state_machine_aliases(self, body: dict) -> dict:
        _, row = self._machine(body["stateMachineArn"])
        return listing(self.pages, f"ListStateMachineAliases\n{row['arn']}", "stateMachineAliases",
                       self.store.list_aliases(row["arn"]), body,
                       lambda a: {"stateMachineAliasArn": a["arn"], "creationDate": a["created"]})
