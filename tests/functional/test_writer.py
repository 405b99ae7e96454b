from __future__ import annotations

import logging

import boto3
import pytest

from connect_tracker.domain import MAX_PARAMETERS_BYTES
from connect_tracker.handlers import writer
from connect_tracker.store import StoreUnavailable
from tests.support.functional import TABLE, item, item_count


def test_records_a_pending_request_and_answers_strings(writer_event):
    answer = writer.handler(
        writer_event("contact-1", TaskName="test_counted", Question="why"), None
    )
    assert answer["Status"] == "PENDING"
    assert answer["TaskName"] == "test_counted"
    assert all(isinstance(value, str) for value in answer.values())
    stored = item(answer["RequestId"])
    assert stored is not None
    assert stored["Status"] == {"S": "PENDING"}
    assert stored["ContactId"] == {"S": "contact-1"}
    assert stored["Parameters"] == {"M": {"Question": {"S": "why"}}}
    created = float(stored["CreatedAt"]["N"])
    assert int(stored["DeadlineAt"]["N"]) - created == pytest.approx(60, abs=1)
    assert int(stored["ExpiresAt"]["N"]) - created == pytest.approx(3600, abs=1)
    assert answer["DeadlineAt"] == stored["DeadlineAt"]["N"]


def test_the_same_contact_and_task_gets_the_same_request(writer_event):
    first = writer.handler(writer_event("contact-1", TaskName="test_counted"), None)
    second = writer.handler(writer_event("contact-1", TaskName="test_counted"), None)
    assert first == second
    assert item_count() == 1
    other_task = writer.handler(writer_event("contact-1", TaskName="simulated_backend"), None)
    other_contact = writer.handler(writer_event("contact-2", TaskName="test_counted"), None)
    assert len({first["RequestId"], other_task["RequestId"], other_contact["RequestId"]}) == 3
    assert item_count() == 3


def test_a_repeat_reports_where_the_first_request_stands(writer_event):

    first = writer.handler(writer_event("contact-1"), None)
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key={"RequestId": {"S": first["RequestId"]}},
        UpdateExpression="SET #s = :c",
        ExpressionAttributeNames={"#s": "Status"},
        ExpressionAttributeValues={":c": {"S": "COMPLETE"}},
    )
    again = writer.handler(writer_event("contact-1"), None)
    assert again["RequestId"] == first["RequestId"]
    assert again["Status"] == "COMPLETE"
    assert item_count() == 1


def test_the_default_task_applies(writer_event):
    answer = writer.handler(writer_event("contact-1", Question="x"), None)
    assert answer["TaskName"] == "test_counted"


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (None, "INVALID_EVENT"),
        ({"Details": {"ContactData": {}}}, "MISSING_CONTACT_ID"),
        (
            {
                "Details": {
                    "ContactData": {"ContactId": "c"},
                    "Parameters": {"TaskName": "bad name"},
                }
            },
            "INVALID_TASK_NAME",
        ),
        (
            {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {"N": 5}}},
            "INVALID_PARAMETERS",
        ),
    ],
)
def test_bad_events_are_answered_and_nothing_is_stored(event, code):
    answer = writer.handler(event, None)
    assert answer["Status"] == "INVALID_REQUEST"
    assert answer["ErrorCode"] == code
    assert answer["ErrorMessage"]
    assert item_count() == 0


def test_parameters_too_large_for_an_item_are_refused_before_dynamodb(writer_event):
    big = {f"P{i}": "x" * 100_000 for i in range(MAX_PARAMETERS_BYTES // 100_000 + 1)}
    answer = writer.handler(writer_event("contact-1", **big), None)
    assert answer["Status"] == "INVALID_REQUEST"
    assert answer["ErrorCode"] == "PARAMETERS_TOO_LARGE"
    assert item_count() == 0


def test_logs_carry_the_contact_and_never_the_caller_number_or_a_sensitive_value(
    writer_event, caplog
):
    event = writer_event(
        "contact-9", TaskName="test_counted", Pin="4321", CallerNumber="+12025550143"
    )
    event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = "+12025550143"
    with caplog.at_level(logging.DEBUG):
        answer = writer.handler(event, None)
    record = next(r for r in caplog.records if r.getMessage() == "request.created")
    assert record.contact_id == "contact-9"  # type: ignore[attr-defined]
    assert record.request_id == answer["RequestId"]  # type: ignore[attr-defined]
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "+12025550143" not in text
    assert "4321" not in text


def test_an_unreachable_table_raises_for_the_flow_error_branch(writer_event, monkeypatch, caplog):

    boto3.client("dynamodb").delete_table(TableName=TABLE)
    with (
        caplog.at_level(logging.INFO),
        pytest.raises(StoreUnavailable, match="ResourceNotFoundException"),
    ):
        writer.handler(writer_event("contact-1", TaskName="test_counted"), None)
    # the line the module's writer-failures metric filter counts ({ $.event = ... }, alarms.tf)
    record = next(r for r in caplog.records if r.getMessage() == "request.store_unavailable")
    assert record.levelno == logging.ERROR
    assert record.__dict__["event"] == "request.store_unavailable"
    assert record.__dict__["contact_id"] == "contact-1"
    assert record.__dict__["task_name"] == "test_counted"
    assert "ResourceNotFoundException" in record.__dict__["error_message"]
