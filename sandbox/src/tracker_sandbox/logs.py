"""Reading what the sandbox's functions logged: one read of a log group, for tests and tools.

A function's lines reach its log group after the invocation that wrote them ends, so a
caller that needs a line polls this read against its own deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_logs.client import CloudWatchLogsClient


def log_messages(logs: CloudWatchLogsClient, group: str) -> list[str]:
    """Every message of a log group so far (none while the group does not exist yet)."""
    try:
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group)
        return [event["message"] for page in pages for event in page["events"]]
    except logs.exceptions.ResourceNotFoundException:
        return []
