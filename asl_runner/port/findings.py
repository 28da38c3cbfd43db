"""What ``asl-runner lint --for-aws`` reports: findings, each at a JSON pointer."""

from __future__ import annotations

from collections.abc import Iterable

from ..record import Record

#: a finding that stops a deploy (CreateStateMachine would refuse the definition, or the
#: deployed machine could not do what it did offline)
ERROR = "error"
#: something that would behave differently on AWS, or needs configuration there
WARNING = "warning"
#: what to know, nothing to change
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


class Finding(Record):
    """One item of the report: ``pointer`` is a JSON pointer into the definition (or, with
    ``file``, into that recorded history)."""

    severity: str
    code: str
    pointer: str
    message: str
    file: str | None = None

    def to_json(self) -> dict:
        found = {"severity": self.severity, "code": self.code, "pointer": self.pointer,
                 "message": self.message}
        if self.file is not None:
            found["file"] = self.file
        return found

    def __str__(self) -> str:
        where = f"{self.file}#{self.pointer}" if self.file is not None else self.pointer
        return f"{self.severity}: {where or '/'}: {self.message} [{self.code}]"


def blocking(findings: Iterable[Finding]) -> bool:
    """Whether anything in ``findings`` stops a deploy."""
    return any(finding.severity == ERROR for finding in findings)


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    tally = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        tally[finding.severity] += 1
    return tally
