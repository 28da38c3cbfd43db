"""Map: runs its processor once per item (inline), or as a Map Run of child executions
(distributed), and gathers the outputs in item order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataFlowError, QueryEvaluationFailure, StatesError
from ..names import random_uuid
from . import item_batcher, map_redrive, path_numbers
from .fanout import FanOut
from .frame import FAILED, SUCCEEDED, ItemEnv
from .map_pages import PagedRun
from .map_run import MapRun

if TYPE_CHECKING:
    from ..model import MapState
    from .execution import Execution
    from .frame import Frame


def _integer(field: str, path: Any, doc: Any, frame: Frame) -> int:
    return path_numbers.integer(field, path_numbers.select(path, doc, frame), path.text)


def _float(field: str, path: Any, doc: Any, frame: Frame) -> float:
    return path_numbers.decimal(field, path_numbers.select(path, doc, frame), path.text)


def _settings(state: MapState, doc: Any, frame: Frame) -> tuple[int, int | None, float | None]:
    flow = state.flow
    max_concurrency = flow.value("max_concurrency", state.max_concurrency, doc, frame)
    if state.max_concurrency_path is not None:
        max_concurrency = _integer("MaxConcurrencyPath", state.max_concurrency_path, doc, frame)
        if max_concurrency < 0:
            raise DataFlowError("MaxConcurrency must be a non-negative integer.")
    count = flow.value("tolerated_failure_count", state.tolerated_failure_count, doc, frame)
    if state.tolerated_failure_count_path is not None:
        count = _integer("ToleratedFailureCountPath", state.tolerated_failure_count_path,
                         doc, frame)
    if count is not None and count < 0:
        raise DataFlowError("ToleratedFailureCount cannot be negative.")
    percentage = flow.value("tolerated_failure_percentage", state.tolerated_failure_percentage,
                            doc, frame)
    if state.tolerated_failure_percentage_path is not None:
        percentage = _float("ToleratedFailurePercentagePath",
                            state.tolerated_failure_percentage_path, doc, frame)
    if percentage is not None and not 0 <= percentage <= 100:
        raise DataFlowError("ToleratedFailurePercentage must be between 0 and 100.")
    return max_concurrency, count, percentage


def _settings_seen(max_concurrency: int, count: int | None, percentage: float | None) -> dict:
    """The Map's settings as TestState's inspectionData reports them (numbers, not text)."""
    seen: dict[str, Any] = {"maxConcurrency": max_concurrency}
    if count is not None:
        seen["toleratedFailureCount"] = count
    if percentage is not None:
        seen["toleratedFailurePercentage"] = float(percentage)
    return seen


def _max_items(state: MapState, effective: Any, frame: Frame) -> int:
    """ReaderConfig's MaxItems (or what MaxItemsPath refers to); 0: no limit."""
    config = state.item_reader.get("ReaderConfig") or {}
    if "MaxItemsPath" in config:
        from ..paths import compile_path

        return _integer("MaxItemsPath", compile_path(config["MaxItemsPath"]), effective,
                        frame)
    return state.flow.value("max_items", config.get("MaxItems"), effective, frame) or 0


def _run_failure(child_error: StatesError) -> str:
    """The cause of a failed Map Run: AWS's, plus what went wrong inside when it is something
    asl-runner itself could not run (on AWS the child would have run: the user must know)."""
    cause = "The specified tolerated failure threshold was exceeded"
    inner = child_error.cause or ""
    if "asl-runner" in inner:  # asl-runner's own words: see integrations.registry.cannot_run
        cause += f". An iteration failed because asl-runner could not run it: {inner}"
    return cause


def _inputs(ex: Execution, frame: Frame, state: MapState, items: list, effective: Any) -> list:
    """The iterations' inputs: the items through the ItemSelector, then batched
    (ItemBatcher), in the order AWS applies them."""
    flow = state.flow
    if flow.has_item_selector():
        items = [flow.item_input(effective, ItemEnv(frame, i, item)) for i, item in enumerate(items)]
        if frame.inspection is not None:
            frame.inspection["afterItemSelector"] = items
        for item_input in items:
            ex.check_size(state, item_input)
    if state.item_batcher is not None:
        batcher = item_batcher.batcher(state, effective, frame)
        items = [*batcher.add(items), *batcher.flush()]
        if frame.inspection is not None:
            frame.inspection["afterItemBatcher"] = items
    return items


def run(ex: Execution, frame: Frame, state: MapState) -> bool:
    ex.enter(frame, state)
    effective = state.flow.input(frame.input, frame)
    if state.item_reader is not None:
        # the items are read once the Map Run has started (ItemsPath plays no part: recorded)
        return attempt(ex, frame, state, None, effective, None)
    try:
        items = state.flow.items(effective, frame)
        if frame.inspection is not None:
            frame.inspection["afterItemsPath"] = items
    except QueryEvaluationFailure as failure:
        return ex.fail_state(frame, state, ex.evaluation_failed(frame, state, failure),
                             before_catch=lambda: ex.emit(frame, "MapStateFailed"))
    # an inline Map checks its settings before it starts; a distributed one when it sets up
    # its Map Run, after MapStateStarted (as AWS's histories show)
    settings = None if state.mode == "DISTRIBUTED" else _settings(state, effective, frame)
    return attempt(ex, frame, state, _inputs(ex, frame, state, items, effective), effective,
                   settings)


def attempt(ex: Execution, frame: Frame, state: MapState, inputs: list | None, effective: Any,
            settings: tuple[int, int | None, float | None] | None) -> bool:
    """One attempt of the Map (a retry is another); ``inputs`` None: an ItemReader reads
    them, after MapStateStarted (whose length is then 0, as AWS records it) and MapRunStarted."""
    distributed = state.mode == "DISTRIBUTED"
    # a redrive resumes the Map Run this state's last attempt failed in (engine.map_redrive)
    resumed = map_redrive.resumable(frame, state) if distributed else None
    ex.emit(frame, "MapStateStarted", {"length": len(inputs) if inputs is not None else 0})
    if settings is None:
        settings = _settings(state, effective, frame)
    max_concurrency, tolerated_count, tolerated_percentage = settings
    if frame.inspection is not None:
        frame.inspection.update(_settings_seen(max_concurrency, tolerated_count,
                                               tolerated_percentage))
    if inputs is None and resumed is None:  # checked before its Map Run starts (recorded)
        max_items = _max_items(state, effective, frame)
        request = state.flow.map_run_request("ItemReader", effective, frame)
    run_started = 0
    map_run_arn = ""
    map_run: MapRun | None = None
    if resumed is not None:
        map_run = resumed.map_run
        if map_run.redrive_count >= map_redrive.MAX_REDRIVES:
            raise map_redrive.too_many(map_run.arn)
        run_started = ex.emit(frame, "MapRunRedriven", {"mapRunArn": map_run.arn,
                                                        "redriveCount": map_run.redrive_count + 1})
        map_run.redrive(ex.frame_time(frame))
    elif distributed:
        label = state.label or f"{ex.random.getrandbits(32):08x}"
        run_id = random_uuid(ex.random)
        map_run_arn = (f"arn:aws:states:{ex.region}:{ex.account}:mapRun:"
                       f"{ex.state_machine_name}/{label}:{run_id}")
        run_started = ex.emit(frame, "MapRunStarted", {"mapRunArn": map_run_arn})
        map_run = MapRun(ex, frame, state.name, map_run_arn, label,
                         state.execution_type or "STANDARD", ex.frame_time(frame),
                         processor=state.processor.source)
        map_run.configure(max_concurrency, tolerated_count, tolerated_percentage)

    def retry() -> bool:
        return attempt(ex, frame, state, inputs, effective, settings)

    def succeeded(results: Any) -> bool:
        if map_run is not None:
            map_run.finish(SUCCEEDED)
            frame.cursor = run_started
            ex.emit(frame, "MapRunSucceeded")
            ex.emit(frame, "MapStateSucceeded", advance=False)
            frame.cursor = run_started
        else:
            ex.emit(frame, "MapStateSucceeded", advance=False)
        if isinstance(results, StatesError):  # the results were over the payload quota
            raise results
        return ex.finish(frame, state, state.flow.result(results, frame))

    def run_failed(error: StatesError) -> bool:
        """The Map Run failed as a whole (its reader, or its iterations)."""
        if map_run is not None:
            map_run.finish(FAILED)
            frame.cursor = run_started
            ex.emit(frame, "MapRunFailed", {"error": error.error, "cause": error.cause})
        return ex.fail_state(frame, state, error,
                             before_catch=lambda: ex.emit(frame, "MapStateFailed"), retry=retry)

    def failed(child_error: StatesError) -> bool:
        if not distributed:
            return run_failed(child_error)
        return run_failed(StatesError("States.ExceedToleratedFailureThreshold",
                                      _run_failure(child_error)))

    if resumed is not None:
        return resumed.redrive(on_succeeded=succeeded, on_failed=run_failed, on_threshold=failed)
    if map_run is not None:
        paged = PagedRun(ex, frame, state, effective, map_run, settings, on_succeeded=succeeded,
                         on_failed=run_failed, on_threshold=failed)
        return paged.run_inputs(inputs) if inputs is not None else paged.read(request, max_items)
    ex.start_fanout(FanOut(
        ex, frame, state, [state.processor], inputs, map_events=True,
        max_concurrency=max_concurrency, tolerated_count=tolerated_count,
        tolerated_percentage=tolerated_percentage, on_done=succeeded, on_failed=failed))
    return False
