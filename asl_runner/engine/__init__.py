"""The interpreter: executions advance from event to event; runners perform their effects."""

from .execution import CONTINUE, SUSPEND, Execution, Invocation
from .runner import Runner

__all__ = ["Execution", "Invocation", "Runner", "CONTINUE", "SUSPEND"]
