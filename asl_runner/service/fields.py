"""The rules the Step Functions service adds to its model's constraints: names, JSON payloads,
tags. Each raises AWS's error for a bad value; none touches the store or the engine."""

from __future__ import annotations

from typing import Any

from .. import names
from ..jsonvalue import PAYLOAD_LIMIT, JsonInputError, loads
from .errors import ApiError, validation_errors

#: AWS: "Maximum number of tags per resource: 50"
MAX_TAGS = 50


def check_name(name: str, field: str = "name") -> str:
    """A name of a state machine, execution or activity, by AWS's rule (``asl_runner.names``,
    which ``run --name`` shares)."""
    try:
        return names.check_name(name, field)
    except names.InvalidName as exc:
        raise ApiError(exc.code, exc.message) from None


def check_payload_size(field: str, text: str) -> None:
    """Inputs and outputs are limited in UTF-8 bytes (AWS: "262,144 bytes of data as a UTF-8
    encoded string"), the model's length in characters."""
    if len(text) * 3 > PAYLOAD_LIMIT and len(text.encode()) > PAYLOAD_LIMIT:
        raise validation_errors([f"Value at '{field}' failed to satisfy constraint: Member must "
                                 f"have length less than or equal to {PAYLOAD_LIMIT}"])


def execution_input(text: str) -> Any:
    """A StartExecution input (JSON text) as a value, or InvalidExecutionInput."""
    check_payload_size("input", text)
    if not text.strip():
        raise ApiError("InvalidExecutionInput", "Invalid State Machine Execution Input: 'Invalid execution input.'")
    try:
        return loads(text)
    except JsonInputError as exc:
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from None


def task_output(text: str) -> Any:
    """A SendTaskSuccess output (JSON text) as a value, or InvalidOutput."""
    check_payload_size("output", text)
    try:
        return loads(text)
    except JsonInputError as exc:
        raise ApiError("InvalidOutput", f"Invalid Output: '{exc}'") from None


def tag_map(tags: list[dict[str, str]], field: str = "tags") -> dict[str, str]:
    """A tag list (already checked against the model) as a dict. Both members are optional in
    AWS's model; a tag needs a key, a missing value is empty."""
    missing = [f"Value null at '{field}.{n}.member.key' failed to satisfy constraint: Member must not be null"
               for n, tag in enumerate(tags, 1) if "key" not in tag]
    if missing:
        raise validation_errors(missing)
    return {tag["key"]: tag.get("value", "") for tag in tags}


def check_tag_count(arn: str, tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise ApiError("TooManyTags", f"Too many tags: a resource may have at most {MAX_TAGS} tags, "
                       f"this request would give it {len(tags)}", resourceName=arn)
