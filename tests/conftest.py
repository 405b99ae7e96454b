"""Shared test helpers: real-shaped events from tests/events/."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EVENTS = Path(__file__).parent / "events"


class LambdaContext:
    """The part of Lambda's context object the handlers read: the invocation's time left.

    ``ticking``: the time left runs down with the wall clock from creation, as in Lambda.
    """

    def __init__(self, seconds: float = 900, *, ticking: bool = False) -> None:
        self._seconds = seconds
        self._started = time.monotonic() if ticking else None

    def get_remaining_time_in_millis(self) -> int:
        spent = 0.0 if self._started is None else time.monotonic() - self._started
        return max(0, int((self._seconds - spent) * 1000))


def load_event(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))


@pytest.fixture
def writer_event() -> Callable[..., dict[str, Any]]:
    def make(
        contact_id: str = "contact-1", initial_contact_id: str | None = None, **parameters: str
    ) -> dict[str, Any]:
        """A writer event of ``contact_id``, whose chain starts at ``initial_contact_id``
        (the contact itself by default; another one after a transfer)."""
        event = load_event("connect_writer_event")
        event["Details"]["ContactData"]["ContactId"] = contact_id
        event["Details"]["ContactData"]["InitialContactId"] = initial_contact_id or contact_id
        if parameters:
            event["Details"]["Parameters"] = dict(parameters)
        return event

    return make


@pytest.fixture
def checker_event() -> Callable[..., dict[str, Any]]:
    def make(
        request_id: str, contact_id: str = "contact-1", initial_contact_id: str | None = None
    ) -> dict[str, Any]:
        event = load_event("connect_checker_event")
        event["Details"]["ContactData"]["ContactId"] = contact_id
        event["Details"]["ContactData"]["InitialContactId"] = initial_contact_id or contact_id
        event["Details"]["Parameters"] = {"RequestId": request_id}
        return event

    return make
