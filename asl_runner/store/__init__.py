"""Durable storage of state machines, executions, their histories and what drives them."""

from .sqlite import Store, StoreError, StoreLocked

__all__ = ["Store", "StoreError", "StoreLocked"]
