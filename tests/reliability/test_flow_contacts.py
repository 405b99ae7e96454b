"""Contacts on the fault stack placed through the module's real flow with the simulator.

The rest of the tier drives the functions with a hand-written copy of the flow's logic
(conftest `start_contact` / `follow`); these contacts go through the flow itself
(`flow_contacts.place_contact`), on the real clock, with Connect's 8 s limit on every
Lambda block: a change of the flow is tested here too.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from reliability_tasks import expected_result

from tests.reliability.conftest import (
    CALLER_NUMBER,
    DEADLINE_SECONDS,
    POLL_SECONDS,
    ContactRun,
    FaultStack,
)
from tests.reliability.flow_contacts import place_contact

pytestmark = pytest.mark.fault


def through_the_flow(stack: FaultStack, fault: str, value: str) -> ContactRun:
    run = ContactRun(
        str(uuid.uuid4()), {"TaskName": "reliability_work", "Fault": fault, "Value": value}
    )
    return place_contact(stack, run, poll_seconds=POLL_SECONDS, customer_number=CALLER_NUMBER)


def test_a_contact_through_the_real_flow_gets_the_result(fault_stack: FaultStack):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    run = through_the_flow(stack, "none", "12")
    assert not run.errors, run.errors
    assert not run.writer_retried
    assert run.final["Status"] == "COMPLETE", run.polls
    assert {k: run.final[k] for k in ("Answer", "Digest")} == expected_result("12")
    assert stack.runs_of(run.request_id) == 1
    # The flow's Wait paces the polls: never closer than the interval it was rendered with.
    starts = [asked for asked, _, _ in run.polls]
    assert all(b - a >= round(POLL_SECONDS) - 0.5 for a, b in itertools.pairwise(starts))


def test_work_past_the_deadline_is_told_at_the_first_poll_after_it(fault_stack: FaultStack):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    run = through_the_flow(stack, "overrun", "3")
    assert not run.errors, run.errors
    assert run.final["Status"] == "TIMED_OUT", run.polls
    assert run.terminal_at is not None
    # Not before the deadline, and at the first poll after it (one interval, plus the
    # poll's own latency of at most Connect's 8 s).
    assert run.terminal_at >= run.deadline_at - 1.0
    assert run.terminal_at <= run.deadline_at + round(POLL_SECONDS) + 8.0
    assert all(
        answer["Status"] in {"PENDING", "RUNNING", "UNKNOWN"} for *_, answer in run.polls[:-1]
    )
