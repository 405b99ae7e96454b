"""Structured logs without personal data.

Lambda's JSON log format (set by the module) turns each record and its ``extra`` fields
into one JSON line. Fields are named in snake_case; caller numbers never reach a log, and
parameters named sensitive, or whose value looks like a phone number, are masked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping

logger = logging.getLogger("connect_tracker")

MASK = "***"
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,}$")


def redact_parameters(parameters: Mapping[str, str], sensitive: Collection[str]) -> dict[str, str]:
    """Parameters as they may appear in a log line."""
    lowered = {name.lower() for name in sensitive}
    return {
        name: MASK
        if name.lower() in lowered or (_PHONE_LIKE.match(value.strip()) and _digits(value) >= 7)
        else value[:200]
        for name, value in parameters.items()
    }


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def log_event(level: int, event: str, **fields: object) -> None:
    """One line per event: ``event`` is the message, ``fields`` the searchable context."""
    logger.log(
        level, event, extra={"event": event, **{k: v for k, v in fields.items() if v is not None}}
    )
