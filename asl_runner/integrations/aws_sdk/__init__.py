"""``arn:aws:states:::aws-sdk:SERVICE:ACTION``: any operation botocore knows, called the way
Step Functions calls it (names: :mod:`.names`; parameters and results: :mod:`.shapes`;
errors: :mod:`.errors`).

Plain functions, free of the engine: :func:`resource_problem` is the load-time check,
:func:`call` performs one call through an :class:`~asl_runner.integrations.aws.AwsTarget`.
Step Functions' own API (``aws-sdk:sfn``) is not sent to AWS: it goes to asl-runner's API,
``states_api(operation, body)``, when there is one (``serve``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ...errors import StatesError
from ...jsonvalue import dumps
from ..aws import REAL
from ..catalog import CALLBACK, NOT_RECOGNIZED, REQUEST_RESPONSE
from ..protocol import Environment, Integration
from . import errors, moto_answers, names, shapes

#: the integration patterns AWS SDK integrations support
PATTERNS = (REQUEST_RESPONSE, CALLBACK)
#: Step Functions' name for its own service
STATES = "sfn"

StatesApi = Callable[[str, dict], dict]


@lru_cache(maxsize=64)
def service_model(botocore_service: str) -> Any:
    import botocore.session

    return botocore.session.Session().get_service_model(botocore_service)


def resource_problem(service: str, action: str, pattern: str | None, arn: str) -> str | None:
    """Why CreateStateMachine refuses the aws-sdk resource ``arn`` (None: it accepts it)."""
    # AWS's wording for a resource it does not know, as it appears in an InvalidDefinition
    # (SCHEMA_VALIDATION_FAILED) message; then what is wrong, in asl-runner's words
    refused = NOT_RECOGNIZED.format(arn=arn)
    botocore_name = names.botocore_service(service)
    if botocore_name is None:
        near = names.near_service(service)
        hint = f": Step Functions calls {service} '{near}'" if near else ""
        return f"{refused} (no AWS SDK service is named '{service}'{hint})"
    model = service_model(botocore_name)
    operation = names.operation_name(model, action)
    if operation is None:
        near = names.near_action(model, action)
        hint = f" (did you mean '{near}'? actions are camelCase)" if near else ""
        return f"{refused} ('{service}' has no action '{action}'{hint})"
    if names.is_unsupported(service, operation):
        return f"{refused} (Step Functions does not support {service}:{action})"
    if pattern not in PATTERNS:
        return (f"{refused} (AWS SDK integrations support request-response and "
                f".waitForTaskToken, not .{pattern})")
    return None


def call(target: Any, service: str, action: str, parameters: Any, region: str | None = None,
         states_api: StatesApi | None = None) -> Any:
    """Perform ``aws-sdk:SERVICE:ACTION`` with the task's ``parameters`` in ``region`` (None:
    the target's default); return its result or raise
    :class:`~asl_runner.errors.StatesError` as Step Functions would report the failure."""
    botocore_name = names.botocore_service(service)
    model = service_model(botocore_name) if botocore_name else None
    operation = names.operation_name(model, action) if model is not None else None
    if operation is None:  # validate refuses these; a definition loaded without checks
        raise StatesError("States.Runtime", f"arn:aws:states:::aws-sdk:{service}:{action} is not "
                          "an AWS SDK operation")
    prefix = names.java_name(model.metadata.get("serviceId") or service)
    operation_model = model.operation_model(operation)
    try:
        request = shapes.to_request(parameters, operation_model.input_shape)
    except shapes.ParameterProblem as exc:
        # Step Functions' wording for parameters it cannot turn into a request (as for its
        # optimized integrations); AWS's exact text for aws-sdk tasks is not documented
        raise StatesError("States.Runtime", unusable_parameters(parameters, str(exc))) from None
    if service == STATES:
        response = _call_states(states_api, operation, request, model, prefix)
    else:
        response = _call_aws(target, botocore_name, operation, request, region, model, prefix)
    return shapes.from_response(response, operation_model.output_shape)


def unusable_parameters(parameters: Any, problem: str) -> str:
    """Step Functions' cause for parameters it cannot turn into the service's request (AWS's
    wording for its optimized integrations, recorded: "The Parameters '...' could not be used
    to start the Task: [The value of the field 'Headers' has an invalid format]")."""
    text = dumps(parameters)
    quoted = text if len(text) <= 1000 else text[:997] + "..."
    return f"The Parameters '{quoted}' could not be used to start the Task: [{problem}]"


def _call_aws(target: Any, botocore_name: str, operation: str, request: dict, region: str,
              model: Any, prefix: str) -> Any:
    from botocore import xform_name
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = target.client(botocore_name, target.region(region))
        response = getattr(client, xform_name(operation))(**request)
    except ClientError as exc:
        raise errors.from_client_error(exc, prefix, model, botocore_name) from None
    except BotoCoreError as exc:  # no answer: no connection, no credentials, a bad request
        raise errors.client_failure(str(exc)) from None
    except Exception as exc:  # botocore failing a request in a way of its own (the JMESPath
        # of DynamoDB's endpoint parameters over a missing RequestItems): a request the SDK
        # cannot build, as the Java SDK's SdkClientException, not an error named after Python
        raise errors.client_failure(f"Unable to build the request: {exc}") from None
    if target.mode != REAL:
        moto_answers.amend(botocore_name, operation, request, response)
    return response


def _call_states(states_api: StatesApi | None, operation: str, request: dict, model: Any,
                 prefix: str) -> Any:
    """Step Functions' own API, which is asl-runner's: executions it starts run here."""
    if states_api is None:
        raise StatesError(
            "States.Runtime", f"asl-runner cannot call Step Functions' {operation} here",
            hint="aws-sdk:sfn tasks call asl-runner's own Step Functions API: run the machine "
            "under `asl-runner serve` (asl-runner run has no API)")
    from ...service.errors import ApiError

    try:
        return states_api(operation, request)
    except ApiError as exc:
        raise errors.service_error(prefix, errors.modelled(model, exc.code), exc.message,
                                   exc.status, uuid.uuid4()) from None
    except LookupError:
        raise StatesError("States.Runtime", f"asl-runner's Step Functions API has no {operation}") \
            from None


PREFIX = "aws-sdk:"


def _check(resource: Any) -> str | None:
    return resource_problem(resource.service[len(PREFIX):], resource.action or "",
                            resource.pattern, resource.arn)


def _perform(invocation: Any, env: Environment) -> Any:
    resource = invocation.resource
    # aws-sdk:sfn reaches the service under serve, the run's own executions under run
    return call(env.aws, resource.service[len(PREFIX):], resource.action, invocation.payload,
                resource.region, env.states_api or env.runs)


#: S3 operations authorised by an IAM action of another name (the Service Authorization
#: Reference's "Actions defined by Amazon S3"); elsewhere the action is the operation's name
_S3_ACTIONS = {"ListObjectsV2": "ListBucket", "ListObjects": "ListBucket",
               "HeadObject": "GetObject", "HeadBucket": "ListBucket",
               "DeleteObjects": "DeleteObject", "ListObjectVersions": "ListBucketVersions"}


def _permissions(scope: Any) -> list:
    """The service's IAM action for the operation (its prefix is the service's signing name:
    sfn's is ``states``) on every resource: an SDK integration's parameters name resources
    in as many ways as there are services, so the policy leaves the scoping to the user."""
    from ..iam import Grant

    resource = scope.resource
    service = resource.service[len(PREFIX):]
    botocore_name = names.botocore_service(service)
    model = service_model(botocore_name) if botocore_name else None
    operation = names.operation_name(model, resource.action or "") if model is not None else None
    if operation is None:
        return []
    prefix = model.metadata.get("signingName") or model.metadata.get("endpointPrefix")
    if prefix == "s3":
        operation = _S3_ACTIONS.get(operation, operation)
    return [Grant((f"{prefix}:{operation}",), ("*",),
                  f"{service}:{resource.action} is an AWS SDK integration: scope its Resource to "
                  "what the task calls")]


INTEGRATIONS = (
    Integration("aws-sdk", patterns=PATTERNS, check=_check, perform=_perform,
                permissions=_permissions,
                serves=lambda resource: (resource.kind == "service"
                                         and resource.service.startswith(PREFIX))),
)
