"""The integration layer: one declaration per integration, found by resource; a service
asl-runner cannot run fails its task (catchable) and says how to mock it."""

from __future__ import annotations

import subprocess
import sys

import asl_runner
from asl_runner.integrations import registry
from asl_runner.model.resource import parse_resource


def test_each_resource_finds_its_integration():
    assert registry.find(parse_resource("arn:aws:lambda:us-east-1:123456789012:function:F")).name \
        == "lambda function"
    assert registry.find(parse_resource("arn:aws:states:::lambda:invoke.waitForTaskToken")).name \
        == "lambda:invoke"
    assert registry.find(parse_resource("arn:aws:states:::aws-sdk:s3:getObject")).name == "aws-sdk"
    assert registry.find(parse_resource("arn:aws:states:::ecs:runTask.sync")) is None


def test_a_service_asl_runner_cannot_run_fails_the_task_catchably_and_says_how_to_mock_it():
    definition = {"StartAt": "RunJob", "States": {
        "RunJob": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
                   "Parameters": {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"},
                   "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}],
                   "End": True},
        "Handled": {"Type": "Pass", "End": True}}}
    ex = asl_runner.run(definition, {}, clock="virtual")
    assert ex.status == "SUCCEEDED"
    assert ex.output["Error"] == "States.TaskFailed"
    assert ex.output["Cause"].startswith(
        "asl-runner cannot run arn:aws:states:::batch:submitJob.sync offline (state 'RunJob'): ")
    assert "--mock-config" in ex.output["Cause"]


def test_a_machine_of_local_handlers_loads_no_aws_integration():
    script = (
        "import sys, asl_runner\n"
        "d = {'StartAt': 'T', 'States': {'T': {'Type': 'Task', 'End': True,\n"
        "     'Resource': 'arn:aws:lambda:us-east-1:123456789012:function:F'}}}\n"
        "ex = asl_runner.run(d, {}, handlers={'F': lambda e, c: 1}, clock='virtual')\n"
        "assert ex.status == 'SUCCEEDED', ex.cause\n"
        "print(sorted(m for m in sys.modules if m.startswith(('boto', 'moto', "
        "'asl_runner.integrations.aws'))))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['asl_runner.integrations.aws']", done.stderr
