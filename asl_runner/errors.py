"""Errors: definition problems found at load time, and the ASL errors raised while running.

Every run-time failure is a :class:`StatesError` carrying AWS's ``error`` and ``cause`` strings.
The predefined ``States.*`` names each have a subclass so Python callers can catch them by type;
an error raised by user code (a handler's exception, a Fail state) is a plain ``StatesError``
with whatever name it reported.

All Retry/Catch matching goes through :func:`error_matches`, so the rules about ``States.ALL``
and ``States.TaskFailed`` live in exactly one place.
"""

from __future__ import annotations

from .record import Record


class Problem(Record):
    """One thing wrong with a definition: where (a JSON pointer into it) and what.

    A record rather than a dataclass: importing dataclasses (and inspect with it) cost every
    start of ``asl-runner run`` about 10 million instructions (see record.py)."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class AslRunnerError(Exception):
    """Base of every exception asl-runner raises on purpose."""


class DefinitionError(AslRunnerError):
    """The definition is not valid ASL; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid definition")


class InvalidExecutionInput(AslRunnerError, ValueError):
    """An execution input that StartExecution would refuse (not JSON, NaN or Infinity, too
    deep, too large); the message says why. The API's error of that name, for Python callers."""


class ExecutionNotRedrivable(AslRunnerError):
    """RedriveExecution refused (the API's error of that name); ``reason`` is AWS's words for
    why (its redriveStatusReason)."""

    code = "ExecutionNotRedrivable"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"{self.code}: {reason}")


class StatesError(AslRunnerError):
    """A run-time error in ASL terms: an error name and an optional cause."""

    #: the ASL name, for the predefined subclasses
    name: str | None = None
    #: terminal errors fail the execution at once: no Retry or Catch applies
    terminal: bool = False

    def __init__(self, error: str | None = None, cause: str | None = None, *,
                 hint: str | None = None):
        self.error = error if error is not None else self.name
        self.cause = cause
        #: advice for the person running asl-runner; never part of what AWS would report
        self.hint = hint
        super().__init__(f"{self.error}: {cause}" if cause else (self.error or "error"))


class StatesALL(StatesError):
    name = "States.ALL"


class StatesRuntime(StatesError):
    """AWS reports data-flow failures (bad paths, bad values) as States.Runtime and never
    retries or catches them, not even with an explicit ``States.Runtime`` catcher."""

    name = "States.Runtime"
    terminal = True


class StatesDataLimitExceeded(StatesError):
    """A state's output over the payload quota ends the execution; a task *result* over the
    quota is reported as a task failure instead (built with ``terminal=False``)."""

    name = "States.DataLimitExceeded"
    terminal = True

    def __init__(self, error: str | None = None, cause: str | None = None, *, terminal: bool = True):
        super().__init__(error, cause)
        self.terminal = terminal


class StatesTimeout(StatesError):
    name = "States.Timeout"


class StatesHeartbeatTimeout(StatesError):
    name = "States.HeartbeatTimeout"


class StatesTaskFailed(StatesError):
    name = "States.TaskFailed"


class StatesPermissions(StatesError):
    name = "States.Permissions"


class StatesResultPathMatchFailure(StatesError):
    name = "States.ResultPathMatchFailure"


class StatesParameterPathFailure(StatesError):
    name = "States.ParameterPathFailure"


class StatesBranchFailed(StatesError):
    name = "States.BranchFailed"


class StatesNoChoiceMatched(StatesError):
    name = "States.NoChoiceMatched"


class StatesIntrinsicFailure(StatesError):
    name = "States.IntrinsicFailure"


class StatesExceedToleratedFailureThreshold(StatesError):
    name = "States.ExceedToleratedFailureThreshold"


class StatesItemReaderFailed(StatesError):
    name = "States.ItemReaderFailed"


class StatesResultWriterFailed(StatesError):
    name = "States.ResultWriterFailed"


class StatesQueryEvaluationError(StatesError):
    name = "States.QueryEvaluationError"


#: every predefined error name, for validation ("States.Foo" is reserved) and lookup
PREDEFINED: dict[str, type[StatesError]] = {
    cls.name: cls
    for cls in (
        StatesALL, StatesRuntime, StatesDataLimitExceeded, StatesTimeout, StatesHeartbeatTimeout,
        StatesTaskFailed, StatesPermissions, StatesResultPathMatchFailure, StatesParameterPathFailure,
        StatesBranchFailed, StatesNoChoiceMatched, StatesIntrinsicFailure,
        StatesExceedToleratedFailureThreshold, StatesItemReaderFailed, StatesResultWriterFailed,
        StatesQueryEvaluationError,
    )
}

def error_matches(error_equals: tuple[str, ...] | list[str], error: str | None) -> bool:
    """Whether a Retrier's or Catcher's ``ErrorEquals`` covers ``error``.

    Exact names match themselves. ``States.ALL`` matches any error but ``States.Runtime``;
    ``States.TaskFailed`` matches any error but ``States.Timeout`` and ``States.Runtime`` (AWS's
    documented wildcard rules). Terminal errors (States.Runtime, and States.DataLimitExceeded
    about a state's own output) never get here: the engine fails the execution first. A
    States.DataLimitExceeded about a task's *result* is an ordinary task failure, and AWS does
    catch it with States.ALL (a recorded case shows it).
    """
    for name in error_equals:
        if name == error:
            return True
        if name == "States.ALL":
            if error != "States.Runtime":
                return True
        elif name == "States.TaskFailed" and error not in ("States.Timeout", "States.Runtime"):
            return True
    return False


def runtime_error(state: str, entered_event_id: int, detail: str) -> StatesRuntime:
    """A States.Runtime error with the wording AWS uses for a failure inside a state."""
    return StatesRuntime(
        cause=f"An error occurred while executing the state '{state}' "
        f"(entered at the event id #{entered_event_id}). {detail}"
    )


class QueryEvaluationFailure(AslRunnerError):
    """A JSONata expression failed at ``location`` (``Output/result``; None for a failure AWS
    places nowhere, such as a Map's input that is no array); ``detail`` is AWS's
    text after the "An error occurred while executing the state ..." prefix. The engine writes
    AWS's EvaluationFailed event and fails the state with States.QueryEvaluationError."""

    def __init__(self, location: str | None, detail: str):
        self.location = location
        self.detail = detail
        super().__init__(detail)


class DataFlowError(AslRunnerError):
    """A failure of the data flow inside a state (a path that selects nothing, a value of the
    wrong type). The engine turns it into States.Runtime with AWS's "An error occurred while
    executing the state ..." prefix, which only it knows (state name, entered event id)."""

    def __init__(self, detail: str, error: str = "States.Runtime"):
        self.detail = detail
        self.error = error
        super().__init__(detail)
