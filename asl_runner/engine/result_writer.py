"""A Distributed Map's ResultWriter, the engine's side: once every iteration has ended, the
Map Run's results go out as one invocation (``integrations.s3_results`` writes them), and the
Map's result is where they went: ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``
(recorded, services/TestBaseScenarios_test_map_state_result_writer).

Each iteration is listed as AWS lists a child workflow execution in its export: its ARN and
name, input and output as JSON text, status, dates and redrive fields. asl-runner runs the
iterations inside the parent execution, so their dates are the Map Run's start and end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StatesError
from ..history import iso_timestamp
from ..jsonvalue import dumps
from ..names import random_uuid
from .item_reader import WRITERS, as_error, invoke, s3_action

if TYPE_CHECKING:
    from ..model import MapState
    from .execution import Execution
    from .frame import Frame

RESULT_WRITER_FAILED = "States.ResultWriterFailed"


def exports(state: MapState) -> bool:
    """Whether the Map writes its results to S3 (a ResultWriter with only a WriterConfig
    shapes the state's output instead)."""
    writer = state.result_writer
    return isinstance(writer, dict) and "Resource" in writer


def _record(ex: Execution, map_run_arn: str, item_input: Any, output: Any, started: str,
            stopped: str) -> dict:
    name = random_uuid(ex.random)
    machine = map_run_arn.split(":mapRun:", 1)[1].rsplit(":", 1)[0]  # MACHINE/LABEL
    prefix = map_run_arn.split(":mapRun:", 1)[0]
    return {
        "ExecutionArn": f"{prefix}:execution:{machine}:{name}",
        "Input": dumps(item_input),
        "InputDetails": {"Included": True},
        "Name": name,
        "Output": dumps(output),
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": started,
        "StateMachineArn": f"{prefix}:stateMachine:{machine}",
        "Status": "SUCCEEDED",
        "StopDate": stopped,
    }


def write(ex: Execution, frame: Frame, state: MapState, effective: Any, map_run_arn: str,
          started_at: float, inputs: list, results: list,
          on_written: Callable[[dict], bool], on_failed: Callable[[StatesError], bool]) -> bool:
    """Schedule the write; ``on_written`` gets the Map's result."""
    writer = state.result_writer
    if not s3_action(writer["Resource"], WRITERS):  # validate refuses it; unvalidated gets here
        return on_failed(StatesError(RESULT_WRITER_FAILED, f"A ResultWriter writes with "
                                     f"s3:putObject, not {writer['Resource']}"))
    request = state.flow.map_run_request("ResultWriter", effective, frame)
    started, stopped = iso_timestamp(started_at), iso_timestamp(ex.frame_time(frame))
    records = [_record(ex, map_run_arn, item_input, output, started, stopped)
               for item_input, output in zip(inputs, results, strict=True)]
    payload = {"Parameters": request, "MapRunArn": map_run_arn,
               "Results": {"SUCCEEDED": records}}

    def outcome(result: Any) -> bool:
        if isinstance(result, StatesError):
            return on_failed(as_error(result, RESULT_WRITER_FAILED))
        return on_written({"MapRunArn": map_run_arn, "ResultWriterDetails": result})

    return invoke(ex, frame, state, writer["Resource"], payload, outcome)
