"""Handlers against DynamoDB and DynamoDB Streams faked in-process by moto.

The table is created as the Terraform module creates it (hash key RequestId, stream
NEW_IMAGE); stream records are read back from moto's stream, so the processor gets the
records DynamoDB itself produced.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from connect_tracker.handlers import _runtime
from connect_tracker.handlers import processor as processor_handler
from connect_tracker.handlers import worker as worker_handler
from connect_tracker.handlers import writer as writer_handler
from connect_tracker.orders import DispatchFailed, WorkOrder
from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task
from tests.conftest import LambdaContext

TABLE = "tracker-test"


@dataclass
class TaskProbe:
    """Counts how often the functional tests' own tasks really ran."""

    calls: dict[str, int]
    release: threading.Event

    def hit(self, request_id: str) -> None:
        self.calls[request_id] = self.calls.get(request_id, 0) + 1


PROBE = TaskProbe(calls={}, release=threading.Event())


@task("test_counted")
def _counted(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    PROBE.hit(context.request_id)
    return {"Answer": parameters.get("Question", "") + "!", "Attempt": "1"}


@task("test_business_failure")
def _business_failure(parameters: Mapping[str, str], context: TaskContext) -> None:
    PROBE.hit(context.request_id)
    raise TaskError("NO_ACCOUNT", "account ACC-1 does not exist")


@task("test_crash")
def _crash(parameters: Mapping[str, str], context: TaskContext) -> None:
    PROBE.hit(context.request_id)
    raise KeyError("Balance")


@task("test_transient")
def _transient(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    PROBE.hit(context.request_id)
    if PROBE.calls[context.request_id] == 1:
        raise RetryableTaskError("BACKEND_UNAVAILABLE", "503 from the backend")
    return {"Recovered": "yes"}


@task("test_blocks")
def _blocks(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Waits until the test releases it (or 30 s): an overrunning backend."""
    PROBE.hit(context.request_id)
    PROBE.release.wait(30)
    return {"Late": "yes"}


@task("test_echo")
def _echo(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Answers with the Text it was given (and counts its runs): sized results."""
    PROBE.hit(context.request_id)
    if parameters.get("Fail"):
        raise TaskError("ASKED_TO_FAIL", "the flow asked this run to fail")
    return {"Text": parameters.get("Text", ""), "Lookup": parameters.get("AccountId", "")}


@task("test_bad_result")
def _bad_result(parameters: Mapping[str, str], context: TaskContext) -> object:
    return {"Nested": {"not": "flat"}}


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "TRACKER_TABLE_NAME": TABLE,
        "TRACKER_REQUEST_DEADLINE_SECONDS": "60",
        "TRACKER_REQUEST_TTL_SECONDS": "3600",
        "TRACKER_DEFAULT_TASK": "test_counted",
        "TRACKER_SENSITIVE_PARAMETERS": "Pin",
        "TRACKER_WORKER_FUNCTION": "tracker-test-worker",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    _reset_caches()
    PROBE.calls.clear()
    PROBE.release.clear()
    with mock_aws():
        create_table()
        yield
    PROBE.release.set()
    _reset_caches()


def _reset_caches() -> None:
    _runtime.settings.cache_clear()
    _runtime.dynamodb_client.cache_clear()
    _runtime.store.cache_clear()
    processor_handler._dispatcher.cache_clear()
    worker_handler._worker.cache_clear()


def create_table() -> None:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "RequestId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "RequestId", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )


def item(request_id: str) -> dict[str, Any] | None:
    answer = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"RequestId": {"S": request_id}}, ConsistentRead=True
    )
    return answer.get("Item")


def item_count() -> int:
    """Requests in the table (items with a Status), not the ask items that find them."""
    return boto3.client("dynamodb").scan(
        TableName=TABLE,
        Select="COUNT",
        FilterExpression="attribute_exists(#s)",
        ExpressionAttributeNames={"#s": "Status"},
    )["Count"]


def ask_items() -> list[dict[str, Any]]:
    """The ask items: no Status, a key that is no request id, the request in ForRequest."""
    return boto3.client("dynamodb").scan(
        TableName=TABLE,
        FilterExpression="attribute_not_exists(#s)",
        ExpressionAttributeNames={"#s": "Status"},
    )["Items"]


class StreamReader:
    """Reads the table's stream from where it stood when created, like a mapping at LATEST.

    Each read starts again at TRIM_HORIZON and returns the records not seen before (by
    eventID): moto records a put of a transaction it then cancels (DynamoDB does not) and
    reuses that record's sequence number, which an iterator chained from the last read
    would skip past.
    """

    def __init__(self) -> None:
        self._streams = boto3.client("dynamodbstreams")
        self._arn = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"][
            "LatestStreamArn"
        ]
        self._seen: set[str] = set()
        self.new_records()

    def new_records(self) -> list[dict[str, Any]]:
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        iterator = self._streams.get_shard_iterator(
            StreamArn=self._arn, ShardId=shards[0]["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = self._streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        fresh = [r for r in records if r["eventID"] not in self._seen]
        self._seen.update(r["eventID"] for r in fresh)
        return fresh  # type: ignore[return-value]

    def deliverable(self) -> list[dict[str, Any]]:
        """What the module's filter lets through: inserts of pending requests."""
        return [
            record
            for record in self.new_records()
            if record["eventName"] == "INSERT"
            and record["dynamodb"].get("NewImage", {}).get("Status", {}).get("S") == "PENDING"
        ]


@pytest.fixture
def stream() -> StreamReader:
    return StreamReader()


def batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": records}


ContextFactory = Callable[..., LambdaContext]


class AsyncInvokes:
    """Lambda's asynchronous queue of the worker, in process: what the dispatcher (and the
    worker, handing a request over) sent with InvocationType=Event, run on demand.

    The payload goes through JSON as Lambda's does. ``refuse`` makes the next sends fail as
    an unreachable Lambda API would.
    """

    def __init__(self) -> None:
        self.queued: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.refuse = 0

    def send(self, order: WorkOrder) -> None:
        if self.refuse:
            self.refuse -= 1
            raise DispatchFailed("Lambda Invoke of tracker-test-worker failed: ServiceException")
        payload = json.loads(json.dumps(order.payload()))
        self.queued.append(payload)
        self.sent.append(payload)

    def run_next(self, seconds: float = 900, *, ticking: bool = False) -> dict[str, Any]:
        """Deliver the oldest queued event to the worker, as Lambda would."""
        payload = self.queued.pop(0)
        return worker_handler.handler(payload, LambdaContext(seconds, ticking=ticking))  # type: ignore[return-value]

    def drain(self, seconds: float = 900) -> list[str]:
        """Deliver every queued event, including those queued meanwhile; their results."""
        results = []
        while self.queued:
            results.append(self.run_next(seconds)["Result"])
        return results


@pytest.fixture
def invokes(monkeypatch: pytest.MonkeyPatch) -> AsyncInvokes:
    queue = AsyncInvokes()
    monkeypatch.setattr(_runtime, "send_to_worker", queue.send)
    _reset_caches()
    return queue


def submit(writer_event, contact: str, task_name: str, **parameters: str) -> str:
    """Record a request through the writer handler, as the flow's writer block does; its id."""
    return writer_handler.handler(writer_event(contact, TaskName=task_name, **parameters), None)[
        "RequestId"
    ]
