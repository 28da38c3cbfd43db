"""Performs a deployment plan (:mod:`.plan`) with boto3: each step creates what does not
exist and updates what does, so a second deploy of the same plan changes nothing but the
state machine's new version and its alias.

AWS's errors stop it where they happen, as :class:`DeployError` naming the call, the error
code and AWS's message (never a credential: botocore's messages carry none).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

#: how long a new role may take to be usable by Lambda (IAM is eventually consistent:
#: CreateFunction refuses a role for some seconds after CreateRole)
ROLE_PROPAGATION_SECONDS = 60


class DeployError(Exception):
    def __init__(self, call: str, code: str, message: str):
        super().__init__(f"{call} failed: {code}: {message}")
        self.call = call
        self.code = code


class Deployer:
    """``client(service)`` gives a boto3/botocore client; ``say(line)`` reports each step."""

    def __init__(self, client: Callable[[str], Any], say: Callable[[str], None],
                 sleep: Callable[[float], None] = time.sleep, *, by_name: bool = False):
        self._client = client
        self._say = say
        self._sleep = sleep
        #: find the state machine by its name (ListStateMachines), not by the ARN the plan
        #: expects: an endpoint (asl-runner serve, LocalStack) may keep its own region
        self._by_name = by_name

    def run(self, plan: dict) -> dict:
        """Perform ``plan``; what was deployed: the state machine's ARN, its version's and
        alias's, and the functions' ARNs."""
        result: dict[str, Any] = {}
        created_roles = False
        lambda_role = plan.get("lambdaRole")
        if lambda_role is not None:
            role_arn, created = self._role(lambda_role)
            created_roles |= created
            result["functions"] = [self._function(f, role_arn, wait=created)
                                   for f in plan.get("functions", ())]
        role = plan["role"]
        role_arn, created = self._role(role) if "name" in role else (role["arn"], False)
        result.update(self._machine(plan, role_arn, fresh_role=created))
        return result

    # -- IAM --------------------------------------------------------------------------------

    def _role(self, role: dict) -> tuple[str, bool]:
        """The role's ARN, and whether it was created now."""
        if "arn" in role:
            return role["arn"], False
        iam = self._client("iam")
        name = role["name"]
        current = self._existing("GetRole", "NoSuchEntity", iam.get_role, RoleName=name)
        created = current is None
        if created:
            arn = self._call("CreateRole", iam.create_role, RoleName=name,
                             AssumeRolePolicyDocument=json.dumps(role["trust"]),
                             Description="Made by asl-runner deploy")["Role"]["Arn"]
            self._say(f"created the IAM role {name}")
        else:
            arn = current["Role"]["Arn"]
            self._call("UpdateAssumeRolePolicy", iam.update_assume_role_policy, RoleName=name,
                       PolicyDocument=json.dumps(role["trust"]))
            self._say(f"updated the IAM role {name}")
        if role["policy"]["Statement"]:
            self._call("PutRolePolicy", iam.put_role_policy, RoleName=name,
                       PolicyName=role["policyName"], PolicyDocument=json.dumps(role["policy"]))
        elif not created:  # IAM refuses a policy without statements: the role needs none now
            self._existing("DeleteRolePolicy", "NoSuchEntity", iam.delete_role_policy,
                           RoleName=name, PolicyName=role["policyName"])
        return arn, created

    # -- Lambda -----------------------------------------------------------------------------

    def _function(self, function: dict, role_arn: str, *, wait: bool) -> str:
        from .packaging import Package

        client = self._client("lambda")
        name = function["name"]
        current = self._existing("GetFunction", "ResourceNotFoundException", client.get_function,
                                 FunctionName=name)
        package = Package(name, function["handler"], tuple(map(tuple, function["files"])),
                          function["codeSha256"])
        if current is None:
            created = self._retrying_role(wait, lambda: self._call(
                "CreateFunction", client.create_function, FunctionName=name,
                Runtime=function["runtime"], Role=role_arn, Handler=function["handler"],
                Code={"ZipFile": package.zip_bytes()}, Description="Made by asl-runner deploy"))
            self._say(f"created the Lambda function {name}")
            return created["FunctionArn"]
        configuration = current["Configuration"]
        settings = {"Handler": function["handler"], "Runtime": function["runtime"], "Role": role_arn}
        changed = {key: value for key, value in settings.items() if configuration.get(key) != value}
        if changed:
            self._updated(client, name)  # Lambda refuses a change while another is in progress
            self._call("UpdateFunctionConfiguration", client.update_function_configuration,
                       FunctionName=name, **changed)
            self._say(f"updated the {', '.join(changed)} of the Lambda function {name}")
        if configuration.get("CodeSha256") == function["codeSha256"]:
            if not changed:
                self._say(f"the Lambda function {name} is unchanged")
        else:
            self._updated(client, name)
            self._call("UpdateFunctionCode", client.update_function_code, FunctionName=name,
                       ZipFile=package.zip_bytes())
            self._say(f"updated the code of the Lambda function {name}")
        return configuration["FunctionArn"]

    def _updated(self, client: Any, name: str) -> None:
        """Wait until the function's last update is done (LastUpdateStatus not InProgress)."""
        try:
            client.get_waiter("function_updated_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
        except Exception as exc:  # botocore's WaiterError: the update failed or took too long
            raise DeployError("GetFunction", "FunctionNotUpdated", str(exc)) from None

    def _retrying_role(self, wait: bool, call: Callable[[], Any]) -> Any:
        """``call``, tried again while a role made moments ago cannot be assumed yet: Lambda
        says InvalidParameterValueException ("The role defined for the function cannot be
        assumed by Lambda."), Step Functions AccessDeniedException ("Neither the global service
        principal states.amazonaws.com, nor the regional one is authorized to assume the
        provided role.")."""
        waited = 0.0
        while True:
            try:
                return call()
            except DeployError as exc:
                if not (wait and exc.code in ("InvalidParameterValueException", "AccessDeniedException")
                        and "assume" in str(exc).lower() and waited < ROLE_PROPAGATION_SECONDS):
                    raise
                self._sleep(3)
                waited += 3

    # -- Step Functions ---------------------------------------------------------------------

    def _machine(self, plan: dict, role_arn: str, *, fresh_role: bool) -> dict:
        sfn = self._client("stepfunctions")
        machine = plan["stateMachine"]
        arn, name = machine["arn"], machine["name"]
        if self._by_name:
            arn = self._named(sfn, name) or arn
        current = self._existing("DescribeStateMachine", "StateMachineDoesNotExist",
                                 sfn.describe_state_machine, stateMachineArn=arn)
        publish = plan["publish"]
        if current is None:
            response = self._retrying_role(fresh_role, lambda: self._call(
                "CreateStateMachine", sfn.create_state_machine, name=name,
                definition=machine["definition"], roleArn=role_arn, type=machine["type"],
                publish=publish))
            arn = response["stateMachineArn"]
            self._say(f"created the {machine['type']} state machine {arn}")
        else:
            if current.get("type", machine["type"]) != machine["type"]:
                raise DeployError("UpdateStateMachine", "TypeMismatch", (
                    f"{arn} is a {current['type']} state machine; a state machine's type cannot "
                    f"change: deploy under another --name, or delete it first"))
            response = self._call("UpdateStateMachine", sfn.update_state_machine, stateMachineArn=arn,
                                  definition=machine["definition"], roleArn=role_arn, publish=publish)
            self._say(f"updated the state machine {arn}")
        result = {"stateMachineArn": arn}
        version = response.get("stateMachineVersionArn")
        if version:
            result["stateMachineVersionArn"] = version
            self._say(f"published the version {version}")
        if "alias" in plan and version:
            result["stateMachineAliasArn"] = self._alias(sfn, arn, plan["alias"]["name"], version)
        return result

    def _named(self, sfn: Any, name: str) -> str | None:
        request: dict[str, Any] = {"maxResults": 1000}
        while True:
            page = self._call("ListStateMachines", sfn.list_state_machines, **request)
            for found in page.get("stateMachines") or ():
                if found.get("name") == name:
                    return found["stateMachineArn"]
            if not page.get("nextToken"):
                return None
            request["nextToken"] = page["nextToken"]

    def _alias(self, sfn: Any, machine_arn: str, name: str, version: str) -> str:
        routing = [{"stateMachineVersionArn": version, "weight": 100}]
        alias_arn = f"{machine_arn}:{name}"
        if self._existing("DescribeStateMachineAlias", "ResourceNotFound",
                          sfn.describe_state_machine_alias, stateMachineAliasArn=alias_arn) is None:
            alias_arn = self._call("CreateStateMachineAlias", sfn.create_state_machine_alias,
                                   name=name, routingConfiguration=routing)["stateMachineAliasArn"]
            self._say(f"created the alias {alias_arn} -> {version}")
            return alias_arn
        self._call("UpdateStateMachineAlias", sfn.update_state_machine_alias,
                   stateMachineAliasArn=alias_arn, routingConfiguration=routing)
        self._say(f"moved the alias {alias_arn} -> {version}")
        return alias_arn

    # -- calls ------------------------------------------------------------------------------

    @classmethod
    def _existing(cls, operation: str, missing: str, method: Callable[..., Any], /,
                  **request: Any) -> Any:
        """The answer, or None where the service says the resource is not there (``missing``,
        its error code)."""
        try:
            return cls._call(operation, method, **request)
        except DeployError as exc:
            if exc.code != missing:
                raise
            return None

    @staticmethod
    def _call(operation: str, method: Callable[..., Any], /, **request: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(**request)
        except ClientError as exc:
            error = (exc.response or {}).get("Error") or {}
            raise DeployError(operation, error.get("Code") or "Unknown",
                              error.get("Message") or str(exc)) from None
        except BotoCoreError as exc:
            raise DeployError(operation, type(exc).__name__, str(exc)) from None
        except Exception as exc:  # an answer botocore cannot parse (ResponseParserError), ...
            raise DeployError(operation, type(exc).__name__, str(exc).splitlines()[0]) from None
