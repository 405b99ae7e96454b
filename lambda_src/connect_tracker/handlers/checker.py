"""Checker: tells the contact flow where a request stands. Never raises on bad input."""

from __future__ import annotations

import time

from connect_tracker.handlers import _runtime
from connect_tracker.service import Wait, check_request

_runtime.prewarm()


def handler(event: object, context: object) -> dict[str, str]:
    settings = _runtime.settings()
    return check_request(
        event,
        _runtime.store(),
        time.time,
        _runtime.budget(context),
        settings.serialization,
        wait=Wait(settings.checker_wait_seconds),
    )
