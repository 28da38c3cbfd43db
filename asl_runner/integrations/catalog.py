"""Step Functions' optimized integrations: every ``arn:aws:states:::SERVICE:ACTION[.PATTERN]``
AWS documents, the integration patterns it supports and the parameters its request requires.

Plain data, read when a definition loads (``validate`` refuses a resource that is not here,
or a pattern its action does not support, as CreateStateMachine does). Ask it with
:func:`lookup`; :func:`problem` words a refusal the way AWS does.

Sources: the developer guide's "Integrating optimized services with Step Functions"
(integrate-optimized.html: which patterns each service supports) and its page per service
(connect-SERVICE.html: the supported APIs, and for some the patterns of each API); LocalStack's
stepfunctions service and the AWS CDK's stepfunctions-tasks were hints only. Where the service
table and a service's own page disagree, the pattern is accepted: refusing a definition AWS
deploys is the one mistake ``validate`` must not make.

``required`` is what the wrapped API requires (botocore's required members, in Step Functions'
PascalCase; the guide's page where the optimized API differs from the SDK's), minus
idempotency tokens, which Step Functions fills in. AWS checks it when the task starts, not at
CreateStateMachine: a definition without them deploys, and its task fails with States.Runtime
("The Parameters '...' could not be used to start the Task: [...]"). So ``validate`` does not
refuse a missing one; :func:`missing_parameters` is for the integrations at run time.
"""

from __future__ import annotations

#: the integration patterns as a resource ARN spells them after its action (None: none,
#: request-response)
REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK = None, "sync", "sync:2", "waitForTaskToken"
PATTERNS = (REQUEST_RESPONSE, SYNC, SYNC2, CALLBACK)

#: where a resource may appear: a Task's Resource, or a Distributed Map's ItemReader or
#: ResultWriter Resource
TASK, ITEM_READER, RESULT_WRITER = "Task", "ItemReader", "ResultWriter"


class Entry:
    """One optimized API: its patterns (None: request-response), the parameters its request
    requires, and where its resource may appear."""

    __slots__ = ("patterns", "required", "where")

    def __init__(self, patterns: frozenset[str | None], required: tuple[str, ...] = (),
                 where: str = TASK) -> None:
        self.patterns = patterns
        self.required = required
        self.where = where

    def __repr__(self) -> str:
        shown = [pattern_name(p) for p in PATTERNS if p in self.patterns]
        return f"Entry(patterns={shown}, required={self.required}, where={self.where!r})"


class Service:
    """An optimized integration's service: ``title`` for messages, ``sdk`` its name in
    ``arn:aws:states:::aws-sdk:SDK:ACTION`` (None: no SDK twin), its ``actions``."""

    __slots__ = ("title", "sdk", "actions")

    def __init__(self, title: str, sdk: str | None, actions: dict[str, Entry]) -> None:
        self.title = title
        self.sdk = sdk
        self.actions = actions


_RR = frozenset({REQUEST_RESPONSE})
_JOB = frozenset({REQUEST_RESPONSE, SYNC})
_CB = frozenset({REQUEST_RESPONSE, CALLBACK})
_JOB_CB = frozenset({REQUEST_RESPONSE, SYNC, CALLBACK})
_ALL = frozenset(PATTERNS)


def _entries(patterns: frozenset[str | None], **required: tuple[str, ...]) -> dict[str, Entry]:
    return {action: Entry(patterns, names) for action, names in required.items()}


SERVICES: dict[str, Service] = {
    # connect-api-gateway.html: apigateway:invoke, request-response and .waitForTaskToken;
    # ApiEndpoint and Method are its "required request parameters"
    "apigateway": Service("Amazon API Gateway", None,
                          _entries(_CB, invoke=("ApiEndpoint", "Method"))),
    # connect-athena.html: only StartQueryExecution has .sync
    "athena": Service("Amazon Athena", "athena", {
        "startQueryExecution": Entry(_JOB, ("QueryString",)),
        **_entries(_RR, stopQueryExecution=("QueryExecutionId",),
                   getQueryExecution=("QueryExecutionId",),
                   getQueryResults=("QueryExecutionId",)),
    }),
    # connect-batch.html: SubmitJob, request-response and .sync
    "batch": Service("AWS Batch", "batch",
                     _entries(_JOB, submitJob=("JobName", "JobQueue", "JobDefinition"))),
    # connect-bedrock.html: InvokeModel (request-response), CreateModelCustomizationJob
    # (request-response and .sync); the service table also lists .waitForTaskToken for
    # Bedrock without naming the API, so both accept it
    "bedrock": Service("Amazon Bedrock", "bedrock", {
        "invokeModel": Entry(_CB, ("ModelId",)),
        "createModelCustomizationJob": Entry(_JOB_CB, (
            "JobName", "CustomModelName", "RoleArn", "BaseModelIdentifier",
            "TrainingDataConfig", "OutputDataConfig")),
    }),
    # connect-bedrockagentcore.html: InvokeHarness, request-response only
    "bedrockagentcore": Service("Amazon Bedrock AgentCore", "bedrockagentcore", _entries(
        _RR, invokeHarness=("HarnessArn", "RuntimeSessionId", "Messages"))),
    # connect-codebuild.html: its table of APIs and patterns
    "codebuild": Service("AWS CodeBuild", "codebuild", {
        **_entries(_JOB, startBuild=("ProjectName",), startBuildBatch=("ProjectName",),
                   retryBuildBatch=()),
        **_entries(_RR, stopBuild=("Id",), batchDeleteBuilds=("Ids",),
                   batchGetReports=("ReportArns",), stopBuildBatch=("Id",),
                   deleteBuildBatch=("Id",)),
    }),
    # connect-databrew.html: StartJobRun, request-response and .sync
    "databrew": Service("AWS Glue DataBrew", "databrew", _entries(_JOB, startJobRun=("Name",))),
    # connect-ddb.html: only these four are optimized; no .sync, no .waitForTaskToken
    "dynamodb": Service("Amazon DynamoDB", "dynamodb", _entries(
        _RR, getItem=("TableName", "Key"), putItem=("TableName", "Item"),
        updateItem=("TableName", "Key"), deleteItem=("TableName", "Key"))),
    # connect-ecs.html: RunTask in all three patterns
    "ecs": Service("Amazon ECS", "ecs", _entries(_JOB_CB, runTask=("TaskDefinition",))),
    # connect-eks.html: the Kubernetes APIs runJob (.sync) and call, and the EKS APIs, each
    # with .sync but call; the service table lists .waitForTaskToken for EKS although the
    # page says it is not supported, so every EKS API accepts it
    "eks": Service("Amazon EKS", "eks", {
        "runJob": Entry(_JOB_CB, ("ClusterName", "CertificateAuthority", "Endpoint", "Job")),
        "call": Entry(_CB, ("ClusterName", "CertificateAuthority", "Endpoint", "Method", "Path")),
        **_entries(_JOB_CB, createCluster=("Name", "RoleArn", "ResourcesVpcConfig"),
                   deleteCluster=("Name",),
                   createFargateProfile=("FargateProfileName", "ClusterName",
                                         "PodExecutionRoleArn"),
                   deleteFargateProfile=("ClusterName", "FargateProfileName"),
                   createNodegroup=("ClusterName", "NodegroupName", "Subnets", "NodeRole"),
                   deleteNodegroup=("ClusterName", "NodegroupName")),
    }),
    # connect-emr.html: Step Functions' own EMR APIs (ClusterId where EMR says JobFlowIds)
    "elasticmapreduce": Service("Amazon EMR", "emr", {
        **_entries(_JOB, createCluster=("Name", "Instances"), terminateCluster=("ClusterId",),
                   addStep=("ClusterId", "Step")),
        **_entries(_RR, setClusterTerminationProtection=("ClusterId", "TerminationProtected"),
                   cancelStep=("ClusterId", "StepId"),
                   modifyInstanceFleetByName=("ClusterId", "InstanceFleetName", "InstanceFleet"),
                   modifyInstanceGroupByName=("ClusterId", "InstanceGroupName", "InstanceGroup")),
    }),
    # connect-emr-eks.html: its table of APIs and patterns
    "emr-containers": Service("Amazon EMR on EKS", "emrcontainers", {
        "createVirtualCluster": Entry(_RR, ("Name", "ContainerProvider")),
        **_entries(_JOB, deleteVirtualCluster=("Id",), startJobRun=("VirtualClusterId",)),
    }),
    # connect-emr-serverless.html: six APIs, each also as .sync
    "emr-serverless": Service("Amazon EMR Serverless", "emrserverless", _entries(
        _JOB, createApplication=("ReleaseLabel", "Type"), startApplication=("ApplicationId",),
        stopApplication=("ApplicationId",), deleteApplication=("ApplicationId",),
        startJobRun=("ApplicationId", "ExecutionRoleArn"),
        cancelJobRun=("ApplicationId", "JobRunId"))),
    # connect-eventbridge.html: PutEvents, request-response and .waitForTaskToken
    "events": Service("Amazon EventBridge", "eventbridge", _entries(_CB, putEvents=("Entries",))),
    # connect-glue.html: StartJobRun, request-response and .sync (not .sync:2)
    "glue": Service("AWS Glue", "glue", _entries(_JOB, startJobRun=("JobName",))),
    # connect-third-party-apis.html (HTTP Task): ApiEndpoint, Method and Authentication;
    # the service table's row for it allows .waitForTaskToken as for API Gateway
    "http": Service("HTTP Task", None,
                    _entries(_CB, invoke=("ApiEndpoint", "Method", "Authentication"))),
    # connect-lambda.html: Invoke, request-response and .waitForTaskToken
    "lambda": Service("AWS Lambda", "lambda", _entries(_CB, invoke=("FunctionName",))),
    # connect-mediaconvert.html: CreateJob, request-response and .sync
    "mediaconvert": Service("AWS Elemental MediaConvert", "mediaconvert",
                            _entries(_JOB, createJob=("Role", "Settings"))),
    # connect-sagemaker.html: the job-creating APIs have .sync, the others do not
    "sagemaker": Service("Amazon SageMaker AI", "sagemaker", {
        **_entries(_JOB,
                   createHyperParameterTuningJob=("HyperParameterTuningJobName",
                                                  "HyperParameterTuningJobConfig"),
                   createLabelingJob=("LabelingJobName", "LabelAttributeName", "InputConfig",
                                      "OutputConfig", "RoleArn", "HumanTaskConfig"),
                   createProcessingJob=("ProcessingJobName", "ProcessingResources",
                                        "AppSpecification", "RoleArn"),
                   createTrainingJob=("TrainingJobName", "RoleArn", "OutputDataConfig"),
                   createTransformJob=("TransformJobName", "ModelName", "TransformInput",
                                       "TransformOutput", "TransformResources")),
        **_entries(_RR, createEndpoint=("EndpointName", "EndpointConfigName"),
                   createEndpointConfig=("EndpointConfigName", "ProductionVariants"),
                   createModel=("ModelName",),
                   updateEndpoint=("EndpointName", "EndpointConfigName")),
    }),
    # connect-sns.html: Publish, request-response and .waitForTaskToken
    "sns": Service("Amazon SNS", "sns", _entries(_CB, publish=("Message",))),
    # connect-sqs.html: SendMessage, request-response and .waitForTaskToken
    "sqs": Service("Amazon SQS", "sqs", _entries(_CB, sendMessage=("QueueUrl", "MessageBody"))),
    # connect-stepfunctions.html: StartExecution in every pattern; .sync returns the child's
    # output as a string, .sync:2 as JSON
    "states": Service("AWS Step Functions", "sfn", _entries(_ALL, startExecution=("StateMachineArn",))),
    # input-output-itemreader.html and input-output-resultwriter.html: the resources of a
    # Distributed Map's ItemReader and ResultWriter. Whether a Task's Resource may name them
    # is not documented either way, so validate lets it (asl-runner cannot run it)
    "s3": Service("Amazon S3", "s3", {
        "getObject": Entry(_RR, ("Bucket", "Key"), ITEM_READER),
        "listObjectsV2": Entry(_RR, ("Bucket",), ITEM_READER),
        "putObject": Entry(_RR, ("Bucket",), RESULT_WRITER),
    }),
}

#: names users reach for, and the name Step Functions gives the integration (for hints)
_ALIASES = {
    "emr": "elasticmapreduce", "emrcontainers": "emr-containers", "emr-eks": "emr-containers",
    "emrserverless": "emr-serverless", "eventbridge": "events", "sfn": "states",
    "stepfunctions": "states", "step-functions": "states", "gluedatabrew": "databrew",
    "glue-databrew": "databrew", "bedrock-runtime": "bedrock", "bedrockruntime": "bedrock",
    "bedrock-agentcore": "bedrockagentcore",
    "apigatewayv2": "apigateway", "execute-api": "apigateway", "fargate": "ecs",
}

#: AWS's CreateStateMachine message (SCHEMA_VALIDATION_FAILED, at the Resource) for a resource
#: it does not know: an unknown service or action, or a pattern the action does not support
NOT_RECOGNIZED = ("The resource provided {arn} is not recognized. The value is not a valid "
                  "resource ARN, or the resource is not available in this region.")


def lookup(service: str, action: str) -> Entry | None:
    """The optimized integration ``arn:aws:states:::SERVICE:ACTION`` (None: there is none)."""
    found = SERVICES.get(service)
    return found.actions.get(action) if found is not None else None


def pattern_name(pattern: str | None) -> str:
    return "request-response" if pattern is None else f".{pattern}"


def problem(service: str, action: str, pattern: str | None, arn: str) -> str | None:
    """Why CreateStateMachine refuses the Task resource ``arn``, parsed into ``service``,
    ``action`` and ``pattern`` (None: it accepts it): AWS's words, then what is wrong."""
    entry = lookup(service, action)
    if entry is not None:
        if pattern in entry.patterns:
            return None
        why = (f"{service}:{action} supports {_listing(entry.patterns)}, "
               f"not {pattern_name(pattern)}")
    else:
        why = _unknown(service, action)
    return f"{NOT_RECOGNIZED.format(arn=arn)} ({why})"


def missing_parameters(entry: Entry, payload: object) -> tuple[str, ...]:
    """The parameters ``entry`` requires that the task's ``payload`` lacks: evaluated
    Parameters or Arguments, or a template whose keys may end in ``.$``."""
    if type(payload) is not dict:
        return entry.required
    return tuple(name for name in entry.required
                 if name not in payload and f"{name}.$" not in payload)


def _listing(patterns: frozenset[str | None]) -> str:
    names = [pattern_name(p) for p in PATTERNS if p in patterns]
    if len(names) == 1:
        return f"only {names[0]}"
    return ", ".join(names[:-1]) + " and " + names[-1]


def _unknown(service: str, action: str) -> str:
    """What is wrong with a service and action the catalog does not list."""
    if not service:
        return "an integration's resource is arn:aws:states:::SERVICE:ACTION[.PATTERN]"
    head, _, tail = service.partition(":")
    if tail:  # an unknown pattern suffix: "states:startExecution.sync:3" parses oddly
        action = f"{tail}:{action}"
        service = head
    known = SERVICES.get(service)
    if known is None:
        if service in ("stateMachine", "execution"):
            return ("a Task cannot name a state machine: to run one, use "
                    "arn:aws:states:::states:startExecution with its ARN as StateMachineArn")
        near = _ALIASES.get(service) or _ALIASES.get(service.lower()) or _near(service, SERVICES)
        hint = f" (did you mean '{near}'?)" if near else ""
        return (f"Step Functions has no optimized integration named '{service}'{hint}; "
                "to call any AWS API, use arn:aws:states:::aws-sdk:SERVICE:ACTION")
    name, dot, suffix = action.partition(".")
    if dot and name in known.actions:
        return (f"'.{suffix}' is not an integration pattern: Step Functions has .sync, "
                ".sync:2 and .waitForTaskToken")
    near = _near(action, known.actions)
    if near is None:
        hint = ""
    elif near.lower() == action.lower():
        hint = f" (actions are camelCase: '{near}')"
    else:
        hint = f" (did you mean '{near}'?)"
    why = (f"the optimized {known.title} integration has no action '{action}'{hint}; "
           f"its actions are {', '.join(known.actions)}")
    if known.sdk and not near:
        sdk_action = action if action.isalnum() and action[:1].islower() else "ACTION"
        why += f"; other {known.title} APIs: arn:aws:states:::aws-sdk:{known.sdk}:{sdk_action}"
    return why


def _near(word: str, candidates: dict) -> str | None:
    for candidate in candidates:
        if candidate.lower() == word.lower():
            return candidate
    import difflib  # only a refused resource pays for it

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.8)
    return matches[0] if matches else None
