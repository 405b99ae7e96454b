from __future__ import annotations

from dataclasses import replace

import pytest

from connect_tracker.domain import (
    MAX_PARAMETERS_BYTES,
    MAX_RESULT_BYTES,
    ErrorCode,
    Outcome,
    RequestRejected,
    Status,
    new_request,
    normalise_result,
    request_id_for,
)


def make(**overrides: object):
    arguments: dict[str, object] = {
        "contact_id": "c-1",
        "task_name": "simulated_backend",
        "parameters": {"AccountId": "A1"},
        "now": 1_000.25,
        "deadline_seconds": 60,
        "ttl_seconds": 3_600,
    }
    arguments.update(overrides)
    return new_request(**arguments)  # type: ignore[arg-type]


def test_new_request_is_pending_with_deadline_and_expiry():
    request = make()
    assert request.status is Status.PENDING
    assert request.created_at == 1_000.25
    assert request.deadline_at == 1_061  # ceil(1000.25 + 60)
    assert request.expires_at == 4_601
    assert request.parameters == {"AccountId": "A1"}
    assert request.attempts == 0


def test_request_id_is_stable_per_contact_and_task():
    assert request_id_for("c-1", "a") == request_id_for("c-1", "a")
    assert request_id_for("c-1", "a") != request_id_for("c-1", "b")
    assert request_id_for("c-1", "a") != request_id_for("c-2", "a")
    # the separator keeps ("c-1x", "y") and ("c-1", "xy") apart
    assert request_id_for("c-1x", "y") != request_id_for("c-1", "xy")
    assert make().request_id == request_id_for("c-1", "simulated_backend")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"contact_id": ""}, ErrorCode.MISSING_CONTACT_ID),
        ({"task_name": "1starts_with_digit"}, ErrorCode.INVALID_TASK_NAME),
        ({"task_name": "has space"}, ErrorCode.INVALID_TASK_NAME),
        ({"task_name": "x" * 65}, ErrorCode.INVALID_TASK_NAME),
        ({"parameters": {"Big": "x" * (MAX_PARAMETERS_BYTES + 1)}}, ErrorCode.PARAMETERS_TOO_LARGE),
    ],
)
def test_new_request_refuses_what_cannot_be_stored(overrides, code):
    with pytest.raises(RequestRejected) as caught:
        make(**overrides)
    assert caught.value.code is code
    assert caught.value.message


def test_overdue_only_while_open():
    request = make()
    assert not request.is_overdue(1_060.9)
    assert request.is_overdue(1_061)
    done = Outcome.complete({})
    assert done.status is Status.COMPLETE

    assert not replace(request, status=Status.COMPLETE).is_overdue(9_999)


def test_outcome_must_be_terminal():
    with pytest.raises(ValueError, match="terminal"):
        Outcome(Status.RUNNING)
    assert Outcome.failed("X", "m" * 5_000).error_message.endswith("…")  # type: ignore[union-attr]


def test_statuses_terminal_and_open():
    assert {s for s in Status if s.is_terminal} == {
        Status.COMPLETE,
        Status.FAILED,
        Status.TIMED_OUT,
    }
    assert {s for s in Status if s.is_open} == {Status.PENDING, Status.RUNNING}


def test_normalise_result_turns_scalars_into_text():
    assert normalise_result({"A": "x", "N": 3, "F": 1.5, "B": True, "C": False}) == {
        "A": "x",
        "N": "3",
        "F": "1.5",
        "B": "true",
        "C": "false",
    }
    assert normalise_result(None) == {}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (["not", "a", "map"], ErrorCode.INVALID_RESULT),
        ({"Nested": {"a": "b"}}, ErrorCode.INVALID_RESULT),
        ({"Status": "COMPLETE"}, ErrorCode.INVALID_RESULT),
        ({"bad key": "x"}, ErrorCode.INVALID_RESULT),
        ({1: "x"}, ErrorCode.INVALID_RESULT),
        ({"Big": "x" * (MAX_RESULT_BYTES + 1)}, ErrorCode.RESULT_TOO_LARGE),
    ],
)
def test_normalise_result_refuses_what_connect_cannot_take(raw, code):
    with pytest.raises(RequestRejected) as caught:
        normalise_result(raw)
    assert caught.value.code is code
