"""Step Functions ARNs: what kind of resource one names, or AWS's InvalidArn for it.

AWS's recorded answers: a string that is not a Step Functions ARN is "Invalid Arn: 'Invalid ARN
prefix: <arn>'"; an ARN of another resource type is "Invalid Arn: 'Resource type not valid in
this context: <type>'" (DescribeExecution of an ``express`` ARN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import invalid_arn

_STATES_ARN = re.compile(r"arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)")
_ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/.+")


@dataclass(frozen=True)
class Arn:
    text: str
    type: str  # stateMachine, execution, express, activity, ...
    parts: tuple[str, ...]  # what follows the type, split at ':'

    @property
    def base(self) -> str:
        """The ARN without a version or alias qualifier (a state machine's own ARN)."""
        prefix = self.text[: len(self.text) - len(":".join(self.parts))]
        return prefix + self.parts[0]

    @property
    def version(self) -> int | None:
        """A state machine version ARN's number (``...:stateMachine:name:3``)."""
        if self.type == "stateMachine" and len(self.parts) == 2 and self.parts[1].isdigit():
            return int(self.parts[1])
        return None

    @property
    def alias(self) -> str | None:
        """A state machine alias ARN's alias name (``...:stateMachine:name:PROD``)."""
        if self.type == "stateMachine" and len(self.parts) == 2 and not self.parts[1].isdigit():
            return self.parts[1]
        return None


def parse_arn(text: str, *types: str) -> Arn:
    """The ARN ``text``, which must name one of ``types``; InvalidArn otherwise."""
    match = _STATES_ARN.fullmatch(text)
    if match is None:
        raise invalid_arn(f"Invalid ARN prefix: {text}")
    kind = match.group(3)
    if kind not in types:
        raise invalid_arn(f"Resource type not valid in this context: {kind.lower()}")
    return Arn(text, kind, tuple(match.group(4).split(":")))


def check_role_arn(text: str) -> str:
    if not _ROLE_ARN.fullmatch(text):
        raise invalid_arn(f"Invalid ARN prefix: {text}")
    return text
