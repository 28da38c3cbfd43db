"""RedriveExecution: a FAILED, ABORTED or TIMED_OUT Standard execution goes on from the state
that stopped it, with the same ARN, input, definition and history.

How it fits the durable model. An execution is its definition plus the inputs recorded from
outside it (task outcomes, timers, callbacks, a stop), replayed through the deterministic
engine after a restart. A redrive is one more such input (``outcomes.Redriven``): applied to
an ended execution, it turns the terminal failure back into a run. Replaying the inputs then
rebuilds a redriven execution like any other: the first run to its end, the redrive, and what
came after it, with no table of its own to keep in step.

What it re-runs. Nothing of the first run is lost when an execution ends: every frame (the
root machine, each Parallel branch, each Map iteration) is still at the state it stopped at,
with that state's input and the variables it saw, and each Parallel or Map keeps the run of
its last attempt (``Frame.last_run``: which children succeeded, with their outputs, and which
did not). :func:`apply` writes ExecutionRedriven after the terminal event, re-arms the root at
its state and runs it. A state that is entered again starts afresh (its Entered event, a new
task, its retry counters at 0); a
Parallel or Map resumes its last run (``FanOut.prior``): the children that succeeded keep
their outputs and write nothing, the others (failed, aborted, or never started) go on from the
state each stopped at, recursively. The states before the one that failed do not run again.

What the caller decides. Whether an execution may be redriven (:func:`refusal`: its status,
type, the 14-day window, the history's length, the one-year limit) depends on the time and
on the store, so it is judged once, by the API or the Python call, before the
redrive is recorded; a replay applies the recorded redrive without judging it again.

A Distributed Map resumes its Map Run (``engine.map_redrive``): the same Map Run, only its
unsuccessful children run again.

As AWS documents it (the developer guide's "Redriving executions"), the machine's
TimeoutSeconds starts over at the redrive; the one-year limit still counts from the start.
Where AWS's behaviour is not documented, these are our choices: ExecutionRedriven points at
the terminal event, the re-entered state's first event at ExecutionRedriven (as a third-party
parser's fixture of a redriven history has them), and a redriven state's Retry attempts start
over (a state entered again is a new entry: what a user would expect after fixing the cause).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..history import iso_timestamp
from .frame import RUNNING, SUCCEEDED, Frame

if TYPE_CHECKING:
    from .execution import Execution

#: an execution may be redriven for 14 days after it stopped (AWS's redrivable period)
REDRIVABLE_SECONDS = 14 * 24 * 3600
#: the history must have room for ExecutionRedriven and at least one more event (AWS:
#: "less than 24,999" events)
MAX_EVENTS_TO_REDRIVE = 24_999

#: executions started before RedriveExecution was launched (2023-11-15) cannot be redriven
LAUNCHED = 1_700_006_400.0

#: the API's error for every refusal
NOT_REDRIVABLE = "ExecutionNotRedrivable"


def refusal(*, status: str, machine_type: str, start: float, stop: float | None, events: int,
            now: float) -> str | None:
    """Why the execution cannot be redriven now (ExecutionNotRedrivable), or None.

    The reasons are AWS's ``redriveStatusReason`` words, but for Express executions, which
    AWS cannot describe. AWS's limit of 1,000 redrives is a Map Run's (States.Runtime past
    it), not an execution's: the developer guide lists none for executions."""
    if status in ("RUNNING", "SUCCEEDED"):
        return f"Execution is {status} and cannot be redriven"
    if machine_type != "STANDARD":
        return "Execution is of type EXPRESS and cannot be redriven"
    if start < LAUNCHED:  # a virtual clock may start in the past
        return "Execution was started before the launch of RedriveExecution"
    if events >= MAX_EVENTS_TO_REDRIVE:
        return "Execution history event limit exceeded"
    if now - start >= _max_open_seconds():
        return "Execution has exceeded the max execution time"
    if stop is not None and now - stop > REDRIVABLE_SECONDS:
        return "Execution redrivable period exceeded"
    return None


def check(ex: Execution) -> None:
    """Raise ExecutionNotRedrivable where AWS would refuse to redrive this in-process
    execution now (the 14 days on its own clock)."""
    refused = refusal(status=ex.status, machine_type=ex.machine_type, start=ex.start_time,
                      stop=ex.stop_time, events=len(ex.history), now=ex.clock.now())
    if refused is not None:
        from ..errors import ExecutionNotRedrivable

        raise ExecutionNotRedrivable(refused)


def _max_open_seconds() -> int:
    """A Standard execution's maximum open time (a year), which a redrive does not extend."""
    from .execution import MAX_DURATION  # the engine imports this module: no cycle at load

    return MAX_DURATION["STANDARD"]


def rearm(frame: Frame, cursor: int) -> None:
    """Make a frame that stopped run its state again (its next event points at ``cursor``);
    a Parallel or Map there resumes the run of its last attempt."""
    frame.status = RUNNING
    frame.cursor = cursor
    frame.resume = None
    frame.task_token = None
    run = frame.last_run
    # a Parallel's or inline Map's run (FanOut.prior), or a Distributed Map's Map Run
    # (engine.map_redrive.resumable)
    frame.prior_run = run if run is not None and run.state is frame.state else None
    frame.child_run = None


def apply(ex: Execution) -> bool:
    """Redrive an ended execution (engine side: the caller judged :func:`refusal`)."""
    root = ex.root
    if ex.status in (RUNNING, SUCCEEDED) or root is None:
        return False
    count = ex.redrive_count = ex.redrive_count + 1
    ex.status = RUNNING
    ex.output = ex.error = ex.cause = None
    ex.stop_time = None
    event_id = ex.emit(None, "ExecutionRedriven", {"redriveCount": count},
                       previous=len(ex.history))
    now = ex.redrive_time = ex.history[-1].timestamp
    # a new dict: events of the first run may hold the old one ($$.Execution in a payload)
    ex.context_execution = {**ex.context_execution, "RedriveCount": count,
                            "RedriveTime": iso_timestamp(now)}
    limit_due = ex.start_time + _max_open_seconds()
    timeout = ex.machine.timeout_seconds
    if timeout and now + timeout < limit_due:
        ex.schedule_timer(now + timeout, "execution-timeout", None, False)
    else:
        ex.schedule_timer(limit_due, "execution-timeout", None, True)
    rearm(root, event_id)
    ex.make_ready(root)
    ex.drain()
    return True
