"""The checker on a table read with eventual consistency (``consistent_read = false``).

A read may return the item as it stood before a recent write (DynamoDB Developer Guide,
"Read consistency"). When such a stale read shows an overdue request still open, the
checker's conditional seal fails against the item as it really is, and DynamoDB returns
that item with the failure (``ReturnValuesOnConditionCheckFailure = ALL_OLD``): the answer
must come from it, not from another read that may be just as stale.
"""

from __future__ import annotations

import time
from typing import Any

import boto3

from connect_tracker.domain import Outcome
from connect_tracker.service import check_request
from connect_tracker.store import DynamoDBTrackerStore
from tests.functional.test_lost_responses import ClientProxy, a_request
from tests.support.functional import TABLE


class StaleReads(ClientProxy):
    """A DynamoDB client whose GetItem answers the item as it stood when ``freeze`` was
    called (an eventually consistent read that has not seen the writes since)."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.frozen: dict[str, Any] | None = None

    def freeze(self, **key: Any) -> None:
        self.frozen = self._client.get_item(**key, ConsistentRead=True)

    def get_item(self, **kwargs: Any) -> Any:
        self.reads += 1
        return self.frozen if self.frozen is not None else self._client.get_item(**kwargs)


def test_a_failed_seal_answers_from_the_item_the_failure_returned(checker_event):
    client = StaleReads(boto3.client("dynamodb"))
    store = DynamoDBTrackerStore(client, TABLE, consistent_read=False)  # type: ignore[arg-type]
    request = a_request("contact-1")
    store.create(request)
    now = time.time()
    assert store.claim_lease(request.request_id, "token-1", now, now + 30).won
    client.freeze(TableName=TABLE, Key={"RequestId": {"S": request.request_id}})
    assert store.finish(request.request_id, "token-1", Outcome.complete({"A": "1"}), now + 1).won
    # a poll after the deadline whose read still sees the request RUNNING
    after_deadline = request.deadline_at + 1.0
    answer = check_request(
        checker_event(request.request_id, "contact-1"), store, lambda: after_deadline
    )
    assert answer["Status"] == "COMPLETE", answer
    assert answer["A"] == "1"
    assert client.reads == 1  # the stale read; the failed seal said the rest
