"""The immutable model of a definition: parse once, run many times."""

from .machine import StateMachine, load_json_definition, parse_definition
from .resource import Resource, parse_resource
from .states import (
    JSONATA,
    JSONPATH,
    NULL,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)

__all__ = [
    "StateMachine", "parse_definition", "load_json_definition", "Resource", "parse_resource",
    "State", "PassState", "TaskState", "ChoiceState", "WaitState", "SucceedState", "FailState",
    "ParallelState", "MapState", "NULL", "JSONPATH", "JSONATA",
]
