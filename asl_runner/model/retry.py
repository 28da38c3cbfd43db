"""Retry and Catch: retriers and catchers as immutable model objects."""

from __future__ import annotations

from typing import Any

from ..errors import error_matches
from ..paths import Path
from ..payload import Template
from ..record import Record

#: a delay longer than any execution may last (a year; TimeoutSeconds at most 99999999 s)
#: behaves as any longer one: the execution ends first. BackoffRate^attempt is capped here,
#: before it overflows a float (a retrier with a MaxDelaySeconds retries on at that pace).
LONGEST_DELAY = 1e9


class Retrier(Record):
    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"

    def matches(self, error: str | None) -> bool:
        return error_matches(self.error_equals, error)

    def delay(self, attempt: int, random: Any = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based).

        IntervalSeconds × BackoffRate^(attempt-1), capped by MaxDelaySeconds; with FULL
        jitter a uniformly random share of that, as AWS documents.
        """
        try:
            delay = min(self.interval_seconds * (self.backoff_rate ** (attempt - 1)), LONGEST_DELAY)
        except OverflowError:
            delay = LONGEST_DELAY
        if self.max_delay_seconds is not None:
            delay = min(delay, self.max_delay_seconds)
        if self.jitter_strategy == "FULL" and random is not None:
            delay = random.uniform(0, delay)
        return delay


class Catcher(Record):
    error_equals: tuple[str, ...]
    next: str
    #: None: ResultPath absent ("$"); NULL sentinel: discard; a Path otherwise
    result_path: Any = None
    assign: Template | None = None
    output: Any = None  # JSONata mode

    def matches(self, error: str | None) -> bool:
        return error_matches(self.error_equals, error)


def find_retrier(retriers: tuple[Retrier, ...], error: str | None) -> int:
    """Index of the first retrier whose ErrorEquals covers ``error``, or -1."""
    for i, retrier in enumerate(retriers):
        if retrier.matches(error):
            return i
    return -1


def find_catcher(catchers: tuple[Catcher, ...], error: str | None) -> Catcher | None:
    for catcher in catchers:
        if catcher.matches(error):
            return catcher
    return None


__all__ = ["Retrier", "Catcher", "find_retrier", "find_catcher", "Path"]
