"""replay_failure: reads the on-failure record's sequence range back and re-drives it."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from connect_tracker.replay import BatchInfo, ReplayError, read_batch, replay_failure

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2025"


def record(sequence: int, event: str = "INSERT", status: str = "PENDING") -> dict[str, Any]:
    return {
        "eventID": f"e{sequence}",
        "eventName": event,
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"RequestId": {"S": f"r{sequence}"}},
            "NewImage": {"RequestId": {"S": f"r{sequence}"}, "Status": {"S": status}},
            "SequenceNumber": str(sequence),
        },
    }


class Streams:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records
        self.asked: dict[str, Any] = {}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        self.asked = kwargs
        start = int(kwargs["SequenceNumber"])
        return {
            "ShardIterator": str(
                next(
                    i
                    for i, r in enumerate(self.records)
                    if int(r["dynamodb"]["SequenceNumber"]) >= start
                )
            )
        }

    def get_records(self, **kwargs: Any) -> dict[str, Any]:
        at = int(kwargs["ShardIterator"])
        page = self.records[at : at + 2]
        return {"Records": page, "NextShardIterator": str(at + 2)}


class Lambda:
    def __init__(self, answer: dict[str, Any], error: str | None = None) -> None:
        self.answer, self.error = answer, error
        self.events: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.events.append(json.loads(kwargs["Payload"]))
        reply: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.answer).encode())}
        if self.error:
            reply["FunctionError"] = self.error
        return reply


def failure(start: int, end: int) -> dict[str, Any]:
    return {
        "requestContext": {"condition": "RetryAttemptsExhausted"},
        "DDBStreamBatchInfo": {
            "shardId": "shard-1",
            "startSequenceNumber": str(start),
            "endSequenceNumber": str(end),
            "streamArn": ARN,
        },
    }


def test_reads_only_the_range_and_only_what_the_mapping_admits():
    streams = Streams(
        [record(1), record(2), record(3, "MODIFY", "RUNNING"), record(4), record(5), record(6)]
    )
    batch = read_batch(BatchInfo.from_failure(failure(2, 5)), streams)
    assert [r["dynamodb"]["SequenceNumber"] for r in batch] == ["2", "4", "5"]
    assert streams.asked["ShardIteratorType"] == "AT_SEQUENCE_NUMBER"
    assert streams.asked["ShardId"] == "shard-1"
    assert all(r["eventSourceARN"] == ARN and r["eventSource"] == "aws:dynamodb" for r in batch)


def test_re_drives_the_batch_through_the_processor_and_reports_what_still_fails():
    client = Lambda({"batchItemFailures": [{"itemIdentifier": "4"}]})
    report = replay_failure(failure(2, 4), Streams([record(2), record(4)]), client, processor="p")
    assert report.request_ids == ["r2", "r4"]
    assert report.failures == ["4"]
    assert client.events == [{"Records": report.records}]


def test_a_function_error_is_reported_not_raised():
    client = Lambda({"errorType": "Runtime.ExitError"}, error="Unhandled")
    report = replay_failure(failure(1, 1), Streams([record(1)]), client, processor="p")
    assert report.function_error is not None
    assert "Runtime.ExitError" in report.function_error


def test_a_record_without_batch_info_cannot_be_replayed():
    with pytest.raises(ReplayError):
        replay_failure({"requestContext": {}}, Streams([]), Lambda({}), processor="p")


class GappyStreams(Streams):
    """A shard whose pages are empty before later records, as DynamoDB Streams allows."""

    def __init__(self, records: list[dict[str, Any]], empty_pages: int) -> None:
        super().__init__(records)
        self.empty_left = empty_pages
        self.pages = 0

    def get_records(self, **kwargs: Any) -> dict[str, Any]:
        self.pages += 1
        if self.empty_left:
            self.empty_left -= 1
            return {"Records": [], "NextShardIterator": kwargs["ShardIterator"]}
        return super().get_records(**kwargs)


def info(first: int, last: int) -> BatchInfo:
    return BatchInfo(ARN, "shard-1", str(first), str(last))


def test_reads_past_empty_pages_to_the_end_of_the_range():
    streams = GappyStreams([record(n) for n in (10, 11, 12, 13)], empty_pages=3)
    found = read_batch(info(10, 13), streams)
    assert [r["dynamodb"]["SequenceNumber"] for r in found] == ["10", "11", "12", "13"]
    assert streams.pages == 3 + 2  # three empty pages, then two pages of two records


def test_stops_at_the_last_record_of_the_range_without_reading_on():
    streams = GappyStreams([record(n) for n in (10, 11, 12, 13)], empty_pages=0)
    assert [r["dynamodb"]["SequenceNumber"] for r in read_batch(info(10, 11), streams)] == [
        "10",
        "11",
    ]
    assert streams.pages == 1


def test_a_range_never_reached_raises_rather_than_return_part_of_it():
    streams = GappyStreams([record(10)], empty_pages=10**6)
    with pytest.raises(ReplayError, match="without reaching sequence number 12"):
        read_batch(info(10, 12), streams, max_pages=50)


def test_a_closed_shard_ends_the_read():
    class Closed(Streams):
        def get_records(self, **kwargs: Any) -> dict[str, Any]:
            return {"Records": self.records[int(kwargs["ShardIterator"]) :]}

    found = read_batch(info(10, 20), Closed([record(10), record(11)]))
    assert [r["dynamodb"]["SequenceNumber"] for r in found] == ["10", "11"]


class AsyncLambda(Lambda):
    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.events.append({"type": kwargs["InvocationType"], **json.loads(kwargs["Payload"])})
        return {"StatusCode": 202}


def test_a_worker_event_lambda_gave_up_on_is_sent_to_the_worker_again():
    order = {"RequestId": "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"}
    body = {
        "requestContext": {"condition": "RetriesExhausted", "functionArn": "arn:...:worker"},
        "requestPayload": order,
    }
    client = AsyncLambda({})
    report = replay_failure(body, Streams([]), client, processor="p", worker="w")
    assert client.events == [{"type": "Event", **order}]
    assert report.request_ids == [order["RequestId"]]
    assert report.function_error is None
    with pytest.raises(ReplayError, match="name the worker"):
        replay_failure(body, Streams([]), client, processor="p")
