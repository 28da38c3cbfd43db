"""``asl-runner deploy``: the tested definition as a state machine on AWS."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from ..cli import _check_name, _echo, _fail_usage, _lambdas_dir

#: botocore's pattern for CreateStateMachineAlias's name (CharacterRestrictedName)
ALIAS_NAME = re.compile(r"(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}")


def deploy(definition: str, name: str, machine_type: str, role_arn: str | None, publish: bool,
           alias: str | None, lambdas: str | None, package: bool, runtime: str,
           lambda_role_arn: str | None, dry_run: bool, region: str | None, account: str | None,
           aws_endpoint: str | None, as_json: bool, state_machine: str | None = None,
           subs: tuple = ()) -> None:
    """Create or update the state machine NAME on AWS from DEFINITION.

    DEFINITION is a JSON or YAML file, or a CloudFormation, SAM or CDK template's state
    machine (whose Python functions --package deploys too).

    With --publish it publishes a version, and --alias A moves the alias A to it. With
    --lambdas DIR --package, the local handlers the definition calls are zipped and deployed
    as Lambda functions (created or updated, with a role that may write their logs), and the
    definition's references to them become those functions' ARNs. Without --role-arn, it makes
    the role NAME-role with the least-privilege policy `lint --for-aws` prints.

    It uses your own AWS credentials and configuration (as the AWS CLI does), says which
    account and region it deploys to, and never prints a credential. --dry-run prints the plan
    and calls nothing. The definition is linted first: anything that blocks a deploy stops it.
    Exit 0 when deployed, 1 when AWS refused or lint found what blocks a deploy, 2 for a usage
    or definition error.

        asl-runner deploy machine.asl.json --name Orders --publish --alias live --lambdas lambdas --package
    """
    from ..port.plan import describe_plan, plan_deploy
    from ..port.policy import Target
    from ._source import load_source, local_lambdas

    name = _check_name(name)
    if alias is not None and not publish:
        _fail_usage("--alias needs --publish: an alias points at a published version")
    if alias is not None and not ALIAS_NAME.fullmatch(alias):
        _fail_usage(f"--alias {alias!r}: an alias name has 1 to 80 letters, digits, '-', '_' and "
                    "'.', not only digits (CreateStateMachineAlias's CharacterRestrictedName)")
    if lambda_role_arn is not None and not package:
        _fail_usage("--lambda-role-arn is the role of the functions --package deploys")
    source = load_source(definition, state_machine, subs)
    handlers = local_lambdas(_lambdas_dir(lambdas), source) if package else None
    if package and handlers is None:
        _fail_usage("--package needs --lambdas DIR (the directory of the local handlers) or "
                    "a template with functions")
    session = _session(region)
    region = session.region_name
    if dry_run:
        from ..integrations.iam import ACCOUNT, REGION

        target = Target(name, region=region or REGION, account=account or ACCOUNT)
    else:
        if region is None:  # as the AWS CLI, never a region the user did not choose
            _fail_usage("no AWS region: give --region, or configure one (AWS_REGION, aws configure)")
        target = _whoami(session, name, region, account, aws_endpoint)
    packages = _packages(source.machine, handlers) if package else []
    plan = plan_deploy(source.definition, source.text, source.machine, target=target,
                       machine_type=machine_type, role_arn=role_arn, publish=publish, alias=alias,
                       packages=packages, runtime=runtime, lambda_role_arn=lambda_role_arn)
    _stop_if_blocked(plan, target, machine_type)
    if dry_run:
        if as_json:
            _echo(json.dumps({"dryRun": True, "plan": plan}, ensure_ascii=False))
        else:
            for line in describe_plan(plan):
                _echo(line)
            _echo("--dry-run: nothing was called", err=True)
        sys.exit(0)
    from ..port.deployer import Deployer, DeployError

    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = session.client(service, endpoint_url=aws_endpoint)
        return clients[service]

    say = (lambda line: _echo(f"asl-runner: {line}", err=True)) if as_json else _echo
    try:
        result = Deployer(client, say, by_name=aws_endpoint is not None).run(plan)
    except DeployError as exc:
        _echo(f"asl-runner: deploy: {exc}", err=True)
        sys.exit(1)
    if as_json:
        _echo(json.dumps(result))
    sys.exit(0)


def _session(region: str | None) -> Any:
    import boto3

    try:
        return boto3.session.Session(region_name=region)
    except Exception as exc:  # a named profile that does not exist, a broken config file
        _fail_usage(f"cannot read the AWS configuration: {exc}")


def _whoami(session: Any, name: str, region: str, account: str | None, endpoint: str | None) -> Any:
    """The account the credentials belong to (STS GetCallerIdentity), announced on stderr with
    where the credentials came from, never what they are."""
    from botocore.exceptions import ClientError

    from ..port.policy import Target

    credentials = session.get_credentials()
    if credentials is None:
        _fail_usage("no AWS credentials: configure them as for the AWS CLI (aws configure, "
                    "AWS_PROFILE, or the environment), or use --dry-run")
    try:
        identity = session.client("sts", endpoint_url=endpoint).get_caller_identity()
    except Exception as exc:  # botocore's errors, and a reply it cannot parse (ResponseParserError)
        if endpoint is None:
            _echo(f"asl-runner: deploy: cannot tell which account the credentials are for: {exc}",
                  err=True)
            sys.exit(1)
        # an endpoint that serves no STS (`asl-runner serve`): the account is --account's, else
        # asl-runner's own
        from ..integrations.registry import DEFAULT_ACCOUNT

        reason = exc.response["Error"].get("Code") if isinstance(exc, ClientError) else type(exc).__name__
        _echo(f"asl-runner: note: {endpoint} answers no STS GetCallerIdentity ({reason}): the "
              f"account is taken to be {account or DEFAULT_ACCOUNT}", err=True)
        identity = {"Account": account or DEFAULT_ACCOUNT}
    found = identity["Account"]
    if account is not None and account != found:
        _fail_usage(f"--account {account}: the credentials are for the account {found}")
    caller = identity.get("Arn") or ""
    partition = caller.split(":")[1] if caller.startswith("arn:") else "aws"
    where = f" at {endpoint}" if endpoint else ""
    _echo(f"asl-runner: deploying to account {found}, region {region}{where} (credentials from: "
          f"{credentials.method})", err=True)
    return Target(name, partition=partition, region=region, account=found)


def _packages(machine: Any, local: Any) -> list:
    from ..port.functions import function_refs
    from ..port.packaging import package

    found: dict[str, Any] = {}
    for ref in function_refs(machine):
        if ref.local and ref.name not in found:
            made = package(local, ref.name)
            if made is not None:
                found[ref.name] = made
    if not found:
        _fail_usage(f"--package: no local handler in {local.directory or 'the template'} for the "
                    "functions the definition calls (NAME.py or NAME/handler.py)")
    return list(found.values())


def _stop_if_blocked(plan: dict, target: Any, machine_type: str) -> None:
    """Lint the definition as it will be sent; stop (exit 1) on what blocks a deploy."""
    from ..integrations.iam import ACCOUNT, REGION
    from ..jsonvalue import loads
    from ..model.machine import parse_definition
    from ..port.findings import ERROR
    from ..port.lint import lint, subject

    # a dry run without --account (or a region) names the functions' ${AWS::AccountId}: any
    # account stands in for it here, as it makes no ARN valid or not
    text = plan["stateMachine"]["definition"]
    sent = loads(text.replace(ACCOUNT, "000000000000").replace(REGION, "us-east-1"))
    machine = parse_definition(sent, validate=False)
    errors = [f for f in lint(subject(sent, machine, machine_type, target)) if f.severity == ERROR]
    if errors:
        _echo("asl-runner: deploy: the definition cannot be deployed as it is "
              "(asl-runner lint --for-aws tells more):", err=True)
        for finding in errors:
            _echo(f"  {finding}", err=True)
        sys.exit(1)


def options(p: argparse.ArgumentParser) -> None:
    from ..cli import _add_template_options
    from ..port.plan import DEFAULT_RUNTIME

    p.add_argument("definition", metavar="DEFINITION")
    _add_template_options(p)
    p.add_argument("--name", required=True, metavar="NAME", help="The state machine's name.")
    p.add_argument("--type", dest="machine_type", type=str.upper, choices=("STANDARD", "EXPRESS"),
                   default="STANDARD", metavar="STANDARD|EXPRESS",
                   help="The state machine's type when it is created (default: STANDARD).")
    p.add_argument("--role-arn", metavar="ARN",
                   help="The state machine's role (default: create or update NAME-role with the "
                        "least-privilege policy of lint --for-aws).")
    p.add_argument("--publish", action="store_true", help="Publish a version of the state machine.")
    p.add_argument("--alias", metavar="NAME", help="With --publish: point this alias at the new version.")
    p.add_argument("--lambdas", metavar="DIR",
                   help="Directory of local Lambda handlers NAME.py (default: ./lambdas).")
    p.add_argument("--package", action="store_true",
                   help="Zip the local handlers the definition calls and create or update them "
                        "as Lambda functions; the definition then calls their ARNs.")
    p.add_argument("--runtime", default=DEFAULT_RUNTIME, metavar="RUNTIME",
                   help=f"The packaged functions' runtime (default: {DEFAULT_RUNTIME}).")
    p.add_argument("--lambda-role-arn", metavar="ARN",
                   help="The packaged functions' role (default: create or update NAME-lambda, "
                        "allowed to write logs).")
    p.add_argument("--dry-run", action="store_true", help="Print the plan; call nothing.")
    p.add_argument("--region", metavar="REGION",
                   help="The region to deploy to (default: your AWS configuration's).")
    p.add_argument("--account", metavar="ID",
                   help="The account expected (deploy refuses another); with --dry-run, the "
                        "account of the plan's ARNs.")
    p.add_argument("--aws-endpoint", metavar="URL",
                   help="Send every call to this AWS-compatible endpoint (LocalStack, a moto server).")
    p.add_argument("--json", dest="as_json", action="store_true",
                   help="Print one JSON object: the plan (--dry-run) or what was deployed.")
