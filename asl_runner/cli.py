"""The ``asl-runner`` command line.

argparse (the standard library) rather than click: click's import alone cost a plain run about
40 million instructions (it pulls in inspect, ast, dis, tokenize, typing and gettext), a sixth of
a one-state machine's whole start; see the README's design notes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from .errors import DefinitionError

#: AWS's limit on a definition (CreateStateMachine's ``definition``: 1,048,576 characters)
DEFINITION_LIMIT = 1_048_576
#: a wait shorter than this (real clock) passes without a notice: it is not worth one
NOTICEABLE_WAIT = 1.0


def _echo(text: str, *, err: bool = False) -> None:
    """One line on stdout (or stderr), flushed at once: a reader on a pipe (a test waiting for
    serve's first line, a script) sees it now, not when the process ends."""
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _fail_usage(message: str) -> NoReturn:
    # a name or path from the command line may hold bytes that are not UTF-8 (surrogates)
    _echo(f"asl-runner: {message}".encode("utf-8", "backslashreplace").decode("utf-8"), err=True)
    sys.exit(2)


def _read(path: str, what: str, limit: int, *, binary: bool) -> Any:
    """Read at most ``limit`` + 1 characters (bytes if ``binary``): enough to tell that a file
    is over the limit without reading all of it (``/dev/zero`` never ends)."""
    try:
        if path == "-":
            stream = sys.stdin.buffer if binary else sys.stdin
            return stream.read(limit + 1)
        with open(path, "rb") if binary else open(path, encoding="utf-8") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        _fail_usage(f"cannot read {what} {path!r}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _fail_usage(f"{what} {path!r} is not UTF-8 text")
    return ""


def _read_definition(path: str) -> str:
    text = _read(path, "definition", DEFINITION_LIMIT, binary=False)
    if len(text) > DEFINITION_LIMIT:
        _fail_usage(f"{path}: the definition is longer than {DEFINITION_LIMIT} characters, the "
                    "most Step Functions accepts (ValidationException: 1 validation error "
                    "detected: Value at 'definition' failed to satisfy constraint: Member must "
                    f"have length less than or equal to {DEFINITION_LIMIT})")
    return text


def _load_definition(path: str, state_machine: str | None = None, subs: list[str] | tuple = (),
                     *, as_problem: bool = False):
    """The definition in ``path`` (a JSON or YAML file, or a template's ``state_machine``) as
    a LoadedDefinition, each ``--sub NAME=VALUE`` filling its ``${NAME}``; the placeholders
    left are told on stderr. Exit 2 if there is none (``as_problem``: exit 1 with the reason
    on stdout as ``WHERE: message``, as validate prints problems)."""
    from .templates import READ_LIMIT, TemplateError, load_definition

    values = _subs(subs)
    text = _read(path, "definition", READ_LIMIT, binary=False)
    loaded = None
    # a JSON definition over the limit is refused unread; only a template holds more
    plain = len(text) > DEFINITION_LIMIT and text.lstrip()[:1] == "{" and '"Resources"' not in text
    if len(text) <= READ_LIMIT and not plain:
        try:
            loaded = load_definition(path, state_machine, values, text=text)
        except TemplateError as exc:
            if as_problem:
                _echo(f"{exc.where}: {exc.problems[0].message}")
                sys.exit(1)
            _fail_usage(str(exc))
    if loaded is None or len(loaded.text) > DEFINITION_LIMIT:
        _fail_usage(f"{path}: the definition is longer than {DEFINITION_LIMIT} characters, the "
                    "most Step Functions accepts (ValidationException: 1 validation error "
                    "detected: Value at 'definition' failed to satisfy constraint: Member must "
                    f"have length less than or equal to {DEFINITION_LIMIT})")
    for placeholder in loaded.placeholders:
        _echo(f"asl-runner: note: {path}: {placeholder} (give --sub {placeholder.token}=VALUE)",
              err=True)
    return loaded


def _subs(specs: list[str] | tuple) -> dict[str, str]:
    values = {}
    for spec in specs:
        name, equals, value = spec.partition("=")
        if not equals or not name:
            _fail_usage(f"--sub {spec!r}: give NAME=VALUE")
        values[name] = value
    return values


def _load_machine(path: str, state_machine: str | None = None, subs: list[str] | tuple = ()):
    return _parse_machine(_load_definition(path, state_machine, subs))


def _parse_machine(loaded: Any):
    from .model import parse_definition

    definition = loaded.definition
    path = loaded.path + (f" ({loaded.state_machine})" if loaded.state_machine else "")
    if not isinstance(definition, dict):
        _fail_usage(f"{path}: a state machine definition is a JSON object with 'StartAt' and "
                    f"'States', not {type(definition).__name__.replace('NoneType', 'null')}")
    try:
        return parse_definition(definition)
    except DefinitionError as exc:
        _fail_problems(f"{path} is not a valid state machine definition:", exc.problems)


def _fail_problems(headline: str, problems: list) -> NoReturn:
    _echo(f"asl-runner: {headline}", err=True)
    for problem in problems:
        _echo(f"  {problem}", err=True)
    sys.exit(2)


def _read_input(input_text: str | None, input_file: str | None) -> Any:
    """The execution input, checked as StartExecution checks it."""
    from .jsonvalue import PAYLOAD_LIMIT, JsonInputError, loads

    if input_text is not None and input_file is not None:
        _fail_usage("give --input or --input-file, not both")
    if input_file is not None:
        raw = _read(input_file, "input file", PAYLOAD_LIMIT, binary=True)
    elif input_text is not None:
        raw = input_text.encode("utf-8", "surrogateescape")  # the bytes as typed
    else:
        return {}
    # AWS measures the input as sent: its UTF-8 bytes
    if len(raw) > PAYLOAD_LIMIT:
        _fail_usage(f"the execution input is larger than {PAYLOAD_LIMIT} bytes, the most Step "
                    "Functions accepts (ValidationException: 1 validation error detected: Value "
                    "at 'input' failed to satisfy constraint: Member must have length less than "
                    f"or equal to {PAYLOAD_LIMIT})")
    try:
        return loads(raw)
    except JsonInputError as exc:
        _fail_usage(f"the execution input is not valid JSON: {exc} (InvalidExecutionInput)")


def _lambdas_dir(lambdas: str | None) -> str | None:
    """--lambdas as given (it must be a directory), else ./lambdas if there is one."""
    if lambdas is None:
        return "lambdas" if os.path.isdir("lambdas") else None
    if not os.path.isdir(lambdas):
        _fail_usage(f"--lambdas {lambdas!r} is not a directory")
    return lambdas


def _check_name(name: str | None) -> str | None:
    from .names import RULE, InvalidName, check_name

    if name is None:
        return None
    try:
        return check_name(name)
    except InvalidName as exc:
        _fail_usage(f"--name {name!r}: {exc.code}: {exc.message} (a name has {RULE})")


def _machine_name(path: str) -> str:
    base = os.path.basename(path) if path != "-" else "StateMachine"
    for suffix in (".json", ".yaml", ".yml", ".asl"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    name = re.sub(r"[^A-Za-z0-9_-]", "-", base).strip("-")
    return (name or "StateMachine")[:80]


def _read_aws_setup(path: str | None) -> list:
    if path is None:
        return []
    from .integrations.setup import SetupError, read_setup

    try:
        return read_setup(path)
    except SetupError as exc:
        _fail_usage(str(exc))
    return []


def _apply_aws_setup(integrations: Any, calls: list, path: str) -> None:
    from .integrations.setup import SetupError, apply_setup

    try:
        apply_setup(integrations.aws, calls, path)
    except SetupError as exc:
        _fail_usage(str(exc))


def _child_machines(specs: list[str]) -> dict:
    """``--machine NAME=FILE`` options as the machines, by name, that a run may start."""
    machines = {}
    for spec in specs:
        name, equals, path = spec.partition("=")
        if not equals or not name or not path:
            _fail_usage(f"--machine {spec!r}: give NAME=FILE")
        machines[_check_name(name)] = _load_machine(path)
    return machines


def _template_machines(loaded: Any, subs: list[str] | tuple) -> dict:
    """A template's other state machines, by name: the run may start them (``!Ref Child``)."""
    if not loaded.others:
        return {}
    from .templates import sibling_machines

    machines, notes = sibling_machines(loaded, _subs(subs))
    for note in notes:
        _echo(f"asl-runner: note: {loaded.path}: {note}", err=True)
    return machines


def _with_mocks(integrations: Any, mock_config: str | None, test_case: str | None, machine: Any,
                machine_name: str) -> tuple[Any, str]:
    """The invoker of ``run`` and the state machine name it runs as: with ``--test-case``, the
    mocked states of that test case are answered from the mock configuration file."""
    if test_case is None:
        if mock_config is not None:
            _fail_usage("--mock-config needs --test-case NAME: the test case whose mocked "
                        "responses the execution uses")
        return integrations, machine_name
    from .mocks import (
        DEFAULT_FILE,
        ENV_VAR,
        MockConfigError,
        MockedIntegrations,
        always,
        for_run,
        read_mock_config,
        resolve_path,
    )

    path = resolve_path(mock_config)
    if path is None:
        _fail_usage(f"--test-case needs a mock configuration file: --mock-config FILE, "
                    f"${ENV_VAR}, or {DEFAULT_FILE} in the current directory")
    try:
        mocks, machine_name, notes = for_run(read_mock_config(path), test_case, machine,
                                             machine_name)
    except MockConfigError as exc:
        _fail_mock_config(exc)
    for note in notes:
        _echo(f"asl-runner: warning: {note}", err=True)
    return MockedIntegrations(integrations, always(mocks)), machine_name


def _fail_mock_config(exc: Any) -> NoReturn:
    for line in exc.lines():
        _echo(f"asl-runner: {line}", err=True)
    sys.exit(2)


class _WaitNotices:
    """Tells the user what a blocked run waits for: in the trace, or on stderr with --json
    (whose stdout is one JSON object). A wait too short to notice gets no notice, and the
    same wait is told once, however often the runner wakes up during it."""

    def __init__(self, clock: Any, printer: Any):
        self.clock = clock
        self.printer = printer
        self._last: tuple | None = None

    def __call__(self, what: str, until: float | None) -> None:
        now = self.clock.now()
        if not what or (until is not None and until - now <= NOTICEABLE_WAIT):
            return
        if (what, until) == self._last:
            return
        self._last = (what, until)
        if self.printer is not None:
            self.printer.on_wait(what, until, now)
            return
        from .trace import wait_notice

        _echo(f"asl-runner: {wait_notice(what, until, now)}", err=True)


def _aws_settings(aws_target: str | None, aws_endpoint: str | None) -> dict:
    """Integrations' AWS settings from --aws and --aws-endpoint (notice on stderr for real)."""
    if aws_target is not None and aws_endpoint:
        _fail_usage(f"give --aws {aws_target} or --aws-endpoint, not both")
    if aws_target == "real":
        _echo("asl-runner: --aws real: AWS calls use your AWS credentials and act on real "
                   "resources in your account", err=True)
    return {"aws": "endpoint" if aws_endpoint else aws_target, "aws_endpoint": aws_endpoint}


def run(definition: str, input_text: str | None, input_file: str | None, as_json: bool,
        history: bool, lambdas: str | None, clock: str | None, name: str | None,
        machine_type: str, mock_config: str | None, test_case: str | None,
        machines: list[str], aws_target: str | None, aws_endpoint: str | None,
        aws_setup: str | None, task_token_endpoint: str | None = None,
        state_machine: str | None = None, subs: tuple = (), graph: str | None = None) -> None:
    """Run DEFINITION to its end and show what happened.

    DEFINITION is a JSON or YAML definition file, or a CloudFormation, SAM or CDK template:
    its state machine runs, and its Python functions run as local handlers.

    Ctrl-C stops the execution (ABORTED, as StopExecution does) and reports it.
    """
    execution_input = _read_input(input_text, input_file)
    name = _check_name(name)
    if graph is not None:  # a picture that cannot be written is refused before the run
        from .commands.graph import check_picture_path

        check_picture_path(graph)
    loaded = _load_definition(definition, state_machine, subs)
    machine = _parse_machine(loaded)
    if machine_type == "EXPRESS":
        from .model.express import express_problems

        problems = express_problems(machine)
        if problems:
            _fail_problems(f"{definition} cannot run as an EXPRESS state machine (CreateStateMachine "
                           "refuses it: InvalidDefinition, SCHEMA_VALIDATION_FAILED):", problems)
    lambdas = _lambdas_dir(lambdas)
    from .clock import make_clock
    from .engine import Execution, Runner
    from .integrations import Integrations
    from .interrupt import Interrupted, StopOnInterrupt, die_interrupted, signal_words

    try:
        clock_obj = make_clock(clock)
    except ValueError as exc:
        _fail_usage(str(exc))
    aws = _aws_settings(aws_target, aws_endpoint)
    setup = _read_aws_setup(aws_setup)
    children = {**_template_machines(loaded, subs), **_child_machines(machines)}
    base = Integrations(lambdas, **aws, machines=children, clock=clock_obj,
                        functions=loaded.handlers)
    from .integrations.run_api import RunApi

    base.runs = RunApi(base)
    if setup:
        _apply_aws_setup(base, setup, aws_setup)
    integrations, machine_name = _with_mocks(base, mock_config, test_case, machine,
                                             loaded.name or _machine_name(definition))
    execution = Execution(machine, execution_input, clock=clock_obj, name=name,
                          state_machine_name=machine_name, machine_type=machine_type)
    printer = None
    if not as_json:
        from .trace import TracePrinter

        printer = TracePrinter(color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        execution.listeners.append(printer.on_event)

    # With --json, stdout carries exactly one JSON object: what handlers print (their logs, on
    # Lambda) goes to stderr meanwhile.
    real_stdout = sys.stdout

    def report() -> None:
        sys.stdout = real_stdout
        for hint in execution.hints:
            _echo(f"asl-runner: hint: {hint}", err=True)
        if as_json:
            result = execution.describe()
            if history:
                result["events"] = [e.to_aws() for e in execution.history]
            _echo(json.dumps(result, ensure_ascii=False))
        else:
            printer.summary(execution)
        if graph is not None:
            from .commands.graph import write_run_picture

            write_run_picture(graph, machine, execution.history)

    def stop_and_report(signum: int) -> None:
        execution.stop()
        sys.stdout = real_stdout
        _echo(f"asl-runner: {signal_words(signum)}: the execution was stopped (ABORTED)", err=True)
        report()

    if as_json:
        sys.stdout = sys.stderr
    invoker = StopOnInterrupt(integrations, stop_and_report)
    try:
        with invoker, _token_endpoint(task_token_endpoint, base.runs), \
                Runner(invoker, on_wait=_WaitNotices(clock_obj, printer),
                       answers_at=task_token_endpoint) as runner:
            base.runs.register(execution, runner)
            runner.run(execution)
    except Interrupted as interrupted:
        stop_and_report(interrupted.signum)
        die_interrupted(interrupted.signum)
    finally:
        sys.stdout = real_stdout
        base.close()  # the run's mocked AWS account ends with it (and the environment it set)
    report()
    sys.exit(0 if execution.status == "SUCCEEDED" else 1)


def _token_endpoint(url: str | None, api: Any) -> Any:
    """--task-token-endpoint: SendTaskSuccess/Failure/Heartbeat served at URL while the run lasts."""
    import contextlib

    if url is None:
        return contextlib.nullcontext()
    from .integrations.run_api import TOKEN_OPERATIONS
    from .server.token_endpoint import TokenEndpoint

    try:
        return TokenEndpoint(url, api, TOKEN_OPERATIONS)
    except ValueError as exc:
        _fail_usage(f"--task-token-endpoint: {exc}")
    except OSError as exc:
        _fail_usage(f"--task-token-endpoint: cannot listen at {url}: {exc.strerror or exc}")


def validate(definition: str, state_machine: str | None = None, subs: tuple = ()) -> None:
    """Check DEFINITION and print every problem as POINTER: message.

    DEFINITION is a JSON or YAML definition file, or a CloudFormation, SAM or CDK template
    (the definition of its state machine is checked). ${NAME} tokens left unresolved are told
    on stderr; they are not problems.
    """
    from .validate import validate_definition

    loaded = _load_definition(definition, state_machine, subs, as_problem=True)
    problems = validate_definition(loaded.definition)
    for problem in problems:
        _echo(str(problem))
    if problems:
        sys.exit(1)
    which = f" ({loaded.state_machine})" if loaded.state_machine else ""
    _echo(f"{definition}{which}: valid", err=True)


def test_state(definition: str, state_name: str | None, input_text: str | None,
               inspection_level: str, mock: str | None, variables: str | None,
               context: str | None, retrier_retry_count: int | None, lambdas: str | None,
               state_machine: str | None = None, subs: tuple = (),
               state_configuration: str | None = None) -> None:
    """Run one state of DEFINITION once, as AWS's TestState API does, and print its response.

    DEFINITION is one state, or a whole machine with --state (a JSON or YAML file, or a
    CloudFormation, SAM or CDK template's state machine). The response is TestState's, as
    JSON: status (SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR), nextState, output, error,
    cause and, with --inspection-level DEBUG, inspectionData (each data-flow stage). Exit 0
    whatever the status; 1 when the request is refused (its AWS error code is printed).

        asl-runner test-state task.json --input '{"id": 1}' --mock '{"result": "{}"}'
    """
    from .engine.test_state import TestStateError
    from .engine.test_state import test_state as run_one_state
    from .jsonvalue import JsonInputError, loads

    mock_value = None
    if mock is not None:
        try:
            mock_value = loads(mock)
        except JsonInputError as exc:
            _fail_usage(f"--mock is not valid JSON: {exc}")
    config = None
    if state_configuration is not None:
        try:
            config = loads(state_configuration)
        except JsonInputError as exc:
            _fail_usage(f"--state-configuration is not valid JSON: {exc}")
    if retrier_retry_count is not None:
        config = {**(config if isinstance(config, dict) else {}),
                  "retrierRetryCount": retrier_retry_count}
    text, functions = _state_definition(definition, state_machine, subs)
    invoker = None
    if functions:  # a template's functions run its tasks, as they do for run
        from .integrations import Integrations

        invoker = Integrations(_lambdas_dir(lambdas), functions=functions)
    try:
        response = run_one_state(text, input_text,
                                 inspection_level=inspection_level, variables=variables,
                                 mock=mock_value, state_name=state_name, context=context,
                                 state_configuration=config, lambdas=_lambdas_dir(lambdas),
                                 invoker=invoker)
    except TestStateError as exc:
        _echo(f"asl-runner: TestState: {exc.code}: {exc.message}", err=True)
        sys.exit(1)
    finally:
        if invoker is not None:
            invoker.close()
    import json

    _echo(json.dumps(response, indent=2))


def _state_definition(path: str, state_machine: str | None, subs: tuple) -> tuple[str, dict]:
    """test-state's definition as JSON text, and the template's functions. JSON that does not
    parse goes to TestState as it is, which refuses it as AWS does (INVALID_JSON_DESCRIPTION)."""
    text = _read_definition(path)
    if text.lstrip().startswith("{") and not state_machine and not subs and "${" not in text:
        from .jsonvalue import JsonInputError, loads

        try:
            document = loads(text)
        except JsonInputError:
            return text, {}
        if not isinstance(document, dict) or "Resources" not in document:
            return text, {}
    loaded = _load_definition(path, state_machine, subs)
    return loaded.text, loaded.handlers


# ---------------------------------------------------------------------- the HTTP API

def serve(host: str, port: int, db: str, lambdas: str | None, clock: str | None,
          mock_config: str | None, aws_target: str | None, aws_endpoint: str | None,
          aws_setup: str | None, verbose: bool, ui_writes: bool = False,
          ui_sla: float | None = None) -> None:
    """Serve the Step Functions API (AWS JSON 1.0) for boto3, the AWS CLI and SDKs.

    Point a client at the printed URL, with any credentials and region:

        aws stepfunctions list-state-machines --endpoint-url http://127.0.0.1:8083

    StartSyncExecution: botocore sends it to "sync-" + the endpoint's host, which does not
    resolve; set AWS_DISABLE_HOST_PREFIX_INJECTION=true (boto3: Config(inject_host_prefix=False)).
    The web view is at URL/ui (read-only unless --ui-writes). Stops cleanly on Ctrl-C or SIGTERM.
    """
    import logging

    lambdas = _lambdas_dir(lambdas)
    clock_name = clock or os.environ.get("ASL_RUNNER_CLOCK") or "real"
    mocks = _serve_mocks(mock_config)
    aws = _aws_settings(aws_target, aws_endpoint)
    setup = _read_aws_setup(aws_setup)
    import importlib.util

    if importlib.util.find_spec("uvicorn") is None:
        _echo("asl-runner: serve needs uvicorn: pip install 'uvicorn>=0.30'", err=True)
        sys.exit(1)
    from .server.serving import listen
    from .server.serving import serve as run_server

    try:
        sock = listen(host, port)
    except OSError as exc:
        _echo(f"asl-runner: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    from .service import open_service

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="asl-runner: %(message)s")
    try:
        service = open_service(None if db == ":memory:" else db, lambdas=lambdas, clock=clock,
                               mocks=mocks, **aws)
    except Exception as exc:  # an unreadable or foreign database file, a bad clock name
        sock.close()
        _echo(f"asl-runner: cannot open the store {db!r}: {exc}", err=True)
        sys.exit(1)
    if setup:
        try:
            _apply_aws_setup(service.integrations, setup, aws_setup)
        except SystemExit:
            sock.close()
            service.close()
            raise

    def ready(url: str) -> None:
        mocked = f", mocks: {mocks.source}" if mocks is not None else ""
        _echo(f"asl-runner: Step Functions API at {url} (store: {db}, clock: {clock_name}"
                   f"{mocked})")

    try:
        from .server.ui import UiSettings

        run_server(service, sock=sock, on_ready=ready, log_level="info" if verbose else "warning",
                   ui=UiSettings(writes=ui_writes, sla_seconds=ui_sla))
    finally:
        service.close()


def _serve_mocks(mock_config: str | None) -> Any:
    """The mock configuration ``serve`` reads at start, as Step Functions Local does: exit 2
    if it cannot be used."""
    from .mocks import MockConfigError, read_mock_config, resolve_path

    path = resolve_path(mock_config)
    if path is None:
        return None
    try:
        return read_mock_config(path)
    except MockConfigError as exc:
        _fail_mock_config(exc)


def _call_api(endpoint_url: str, operation: str, body: dict) -> dict:
    """The operation's answer; a refusal or an unreachable endpoint exits 1, saying why."""
    from .server.client import ApiCallError, EndpointUnreachable, call

    try:
        return call(endpoint_url, operation, body)
    except ValueError as exc:
        _fail_usage(f"--endpoint-url: {exc}")
    except ApiCallError as exc:
        _echo(f"asl-runner: {operation}: {exc.code}: {exc.message}", err=True)
        sys.exit(1)
    except EndpointUnreachable as exc:
        _echo(f"asl-runner: cannot reach {endpoint_url}: {exc} (is `asl-runner serve` running?)",
                   err=True)
        sys.exit(1)


def send_task_success(task_token: str, task_output: str, endpoint_url: str) -> None:
    """Complete a waiting task (.waitForTaskToken or activity) with an output."""
    from .jsonvalue import JsonInputError, loads

    try:
        loads(task_output)
    except JsonInputError as exc:
        _fail_usage(f"--task-output is not valid JSON: {exc} (InvalidOutput)")
    _call_api(endpoint_url, "SendTaskSuccess", {"taskToken": task_token, "output": task_output})


def send_task_failure(task_token: str, error: str | None, cause: str | None, endpoint_url: str) -> None:
    """Fail a waiting task (.waitForTaskToken or activity)."""
    body = {"taskToken": task_token}
    if error is not None:
        body["error"] = error
    if cause is not None:
        body["cause"] = cause
    _call_api(endpoint_url, "SendTaskFailure", body)


def send_task_heartbeat(task_token: str, endpoint_url: str) -> None:
    """Tell a waiting task (with HeartbeatSeconds) that its worker is still at it."""
    _call_api(endpoint_url, "SendTaskHeartbeat", {"taskToken": task_token})



# ---------------------------------------------------------------------- parsing the command line

def main(argv: list[str] | None = None) -> None:
    """The ``asl-runner`` command: parse ``argv`` (default: the process's), run the command."""
    arguments = sys.argv[1:] if argv is None else argv
    # the listing of commands (it imports each command's module) only when help is asked for
    asks_help = not arguments or arguments[0] in ("-h", "--help")
    top = _top_parser(listing=asks_help).parse_args(arguments)
    if top.command is None:  # no command: say which there are, as a usage error
        _top_parser().print_help(sys.stderr)
        sys.exit(2)
    # only the named command's options are set up: building every command's parser cost a
    # plain run several million instructions (argparse looks up translations as it goes)
    command = _COMMANDS[top.command]
    args = vars(_command_parser(top.command, command).parse_args(top.arguments))
    try:
        command.function(**args)
    except KeyboardInterrupt:  # Ctrl-C outside a run's execution (reading stdin, say)
        from .interrupt import die_interrupted

        die_interrupted()
    except BrokenPipeError:
        # the reader of stdout left (`asl-runner validate ... | head -1`): nothing more to say,
        # not even a traceback, nor at exit when Python flushes stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2, naming the option and where help is;
    ``-h`` and ``--help``; no abbreviated options; descriptions formatted by _HelpFormatter."""

    def __init__(self, prog: str, description: str, **kw: Any):
        super().__init__(prog=prog, description=description, formatter_class=_HelpFormatter,
                         allow_abbrev=False, add_help=False, **kw)
        self.add_argument("-h", "--help", action="help", help="Show this message and exit.")

    def error(self, message: str) -> NoReturn:
        _fail_usage(f"{message} (see '{self.prog} --help')")


class _HelpFormatter(argparse.HelpFormatter):
    """A description as paragraphs, each re-wrapped to the terminal, except the indented ones
    (an example command line, the list of commands), which stay as written."""

    def __init__(self, prog: str, **kw: Any):
        # argparse makes a formatter for every option it adds; shutil's terminal size would
        # import shutil (bz2, lzma, ...) for a width that only --help needs
        from .terminal import columns

        super().__init__(prog, width=columns() - 2, **kw)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        return "\n\n".join(
            paragraph if paragraph.startswith(" ") else textwrap.fill(
                " ".join(paragraph.split()), width, initial_indent=indent, subsequent_indent=indent)
            for paragraph in text.split("\n\n"))


class _Version(argparse.Action):
    """``--version``: looks the version up only when asked (importlib.metadata is not cheap)."""

    def __init__(self, option_strings: list[str], dest: str, **kw: Any):
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, help="Show the version and exit.")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from importlib.metadata import version

        _echo(f"asl-runner {version('asl-runner')}")
        sys.exit(0)


class _Command:
    """A command: the function that does it (its docstring is the help) and its options.

    A command may live in a module of its own, named ``"package.module:function"`` with its
    options function ``"package.module:options"``: that module is imported only when the command
    runs or ``--help`` lists it, so a plain ``run`` does not pay for the others.
    """

    def __init__(self, function: Callable[..., None] | str,
                 options: Callable[[argparse.ArgumentParser], None] | str):
        self._function = function
        self._options = options

    @staticmethod
    def _resolve(target: Callable | str) -> Callable:
        if not isinstance(target, str):
            return target
        import importlib

        module, _, name = target.partition(":")
        return getattr(importlib.import_module(module), name)

    @property
    def function(self) -> Callable[..., None]:
        return self._resolve(self._function)

    @property
    def options(self) -> Callable[[argparse.ArgumentParser], None]:
        return self._resolve(self._options)

    @property
    def description(self) -> str:
        return re.sub(r"(?m)^    ", "", self.function.__doc__ or "").strip()


def _top_parser(listing: bool = True) -> argparse.ArgumentParser:
    epilog = None
    if listing:
        width = max(len(name) for name in _COMMANDS) + 2
        commands = "\n".join(f"  {name:{width}}{command.description.partition(chr(10))[0]}"
                             for name, command in _COMMANDS.items())
        epilog = f"commands ('asl-runner COMMAND --help' tells more):\n\n{commands}"
    parser = _Parser("asl-runner", "Run AWS Step Functions state machines (Amazon States "
                     "Language) offline.", epilog=epilog)
    parser.add_argument("--version", action=_Version)
    parser.add_argument("command", nargs="?", choices=_COMMANDS, metavar="COMMAND",
                        help="One of the commands below.")
    parser.add_argument("arguments", nargs=argparse.REMAINDER, metavar="...",
                        help="The command's arguments and options.")
    return parser


def _command_parser(name: str, command: _Command) -> argparse.ArgumentParser:
    parser = _Parser(f"asl-runner {name}", command.description)
    command.options(parser)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not in the range 0 to 65535")
    return port


def _add_lambdas_and_clock(parser: argparse.ArgumentParser, waits: str) -> None:
    parser.add_argument("--lambdas", metavar="DIR",
                        help="Directory of local Lambda handlers NAME.py (default: ./lambdas).")
    parser.add_argument("--clock", choices=("real", "virtual"),
                        help=f"Clock for {waits} (default: $ASL_RUNNER_CLOCK or real).")


def _add_aws(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aws", dest="aws_target", choices=("moto", "real"),
        help="Where AWS calls go: 'moto' (default without an endpoint: an in-process mocked "
             "account) or 'real' (AWS itself, with your credentials).")
    parser.add_argument(
        "--aws-endpoint", metavar="URL",
        help="Send every AWS call (aws-sdk tasks, and boto3 in handlers) to this AWS-compatible "
             "endpoint, such as a moto server or LocalStack (default: $AWS_ENDPOINT_URL).")
    parser.add_argument(
        "--aws-setup", metavar="FILE",
        help="Make these AWS calls first, where AWS calls go (a JSON list of {service, op, "
             "params}: boto3 client, method, arguments), e.g. to create buckets and tables.")


def _add_task_token(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task-token", required=True, metavar="TOKEN",
                        help="The token the task was given ($$.Task.Token).")


def _add_endpoint_url(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("ASL_RUNNER_ENDPOINT") or "http://127.0.0.1:8083"
    parser.add_argument("--endpoint-url", metavar="URL", default=default,
                        help=f"URL of `asl-runner serve` (or $ASL_RUNNER_ENDPOINT; default: {default}).")


def _add_template_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--state-machine", metavar="LOGICAL_ID",
                   help="In a CloudFormation/SAM/CDK template DEFINITION: the state machine "
                        "resource to take (default: the template's only one).")
    p.add_argument("--sub", dest="subs", action="append", default=[], metavar="NAME=VALUE",
                   help="Fill the definition's ${NAME} with VALUE (over DefinitionSubstitutions "
                        "and a template parameter of that name); repeatable.")


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("definition", metavar="DEFINITION")
    _add_template_options(p)
    p.add_argument("--input", dest="input_text", metavar="JSON",
                   help="Execution input as JSON text (default: {}).")
    p.add_argument("--input-file", metavar="FILE",
                   help="Read the execution input from FILE ('-': stdin).")
    p.add_argument("--json", dest="as_json", action="store_true",
                   help="Print one DescribeExecution-shaped JSON object instead of a trace.")
    p.add_argument("--history", action="store_true", help="With --json: include the history events.")
    _add_lambdas_and_clock(p, "Wait states and retries")
    p.add_argument("--name", metavar="NAME", help="Execution name (default: a UUID).")
    p.add_argument("--type", dest="machine_type", type=str.upper, choices=("STANDARD", "EXPRESS"),
                   default="STANDARD", metavar="STANDARD|EXPRESS",
                   help="Run the machine as this type: EXPRESS executions get Express ARNs, no "
                        "Execution.RedriveCount, a 5-minute limit, and no callbacks or activities "
                        "(default: STANDARD).")
    p.add_argument("--mock-config", metavar="FILE",
                   help="A mock configuration file of AWS Step Functions Local, for --test-case "
                        "(default: $SFN_MOCK_CONFIG, else ./MockConfigFile.json).")
    p.add_argument("--test-case", metavar="NAME",
                   help="Answer the Task states this test case of the mock configuration mocks with "
                        "its mocked responses (NAME, or MACHINE#NAME); the others run as usual.")
    p.add_argument("--machine", dest="machines", action="append", default=[], metavar="NAME=FILE",
                   help="A state machine that states:startExecution tasks may start, by name "
                        "(arn:aws:states:REGION:ACCOUNT:stateMachine:NAME); repeatable.")
    p.add_argument("--task-token-endpoint", metavar="URL",
                   help="Serve SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat at this "
                        "http://HOST:PORT while the run lasts, so that a worker outside (boto3, "
                        "the AWS CLI) answers .waitForTaskToken tasks.")
    p.add_argument("--graph", metavar="FILE",
                   help="Afterwards, write the picture of the run to FILE, in the format its "
                        "extension names: .svg, .html, .mmd (Mermaid) or .dot.")
    _add_aws(p)


def _validate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("definition", metavar="DEFINITION")
    _add_template_options(p)


def _test_state_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("definition", metavar="DEFINITION")
    _add_template_options(p)
    p.add_argument("--state", dest="state_name", metavar="NAME",
                   help="The state of a whole machine DEFINITION to test (TestState's stateName).")
    p.add_argument("--input", dest="input_text", metavar="JSON", help="The state's input (default: {}).")
    p.add_argument("--inspection-level", type=str.upper, choices=("INFO", "DEBUG", "TRACE"),
                   default="INFO", metavar="INFO|DEBUG|TRACE",
                   help="DEBUG and TRACE add inspectionData: every data-flow stage (default: INFO).")
    p.add_argument("--mock", metavar="JSON",
                   help='Answer the Task instead of calling it: {"result": "JSON text"} or '
                        '{"errorOutput": {"error": "NAME", "cause": "TEXT"}}.')
    p.add_argument("--variables", metavar="JSON", help="The variables the state sees (a JSON object).")
    p.add_argument("--context", metavar="JSON", help="The context object ($$), with --mock only.")
    p.add_argument("--retrier-retry-count", type=int, metavar="N",
                   help="The retries the applying retrier has made already (stateConfiguration).")
    p.add_argument("--state-configuration", metavar="JSON",
                   help="TestState's stateConfiguration: retrierRetryCount, errorCausedByState, "
                        "mapIterationFailureCount, mapItemReaderData.")
    p.add_argument("--lambdas", metavar="DIR",
                   help="Directory of local Lambda handlers NAME.py (default: ./lambdas).")


def _serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="Address to listen on (default: 127.0.0.1). The API checks no credentials: "
                        "keep it on this machine unless the network is yours.")
    p.add_argument("--port", type=_port, default=8083,
                   help="TCP port (default: 8083); 0 picks a free one (the line printed at start "
                        "says which).")
    p.add_argument("--db", default="asl-runner.db", metavar="FILE",
                   help="SQLite file keeping state machines, activities, executions and their "
                        "histories (default: asl-runner.db). A file by default so that a restart "
                        "resumes every RUNNING execution where it was; ':memory:' keeps nothing.")
    _add_lambdas_and_clock(p, "Wait states, retries and timeouts")
    p.add_argument("--mock-config", metavar="FILE",
                   help="A mock configuration file of AWS Step Functions Local: StartExecution of "
                        "ARN#TestCase uses its mocked responses (default: $SFN_MOCK_CONFIG, else "
                        "./MockConfigFile.json if there is one).")
    _add_aws(p)
    p.add_argument("--ui-writes", action="store_true",
                   help="Let the web view (URL/ui) answer waiting tasks, Approve and Reject "
                        "(SendTaskSuccess, SendTaskFailure), and redrive failed executions "
                        "(RedriveExecution). Off by default: it only reads.")
    p.add_argument("--ui-sla", type=_sla_seconds, metavar="SECONDS",
                   help="The web view highlights tasks running longer than this.")
    p.add_argument("-v", "--verbose", action="store_true", help="Log every API call on stderr.")


def _sla_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


def _send_task_success_options(p: argparse.ArgumentParser) -> None:
    _add_task_token(p)
    p.add_argument("--task-output", required=True, metavar="JSON",
                   help="The task's result, as JSON text.")
    _add_endpoint_url(p)


def _send_task_failure_options(p: argparse.ArgumentParser) -> None:
    _add_task_token(p)
    p.add_argument("--error", metavar="NAME", help="Error name, for the state's Retry and Catch.")
    p.add_argument("--cause", metavar="TEXT", help="A longer description of the failure.")
    _add_endpoint_url(p)


def _send_task_heartbeat_options(p: argparse.ArgumentParser) -> None:
    _add_task_token(p)
    _add_endpoint_url(p)


#: the commands, in the order ``asl-runner --help`` lists them
_COMMANDS = {
    "run": _Command(run, _run_options),
    "validate": _Command(validate, _validate_options),
    "test-state": _Command(test_state, _test_state_options),
    "serve": _Command(serve, _serve_options),
    "send-task-success": _Command(send_task_success, _send_task_success_options),
    "send-task-failure": _Command(send_task_failure, _send_task_failure_options),
    "send-task-heartbeat": _Command(send_task_heartbeat, _send_task_heartbeat_options),
    "graph": _Command("asl_runner.commands.graph:graph", "asl_runner.commands.graph:options"),
    "lint": _Command("asl_runner.commands.lint:lint", "asl_runner.commands.lint:options"),
    "deploy": _Command("asl_runner.commands.deploy:deploy", "asl_runner.commands.deploy:options"),
    "export": _Command("asl_runner.commands.export:export", "asl_runner.commands.export:options"),
    "redrive": _Command("asl_runner.commands.redrive:redrive", "asl_runner.commands.redrive:options"),
}


if __name__ == "__main__":
    main()
