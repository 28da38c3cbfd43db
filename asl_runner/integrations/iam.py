"""What an integration declares about IAM: the actions a state machine's role needs to call it,
on which resources.

Each integration module passes ``permissions=`` to its :class:`~.protocol.Integration`: a
function of the task's :class:`Scope` (its resource, its arguments as written, the account it
will run in) returning :class:`Grant` objects. ``asl_runner.port.policy`` collects them into
one least-privilege policy for ``asl-runner lint --for-aws`` and ``deploy``.

The actions and resource shapes are those of AWS's developer guide, "IAM policies for
integrated services" (one page per service: lambda-iam.html, sqs-iam.html, sns-iam.html,
dynamo-iam.html, eventbridge-iam.html, stepfunctions-iam.html, iam-policies-eg-dist-map.html):
the policies the Step Functions console generates from a definition. Where a parameter naming
the resource is not a constant (``Name.$``, a JSONata expression), the grant covers every
resource of that kind in the account and says why in its ``note``.
"""

from __future__ import annotations

from typing import Any

from ..record import Record

#: where a region or account is not known (lint without --region/--account): CloudFormation's
#: pseudo parameters, so that the policy pastes into a template's Fn::Sub unchanged
REGION, ACCOUNT, PARTITION = "${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}"


class Grant(Record):
    """Allow ``actions`` on ``resources``; ``note`` says why a resource is wider than one
    ARN (a parameter that is only known at run time)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    note: str | None = None


class Scope:
    """What a task's permissions may depend on: its resource, its arguments as written
    (``Parameters`` or ``Arguments``, before any evaluation), the state machine's name and
    the partition, region and account it is deployed to."""

    def __init__(self, resource: Any, arguments: Any, *, machine_name: str,
                 partition: str = "aws", region: str = REGION, account: str = ACCOUNT) -> None:
        self.resource = resource
        self.arguments = arguments
        self.machine_name = machine_name
        self.partition = partition
        self.region = region
        self.account = account

    def constant(self, name: str, within: Any = None) -> str | None:
        """The string argument ``name`` when the definition gives it as a constant (None:
        absent, computed at run time, or not a string)."""
        arguments = self.arguments if within is None else within
        if type(arguments) is not dict:
            return None
        value = arguments.get(name)
        if isinstance(value, str) and not (value.startswith("{%") and value.endswith("%}")):
            return value
        return None

    def dynamic(self, name: str, within: Any = None) -> bool:
        """Whether the argument ``name`` is computed at run time (``name.$``, JSONata, or the
        arguments as a whole are one expression)."""
        arguments = self.arguments if within is None else within
        if isinstance(arguments, str):
            return True
        if type(arguments) is not dict:
            return False
        if f"{name}.$" in arguments:
            return True
        value = arguments.get(name)
        return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")

    def arn(self, service: str, resource: str, *, regional: bool = True, in_account: bool = True) -> str:
        """``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`` in this scope."""
        region = self.region if regional else ""
        account = self.account if in_account else ""
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def any_of(self, what: str, name: str) -> str:
        """The note of a grant widened to every ``what`` because ``name`` is dynamic."""
        # the console's generated policy allows "*" here; the account's own is tighter and
        # still works for every resource of the account
        return (f"{name} is computed at run time, so this allows every {what} of the account "
                f"(one of another account needs its ARN added): narrow it to the ones the task calls")


def event_rule_grant(scope: Scope, rule: str) -> Grant:
    """The managed EventBridge rule through which Step Functions learns that the work a
    ``.sync`` task started has finished (``StepFunctionsGetEventsFor...``)."""
    return Grant(("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                 (scope.arn("events", f"rule/{rule}"),))
