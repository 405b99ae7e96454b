"""Structured logs without personal data.

Lambda's JSON log format (set by the module) turns each record and its ``extra`` fields
into one JSON line. Fields are named in snake_case. Request parameters are logged by name
and length only: a value is written in clear only when the deployment lists its name in
``log_parameters_in_clear`` (TRACKER_LOG_PARAMETERS_IN_CLEAR), is not listed in
``sensitive_parameters`` and does not look like a phone number. So an e-mail address, a
name, a postal address or an account number a flow passes along never reaches a log unless
someone chose to let it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping

logger = logging.getLogger("connect_tracker")

MASK = "***"
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,}$")


def masked(value: str) -> str:
    """What a log shows of a value not allowed in clear: its length only."""
    return f"{MASK}({len(value)} chars)"


def redact_parameters(
    parameters: Mapping[str, str],
    in_clear: Collection[str] = (),
    sensitive: Collection[str] = (),
) -> dict[str, str]:
    """Parameters as they may appear in a log line: every value masked to its length but
    those named in ``in_clear`` (case-insensitive), unless also named in ``sensitive`` or
    phone-like; clear values are cut to 200 characters."""
    allowed = {name.lower() for name in in_clear} - {name.lower() for name in sensitive}
    return {
        name: value[:200] if name.lower() in allowed and not _phone_like(value) else masked(value)
        for name, value in parameters.items()
    }


def _phone_like(value: str) -> bool:
    return bool(_PHONE_LIKE.match(value.strip())) and _digits(value) >= 7


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def log_event(level: int, event: str, **fields: object) -> None:
    """One line per event: ``event`` is the message, ``fields`` the searchable context."""
    logger.log(
        level, event, extra={"event": event, **{k: v for k, v in fields.items() if v is not None}}
    )
