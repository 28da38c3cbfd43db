"""What flows back into an execution from outside it: typed outcomes, as Temporal's
activation jobs are.

A task's result or failure, a call that submitted work (``.waitForTaskToken``), a worker
that took an activity task, a heartbeat, a timer that fell due, a stop request. Each is a
small value that knows how to apply itself to an execution (:meth:`Outcome.apply`) and how
it is recorded (``kind`` and :meth:`Outcome.record`: the store's ``inputs`` rows, replayed
over the definition after a restart). :func:`perform` is the one way to turn an invocation
into its outcome, for the in-process runner and the durable host alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import StatesError
from .effects import Completed, Invocation

if TYPE_CHECKING:
    from .execution import Execution


class Outcome:
    """Something that happened to an execution; ``apply`` says whether it changed it."""

    __slots__ = ()
    kind: ClassVar[str]
    #: what is recorded (the constructor's parameters, in order)
    fields: ClassVar[tuple[str, ...]]

    def apply(self, ex: Execution) -> bool:
        raise NotImplementedError

    def record(self) -> dict:
        """The stored form (the ``inputs`` table's payload); :func:`decode` reads it back."""
        return {name: getattr(self, name) for name in self.fields}

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.fields)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.record() == self.record()


class TaskSucceeded(Outcome):
    __slots__ = ("token", "output")
    fields = __slots__
    kind = "task-succeeded"

    def __init__(self, token: str, output: Any):
        self.token, self.output = token, output

    def apply(self, ex: Execution) -> bool:
        return ex.tasks.succeeded(self.token, self.output)


class TaskCompleted(Outcome):
    """The call itself ended a ``.sync`` or ``.waitForTaskToken`` task (a mock answered for
    the whole wait): TaskSubmitted with ``submitted``, then the task's result ``output``."""

    __slots__ = ("token", "submitted", "output")
    fields = __slots__
    kind = "task-succeeded"  # recorded as a success that also carries what was submitted

    def __init__(self, token: str, submitted: Any, output: Any):
        self.token, self.submitted, self.output = token, submitted, output

    def apply(self, ex: Execution) -> bool:
        ex.tasks.submitted(self.token, self.submitted)
        return ex.tasks.succeeded(self.token, self.output)


class TaskFailed(Outcome):
    __slots__ = ("token", "error", "cause", "hint")
    fields = ("token", "error", "cause")  # the hint is for the user, never recorded
    kind = "task-failed"

    def __init__(self, token: str, error: str | None, cause: str | None, hint: str | None = None):
        self.token, self.error, self.cause = token, error, cause
        #: advice for the person running asl-runner (where a handler was looked for); never
        #: recorded, never part of what AWS would report
        self.hint = hint

    def apply(self, ex: Execution) -> bool:
        if self.hint and self.hint not in ex.hints:
            ex.hints.append(self.hint)
        return ex.tasks.failed(self.token, self.error, self.cause)


class CallFailed(TaskFailed):
    """The call of a task that waits for its token or job failed: the task fails at once (a
    SendTaskFailure that comes before the submission is recorded waits for it instead)."""

    __slots__ = ()
    fields = ("token", "error", "cause", "call")
    call = True

    def apply(self, ex: Execution) -> bool:
        if self.hint and self.hint not in ex.hints:
            ex.hints.append(self.hint)
        return ex.tasks.failed(self.token, self.error, self.cause, call=True)


class TaskSubmitted(Outcome):
    """A ``.waitForTaskToken`` call went through: the task now waits for its token."""

    __slots__ = ("token", "output")
    fields = __slots__
    kind = "task-submitted"

    def __init__(self, token: str, output: Any):
        self.token, self.output = token, output

    def apply(self, ex: Execution) -> bool:
        return ex.tasks.submitted(self.token, self.output)


class ActivityStarted(Outcome):
    __slots__ = ("token", "worker")
    fields = __slots__
    kind = "activity-started"

    def __init__(self, token: str, worker: str | None):
        self.token, self.worker = token, worker

    def apply(self, ex: Execution) -> bool:
        return ex.tasks.activity_started(self.token, self.worker)


class HeartbeatReceived(Outcome):
    """SendTaskHeartbeat at ``at`` (None: when it is applied, for the in-process runner)."""

    __slots__ = ("token", "at")
    fields = __slots__
    kind = "heartbeat"

    def __init__(self, token: str, at: float | None):
        self.token, self.at = token, at

    def apply(self, ex: Execution) -> bool:
        return ex.tasks.heartbeat(self.token, ex.clock.now() if self.at is None else self.at)


class TimerFired(Outcome):
    __slots__ = ("seq",)
    fields = __slots__
    kind = "timer"

    def __init__(self, seq: int):
        self.seq = seq

    def apply(self, ex: Execution) -> bool:
        return ex.fire_timer(self.seq)


class StopRequested(Outcome):
    __slots__ = ("error", "cause")
    fields = __slots__
    kind = "stop"

    def __init__(self, error: str | None = None, cause: str | None = None):
        self.error, self.cause = error, cause

    def apply(self, ex: Execution) -> bool:
        ex.stop(self.error, self.cause)
        return True


class Redriven(Outcome):
    """RedriveExecution (see ``engine.redrive``); ``client_token`` is the request's, kept so
    that the same request made again redrives once."""

    __slots__ = ("client_token",)
    fields = __slots__
    kind = "redrive"

    def __init__(self, client_token: str | None = None):
        self.client_token = client_token

    def apply(self, ex: Execution) -> bool:
        from .redrive import apply

        return apply(ex)


_BY_KIND = {cls.kind: cls for cls in (TaskSucceeded, TaskFailed, TaskSubmitted, ActivityStarted,
                                      HeartbeatReceived, TimerFired, StopRequested, Redriven)}


def decode(kind: str, payload: dict) -> Outcome:
    """An outcome from its record (the inverse of ``kind`` and :meth:`Outcome.record`)."""
    if kind == TaskCompleted.kind and "submitted" in payload:
        return TaskCompleted(payload["token"], payload["submitted"], payload.get("output"))
    if kind == CallFailed.kind and payload.get("call"):
        return CallFailed(payload["token"], payload.get("error"), payload.get("cause"))
    cls = _BY_KIND.get(kind)
    if cls is None and kind == "map-run-updated":  # UpdateMapRun (engine.map_run)
        from .map_run import MapRunUpdated

        cls = MapRunUpdated
    if cls is None:
        raise ValueError(f"unknown outcome kind {kind!r}")
    return cls(*(payload.get(name) for name in cls.fields))


#: performs one invocation: returns the result (or Completed), or raises StatesError
Invoker = Callable[[Invocation], Any]


def perform(invoker: Invoker, invocation: Invocation) -> Outcome:
    """Call the invoker for one invocation and say what came of it. Never raises: a crash of
    the handler or of the integration is the task's failure, named after the exception."""
    token = invocation.token
    failed = CallFailed if invocation.kind == "callback" else TaskFailed
    try:
        result = invoker(invocation)
    except StatesError as exc:
        return failed(token, exc.error, exc.cause, exc.hint)
    except BaseException as exc:  # a handler's crash must not take the runner or host down
        return failed(token, type(exc).__name__, str(exc))
    if type(result) is Completed:
        return TaskCompleted(token, result.submitted, result.result)
    if invocation.kind == "callback":  # the call only submitted the work
        return TaskSubmitted(token, result)
    return TaskSucceeded(token, result)
