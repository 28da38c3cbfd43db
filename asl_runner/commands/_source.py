"""The definition the porting commands (lint, deploy, export) work on, as written and parsed."""

from __future__ import annotations

from typing import Any

from ..record import Record


class Source(Record):
    """``definition`` as parsed JSON, ``text`` as read (what deploy sends when nothing in it
    changes), ``machine`` the model."""

    path: str
    definition: Any
    text: str
    machine: Any


def load_source(path: str) -> Source:
    """Read and parse DEFINITION (a usage error, exit 2, when it cannot be)."""
    from ..cli import _load_machine, _read_definition

    machine = _load_machine(path)
    return Source(path, machine.source, _read_definition(path), machine)
