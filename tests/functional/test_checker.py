from __future__ import annotations

import logging
import time
from typing import Any

import boto3
import pytest

from connect_tracker.config import Settings
from connect_tracker.handlers import _runtime, checker, processor, writer
from connect_tracker.service import (
    WAIT_READ_INTERVAL_SECONDS,
    TimeBudget,
    Wait,
    check_request,
    submit_request,
)
from connect_tracker.store import DynamoDBTrackerStore, StoreUnavailable
from connect_tracker.testing import LambdaContext, WorkerQueue
from tests.support.functional import TABLE, batch, item, submit


def set_status(request_id: str, status: str, **extra: str) -> None:
    names = {"#s": "Status"}
    values = {":s": {"S": status}}
    assignments = ["#s = :s"]
    for index, (name, value) in enumerate(extra.items()):
        names[f"#a{index}"] = name
        values[f":a{index}"] = {"S": value}
        assignments.append(f"#a{index} = :a{index}")
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"RequestId": {"S": request_id}},
        UpdateExpression="SET " + ", ".join(assignments),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def test_pending_and_running(writer_event, checker_event):
    request_id = writer.handler(writer_event("contact-1"), None)["RequestId"]
    assert checker.handler(checker_event(request_id), None)["Status"] == "PENDING"
    set_status(request_id, "RUNNING")
    answer = checker.handler(checker_event(request_id), None)
    assert answer == {
        "RequestId": request_id,
        "Status": "RUNNING",
        "TaskName": "simulated_backend",
        "DeadlineAt": answer["DeadlineAt"],
    }


def test_complete_carries_the_result_fields(writer_event, checker_event):
    request_id = writer.handler(writer_event("contact-1"), None)["RequestId"]
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"RequestId": {"S": request_id}},
        UpdateExpression="SET #s = :s, #r = :r",
        ExpressionAttributeNames={"#s": "Status", "#r": "Result"},
        ExpressionAttributeValues={
            ":s": {"S": "COMPLETE"},
            ":r": {"M": {"Balance": {"S": "12.50"}, "Currency": {"S": "EUR"}}},
        },
    )
    answer = checker.handler(checker_event(request_id), None)
    assert answer["Status"] == "COMPLETE"
    assert answer["Balance"] == "12.50"
    assert answer["Currency"] == "EUR"
    assert "ErrorCode" not in answer


@pytest.mark.parametrize("status", ["FAILED", "TIMED_OUT"])
def test_failed_and_timed_out_carry_the_error(writer_event, checker_event, status):
    request_id = writer.handler(writer_event("contact-1"), None)["RequestId"]
    set_status(request_id, status, ErrorCode="NO_ACCOUNT", ErrorMessage="no such account")
    answer = checker.handler(checker_event(request_id), None)
    assert answer["Status"] == status
    assert answer["ErrorCode"] == "NO_ACCOUNT"
    assert answer["ErrorMessage"] == "no such account"


def test_not_found(checker_event):
    answer = checker.handler(checker_event("6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"), None)
    assert answer["Status"] == "NOT_FOUND"
    assert answer["RequestId"] == "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (None, "INVALID_EVENT"),
        (42, "INVALID_EVENT"),
        ({"Details": None}, "INVALID_EVENT"),
        ({"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {}}}, "MISSING_REQUEST_ID"),
        (
            {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {"RequestId": "x"}}},
            "MALFORMED_REQUEST_ID",
        ),
        (
            {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {"RequestId": 7}}},
            "INVALID_PARAMETERS",
        ),
    ],
)
def test_malformed_events_get_an_answer_not_an_exception(event, code):
    answer = checker.handler(event, None)
    assert answer["Status"] == "INVALID_REQUEST"
    assert answer["ErrorCode"] == code
    assert all(isinstance(value, str) for value in answer.values())


@pytest.mark.parametrize(
    ("status", "code"), [("PENDING", "NOT_STARTED"), ("RUNNING", "DEADLINE_EXCEEDED")]
)
def test_an_open_request_past_its_deadline_is_sealed_timed_out_saying_why(
    writer_event, checker_event, status, code
):
    """A request no worker started (its event throttled, say) ends NOT_STARTED; one that
    ran without an outcome ends DEADLINE_EXCEEDED."""
    settings = Settings.from_environment()
    store = _runtime.store()
    created_at = 1_000_000.0
    request_id = submit_request(writer_event("contact-1"), settings, store, lambda: created_at)[
        "RequestId"
    ]
    set_status(request_id, status)
    before = check_request(checker_event(request_id), store, lambda: created_at + 59)
    assert before["Status"] == status
    after = check_request(checker_event(request_id), store, lambda: created_at + 61)
    assert after["Status"] == "TIMED_OUT"
    assert after["ErrorCode"] == code
    assert item(request_id)["Status"] == {"S": "TIMED_OUT"}  # type: ignore[index]
    if status == "PENDING":
        assert "functions.worker.reserved_concurrent_executions" in after["ErrorMessage"]


def test_a_terminal_request_is_never_resealed(writer_event, checker_event):
    settings = Settings.from_environment()
    store = _runtime.store()
    request_id = submit_request(writer_event("contact-1"), settings, store, lambda: 1_000.0)[
        "RequestId"
    ]
    set_status(request_id, "COMPLETE")
    assert (
        check_request(checker_event(request_id), store, lambda: 9_999_999.0)["Status"] == "COMPLETE"
    )


def test_an_unreachable_table_is_answered_unknown_so_the_flow_polls_again(checker_event, caplog):
    request_id = "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"
    boto3.client("dynamodb").delete_table(TableName=TABLE)
    with caplog.at_level(logging.INFO):
        answer = checker.handler(checker_event(request_id), None)
    assert answer == {
        "RequestId": request_id,
        "Status": "UNKNOWN",
        "ErrorCode": "STORE_UNAVAILABLE",
        "ErrorMessage": "the tracker table did not answer in time; poll again",
    }
    record = next(r for r in caplog.records if r.getMessage() == "check.store_unavailable")
    assert record.levelno == logging.WARNING
    assert record.__dict__["request_id"] == request_id
    assert "ResourceNotFoundException" in record.__dict__["error_message"]


class _Ticking:
    """A Lambda context whose time runs out for real."""

    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._ends - time.monotonic()) * 1000)


def test_within_its_time_the_checker_tries_again_then_answers_unknown(
    checker_event, caplog, monkeypatch
):
    boto3.client("dynamodb").delete_table(TableName=TABLE)
    attempts: list[float] = []
    get = DynamoDBTrackerStore.get

    def counted(self: DynamoDBTrackerStore, request_id: str) -> object:
        attempts.append(time.monotonic())
        return get(self, request_id)

    monkeypatch.setattr(DynamoDBTrackerStore, "get", counted)
    context = _Ticking(_runtime.ATTEMPT_SECONDS + 1.0)  # about 0.7 s to retry in
    answer = checker.handler(checker_event("6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"), context)
    assert answer["Status"] == "UNKNOWN"
    assert len(attempts) > 1  # a fast failure is tried again
    # ...and no attempt was started that could outlast the invocation
    assert context.get_remaining_time_in_millis() > 0


class _SealFails:
    """The real store, except that sealing hits an unavailable table."""

    def __init__(self, store: DynamoDBTrackerStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def seal_overdue(self, request_id: str, now: float, **how: object) -> None:
        raise StoreUnavailable("DynamoDB UpdateItem failed: ProvisionedThroughputExceededException")


def test_a_seal_the_table_refuses_is_answered_unknown_and_the_next_poll_seals(
    writer_event, checker_event
):
    settings = Settings.from_environment()
    store = _runtime.store()
    request_id = submit_request(writer_event("contact-1"), settings, store, lambda: 1_000.0)[
        "RequestId"
    ]
    late = lambda: 1_000.0 + 61  # noqa: E731 - past the 60 s deadline
    refused = check_request(checker_event(request_id), _SealFails(store), late)  # type: ignore[arg-type]
    assert (refused["Status"], refused["ErrorCode"]) == ("UNKNOWN", "STORE_UNAVAILABLE")
    assert item(request_id)["Status"] == {"S": "PENDING"}  # type: ignore[index]
    assert check_request(checker_event(request_id), store, late)["Status"] == "TIMED_OUT"


class _WaitClock:
    """A checker invocation's clocks that move only when the checker pauses; at the pause
    numbered ``finish_at`` the worker runs the queued request (the result is written while
    the checker waits)."""

    def __init__(self, invokes: WorkerQueue, finish_at: int, timeout: float = 7.0) -> None:
        self.invokes = invokes
        self.finish_at = finish_at
        self.timeout = timeout
        self.t = 0.0
        self.pauses = 0
        self.wall = time.time()

    def elapsed(self) -> float:
        return self.t

    def now(self) -> float:
        return self.wall + self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        self.pauses += 1
        if self.pauses == self.finish_at:
            assert self.invokes.run_next()["Result"] == "COMPLETE"

    def budget(self) -> TimeBudget:
        return TimeBudget(lambda: self.timeout - self.t, attempt_seconds=_runtime.ATTEMPT_SECONDS)


def answered_line(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    return next(r for r in caplog.records if r.getMessage() == "check.answered")


def test_a_result_written_during_the_wait_is_answered_by_the_same_invocation(
    writer_event, checker_event, stream, invokes, caplog
):
    request_id = submit(writer_event, "contact-1", "test_counted", Question="balance")
    processor.handler(batch(stream.deliverable()), LambdaContext(60))
    assert invokes.queued == [{"RequestId": request_id}]
    clocks = _WaitClock(invokes, finish_at=4)
    with caplog.at_level(logging.INFO):
        answer = check_request(
            checker_event(request_id),
            _runtime.store(),
            clocks.now,
            clocks.budget(),
            wait=Wait(3, sleep=clocks.sleep, elapsed=clocks.elapsed),
        )
    assert (answer["Status"], answer["Answer"]) == ("COMPLETE", "balance!")
    # read before each of the four pauses and once after the last: the first read after
    # the worker's write answered, well before the wait's end
    assert answered_line(caplog).__dict__["reads"] == 5
    assert clocks.t == pytest.approx(4 * WAIT_READ_INTERVAL_SECONDS)
    assert item(request_id)["Status"] == {"S": "COMPLETE"}  # type: ignore[index]


def consistent_read_of_each_get_item(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """``ConsistentRead`` of every GetItem the functions' DynamoDB clients send from now on
    (settings and clients built afresh, so the ones the test's environment asks for)."""
    sent: list[object] = []
    build = boto3.client

    def recording(*args: Any, **kwargs: Any) -> Any:
        client = build(*args, **kwargs)
        client.meta.events.register(
            "provide-client-params.dynamodb.GetItem",
            lambda params, **_: sent.append(params.get("ConsistentRead")),
        )
        return client

    monkeypatch.setattr(_runtime.boto3, "client", recording)
    _runtime.settings.cache_clear()
    _runtime.dynamodb_client.cache_clear()
    _runtime.store.cache_clear()
    return sent


def test_a_waiting_checker_reads_strongly_consistent_with_consistent_read_off(
    writer_event, checker_event, monkeypatch, caplog
):
    monkeypatch.setenv("TRACKER_CONSISTENT_READ", "false")
    monkeypatch.setenv("TRACKER_CHECKER_WAIT_SECONDS", "1")
    request_id = writer.handler(writer_event("contact-1"), None)["RequestId"]
    reads = consistent_read_of_each_get_item(monkeypatch)
    context = LambdaContext(7, ticking=True)
    with caplog.at_level(logging.INFO):
        answer = checker.handler(checker_event(request_id), context)
    assert answer["Status"] == "PENDING"  # nobody ran it: the wait ended with it open
    assert answered_line(caplog).__dict__["reads"] == len(reads) > 1
    assert set(reads) == {True}
    assert context.get_remaining_time_in_millis() > 0


def test_without_a_wait_consistent_read_off_reads_eventually_consistent(
    writer_event, checker_event, monkeypatch
):
    monkeypatch.setenv("TRACKER_CONSISTENT_READ", "false")
    request_id = writer.handler(writer_event("contact-1"), None)["RequestId"]
    reads = consistent_read_of_each_get_item(monkeypatch)
    assert checker.handler(checker_event(request_id), None)["Status"] == "PENDING"
    assert reads == [False]
