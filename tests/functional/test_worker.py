"""The worker: one request per asynchronous invocation, against moto's DynamoDB."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from connect_tracker import worker as worker_module
from connect_tracker.budget import TimeBudget
from connect_tracker.handlers import _runtime, checker, processor, worker
from connect_tracker.store import DynamoDBTrackerStore, StoreUnavailable
from connect_tracker.tasks import RetryableTaskError, TaskContext, registry, task
from connect_tracker.testing import LambdaContext, WorkerQueue
from connect_tracker.worker import RequestNotRun, WorkResult
from tests.support.functional import PROBE, TABLE, batch, item, submit

ATTEMPT_SECONDS = _runtime.WORKER_ATTEMPT_SECONDS


def set_attributes(request_id: str, **values: dict[str, str]) -> None:
    names = {f"#a{n}": name for n, name in enumerate(values)}
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"RequestId": {"S": request_id}},
        UpdateExpression="SET " + ", ".join(f"#a{n} = :v{n}" for n in range(len(values))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={f":v{n}": value for n, value in enumerate(values.values())},
    )


class FakeClock:
    """Wall time that moves only when the worker sleeps (its backoff)."""

    def __init__(self) -> None:
        self.now = time.time()
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def make_worker(invokes: WorkerQueue, clock: FakeClock) -> worker_module.Worker:
    settings = _runtime.settings()
    return worker_module.Worker(
        _runtime.store(patient=True),
        registry,
        settings,
        invokes.send,
        clock=clock,
        sleep=clock.sleep,
    )


def invocation(clock: FakeClock, seconds: float) -> TimeBudget:
    """A worker invocation of ``seconds`` whose time runs down with ``clock``."""
    end = clock() + seconds
    return TimeBudget(lambda: end - clock(), attempt_seconds=ATTEMPT_SECONDS)


FAILS_FOR_EVER: dict[str, int] = {}


@task("test_always_retryable")
def _always_retryable(parameters: Any, context: TaskContext) -> None:
    PROBE.hit(context.request_id)
    raise RetryableTaskError("BACKEND_UNAVAILABLE", "503 from the backend")


@task("test_retryable_three_times")
def _retryable_three_times(parameters: Any, context: TaskContext) -> dict[str, str]:
    PROBE.hit(context.request_id)
    if PROBE.calls[context.request_id] <= 3:
        raise RetryableTaskError("BACKEND_UNAVAILABLE", "503 from the backend")
    return {"Recovered": "yes"}


@task("test_hangs_once")
def _hangs_once(parameters: Any, context: TaskContext) -> dict[str, str]:
    """Its first run hangs until the test releases it (a claimant that stopped); the
    next one answers at once."""
    PROBE.hit(context.request_id)
    if PROBE.calls[context.request_id] == 1:
        PROBE.release.wait(30)
    return {"Run": str(PROBE.calls[context.request_id])}


def fail(monkeypatch: pytest.MonkeyPatch, method: str, times: int) -> list[int]:
    """Make the store's ``method`` raise StoreUnavailable ``times`` times; returns the count."""
    original = getattr(DynamoDBTrackerStore, method)
    calls = [0]

    def failing(self: DynamoDBTrackerStore, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] <= times:
            raise StoreUnavailable(f"DynamoDB {method} failed: InternalServerError")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBTrackerStore, method, failing)
    return calls


def deliver(writer_event, stream, invokes: WorkerQueue, task_name: str, **params: str) -> str:
    """A request written and dispatched: its order waits in the worker's queue."""
    request_id = submit(writer_event, "c-1", task_name, **params)
    processor.handler(batch(stream.deliverable()), LambdaContext(60))
    assert invokes.queued == [{"RequestId": request_id}]
    return request_id


@pytest.mark.parametrize(
    "case",
    [
        ("test_business_failure", "FAILED", "NO_ACCOUNT"),
        ("test_crash", "FAILED", "TASK_ERROR"),
        ("no_such_task", "FAILED", "UNKNOWN_TASK"),
        ("test_bad_result", "FAILED", "INVALID_RESULT"),
    ],
)
def test_failures_are_terminal_and_recorded_by_the_worker(
    writer_event, checker_event, stream, invokes, case
):
    task_name, status, code = case
    request_id = deliver(writer_event, stream, invokes, task_name)
    assert invokes.drain() == [status]
    stored = item(request_id)
    assert stored["Status"] == {"S": status}
    assert stored["ErrorCode"] == {"S": code}
    assert stored["FinishedBy"] == {"S": "worker"}
    assert checker.handler(checker_event(request_id, "c-1"), None)["ErrorCode"] == code


def test_a_retryable_error_is_retried_with_growing_pauses_until_it_succeeds(
    writer_event, stream, invokes, caplog
):
    request_id = deliver(writer_event, stream, invokes, "test_retryable_three_times")
    clock = FakeClock()
    order = invokes.queued.pop()
    with caplog.at_level(logging.INFO, logger="connect_tracker"):
        result = make_worker(invokes, clock).work(order, invocation(clock, 300))
    assert result is WorkResult.COMPLETE
    assert PROBE.calls == {request_id: 4}
    assert len(clock.pauses) == 3
    # 0.5, 1, 2 s ceilings, each jittered to half or more: never a tight loop
    for n, pause in enumerate(clock.pauses):
        assert 0.25 * 2**n <= pause <= 0.5 * 2**n
    stored = item(request_id)
    assert stored["Status"] == {"S": "COMPLETE"}
    assert stored["Attempts"] == {"N": "1"}  # one claim, four attempts under it
    starts = [r for r in caplog.records if getattr(r, "event", r.getMessage()) == "task.started"]
    assert len(starts) == 4


def test_a_retryable_error_is_retried_until_the_deadline_then_times_out(
    writer_event, checker_event, stream, invokes
):
    request_id = deliver(writer_event, stream, invokes, "test_always_retryable")
    clock = FakeClock()
    deadline_at = float(item(request_id)["DeadlineAt"]["N"])
    result = make_worker(invokes, clock).work(invokes.queued.pop(), invocation(clock, 300))
    assert result is WorkResult.TIMED_OUT
    assert clock.pauses  # it waited between attempts
    assert all(pause <= worker_module.BACKOFF_CAP_SECONDS for pause in clock.pauses)
    assert clock.pauses[:4] == sorted(clock.pauses[:4])
    assert clock() <= deadline_at  # it stopped in time to record the outcome
    assert PROBE.calls[request_id] == len(clock.pauses) + 1
    stored = item(request_id)
    assert stored["Status"] == {"S": "TIMED_OUT"}
    assert stored["ErrorCode"] == {"S": "DEADLINE_EXCEEDED"}
    assert "BACKEND_UNAVAILABLE" in stored["ErrorMessage"]["S"]
    assert checker.handler(checker_event(request_id, "c-1"), None)["Status"] == "TIMED_OUT"


def test_a_failed_final_write_is_handed_over_and_the_next_delivery_finishes_it(
    writer_event, checker_event, stream, invokes, monkeypatch
):
    request_id = deliver(writer_event, stream, invokes, "test_counted", Question="q")
    fail(monkeypatch, "finish", times=10_000)
    # a short invocation: the outcome write is retried while a whole attempt still fits
    assert invokes.run_next(seconds=worker_module.RECORD_RESERVE_SECONDS + 3, ticking=True) == {
        "Result": "HANDED_OVER"
    }
    assert item(request_id)["Status"] == {"S": "RUNNING"}
    handed = invokes.queued[0]
    assert handed["Outcome"]["Status"] == "COMPLETE"
    assert handed["ClaimToken"] == item(request_id)["ClaimToken"]["S"]
    monkeypatch.undo()
    monkeypatch.setattr(_runtime, "send_to_worker", invokes.send)
    assert invokes.drain() == ["COMPLETE"]
    assert PROBE.calls == {request_id: 1}  # finished, not run again
    assert checker.handler(checker_event(request_id, "c-1"), None)["Answer"] == "q!"


def test_a_failed_release_is_recovered_by_the_hand_over(writer_event, stream, invokes, monkeypatch):
    """The worker hands a request to a fresh invocation (its own has too little time left
    after a backoff); the release fails; the hand-over's token takes the claim over."""
    request_id = deliver(writer_event, stream, invokes, "test_transient")
    releases = fail(monkeypatch, "release", times=1)
    clock = FakeClock()
    # time for the first attempt, not for the backoff and a second one
    seconds = worker_module.RECORD_RESERVE_SECONDS + worker_module.MIN_ATTEMPT_SECONDS + 0.2
    result = make_worker(invokes, clock).work(invokes.queued.pop(), invocation(clock, seconds))
    assert result is WorkResult.HANDED_OVER
    assert releases == [1]
    assert item(request_id)["Status"] == {"S": "RUNNING"}  # the release failed
    handed = invokes.queued[0]
    assert handed["ClaimToken"] == item(request_id)["ClaimToken"]["S"]
    assert "Outcome" not in handed
    # a token-less delivery meanwhile, too short to wait the live claim out, leaves it
    # alone and fails, so that Lambda retries it
    with pytest.raises(RequestNotRun):
        make_worker(invokes, clock).work({"RequestId": request_id}, invocation(clock, seconds))
    assert PROBE.calls == {request_id: 1}
    assert invokes.drain() == ["COMPLETE"]
    assert PROBE.calls == {request_id: 2}
    assert item(request_id)["Attempts"] == {"N": "2"}


def test_a_live_claim_is_never_run_twice_and_the_delivery_that_cannot_wait_fails(
    writer_event, stream, invokes, caplog
):
    """A delivery that finds another invocation's live claim waits for it; when its own
    time runs out first, it raises so that Lambda retries the event (or sends it to the
    on-failure queue) instead of counting it done."""
    request_id = deliver(writer_event, stream, invokes, "test_counted")
    order = invokes.queued.pop()
    set_attributes(
        request_id,
        Status={"S": "RUNNING"},
        ClaimToken={"S": "other-invocation"},
        LeaseUntil={"N": str(time.time() + 600)},
    )
    clock = FakeClock()
    with caplog.at_level(logging.INFO, logger="connect_tracker"), pytest.raises(RequestNotRun):
        make_worker(invokes, clock).work(order, invocation(clock, 60))
    assert PROBE.calls == {}
    assert item(request_id)["ClaimToken"] == {"S": "other-invocation"}
    # it looked again after growing pauses (0.5, 1, 2, 4, 5, 5 ... s ceilings), for as long as
    # it kept time to run the request had the claim lapsed
    assert clock.pauses[:4] == sorted(clock.pauses[:4])
    assert max(clock.pauses) <= worker_module.WAIT_CAP_SECONDS
    waited = sum(clock.pauses)
    kept = worker_module.RECORD_RESERVE_SECONDS + worker_module.MIN_ATTEMPT_SECONDS
    assert 60 - kept - worker_module.WAIT_CAP_SECONDS <= waited <= 60 - kept
    events = [r.getMessage() for r in caplog.records]
    assert events.count("request.claim_awaited") == 1
    assert events.count("request.claimed_elsewhere") == 1


def test_a_take_over_after_a_long_wait_hands_the_request_to_a_fresh_invocation(
    writer_event, stream, invokes
):
    """A duplicate delivery waits 20 s for a claim that then lapses; the 60 s request still
    needs more than its invocation has left, so it claims and hands the request over to a
    fresh invocation, which runs it."""
    request_id = deliver(writer_event, stream, invokes, "test_counted")
    order = invokes.queued.pop()
    clock = FakeClock()
    set_attributes(
        request_id,
        Status={"S": "RUNNING"},
        ClaimToken={"S": "other-invocation"},
        LeaseUntil={"N": str(clock() + 20)},
    )
    result = make_worker(invokes, clock).work(order, invocation(clock, 60))
    assert result is WorkResult.HANDED_OVER
    assert PROBE.calls == {}
    [handed] = invokes.queued
    assert handed["ClaimToken"] != "other-invocation"
    assert item(request_id)["Status"] == {"S": "PENDING"}  # released for the fresh one
    assert invokes.drain() == ["COMPLETE"]
    assert PROBE.calls == {request_id: 1}


def test_a_claimant_that_stops_renewing_is_taken_over_by_lambdas_retry(
    writer_event, stream, invokes, monkeypatch
):
    """The first invocation claims and its task hangs; it renews nothing more (in the fake
    clock's time), as a process that exited. Lambda retries the failed event a minute later
    (docs/execution.md): by then the lease has lapsed, so the retry takes the request over
    and finishes it; the first claimant's late answer is refused."""
    monkeypatch.setenv("TRACKER_REQUEST_DEADLINE_SECONDS", "300")
    _runtime.settings.cache_clear()
    request_id = deliver(writer_event, stream, invokes, "test_hangs_once")
    order = invokes.queued.pop()
    clock = FakeClock()
    hung, first = in_the_background(
        lambda: make_worker(invokes, clock).work(order, invocation(clock, 300))
    )
    try:
        assert _wait_for(lambda: PROBE.calls.get(request_id) == 1)
        claimed = item(request_id)
        lease_until = float(claimed["LeaseUntil"]["N"])
        assert lease_until == pytest.approx(clock() + worker_module.Lease().seconds, abs=0.01)
        clock.now += 60  # Lambda's first retry of an asynchronous event, one minute later
        assert lease_until < clock()
        retried = make_worker(invokes, clock).work(order, invocation(clock, 300))
    finally:
        PROBE.release.set()
        hung.join(30)
    assert retried is WorkResult.COMPLETE
    stored = item(request_id)
    assert stored["Status"] == {"S": "COMPLETE"}
    assert stored["Result"] == {"M": {"Run": {"S": "2"}}}
    assert PROBE.calls == {request_id: 2}  # the hung run and the retry's
    assert stored["Attempts"] == {"N": "2"}
    assert stored["ClaimToken"] != claimed["ClaimToken"]
    assert "LeaseUntil" not in stored  # the outcome ends the lease
    assert first == [WorkResult.CLAIM_LOST]  # the hung claimant's answer is not recorded


def test_a_working_claimant_renews_its_lease_so_nobody_takes_over(writer_event, stream, invokes):
    """With a 1-second lease renewed every 0.2 s, a task that runs for seconds keeps its
    claim: a second delivery meanwhile waits, never runs it, and fails when out of time."""
    lease = worker_module.Lease(seconds=1.0, renew_seconds=0.2)
    request_id = deliver(writer_event, stream, invokes, "test_blocks")
    order = invokes.queued.pop()

    def short_lease_worker() -> worker_module.Worker:
        return worker_module.Worker(
            _runtime.store(patient=True), registry, _runtime.settings(), invokes.send, lease=lease
        )

    running, results = in_the_background(
        lambda: short_lease_worker().work(order, _runtime.budget(None))
    )
    try:
        assert _wait_for(lambda: PROBE.calls.get(request_id) == 1)
        claimed_until = float(item(request_id)["LeaseUntil"]["N"])
        assert _wait_for(lambda: float(item(request_id)["LeaseUntil"]["N"]) > claimed_until + 1)
        seconds = worker_module.RECORD_RESERVE_SECONDS + worker_module.MIN_ATTEMPT_SECONDS + 2.5
        with pytest.raises(RequestNotRun):  # 2.5 s of waiting: more than two whole leases
            short_lease_worker().work(order, _runtime.budget(LambdaContext(seconds, ticking=True)))
        assert PROBE.calls == {request_id: 1}
    finally:
        PROBE.release.set()
        running.join(30)
    assert results == [WorkResult.COMPLETE]


def test_a_delivery_for_a_request_sealed_under_a_silent_claim_fails(
    writer_event, checker_event, stream, invokes, caplog
):
    """The checker sealed the request TIMED_OUT while a claimant held it and recorded
    nothing. A later delivery of the request (Lambda's retry of the claimant's failed
    event) raises, so the event ends in the on-failure queue rather than counted done."""
    request_id = deliver(writer_event, stream, invokes, "test_blocks")
    order = invokes.queued.pop()
    clock = FakeClock()
    hung, results = in_the_background(
        lambda: make_worker(invokes, clock).work(order, invocation(clock, 300))
    )
    try:
        assert _wait_for(lambda: PROBE.calls.get(request_id) == 1)
        set_attributes(request_id, DeadlineAt={"N": "1"})
        assert checker.handler(checker_event(request_id, "c-1"), None)["Status"] == "TIMED_OUT"
        with caplog.at_level(logging.INFO, logger="connect_tracker"), pytest.raises(RequestNotRun):
            worker.handler(order, LambdaContext(60))
    finally:
        PROBE.release.set()
        hung.join(30)
    assert [r.getMessage() for r in caplog.records].count("request.abandoned") == 1
    assert PROBE.calls == {request_id: 1}
    assert results == [WorkResult.CLAIM_LOST]


def test_a_request_already_past_its_deadline_is_sealed_not_run(writer_event, stream, invokes):
    request_id = deliver(writer_event, stream, invokes, "test_counted")
    set_attributes(request_id, DeadlineAt={"N": "1"})
    assert invokes.drain() == ["TIMED_OUT"]
    assert PROBE.calls == {}
    stored = item(request_id)
    assert stored["Status"] == {"S": "TIMED_OUT"}
    assert stored["FinishedBy"] == {"S": "worker"}


def test_a_task_that_outlives_the_deadline_ends_timed_out(
    writer_event, checker_event, stream, invokes, monkeypatch
):
    monkeypatch.setenv("TRACKER_REQUEST_DEADLINE_SECONDS", "1")
    _runtime.settings.cache_clear()
    request_id = deliver(writer_event, stream, invokes, "test_blocks")
    assert invokes.drain() == ["TIMED_OUT"]
    PROBE.release.set()
    stored = item(request_id)
    assert stored["ErrorCode"] == {"S": "DEADLINE_EXCEEDED"}
    assert stored["FinishedBy"] == {"S": "worker"}
    assert checker.handler(checker_event(request_id, "c-1"), None)["Status"] == "TIMED_OUT"


def test_a_worker_short_of_time_records_worker_time_exhausted(writer_event, stream, invokes):
    request_id = deliver(writer_event, stream, invokes, "test_blocks")
    assert invokes.run_next(seconds=worker_module.RECORD_RESERVE_SECONDS + 1.5) == {
        "Result": "TIMED_OUT"
    }
    PROBE.release.set()
    assert item(request_id)["ErrorCode"] == {"S": "PROCESSOR_TIME_EXHAUSTED"}


def test_the_checkers_seal_and_the_workers_finish_are_told_apart(
    writer_event, checker_event, stream, invokes, caplog
):
    request_id = deliver(writer_event, stream, invokes, "test_blocks")
    results: list[dict[str, Any]] = []
    running = threading.Thread(target=lambda: results.append(invokes.run_next()))
    with caplog.at_level(logging.INFO, logger="connect_tracker"):
        running.start()
        try:
            assert _wait_for(lambda: PROBE.calls.get(request_id) == 1)
            set_attributes(request_id, DeadlineAt={"N": "1"})
            assert checker.handler(checker_event(request_id, "c-1"), None)["Status"] == "TIMED_OUT"
        finally:
            PROBE.release.set()
            running.join(30)
    assert results == [{"Result": "CLAIM_LOST"}]
    stored = item(request_id)
    assert stored["FinishedBy"] == {"S": "checker"}
    assert "Late" not in str(stored)
    lost = [r for r in caplog.records if r.getMessage() == "request.claim_lost"]
    assert len(lost) == 1
    # the logged code and author are the table's, not what the worker meant to write
    assert lost[0].__dict__["error_code"] == stored["ErrorCode"]["S"] == "DEADLINE_EXCEEDED"
    assert lost[0].__dict__["finished_by"] == "checker"
    assert lost[0].__dict__["discarded_status"] == "COMPLETE"


def test_the_checkers_seal_is_not_taken_for_the_workers_own_timed_out_outcome(
    writer_event, checker_event, stream, invokes, caplog
):
    """Both TIMED_OUT: the worker found no time left before a 1 s deadline, and a poll
    sealed the request just before the worker's outcome write. The refused write finds a
    TIMED_OUT under the worker's own token: the checker's seal, not the worker's write."""
    finish = DynamoDBTrackerStore.finish
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKER_REQUEST_DEADLINE_SECONDS", "1")
        _runtime.settings.cache_clear()
        request_id = deliver(writer_event, stream, invokes, "test_blocks")

        def sealed_first(self: DynamoDBTrackerStore, *args: Any, **kwargs: Any) -> Any:
            set_attributes(request_id, DeadlineAt={"N": "1"})  # surely past, on any clock
            poll = checker.handler(checker_event(request_id, "c-1"), None)
            assert poll["Status"] == "TIMED_OUT"
            return finish(self, *args, **kwargs)

        patch.setattr(DynamoDBTrackerStore, "finish", sealed_first)
        with caplog.at_level(logging.INFO, logger="connect_tracker"):
            assert invokes.drain() == ["CLAIM_LOST"]
    PROBE.release.set()
    stored = item(request_id)
    assert stored["FinishedBy"] == {"S": "checker"}
    events = [r.getMessage() for r in caplog.records]
    assert "request.finished" not in events
    [lost] = [r for r in caplog.records if r.getMessage() == "request.claim_lost"]
    assert lost.__dict__["finished_by"] == "checker"
    assert lost.__dict__["discarded_status"] == "TIMED_OUT"


def test_an_unreachable_table_fails_the_invocation_so_lambda_retries_it(
    writer_event, stream, invokes
):
    deliver(writer_event, stream, invokes, "test_counted")
    boto3.client("dynamodb").delete_table(TableName=TABLE)
    with pytest.raises(StoreUnavailable):  # after retrying while a whole attempt fit
        invokes.run_next(seconds=worker_module.RECORD_RESERVE_SECONDS + 2, ticking=True)


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        {},
        {"RequestId": "not-an-id"},
        {"RequestId": "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1", "ClaimToken": 5},
        {"RequestId": "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1", "Outcome": {"Status": "COMPLETE"}},
        {
            "RequestId": "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1",
            "ClaimToken": "t",
            "Outcome": {"Status": "RUNNING"},
        },
    ],
)
def test_malformed_orders_never_raise(event, invokes):
    assert worker.handler(event, LambdaContext()) == {"Result": "MALFORMED"}


def test_an_order_for_no_request_is_not_found(invokes):
    order = {"RequestId": "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"}
    assert worker.handler(order, LambdaContext()) == {"Result": "NOT_FOUND"}


def test_user_task_modules_are_loaded_from_the_setting(
    writer_event, stream, invokes, tmp_path, monkeypatch
):
    package = tmp_path / "fn_tasks"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from connect_tracker.tasks import task\n"
        "@task('fn_user_task')\n"
        "def run(parameters, context):\n"
        "    return {'From': 'user module'}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("TRACKER_TASK_MODULES", "fn_tasks")
    _runtime.settings.cache_clear()
    worker._worker.cache_clear()
    request_id = deliver(writer_event, stream, invokes, "fn_user_task")
    invokes.drain()
    assert item(request_id)["Result"] == {"M": {"From": {"S": "user module"}}}


def in_the_background(
    call: Callable[[], WorkResult],
) -> tuple[threading.Thread, list[WorkResult]]:
    """``call`` started on its own thread (a worker invocation); the list gets its result."""
    results: list[WorkResult] = []
    thread = threading.Thread(target=lambda: results.append(call()))
    thread.start()
    return thread, results


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds have passed."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.01)
    return True


def test_an_invocation_too_short_for_any_work_says_so_once(writer_event, stream, invokes, caplog):
    """The 8-second context a flow simulator gives (issue 19 item 7): the worker keeps 12 s
    back to record an outcome, so it refuses at once and says why, instead of claiming,
    finding no time to record, and handing over to ten invocations as short as itself."""
    request_id = deliver(writer_event, stream, invokes, "test_counted")
    with (
        caplog.at_level(logging.INFO, logger="connect_tracker"),
        pytest.raises(worker_module.InvocationTooShort, match=r"8\.0 s"),
    ):
        invokes.run_next(seconds=8)  # Lambda retries the event, then keeps it for replay
    events = [record.getMessage() for record in caplog.records]
    assert events.count("invoke.too_little_time") == 1
    assert "store.unavailable" not in events
    assert "request.handed_over" not in events
    [line] = [
        record for record in caplog.records if record.getMessage() == "invoke.too_little_time"
    ]
    assert line.__dict__["needed_seconds"] == worker_module.RECORD_RESERVE_SECONDS + 1
    assert PROBE.calls == {}
    assert item(request_id)["Status"] == {"S": "PENDING"}  # not claimed: any worker may run it
    assert invokes.queued == []


def test_an_outcome_left_without_time_to_record_is_logged_as_such(
    writer_event, stream, invokes, monkeypatch, caplog
):
    """The table is fine; this invocation's time is not: the hand-over says so."""
    request_id = deliver(writer_event, stream, invokes, "test_counted", Question="q")
    fail(monkeypatch, "finish", times=10_000)
    assert invokes.run_next(seconds=worker_module.RECORD_RESERVE_SECONDS + 3, ticking=True) == {
        "Result": "HANDED_OVER"
    }
    monkeypatch.undo()
    monkeypatch.setattr(_runtime, "send_to_worker", invokes.send)
    clock = FakeClock()
    real_get = DynamoDBTrackerStore.get

    def slow_get(self: DynamoDBTrackerStore, request_id: str) -> Any:
        clock.now += 1.0  # the read before recording takes a second of the invocation
        return real_get(self, request_id)

    monkeypatch.setattr(DynamoDBTrackerStore, "get", slow_get)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="connect_tracker"):
        result = make_worker(invokes, clock).work(
            invokes.queued.pop(), invocation(clock, ATTEMPT_SECONDS + 1.0)
        )
    assert result is WorkResult.HANDED_OVER
    events = [record.getMessage() for record in caplog.records]
    assert "invoke.time_exhausted" in events
    assert "store.unavailable" not in events
    assert invokes.queued[0]["Outcome"]["Status"] == "COMPLETE"
    assert item(request_id)["Status"] == {"S": "RUNNING"}
