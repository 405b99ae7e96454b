"""Request identity as real calls need it (moto): the contact chain, the ask, RequestKey.

A request is found again by its contact chain (InitialContactId, else ContactId) and what
it asks (task + canonical parameters), or by the chain and the flow's RequestKey. Only
that chain may read it; answers are sized as the configured runtime sends them.
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from connect_tracker.dispatcher import StreamRecord
from connect_tracker.domain import REQUEST_ID_PATTERN, Status, new_request
from connect_tracker.handlers import checker, processor, writer
from connect_tracker.store import DynamoDBTrackerStore
from connect_tracker.testing import (
    LambdaContext,
    StreamReader,
    WorkerQueue,
    create_tracker_table,
    reset_handlers,
)
from tests.support.functional import PROBE, TABLE, ask_items, batch, item, item_count

RESULT_FIELDS = {"Text", "Lookup"}


def write(writer_event, contact: str, initial: str | None = None, **parameters: str):
    event = writer_event(contact, initial, TaskName="test_echo", **parameters)
    return writer.handler(event, None)


def poll(checker_event, request_id: str, contact: str, initial: str | None = None):
    return checker.handler(checker_event(request_id, contact, initial), None)


def process(stream, invokes: WorkerQueue) -> dict[str, Any]:
    """Dispatch what the stream delivers and run the workers it queued, as Lambda would."""
    answer = processor.handler(batch(stream.deliverable()), LambdaContext())
    invokes.drain()
    return answer


def table_snapshot() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: i["RequestId"]["S"])


def test_two_lookups_in_one_call_each_get_their_own_result(
    writer_event, checker_event, stream, invokes: WorkerQueue
):
    first = write(writer_event, "call-1", AccountId="A-1")
    second = write(writer_event, "call-1", AccountId="B-2")
    assert first["RequestId"] != second["RequestId"]
    assert process(stream, invokes) == {"batchItemFailures": []}
    assert poll(checker_event, first["RequestId"], "call-1")["Lookup"] == "A-1"
    assert poll(checker_event, second["RequestId"], "call-1")["Lookup"] == "B-2"
    assert PROBE.calls == {first["RequestId"]: 1, second["RequestId"]: 1}


def test_asking_the_same_again_finds_the_same_request_and_runs_once(
    writer_event, checker_event, stream, invokes: WorkerQueue
):
    first = write(writer_event, "call-1", AccountId="A-1", Text="x")
    # retry-writer, or a second pass through the flow: same contact, same ask
    again = write(writer_event, "call-1", Text="x", AccountId="A-1")  # order is irrelevant
    # a transfer: Connect gives a new ContactId and keeps the InitialContactId
    transferred = write(writer_event, "call-1-after-transfer", "call-1", AccountId="A-1", Text="x")
    assert first["RequestId"] == again["RequestId"] == transferred["RequestId"]
    assert item_count() == 1
    assert len(ask_items()) == 1
    process(stream, invokes)
    answer = poll(checker_event, first["RequestId"], "call-1-after-transfer", "call-1")
    assert answer["Status"] == "COMPLETE"
    assert answer["Lookup"] == "A-1"
    assert PROBE.calls == {first["RequestId"]: 1}


def test_another_task_or_another_parameter_is_a_new_request(writer_event):
    base = write(writer_event, "call-1", AccountId="A-1")["RequestId"]
    extra = write(writer_event, "call-1", AccountId="A-1", Extra="")["RequestId"]
    other_task = writer.handler(
        writer_event("call-1", TaskName="test_counted", AccountId="A-1"), None
    )["RequestId"]
    other_chain = write(writer_event, "call-2", AccountId="A-1")["RequestId"]
    assert len({base, extra, other_task, other_chain}) == 4
    assert item_count() == 4


def test_request_ids_are_random_not_derived_from_the_contact(writer_event):
    ids = set()
    for attempt in range(3):
        boto3.client("dynamodb").delete_table(TableName=TABLE)
        create_tracker_table(TABLE)
        ids.add(write(writer_event, "call-1", AccountId="A-1")["RequestId"])
        assert attempt + 1 == len(ids)
    assert all(REQUEST_ID_PATTERN.match(rid) for rid in ids)


def test_another_chain_polling_the_id_gets_not_found_and_no_result(
    writer_event, checker_event, stream, invokes: WorkerQueue
):
    request_id = write(writer_event, "call-1", AccountId="A-1", Text="secret")["RequestId"]
    process(stream, invokes)
    assert poll(checker_event, request_id, "call-1")["Text"] == "secret"
    stranger = poll(checker_event, request_id, "someone-else")
    # a transferred contact of another chain: the InitialContactId decides, not the ContactId
    spoofed = poll(checker_event, request_id, "call-1", "another-initial")
    unknown = poll(checker_event, "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1", "someone-else")
    for answer in (stranger, spoofed):
        assert answer["Status"] == "NOT_FOUND"
        assert set(answer) == {"RequestId", "Status", "ErrorCode", "ErrorMessage"}
        assert not RESULT_FIELDS & set(answer)
        # the same answer as for an id that does not exist: nothing to learn from it
        assert {k: v for k, v in answer.items() if k != "RequestId"} == {
            k: v for k, v in unknown.items() if k != "RequestId"
        }


def test_a_request_key_names_the_request_and_is_not_given_to_the_task(
    writer_event, checker_event, stream
):
    keyed = write(writer_event, "call-1", AccountId="A-1", RequestKey="lookup-1")
    again = write(writer_event, "call-1", AccountId="A-1", RequestKey="lookup-1")
    assert keyed == again
    stored = item(keyed["RequestId"])
    assert stored is not None
    assert stored["Parameters"] == {"M": {"AccountId": {"S": "A-1"}}}
    assert stored["RequestKey"] == {"S": "lookup-1"}
    # the key, not the ask, names it: the same ask without the key is another request
    assert write(writer_event, "call-1", AccountId="A-1")["RequestId"] != keyed["RequestId"]


def test_a_request_key_reused_for_another_ask_is_refused_and_nothing_changes(writer_event):
    keyed = write(writer_event, "call-1", AccountId="A-1", RequestKey="lookup-1")
    before = table_snapshot()
    for other in ({"AccountId": "B-2"}, {"AccountId": "A-1", "More": "1"}):
        refused = write(writer_event, "call-1", RequestKey="lookup-1", **other)
        assert refused["Status"] == "INVALID_REQUEST"
        assert refused["ErrorCode"] == "REQUEST_KEY_REUSED"
        assert "lookup-1" in refused["ErrorMessage"]
    other_task = writer.handler(
        writer_event("call-1", TaskName="test_counted", AccountId="A-1", RequestKey="lookup-1"),
        None,
    )
    assert other_task["ErrorCode"] == "REQUEST_KEY_REUSED"
    assert table_snapshot() == before
    assert keyed["Status"] == "PENDING"


def test_a_new_request_key_after_failed_runs_the_task_again(
    writer_event, checker_event, stream, invokes: WorkerQueue
):
    first = write(writer_event, "call-1", AccountId="A-1", Fail="yes", RequestKey="try-1")
    process(stream, invokes)
    assert poll(checker_event, first["RequestId"], "call-1")["Status"] == "FAILED"
    # the same ask without a new key keeps finding the failed request
    assert write(writer_event, "call-1", AccountId="A-1", Fail="yes", RequestKey="try-1") == {
        **first,
        "Status": "FAILED",
    }
    retry = write(writer_event, "call-1", AccountId="A-1", Fail="yes", RequestKey="try-2")
    assert retry["RequestId"] != first["RequestId"]
    assert retry["Status"] == "PENDING"
    process(stream, invokes)
    assert poll(checker_event, retry["RequestId"], "call-1")["Status"] == "FAILED"
    assert PROBE.calls == {first["RequestId"]: 1, retry["RequestId"]: 1}


@pytest.mark.parametrize("key", ["x" * 129, "line\nbreak"])
def test_a_malformed_request_key_is_refused(writer_event, key):
    answer = write(writer_event, "call-1", RequestKey=key)
    assert answer["Status"] == "INVALID_REQUEST"
    assert answer["ErrorCode"] == "INVALID_REQUEST_KEY"
    assert item_count() == 0


def test_an_empty_request_key_counts_as_none(writer_event):
    assert (
        write(writer_event, "call-1", AccountId="A", RequestKey=" ")["RequestId"]
        == write(writer_event, "call-1", AccountId="A")["RequestId"]
    )


def test_the_ask_item_has_no_status_no_contact_data_and_the_same_expiry(writer_event, stream):
    request_id = write(writer_event, "call-1", AccountId="A-1")["RequestId"]
    [ask] = ask_items()
    assert set(ask) == {"RequestId", "ForRequest", "ExpiresAt"}
    assert ask["ForRequest"] == {"S": request_id}
    assert ask["ExpiresAt"] == item(request_id)["ExpiresAt"]  # TTL applies to both
    assert not REQUEST_ID_PATTERN.match(ask["RequestId"]["S"])
    assert [r["dynamodb"]["Keys"]["RequestId"]["S"] for r in stream.deliverable()] == [request_id]


def test_the_processor_skips_a_record_that_is_not_a_request(writer_event):
    reader = StreamReader(TABLE)
    write(writer_event, "call-1", AccountId="A-1")
    records = reader.new_records()
    [ask_record] = [r for r in records if "Status" not in r["dynamodb"]["NewImage"]]
    assert StreamRecord.parse(ask_record).request_id is None
    assert processor.handler(batch([ask_record]), LambdaContext()) == {"batchItemFailures": []}
    assert PROBE.calls == {}


def test_an_expired_ask_not_yet_removed_by_ttl_asks_again(writer_event):
    store = DynamoDBTrackerStore(boto3.client("dynamodb"), TABLE)
    old = new_request(
        contact_id="call-1",
        task_name="test_echo",
        parameters={"AccountId": "A-1"},
        now=time.time() - 7_200,
        deadline_seconds=60,
        ttl_seconds=3_600,
    )
    assert store.create(old) == (old, True)
    fresh = write(writer_event, "call-1", AccountId="A-1")
    assert fresh["RequestId"] != old.request_id
    assert fresh["Status"] == "PENDING"
    [ask] = ask_items()
    assert ask["ForRequest"] == {"S": fresh["RequestId"]}


class TransactionSentTwice:
    """A client whose TransactWriteItems is applied, its answer lost, and sent again."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def transact_write_items(self, **kwargs: Any) -> Any:
        self._client.transact_write_items(**kwargs)
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_create_whose_answer_was_lost_is_still_ours():
    store = DynamoDBTrackerStore(TransactionSentTwice(boto3.client("dynamodb")), TABLE)  # type: ignore[arg-type]
    request = new_request(
        contact_id="call-1",
        task_name="test_echo",
        parameters={},
        now=time.time(),
        deadline_seconds=60,
        ttl_seconds=3_600,
    )
    stored, created = store.create(request)
    assert created
    assert stored.request_id == request.request_id
    assert item_count() == 1


def test_a_request_stored_before_chains_belongs_to_its_contact(writer_event, checker_event):
    request_id = write(writer_event, "call-1")["RequestId"]
    boto3.client("dynamodb").update_item(
        TableName=TABLE, Key={"RequestId": {"S": request_id}}, UpdateExpression="REMOVE ChainId"
    )
    assert poll(checker_event, request_id, "call-1")["Status"] == "PENDING"
    assert poll(checker_event, request_id, "call-2")["Status"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "case", [("AWS_Lambda_python3.11", "FAILED"), ("AWS_Lambda_python3.13", "COMPLETE")]
)
def test_a_result_is_sized_as_the_runtime_sends_it(
    writer_event, checker_event, stream, monkeypatch, case, *, invokes: WorkerQueue
):
    runtime, status = case
    monkeypatch.setenv("AWS_EXECUTION_ENV", runtime)
    reset_handlers()
    # 6,000 'é': 12,000 bytes as python3.13 sends them, 36,000 as python3.11 escapes them
    request_id = write(writer_event, "call-1", Text="é" * 6_000)["RequestId"]
    process(stream, invokes)
    answer = poll(checker_event, request_id, "call-1")
    assert answer["Status"] == status
    if status == "FAILED":
        assert answer["ErrorCode"] == "RESULT_TOO_LARGE"
        assert "Text" not in answer
        assert item(request_id)["Status"] == {"S": "FAILED"}
    else:
        assert answer["Text"] == "é" * 6_000


def test_a_stored_result_the_runtime_cannot_deliver_is_answered_failed(
    writer_event, checker_event, stream, monkeypatch, invokes: WorkerQueue
):
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.13")
    reset_handlers()
    request_id = write(writer_event, "call-1", Text="é" * 6_000)["RequestId"]
    process(stream, invokes)
    assert item(request_id)["Status"] == {"S": Status.COMPLETE.value}
    # the functions move to python3.11, whose escaped answer would be 36 KB
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11")
    reset_handlers()
    answer = poll(checker_event, request_id, "call-1")
    assert answer["Status"] == "FAILED"
    assert answer["ErrorCode"] == "RESULT_TOO_LARGE"
    assert "Text" not in answer
