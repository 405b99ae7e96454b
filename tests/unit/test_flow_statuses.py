"""The flow templates branch on the checker's statuses from one list
(flows/status_branches.json, read by modules/contact-flow); it must be
connect_tracker.domain.Status's partition, or a status the runtime answers would fall
through the flow's Compare (house review 4.2, change 3)."""

from __future__ import annotations

import json
from pathlib import Path

from connect_tracker.domain import Status

BRANCHES = Path(__file__).resolve().parents[2] / "flows" / "status_branches.json"


def test_the_flow_branches_are_the_domain_statuses() -> None:
    branches = {name: set(values) for name, values in json.loads(BRANCHES.read_text()).items()}
    complete = {status for status in Status if status.is_terminal and status is Status.COMPLETE}
    poll_again = {status for status in Status if status.is_open} | {Status.UNKNOWN}
    failed = set(Status) - complete - poll_again
    assert branches == {
        "writer_accepted": {status.value for status in Status if status.is_open} | {"COMPLETE"},
        "complete": {status.value for status in complete},
        "failed": {status.value for status in failed},
        "poll_again": {status.value for status in poll_again},
    }
    # Every status the checker can answer has exactly one branch.
    answers = [branches["complete"], branches["failed"], branches["poll_again"]]
    assert set().union(*answers) == {status.value for status in Status}
    assert sum(len(group) for group in answers) == len(Status)
