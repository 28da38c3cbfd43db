"""TestState: run one state once, as AWS's TestState API does, and say what came of it.

The state runs in an execution of its own (:class:`TestStateExecution`) with the engine's own
state modules and data flows; the execution only changes what happens *around* the state:

- before it: the request's variables, context object and retry count are put in place, and at
  DEBUG/TRACE the frame's ``inspection`` slot is opened, so each data-flow stage is recorded
  under inspectionData's names (``dataflow``);
- after it: the transition is intercepted (the next state is reported, not run), a retry the
  state's Retry would make is reported as RETRIABLE (with the back-off, not waited for), a
  Catch that handles the error is CAUGHT_ERROR, and a Wait does not wait.

A Task with a ``mock`` is answered by the mock (its ``result``, or its ``errorOutput`` as the
task's failure) and calls nothing; without one it calls the integration as a run would.

The request and the response are AWS's (botocore's TestStateInput/TestStateOutput): payloads
are JSON text in both directions. Bad requests raise :class:`TestStateError` with AWS's error
code (InvalidDefinition, InvalidExecutionInput, ValidationException).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import (
    AslRunnerError,
    DataFlowError,
    DefinitionError,
    QueryEvaluationFailure,
    StatesError,
)
from ..integrations import mock_result
from ..jsonvalue import PAYLOAD_LIMIT, JsonInputError, dumps, loads
from ..model.retry import find_retrier
from .effects import Completed, Invocation
from .execution import SUSPEND, Execution
from .frame import Frame
from .item_reader import ITEM_READER_FAILED, MAP_RUN
from .outcomes import ActivityStarted, perform
from .result_writer import exports

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
#: the states AWS's TestState runs; the others only with a mock (Map and Parallel: a mock for their result)
_RUNNABLE = frozenset({"Task", "Pass", "Wait", "Choice", "Succeed", "Fail"})
#: the inspectionData members that are numbers (botocore: InspectionMaxConcurrency, ...)
_NUMERIC = frozenset({"maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"})
#: the states a mock may stand for (botocore: "A mock can only be specified for Task, Map, or
#: Parallel states")
_MOCKABLE = frozenset({"Task", "Map", "Parallel"})
_WAITING_PATTERNS = frozenset({"sync", "sync:2", "waitForTaskToken"})
#: stages the engine records that AWS's inspectionData leaves out: a JSONata Map reports its
#: input and settings only (recorded: no afterItemsPath, which is JSONPath's, and no result)
_UNREPORTED = {("Map", "JSONata"): frozenset({"afterItemsPath", "result"})}
#: the name a state given alone runs under ($$.State.Name); AWS does not say which it uses
SINGLE_STATE_NAME = "TestState"
#: a Map whose failed iterations are more than it tolerates (AWS's name and cause, recorded)
EXCEEDED_THRESHOLD = "States.ExceedToleratedFailureThreshold"
EXCEEDED_CAUSE = "The specified tolerated failure threshold was exceeded"


class TestStateError(AslRunnerError):
    """A TestState request AWS would refuse: ``code`` is AWS's error code."""

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def _validation(message: str) -> TestStateError:
    return TestStateError("ValidationException", message)


def _invalid_definition(detail: str) -> TestStateError:
    # the words CreateStateMachine's InvalidDefinition uses (service/machines.py)
    return TestStateError("InvalidDefinition", f"Invalid State Machine Definition: '{detail}'")


def _json(value: Any, field: str, code: str = "ValidationException") -> Any:
    """A request payload: JSON text (as the API carries it) read as AWS reads it; any other
    Python value is taken as the JSON value itself (a JSON copy of it)."""
    try:
        text = value if isinstance(value, str) else dumps(value)
    except (TypeError, ValueError) as exc:
        raise TestStateError(code, f"'{field}' is not JSON: {exc}") from None
    if len(text) * 3 > PAYLOAD_LIMIT and len(text.encode("utf-8", "surrogatepass")) > PAYLOAD_LIMIT:
        raise _validation(f"Value at '{field}' failed to satisfy constraint: Member must have "
                          f"length less than or equal to {PAYLOAD_LIMIT}")
    try:
        return loads(text)
    except JsonInputError as exc:
        if code == "InvalidExecutionInput":  # StartExecution's words (service/fields.py)
            raise TestStateError(code, f"Invalid State Machine Execution Input: '{exc}'") from None
        raise _validation(f"'{field}' is not valid JSON: {exc}") from None


# ---------------------------------------------------------------------- the definition

def _targets(state: dict) -> list[str]:
    """The state names a state may go to next (Next, Default, Choices' and Catchers' Next)."""
    names = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if isinstance(items, list):
            names += [item.get("Next") for item in items if isinstance(item, dict)]
    return [name for name in names if isinstance(name, str)]


def _inner_names(state: dict) -> set[str]:
    """The names of the states inside a state's branches or item processor, at any depth."""
    machines = list(state.get("Branches") or []) if isinstance(state.get("Branches"), list) else []
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(key), dict):
            machines.append(state[key])
    names: set[str] = set()
    for machine in machines:
        states = machine.get("States") if isinstance(machine, dict) else None
        if isinstance(states, dict):
            for name, inner in states.items():
                names.add(name)
                if isinstance(inner, dict):
                    names |= _inner_names(inner)
    return names


def _as_machine(definition: Any, state_name: str | None) -> tuple[dict, str, bool]:
    """(a machine definition, the name of the state to test, whether it was given alone).

    A state given alone becomes the machine's only real state; each state it names as a next
    one is a Succeed placeholder, so that the machine validates and the name can be reported.
    """
    from ..model.machine import load_json_definition

    try:
        parsed = load_json_definition(definition)
    except DefinitionError as exc:
        raise _invalid_definition(f"INVALID_JSON_DESCRIPTION: {exc.problems[0].message}") from None
    except OSError as exc:
        raise _invalid_definition(f"cannot read the definition: {exc}") from None
    if not isinstance(parsed, dict):
        raise _invalid_definition("SCHEMA_VALIDATION_FAILED: The definition must be a JSON object")
    if state_name is not None:
        states = parsed.get("States")
        if not isinstance(states, dict) or "StartAt" not in parsed:
            raise _invalid_definition("SCHEMA_VALIDATION_FAILED: with stateName, the definition "
                                      "must be a whole state machine (StartAt and States)")
        if state_name not in states:
            raise _validation(f"State '{state_name}' is not in the state machine definition")
        return parsed, state_name, False
    if "States" in parsed and "Type" not in parsed:
        raise _invalid_definition("SCHEMA_VALIDATION_FAILED: the definition is a state machine: "
                                  "name the state to test with stateName")
    name = SINGLE_STATE_NAME
    targets = _targets(parsed)
    taken = set(targets) | _inner_names(parsed)  # AWS takes a Map's inner 'TestState' (recorded)
    while name in taken:
        name += "_"
    states = {name: parsed, **{target: {"Type": "Succeed"} for target in targets}}
    return {"StartAt": name, "States": states}, name, True


def load_state(definition: Any, state_name: str | None = None, *, local: bool = True) -> tuple[Any, str]:
    """(the machine, the name of the state to test), validated: InvalidDefinition when the
    definition is not valid (``local``: with asl-runner's local conveniences, as ``run``)."""
    from ..model import StateMachine, parse_definition
    from ..validation import validate_definition

    machine_def, name, alone = _as_machine(definition, state_name)
    problems = validate_definition(machine_def, local=local)
    if problems:
        prefix = f"/States/{name}"

        def where(pointer: str) -> str:  # a state given alone: pointers into it, not the wrapper
            if alone and (pointer == prefix or pointer.startswith(prefix + "/")):
                return pointer[len(prefix):] or "/"
            return pointer or "/"

        raise _invalid_definition(", ".join(f"SCHEMA_VALIDATION_FAILED: {p.message} at {where(p.pointer)}"
                                            for p in problems[:10]))
    try:
        machine = parse_definition(machine_def, validate=False)
    except DefinitionError as exc:
        raise _invalid_definition(str(exc)) from None
    fields = {field: getattr(machine, field) for field in StateMachine._fields}
    return StateMachine(**{**fields, "start_at": name}), name


# ---------------------------------------------------------------------- the mock

class _Mock:
    """An invoker that answers the tested Task from ``mock`` and calls nothing; a mocked
    Distributed Map's ItemReader gets ``reader_items`` (stateConfiguration.mapItemReaderData,
    or the items its input holds)."""

    def __init__(self, result: Any = None, error: str | None = None, cause: str | None = None,
                 failing: bool = False, mode: str = "STRICT"):
        self.result, self.error, self.cause, self.failing = result, error, cause, failing
        self.mode = mode
        self.reader_items: Callable[[Invocation], Any] | None = None

    def __call__(self, invocation: Invocation) -> Any:
        if invocation.event_family == MAP_RUN and self.reader_items is not None:
            return self.reader_items(invocation)
        if self.failing:
            raise StatesError(self.error, self.cause)
        if invocation.kind == "callback":  # a .sync or .waitForTaskToken task: the whole wait
            return Completed(self.result, self.result)
        return self.result


def _read_mock(mock: Any) -> _Mock | None:
    if mock is None:
        return None
    if not isinstance(mock, dict):
        raise _validation("'mock' must be an object with 'result' or 'errorOutput'")
    has_result, error_output = "result" in mock, mock.get("errorOutput")
    if has_result and error_output is not None:  # AWS's words
        raise _validation("A test mock should have only one of the following fields: "
                          "[result, errorOutput].")
    if not has_result and error_output is None:
        raise _validation("A mock must specify one of 'result' and 'errorOutput'")
    mode = mock.get("fieldValidationMode", mock_result.STRICT)
    if mode not in mock_result.MODES:
        raise _validation(f"Value '{mode}' at 'mock.fieldValidationMode' failed to satisfy "
                          "constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]")
    if has_result:
        try:
            result = _json(mock["result"], "mock.result")
        except TestStateError:
            raise _validation("Mocked result must be valid JSON") from None  # AWS's words
        return _Mock(result, mode=mode)
    if not isinstance(error_output, dict) or not isinstance(error_output.get("error"), str):
        # botocore: "error ... is required if mock.errorOutput is specified"
        raise _validation("'mock.errorOutput.error' is required when 'mock.errorOutput' is given")
    return _Mock(error=error_output["error"], cause=error_output.get("cause"), failing=True)


# ---------------------------------------------------------------------- the execution

class TestStateExecution(Execution):
    """An execution that runs its first state once and stops there (see the module's notes)."""

    __test__ = False

    def __init__(self, machine: Any, input: Any, *, variables: dict | None = None,
                 context: dict | None = None, retry_count: int = 0, inspect: bool = False,
                 mock: _Mock | None = None, iteration_failures: int = 0, **kw: Any):
        super().__init__(machine, input, **kw)
        #: what stands for the tested state's work (its call, or a Map's or Parallel's run)
        self._mock = mock
        self._variables = variables
        self._context = context
        self._retry_count = retry_count
        self._inspect = inspect
        self._iteration_failures = iteration_failures
        #: the error the tested Map or Parallel fails with (see start_fanout)
        self._fails_with: StatesError | None = None
        self._prepared = False
        #: what came of the state
        self.refused: TestStateError | None = None  # a request found wrong while it ran
        self.next_state: str | None = None
        self.failure: StatesError | None = None
        self.retriable = False
        self.retry_index: int | None = None
        self.backoff: float | None = None

    def _tested(self, frame: Frame) -> bool:
        return frame is self.root

    def enter(self, frame: Frame, state: Any) -> None:
        super().enter(frame, state)
        if not self._tested(frame) or self._prepared:
            return
        self._prepared = True
        if self._variables:
            frame.scope.assign(dict(self._variables))
        context = self._context
        if context:
            # the parts of the context object the request gives replace the execution's own
            self.context_execution = context.get("Execution", self.context_execution)
            self.context_state_machine = context.get("StateMachine", self.context_state_machine)
            if "Task" in context and isinstance(context["Task"], dict):
                frame.task_token = context["Task"].get("Token")
        retriers = getattr(state, "retry", ())
        if self._retry_count and retriers:
            # retrierRetryCount: the retries already made by the retrier that applies
            frame.retry_counts = [self._retry_count] * len(retriers)
            frame.retry_total = self._retry_count
        if self._inspect:
            frame.inspection = {"input": frame.input}

    def fail_state(self, frame: Frame, state: Any, error: StatesError,
                   before_catch: Callable[[], None] | None = None,
                   retry: Callable[[], None] | None = None, **more: Any) -> bool:
        if self._tested(frame) and self._fails_with is not None:
            # a distributed Map words its children's failure as its Map Run's; the mocked
            # error stands for the state's own failure
            error, self._fails_with = self._fails_with, None
        if self._tested(frame) and not error.terminal:
            self.failure = error
            if retry is not None:
                index = find_retrier(getattr(state, "retry", ()), error.error)
                if index >= 0:
                    self.retry_index = index
        return super().fail_state(frame, state, error, before_catch, retry, **more)

    def schedule_timer(self, due: float, kind: str, frame: Frame | None, data: Any = None) -> Any:
        if frame is not None and self._tested(frame):
            if kind == "retry":  # the state's Retry would run it again: report, do not wait
                self.retriable = True
                self.backoff = due - self.frame_time(frame)
                timer = super().schedule_timer(due, kind, frame, data)
                self._end("FAILED", frame, error=self.failure)
                return timer
            if kind == "wait":  # TestState does not wait
                due = self.frame_time(frame)
        return super().schedule_timer(due, kind, frame, data)

    def start_fanout(self, fanout: Any) -> None:
        """A mocked Map or Parallel: the mock is the result of its branches or iterations
        (AWS's TestState runs neither); ``mapIterationFailureCount`` iterations failed."""
        mock = self._mock
        frame = fanout.frame
        if mock is None or not self._tested(frame):
            return super().start_fanout(fanout)
        failures = self._iteration_failures
        if failures > len(fanout.inputs):  # AWS: it "cannot exceed the number of items"
            self.refused = _validation(
                f"'stateConfiguration.mapIterationFailureCount' ({failures}) cannot exceed "
                f"the number of items in the Map's input ({len(fanout.inputs)})")
            self._end("FAILED", frame, error=StatesError("States.Runtime", self.refused.message))
            return
        if mock.failing:  # the error reaches the state's handlers as it is (recorded)
            self._fails_with = StatesError(mock.error, mock.cause)
            fanout.on_failed(self._fails_with)
        elif failures and fanout.tolerance_set() and not fanout.tolerates(failures):
            self._fails_with = StatesError(EXCEEDED_THRESHOLD, EXCEEDED_CAUSE)
            fanout.on_failed(self._fails_with)
        elif fanout.state.type == "Map" and exports(fanout.state):
            # the mock is the Map's result: where the results went
            state = fanout.state
            self.finish(frame, state, state.flow.result(mock.result, frame))
        else:
            fanout.on_done(mock.result)

    def transition(self, frame: Frame, next_name: str | None, output: Any, end: bool = False) -> bool:
        if self._tested(frame) and not end and next_name is not None:
            self.next_state = next_name
            self._end("SUCCEEDED", frame, output=output)
            return SUSPEND
        return super().transition(frame, next_name, output, end)


def _catch_index(state: Any, error: StatesError) -> int | None:
    for index, catcher in enumerate(getattr(state, "catch", ())):
        if catcher.matches(error.error):
            return index
    return None


def _response(ex: TestStateExecution, state: Any, level: str, variables_given: bool) -> dict:
    out: dict[str, Any] = {}
    details: dict[str, Any] = {}
    failure = ex.failure
    if ex.retriable:
        out["status"] = "RETRIABLE"
        out["error"], out["cause"] = failure.error, failure.cause
        details["retryIndex"] = ex.retry_index
        # an integer in AWS's model; rounded first, as the delay came back through a sum
        details["retryBackoffIntervalSeconds"] = int(round(ex.backoff, 6))
    elif ex.status == "SUCCEEDED":
        out["output"] = dumps(ex.output)
        if ex.next_state is not None:
            out["nextState"] = ex.next_state
        if failure is not None:
            out["status"] = "CAUGHT_ERROR"
            out["error"], out["cause"] = failure.error, failure.cause
            details["catchIndex"] = _catch_index(state, failure)
            if ex.retry_index is not None:  # a retrier applied, its attempts were used up
                details["retryIndex"] = ex.retry_index
        else:
            out["status"] = "SUCCEEDED"
    else:
        out["status"] = "FAILED"
        out["error"] = ex.error if ex.error is not None else "States.Timeout"
        out["cause"] = ex.cause
        if ex.retry_index is not None:
            details["retryIndex"] = ex.retry_index
    if level != "INFO":
        frame = ex.root
        # the Map's settings are numbers in AWS's InspectionData, every stage JSON text
        hidden = _UNREPORTED.get((state.type, state.query_language), ())
        inspection = {key: value if key in _NUMERIC else dumps(value)
                      for key, value in (frame.inspection or {}).items() if key not in hidden}
        if variables_given or frame.scope.values:
            inspection["variables"] = dumps(frame.variables)
        if details:
            inspection["errorDetails"] = details
        out["inspectionData"] = inspection
    order = ("status", "nextState", "output", "error", "cause", "inspectionData")
    return {key: out[key] for key in order if out.get(key) is not None}


# ---------------------------------------------------------------------- the operation

def test_state(definition: Any, input: Any = None, *, inspection_level: str = "INFO",
               variables: Any = None, mock: dict | None = None, state_name: str | None = None,
               context: Any = None, state_configuration: dict | None = None,
               reveal_secrets: bool = False, role_arn: str | None = None,
               invoker: Callable[[Invocation], Any] | None = None, lambdas: str | None = None,
               handlers: dict | None = None, local: bool = True) -> dict:
    """Run one state once, as AWS's TestState does; the response in AWS's shape.

    Payloads (``input``, ``variables``, ``context``, ``mock["result"]``) are JSON text, as in
    the API, or any other Python value, taken as the JSON value itself. ``invoker`` performs
    an unmocked Task's call (default: the local integrations, with ``lambdas``/``handlers``,
    as ``run`` has them). ``revealSecrets`` and ``roleArn`` are accepted and change nothing:
    no HTTP Task connection adds secrets here, and no IAM role is assumed.
    """
    del role_arn  # accepted as the API accepts it; no IAM role is assumed
    if inspection_level not in INSPECTION_LEVELS:
        raise _validation(f"Value '{inspection_level}' at 'inspectionLevel' failed to satisfy "
                          "constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]")
    machine, name = load_state(definition, state_name, local=local)
    state = machine.states[name]
    state_input = {} if input is None else _json(input, "input", "InvalidExecutionInput")
    values = None
    if variables is not None:
        values = _json(variables, "variables")
        if not isinstance(values, dict):
            raise _validation("'variables' must be a JSON object of variable names and values")
    mocked = _read_mock(mock)
    context_object = None
    if context is not None:
        if mocked is None:  # botocore: "may only be specified if a mock is specified"
            raise _validation("'context' may only be specified if a mock is specified")
        context_object = _json(context, "context")
        if not isinstance(context_object, dict):
            raise _validation("'context' must be a JSON object (a context object)")
    if reveal_secrets and mocked is not None:  # AWS's words
        raise _validation("TestState does not support RevealSecrets when a mock is specified.")
    config = _Configuration(state_configuration, state, mocked)
    _check_supported(state, mocked)
    if mocked is not None and not mocked.failing:
        _check_mocked_result(state, mocked)

    from ..clock import VirtualClock

    ex = TestStateExecution(machine, state_input, clock=VirtualClock(), variables=values,
                            context=context_object, retry_count=config.retry_count,
                            inspect=inspection_level != "INFO", mock=mocked,
                            iteration_failures=config.iteration_failures)
    if mocked is not None and getattr(state, "item_reader", None) is not None:
        mocked.reader_items = config.reader_items(state, ex)
    closing = None
    if mocked is not None:
        performer: Callable[[Invocation], Any] = mocked
    elif invoker is not None:
        performer = invoker
    else:
        from ..integrations import Integrations

        closing = Integrations(lambdas, handlers)
        closing.clock = ex.clock
        performer = closing
    from .runner import Runner

    try:
        with Runner(performer, max_workers=1) as runner:
            ex.start()
            for invocation in ex.tasks.take_activity_tasks():  # mocked: no worker polls for it
                ex.apply(ActivityStarted(invocation.token, None))
                ex.apply(perform(performer, invocation))
            runner.run(ex)
    finally:
        if closing is not None:
            closing.close()
    if ex.refused is not None:
        raise ex.refused
    return _response(ex, state, inspection_level, values is not None)


def _check_supported(state: Any, mocked: _Mock | None) -> None:
    """AWS's limits on what TestState runs: a mock only for Task, Map and Parallel; activity
    tasks, .sync and .waitForTaskToken only with a mock."""
    kind = state.type
    if mocked is not None and kind not in _MOCKABLE:  # AWS's words, as the next ones
        raise _validation(f"State type '{kind}' is not supported when a mock is specified")
    if kind in ("Map", "Parallel"):
        if mocked is None:  # AWS runs neither's branches or iterations under TestState
            raise TestStateError("InvalidDefinition", "TestState API does not support Map or "
                                 "Parallel states. Supported state types include: "
                                 "[Task, Wait, Pass, Succeed, Fail, Choice]")
        return
    if kind not in _RUNNABLE:
        raise _validation(f"TestState does not support {kind} states")
    if kind == "Task" and mocked is None:
        resource = state.resource
        if resource.kind == "activity":
            raise _validation("TestState only supports Activity tasks when a mock is specified")
        if resource.pattern in _WAITING_PATTERNS:
            raise _validation(f"TestState only supports the .{resource.pattern} integration "
                              "pattern when a mock is specified")


test_state.__test__ = False  # type: ignore[attr-defined]  # pytest: an API, not a test


def _check_mocked_result(state: Any, mocked: _Mock) -> None:
    """The mocked result has the shape of what it stands for: a Task's API response
    (``fieldValidationMode``), a Map's array of results (or, with a ResultWriter, its object),
    one result per Parallel branch. AWS's words."""
    result = mocked.result
    if state.type == "Task":
        try:
            mock_result.check(result, state.resource, mocked.mode)
        except mock_result.MockResultProblem as exc:
            raise _validation(str(exc)) from None
    elif state.type == "Map" and exports(state):
        if not isinstance(result, dict):
            raise _validation("Mocked result must be a JSON object.")
    elif not isinstance(result, list):
        raise _validation("Mocked result must be an array.")
    elif state.type == "Parallel" and len(result) != len(state.branches):
        raise _validation("Mocked result must contain the same number of items as number of "
                          "Parallel branches.")


def _sub_states(machines: Any) -> set[str]:
    """The names of the states of ``machines`` and of every machine nested in them."""
    found: set[str] = set()
    for machine in machines:
        for name, state in machine.states.items():
            found.add(name)
            found |= _sub_states(getattr(state, "branches", ()))
            processor = getattr(state, "processor", None)
            if processor is not None:
                found |= _sub_states((processor,))
    return found


class _Configuration:
    """The request's ``stateConfiguration``, checked against the tested state.

    AWS documents the fields (TestStateConfiguration) but not its refusals of their misuse;
    asl-runner refuses, with a ValidationException in its own words, what cannot apply: a Map
    field on a state that is no Map (``mapItemReaderData`` on a Map without an ItemReader),
    ``errorCausedByState`` on a state that is no Map or Parallel, or naming no state of its
    branches or iterations.
    """

    def __init__(self, config: Any, state: Any, mocked: _Mock | None):
        config = config or {}
        if not isinstance(config, dict):
            raise _validation("'stateConfiguration' must be an object")
        self.retry_count = self._count(config, "retrierRetryCount")
        self.iteration_failures = self._count(config, "mapIterationFailureCount")
        kind = state.type
        if "mapIterationFailureCount" in config and kind != "Map":
            raise _validation("'stateConfiguration.mapIterationFailureCount' applies to Map "
                              f"states only, not to a {kind} state")
        caused_by = config.get("errorCausedByState")
        if caused_by is not None:
            if not isinstance(caused_by, str) or not 1 <= len(caused_by) <= 80:
                raise _validation("'stateConfiguration.errorCausedByState' must be a state "
                                  "name of 1 to 80 characters")
            if kind not in ("Map", "Parallel"):
                raise _validation("'stateConfiguration.errorCausedByState' applies to Map and "
                                  f"Parallel states only, not to a {kind} state")
            machines = state.branches if kind == "Parallel" else (state.processor,)
            if caused_by not in _sub_states(machines):
                where = "branches" if kind == "Parallel" else "ItemProcessor"
                raise _validation(f"'stateConfiguration.errorCausedByState': the {kind} "
                                  f"state's {where} has no state named '{caused_by}'")
        self.reader_data = config.get("mapItemReaderData")
        if self.reader_data is not None:
            if not isinstance(self.reader_data, str):
                raise _validation("'stateConfiguration.mapItemReaderData' must be a string "
                                  "(the data as its source holds it)")
            if len(self.reader_data.encode("utf-8", "surrogatepass")) > PAYLOAD_LIMIT:
                raise _validation("Value at 'stateConfiguration.mapItemReaderData' failed to "
                                  "satisfy constraint: Member must have length less than or "
                                  f"equal to {PAYLOAD_LIMIT}")
            if getattr(state, "item_reader", None) is None:
                raise _validation("'stateConfiguration.mapItemReaderData' applies to a Map "
                                  "state with an ItemReader only")

    @staticmethod
    def _count(config: dict, field: str) -> int:
        value = config.get(field)
        if value is None:
            return 0
        if type(value) is not int or value < 0:
            raise _validation(f"'stateConfiguration.{field}' must be an integer of at least 0")
        return value

    def reader_items(self, state: Any, ex: TestStateExecution) -> Callable[[Invocation], Any]:
        """What a mocked Map's ItemReader reads: ``mapItemReaderData`` as its ReaderConfig
        reads an object (JSON, JSONL, CSV), or else the items of the Map's input, which AWS
        says to give "as if it had already been read" from S3."""
        data = self.reader_data

        def read(invocation: Invocation) -> Any:
            payload = invocation.payload or {}
            frame = ex.root
            if data is None:
                try:
                    return state.flow.items(state.flow.input(frame.input, frame), frame)
                except (QueryEvaluationFailure, DataFlowError) as exc:
                    raise StatesError(ITEM_READER_FAILED, "Without "
                                      "stateConfiguration.mapItemReaderData the items are the "
                                      f"Map's input, as read already: {exc.detail}") from None
            config = payload.get("ReaderConfig") or {}
            items = _read_items(data, config, payload.get("MaxItems") or 0)
            if frame.inspection is not None and "ItemsPointer" in config:
                frame.inspection["afterItemsPointer"] = items
            return items

        return read


def _read_items(data: str, config: dict, max_items: int) -> list:
    """The items of ``data`` as an ItemReader reads an object of its ReaderConfig: in pages
    as large as the data, so one page normally holds them all."""
    from ..integrations.item_formats import Limits, read_page

    raw = data.encode("utf-8", "surrogatepass")
    items: list = []
    cursor = None
    while True:
        remaining = max_items - len(items) if max_items else 0
        page, cursor = read_page(lambda offset: (raw[offset:],), config, cursor,
                                 Limits(len(raw) + 1, len(raw) + 1, remaining))
        items += page
        if cursor is None or not page or (max_items and len(items) >= max_items):
            return items
