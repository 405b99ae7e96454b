"""Load on the deployed fault stack: 1,000 contacts in bursts of 50 concurrent, each
submitted through the writer and polled through the checker as the flow does.

Asserts behaviour only (every contact terminal and correct, none lost, none run twice,
every poll answered); the completion-time distribution is printed, never asserted.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from reliability_tasks import expected_result

from tests.reliability.conftest import POLL_SECONDS, ContactRun, FaultStack, say, wait_until

pytestmark = pytest.mark.load

CONTACTS = int(os.environ.get("RELIABILITY_LOAD_CONTACTS", "1000"))
BURST = int(os.environ.get("RELIABILITY_LOAD_BURST", "50"))
#: Long enough that queueing behind 1,000 requests is not mistaken for a fault.
LOAD_DEADLINE_SECONDS = 300


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def distribution(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):.2f}s, p90 {percentile(values, 0.9):.2f}s, "
        f"p99 {percentile(values, 0.99):.2f}s, max {max(values):.2f}s"
    )


def test_a_thousand_contacts_in_bursts_of_fifty(fault_stack: FaultStack):
    stack = fault_stack
    stack.set_deadline(LOAD_DEADLINE_SECONDS)
    began = time.monotonic()
    runs: list[ContactRun] = []
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        for first in range(0, CONTACTS, BURST):
            plans = [
                {"TaskName": "reliability_work", "Fault": "none", "Value": str(index)}
                for index in range(first, min(first + BURST, CONTACTS))
            ]
            runs += list(pool.map(stack.run_contact, plans))  # 50 calls at once, to the end
    elapsed = time.monotonic() - began

    errors = [(run.contact_id, run.errors) for run in runs if run.errors]
    assert not errors, errors[:5]  # the writer and the checker answered every call
    ids = [run.request_id for run in runs]
    assert len(ids) == CONTACTS
    assert len(set(ids)) == CONTACTS  # one request per contact, none merged
    wrong = [
        (run.parameters["Value"], run.final)
        for run in runs
        if run.final.get("Status") != "COMPLETE"
        or {k: run.final.get(k) for k in ("Answer", "Digest")}
        != expected_result(run.parameters["Value"])
    ]
    assert not wrong, wrong[:5]  # all terminal, all correct: none lost
    effects = stack.effects()
    runs_per_request = [effects.get(request_id, 0) for request_id in ids]
    assert runs_per_request == [1] * CONTACTS  # each request's work ran exactly once

    def all_started() -> dict[str, int] | None:
        found = stack.task_starts()
        return found if set(ids) <= set(found) else None

    starts = wait_until(all_started, timeout=120, what="task.started of all 1,000 requests")
    duplicates = {request_id: starts[request_id] for request_id in ids if starts[request_id] != 1}
    assert not duplicates

    seen = [(run.terminal_at or 0) - run.submitted_at for run in runs]
    processed = []
    for run in runs:
        item = stack.item(run.request_id) or {}
        processed.append(float(item["CompletedAt"]["N"]) - float(item["CreatedAt"]["N"]))
    polls = sum(len(run.polls) for run in runs)
    say(
        f"load: {CONTACTS} contacts in bursts of {BURST} in {elapsed:.0f}s; "
        f"{sum(1 for r in runs if r.final.get('Status') == 'COMPLETE')} COMPLETE and correct, "
        f"0 lost, 0 duplicates (task runs per request: max {max(runs_per_request)}); "
        f"{CONTACTS} writer calls and {polls} checker polls (poll interval {POLL_SECONDS:g}s), "
        f"0 errors"
    )
    say(f"load: completion seen by the flow (submit -> terminal poll): {distribution(seen)}")
    say(f"load: completion in the table (CreatedAt -> CompletedAt): {distribution(processed)}")
