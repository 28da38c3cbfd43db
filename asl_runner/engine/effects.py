"""The effects an execution asks its runner for: tasks to perform and timers to keep."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import State
    from .frame import Frame


class Invocation:
    """A task the runner must perform, as plain data; its outcome is reported back under
    ``token``. It holds nothing of the engine's: integrations, mocks, the in-process runner
    and the durable host all perform it the same way, and may do so on any thread.

    (A plain class, not a Record: one is made per task attempt, on the hot path.)
    """

    __slots__ = ("token", "execution_arn", "state_name", "number", "resource", "payload",
                 "timeout_seconds", "heartbeat_seconds", "event_family", "kind", "context")

    def __init__(self, token: str, execution_arn: str, state_name: str, resource: Any,
                 payload: Any, timeout_seconds: float | None, heartbeat_seconds: float | None,
                 event_family: str = "task", kind: str = "invoke", number: int = 0,
                 context: dict | None = None):
        self.token = token
        self.execution_arn = execution_arn
        self.state_name = state_name
        #: how many times the execution called this state's resource before (zero-based: every
        #: attempt, retries, loops and Map iterations included), in the order the engine
        #: scheduled them, so a replay numbers them alike; mock files answer by this number
        self.number = number
        self.resource = resource  # model.Resource
        self.payload = payload
        self.timeout_seconds = timeout_seconds
        self.heartbeat_seconds = heartbeat_seconds
        #: "lambda" (a Lambda ARN: LambdaFunction* events), "activity" or "task" (Task* events);
        #: "map-run": a Map Run's own call (its reader's read, its writer's write): no Task events
        self.event_family = event_family
        #: "invoke" (the call's result is the outcome), "callback" (.waitForTaskToken: the
        #: call submits the work, SendTask* reports the outcome) or "activity" (a worker polls)
        self.kind = kind
        #: the context object (``$$``) as of the call
        self.context = context if context is not None else {}

    def __repr__(self) -> str:
        return f"<Invocation {self.token} {self.resource.arn}>"


class Completed:
    """What an invoker returns when the call itself ended a ``.sync`` or ``.waitForTaskToken``
    task (a mock stands in for the whole wait): ``submitted`` is written as TaskSubmitted, as
    AWS writes the call's response, then ``result`` completes the task at once, with no token
    or job to wait for. Any other return value is the call's plain result."""

    __slots__ = ("submitted", "result")

    def __init__(self, submitted: Any, result: Any):
        self.submitted = submitted
        self.result = result


class Timer:
    __slots__ = ("due", "seq", "kind", "frame", "data", "cancelled")

    def __init__(self, due: float, seq: int, kind: str, frame: Frame | None = None,
                 data: Any = None):
        self.due = due
        self.seq = seq
        self.kind = kind  # wait | retry | task-timeout | heartbeat | execution-timeout
        self.frame = frame
        self.data = data
        self.cancelled = False

    def __lt__(self, other: Timer) -> bool:  # heap order: due time, then creation order
        return (self.due, self.seq) < (other.due, other.seq)


class PendingTask:
    """The engine's side of an invocation in flight: who waits for it and how to retry."""

    __slots__ = ("frame", "state", "invocation", "retry", "timer", "heartbeat", "submitted",
                 "submitted_output", "early_answer", "on_outcome")

    def __init__(self, frame: Frame, state: State, invocation: Invocation,
                 retry: Callable[[], bool],
                 on_outcome: Callable[[Any], bool] | None = None):
        self.frame = frame
        self.state = state
        self.invocation = invocation
        #: runs the task's state again on a retry
        self.retry = retry
        #: for work that is not a Task state's (a Map's ItemReader): continues the frame with
        #: the result, or the StatesError it failed with, in place of the Task state's handlers
        self.on_outcome = on_outcome
        self.timer: Timer | None = None
        self.heartbeat: Timer | None = None
        #: a callback task whose call went through, or an activity task a worker took
        self.submitted = False
        #: what the call that submitted the work returned (TaskSubmitted's output)
        self.submitted_output: Any = None
        #: an answer to the task's token that came before its submission was recorded
        self.early_answer: tuple | None = None
