"""Fixtures for the flow tests; the builders live in flowkit.py."""

from __future__ import annotations

from typing import Any

import pytest
from flowkit import Kit
from flowkit import tracker_flow as _tracker_flow


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


@pytest.fixture
def tracker_flow() -> dict[str, Any]:
    return _tracker_flow()
