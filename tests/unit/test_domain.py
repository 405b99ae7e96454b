from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from connect_tracker.domain import (
    MAX_PARAMETERS_BYTES,
    REQUEST_ID_PATTERN,
    ErrorCode,
    Outcome,
    RequestRejected,
    Serialization,
    Status,
    ask_key,
    canonical_ask,
    new_request,
    normalise_result,
    same_ask,
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


def test_request_ids_are_random_uuids_not_derived_from_the_contact_or_task():
    ids = {make().request_id for _ in range(50)}
    assert len(ids) == 50
    assert all(REQUEST_ID_PATTERN.match(rid) for rid in ids)
    assert {uuid.UUID(rid).version for rid in ids} == {4}


def test_the_chain_defaults_to_the_contact():
    assert make().chain_id == "c-1"
    assert make(chain_id="initial-1").chain_id == "initial-1"
    assert make(chain_id="initial-1").contact_id == "c-1"


def test_the_same_ask_from_the_same_chain_has_the_same_key():
    first = make(contact_id="c-1", chain_id="chain-1")
    transferred = make(contact_id="c-2", chain_id="chain-1")  # new ContactId, same chain
    assert first.request_id != transferred.request_id
    assert ask_key(first) == ask_key(transferred)
    # parameter order does not matter: the ask is canonical
    assert ask_key(make(parameters={"A": "1", "B": "2"})) == ask_key(
        make(parameters={"B": "2", "A": "1"})
    )


@pytest.mark.parametrize(
    "other",
    [
        {"parameters": {"AccountId": "A2"}},
        {"parameters": {"AccountId": "A1", "Extra": ""}},
        {"parameters": {}},
        {"task_name": "other_task"},
        {"chain_id": "another-chain"},
        {"request_key": "k-1"},
    ],
)
def test_another_ask_has_another_key(other):
    assert ask_key(make(**other)) != ask_key(make())


def test_the_canonical_ask_is_unambiguous():
    # values that would collide under a naive "k=v;k=v" join stay apart
    assert canonical_ask("t", {"A": "1;B=2"}) != canonical_ask("t", {"A": "1", "B": "2"})
    assert canonical_ask("t", {"A": '1", "B'}) != canonical_ask("t", {"A": "1", "B": ""})
    assert canonical_ask("t", {"A": "é"}) != canonical_ask("t", {"A": "e"})
    assert "\n" not in canonical_ask("t", {"A": "line\nbreak"})


def test_a_request_key_names_the_request_whatever_the_ask():
    keyed = make(request_key="try-2")
    assert ask_key(keyed) == ask_key(make(request_key="try-2", parameters={"AccountId": "B"}))
    assert ask_key(keyed) != ask_key(make(request_key="try-3"))
    assert ask_key(keyed) != ask_key(make(request_key="try-2", chain_id="another-chain"))
    assert not same_ask(keyed, make(request_key="try-2", parameters={"AccountId": "B"}))
    assert same_ask(keyed, make(request_key="try-2"))


def test_ask_keys_never_look_like_request_ids():
    assert not REQUEST_ID_PATTERN.match(ask_key(make()))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"contact_id": ""}, ErrorCode.MISSING_CONTACT_ID),
        ({"task_name": "1starts_with_digit"}, ErrorCode.INVALID_TASK_NAME),
        ({"task_name": "has space"}, ErrorCode.INVALID_TASK_NAME),
        ({"task_name": "x" * 65}, ErrorCode.INVALID_TASK_NAME),
        ({"parameters": {"Big": "x" * (MAX_PARAMETERS_BYTES + 1)}}, ErrorCode.PARAMETERS_TOO_LARGE),
        ({"request_key": "x" * 129}, ErrorCode.INVALID_REQUEST_KEY),
        ({"request_key": ""}, ErrorCode.INVALID_REQUEST_KEY),
        ({"request_key": "bad\nkey"}, ErrorCode.INVALID_REQUEST_KEY),
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


def normalise(raw: object):
    return normalise_result(raw, make(), Serialization.ASCII)


def test_normalise_result_turns_scalars_into_text():
    assert normalise({"A": "x", "N": 3, "F": 1.5, "B": True, "C": False}) == {
        "A": "x",
        "N": "3",
        "F": "1.5",
        "B": "true",
        "C": "false",
    }
    assert normalise(None) == {}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (["not", "a", "map"], ErrorCode.INVALID_RESULT),
        ({"Nested": {"a": "b"}}, ErrorCode.INVALID_RESULT),
        ({"Status": "COMPLETE"}, ErrorCode.INVALID_RESULT),
        ({"bad key": "x"}, ErrorCode.INVALID_RESULT),
        ({1: "x"}, ErrorCode.INVALID_RESULT),
        ({"Lone": "\ud800"}, ErrorCode.INVALID_RESULT),
        ({"Big": "x" * 40_000}, ErrorCode.RESULT_TOO_LARGE),
    ],
)
def test_normalise_result_refuses_what_connect_cannot_take(raw, code):
    with pytest.raises(RequestRejected) as caught:
        normalise(raw)
    assert caught.value.code is code
