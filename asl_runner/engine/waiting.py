"""What an execution is waiting for, in words: for a runner to tell its user while it blocks.

A runner blocks with nothing running when every frame waits for a timer (a Wait state, a
retry back-off, a timeout) or for the outside world (a task token's answer, an activity
worker). ``describe`` names those things, so that ``asl-runner run`` can say why it is quiet
instead of sitting silent for a day. It only reads the execution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.retry import find_retrier

if TYPE_CHECKING:
    from .effects import PendingTask, Timer
    from .execution import Execution

#: what each kind of outside answer needs, and what ``asl-runner run`` cannot give it
_OUTSIDE = {
    "callback": ("waiting for SendTaskSuccess or SendTaskFailure with its task token, which "
                 "`asl-runner run` cannot receive: run the machine under `asl-runner serve`"),
    "activity": ("waiting for an activity worker polling GetActivityTask, which "
                 "`asl-runner run` cannot serve: run the machine under `asl-runner serve`"),
}


def _retry(ex: Execution, timer: Timer) -> str:
    frame = timer.frame
    state = frame.state
    # the event the frame wrote last is the failure the back-off follows
    last = ex.history[frame.cursor - 1] if 0 < frame.cursor <= len(ex.history) else None
    error = (last.details or {}).get("error") if last is not None else None
    retriers = getattr(state, "retry", ())
    i = find_retrier(retriers, error) if error is not None and retriers else -1
    failed = f"{state.name} failed with {error}" if error else f"{state.name} failed"
    if i >= 0 and frame.retry_counts:
        return f"{failed}: retry {frame.retry_counts[i]} of {retriers[i].max_attempts}"
    return f"{failed}: retry {frame.retry_total}"


def _names(tasks: list[PendingTask]) -> str:
    names = list(dict.fromkeys(p.state.name for p in tasks))  # a Map's iterations share one
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _outside(tasks: list[PendingTask], kind: str, first: Timer | None,
             answers_at: str | None) -> str:
    said = _OUTSIDE[kind]
    if kind == "callback" and answers_at:
        said = f"waiting for SendTaskSuccess or SendTaskFailure with its task token at {answers_at}"
    text = f"{_names(tasks)}: {said}"
    if first is not None and any(first is p.timer for p in tasks):
        text += "; TimeoutSeconds ends the wait"
    elif first is not None and any(first is p.heartbeat for p in tasks):
        text += "; HeartbeatSeconds ends the wait"
    return text


def describe(ex: Execution, answers_at: str | None = None) -> str:
    """What ``ex`` waits for, most pressing first ("" if it waits for nothing: it ended);
    ``answers_at``: the URL where task tokens are answered, if the run serves one."""
    first = ex.next_timer()
    parts: list[str] = []
    if first is not None and first.kind == "wait":
        parts.append(f"Wait state '{first.frame.state.name}'")
    elif first is not None and first.kind == "retry":
        parts.append(_retry(ex, first))
    waiting: dict[str, list[PendingTask]] = {"callback": [], "activity": []}
    for pending in ex.tasks.all_pending():
        kind = pending.invocation.kind
        # a callback task waits for its answer once its call went through
        if kind == "activity" or (kind == "callback" and pending.submitted):
            waiting[kind].append(pending)
    parts.extend(_outside(tasks, kind, first, answers_at) for kind, tasks in waiting.items()
                 if tasks)
    if first is not None and first.kind == "execution-timeout":
        # data: the execution's maximum duration rather than the definition's TimeoutSeconds
        parts.append(f"the maximum duration of a {ex.machine_type} execution ends it" if first.data
                     else "the execution's TimeoutSeconds ends it")
    return "; ".join(parts)
