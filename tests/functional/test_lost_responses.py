"""Conditional writes whose response is lost and which the SDK retries (moto).

The first attempt succeeds on the table, its response never arrives, the SDK sends the
same call again and that retry fails the condition the first attempt made false. The store
must recognise its own write: found by the load test on the sandbox, where 8 of 1,000
requests were claimed, then skipped as 'duplicates' and left RUNNING until their deadline.
"""

from __future__ import annotations

import time
from typing import Any

import boto3

from connect_tracker.domain import Outcome, Status, TrackerRequest, new_request
from connect_tracker.store import DynamoDBTrackerStore
from tests.support.functional import TABLE


class ClientProxy:
    """A DynamoDB client passing every call through, counting GetItem calls; subclasses
    change what one call does."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.reads = 0

    def get_item(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self._client.get_item(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class RetriedAfterLostResponse(ClientProxy):
    """A DynamoDB client whose every UpdateItem is sent twice; the caller sees the second."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.sent = 0

    def update_item(self, **kwargs: Any) -> Any:
        self.sent += 1
        self._client.update_item(**kwargs)  # succeeds; its response is "lost"
        self.sent += 1
        return self._client.update_item(**kwargs)  # the SDK's retry


def a_request(contact_id: str = "c-1", parameters: dict[str, str] | None = None) -> TrackerRequest:
    """A new request of task "t" (deadline 60 s), not stored."""
    return new_request(
        contact_id=contact_id,
        task_name="t",
        parameters=parameters or {},
        now=time.time(),
        deadline_seconds=60,
        ttl_seconds=3600,
    )


def stored_request(store: DynamoDBTrackerStore, contact_id: str = "c-1") -> str:
    request = a_request(contact_id)
    store.create(request)
    return request.request_id


def test_another_deliverys_claim_is_still_refused():
    plain = DynamoDBTrackerStore(boto3.client("dynamodb"), TABLE)
    request_id = stored_request(plain)
    now = time.time()
    assert plain.claim_lease(request_id, "token-1", now, now + 60).won
    retried = DynamoDBTrackerStore(RetriedAfterLostResponse(boto3.client("dynamodb")), TABLE)  # type: ignore[arg-type]
    refused = retried.claim_lease(request_id, "token-2", now, now + 60)
    assert not refused.won
    assert refused.request is not None
    assert refused.request.claim_token == "token-1"


def test_a_finish_whose_response_was_lost_is_still_recorded_as_ours():
    client = RetriedAfterLostResponse(boto3.client("dynamodb"))
    store = DynamoDBTrackerStore(client, TABLE)  # type: ignore[arg-type]
    request_id = stored_request(store)
    now = time.time()
    assert store.claim_lease(request_id, "token-1", now, now + 60).won
    assert store.finish(request_id, "token-1", Outcome.complete({"A": "1"}), time.time()).won
    final = store.get(request_id)
    assert final is not None
    assert final.status is Status.COMPLETE
    assert final.result == {"A": "1"}
    # a finish under a token that never held the claim is still refused
    refused = store.finish(request_id, "token-9", Outcome.complete({"A": "2"}), time.time())
    assert not refused.won
    assert refused.request is not None
    assert refused.request.result == {"A": "1"}  # the item as the refused write found it


def test_a_lease_claim_whose_response_was_lost_is_still_ours():
    client = RetriedAfterLostResponse(boto3.client("dynamodb"))
    store = DynamoDBTrackerStore(client, TABLE)  # type: ignore[arg-type]
    request_id = stored_request(store)
    now = time.time()
    claim = store.claim_lease(request_id, "token-1", now, now + 60)
    assert claim.won
    assert claim.request is not None
    assert claim.request.claim_token == "token-1"
    assert client.sent == 2


def test_a_refused_lease_claim_says_what_it_found_without_a_read():
    """The worker claims without reading first; a refused claim returns the item as the
    condition found it (ReturnValuesOnConditionCheckFailure = ALL_OLD)."""
    client = ClientProxy(boto3.client("dynamodb"))
    store = DynamoDBTrackerStore(client, TABLE)  # type: ignore[arg-type]
    request_id = stored_request(store)
    now = time.time()
    assert store.claim_lease(request_id, "token-1", now, now + 60).won
    live = store.claim_lease(request_id, "token-2", now + 1, now + 61)
    assert not live.won
    assert live.request is not None
    assert live.request.claim_token == "token-1"  # a live claim: left alone
    assert store.finish(request_id, "token-1", Outcome.complete({"A": "1"}), now + 2).won
    done = store.claim_lease(request_id, "token-3", now + 3, now + 63)
    assert not done.won
    assert done.request is not None
    assert done.request.status is Status.COMPLETE
    assert client.reads == 0
    # past the deadline (60 s) an open request is refused too, and shown as it is
    overdue = a_request("c-2")
    store.create(overdue)
    after = overdue.deadline_at + 1.0  # its own deadline: the machine may be slow
    late = store.claim_lease(overdue.request_id, "token-4", after, after + 60)
    assert not late.won
    assert late.request is not None
    assert late.request.status is Status.PENDING
    assert late.request.is_overdue(after)
    # no such request: the claim finds nothing
    missing = store.claim_lease("6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1", "t", now, now + 60)
    assert missing == type(missing)(won=False, request=None)


class CreatedAfterLostResponse(ClientProxy):
    """A DynamoDB client whose every TransactWriteItems is sent twice (the first succeeds,
    its response is lost); the caller sees the second, which fails the ask's condition."""

    def transact_write_items(self, **kwargs: Any) -> Any:
        self._client.transact_write_items(**kwargs)
        return self._client.transact_write_items(**kwargs)


def test_a_create_whose_response_was_lost_is_still_ours_without_reading_the_request():
    client = CreatedAfterLostResponse(boto3.client("dynamodb"))
    store = DynamoDBTrackerStore(client, TABLE)  # type: ignore[arg-type]
    request = a_request("c-lost", {"A": "1"})
    stored, created = store.create(request)
    assert (stored, created) == (request, True)
    # The refused retry returns the ask (ReturnValuesOnConditionCheckFailure), which names
    # our own request: nothing needs reading.
    assert client.reads == 0
    found = store.get(request.request_id)
    assert found is not None
    assert found.status is Status.PENDING
    # A later invocation's ask (a new request id) for the same work finds the stored one.
    again = a_request("c-lost", {"A": "1"})
    reused, created_again = DynamoDBTrackerStore(boto3.client("dynamodb"), TABLE).create(again)
    assert reused.request_id == request.request_id
    assert not created_again
