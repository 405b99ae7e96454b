from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest

from connect_tracker.handlers import _runtime, checker, processor, writer
from tests.functional.conftest import PROBE, TABLE, LambdaContext, StreamReader, batch, item


def submit(writer_event, contact: str, task: str, **parameters: str) -> str:
    return writer.handler(writer_event(contact, TaskName=task, **parameters), None)["RequestId"]


def run(records: list[dict[str, Any]], seconds: float = 900) -> dict[str, Any]:
    return processor.handler(batch(records), LambdaContext(seconds))


def test_the_whole_loop_completes_with_the_task_result(writer_event, checker_event, stream):
    request_id = submit(writer_event, "c-1", "test_counted", Question="ready")
    records = stream.deliverable()
    assert len(records) == 1
    assert run(records) == {"batchItemFailures": []}
    stored = item(request_id)
    assert stored["Status"] == {"S": "COMPLETE"}
    assert stored["Attempts"] == {"N": "1"}
    answer = checker.handler(checker_event(request_id, "c-1"), None)
    assert answer["Status"] == "COMPLETE"
    assert answer["Answer"] == "ready!"
    assert PROBE.calls == {request_id: 1}


def test_the_processors_own_writes_are_not_deliverable(writer_event, stream):
    submit(writer_event, "c-1", "test_counted")
    run(stream.deliverable())
    later = stream.new_records()
    assert [r["eventName"] for r in later] == ["MODIFY", "MODIFY"]  # claim, then outcome
    assert all(r["dynamodb"]["NewImage"]["Status"]["S"] != "PENDING" for r in later)


def test_a_duplicate_delivery_never_runs_the_work_twice(writer_event, stream):
    request_id = submit(writer_event, "c-1", "test_counted")
    records = stream.deliverable()
    assert run(records + records) == {"batchItemFailures": []}  # twice in one batch
    assert run(records) == {"batchItemFailures": []}  # and again later
    assert PROBE.calls == {request_id: 1}
    assert item(request_id)["Status"] == {"S": "COMPLETE"}


def test_many_requests_in_one_batch_each_run_once(writer_event, stream):
    ids = [submit(writer_event, f"c-{n}", "test_counted") for n in range(15)]
    assert run(stream.deliverable()) == {"batchItemFailures": []}
    assert PROBE.calls == dict.fromkeys(ids, 1)
    assert {item(i)["Status"]["S"] for i in ids} == {"COMPLETE"}


def test_a_business_failure_is_terminal(writer_event, checker_event, stream):
    request_id = submit(writer_event, "c-1", "test_business_failure")
    assert run(stream.deliverable()) == {"batchItemFailures": []}
    answer = checker.handler(checker_event(request_id, "c-1"), None)
    assert answer["Status"] == "FAILED"
    assert answer["ErrorCode"] == "NO_ACCOUNT"
    assert answer["ErrorMessage"] == "account ACC-1 does not exist"


def test_an_unexpected_exception_fails_the_request_with_task_error(writer_event, stream):
    request_id = submit(writer_event, "c-1", "test_crash")
    assert run(stream.deliverable()) == {"batchItemFailures": []}
    stored = item(request_id)
    assert stored["Status"] == {"S": "FAILED"}
    assert stored["ErrorCode"] == {"S": "TASK_ERROR"}
    assert "KeyError" in stored["ErrorMessage"]["S"]


@pytest.mark.parametrize(
    ("task", "code"),
    [("no_such_task", "UNKNOWN_TASK"), ("test_bad_result", "INVALID_RESULT")],
)
def test_unknown_tasks_and_bad_results_fail(writer_event, stream, task, code):
    request_id = submit(writer_event, "c-1", task)
    run(stream.deliverable())
    assert item(request_id)["ErrorCode"] == {"S": code}
    assert item(request_id)["Status"] == {"S": "FAILED"}


def test_a_transient_failure_is_reported_for_retry_and_the_retry_completes(writer_event, stream):
    request_id = submit(writer_event, "c-1", "test_transient")
    records = stream.deliverable()
    first = run(records)
    assert first == {
        "batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
    }
    assert item(request_id)["Status"] == {"S": "PENDING"}  # released for the retry
    assert "ClaimToken" not in item(request_id)
    assert run(records) == {"batchItemFailures": []}
    stored = item(request_id)
    assert stored["Status"] == {"S": "COMPLETE"}
    assert stored["Attempts"] == {"N": "2"}
    assert PROBE.calls == {request_id: 2}


def test_only_the_failing_record_of_a_batch_is_retried(writer_event, stream):
    good = submit(writer_event, "c-1", "test_counted")
    flaky = submit(writer_event, "c-2", "test_transient")
    records = stream.deliverable()
    flaky_sequence = next(
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if r["dynamodb"]["Keys"]["RequestId"]["S"] == flaky
    )
    assert run(records) == {"batchItemFailures": [{"itemIdentifier": flaky_sequence}]}
    assert item(good)["Status"] == {"S": "COMPLETE"}


def test_a_task_that_outlives_the_deadline_ends_timed_out(
    writer_event, checker_event, stream, monkeypatch
):
    monkeypatch.setenv("TRACKER_REQUEST_DEADLINE_SECONDS", "1")

    _runtime.settings.cache_clear()
    request_id = submit(writer_event, "c-1", "test_blocks")
    assert run(stream.deliverable()) == {"batchItemFailures": []}
    PROBE.release.set()
    stored = item(request_id)
    assert stored["Status"] == {"S": "TIMED_OUT"}
    assert stored["ErrorCode"] == {"S": "DEADLINE_EXCEEDED"}
    assert "Result" not in stored or stored["Result"] == {"M": {}}
    assert checker.handler(checker_event(request_id, "c-1"), None)["Status"] == "TIMED_OUT"


def test_a_processor_about_to_hit_its_own_limit_records_the_time_out(writer_event, stream):
    request_id = submit(writer_event, "c-1", "test_blocks")
    # 2.5 s left in the invocation, 2 s of it kept back to write the outcome
    assert run(stream.deliverable(), seconds=2.5) == {"batchItemFailures": []}
    PROBE.release.set()
    stored = item(request_id)
    assert stored["Status"] == {"S": "TIMED_OUT"}
    assert stored["ErrorCode"] == {"S": "PROCESSOR_TIME_EXHAUSTED"}


def test_a_request_already_past_its_deadline_is_not_run(writer_event, stream):
    request_id = submit(writer_event, "c-1", "test_counted")
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"RequestId": {"S": request_id}},
        UpdateExpression="SET DeadlineAt = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    run(stream.deliverable())
    assert PROBE.calls == {}
    assert item(request_id)["Status"] == {"S": "TIMED_OUT"}


def test_a_request_sealed_while_its_task_runs_keeps_its_time_out(
    writer_event, checker_event, stream
):
    request_id = submit(writer_event, "c-1", "test_blocks")
    records = stream.deliverable()
    outcome: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: outcome.update(run(records)))
    worker.start()
    try:
        assert _wait_for(lambda: PROBE.calls.get(request_id) == 1)
        # the checker sees the request past its deadline and seals it
        boto3.client("dynamodb").update_item(
            TableName=TABLE,
            Key={"RequestId": {"S": request_id}},
            UpdateExpression="SET DeadlineAt = :past",
            ExpressionAttributeValues={":past": {"N": "1"}},
        )
        assert checker.handler(checker_event(request_id, "c-1"), None)["Status"] == "TIMED_OUT"
    finally:
        PROBE.release.set()
        worker.join(30)
    assert outcome == {"batchItemFailures": []}
    stored = item(request_id)
    assert stored["Status"] == {"S": "TIMED_OUT"}
    assert "Late" not in str(stored)


def test_an_unreachable_table_reports_every_record_for_retry(writer_event, stream):
    submit(writer_event, "c-1", "test_counted")
    records = stream.deliverable()
    boto3.client("dynamodb").delete_table(TableName=TABLE)
    failures = run(records)["batchItemFailures"]
    assert failures == [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]


@pytest.mark.parametrize(
    "event",
    [
        None,
        {},
        {"Records": None},
        {"Records": "x"},
        {"Records": [None, 1, {"dynamodb": {}}, {"dynamodb": "x"}]},
    ],
)
def test_malformed_batches_never_raise_and_report_nothing_to_retry(event):
    assert processor.handler(event, LambdaContext()) == {"batchItemFailures": []}


def test_user_task_modules_are_loaded_from_the_setting(writer_event, stream, tmp_path, monkeypatch):
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
    processor._processor.cache_clear()
    request_id = submit(writer_event, "c-1", "fn_user_task")
    run(stream.deliverable())
    assert item(request_id)["Result"] == {"M": {"From": {"S": "user module"}}}


def _wait_for(condition, timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds have passed."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.01)
    return True


def test_stream_reader_sees_inserts(writer_event):
    reader = StreamReader()
    request_id = submit(writer_event, "c-1", "test_counted")
    records = reader.new_records()
    # the request and its ask item are inserted together; only the request has a Status
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]
    with_status = [r for r in records if "Status" in r["dynamodb"]["NewImage"]]
    assert [r["dynamodb"]["Keys"]["RequestId"]["S"] for r in with_status] == [request_id]
