"""Local Lambda functions fail as AWS Lambda and Step Functions report it.

Both resource forms are checked: a function ARN reports the runtime's error object as the
cause, as Lambda returned it; ``arn:aws:states:::lambda:invoke`` re-encodes it compactly. The
error objects are those of AWS's Python runtime (awslambdaric) and of Lambda itself for a
runtime process that exits. Handlers that fail are in tests/lambdas_broken.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import asl_runner
from asl_runner.clock import VirtualClock
from asl_runner.engine import Execution, Runner
from asl_runner.engine.effects import Completed
from asl_runner.integrations import Integrations
from asl_runner.service import open_service

from support import Tasks, machine, one
from support import run as run_with_tasks

BROKEN = Path(__file__).resolve().parent / "lambdas_broken"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def by_arn(name: str, **state) -> dict:
    """A Task whose Resource is the function's ARN; the state input is the event."""
    return one({"Type": "Task", "Resource": ARN + name, **state})


def by_invoke(name: str, **state) -> dict:
    """A Task that calls the function through lambda:invoke, with the state input as Payload."""
    return one({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": name, "Payload.$": "$"}, **state})


FORMS = pytest.mark.parametrize("form", [by_arn, by_invoke], ids=["function-arn", "lambda-invoke"])


def run(definition: dict, input=None, lambdas: Path = BROKEN, **kw) -> Execution:
    return asl_runner.run(definition, {} if input is None else input, lambdas=str(lambdas),
                          clock="virtual", **kw)


def failed(ex: Execution, form) -> tuple[str, dict]:
    """(error, the cause as an object), after checking the cause's encoding for the form and
    that the failure event carries the same error and cause."""
    assert ex.status == "FAILED", ex.describe()
    cause = json.loads(ex.cause)
    if form is by_arn:
        assert ex.history[-2].type == "LambdaFunctionFailed"
    else:
        assert ex.history[-2].type == "TaskFailed"
        assert ex.cause == json.dumps(cause, separators=(",", ":"), ensure_ascii=False)
    assert ex.history[-2].details["error"] == ex.error
    assert ex.history[-2].details["cause"] == ex.cause
    return ex.error, cause


# -- a module that does not load ---------------------------------------------------------------

@FORMS
def test_a_syntax_error_is_runtime_user_code_syntax_error(tmp_path, form):
    (tmp_path / "broken.py").write_text("def handler(event, context):\n    return (\n")
    ex = run(form("broken"), lambdas=tmp_path)
    assert failed(ex, form) == ("Runtime.UserCodeSyntaxError", {
        "errorMessage": "Syntax error in module 'broken': '(' was never closed (broken.py, line 2)",
        "errorType": "Runtime.UserCodeSyntaxError",
        "requestId": "",
        # the runtime's format: four spaces, then the line as the SyntaxError holds it
        "stackTrace": ['  File "/var/task/broken.py" Line 2\n        return (\n'],
    })


def test_the_function_arn_cause_is_the_error_object_as_the_runtime_wrote_it(tmp_path):
    (tmp_path / "broken.py").write_text("def handler(event, context):\n    return (\n")
    ex = run(by_arn("broken"), lambdas=tmp_path)
    assert ex.cause == json.dumps(json.loads(ex.cause), ensure_ascii=False)  # ", " and ": "


@FORMS
def test_a_failing_import_is_runtime_import_module_error(form):
    ex = run(form("import_error"))
    assert failed(ex, form) == ("Runtime.ImportModuleError", {
        "errorMessage": "Unable to import module 'import_error': No module named "
                        "'no_such_module_for_asl_runner_tests'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    })


def test_an_import_error_names_the_module_file_under_var_task():
    ex = run(by_arn("uses_helper"))
    assert failed(ex, by_arn)[1]["errorMessage"] == (
        "Unable to import module 'handler': cannot import name 'missing' from 'uses_helper_lib' "
        "(/var/task/uses_helper_lib.py)")


def test_a_function_folder_imports_the_helpers_beside_its_handler():
    ex = run(by_arn("imports_helper"))
    assert (ex.status, ex.output) == ("SUCCEEDED", "hello from a helper beside handler.py")


@FORMS
def test_an_exception_while_the_module_loads_is_reported_with_its_own_type(form):
    ex = run(form("load_error"))
    assert failed(ex, form) == ("ValueError", {
        "errorMessage": "the configuration is missing",
        "errorType": "ValueError",
        "requestId": "",
        "stackTrace": ['  File "/var/task/load_error.py", line 1, in <module>\n'
                       '    raise ValueError("the configuration is missing")\n'],
    })


@FORMS
def test_a_module_without_handler_is_runtime_handler_not_found(form):
    ex = run(form("no_handler"))
    assert failed(ex, form) == ("Runtime.HandlerNotFound", {
        "errorMessage": "Handler 'handler' missing on module 'no_handler'",
        "errorType": "Runtime.HandlerNotFound",
        "requestId": "",
        "stackTrace": [],
    })


def test_a_load_failure_is_a_task_failure_that_catch_handles_and_other_functions_still_run():
    definition = machine({
        "Broken": {"Type": "Task", "Resource": ARN + "import_error", "ResultPath": None,
                   "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                              "Next": "Fine"}], "Next": "Fine"},
        "Fine": {"Type": "Task", "Resource": ARN + "imports_helper", "ResultPath": "$.fine",
                 "End": True},
    })
    ex = run(definition)
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"]["Error"] == "Runtime.ImportModuleError"
    assert ex.output["fine"] == "hello from a helper beside handler.py"


def test_a_module_that_failed_to_load_is_loaded_again_once_fixed(tmp_path):
    handler = tmp_path / "flaky.py"
    handler.write_text("import not_installed_yet  # noqa\n\ndef handler(event, context):\n"
                       "    return 'ok'\n")
    runner = Runner(Integrations(str(tmp_path)))
    first = Execution(asl_runner.load(by_arn("flaky")), {}, clock=VirtualClock())
    runner.run(first)
    assert first.error == "Runtime.ImportModuleError"
    handler.write_text("def handler(event, context):\n    return 'ok'\n")
    second = Execution(asl_runner.load(by_arn("flaky")), {}, clock=VirtualClock())
    runner.run(second)
    runner.close()
    assert (second.status, second.output) == ("SUCCEEDED", "ok")


def test_under_the_service_a_fixed_module_works_on_the_next_execution(tmp_path):
    handler = tmp_path / "flaky.py"
    handler.write_text("def handler(event, context)\n    return 'ok'\n")
    service = open_service(None, lambdas=str(tmp_path), clock="virtual")
    try:
        arn = service.create_state_machine({
            "name": "m", "definition": json.dumps(by_arn("flaky")),
            "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]

        def finished(input_name: str) -> dict:
            started = service.start_execution({"stateMachineArn": arn, "name": input_name})
            service.host.wait_finished(started["executionArn"], 10)
            return service.describe_execution({"executionArn": started["executionArn"]})

        assert finished("before")["error"] == "Runtime.UserCodeSyntaxError"
        handler.write_text("def handler(event, context):\n    return 'ok'\n")
        after = finished("after")
        assert (after["status"], after["output"]) == ("SUCCEEDED", '"ok"')
    finally:
        service.close()


# -- a runtime process that exits ----------------------------------------------------------------

def exit_error(ex: Execution, form) -> str:
    """The reason in Lambda's Runtime.ExitError, after checking the rest of its shape."""
    error, cause = failed(ex, form)
    assert error == "Runtime.ExitError"
    assert list(cause) == ["errorType", "errorMessage"]  # Lambda's own object, not the runtime's
    assert cause["errorType"] == "Runtime.ExitError"
    m = re.fullmatch(f"RequestId: ({UUID}) Error: (.*)", cause["errorMessage"])
    assert m, cause
    return m[2]


@FORMS
@pytest.mark.parametrize("code, reason", [
    (3, "Runtime exited with error: exit status 3"),
    (260, "Runtime exited with error: exit status 4"),  # the status is the code mod 256
    (None, "Runtime exited without providing a reason"),  # sys.exit(): status 0
    ("bye", "Runtime exited with error: exit status 1"),  # a message: printed, status 1
])
def test_sys_exit_in_the_handler_is_runtime_exit_error(form, code, reason):
    ex = run(form("exits"), {"code": code})
    assert exit_error(ex, form) == reason


def test_sys_exit_while_the_module_loads_is_runtime_exit_error():
    ex = run(by_arn("exit_on_load"))
    assert exit_error(ex, by_arn) == "Runtime exited with error: exit status 2"


def test_another_base_exception_ends_the_runtime_with_status_1():
    ex = run(by_invoke("exits"), {"raise": "BaseException"})
    assert exit_error(ex, by_invoke) == "Runtime exited with error: exit status 1"


def test_a_keyboard_interrupt_raised_by_a_handler_on_a_worker_thread_is_signal_interrupt():
    def interrupt(event, context):
        raise KeyboardInterrupt

    # a TimeoutSeconds sends the handler to the worker pool, off the main thread
    ex = asl_runner.run(by_arn("Interrupt", TimeoutSeconds=30), {}, handlers={"Interrupt": interrupt},
                        clock="virtual")
    assert exit_error(ex, by_arn) == "Runtime exited with error: signal: interrupt"


def test_after_the_runtime_exits_the_next_invocation_starts_a_fresh_module():
    """exits.py counts its calls in module state; a new sandbox starts the count again."""
    runner = Runner(Integrations(str(BROKEN)))
    outcomes = []
    for event in ({}, {"code": 1}, {}):
        ex = Execution(asl_runner.load(by_arn("exits")), event, clock=VirtualClock())
        runner.run(ex)
        outcomes.append(ex.output if ex.status == "SUCCEEDED" else ex.error)
    runner.close()
    assert outcomes == [1, "Runtime.ExitError", 1]


def test_exit_from_a_handlers_callable_is_runtime_exit_error_too():
    def leave(event, context):
        raise SystemExit(5)

    ex = asl_runner.run(by_arn("Leave"), {}, handlers={"Leave": leave}, clock="virtual")
    assert exit_error(ex, by_arn) == "Runtime exited with error: exit status 5"


# -- results that are not JSON to AWS ---------------------------------------------------------------

def not_json(ex: Execution, detail: str) -> None:
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert ex.cause == f"The response of the Lambda function 'results' is not valid JSON: {detail}"
    for event in ex.history:  # nothing that is not JSON reached the history
        json.dumps(event.to_aws(), allow_nan=False, default=str)


NAN = "'NaN' is not a JSON number (NaN and Infinity are not JSON)"


@FORMS
@pytest.mark.parametrize("kind, detail", [
    ("nan", NAN),
    ("inf", "'Infinity' is not a JSON number (NaN and Infinity are not JSON)"),
    ("minus_inf", "'-Infinity' is not a JSON number (NaN and Infinity are not JSON)"),
    ("nested_nan", NAN),
    ("decimal_nan", NAN),
])
def test_nan_and_infinity_are_refused_as_aws_refuses_them(form, kind, detail):
    not_json(run(form("results"), {"kind": kind}), detail)


def test_nan_is_not_caught_by_states_all():
    definition = machine({
        "T": {"Type": "Task", "Resource": ARN + "results",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Pass", "End": True},
    })
    ex = run(definition, {"kind": "nan"})
    not_json(ex, NAN)


@FORMS
def test_returned_bytes_must_be_json_text(form):
    not_json(run(form("results"), {"kind": "not_json_bytes"}), "Expecting value (line 1, column 1)")


@FORMS
def test_a_result_nested_deeper_than_1000_levels_is_refused(form):
    not_json(run(form("results"), {"deep": 1001}), "the JSON is nested more than 1000 levels deep")


def test_a_result_1000_levels_deep_is_fine():
    ex = run(by_arn("results"), {"deep": 1000})
    assert ex.status == "SUCCEEDED"


@FORMS
def test_a_result_the_runtime_cannot_serialise_is_runtime_marshal_error(form):
    error, cause = failed(run(form("results"), {"kind": "set"}), form)
    assert re.fullmatch(UUID, cause.pop("requestId"))
    assert (error, cause) == ("Runtime.MarshalError", {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "stackTrace": [],
    })


def test_decimals_are_numbers_as_the_runtime_writes_them():
    ex = run(by_arn("results"), {"kind": "decimal"})
    assert ex.output == {"count": 3, "price": 1.5}


def test_the_service_keeps_serving_after_a_handler_returns_nan():
    handlers = {"Nan": lambda event, context: float("nan"), "Echo": lambda event, context: event}
    service = open_service(None, handlers=handlers, clock="virtual")
    try:
        def finish(function: str) -> dict:
            arn = service.create_state_machine({
                "name": function, "definition": json.dumps(by_arn(function)),
                "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
            started = service.start_execution({"stateMachineArn": arn, "input": '{"a": 1}'})
            service.host.wait_finished(started["executionArn"], 10)
            history = service.get_execution_history({"executionArn": started["executionArn"]})
            assert history["events"][-1]["type"] in ("ExecutionFailed", "ExecutionSucceeded")
            return service.describe_execution({"executionArn": started["executionArn"]})

        assert finish("Nan")["error"] == "States.Runtime"
        assert finish("Echo")["output"] == '{"a":1}'
    finally:
        service.close()


# -- lambda:invoke's Payload -------------------------------------------------------------------------

def received(parameters: dict, input=None) -> list:
    """The events the function received when lambda:invoke has these Parameters."""
    events = []
    definition = one({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "Spy", **parameters}})
    ex = asl_runner.run(definition, input or {"x": 1}, handlers={"Spy": lambda e, c: events.append(e)},
                        clock="virtual")
    assert ex.status == "SUCCEEDED", ex.describe()
    return events


@pytest.mark.parametrize("parameters", [{"Payload": None}, {}, {"Payload": ""}],
                         ids=["null", "absent", "empty-string"])
def test_a_null_or_absent_payload_is_the_event_empty_object(parameters):
    assert received(parameters) == [{}]


def test_a_null_payload_from_a_path_is_the_event_empty_object_too():
    assert received({"Payload.$": "$.nothing"}, {"nothing": None}) == [{}]


def test_a_string_payload_that_is_not_json_is_refused_by_lambdas_invoke():
    events = []
    definition = one({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "Spy", "Payload": "hello"}})
    ex = asl_runner.run(definition, {}, handlers={"Spy": lambda e, c: events.append(e)},
                        clock="virtual")
    assert events == []  # Lambda refuses the request: the function never runs
    assert ex.error == "Lambda.InvalidRequestContentException"
    assert re.fullmatch(
        r"Could not parse request body into json: Could not parse payload into json: Expecting "
        r"value \(line 1, column 1\) \(Service: AWSLambda; Status Code: 400; Error Code: "
        f"InvalidRequestContentException; Request ID: {UUID}; Proxy: null\\)", ex.cause)


# -- States.DataLimitExceeded names the resource as AWS does ---------------------------------------

BIG = "a" * (257 * 1024)


def limit_cause(name: str) -> str:
    return (f"The state/task '{name}' returned a result with a size exceeding the maximum number "
            "of bytes service limit.")


def test_an_oversized_result_of_a_function_arn_names_the_function_arn():
    ex = asl_runner.run(by_arn("Big"), {}, handlers={"Big": lambda e, c: BIG}, clock="virtual")
    assert (ex.error, ex.cause) == ("States.DataLimitExceeded", limit_cause(ARN + "Big"))
    assert ex.history[-2].type == "LambdaFunctionFailed"


def test_an_oversized_result_of_lambda_invoke_names_lambda():
    ex = asl_runner.run(by_invoke("Big"), {}, handlers={"Big": lambda e, c: BIG}, clock="virtual")
    assert (ex.error, ex.cause) == ("States.DataLimitExceeded", limit_cause("lambda"))
    assert ex.history[-2].type == "TaskFailed"


@pytest.mark.parametrize("resource, name", [
    ("arn:aws:states:::aws-sdk:s3:getObject", "aws-sdk:s3"),
    ("arn:aws:states:::aws-sdk:cloudformation:getTemplate", "aws-sdk:cloudformation"),
    ("arn:aws:states:::sqs:sendMessage", "sqs"),
    ("arn:aws:states:::states:startExecution.sync:2", "states"),
])
def test_an_oversized_result_of_another_integration_names_its_service(resource, name):
    def big(payload):
        # a .sync call only submits its job: Completed ends it in the call, with that result
        return Completed({}, {"Body": BIG}) if ".sync" in resource else {"Body": BIG}

    ex = run_with_tasks(one({"Type": "Task", "Resource": resource, "Parameters": {}}),
                        tasks=Tasks(**{resource: big}))
    assert (ex.error, ex.cause) == ("States.DataLimitExceeded", limit_cause(name))


def test_a_handler_has_a_region_as_on_lambda_even_where_nothing_is_configured(tmp_path, monkeypatch):
    """Lambda gives every function AWS_REGION and AWS_DEFAULT_REGION: a handler's
    boto3.client("sqs") without a region must not fail with NoRegionError on a fresh machine."""
    import os

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws/config

    def handler(event, context):
        import boto3

        client = boto3.client("sqs")
        return {"region": client.meta.region_name, "AWS_REGION": os.environ.get("AWS_REGION"),
                "queues": client.list_queues().get("QueueUrls", [])}

    definition = one({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Reg",
                      "End": True})
    ex = asl_runner.run(definition, {}, handlers={"Reg": handler}, clock="virtual")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"region": "us-east-1", "AWS_REGION": "us-east-1", "queues": []}
    assert "AWS_REGION" not in os.environ  # the run gave the process its environment back
