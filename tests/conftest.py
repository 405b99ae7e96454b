"""Shared fixtures: Connect's events, built by the kit's one builder
(connect_tracker.testing.contact_event), and the recorded samples in tests/events/."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connect_tracker.testing import contact_event

EVENTS = Path(__file__).parent / "events"


def load_event(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))


@pytest.fixture
def writer_event() -> Callable[..., dict[str, Any]]:
    def make(
        contact_id: str = "contact-1", initial_contact_id: str | None = None, **parameters: str
    ) -> dict[str, Any]:
        """A writer event of ``contact_id``, whose chain starts at ``initial_contact_id``
        (the contact itself by default; another one after a transfer)."""
        sample = load_event("connect_writer_event")["Details"]
        return contact_event(
            contact_id,
            parameters or sample["Parameters"],
            initial_contact_id=initial_contact_id,
            attributes=sample["ContactData"]["Attributes"],
        )

    return make


@pytest.fixture
def checker_event() -> Callable[..., dict[str, Any]]:
    def make(
        request_id: str, contact_id: str = "contact-1", initial_contact_id: str | None = None
    ) -> dict[str, Any]:
        return contact_event(
            contact_id, {"RequestId": request_id}, initial_contact_id=initial_contact_id
        )

    return make
