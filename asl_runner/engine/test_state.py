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

from ..errors import AslRunnerError, DefinitionError, StatesError
from ..jsonvalue import PAYLOAD_LIMIT, JsonInputError, dumps, loads
from ..model.retry import find_retrier
from .effects import Completed, Invocation
from .execution import SUSPEND, Execution
from .frame import Frame
from .outcomes import ActivityStarted, perform

INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
#: the states AWS's TestState runs; the others only with a mock (Map and Parallel: a mock for their result)
_RUNNABLE = frozenset({"Task", "Pass", "Wait", "Choice", "Succeed", "Fail"})
#: the inspectionData members that are numbers (botocore: InspectionMaxConcurrency, ...)
_NUMERIC = frozenset({"maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"})
#: the states a mock may stand for (botocore: "A mock can only be specified for Task, Map, or
#: Parallel states")
_MOCKABLE = frozenset({"Task", "Map", "Parallel"})
_WAITING_PATTERNS = frozenset({"sync", "sync:2", "waitForTaskToken"})
#: the name a state given alone runs under ($$.State.Name); AWS does not say which it uses
SINGLE_STATE_NAME = "TestState"


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
    while name in targets:
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
    """An invoker that answers the tested Task from ``mock`` and calls nothing."""

    def __init__(self, result: Any = None, error: str | None = None, cause: str | None = None,
                 failing: bool = False):
        self.result, self.error, self.cause, self.failing = result, error, cause, failing

    def __call__(self, invocation: Invocation) -> Any:
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
    if has_result == (error_output is not None):
        raise _validation("A mock must specify exactly one of 'result' and 'errorOutput'")
    mode = mock.get("fieldValidationMode", "STRICT")
    if mode not in ("STRICT", "PRESENT", "NONE"):
        raise _validation(f"Value '{mode}' at 'mock.fieldValidationMode' failed to satisfy "
                          "constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]")
    if has_result:
        try:
            result = _json(mock["result"], "mock.result")
        except TestStateError:
            raise _validation("Mocked result must be valid JSON") from None  # AWS's words
        return _Mock(result)
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
                 mock: _Mock | None = None, **kw: Any):
        super().__init__(machine, input, **kw)
        #: what stands for the tested state's work (its call, or a Map's or Parallel's run)
        self._mock = mock
        self._variables = variables
        self._context = context
        self._retry_count = retry_count
        self._inspect = inspect
        self._prepared = False
        #: what came of the state
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
        (AWS's TestState runs neither)."""
        mock = self._mock
        if mock is None or not self._tested(fanout.frame):
            return super().start_fanout(fanout)
        if mock.failing:
            fanout.on_failed(StatesError(mock.error, mock.cause))
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
        inspection = {key: value if key in _NUMERIC else dumps(value)
                      for key, value in (frame.inspection or {}).items()}
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
    del reveal_secrets, role_arn  # accepted as the API accepts them; nothing depends on them
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
    config = state_configuration or {}
    retry_count = config.get("retrierRetryCount") or 0
    if type(retry_count) is not int or retry_count < 0:
        raise _validation("'stateConfiguration.retrierRetryCount' must be an integer of at least 0")
    _check_supported(state, mocked)

    from ..clock import VirtualClock

    ex = TestStateExecution(machine, state_input, clock=VirtualClock(), variables=values,
                            context=context_object, retry_count=retry_count,
                            inspect=inspection_level != "INFO", mock=mocked)
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
    return _response(ex, state, inspection_level, values is not None)


def _check_supported(state: Any, mocked: _Mock | None) -> None:
    """AWS's limits on what TestState runs: a mock only for Task, Map and Parallel; activity
    tasks, .sync and .waitForTaskToken only with a mock."""
    kind = state.type
    if mocked is not None and kind not in _MOCKABLE:
        raise _validation(f"A mock can only be specified for Task, Map, or Parallel states, "
                          f"not for a {kind} state")
    if kind in ("Map", "Parallel"):
        if mocked is None:  # AWS runs neither's branches or iterations under TestState
            raise _validation(f"TestState only supports {kind} states when a mock is specified")
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
