"""``asl-runner lint``: what would differ on AWS."""

from __future__ import annotations

import argparse
import json
import sys

from ..cli import _echo, _fail_usage, _lambdas_dir, _machine_name


def lint(definition: str, for_aws: bool, as_json: bool, machine_type: str, name: str | None,
         region: str | None, account: str | None, lambdas: str | None, histories: list[str],
         policy_file: str | None, state_machine: str | None = None, subs: tuple = (),
         executions: list[str] | None = None, endpoint_url: str | None = None) -> None:
    """Report what would differ if DEFINITION ran on AWS, each item at a JSON pointer.

    Local handlers and the Lambda functions they stand for; ARNs of asl-runner's offline
    account; what CreateStateMachine refuses (AWS's rules, Express's); quotas it approaches
    (with --history or --execution-arn: the recorded runs' payloads and event counts); and
    the least-privilege
    IAM policy of the state machine's role, built from the integrations it calls.

    DEFINITION is a JSON or YAML file, or a CloudFormation, SAM or CDK template's state
    machine. Each finding is an error (it blocks a deploy), a warning (it differs or needs
    configuration on AWS) or info. Exit 0 when nothing blocks a deploy, 1 when something
    does, 2 for a usage or definition error.

        asl-runner lint --for-aws machine.asl.json --history run.json --policy policy.json
    """
    from ..integrations.iam import ACCOUNT, REGION
    from ..port.findings import blocking, counts
    from ..port.lint import lint as run_lint
    from ..port.lint import subject
    from ..port.policy import Target
    from ._source import load_source, local_lambdas

    source = load_source(definition, state_machine, subs)
    target = Target(name or _machine_name(definition), region=region or REGION,
                    account=account or ACCOUNT)
    checked = subject(source.definition, source.machine, machine_type, target,
                      local_lambdas(_lambdas_dir(lambdas), source), source.placeholders)
    findings = run_lint(checked)
    for path in histories:
        findings.extend(_history_findings(path, standard=machine_type == "STANDARD"))
    for arn in executions or ():
        findings.extend(_execution_findings(arn, endpoint_url, standard=machine_type == "STANDARD"))
    policy = checked.needs.policy
    if policy_file is not None:
        try:
            with open(policy_file, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(policy, indent=2) + "\n")
        except OSError as exc:
            _fail_usage(f"--policy: cannot write {policy_file!r}: {exc.strerror or exc}")
    stops = blocking(findings)
    if as_json:
        _echo(json.dumps({"definition": definition, "stateMachineName": target.machine_name,
                          "type": machine_type, "blocking": stops, "counts": counts(findings),
                          "findings": [f.to_json() for f in findings], "policy": policy},
                         ensure_ascii=False))
    else:
        for finding in findings:
            _echo(str(finding))
        tally = counts(findings)
        _echo(f"{definition}: {tally['error']} errors, {tally['warning']} warnings, "
              f"{tally['info']} notes; " + ("a deploy would fail" if stops else "nothing blocks a deploy"))
        if policy_file is None:
            _echo("IAM policy for the state machine's role:")
            _echo(json.dumps(policy, indent=2))
    sys.exit(1 if stops else 0)


#: the most of a history file read: 25,000 events of up to 256 KiB payloads each
HISTORY_READ_LIMIT = 1 << 30


def _history_findings(path: str, standard: bool) -> list:
    from ..cli import _read
    from ..jsonvalue import JsonInputError, loads
    from ..port.recorded import HistoryError, history_findings

    try:
        document = loads(_read(path, "history", HISTORY_READ_LIMIT, binary=True))
    except JsonInputError as exc:
        _fail_usage(f"--history {path}: not valid JSON: {exc}")
    try:
        return list(history_findings(document, path, standard=standard))
    except HistoryError as exc:
        _fail_usage(str(exc))


def _execution_findings(arn: str, endpoint_url: str | None, standard: bool) -> list:
    """The limits check of an execution's history, read from `asl-runner serve` (or any
    Step Functions endpoint) page by page."""
    from ..cli import _call_api
    from ..port.recorded import history_findings

    events: list = []
    request: dict = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = _call_api(endpoint_url, "GetExecutionHistory", request)
        events.extend(page.get("events") or [])
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    return list(history_findings({"events": events}, arn, standard=standard))


def options(p: argparse.ArgumentParser) -> None:
    from ..cli import _add_endpoint_url, _add_template_options

    p.add_argument("definition", metavar="DEFINITION")
    _add_template_options(p)
    p.add_argument("--for-aws", action="store_true",
                   help="Report what would differ on AWS (the report lint makes; the default).")
    p.add_argument("--json", dest="as_json", action="store_true",
                   help="Print one JSON object: blocking, counts, findings (severity, code, "
                        "pointer, message, file) and policy.")
    p.add_argument("--type", dest="machine_type", type=str.upper, choices=("STANDARD", "EXPRESS"),
                   default="STANDARD", metavar="STANDARD|EXPRESS",
                   help="The type the machine will be deployed as (default: STANDARD).")
    p.add_argument("--name", metavar="NAME",
                   help="The state machine's name on AWS, for the policy (default: from the file name).")
    p.add_argument("--region", metavar="REGION",
                   help="Region for the policy's ARNs (default: ${AWS::Region}).")
    p.add_argument("--account", metavar="ID",
                   help="Account for the policy's ARNs (default: ${AWS::AccountId}).")
    p.add_argument("--lambdas", metavar="DIR",
                   help="Directory of local Lambda handlers NAME.py (default: ./lambdas).")
    p.add_argument("--history", dest="histories", action="append", default=[], metavar="FILE",
                   help="A recorded run (`asl-runner run --json --history` output, or a "
                        "GetExecutionHistory response) to check against AWS's limits; repeatable.")
    p.add_argument("--execution-arn", dest="executions", action="append", default=[], metavar="ARN",
                   help="An execution of `asl-runner serve` (at --endpoint-url) whose history to check "
                        "against AWS's limits, as --history does; repeatable.")
    _add_endpoint_url(p)
    p.add_argument("--policy", dest="policy_file", metavar="FILE",
                   help="Write the IAM policy to FILE instead of printing it.")
