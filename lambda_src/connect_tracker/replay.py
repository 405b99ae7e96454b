"""Replay stream batches the processor gave up on, from their on-failure queue record.

When a batch exhausts its retries, Lambda sends the on-failure queue a record naming the
stream, the shard and the batch's sequence range (``DDBStreamBatchInfo``), not the records
themselves. ``replay_failure`` reads that range back from the stream (records are kept 24
hours), keeps what the event source mapping would have delivered (INSERTs of PENDING
requests) and invokes the processor with them, as the mapping does; the processor hands
each request to its own worker invocation. Replaying is safe: the worker claims each
request before running it, so a request that has finished, or is running under a live
claim elsewhere, is skipped and its work never runs twice. What a replay can and cannot
recover after a request's deadline: docs/execution.md.

A worker event Lambda gave up on (after its retries, or too old) arrives as an
asynchronous invocation record whose ``requestPayload`` is the work order; with
``worker=<name>-worker`` it is invoked again the same way.

Operator use (credentials with dynamodb:GetShardIterator/GetRecords on the stream and
lambda:InvokeFunction on the processor and the worker)::

    import boto3, json
    from connect_tracker.replay import replay_failure
    body = json.loads(message["Body"])           # from the on-failure queue
    report = replay_failure(body, boto3.client("dynamodbstreams"), boto3.client("lambda"),
                            processor="<name>-processor", worker="<name>-worker")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

#: What the module's event source mapping admits (docs/architecture.md).
_ADMITTED_EVENT = "INSERT"
_ADMITTED_STATUS = "PENDING"
_PAGE_LIMIT = 1000
#: Pages read before a replay gives up on reaching the end of its range (empty pages count).
_MAX_PAGES = 10_000


class StreamsClient(Protocol):
    """The two DynamoDB Streams calls a replay makes (a boto3 ``dynamodbstreams`` client)."""

    def get_shard_iterator(self, **kwargs: Any) -> Mapping[str, Any]: ...  # noqa: ANN401

    def get_records(self, **kwargs: Any) -> Mapping[str, Any]: ...  # noqa: ANN401


class LambdaClient(Protocol):
    """The one Lambda call a replay makes (a boto3 ``lambda`` client)."""

    def invoke(self, **kwargs: Any) -> Mapping[str, Any]: ...  # noqa: ANN401


class ReplayError(ValueError):
    """The on-failure record cannot be replayed (not a DynamoDB stream batch record)."""


@dataclass(frozen=True)
class BatchInfo:
    stream_arn: str
    shard_id: str
    start_sequence: str
    end_sequence: str

    @classmethod
    def from_failure(cls, body: Mapping[str, Any]) -> BatchInfo:
        info = body.get("DDBStreamBatchInfo")
        if not isinstance(info, Mapping):
            raise ReplayError("the record has no DDBStreamBatchInfo")
        try:
            return cls(
                stream_arn=str(info["streamArn"]),
                shard_id=str(info["shardId"]),
                start_sequence=str(info["startSequenceNumber"]),
                end_sequence=str(info["endSequenceNumber"]),
            )
        except KeyError as missing:
            raise ReplayError(f"DDBStreamBatchInfo lacks {missing}") from None


@dataclass
class ReplayReport:
    records: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # sequence numbers still failing
    function_error: str | None = None
    orders: list[dict[str, Any]] = field(default_factory=list)  # worker events re-sent

    @property
    def request_ids(self) -> list[str]:
        return [str(r["dynamodb"]["Keys"]["RequestId"]["S"]) for r in self.records] + [
            str(order["RequestId"]) for order in self.orders
        ]


def read_batch(
    info: BatchInfo, streams: StreamsClient, *, max_pages: int = _MAX_PAGES
) -> list[dict[str, Any]]:
    """The records of ``info``'s range the mapping would deliver, as Lambda event records.

    Reads until the range's last record, past empty pages: "If there are no stream records
    available in the portion of the shard that the iterator points to, GetRecords returns an
    empty list. Note that it might take multiple calls to get to a portion of the shard that
    contains stream records." (DynamoDB Streams API Reference, GetRecords:
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html).
    It stops early only when the shard is closed (no NextShardIterator) or after
    ``max_pages`` pages, which raises ``ReplayError`` rather than return part of the range.
    """
    iterator = streams.get_shard_iterator(
        StreamArn=info.stream_arn,
        ShardId=info.shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info.start_sequence,
    )["ShardIterator"]
    last = int(info.end_sequence)
    records: list[dict[str, Any]] = []
    pages = 0
    while iterator:
        if pages >= max_pages:
            raise ReplayError(
                f"read {pages} pages of shard {info.shard_id} without reaching sequence number "
                f"{info.end_sequence}; replay again to read on"
            )
        page = streams.get_records(ShardIterator=iterator, Limit=_PAGE_LIMIT)
        pages += 1
        for record in page["Records"]:
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if sequence > last:
                return records
            if admitted(record):
                records.append(as_event_record(record, info.stream_arn))
            if sequence == last:
                return records
        iterator = page.get("NextShardIterator")
    return records


def replay_failure(
    body: Mapping[str, Any],
    streams: StreamsClient,
    lambda_client: LambdaClient,
    *,
    processor: str,
    worker: str | None = None,
) -> ReplayReport:
    """Re-drive what an on-failure record describes: a stream batch through the processor,
    or (with ``worker``) a worker event Lambda gave up on, invoked again asynchronously."""
    if "DDBStreamBatchInfo" not in body and isinstance(body.get("requestPayload"), Mapping):
        if worker is None:
            raise ReplayError("the record is a worker event: name the worker function to replay")
        return replay_worker_event(body, lambda_client, worker=worker)
    info = BatchInfo.from_failure(body)
    report = ReplayReport(records=read_batch(info, streams))
    if not report.records:
        return report
    answer = lambda_client.invoke(
        FunctionName=processor, Payload=json.dumps({"Records": report.records}).encode()
    )
    payload = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        report.function_error = json.dumps(payload)[:1000]
        return report
    if isinstance(payload, Mapping):
        report.failures = [
            str(item.get("itemIdentifier"))
            for item in payload.get("batchItemFailures") or []
            if isinstance(item, Mapping)
        ]
    return report


def replay_worker_event(
    body: Mapping[str, Any], lambda_client: LambdaClient, *, worker: str
) -> ReplayReport:
    """Invoke the worker again (InvocationType=Event) with the order Lambda gave up on.

    The asynchronous invocation record carries the original event as ``requestPayload``
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
    """
    payload = body["requestPayload"]
    request_id = payload.get("RequestId")
    if not isinstance(request_id, str):
        raise ReplayError("the worker event's requestPayload names no RequestId")
    answer = lambda_client.invoke(
        FunctionName=worker, InvocationType="Event", Payload=json.dumps(payload).encode()
    )
    report = ReplayReport(orders=[dict(payload)])
    if answer.get("StatusCode") != 202:
        report.function_error = f"the worker's Invoke answered {answer.get('StatusCode')}"
    return report


def admitted(record: Mapping[str, Any]) -> bool:
    """Whether the module's event source mapping delivers this stream record (stream.tf's
    filter: an INSERT of a PENDING request)."""
    image = record.get("dynamodb", {}).get("NewImage", {})
    status = image.get("Status", {}).get("S") if isinstance(image, Mapping) else None
    return record.get("eventName") == _ADMITTED_EVENT and status == _ADMITTED_STATUS


def as_event_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion"),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
