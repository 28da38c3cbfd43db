"""Property-based fuzzing: nothing raises past the API or CLI boundary, whatever comes in.

Definitions, execution inputs, handler behaviour, API request bodies and command lines come
from tests/fuzz_strategies.py (mostly valid, with garbage mixed in). The properties:

- loading a definition raises DefinitionError or nothing; validation returns Problems whose
  pointers resolve into the definition; what validates also loads;
- an execution of anything that loads ends (on the virtual clock), in a terminal status, with a
  well-linked history of at most 25,000 events, all of it JSON that any client can read;
- every API answer is AWS-shaped: 200 with an object of the operation's output members, or a
  4xx with ``{"__type": "...#Code", "message": ...}`` whose code botocore's model lists for the
  operation (or a protocol-level one); never a 500. After any requests, the service still serves;
- the CLI exits 0, 1 or 2 and never prints a traceback.

CI runs the "ci" Hypothesis profile: a fixed number of examples per test, each test within a
time budget (the file takes about 25 s). ``ASL_RUNNER_FUZZ=long`` runs fifty times as many
examples with no budget. Hypothesis keeps failing examples in ``.hypothesis/`` (git-ignored)
and replays them first; a CI failure prints a ``@reproduce_failure`` line.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import asl_runner
from asl_runner.cli import main
from asl_runner.engine.execution import MAX_EVENTS
from asl_runner.errors import DefinitionError, InvalidExecutionInput, Problem
from asl_runner.jsonvalue import PAYLOAD_LIMIT, loads
from asl_runner.model import StateMachine, parse_definition
from asl_runner.server import StepFunctionsApp
from asl_runner.service import OPERATIONS, open_service
from asl_runner.validate import validate_definition

from fuzz_strategies import (
    FUNCTIONS,
    NON_JSON,
    aws_sdk_calls,
    corrupted,
    definitions,
    handler_outcomes,
    hostile_machines,
    inputs,
    json_texts,
    make_handler,
    request_bodies,
    text,
    valid_machines,
    weighted,
)

# ---------------------------------------------------------------------------------------------
# profiles and the time budget
# ---------------------------------------------------------------------------------------------

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
# max_examples is the weight of a test of weight 100 (see examples()); print_blob: a failure in CI
# prints the @reproduce_failure line that replays it
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True, suppress_health_check=_HEALTH)
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True,
                          suppress_health_check=_HEALTH)
PROFILE = os.environ.get("ASL_RUNNER_FUZZ", "ci")
if PROFILE not in ("ci", "long"):
    raise pytest.UsageError(f"ASL_RUNNER_FUZZ={PROFILE!r}: use 'ci' (the default) or 'long'")
settings.load_profile(PROFILE)
#: seconds each test explores for in CI, whatever the machine's speed (None: no limit)
BUDGET = 4.0 if PROFILE == "ci" else None


def examples(weight: int) -> settings:
    """The profile's number of examples, scaled by ``weight`` (100: as many): tests that cost
    more per example get fewer."""
    return settings(max_examples=max(1, settings.default.max_examples * weight // 100))


def budgeted(test: Callable) -> Callable:
    """Give up exploring once ``test`` has run for BUDGET seconds: later examples are drawn but
    not run, so a slow machine takes longer to find a bug, never longer to finish. Once an
    example has failed, every example runs (Hypothesis replays it to shrink it)."""
    started: dict[str, float] = {}  # by pytest's test id (one per parameter)
    failed: set[str] = set()

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        test_id = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        if (BUDGET is not None and test_id not in failed
                and time.monotonic() - started.setdefault(test_id, time.monotonic()) > BUDGET):
            return
        try:
            test(*args, **kwargs)
        except BaseException:
            failed.add(test_id)
            raise

    return run


# ---------------------------------------------------------------------------------------------
# definitions
# ---------------------------------------------------------------------------------------------


def resolve(document: Any, pointer: str) -> Any:
    """The value a JSON pointer (RFC 6901) names; KeyError/IndexError if it names nothing."""
    if pointer == "":
        return document
    assert pointer.startswith("/"), pointer
    value = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list):
            assert token.isdigit() and (token == "0" or not token.startswith("0")), pointer
            value = value[int(token)]
        else:
            assert isinstance(value, dict), pointer
            value = value[token]
    return value


def load(definition: Any) -> StateMachine | None:
    """The model of ``definition``, or None when it does not load; DefinitionError is the only
    exception, and never the loader's fallback for a definition the checks let through."""
    if isinstance(definition, str) and not definition.lstrip().startswith(("{", "[")):
        return None  # a file path to the loader
    try:
        return parse_definition(definition)
    except DefinitionError as exc:
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert "this is a bug" not in problem.message, problem
        return None



@pytest.mark.parametrize("as_text", [False, True], ids=["dict", "json-text"])
@examples(150)
@given(definition=definitions)
@budgeted
def test_definitions_load_or_raise_definition_error(as_text: bool, definition: Any):
    problems = validate_definition(definition)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem) and isinstance(problem.message, str), problem
        resolve(definition, problem.pointer)
    text_form = as_text and isinstance(definition, (dict, list))  # other JSON text reads as a path
    machine = load(json.dumps(definition) if text_form else definition)
    if not problems:  # what deploys to AWS also runs locally
        assert machine is not None, definition


@examples(60)
@given(text=json_texts())
@example(text="")  # bytes were read as a file path unless they began with { or [
@example(text="\ud800")  # bytes that are not UTF-8 raised UnicodeDecodeError
@budgeted
def test_definition_text_loads_or_raises_definition_error(text: str):
    load(text.encode("utf-8", "surrogatepass"))
    load(text)


# ---------------------------------------------------------------------------------------------
# executions
# ---------------------------------------------------------------------------------------------

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def strict_json(value: Any) -> str:
    """JSON text that any client reads: no NaN or Infinity, encodable as UTF-8."""
    text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    return text


#: how an execution that crashed the engine ends (Execution.crash): a bug, even if contained
CRASHED = "asl-runner failed while running this execution"


def check_ended(execution: Any) -> None:
    assert execution.status in TERMINAL, execution.status
    assert not (execution.cause or "").startswith(CRASHED), execution.cause
    # a Fail state without Error fails the execution with no error at all, as on AWS
    assert execution.error is None or isinstance(execution.error, str), execution.error
    assert execution.cause is None or isinstance(execution.cause, str), execution.cause
    history = execution.history
    assert 0 < len(history) <= MAX_EVENTS
    for number, entry in enumerate(history, 1):
        assert entry.id == number, (entry, number)
        assert 0 <= entry.previous_id < entry.id, entry
    strict_json(execution.describe())
    for entry in history:
        strict_json(entry.to_aws())
        strict_json(entry.to_aws("epoch"))


def acceptable(value: Any) -> bool:
    """Whether StartExecution would take ``value`` as its input (sent as compact JSON)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        loads(text.encode("utf-8"))
    except (TypeError, ValueError, RecursionError):  # JsonInputError, UnicodeEncodeError too
        return False
    return len(text.encode("utf-8")) <= PAYLOAD_LIMIT


@examples(120)
@given(definition=weighted((6, valid_machines), (1, hostile_machines), (1, corrupted(valid_machines))),
       value=weighted((8, inputs), (1, st.sampled_from(NON_JSON).map(lambda make: make()))),
       outcomes=st.lists(st.lists(handler_outcomes, min_size=1, max_size=4), min_size=2, max_size=2))
@budgeted
def test_any_definition_that_loads_runs_to_an_end(definition: Any, value: Any, outcomes: list):
    machine = load(definition)
    event(f"loads: {machine is not None}")
    if machine is None:
        return
    handlers = {name: make_handler(o) for name, o in zip(FUNCTIONS, outcomes, strict=True)}
    try:
        execution = asl_runner.run(machine, value, handlers=handlers, clock="virtual", max_workers=4)
    except InvalidExecutionInput:
        assert not acceptable(value)
        return
    assert acceptable(value)
    event(f"{execution.status} {execution.error}")
    check_ended(execution)




# ---------------------------------------------------------------------------------------------
# the API
# ---------------------------------------------------------------------------------------------

ROLE = "arn:aws:iam::123456789012:role/fuzz"
PREFIX = "arn:aws:states:us-east-1:123456789012"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
CALLBACK = json.dumps({"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}})
ACTIVITY = json.dumps({"StartAt": "Act", "States": {"Act": {
    "Type": "Task", "Resource": f"{PREFIX}:activity:fuzz-activity", "End": True}}})
NO_TARGET = "(no X-Amz-Target header)"
TOKEN = "@@task-token@@"  # stands for the token of the waiting execution, unknown until it runs
#: values that name what the fuzzing service holds (FuzzApi creates exactly these), so that
#: requests get past "does not exist"
KNOWN = {
    "roleArn": [ROLE], "definition": [PASS, CALLBACK], "name": ["fuzz-standard", "done", "x"],
    "stateMachineArn": [f"{PREFIX}:stateMachine:fuzz-standard", f"{PREFIX}:stateMachine:fuzz-express",
                        f"{PREFIX}:stateMachine:fuzz-callback", f"{PREFIX}:stateMachine:fuzz-standard:1",
                        f"{PREFIX}:stateMachine:fuzz-standard:live"],
    "stateMachineVersionArn": [f"{PREFIX}:stateMachine:fuzz-standard:1"],
    "stateMachineAliasArn": [f"{PREFIX}:stateMachine:fuzz-standard:live"],
    "executionArn": [f"{PREFIX}:execution:fuzz-standard:done", f"{PREFIX}:execution:fuzz-callback:waiting"],
    "activityArn": [f"{PREFIX}:activity:fuzz-activity"], "taskToken": [TOKEN],
    "resourceArn": [f"{PREFIX}:stateMachine:fuzz-standard", f"{PREFIX}:activity:fuzz-activity",
                    f"{PREFIX}:stateMachine:fuzz-standard:live"],
}
#: what any operation may answer besides the codes botocore's model lists for it: the protocol's
#: own (a body that does not parse, an unknown target, one too large) and the request validator's
COMMON_CODES = {"SerializationException", "UnknownOperationException", "ValidationException",
                "RequestEntityTooLarge"}


@cache
def service_model() -> dict:
    loaders = pytest.importorskip("botocore.loaders")
    return loaders.Loader().load_service_model("stepfunctions", "service-2")


#: codes an operation gives beyond its model's list, where AWS's own answer is not recorded
#: (asl_runner/service says why at each)
EXTRA_CODES = {"ListStateMachineVersions": {"StateMachineDoesNotExist"}}


def allowed_codes(operation: str) -> set[str]:
    listed = service_model()["operations"].get(operation, {}).get("errors", [])
    return COMMON_CODES | EXTRA_CODES.get(operation, set()) | {error["shape"] for error in listed}


def output_members(operation: str) -> set[str]:
    model = service_model()
    shape = model["operations"][operation].get("output", {}).get("shape")
    return set(model["shapes"][shape]["members"]) if shape else set()


class FuzzApi:
    """An in-memory service on the virtual clock behind its ASGI app, holding the resources
    KNOWN names: machines (one with a version and an alias), executions (one waiting for its
    task token), an activity."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        handlers = {"F": lambda event, context: event, "G": lambda event, context: 1 / 0,
                    "Ask": lambda event, context: self.tokens.append(event["token"]) or {}}
        self.service = open_service(None, clock="virtual", handlers=handlers, max_workers=4)
        self.app = StepFunctionsApp(self.service, threads=4, sync_threads=4, poll_seconds=0.05)
        self.create("fuzz-standard", PASS, publish=True)
        self.create("fuzz-express", PASS, type="EXPRESS")
        # for still_serves: machines that no fuzzed request can name, so none deletes them
        self.standard = self.create("liveness-standard", PASS)["stateMachineArn"]
        self.express = self.create("liveness-express", PASS, type="EXPRESS")["stateMachineArn"]
        callback = self.create("fuzz-callback", CALLBACK)["stateMachineArn"]
        self.create("fuzz-activity-machine", ACTIVITY)
        self.ok("CreateActivity", {"name": "fuzz-activity"})
        self.ok("CreateStateMachineAlias", {"name": "live", "routingConfiguration": [
            {"stateMachineVersionArn": KNOWN["stateMachineVersionArn"][0], "weight": 100}]})
        self.ok("StartExecution", {"stateMachineArn": self.standard, "name": "done"})
        self.ok("StartExecution", {"stateMachineArn": callback, "name": "waiting"})
        self.wait_for(lambda: self.tokens)
        self.names = count()

    def close(self) -> None:
        self.app.close()
        self.service.close()

    def create(self, name: str, definition: str, **fields: Any) -> dict:
        return self.ok("CreateStateMachine", {"name": name, "definition": definition, "roleArn": ROLE, **fields})

    def ok(self, operation: str, body: dict) -> dict:
        status, reply = self.call(operation, json.dumps(body).encode())
        assert status == 200, (operation, body, reply)
        return reply

    @staticmethod
    def wait_for(condition: Callable[[], Any], seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.002)

    def call(self, operation: str, body: bytes, *, target: str | None = None,
             method: str = "POST") -> tuple[int, Any]:
        if self.tokens:
            body = body.replace(TOKEN.encode(), self.tokens[0].encode())
        return asyncio.run(self._send(body, f"AWSStepFunctions.{operation}" if target is None else target,
                                      method))

    async def _send(self, body: bytes, target: str, method: str) -> tuple[int, Any]:
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict] = []

        async def receive() -> dict:
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)  # the client stays for the answer
            return {"type": "http.disconnect"}

        async def reply(message: dict) -> None:
            sent.append(message)

        headers = [] if target == NO_TARGET else [(b"x-amz-target", target.encode("utf-8", "surrogateescape"))]
        scope = {"type": "http", "method": method, "path": "/", "headers": headers}
        await self.app(scope, receive, reply)
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"], sent
        return sent[0]["status"], json.loads(sent[1]["body"].decode("utf-8"))  # strict UTF-8

    def still_serves(self) -> None:
        """A good request still works, and the engine still runs executions to their end."""
        result = self.ok("StartSyncExecution", {"stateMachineArn": self.express, "input": '{"ok": 1}'})
        assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"ok": 1}, result
        arn = self.ok("StartExecution", {"stateMachineArn": self.standard})["executionArn"]
        self.wait_for(lambda: self.ok("DescribeExecution", {"executionArn": arn})["status"] == "SUCCEEDED")


def check_answer(operation: str | None, status: int, reply: Any) -> None:
    """An AWS-shaped answer: 200 with the operation's output members, or a 4xx error whose code
    the operation may give (``operation`` None: a request that names no operation)."""
    assert isinstance(reply, dict), reply
    if status == 200 and operation is not None:
        assert set(reply) <= output_members(operation), (operation, reply)
        return
    assert 400 <= status < 500, (operation, status, reply)  # 500 is a bug; no 503 in memory
    assert isinstance(reply.get("message"), str), reply
    namespace, _, code = str(reply.get("__type")).rpartition("#")
    assert namespace, reply
    assert code in (allowed_codes(operation) if operation else COMMON_CODES), (operation, status, reply)


@pytest.fixture(scope="module")
def api():
    instance = FuzzApi()
    yield instance
    instance.close()


_BODIES = {operation: request_bodies(operation, KNOWN) for operation in sorted(OPERATIONS)}
#: (operation, target, method, body): now and then a target or method that names no operation
requests = st.tuples(
    st.sampled_from(sorted(OPERATIONS)),
    weighted((19, st.none()), (1, st.sampled_from([
        NO_TARGET, "", "AWSStepFunctions.", "AWSStepFunctions.Nope", "StepFunctions.ListActivities",
        "AWSStepFunctions.DescribeMapRun", "AWSStepFunctions.listActivities",
        "AWSStepFunctions.ListActivities.x", "AWSStepFunctions.\udcff"]))),
    weighted((19, st.just("POST")), (1, st.sampled_from(["GET", "PUT"]))),
).flatmap(lambda r: _BODIES[r[0]].map(lambda body: (*r, body)))


@examples(60)
@given(batch=st.lists(requests, min_size=1, max_size=4))
@budgeted
def test_api_answers_every_request_in_aws_shape(api: FuzzApi, batch: list):
    for operation, target, method, body in batch:
        status, reply = api.call(operation, body, target=target, method=method)
        named = operation if target is None and method == "POST" else None
        event(f"{named} {status} {reply.get('__type', '').rpartition('#')[2]}")
        check_answer(named, status, reply)
    api.still_serves()


@examples(40)
@given(definition=weighted((3, valid_machines), (1, definitions)), kind=st.sampled_from(["STANDARD", "EXPRESS"]),
       text=weighted((3, inputs.map(json.dumps)), (1, json_texts())))
@budgeted
def test_api_runs_any_definition(api: FuzzApi, definition: Any, kind: str, text: str):
    """A definition goes through CreateStateMachine (or is refused as AWS refuses it), and an
    execution of it through StartExecution or StartSyncExecution, DescribeExecution and
    GetExecutionHistory: every answer AWS-shaped, whatever the definition and the input."""
    answers = []

    def call(operation: str, body: dict) -> dict:
        status, reply = api.call(operation, json.dumps(body).encode())
        check_answer(operation, status, reply)
        answers.append(f"{operation} {status} {reply.get('__type', '').rpartition('#')[2]}")
        return reply if status == 200 else {}

    name = f"fuzz-{next(api.names)}"
    created = call("CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                          "roleArn": ROLE, "type": kind})
    machine = created.get("stateMachineArn")
    if machine is not None:
        if kind == "EXPRESS":
            result = call("StartSyncExecution", {"stateMachineArn": machine, "input": text})
            assert result.get("status", "FAILED") in TERMINAL, result
            assert not result.get("cause", "").startswith(CRASHED), result
        else:
            execution = call("StartExecution", {"stateMachineArn": machine, "input": text}).get("executionArn")
            if execution is not None:
                described = call("DescribeExecution", {"executionArn": execution})
                assert not described.get("cause", "").startswith(CRASHED), described
                call("GetExecutionHistory", {"executionArn": execution, "reverseOrder": True})
                call("StopExecution", {"executionArn": execution, "error": "Fuzz"})
        call("DeleteStateMachine", {"stateMachineArn": machine})
    event(" / ".join(answers))


# ---------------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------------

# the command next to this interpreter: CI runs the tests without activating the venv
EXE = str(Path(sys.executable).with_name("asl-runner"))
HANDLERS = {"F.py": "def handler(event, context):\n    return event\n",
            "G.py": "def handler(event, context):\n    raise ValueError('G fails')\n"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-cli")
    (root / "lambdas").mkdir()
    for name, source in HANDLERS.items():
        (root / "lambdas" / name).write_text(source)
    return root


#: what a definition file holds: a definition's JSON, text that is not JSON, bytes that are not UTF-8
definition_files = weighted(
    (6, definitions.map(lambda d: json.dumps(d).encode())), (3, valid_machines.map(lambda d: json.dumps(d).encode())),
    (1, json_texts().map(lambda t: t.encode("utf-8", "surrogatepass"))), (1, st.binary(max_size=40)))
input_texts = weighted((3, inputs.map(json.dumps)), (1, json_texts()))
run_options = st.fixed_dictionaries({}, optional={
    "--json": st.just(None), "--history": st.just(None),
    "--type": weighted((4, st.sampled_from(["EXPRESS", "express"])), (1, st.just("BATCH"))),
    "--name": weighted((4, st.sampled_from(["run-1", "a" * 80, "ü"])),
                       (1, st.sampled_from(["a" * 81, "../../x", "a b", "", "\udcff"])), (1, text)),
})


def command_line(workdir: Path, command: str, content: bytes, input_text: str, via_file: bool,
                 options: dict) -> list[str]:
    number = next(_files)
    definition = workdir / f"definition-{number}.asl.json"
    definition.write_bytes(content)
    args = [command, str(definition)]
    if command == "run":
        args += ["--clock", "virtual", "--lambdas", str(workdir / "lambdas")]
        if via_file:
            path = workdir / f"input-{number}.json"
            path.write_bytes(input_text.encode("utf-8", "surrogatepass"))
            args += ["--input-file", str(path)]
        else:
            args += ["--input", input_text]
        for option, value in options.items():
            args += [option] if value is None else [option, value]
    return args


_files = count()


def check_exit(exit_code: int, stdout: str, stderr: str, args: list[str]) -> None:
    assert exit_code in (0, 1, 2), (exit_code, stdout[-2000:], stderr[-2000:])
    assert "Traceback" not in stdout and "Traceback" not in stderr, stderr[-4000:]
    if "--json" in args and exit_code in (0, 1) and args[0] == "run":
        described = json.loads(stdout)  # exactly one JSON object
        assert isinstance(described, dict) and not described.get("cause", "").startswith(CRASHED), described


@examples(60)
@given(command=st.sampled_from(["run", "run", "validate"]), content=definition_files, input_text=input_texts,
       via_file=st.booleans(), options=run_options)
@budgeted
def test_cli_exits_0_1_or_2_without_a_traceback(workdir: Path, command: str, content: bytes,
                                                input_text: str, via_file: bool, options: dict):
    args = command_line(workdir, command, content, input_text, via_file, options)
    result = CliRunner().invoke(main, args, catch_exceptions=True, env={"ASL_RUNNER_CLOCK": "virtual"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    event(f"{command} exit {result.exit_code}")
    check_exit(result.exit_code, result.stdout, result.stderr, args)


@examples(2)
@given(content=definition_files, input_text=input_texts, options=run_options)
def test_cli_in_a_real_process(workdir: Path, content: bytes, input_text: str, options: dict):
    """The same through a new process: what CliRunner cannot show (the interpreter's own
    handling of an exception that escapes, output encoding)."""
    args = command_line(workdir, "run", content, input_text, True, options)
    done = subprocess.run([EXE, *args], capture_output=True, timeout=60, cwd=workdir,
                          env={**os.environ, "ASL_RUNNER_CLOCK": "virtual"})
    check_exit(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"), args)


# ---------------------------------------------------------------------------------------------
# bugs the fuzzer found in the host (fixed there; kept as regression tests)
# ---------------------------------------------------------------------------------------------


def test_virtual_clock_under_serve_jumps_to_the_limit_a_wait_outlasts():
    service = open_service(None, clock="virtual")
    try:
        machine = service.create_state_machine({"name": "long-wait", "roleArn": ROLE,
                                                "definition": machine_definition(400 * 86400)})
        arn = service.start_execution({"stateMachineArn": machine["stateMachineArn"]})["executionArn"]
        deadline = time.monotonic() + 2
        while service.describe_execution({"executionArn": arn})["status"] == "RUNNING":
            assert time.monotonic() < deadline, "still RUNNING: the year did not pass"
            time.sleep(0.01)
        assert service.describe_execution({"executionArn": arn})["status"] == "TIMED_OUT"
        # an Express one held StartSyncExecution for 5 real minutes
        express = service.create_state_machine({"name": "long-wait-express", "roleArn": ROLE, "type": "EXPRESS",
                                                "definition": machine_definition(3600)})
        answers: list[dict] = []
        caller = threading.Thread(target=lambda: answers.append(service.start_sync_execution(
            {"stateMachineArn": express["stateMachineArn"]})), daemon=True)
        caller.start()
        caller.join(5)
        assert answers and answers[0]["status"] == "TIMED_OUT", answers
    finally:
        service.close()


def machine_definition(wait_seconds: int) -> str:
    return json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": wait_seconds, "End": True}}})


# ---------------------------------------------------------------------------------------------
# aws-sdk tasks
# ---------------------------------------------------------------------------------------------


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
