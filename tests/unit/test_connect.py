from __future__ import annotations

from dataclasses import replace

import pytest

from connect_tracker import connect
from connect_tracker.domain import ErrorCode, Outcome, RequestRejected, Status, new_request
from connect_tracker.testing import contact_event
from tests.conftest import load_event


def test_parses_the_real_event_shape():
    parsed = connect.parse_contact_event(load_event("connect_writer_event"))
    assert parsed.contact_id == "4a573372-1f28-4e26-b97b-XXXXXXXXXXXX"
    assert parsed.parameters["TaskName"] == "simulated_backend"
    ask = connect.split_ask(parsed, default_task="")
    assert ask.task_name == "simulated_backend"
    assert "TaskName" not in ask.parameters
    assert ask.parameters["AccountId"] == "ACC-1001"


def test_default_task_applies_when_the_flow_names_none():
    event = load_event("connect_writer_event")
    del event["Details"]["Parameters"]["TaskName"]
    parsed = connect.parse_contact_event(event)
    assert connect.split_ask(parsed, "fallback_task").task_name == "fallback_task"
    with pytest.raises(RequestRejected) as caught:
        connect.split_ask(parsed, "")
    assert caught.value.code is ErrorCode.INVALID_TASK_NAME


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (None, ErrorCode.INVALID_EVENT),
        ("text", ErrorCode.INVALID_EVENT),
        ([], ErrorCode.INVALID_EVENT),
        ({}, ErrorCode.INVALID_EVENT),
        ({"Details": "x"}, ErrorCode.INVALID_EVENT),
        ({"Details": {}}, ErrorCode.MISSING_CONTACT_ID),
        ({"Details": {"ContactData": {"ContactId": "  "}}}, ErrorCode.MISSING_CONTACT_ID),
        ({"Details": {"ContactData": {"ContactId": 7}}}, ErrorCode.MISSING_CONTACT_ID),
        (
            {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": []}},
            ErrorCode.INVALID_PARAMETERS,
        ),
        (
            {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {"A": 1}}},
            ErrorCode.INVALID_PARAMETERS,
        ),
        (
            {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": {"": "x"}}},
            ErrorCode.INVALID_PARAMETERS,
        ),
    ],
)
def test_malformed_events_are_rejected_with_a_code(event, code):
    with pytest.raises(RequestRejected) as caught:
        connect.parse_contact_event(event)
    assert caught.value.code is code


def test_null_parameters_mean_none():
    parsed = connect.parse_contact_event(
        {"Details": {"ContactData": {"ContactId": "c"}, "Parameters": None}}
    )
    assert parsed.parameters == {}


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({}, ErrorCode.MISSING_REQUEST_ID),
        ({"RequestId": ""}, ErrorCode.MISSING_REQUEST_ID),
        ({"RequestId": "not-a-uuid"}, ErrorCode.MALFORMED_REQUEST_ID),
        ({"RequestId": "'; DROP TABLE x; --"}, ErrorCode.MALFORMED_REQUEST_ID),
    ],
)
def test_requested_id_checks_the_format(parameters, code):
    event = connect.ContactEvent("c", parameters)
    with pytest.raises(RequestRejected) as caught:
        connect.requested_id(event)
    assert caught.value.code is code


def test_requested_id_accepts_upper_case():
    rid = "6F1C1D3E-5A43-4F7E-9C1B-0B7A3C2DE0A1"
    assert connect.requested_id(connect.ContactEvent("c", {"RequestId": rid})) == rid.lower()


def _request():
    return new_request(
        contact_id="c", task_name="t", parameters={}, now=10, deadline_seconds=5, ttl_seconds=50
    )


def test_every_answer_is_a_flat_map_of_strings():

    base = _request()
    answers = [
        connect.writer_response(base),
        connect.checker_response(base),
        connect.checker_response(replace(base, status=Status.COMPLETE, result={"Balance": "1"})),
        connect.checker_response(
            replace(base, status=Status.FAILED, error_code="X", error_message="m")
        ),
        connect.checker_response(replace(base, status=Status.TIMED_OUT)),
        connect.not_found_response(base.request_id),
        connect.unknown_response(base.request_id),
        connect.rejection_response(RequestRejected(ErrorCode.INVALID_EVENT, "bad")),
    ]
    for answer in answers:
        assert answer["Status"]
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items())


def test_checker_answer_carries_the_result_or_the_error():

    base = _request()
    done = connect.checker_response(replace(base, status=Status.COMPLETE, result={"Balance": "1"}))
    assert done["Balance"] == "1"
    assert "ErrorCode" not in done
    outcome = Outcome.failed("NO_ACCOUNT", "no such account")
    failed = connect.checker_response(
        replace(
            base,
            status=outcome.status,
            error_code=outcome.error_code,
            error_message=outcome.error_message,
        )
    )
    assert failed["ErrorCode"] == "NO_ACCOUNT"
    assert failed["ErrorMessage"] == "no such account"
    pending = connect.checker_response(base)
    assert set(pending) == {"RequestId", "Status", "TaskName", "DeadlineAt"}


def test_the_kit_builds_events_shaped_as_the_recorded_sample() -> None:
    """The one event builder (connect_tracker.testing.contact_event) writes what the
    recorded sample holds, key for key: the tests built on it see Connect's shape."""
    sample = load_event("connect_writer_event")
    built = contact_event("4a573372-1f28-4e26-b97b-XXXXXXXXXXXX", sample["Details"]["Parameters"])
    assert built.keys() == sample.keys()
    assert built["Details"].keys() == sample["Details"].keys()
    assert built["Details"]["ContactData"].keys() == sample["Details"]["ContactData"].keys()
    built["Details"]["ContactData"]["Attributes"] = sample["Details"]["ContactData"]["Attributes"]
    assert built == sample
