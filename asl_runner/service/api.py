"""The Step Functions API, operation by operation, on AWS's request and response shapes.

Each operation takes the request body (a dict, as the AWS JSON 1.0 protocol carries it) and
returns the response body. Timestamps are epoch seconds (floats), as that protocol sends them.
Failures raise :class:`ApiError` with AWS's error code. Every request is checked whole against
AWS's service model before anything is read or changed (``base.operation``). Reads go to the
store directly; anything that changes an execution runs on the host's engine thread.

One module per resource: ``machines`` (with versions), ``aliases``, ``executions``,
``map_runs``, ``redrives``, ``callbacks`` (task tokens), ``activities``, ``tags``, ``test_state``; shared: ``base``, ``requests`` and
``shapes`` (the request validation), ``fields`` (the service's own rules), ``arns``,
``pagination``.
"""

from __future__ import annotations

from .activities import Activities
from .aliases import Aliases
from .callbacks import Callbacks
from .executions import Executions
from .machines import StateMachines
from .map_runs import MapRuns
from .redrives import Redrives
from .tags import Tags
from .test_state import TestStates


class StepFunctions(StateMachines, Aliases, Executions, MapRuns, Redrives, Callbacks, Activities,
                    Tags, TestStates):
    """The service behind ``asl-runner serve`` (also usable in-process)."""


#: operation name (as in X-Amz-Target) -> method name
OPERATIONS: dict[str, str] = {
    method.operation: name
    for name in dir(StepFunctions)
    if (method := getattr(StepFunctions, name, None)) is not None and hasattr(method, "operation")
}
