"""The checker's wait, on plain data: a fake store whose request changes on a fake clock.

Time passes only when the checker pauses (its injected sleep) or a read takes time, so
every assertion is about what the checker read and answered, and when, never about how
fast this machine is.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from connect_tracker.domain import Status, TrackerRequest, new_request
from connect_tracker.handlers._runtime import ATTEMPT_SECONDS
from connect_tracker.service import (
    WAIT_READ_INTERVAL_SECONDS,
    TimeBudget,
    Wait,
    check_request,
)
from connect_tracker.store import ConditionalWrite, StoreUnavailable

ROOT = Path(__file__).resolve().parents[2]
CREATED_AT = 1_000_000.0
INTERVAL = WAIT_READ_INTERVAL_SECONDS
UNKNOWN_ID = "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"


class Invocation:
    """One checker invocation: its elapsed time, the wall clock and the time left."""

    def __init__(self, timeout: float = 7.0, *, wall: float = CREATED_AT + 10) -> None:
        self.t = 0.0
        self.timeout = timeout
        self.wall = wall
        self.pauses: list[float] = []

    def elapsed(self) -> float:
        return self.t

    def now(self) -> float:
        return self.wall + self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.pauses.append(seconds)
        self.t += seconds

    def time_left(self) -> float:
        return self.timeout - self.t

    def budget(self) -> TimeBudget:
        return TimeBudget(self.time_left, attempt_seconds=ATTEMPT_SECONDS)

    def wait(self, seconds: float) -> Wait:
        return Wait(seconds, sleep=self.sleep, elapsed=self.elapsed)


class Timeline:
    """A store holding one request whose status changes at given elapsed times.

    ``read_seconds``: how long each read takes; ``failing_from``: reads from this one on
    (1-based) fail as an unreachable table does.
    """

    def __init__(
        self,
        invocation: Invocation,
        request: TrackerRequest | None,
        changes: dict[float, Status] | None = None,
        *,
        read_seconds: float = 0.0,
        failing_from: int | None = None,
    ) -> None:
        self.invocation = invocation
        self.request = request
        self.changes = sorted((changes or {}).items())
        self.read_seconds = read_seconds
        self.failing_from = failing_from
        self.reads: list[float] = []
        self.seals: list[float] = []

    def get(self, request_id: str) -> TrackerRequest | None:
        self.reads.append(self.invocation.t)
        self.invocation.t += self.read_seconds
        if self.failing_from is not None and len(self.reads) >= self.failing_from:
            raise StoreUnavailable("DynamoDB GetItem failed: ReadTimeoutError")
        if self.request is None or self.request.request_id != request_id:
            return None
        for at, status in self.changes:
            if self.reads[-1] >= at and self.request.status.is_open:
                self.request = replace(
                    self.request,
                    status=status,
                    result={"Balance": "12.50"} if status is Status.COMPLETE else {},
                )
        return self.request

    def seal_overdue(
        self, request_id: str, now: float, *, found: Status | None = None
    ) -> ConditionalWrite:
        self.seals.append(self.invocation.t)
        assert self.request is not None
        if not (self.request.status.is_open and now >= self.request.deadline_at):
            return ConditionalWrite(won=False, request=self.request)
        self.request = replace(
            self.request,
            status=Status.TIMED_OUT,
            error_code="DEADLINE_EXCEEDED",
            error_message="no outcome was recorded before the request's deadline",
        )
        return ConditionalWrite(won=True, request=self.request)


def pending(chain: str = "contact-1", deadline_seconds: int = 120) -> TrackerRequest:
    return new_request(
        contact_id=chain,
        chain_id=chain,
        task_name="lookup_balance",
        parameters={"AccountId": "A-1"},
        request_key=None,
        now=CREATED_AT,
        deadline_seconds=deadline_seconds,
        ttl_seconds=3600,
    )


def check(
    checker_event, store: Timeline, invocation: Invocation, wait_seconds: float
) -> dict[str, str]:
    request_id = store.request.request_id if store.request else UNKNOWN_ID
    return check_request(
        checker_event(request_id),
        store,  # type: ignore[arg-type]
        invocation.now,
        invocation.budget(),
        wait=invocation.wait(wait_seconds),
    )


def test_work_finishing_during_the_wait_is_answered_by_the_same_invocation(checker_event):
    invocation = Invocation()
    store = Timeline(invocation, pending(), {0.1: Status.RUNNING, 1.6: Status.COMPLETE})
    answer = check(checker_event, store, invocation, 3)
    assert (answer["Status"], answer["Balance"]) == ("COMPLETE", "12.50")
    # answered at the first read after the outcome was written, at most one interval later
    assert 1.6 <= store.reads[-1] <= 1.6 + INTERVAL
    assert invocation.t == store.reads[-1]  # and nothing more was waited after it
    assert store.reads == pytest.approx([k * INTERVAL for k in range(len(store.reads))])


def test_a_request_still_running_is_answered_with_its_status_when_the_wait_ends(checker_event):
    invocation = Invocation()
    store = Timeline(invocation, pending(), {0.0: Status.RUNNING})
    answer = check(checker_event, store, invocation, 3)
    assert answer["Status"] == "RUNNING"
    assert store.reads[-1] == pytest.approx(3.0)  # the last read when the wait ends
    assert len(store.reads) == 3 / INTERVAL + 1  # 13 reads: at 0, 0.25, ..., 3.0 s
    assert invocation.time_left() > ATTEMPT_SECONDS  # well inside the function's timeout


def test_no_wait_reads_once_and_answers_at_once(checker_event):
    invocation = Invocation()
    store = Timeline(invocation, pending(), {0.0: Status.RUNNING})
    assert check(checker_event, store, invocation, 0)["Status"] == "RUNNING"
    assert store.reads == [0.0]
    assert invocation.pauses == []


@pytest.mark.parametrize("status", [Status.COMPLETE, Status.FAILED, Status.TIMED_OUT])
def test_a_terminal_request_is_answered_without_waiting(checker_event, status):
    invocation = Invocation()
    store = Timeline(invocation, replace(pending(), status=status))
    assert check(checker_event, store, invocation, 3)["Status"] == status
    assert (store.reads, invocation.pauses) == ([0.0], [])


def test_answers_that_cannot_change_are_given_without_waiting(checker_event):
    invocation = Invocation()
    missing = Timeline(invocation, None)
    assert check(checker_event, missing, invocation, 3)["Status"] == "NOT_FOUND"
    foreign = Timeline(invocation, pending(chain="someone-else"), {0.0: Status.RUNNING})
    assert check(checker_event, foreign, invocation, 3)["Status"] == "NOT_FOUND"
    malformed = check_request(
        {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {}}},
        missing,  # type: ignore[arg-type]
        invocation.now,
        invocation.budget(),
        wait=invocation.wait(3),
    )
    assert malformed["Status"] == "INVALID_REQUEST"
    assert (len(missing.reads), len(foreign.reads), invocation.pauses) == (1, 1, [])


def test_a_function_timeout_shorter_than_the_wait_ends_it_in_time(checker_event):
    invocation = Invocation(timeout=5.0)
    store = Timeline(invocation, pending(), read_seconds=0.02)
    assert check(checker_event, store, invocation, 4)["Status"] == "PENDING"
    # no read started without a whole attempt (and the margin) still ahead of it
    assert all(5.0 - at > ATTEMPT_SECONDS + TimeBudget().margin_seconds for at in store.reads)
    assert store.reads[-1] > 5.0 - ATTEMPT_SECONDS - TimeBudget().margin_seconds - INTERVAL
    assert invocation.time_left() > 0


def test_slow_reads_skip_their_slots_instead_of_reading_back_to_back(checker_event):
    invocation = Invocation()
    store = Timeline(invocation, pending(), read_seconds=0.6)
    check(checker_event, store, invocation, 3)
    gaps = [b - a for a, b in zip(store.reads, store.reads[1:], strict=False)]
    assert min(gaps) >= INTERVAL
    assert store.reads == pytest.approx([0.0, 0.75, 1.5, 2.25, 3.0])


def test_a_table_that_stops_answering_during_the_wait_is_answered_unknown(checker_event):
    invocation = Invocation()
    store = Timeline(invocation, pending(), failing_from=3)
    answer = check(checker_event, store, invocation, 3)
    assert (answer["Status"], answer["ErrorCode"]) == ("UNKNOWN", "STORE_UNAVAILABLE")
    # the failing read was tried again (pausing on the injected sleep) while a whole
    # attempt still fitted, as every checker read is, and no longer
    assert len(store.reads) > 3
    assert invocation.time_left() > ATTEMPT_SECONDS


def test_a_deadline_passing_during_the_wait_is_sealed_by_the_same_invocation(checker_event):
    # created 10 s before the invocation with a 11 s deadline: due 1 s into the wait, when
    # a read and a seal both still fit in the 8 s the invocation has
    invocation = Invocation(timeout=8.0)
    store = Timeline(invocation, pending(deadline_seconds=11), {0.0: Status.RUNNING})
    answer = check(checker_event, store, invocation, 3)
    assert (answer["Status"], answer["ErrorCode"]) == ("TIMED_OUT", "DEADLINE_EXCEEDED")
    assert store.seals == [pytest.approx(1.0)]


def test_without_time_for_the_seal_the_wait_ends_before_the_deadline(checker_event):
    # due 2 s into the wait, but after 2 s a read and a seal no longer both fit in 7 s
    invocation = Invocation(timeout=7.0)
    store = Timeline(invocation, pending(deadline_seconds=12), {0.0: Status.RUNNING})
    answer = check(checker_event, store, invocation, 4)
    assert answer["Status"] == "RUNNING"
    assert store.seals == []
    assert invocation.now() < store.request.deadline_at  # type: ignore[union-attr]


def terraform_wait_reserve() -> int:
    """The seconds variables.tf keeps in the checker's timeout beside its wait."""
    text = (ROOT / "variables.tf").read_text(encoding="utf-8")
    found = re.search(
        r"var\.checker_wait_seconds \+ (\d+) <= var\.functions\.checker\.timeout", text
    )
    assert found, "variables.tf no longer checks checker_wait_seconds against the timeout"
    return int(found.group(1))


@pytest.mark.parametrize("wait_seconds", [1, 2, 3, 4])
def test_the_timeout_terraform_requires_never_cuts_the_wait_short(checker_event, wait_seconds):
    reserve = terraform_wait_reserve()
    assert reserve >= ATTEMPT_SECONDS + TimeBudget().margin_seconds
    # the smallest timeout the module accepts
    invocation = Invocation(timeout=wait_seconds + reserve)
    store = Timeline(invocation, pending(), {0.0: Status.RUNNING}, read_seconds=0.05)
    assert check(checker_event, store, invocation, wait_seconds)["Status"] == "RUNNING"
    assert store.reads[-1] == pytest.approx(wait_seconds)  # read when the wait ends...
    # ...with room left for that read to take its whole attempt
    assert invocation.timeout - store.reads[-1] > ATTEMPT_SECONDS + TimeBudget().margin_seconds
