"""The terminal's width, as ``shutil.get_terminal_size`` tells it, without importing shutil:
that import (bz2, lzma, zlib, fnmatch) cost a plain ``asl-runner run`` about 9 million
instructions, for a number the trace and ``--help`` read once."""

from __future__ import annotations

import os
import sys


def columns(fallback: int = 80) -> int:
    """$COLUMNS if set, else the width of the terminal on stdout, else ``fallback``."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 0
    return width or fallback
