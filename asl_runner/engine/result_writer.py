"""A Distributed Map's results, as its children end, and its ResultWriter, the engine's side.

With a ResultWriter that exports (``Resource`` s3:putObject), each ended child's record goes to
a temporary file as it ends (one per status and part: memory holds no result), and once the
Map Run ends one invocation uploads them (``integrations.s3_results``); the Map's result is
where they went: ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`` (recorded,
services/TestBaseScenarios_test_map_state_result_writer). Without one, the outputs are the
Map's result, in item order, within the payload quota: past 256 KiB they are dropped and the
state fails with States.DataLimitExceeded, as on AWS, where results that big need a
ResultWriter.

``WriterConfig`` (AWS's ResultWriter documentation): ``OutputType`` JSON (each file one array,
the default) or JSONL (a record per line); ``Transformation`` NONE (each child as AWS lists a
child workflow execution: ARN, name, input and output as JSON text, status, dates, redrive
fields; the default when exporting), COMPACT (the outputs only; the default without a
ResultWriter) or FLATTEN (the outputs, an output that is an array spliced in). A failed child
keeps its whole record in COMPACT and FLATTEN (documented: "returns its execution result
unchanged"); in the state's output it is ``{"Error", "Cause"}``, as inline Maps report one.

Files: SUCCEEDED_n.json, FAILED_n.json (failed, timed out and aborted children) and
PENDING_n.json (items read but never started, when the Map Run failed), a new part past
:data:`MAX_FILE_BYTES` (5 GB: S3's largest single upload). asl-runner's choices where AWS's
documentation is silent: JSONL parts keep the ``.json`` name; a pending item is
``{"Input", "InputDetails", "Status": "PENDING"}``.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import StatesDataLimitExceeded, StatesError
from ..history import iso_timestamp
from ..jsonvalue import PAYLOAD_LIMIT, dumps
from .frame import SUCCEEDED
from .item_reader import WRITERS, as_error, invoke, s3_action

if TYPE_CHECKING:
    from ..model import MapState
    from .execution import Execution
    from .frame import Frame
    from .map_run import ChildExecution

RESULT_WRITER_FAILED = "States.ResultWriterFailed"
#: a result file's largest size before the next part starts
MAX_FILE_BYTES = 5 * 1024 ** 3
_FILE_STATUS = {"SUCCEEDED": "SUCCEEDED", "PENDING": "PENDING"}  # any other: FAILED


def exports(state: MapState) -> bool:
    """Whether the Map writes its results to S3 (a ResultWriter with only a WriterConfig
    shapes the state's output instead)."""
    writer = state.result_writer
    return isinstance(writer, dict) and "Resource" in writer


def _config(state: MapState) -> tuple[str, str]:
    """(OutputType, Transformation), with AWS's defaults."""
    writer = state.result_writer if isinstance(state.result_writer, dict) else {}
    config = writer.get("WriterConfig") or {}
    default = "NONE" if "Resource" in writer else "COMPACT"
    return config.get("OutputType", "JSON"), config.get("Transformation", default)


def record(child: ChildExecution) -> dict:
    """A child as AWS's export lists a child workflow execution."""
    out: dict[str, Any] = {"ExecutionArn": child.arn, "Input": dumps(child.input),
                           "InputDetails": {"Included": True}, "Name": child.name}
    if child.status == SUCCEEDED:
        out["Output"] = dumps(child.output)
        out["OutputDetails"] = {"Included": True}
    else:
        if child.error is not None:
            out["Error"] = child.error
        if child.cause is not None:
            out["Cause"] = child.cause
    out.update({"RedriveCount": child.redrive_count, "RedriveStatus": "NOT_REDRIVABLE",
                "RedriveStatusReason": f"Execution is {child.status} and cannot be redriven",
                "StartDate": iso_timestamp(child.start), "StateMachineArn": child.state_machine_arn,
                "Status": child.status})
    if child.stop is not None:
        out["StopDate"] = iso_timestamp(child.stop)
    return out


def _outputs(child: ChildExecution, transformation: str, whole: bool) -> list:
    """What the child adds to the results: its record (NONE, or a failed child written to a
    file: ``whole``), its output (COMPACT), or its output's members (FLATTEN)."""
    if transformation == "NONE" or (whole and child.status != SUCCEEDED):
        return [record(child)]
    if child.status != SUCCEEDED:
        return [{"Error": child.error, "Cause": child.cause}]
    if transformation == "FLATTEN" and isinstance(child.output, list):
        return list(child.output)
    return [child.output]


class Collected:
    """The results as the state's output: in item order, up to the payload quota. Each
    child's stay until the state ends, so a redriven Map Run replaces only those of the
    children it runs again."""

    def __init__(self, state: MapState):
        self.state = state
        self.transformation = _config(state)[1]
        #: by the child's index in the Map Run: its one value, or a tuple of them (FLATTEN)
        self.values: dict[int, Any] = {}
        self.size = 1  # "[", and each value's text with the "," or "]" after it
        self.exceeded = False

    def add(self, child: ChildExecution) -> None:
        if self.exceeded:
            return
        values = _outputs(child, self.transformation, whole=False)
        before = self.values.pop(child.index, ())
        self.size -= _size(before if isinstance(before, tuple) else (before,))
        self.size += _size(values)
        self.values[child.index] = values[0] if len(values) == 1 else tuple(values)
        if self.size > PAYLOAD_LIMIT:  # the rest is of no use: the state fails at the end
            self.exceeded = True
            self.values = {}

    def pending(self, item_input: Any) -> None:
        pass

    def result(self) -> list:
        if self.exceeded:
            raise StatesDataLimitExceeded(
                cause=f"The state/task '{self.state.name}' returned a result with a size "
                      "exceeding the maximum number of bytes service limit.")
        out: list = []
        for index in sorted(self.values):
            value = self.values[index]
            if isinstance(value, tuple):
                out.extend(value)
            else:
                out.append(value)
        return out

    def close(self) -> None:
        self.values = {}


def _size(values: Any) -> int:
    return sum(len(dumps(value).encode()) + 1 for value in values)


class _Part:
    """One result file being written."""

    def __init__(self, jsonl: bool):
        import tempfile  # here: it imports random and shutil, which a run without a spool never needs

        handle, self.path = tempfile.mkstemp(prefix="asl-runner-results-", suffix=".json")
        self.file = os.fdopen(handle, "wb")
        self.jsonl = jsonl
        self.size = 0
        self.count = 0

    def write(self, value: Any) -> None:
        text = dumps(value).encode()
        data = text + b"\n" if self.jsonl else (b"," if self.count else b"[") + text
        self.file.write(data)
        self.size += len(data)
        self.count += 1

    def finish(self) -> tuple[str, int]:
        if not self.jsonl:
            self.file.write(b"]" if self.count else b"[]")
            self.size += 1 if self.count else 2
        self.file.close()
        return self.path, self.size

    def reopen(self) -> None:
        """Write on after :meth:`finish` (a redriven Map Run's further records)."""
        self.file = open(self.path, "r+b")  # noqa: SIM115 - closed by finish or close
        if not self.jsonl:  # take the closing bracket (all of "[]" when empty) off again
            self.size -= 1 if self.count else 2
            self.file.truncate(self.size)
        self.file.seek(self.size)


def _remove(paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


class Spooled:
    """The results on their way to S3: each child's record in a temporary file as it ends."""

    def __init__(self, state: MapState):
        output_type, self.transformation = _config(state)
        self.jsonl = output_type == "JSONL"
        self.parts: dict[str, list[_Part]] = {}
        self._written: dict[str, list[_Part]] = {}
        self.paths: list[str] = []
        # files left by a run that never finished (its execution abandoned) go with it
        self._cleanup = weakref.finalize(self, _remove, self.paths)

    def _write(self, status: str, values: list) -> None:
        parts = self.parts.setdefault(status, [])
        if not parts or parts[-1].size >= MAX_FILE_BYTES:
            parts.append(_Part(self.jsonl))
            self.paths.append(parts[-1].path)
        for value in values:
            parts[-1].write(value)

    def add(self, child: ChildExecution) -> None:
        status = _FILE_STATUS.get(child.status, "FAILED")
        self._write(status, _outputs(child, self.transformation, whole=True))

    def pending(self, item_input: Any) -> None:
        self._write("PENDING", [{"Input": dumps(item_input), "InputDetails": {"Included": True},
                                 "Status": "PENDING"}])

    def files(self) -> dict[str, list]:
        """Each status's finished files, ``[path, size]`` in order."""
        out = {status: [list(part.finish()) for part in parts]
               for status, parts in self.parts.items()}
        self._written, self.parts = self.parts, {}
        return out

    def keep_succeeded(self) -> None:
        """For a redrive of the Map Run (its results written, or not: it was aborted): the
        SUCCEEDED records stay, and the redrive writes them again with its own (after them);
        the others go (their children run again)."""
        written, self._written = self._written, {}
        unwritten, self.parts = self.parts, {}
        kept, still_open = written.pop("SUCCEEDED", []), unwritten.pop("SUCCEEDED", [])
        for parts in unwritten.values():
            for part in parts:
                part.file.close()
        gone = {part.path for parts in (*written.values(), *unwritten.values()) for part in parts}
        _remove(list(gone))
        self.paths[:] = [path for path in self.paths if path not in gone]
        for part in kept:
            part.reopen()
        if kept or still_open:
            self.parts["SUCCEEDED"] = kept + still_open

    def close(self) -> None:
        for parts in self.parts.values():
            for part in parts:
                part.file.close()
        self._cleanup()


def results(state: MapState) -> Collected | Spooled:
    """Where a Map Run's results go."""
    return Spooled(state) if exports(state) else Collected(state)


def write(ex: Execution, frame: Frame, state: MapState, effective: Any, map_run_arn: str,
          spooled: Spooled, on_written: Callable[[dict], bool],
          on_failed: Callable[[StatesError], bool], keep: bool = False) -> bool:
    """Schedule the upload; ``on_written`` gets the Map's result. The SUCCEEDED records stay
    for a redrive (``Spooled.keep_succeeded``) when the Map Run failed (``keep``) or the
    write did."""
    writer = state.result_writer
    if not s3_action(writer["Resource"], WRITERS):  # validate refuses it; unvalidated gets here
        spooled.close()
        return on_failed(StatesError(RESULT_WRITER_FAILED, f"A ResultWriter writes with "
                                     f"s3:putObject, not {writer['Resource']}"))
    request = state.flow.map_run_request("ResultWriter", effective, frame)
    payload = {"Parameters": request, "MapRunArn": map_run_arn, "Files": spooled.files()}

    def outcome(result: Any) -> bool:
        if keep or isinstance(result, StatesError):
            spooled.keep_succeeded()
        else:
            spooled.close()
        if isinstance(result, StatesError):
            return on_failed(as_error(result, RESULT_WRITER_FAILED))
        return on_written({"MapRunArn": map_run_arn, "ResultWriterDetails": result})

    return invoke(ex, frame, state, writer["Resource"], payload, outcome)
