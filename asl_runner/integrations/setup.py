"""Creating what a machine expects before it runs (buckets, tables, queues, topics, objects):
a list of AWS calls made, in order, where the run's AWS calls go (in-process moto by default).

The format is the conformance corpus's ``resources`` list: each item names a boto3 client
(``service``), one of its methods (``op``, boto3's snake_case name) and its keyword arguments
(``params``), for example::

    [{"service": "s3", "op": "create_bucket", "params": {"Bucket": "exports"}},
     {"service": "dynamodb", "op": "create_table", "params": {"TableName": "orders", ...}}]

An optional ``region`` picks the region of one call. A malformed file, an unknown service or
method, and a call the service refuses are :class:`SetupError`, with the item's JSON pointer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import AslRunnerError
from ..jsonvalue import JsonInputError, loads

_KEYS = {"service", "op", "params", "region"}


class SetupError(AslRunnerError):
    """The setup could not be read or made; the message says where and why."""


def read_setup(source: str | Path | list) -> list[dict]:
    """The calls of a setup file (or of its structure, already a list), checked."""
    where = "the AWS setup"
    calls: Any = source
    if isinstance(source, (str, Path)):
        where = str(source)
        try:
            calls = loads(Path(source).read_text(encoding="utf-8"))
        except OSError as exc:
            raise SetupError(f"cannot read {where}: {exc.strerror or exc}") from None
        except (JsonInputError, UnicodeDecodeError) as exc:
            raise SetupError(f"{where}: not JSON: {exc}") from None
    if not isinstance(calls, list):
        raise SetupError(f"{where}: /: a list of calls, not {type(calls).__name__}")
    for i, call in enumerate(calls):
        pointer = f"/{i}"
        if not isinstance(call, dict):
            raise SetupError(f"{where}: {pointer}: a call is an object with service, op and params")
        unknown = sorted(set(call) - _KEYS)
        if unknown:
            raise SetupError(f"{where}: {pointer}/{unknown[0]}: unknown key (use {', '.join(sorted(_KEYS))})")
        for key in ("service", "op"):
            if not isinstance(call.get(key), str) or not call[key]:
                raise SetupError(f"{where}: {pointer}/{key}: a name (string) is required")
        if not isinstance(call.get("params", {}), dict):
            raise SetupError(f"{where}: {pointer}/params: the call's arguments, an object")
        if "region" in call and not isinstance(call["region"], str):
            raise SetupError(f"{where}: {pointer}/region: a region name (string)")
    return calls


def apply_setup(target: Any, calls: list[dict], where: str = "the AWS setup") -> None:
    """Make ``calls`` through ``target`` (an ``integrations.aws.AwsTarget``), in order."""
    from botocore.exceptions import BotoCoreError, ClientError

    for i, call in enumerate(calls):
        pointer = f"{where}: /{i}"
        try:
            client = target.client(call["service"], target.region(call.get("region")))
        except Exception as exc:  # botocore's UnknownServiceError and the like
            raise SetupError(f"{pointer}/service: {exc}") from None
        method = getattr(client, call["op"], None)
        if method is None or not callable(method):
            raise SetupError(f"{pointer}/op: the {call['service']} client has no method "
                             f"{call['op']!r} (boto3's snake_case names, e.g. create_bucket)")
        try:
            method(**call.get("params", {}))
        except (ClientError, BotoCoreError) as exc:
            raise SetupError(f"{pointer}: {call['service']}.{call['op']} failed: {exc}") from None
