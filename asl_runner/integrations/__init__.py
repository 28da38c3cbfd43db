"""Resolving a Task's resource to something that runs: local handlers, mocks, AWS."""

from .registry import Integrations

__all__ = ["Integrations"]
