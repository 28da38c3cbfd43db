"""The Step Functions API of a ``run``: task-token answers for the executions it runs, and
StartExecution for ``aws-sdk:sfn:startExecution`` tasks.

A ``run`` has no durable service behind it, but a task waiting for its token must still be
answerable: by a process outside (``asl-runner run --task-token-endpoint URL`` serves the
token operations over HTTP) and by an ``aws-sdk:sfn:sendTaskSuccess`` task inside. Requests are
checked as the service checks them, and answered with its error codes: ``InvalidToken`` for a
token no execution issued, ``TaskDoesNotExist`` for one of an execution this run does not
hold, ``TaskTimedOut`` for a task that is over. A child started by StartExecution runs to its
end inside the call, as ``states:startExecution`` children do under ``run``.
"""

from __future__ import annotations

import threading
from typing import Any

from ..errors import StatesError

#: the operations that answer task tokens (what --task-token-endpoint serves)
TOKEN_OPERATIONS = ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat")
OPERATIONS = (*TOKEN_OPERATIONS, "StartExecution")


class RunApi:
    """The executions of one run (the one it started and its children), by ARN; ``env`` is
    the run's Environment (the machines a StartExecution may start)."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self._runners: dict[str, Any] = {}
        self._lock = threading.Lock()

    def register(self, execution: Any, runner: Any) -> None:
        """Token answers for ``execution`` go to ``runner`` (which runs it)."""
        with self._lock:
            self._runners[execution.arn] = (execution, runner)

    def send(self, arn: str, outcome: Any) -> bool:
        """Deliver ``outcome`` to the execution ``arn`` (False: the run does not hold it)."""
        with self._lock:
            held = self._runners.get(arn)
        if held is None or held[1] is None:
            return False
        held[1].send(outcome)
        return True

    def __call__(self, operation: str, body: dict) -> dict:
        """``operation`` with the request ``body``; raises ApiError as the service would."""
        if operation not in OPERATIONS:
            raise StatesError(
                "States.Runtime", f"asl-runner cannot call Step Functions' {operation} here",
                hint="`asl-runner run` answers only task tokens: run the machine under "
                "`asl-runner serve` for the rest of the Step Functions API")
        from ..service.fields import task_output
        from ..service.requests import check_request

        request = check_request(operation, body)
        if operation == "StartExecution":
            from .states import run_child

            child = run_child(self.env, request)
            return {"executionArn": child.arn, "startDate": child.start_time}
        token = request["taskToken"]
        runner = self._runner_of(token)
        if operation == "SendTaskSuccess":
            runner.send_task_success(token, task_output(request["output"]))
        elif operation == "SendTaskFailure":
            runner.send_task_failure(token, request.get("error"), request.get("cause"))
        else:
            runner.send_task_heartbeat(token)
        return {}

    def _runner_of(self, token: str) -> Any:
        from ..engine.tasks import execution_of_token
        from ..service.errors import ApiError, invalid_token

        arn = execution_of_token(token)
        if arn is None:
            raise invalid_token()
        with self._lock:
            held = self._runners.get(arn)
        if held is None:
            raise ApiError("TaskDoesNotExist", "Task Does Not Exist")
        execution, runner = held
        # read from another thread: the task may end before the answer arrives, and the
        # engine then ignores the answer, as the service does
        if not execution.tasks.awaits(token):
            raise ApiError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        return runner
