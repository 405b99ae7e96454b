"""How a simulated contact keeps time.

`SimulatedClock` (the default) advances by each prompt's spoken length, each Wait, and
each Lambda call's measured duration (capped at the block's time limit, as Connect
stops waiting there); `RealClock` actually sleeps, so a Lambda polled by the flow sees
the same spacing a real contact would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    real_time: bool

    def elapsed(self) -> float:
        """Seconds since the contact started."""
        ...

    def pass_time(self, seconds: float) -> None:
        """The caller spends this long (a prompt plays, a Wait block waits)."""
        ...

    def account(self, seconds: float) -> None:
        """This much time went by while something ran (already measured)."""
        ...


class SimulatedClock:
    real_time = False

    def __init__(self) -> None:
        self._now = 0.0

    def elapsed(self) -> float:
        return self._now

    def pass_time(self, seconds: float) -> None:
        self._now += seconds

    def account(self, seconds: float) -> None:
        self._now += seconds


class RealClock:
    real_time = True

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep = sleep
        self._monotonic = monotonic
        self._start = monotonic()

    def elapsed(self) -> float:
        return self._monotonic() - self._start

    def pass_time(self, seconds: float) -> None:
        self._sleep(seconds)

    def account(self, seconds: float) -> None:
        del seconds  # the wall clock already moved
