"""Plumbing shared by the example handlers: where they may write, and how.

Handlers write only under three folders, each overridable by an environment variable (tests
point them at tmp_path); what a real system would keep in AWS (the GDPR exports, the e-mails
sent) goes to the account asl-runner's AWS calls go to, through ``_common.aws``. The defaults are relative to the working directory, like the
`--lambdas lambdas` default, so running from the repo root keeps everything in one place.
Paths are read on every call, not at import: a warm handler module must follow the
environment of the run that calls it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

FOLDERS = {
    "archive": ("ASL_RUNNER_ARCHIVE_DIR", "archive"),  # the loan documents generated
    "records": ("ASL_RUNNER_RECORDS_DIR", "records"),  # the fake systems of record
    "staging": ("ASL_RUNNER_STAGING_DIR", "staging"),  # gathered copies awaiting packaging
}

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class InvalidRequest(Exception):
    """The input can never succeed as it is: retrying is pointless, a person must look."""


def folder(kind: str) -> Path:
    variable, default = FOLDERS[kind]
    return Path(os.environ.get(variable) or default).resolve()


def safe_id(value: Any, field: str) -> str:
    # ids become file names: refuse anything that could climb out of its folder
    if not isinstance(value, str) or not SAFE_ID.match(value) or ".." in value:
        raise InvalidRequest(f"{field} must be 1-128 characters of letters, digits, '.', '_' "
                             f"or '-', got {value!r}")
    return value


def write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a reader (or a retry after a crash) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_bytes(path: Path, data: bytes) -> bool:
    """Write ``path`` unless it exists; True when this call created it.

    The link makes creation atomic and exclusive, so two concurrent retries of the same
    step cannot both believe they did the work.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)


def dump_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_json(path: Path, value: Any) -> None:
    write_bytes(path, dump_json(value))


def create_json(path: Path, value: Any) -> bool:
    return create_bytes(path, dump_json(value))


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return default


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_int(*parts: str) -> int:
    """A stable number from strings: fake data derived from it is the same on every run."""
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def parse_time(value: Any, field: str) -> dt.datetime:
    # timestamps come from the input or the context object ($$.State.EnteredTime), never
    # from the handler's own clock: the same event always produces the same result
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be an ISO 8601 timestamp, got {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{field} must be an ISO 8601 timestamp, got {value!r}") from None
    if moment.tzinfo is None:
        raise InvalidRequest(f"{field} must carry a time zone, got {value!r}")
    return moment.astimezone(dt.UTC)


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
