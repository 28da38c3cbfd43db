"""Names as the Step Functions API checks them: executions, state machines, activities, aliases.

One rule for every front end (the API's StartExecution and CreateStateMachine, ``asl-runner run
--name``), with AWS's error codes and messages. AWS documents what a name must not contain:
whitespace, brackets ``< > { } [ ]``, wildcards ``? *``, the special characters
``" # % \\ ^ | ~ ` $ & , ; : /``, control characters (U+0000-001F, U+007F-009F, U+FFFE-FFFF),
surrogates (U+D800-DFFF) and U+10FFFF; and 1 to 80 characters.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

MAX_LENGTH = 80

_FORBIDDEN = re.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\x00-\x1f\x7f-\x9f"
                        "\ufffe\uffff\ud800-\udfff\U0010ffff]")

#: the rule in words, for messages that help the user pick a valid name
RULE = (f"1 to {MAX_LENGTH} characters, without whitespace, brackets (< > {{ }} [ ]), "
        "wildcards (? *), any of \" # % \\ ^ | ~ ` $ & , ; : / or control characters")


class InvalidName(ValueError):
    """A name the API refuses: ``code`` is AWS's error code, ``message`` its message."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check_name(name: str, field: str = "name") -> str:
    """Return ``name`` if the API accepts it, else raise InvalidName as AWS answers: a
    ValidationException for the length, InvalidName for a forbidden character."""
    if not name:
        raise InvalidName("ValidationException", (
            f"1 validation error detected: Value '' at '{field}' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"))
    if len(name) > MAX_LENGTH:
        raise InvalidName("ValidationException", (
            f"1 validation error detected: Value '{name}' at '{field}' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_LENGTH}"))
    if _FORBIDDEN.search(name):
        raise InvalidName("InvalidName", f"Invalid Name: '{name}'")
    return name


def random_uuid(rng: random.Random | None = None) -> str:
    """A random (version 4) UUID as ``str(uuid.uuid4())`` writes it, from ``rng`` if given
    (an execution's own, for names that a seeded run repeats), else from os.urandom.

    Not from the uuid module, whose import runs platform's on Linux: about 11 million
    instructions, 5% of a one-state ``asl-runner run``."""
    raw = bytearray(rng.getrandbits(128).to_bytes(16, "big") if rng is not None else os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122's variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
