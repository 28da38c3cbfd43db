"""Durable storage of state machines, executions, their histories and what drives them."""

from .sqlite import Store

__all__ = ["Store"]
