"""Resolving a Task's resource to something that runs: local handlers, mocks, AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import Integrations

__all__ = ["Integrations"]


def __getattr__(name: str) -> Any:
    # the registry (and the local Lambda runtime it imports) loads on first use: validating
    # a definition reads this package's catalog and runs nothing
    if name == "Integrations":
        from .registry import Integrations

        return Integrations
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
