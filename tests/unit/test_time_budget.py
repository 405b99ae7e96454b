"""The writer's and checker's retries, bounded by the invocation's time left."""

from __future__ import annotations

import pytest

from connect_tracker.budget import TimeBudget, with_retries
from connect_tracker.store import StoreUnavailable


class Invocation:
    """A Lambda invocation's clock: time passes only when the code waits."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds
        self.pauses: list[float] = []

    def time_left(self) -> float:
        return self.left

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.left -= seconds


def failing(times: int, invocation: Invocation, attempt_cost: float = 0.0):
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        invocation.left -= attempt_cost
        if len(calls) <= times:
            raise StoreUnavailable("DynamoDB GetItem failed: ReadTimeoutError")
        return "answer"

    return call, calls


def test_a_fast_failure_is_tried_again_while_a_whole_attempt_fits():
    invocation = Invocation(5.0)
    call, calls = failing(3, invocation)
    budget = TimeBudget(invocation.time_left, attempt_seconds=3.0)
    assert with_retries(call, budget, sleep=invocation.sleep) == "answer"
    assert len(calls) == 4
    assert all(0 < pause <= 0.5 for pause in invocation.pauses)


def test_no_attempt_is_started_that_could_outlast_the_invocation():
    invocation = Invocation(5.0)
    call, calls = failing(99, invocation, attempt_cost=3.0)  # every attempt runs its full time
    budget = TimeBudget(invocation.time_left, attempt_seconds=3.0)
    with pytest.raises(StoreUnavailable):
        with_retries(call, budget, sleep=invocation.sleep)
    assert len(calls) == 1  # 2 s left after it: a second would not fit
    assert invocation.left > budget.margin_seconds


def test_retries_stop_in_time_when_failures_are_fast():
    invocation = Invocation(5.0)
    call, calls = failing(10_000, invocation, attempt_cost=0.01)
    budget = TimeBudget(invocation.time_left, attempt_seconds=3.0)
    with pytest.raises(StoreUnavailable):
        with_retries(call, budget, sleep=invocation.sleep)
    assert 1 < len(calls) < 100
    assert invocation.left > budget.attempt_seconds  # the last attempt could still finish


def test_without_a_clock_each_call_is_made_once():
    invocation = Invocation(0.0)
    call, calls = failing(1, invocation)
    with pytest.raises(StoreUnavailable):
        with_retries(call, TimeBudget(), sleep=invocation.sleep)
    assert len(calls) == 1
    call, calls = failing(0, invocation)
    assert with_retries(call, TimeBudget(), first=False, sleep=invocation.sleep) == "answer"


def test_a_later_call_is_refused_when_no_whole_attempt_fits():
    invocation = Invocation(3.2)
    call, calls = failing(0, invocation)
    budget = TimeBudget(invocation.time_left, attempt_seconds=3.0)
    with pytest.raises(StoreUnavailable, match="no time left"):
        with_retries(call, budget, first=False, sleep=invocation.sleep)
    assert calls == []
    assert with_retries(call, budget, sleep=invocation.sleep) == "answer"  # a first call is made


def test_the_next_attempt_may_take_the_time_left_less_the_margin():
    invocation = Invocation(4.8)
    assert TimeBudget(invocation.time_left, attempt_seconds=2.0).attempt_limit() == pytest.approx(
        4.5
    )
    assert TimeBudget().attempt_limit() is None  # no clock: calls as the client is built


def test_a_writer_attempt_that_failed_fast_is_tried_again_with_the_time_still_left():
    """The writer sizes each attempt to the time left (TrackerStore.within), so after a fast
    failure the next attempt gets what remains, not a fixed slice of it."""
    invocation = Invocation(5.0)
    budget = TimeBudget(invocation.time_left, attempt_seconds=2.0)
    limits: list[float | None] = []
    failures = iter([True, False])

    def call() -> str:
        limits.append(budget.attempt_limit())
        invocation.left -= 0.1
        if next(failures):
            raise StoreUnavailable("DynamoDB TransactWriteItems failed: ThrottlingException")
        return "answer"

    assert with_retries(call, budget, sleep=invocation.sleep) == "answer"
    assert limits[0] == pytest.approx(4.7)
    assert 4.0 < limits[1] < limits[0]  # the second attempt may wait for almost all the rest
