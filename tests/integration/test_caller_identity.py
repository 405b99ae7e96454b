"""Request identity on the deployed stack: real writer, stream, processor, worker and checker.

The issue's proof for the package side of the caller's journey: several lookups per
call, transfers (new ContactId, same InitialContactId), retries after FAILED with a new
RequestKey, a RequestKey reused for another ask, and polls from another contact chain.
Each task run leaves one ``integration.side_effect`` line in the worker's log: the
side-effect count.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Stack, new_contact
from tests.integration.stack import log_lines, wait_for

pytestmark = pytest.mark.integration

SIDE_EFFECT = "integration.side_effect"


def side_effects(stack: Stack, request_id: str) -> int:
    lines = log_lines(stack, "worker", request_id)
    return sum(1 for line in lines if line.get("message") == SIDE_EFFECT)


def ran_once(stack: Stack, request_id: str) -> int:
    """The side-effect count once the task's line has reached the logs (waits for it)."""
    wait_for(
        lambda: side_effects(stack, request_id) or None,
        timeout=30,
        what=f"the side effect of {request_id}",
    )
    return side_effects(stack, request_id)


def table_items(stack: Stack) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").scan(
        TableName=stack.outputs["tracker_table_name"], ConsistentRead=True
    )["Items"]
    return sorted(items, key=lambda item: item["RequestId"]["S"])


def test_two_lookups_in_one_call_each_get_their_own_result(stack: Stack):
    call = new_contact()
    first = stack.submit(call, "integration_counted", AccountId="A-1")
    second = stack.submit(call, "integration_counted", AccountId="B-2")
    assert first["RequestId"] != second["RequestId"]
    assert stack.wait_terminal(first["RequestId"])["Lookup"] == "A-1"
    assert stack.wait_terminal(second["RequestId"])["Lookup"] == "B-2"
    assert ran_once(stack, first["RequestId"]) == 1
    assert ran_once(stack, second["RequestId"]) == 1


def test_a_transferred_contact_asking_the_same_gets_the_same_request_run_once(stack: Stack):
    call = new_contact()
    written = stack.submit(call, "integration_counted", AccountId="A-1")
    # the transfer: Connect gives the contact a new ContactId and keeps InitialContactId
    after_transfer = new_contact()
    again = stack.submit(after_transfer, "integration_counted", call, AccountId="A-1")
    assert again["RequestId"] == written["RequestId"]
    final = stack.wait_terminal(written["RequestId"])
    polled_after_transfer = stack.check(written["RequestId"], after_transfer, call)
    assert polled_after_transfer == final
    assert final["Status"] == "COMPLETE"
    assert final["Lookup"] == "A-1"
    assert ran_once(stack, written["RequestId"]) == 1


def test_a_retry_after_failed_with_a_new_request_key_runs_again(stack: Stack):
    call = new_contact()
    first = stack.submit(
        call, "integration_counted", AccountId="A-1", Fail="yes", RequestKey="try-1"
    )
    assert stack.wait_terminal(first["RequestId"])["ErrorCode"] == "ASKED_TO_FAIL"
    same_key = stack.submit(
        call, "integration_counted", AccountId="A-1", Fail="yes", RequestKey="try-1"
    )
    assert same_key["RequestId"] == first["RequestId"]
    assert same_key["Status"] == "FAILED"
    retry = stack.submit(
        call, "integration_counted", AccountId="A-1", Fail="yes", RequestKey="try-2"
    )
    assert retry["RequestId"] != first["RequestId"]
    assert retry["Status"] == "PENDING"
    assert stack.wait_terminal(retry["RequestId"])["Status"] == "FAILED"
    assert ran_once(stack, first["RequestId"]) == 1
    assert ran_once(stack, retry["RequestId"]) == 1


def test_the_same_request_key_with_other_parameters_is_refused_and_nothing_changes(stack: Stack):
    call = new_contact()
    keyed = stack.submit(call, "integration_counted", AccountId="A-1", RequestKey="lookup")
    stack.wait_terminal(keyed["RequestId"])
    before = table_items(stack)
    refused = stack.submit(call, "integration_counted", AccountId="B-2", RequestKey="lookup")
    assert refused["Status"] == "INVALID_REQUEST"
    assert refused["ErrorCode"] == "REQUEST_KEY_REUSED"
    assert "RequestId" not in refused
    assert table_items(stack) == before
    assert ran_once(stack, keyed["RequestId"]) == 1


def test_a_contact_of_another_chain_polling_the_id_gets_not_found(stack: Stack):
    call = new_contact()
    written = stack.submit(call, "integration_counted", AccountId="A-1")
    assert stack.wait_terminal(written["RequestId"])["Status"] == "COMPLETE"
    stranger = stack.check(written["RequestId"], new_contact())
    assert stranger["Status"] == "NOT_FOUND"
    assert set(stranger) == {"RequestId", "Status", "ErrorCode", "ErrorMessage"}
    assert "Lookup" not in stranger
