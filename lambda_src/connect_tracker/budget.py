"""How long a handler may keep trying, and how long it pauses between tries.

Beneath the writer and checker (``service``) and the worker (``worker``): every table call
is tried again only while the invocation still has time for a whole attempt, and every
pause between tries grows exponentially, capped and jittered (``backoff``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from connect_tracker.store import StoreUnavailable

#: Wall-clock seconds since the epoch (``time.time``), replaceable in tests.
Clock = Callable[[], float]
T = TypeVar("T")

#: Pauses between tries of one table call: 0.1, 0.2, 0.4, 0.5, 0.5 ... s, each jittered.
_STORE_BACKOFF_BASE_SECONDS = 0.1
_STORE_BACKOFF_CAP_SECONDS = 0.5


class NoTimeLeft(StoreUnavailable):
    """A table call was not made: the invocation has no time left for a whole attempt (the
    table itself may be fine; a fresh invocation has the time)."""


@dataclass(frozen=True)
class TimeBudget:
    """How long a handler may keep calling the table: the invocation's time left.

    ``attempt_seconds`` is the longest one store call can take (the SDK's connect plus read
    timeout, all its attempts). A call is started, or tried again, only while a whole
    attempt still fits, ``margin_seconds`` included, so a slow table ends in a clear answer
    or error before the function's own timeout. Without ``time_left`` (no Lambda context)
    every call is made once. Retries are safe: creating a request is a conditional put (a
    retry finds it and reuses it); answering a poll reads, and seals conditionally; the
    worker's writes are conditional on its claim token.
    """

    time_left: Callable[[], float] | None = None
    attempt_seconds: float = 0.0
    margin_seconds: float = 0.3

    def fits(self, pause: float = 0.0) -> bool:
        """Whether a whole attempt fits after ``pause``; always, without a clock."""
        if self.time_left is None:
            return True
        return self.time_left() - pause > self.attempt_seconds + self.margin_seconds

    def may_retry(self, pause: float) -> bool:
        """Whether a failed call may be tried again after ``pause``; never, without a clock."""
        return self.time_left is not None and self.fits(pause)

    def attempt_limit(self) -> float | None:
        """How long the next attempt may take: the time left, less the margin (None
        without a clock). For a caller whose attempts are sized to the time left, such as
        the writer's (``TrackerStore.within``), ``attempt_seconds`` is the shortest attempt
        still worth starting."""
        if self.time_left is None:
            return None
        return self.time_left() - self.margin_seconds


def backoff(
    attempt: int,
    base_seconds: float,
    cap_seconds: float,
    jitter: Callable[[float, float], float] = random.uniform,
) -> float:
    """The pause after failed try ``attempt`` (1, 2, ...): ``base * 2**(attempt - 1)``, at
    most ``cap_seconds``, times a random 0.5-1 so that callers failing together spread out."""
    ceiling = min(base_seconds * 2.0 ** min(attempt - 1, 32), cap_seconds)
    return float(ceiling * jitter(0.5, 1.0))


def with_retries(
    call: Callable[[], T],
    budget: TimeBudget,
    *,
    first: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, tried again after ``StoreUnavailable`` while ``budget`` fits an attempt.

    ``first``: the invocation's first table call, always made; a later call is refused
    with ``NoTimeLeft`` (a ``StoreUnavailable``) when no whole attempt fits any more.
    """
    if not first and not budget.fits():
        raise NoTimeLeft("no time left for another table call in this invocation")
    attempt = 0
    while True:
        try:
            return call()
        except StoreUnavailable:
            attempt += 1
            pause = backoff(attempt, _STORE_BACKOFF_BASE_SECONDS, _STORE_BACKOFF_CAP_SECONDS)
            if not budget.may_retry(pause):
                raise
            sleep(pause)
