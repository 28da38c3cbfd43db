"""The Task lifecycle of one execution: tokens, the tasks in flight, their deadlines, and what
becomes of each outcome.

A Task state hands its call to :meth:`TaskBook.schedule`; the invocation (plain data) goes to
the runner, the engine's side of it (the frame, the state, how to retry) stays here as a
:class:`~asl_runner.engine.effects.PendingTask`. Outcomes (``engine.outcomes``) come back
through the ``succeeded``/``failed``/``submitted``/... methods, which wake the waiting frame
with the Task state's continuation. Timers for TimeoutSeconds and HeartbeatSeconds are the
execution's, like every other timer, so a replay fires them alike.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StatesError, StatesHeartbeatTimeout, StatesTimeout
from . import task_state
from .effects import Invocation, PendingTask
from .frame import RUNNING

if TYPE_CHECKING:
    from ..model import State
    from .execution import Execution
    from .frame import Frame


def execution_of_token(token: str) -> str | None:
    """The ARN of the execution that issued an opaque task token (None: not one of ours)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        arn, _number, _salt = raw.rsplit("#", 2)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    return arn


class TaskBook:
    def __init__(self, ex: Execution):
        self.ex = ex
        self._pending: dict[str, PendingTask] = {}
        self._tokens = itertools.count(1)
        self._calls_by_state: dict[str, int] = {}
        #: invocations for the runner to perform (taken with :meth:`take_invocations`)
        self.invocations: list[Invocation] = []
        #: activity tasks waiting for a worker (GetActivityTask), for the server
        self.activity_tasks: list[Invocation] = []

    # ------------------------------------------------------------------ scheduling

    def new_token(self, opaque: bool = True) -> str:
        """A task token, unique to this execution and attempt.

        Callback and activity tokens leave the process, so they are opaque and carry the
        execution (SendTaskSuccess finds it from the token); derived from the execution's own
        random source, a replay derives the same tokens. A task whose outcome comes back to
        the runner only needs a number.
        """
        ex = self.ex
        n = next(self._tokens)
        if not opaque:
            return f"{ex.name}#{n}"
        salt = ex.random.getrandbits(64)
        raw = f"{ex.arn}#{n}#{salt:016x}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def next_number(self, state_name: str) -> int:
        """The number of the next call of a Task state, counted per state name across the
        execution (state names are unique in a machine, Map iterations share theirs)."""
        number = self._calls_by_state.get(state_name, 0)
        self._calls_by_state[state_name] = number + 1
        return number

    def schedule(self, frame: Frame, state: State, invocation: Invocation,
                 retry: Callable[[], bool],
                 on_outcome: Callable[[Any], bool] | None = None) -> None:
        """Wait for ``invocation``'s outcome; ``retry`` runs the state's work again;
        ``on_outcome`` (the result or a StatesError) replaces the Task state's handlers."""
        ex = self.ex
        if ex.status != RUNNING:  # the history reached its limit while the task was scheduled
            return
        pending = PendingTask(frame, state, invocation, retry, on_outcome)
        started = ex.frame_time(frame)
        if invocation.timeout_seconds:
            pending.timer = ex.schedule_timer(started + invocation.timeout_seconds,
                                              "task-timeout", frame, invocation.token)
        if invocation.heartbeat_seconds and invocation.resource.pattern == "waitForTaskToken":
            pending.heartbeat = ex.schedule_timer(started + invocation.heartbeat_seconds,
                                                  "heartbeat", frame, invocation.token)
        self._pending[invocation.token] = pending
        if invocation.kind == "activity":
            self.activity_tasks.append(invocation)
        else:
            self.invocations.append(invocation)

    def take_invocations(self) -> list[Invocation]:
        out, self.invocations = self.invocations, []
        return out

    def take_activity_tasks(self) -> list[Invocation]:
        out, self.activity_tasks = self.activity_tasks, []
        return out

    # ------------------------------------------------------------------ what is pending

    def __len__(self) -> int:
        return len(self._pending)

    def pending(self, token: str) -> PendingTask | None:
        return self._pending.get(token)

    def all_pending(self) -> list[PendingTask]:
        """The tasks whose outcome the execution waits for, oldest first."""
        return list(self._pending.values())

    def awaits(self, token: str) -> bool:
        """Whether the execution still waits for this task's outcome (a task that timed out,
        or whose execution or branch ended, is abandoned: its outcome changes nothing).
        Only reads, so a worker thread may ask."""
        pending = self._pending.get(token)
        ex = self.ex
        return (pending is not None and ex.status == RUNNING and not ex.discarded
                and pending.frame.status == RUNNING)

    @property
    def waits_for_the_outside(self) -> bool:
        """Whether a task waits for an answer from outside the engine (a task token, an
        activity worker), which a service can still receive at any time."""
        return any(p.invocation.kind in ("callback", "activity") for p in self._pending.values())

    def clear(self) -> None:
        """The execution ended: nothing is waited for any more."""
        self._pending.clear()
        self.invocations.clear()

    def after_replay(self) -> None:
        """What completed before a crash is in the history; what is still pending is redone."""
        pending = self._pending.values()
        self.invocations = [p.invocation for p in pending
                            if p.invocation.kind != "activity" and not p.submitted]
        self.activity_tasks = [p.invocation for p in pending
                               if p.invocation.kind == "activity" and not p.submitted]

    # ------------------------------------------------------------------ outcomes

    def _live(self, token: str, pop: bool) -> PendingTask | None:
        """The pending task an outcome is for, if the execution still waits for it."""
        pending = self._pending.pop(token, None) if pop else self._pending.get(token)
        if pending is None:
            return None
        if pop:
            for timer in (pending.timer, pending.heartbeat):
                if timer is not None:
                    timer.cancelled = True
        if self.ex.status != RUNNING or pending.frame.status != RUNNING:
            return None
        return pending

    def succeeded(self, token: str, result: Any) -> bool:
        """A task's result (or, for a callback task, SendTaskSuccess's output)."""
        return self._answered(token, task_state.task_succeeded, result)

    def failed(self, token: str, error: str | None, cause: str | None, call: bool = False) -> bool:
        """The task failed: its call (``call``), or SendTaskFailure, or the job."""
        return self._answered(token, task_state.task_failed, StatesError(error, cause),
                              early=not call)

    def _answered(self, token: str, handler: Callable, outcome: Any, early: bool = True) -> bool:
        waiting = self._live(token, pop=False) if early else None
        if waiting is not None and waiting.invocation.kind == "callback" and not waiting.submitted:
            # the answer came before the call that submitted the work returned (a handler
            # that answers its own token): AWS records TaskSubmitted first, so it waits
            waiting.early_answer = (handler, outcome)
            return True
        pending = self._live(token, pop=True)
        if pending is None:
            return False
        self._resume(pending, handler, outcome)
        return True

    def submitted(self, token: str, output: Any) -> bool:
        """The integration call of a ``.waitForTaskToken`` task went through: it now waits
        for SendTaskSuccess/SendTaskFailure (AWS writes TaskSubmitted)."""
        pending = self._live(token, pop=False)
        if pending is None:
            return False
        if pending.submitted:  # told early by the call itself (a child under run): once only
            return True
        pending.submitted = True
        pending.submitted_output = output
        task_state.task_submitted(self.ex, pending.frame, pending.state, pending.invocation, output)
        if pending.early_answer is not None:
            handler, outcome = pending.early_answer
            self._live(token, pop=True)
            self._resume(pending, handler, outcome)
        return True

    def activity_started(self, token: str, worker_name: str | None) -> bool:
        """A worker took an activity task (GetActivityTask): ActivityStarted."""
        pending = self._live(token, pop=False)
        if pending is None or pending.submitted:
            return False
        ex = self.ex
        pending.submitted = True
        details = {"workerName": worker_name} if worker_name else None
        ex.emit(pending.frame, "ActivityStarted", details)
        beat = pending.invocation.heartbeat_seconds
        if beat:  # an activity's heartbeat clock starts when a worker has it
            pending.heartbeat = ex.schedule_timer(ex.frame_time(pending.frame) + beat,
                                                  "heartbeat", pending.frame, token)
        return True

    def heartbeat(self, token: str, at: float) -> bool:
        """SendTaskHeartbeat: the heartbeat deadline starts again from ``at``."""
        pending = self._pending.get(token)
        if pending is None or self.ex.status != RUNNING:
            return False
        beat = pending.invocation.heartbeat_seconds
        if beat and pending.heartbeat is not None:
            pending.heartbeat.cancelled = True
            pending.heartbeat = self.ex.schedule_timer(at + beat, "heartbeat", pending.frame, token)
        return True

    def timed_out(self, token: str, heartbeat: bool) -> None:
        """A task's TimeoutSeconds (or HeartbeatSeconds) passed (a timer of the execution)."""
        pending = self._live(token, pop=True)
        if pending is not None:
            # AWS (recorded, 2024): a .waitForTaskToken task whose heartbeats stop fails with
            # States.Timeout, like one that overruns TimeoutSeconds; States.HeartbeatTimeout
            # (documented) is an activity's
            activity = pending.invocation.kind == "activity"
            error = StatesHeartbeatTimeout() if heartbeat and activity else StatesTimeout()
            self._resume(pending, task_state.task_failed, error, timed_out=True)

    def _resume(self, pending: PendingTask, handler: Callable, outcome: Any, **kw: Any) -> None:
        ex, frame, state = self.ex, pending.frame, pending.state
        if pending.on_outcome is not None:
            ex.wake(frame, lambda: pending.on_outcome(outcome))
        else:
            ex.wake(frame, lambda: handler(ex, frame, state, pending, outcome, **kw))
        ex.drain()
