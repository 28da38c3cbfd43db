"""A deployment as plain data: what ``asl-runner deploy`` creates or updates, in order.

The plan is made without calling AWS (``--dry-run`` prints it and stops); the executor
(:mod:`.deployer`) performs it, each step as "create or update", deciding which from what
the account holds at that moment. Everything the plan names comes from the definition and
the command line: the functions to package, the definition as it will be sent (its local
functions' ARNs filled in, as DefinitionSubstitutions would), the role and its policy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..model.machine import StateMachine
from .functions import deployed, function_arn, function_refs
from .packaging import Package
from .policy import Target, needs

#: the trust policy of a role that a service assumes
_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": None}, "Action": "sts:AssumeRole"}]}
DEFAULT_RUNTIME = "python3.12"


def trust_policy(service: str) -> dict:
    policy = json.loads(json.dumps(_TRUST))
    policy["Statement"][0]["Principal"]["Service"] = service
    return policy


def plan_deploy(definition: Any, text: str, machine: StateMachine, *, target: Target,
                machine_type: str = "STANDARD", role_arn: str | None = None,
                publish: bool = False, alias: str | None = None,
                packages: Sequence[Package] = (), runtime: str = DEFAULT_RUNTIME,
                lambda_role_arn: str | None = None) -> dict:
    """The plan for deploying ``definition`` (as read: ``text``; parsed: ``machine``) as
    the state machine ``target.machine_name``."""
    name = target.machine_name
    packaged = {p.function for p in packages}
    refs = [ref for ref in function_refs(machine) if ref.local and ref.name in packaged]
    arns = {p.function: function_arn(target, p.function) for p in packages}
    plan: dict[str, Any] = {"target": {"region": target.region, "account": target.account,
                                       "partition": target.partition}}
    if packages:
        plan["lambdaRole"] = ({"arn": lambda_role_arn} if lambda_role_arn else {
            "name": _role_name(name, "-lambda"), "trust": trust_policy("lambda.amazonaws.com"),
            "policyName": "asl-runner-logs", "policy": _log_policy(target, packages)})
        plan["functions"] = [
            {"name": p.function, "arn": arns[p.function], "runtime": runtime, "handler": p.handler,
             "codeSha256": p.code_sha256, "files": [[entry, path] for entry, path in p.files]}
            for p in packages]
    if refs:
        sent = deployed(definition, refs, arns)
        plan["substitutions"] = {ref.pointer: arns[ref.name] for ref in refs}
        text = json.dumps(sent, indent=2, ensure_ascii=False)
    else:
        sent = definition
    if role_arn is None:
        from ..model.machine import parse_definition

        policy = needs(parse_definition(sent, validate=False), target).policy
        plan["role"] = {"name": _role_name(name, "-role"), "trust": trust_policy("states.amazonaws.com"),
                        "policyName": "asl-runner", "policy": policy}
    else:
        plan["role"] = {"arn": role_arn}
    plan["stateMachine"] = {"name": name, "type": machine_type, "definition": text,
                            "arn": f"arn:{target.partition}:states:{target.region}:{target.account}"
                                   f":stateMachine:{name}"}
    plan["publish"] = publish
    if alias is not None:
        plan["alias"] = {"name": alias}
    return plan


def _log_policy(target: Target, packages: Sequence[Package]) -> dict:
    """What the functions' role allows: writing their own logs, as the role the Lambda console
    makes for a function (AWSLambdaBasicExecutionRole, scoped to these functions)."""
    logs = f"arn:{target.partition}:logs:{target.region}:{target.account}"
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": [f"{logs}:*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [f"{logs}:log-group:/aws/lambda/{p.function}:*" for p in packages]}]}


def _role_name(machine: str, suffix: str) -> str:
    return machine[:64 - len(suffix)] + suffix  # IAM's role names have 64 characters at most


def describe_plan(plan: dict) -> list[str]:
    """The plan in words, one line a step (``--dry-run``'s output)."""
    lines = [f"target: account {plan['target']['account']}, region {plan['target']['region']}"]
    lambda_role = plan.get("lambdaRole")
    if lambda_role is not None and "name" in lambda_role:
        lines.append(f"create or update the IAM role {lambda_role['name']} for the functions "
                     "(trusts lambda.amazonaws.com; inline policy asl-runner-logs: their logs)")
    for function in plan.get("functions", ()):
        lines.append(f"create or update the Lambda function {function['name']} ({function['runtime']}, "
                     f"handler {function['handler']}, files {', '.join(f[0] for f in function['files'])}; "
                     f"CodeSha256 {function['codeSha256']})")
    for pointer, arn in plan.get("substitutions", {}).items():
        lines.append(f"  the definition's {pointer} becomes {arn}")
    role = plan["role"]
    if "name" in role:
        statements = len(role["policy"]["Statement"])
        lines.append(f"create or update the IAM role {role['name']} (trusts states.amazonaws.com; "
                     f"inline policy {role['policyName']}: {statements} statements, see lint --for-aws)")
    machine = plan["stateMachine"]
    lines.append(f"create or update the {machine['type']} state machine {machine['name']} "
                 f"({machine['arn']}) with the role {role.get('arn') or role['name']}"
                 + ("; publish a version" if plan["publish"] else ""))
    if "alias" in plan:
        lines.append(f"create or update the alias {plan['alias']['name']} to the published version")
    return lines
