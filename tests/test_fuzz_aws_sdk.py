"""Fuzzing aws-sdk tasks: parameters shaped after botocore's models (and not) become a request
or a ParameterProblem, and calls against moto end as Step Functions reports them (see
tests/fuzzing.py)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import asl_runner

from fuzz_strategies import aws_sdk_calls, inputs
from fuzzing import acceptable, budgeted, check_ended, examples, load


@examples(150)
@given(call=aws_sdk_calls())
@budgeted
def test_aws_sdk_parameters_become_a_request_or_a_parameter_problem(call: tuple):
    """What a Task's Parameters become for botocore: a request its validator and serializer
    take or refuse with their own errors, or a ParameterProblem (States.Runtime). Any other
    exception would fail the task with a Python exception's name as its error."""
    from botocore.exceptions import BotoCoreError
    from botocore.serialize import create_serializer
    from botocore.validate import ParamValidator

    from asl_runner.integrations.aws_sdk import service_model
    from asl_runner.integrations.aws_sdk.names import botocore_service, operation_name
    from asl_runner.integrations.aws_sdk.shapes import ParameterProblem, to_request

    service, action, parameters = call
    model = service_model(botocore_service(service))
    operation = model.operation_model(operation_name(model, action))
    try:
        request = to_request(parameters, operation.input_shape)
    except ParameterProblem as exc:
        event("ParameterProblem")
        assert isinstance(exc.message, str)
        return
    if operation.input_shape is None:
        return
    report = ParamValidator().validate(request, operation.input_shape)
    event(f"valid: {not report.has_errors()}")
    if not report.has_errors():
        with contextlib.suppress(BotoCoreError):
            create_serializer(model.metadata["protocol"]).serialize_to_request(request, operation)


@pytest.fixture(scope="module")
def aws_integrations():
    """One mocked AWS account (in-process moto) for all the examples: starting one costs
    about a second."""
    from asl_runner.integrations import Integrations, aws_sdk

    integrations = Integrations(aws="moto")
    aws_sdk.call(integrations.aws, "s3", "listBuckets", {})  # started before the budget counts
    yield integrations
    integrations.close()


@examples(30)
@given(call=aws_sdk_calls(), value=inputs, caught=st.booleans())
@budgeted
def test_aws_sdk_tasks_end_as_step_functions_reports_them(aws_integrations: Any, call: tuple, value: Any,
                                                          caught: bool):
    """An aws-sdk task against moto, whatever the operation and its parameters: the execution
    ends, and a failure is named as Step Functions names it (States.* or PREFIX.NameException),
    never after a Python exception."""
    from asl_runner.engine import Runner

    service, action, parameters = call
    task: dict[str, Any] = {"Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:{service}:{action}",
                            "Parameters": parameters, "TimeoutSeconds": 30, "End": True}
    if caught:
        task["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    definition = {"StartAt": "Call", "States": {"Call": task, "Caught": {"Type": "Pass", "End": True}}}
    machine = load(definition)
    if machine is None or not acceptable(value):
        return
    execution = asl_runner.start(machine, value, clock="virtual")
    with Runner(aws_integrations, max_workers=2) as runner:
        runner.run(execution)
    check_ended(execution)
    errors = [execution.error] + [(e.details or {}).get("error") for e in execution.history]
    for error in filter(None, errors):
        assert error.startswith("States.") or "." in error, (error, execution.cause)
    event(f"{execution.status} {(execution.error or '').split('.')[0]}")
