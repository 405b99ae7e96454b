"""The stream's dispatcher (the processor function): one worker invocation per new request,
no task work of its own."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from connect_tracker.handlers import checker, processor
from connect_tracker.testing import LambdaContext, WorkerQueue
from tests.support.functional import PROBE, TABLE, batch, item, submit


def dispatch(records: list[dict[str, Any]]) -> dict[str, Any]:
    return processor.handler(batch(records), LambdaContext(60))


def test_the_whole_loop_completes_with_the_task_result(
    writer_event, checker_event, stream, invokes: WorkerQueue
):
    request_id = submit(writer_event, "c-1", "test_counted", Question="ready")
    records = stream.deliverable()
    assert len(records) == 1
    assert dispatch(records) == {"batchItemFailures": []}
    assert invokes.queued == [{"RequestId": request_id}]
    assert invokes.drain() == ["COMPLETE"]
    stored = item(request_id)
    assert stored["Status"] == {"S": "COMPLETE"}
    assert stored["FinishedBy"] == {"S": "worker"}
    assert stored["Attempts"] == {"N": "1"}
    answer = checker.handler(checker_event(request_id, "c-1"), None)
    assert answer["Status"] == "COMPLETE"
    assert answer["Answer"] == "ready!"
    assert PROBE.calls == {request_id: 1}


def test_the_dispatcher_runs_no_task_work(writer_event, stream, invokes: WorkerQueue):
    request_id = submit(writer_event, "c-1", "test_blocks")  # would hold a batch for 30 s
    assert dispatch(stream.deliverable()) == {"batchItemFailures": []}
    assert PROBE.calls == {}
    assert item(request_id)["Status"] == {"S": "PENDING"}
    assert invokes.queued == [{"RequestId": request_id}]


def test_the_workers_own_writes_are_not_deliverable(writer_event, stream, invokes: WorkerQueue):
    submit(writer_event, "c-1", "test_counted")
    dispatch(stream.deliverable())
    invokes.drain()
    later = stream.new_records()
    assert [r["eventName"] for r in later] == ["MODIFY", "MODIFY"]  # claim, then outcome
    assert all(r["dynamodb"]["NewImage"]["Status"]["S"] != "PENDING" for r in later)


def test_a_request_twice_in_one_batch_is_dispatched_once(
    writer_event, stream, invokes: WorkerQueue
):
    request_id = submit(writer_event, "c-1", "test_counted")
    records = stream.deliverable()
    assert dispatch(records + records) == {"batchItemFailures": []}
    assert invokes.queued == [{"RequestId": request_id}]


def test_a_redelivered_record_never_runs_the_work_twice(writer_event, stream, invokes: WorkerQueue):
    request_id = submit(writer_event, "c-1", "test_counted")
    records = stream.deliverable()
    dispatch(records)
    dispatch(records)  # the mapping delivers the batch again
    assert invokes.drain() == ["COMPLETE", "DUPLICATE"]
    dispatch(records)  # and again after the request finished
    assert invokes.drain() == ["DUPLICATE"]
    assert PROBE.calls == {request_id: 1}


def test_each_request_of_a_batch_gets_its_own_worker(writer_event, stream, invokes: WorkerQueue):
    ids = [submit(writer_event, f"c-{n}", "test_counted") for n in range(15)]
    assert dispatch(stream.deliverable()) == {"batchItemFailures": []}
    assert sorted(order["RequestId"] for order in invokes.queued) == sorted(ids)
    assert set(invokes.drain()) == {"COMPLETE"}
    assert PROBE.calls == dict.fromkeys(ids, 1)


def test_only_the_record_whose_dispatch_failed_is_retried(
    writer_event, stream, invokes: WorkerQueue, monkeypatch
):
    good = submit(writer_event, "c-1", "test_counted")
    records = stream.deliverable()
    submit(writer_event, "c-2", "test_counted")
    refused = stream.deliverable()
    invokes.refuse = 1
    answer = dispatch(refused + records)  # the first send (refused[0]) fails
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": refused[0]["dynamodb"]["SequenceNumber"]}]
    }
    assert [order["RequestId"] for order in invokes.queued] == [good]
    assert dispatch(refused) == {"batchItemFailures": []}  # the retried record
    assert set(invokes.drain()) == {"COMPLETE"}


def test_the_dispatcher_needs_no_table(writer_event, stream, invokes: WorkerQueue):
    request_id = submit(writer_event, "c-1", "test_counted")
    records = stream.deliverable()
    boto3.client("dynamodb").delete_table(TableName=TABLE)
    assert dispatch(records) == {"batchItemFailures": []}
    assert invokes.queued == [{"RequestId": request_id}]


@pytest.mark.parametrize(
    "event",
    [
        None,
        {},
        {"Records": None},
        {"Records": "x"},
        {"Records": []},
        {"Records": [None, 1, {"dynamodb": {}}, {"dynamodb": "x"}]},
    ],
)
def test_malformed_batches_never_raise_and_report_nothing_to_retry(event, invokes: WorkerQueue):
    assert processor.handler(event, LambdaContext()) == {"batchItemFailures": []}
    assert invokes.queued == []


def test_stream_reader_sees_inserts(writer_event, stream):
    request_id = submit(writer_event, "c-1", "test_counted")
    records = stream.new_records()
    # the request and its ask item are inserted together; only the request has a Status
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]
    with_status = [r for r in records if "Status" in r["dynamodb"]["NewImage"]]
    assert [r["dynamodb"]["Keys"]["RequestId"]["S"] for r in with_status] == [request_id]


def test_a_dispatch_is_logged_with_the_contact_and_the_request(
    writer_event, stream, invokes: WorkerQueue, caplog
):
    request_id = submit(writer_event, "c-logged", "test_counted")
    with caplog.at_level("INFO", logger="connect_tracker"):
        dispatch(stream.deliverable())
    lines = [r for r in caplog.records if r.getMessage() == "request.dispatched"]
    assert [(r.__dict__["contact_id"], r.__dict__["request_id"]) for r in lines] == [
        ("c-logged", request_id)
    ]
