"""The states of a definition as frozen model objects (one class per ASL state type).

Path-valued fields follow one convention: ``None`` when the field is absent (the default
applies), :data:`NULL` when the definition sets it to ``null``, a compiled Path otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..paths import Path
from ..payload import Template
from ..record import Record
from .choice import ChoiceRule
from .resource import Resource
from .retry import Catcher, Retrier

if TYPE_CHECKING:
    from .machine import StateMachine


class _Null:
    """The definition said ``null`` (for InputPath/OutputPath: ``{}``; ResultPath: discard)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL"


NULL: Any = _Null()
JSONPATH = "JSONPath"
JSONATA = "JSONata"


class State(Record):
    name: str
    type: str
    comment: str | None = None
    next: str | None = None
    end: bool = False
    query_language: str = JSONPATH
    input_path: Any = None
    output_path: Any = None
    assign: Template | None = None
    output: Any = None  # JSONata Output
    #: JSON pointer of the state in the definition, for messages
    pointer: str = ""
    #: the state's data flow in its query language (asl_runner.dataflow), compiled at load
    flow: Any = None

    @property
    def is_terminal(self) -> bool:
        return self.end or self.type in ("Succeed", "Fail")


class PassState(State):
    result: Any = None
    has_result: bool = False
    parameters: Template | None = None
    result_path: Any = None


class SucceedState(State):
    pass


class FailState(State):
    error: str | None = None
    error_path: Path | None = None
    cause: str | None = None
    cause_path: Path | None = None


class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


class WaitState(State):
    seconds: int | None = None
    seconds_path: Path | None = None
    timestamp: str | None = None
    timestamp_path: Path | None = None


class _Retryable(State):
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    arguments: Any = None  # JSONata Arguments


class TaskState(_Retryable):
    resource: Resource
    timeout_seconds: int | None = None
    timeout_seconds_path: Path | None = None
    heartbeat_seconds: int | None = None
    heartbeat_seconds_path: Path | None = None
    credentials: Any = None


class ParallelState(_Retryable):
    branches: tuple[StateMachine, ...] = ()


class MapState(_Retryable):
    processor: StateMachine
    mode: str = "INLINE"  # or DISTRIBUTED
    execution_type: str | None = None
    items_path: Path | None = None
    items: Any = None  # JSONata Items, or a literal array
    item_selector: Template | None = None
    max_concurrency: int = 0
    max_concurrency_path: Path | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_count_path: Path | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_percentage_path: Path | None = None
    item_reader: Any = None
    item_batcher: Any = None
    result_writer: Any = None
    label: str | None = None
