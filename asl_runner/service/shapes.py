"""The request shapes of the operations asl-runner serves, from AWS's service model.

These are botocore's ``stepfunctions/2016-11-23/service-2.json`` facts (types, lengths, ranges,
patterns, enums, required and sensitive members), copied as data so that the service does not
need botocore at run time; ``tests/test_api_validation.py`` compares every shape with botocore's
model, so the two cannot drift apart. A structure's members name other shapes, as in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Shape:
    type: str  # string, integer, long, float, boolean, structure, list, map
    min: int | None = None
    max: int | None = None
    pattern: str | None = None  # a Java regular expression, as the model and AWS's messages give it
    enum: tuple[str, ...] | None = None
    sensitive: bool = False  # AWS leaves the value out of its validation messages
    members: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    member: str | None = None  # a list's item shape


def string(min: int | None = None, max: int | None = None, *, pattern: str | None = None,
           sensitive: bool = False) -> Shape:
    return Shape("string", min, max, pattern=pattern, sensitive=sensitive)


def integer(min: int, max: int) -> Shape:
    return Shape("integer", min, max)


def enum(*values: str) -> Shape:
    return Shape("string", enum=values)


def structure(required: tuple[str, ...] = (), **members: str) -> Shape:
    return Shape("structure", members=members, required=required)


def list_of(member: str, min: int | None = None, max: int | None = None) -> Shape:
    return Shape("list", min, max, member=member)


BOOLEAN = Shape("boolean")

SHAPES: dict[str, Shape] = {
    # ------------------------------------------------------------------ scalars
    "AliasDescription": string(max=256, sensitive=True),
    "Arn": string(1, 256),
    "ClientToken": string(1, 64, pattern="[!-~]+"),
    "CharacterRestrictedName": string(1, 80, pattern="^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"),
    "Definition": string(1, 1048576, sensitive=True),
    "Enabled": BOOLEAN,
    "EncryptionType": enum("AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY"),
    "ExecutionRedriveFilter": enum("REDRIVEN", "NOT_REDRIVEN"),
    "ExecutionStatus": enum("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"),
    "IncludeExecutionData": BOOLEAN,
    "IncludeExecutionDataGetExecutionHistory": BOOLEAN,
    "IncludedData": enum("ALL_DATA", "METADATA_ONLY"),
    "InspectionLevel": enum("INFO", "DEBUG", "TRACE"),
    "KmsDataKeyReusePeriodSeconds": integer(60, 900),
    "KmsKeyId": string(1, 2048),
    "ListExecutionsPageToken": string(1, 3096),
    "LogLevel": enum("ALL", "ERROR", "FATAL", "OFF"),
    "LongArn": string(1, 2000),
    "MapIterationFailureCount": Shape("integer", 0),
    "MaxConcurrency": Shape("integer", 0),
    "MockResponseValidationMode": enum("STRICT", "PRESENT", "NONE"),
    "Name": string(1, 80),
    "PageSize": integer(0, 1000),
    "PageToken": string(1, 1024),
    "Publish": BOOLEAN,
    "RetrierRetryCount": Shape("integer", 0),
    "RevealSecrets": BOOLEAN,
    "ReverseOrder": BOOLEAN,
    "RevisionId": string(),
    "SensitiveCause": string(0, 32768, sensitive=True),
    "SensitiveData": string(max=262144, sensitive=True),
    "SensitiveError": string(0, 256, sensitive=True),
    "StateMachineType": enum("STANDARD", "EXPRESS"),
    "TagKey": string(1, 128),
    "TagValue": string(0, 256),
    "TaskToken": string(1, 2048, sensitive=True),
    "TestStateStateName": string(1, 80, sensitive=True),
    "ToleratedFailureCount": Shape("long", 0),
    "ToleratedFailurePercentage": Shape("float", 0, 100),
    "TraceHeader": string(0, 256, pattern="\\p{ASCII}*"),
    "ValidateStateMachineDefinitionMaxResult": integer(0, 100),
    "ValidateStateMachineDefinitionSeverity": enum("ERROR", "WARNING"),
    "VersionDescription": string(max=256, sensitive=True),
    "VersionWeight": integer(0, 100),
    # ------------------------------------------------------------------ structures and lists
    "CloudWatchLogsLogGroup": structure(logGroupArn="Arn"),
    "EncryptionConfiguration": structure(("type",), kmsKeyId="KmsKeyId",
                                         kmsDataKeyReusePeriodSeconds="KmsDataKeyReusePeriodSeconds",
                                         type="EncryptionType"),
    "LogDestination": structure(cloudWatchLogsLogGroup="CloudWatchLogsLogGroup"),
    "LogDestinationList": list_of("LogDestination"),
    "MockErrorOutput": structure(error="SensitiveError", cause="SensitiveCause"),
    "MockInput": structure(result="SensitiveData", errorOutput="MockErrorOutput",
                           fieldValidationMode="MockResponseValidationMode"),
    "LoggingConfiguration": structure(level="LogLevel", includeExecutionData="IncludeExecutionData",
                                      destinations="LogDestinationList"),
    "RoutingConfigurationList": list_of("RoutingConfigurationListItem", 1, 2),
    "RoutingConfigurationListItem": structure(("stateMachineVersionArn", "weight"),
                                              stateMachineVersionArn="Arn", weight="VersionWeight"),
    "Tag": structure(key="TagKey", value="TagValue"),
    "TagKeyList": list_of("TagKey"),
    "TagList": list_of("Tag"),
    "TestStateConfiguration": structure(retrierRetryCount="RetrierRetryCount",
                                        errorCausedByState="TestStateStateName",
                                        mapIterationFailureCount="MapIterationFailureCount",
                                        mapItemReaderData="SensitiveData"),
    "TracingConfiguration": structure(enabled="Enabled"),
    # ------------------------------------------------------------------ operation inputs
    "CreateActivityInput": structure(("name",), name="Name", tags="TagList",
                                     encryptionConfiguration="EncryptionConfiguration"),
    "CreateStateMachineAliasInput": structure(("name", "routingConfiguration"),
                                              description="AliasDescription", name="CharacterRestrictedName",
                                              routingConfiguration="RoutingConfigurationList"),
    "CreateStateMachineInput": structure(("name", "definition", "roleArn"),
                                         name="Name", definition="Definition", roleArn="Arn",
                                         type="StateMachineType", loggingConfiguration="LoggingConfiguration",
                                         tags="TagList", tracingConfiguration="TracingConfiguration",
                                         publish="Publish", versionDescription="VersionDescription",
                                         encryptionConfiguration="EncryptionConfiguration"),
    "DeleteActivityInput": structure(("activityArn",), activityArn="Arn"),
    "DeleteStateMachineAliasInput": structure(("stateMachineAliasArn",), stateMachineAliasArn="Arn"),
    "DeleteStateMachineInput": structure(("stateMachineArn",), stateMachineArn="Arn"),
    "DeleteStateMachineVersionInput": structure(("stateMachineVersionArn",), stateMachineVersionArn="LongArn"),
    "DescribeActivityInput": structure(("activityArn",), activityArn="Arn"),
    "DescribeExecutionInput": structure(("executionArn",), executionArn="Arn", includedData="IncludedData"),
    "DescribeMapRunInput": structure(("mapRunArn",), mapRunArn="LongArn"),
    "DescribeStateMachineAliasInput": structure(("stateMachineAliasArn",), stateMachineAliasArn="Arn"),
    "DescribeStateMachineForExecutionInput": structure(("executionArn",), executionArn="Arn",
                                                       includedData="IncludedData"),
    "DescribeStateMachineInput": structure(("stateMachineArn",), stateMachineArn="Arn",
                                           includedData="IncludedData"),
    "GetActivityTaskInput": structure(("activityArn",), activityArn="Arn", workerName="Name"),
    "GetExecutionHistoryInput": structure(("executionArn",), executionArn="Arn", maxResults="PageSize",
                                          reverseOrder="ReverseOrder", nextToken="PageToken",
                                          includeExecutionData="IncludeExecutionDataGetExecutionHistory"),
    "ListActivitiesInput": structure(maxResults="PageSize", nextToken="PageToken"),
    "ListExecutionsInput": structure(stateMachineArn="Arn", statusFilter="ExecutionStatus",
                                     maxResults="PageSize", nextToken="ListExecutionsPageToken",
                                     mapRunArn="LongArn", redriveFilter="ExecutionRedriveFilter"),
    "ListMapRunsInput": structure(("executionArn",), executionArn="Arn", maxResults="PageSize",
                                  nextToken="PageToken"),
    "ListStateMachineAliasesInput": structure(("stateMachineArn",), stateMachineArn="Arn",
                                              nextToken="PageToken", maxResults="PageSize"),
    "ListStateMachineVersionsInput": structure(("stateMachineArn",), stateMachineArn="Arn",
                                               nextToken="PageToken", maxResults="PageSize"),
    "ListStateMachinesInput": structure(maxResults="PageSize", nextToken="PageToken"),
    "ListTagsForResourceInput": structure(("resourceArn",), resourceArn="Arn"),
    "PublishStateMachineVersionInput": structure(("stateMachineArn",), stateMachineArn="Arn",
                                                 revisionId="RevisionId", description="VersionDescription"),
    "RedriveExecutionInput": structure(("executionArn",), executionArn="Arn",
                                       clientToken="ClientToken"),
    "SendTaskFailureInput": structure(("taskToken",), taskToken="TaskToken", error="SensitiveError",
                                      cause="SensitiveCause"),
    "SendTaskHeartbeatInput": structure(("taskToken",), taskToken="TaskToken"),
    "SendTaskSuccessInput": structure(("taskToken", "output"), taskToken="TaskToken", output="SensitiveData"),
    "StartExecutionInput": structure(("stateMachineArn",), stateMachineArn="Arn", name="Name",
                                     input="SensitiveData", traceHeader="TraceHeader"),
    "StartSyncExecutionInput": structure(("stateMachineArn",), stateMachineArn="Arn", name="Name",
                                         input="SensitiveData", traceHeader="TraceHeader",
                                         includedData="IncludedData"),
    "StopExecutionInput": structure(("executionArn",), executionArn="Arn", error="SensitiveError",
                                    cause="SensitiveCause"),
    "TagResourceInput": structure(("resourceArn", "tags"), resourceArn="Arn", tags="TagList"),
    "TestStateInput": structure(("definition",), definition="Definition", roleArn="Arn",
                                input="SensitiveData", inspectionLevel="InspectionLevel",
                                revealSecrets="RevealSecrets", variables="SensitiveData",
                                stateName="TestStateStateName", mock="MockInput", context="SensitiveData",
                                stateConfiguration="TestStateConfiguration"),
    "UntagResourceInput": structure(("resourceArn", "tagKeys"), resourceArn="Arn", tagKeys="TagKeyList"),
    "UpdateMapRunInput": structure(("mapRunArn",), mapRunArn="LongArn", maxConcurrency="MaxConcurrency",
                                   toleratedFailurePercentage="ToleratedFailurePercentage",
                                   toleratedFailureCount="ToleratedFailureCount"),
    "UpdateStateMachineAliasInput": structure(("stateMachineAliasArn",), stateMachineAliasArn="Arn",
                                              description="AliasDescription",
                                              routingConfiguration="RoutingConfigurationList"),
    "UpdateStateMachineInput": structure(("stateMachineArn",), stateMachineArn="Arn", definition="Definition",
                                         roleArn="Arn", loggingConfiguration="LoggingConfiguration",
                                         tracingConfiguration="TracingConfiguration", publish="Publish",
                                         versionDescription="VersionDescription",
                                         encryptionConfiguration="EncryptionConfiguration"),
    "ValidateStateMachineDefinitionInput": structure(("definition",), definition="Definition",
                                                     type="StateMachineType",
                                                     severity="ValidateStateMachineDefinitionSeverity",
                                                     maxResults="ValidateStateMachineDefinitionMaxResult"),
}

#: How AWS lists an enum's values in "Member must satisfy enum value set: [...]" when that order
#: was recorded and is not the model's (the service prints a hash set): ListExecutions' status.
PRINTED_ENUM_ORDER: dict[str, tuple[str, ...]] = {
    "ExecutionStatus": ("SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"),
}


def input_shape(operation: str) -> str:
    """The name of an operation's request shape (the model names every one ``<Operation>Input``)."""
    return f"{operation}Input"
