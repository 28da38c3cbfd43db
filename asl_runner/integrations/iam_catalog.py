"""The IAM permissions of optimized integrations that asl-runner does not run (it has no
module for them: their tasks need a mocked response offline), as their pages of the developer
guide give them: batch-iam.html, ecs-iam.html, glue-iam.html. The policy builder asks
:func:`permissions` when a resource's integration declares none.

A ``.sync`` task also needs what Step Functions uses to follow the job: the service's
Describe/Get/Stop actions, and for Batch and ECS the EventBridge rule it manages
(``StepFunctionsGetEventsFor...``); Glue is polled.
"""

from __future__ import annotations

from collections.abc import Callable

from .catalog import SYNC
from .iam import Grant, Scope, event_rule_grant


def _batch(scope: Scope) -> list[Grant]:
    # Batch partly supports resource-level permissions: AWS's policy names every resource
    if scope.resource.pattern != SYNC:
        return [Grant(("batch:SubmitJob",), ("*",))]
    return [Grant(("batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"), ("*",)),
            event_rule_grant(scope, "StepFunctionsGetEventsForBatchJobsRule")]


def _ecs(scope: Scope) -> list[Grant]:
    """RunTask on the task definition (its revision, or any revision of a family named
    alone); with .sync, StopTask and DescribeTasks on every task (the task's id is only
    known once it runs) and the managed rule."""
    definition = scope.constant("TaskDefinition")
    sync = scope.resource.pattern == SYNC
    if definition is None:
        actions = ("ecs:RunTask", "ecs:StopTask", "ecs:DescribeTasks") if sync else ("ecs:RunTask",)
        grants = [Grant(actions, ("*",), scope.any_of("task definition", "TaskDefinition"))]
    else:
        if not definition.startswith("arn:"):
            family = definition if ":" in definition else f"{definition}:*"
            definition = scope.arn("ecs", f"task-definition/{family}")
        grants = [Grant(("ecs:RunTask",), (definition,))]
        if sync:
            grants.append(Grant(("ecs:StopTask", "ecs:DescribeTasks"), ("*",)))
    if sync:
        grants.append(event_rule_grant(scope, "StepFunctionsGetEventsForECSTaskRule"))
    return grants


def _glue(scope: Scope) -> list[Grant]:
    # Glue has no resource-based control: AWS's policy names every resource
    if scope.resource.pattern != SYNC:
        return [Grant(("glue:StartJobRun",), ("*",))]
    return [Grant(("glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"),
                  ("*",))]


PERMISSIONS: dict[tuple[str, str], Callable[[Scope], list[Grant]]] = {
    ("batch", "submitJob"): _batch,
    ("ecs", "runTask"): _ecs,
    ("glue", "startJobRun"): _glue,
}


def permissions(service: str | None, action: str | None) -> Callable[[Scope], list[Grant]] | None:
    """The permissions of ``arn:aws:states:::SERVICE:ACTION`` (None: not declared here)."""
    return PERMISSIONS.get((service or "", action or ""))
