"""A full contact's logs, all four functions' log groups: the contact id is there, the
caller's number and a sensitive parameter's value never are."""

from __future__ import annotations

import pytest

from tests.reliability.conftest import (
    CALLER_NUMBER,
    SENSITIVE_PARAMETER,
    FaultStack,
    wait_until,
)

pytestmark = pytest.mark.fault

SECRET_VALUE = "pin-SECRET-8c1f"  # not phone-like: only its name marks it sensitive


def test_a_full_contacts_logs_carry_the_contact_id_and_no_personal_data(
    fault_stack: FaultStack,
):
    stack = fault_stack
    run = stack.run_contact(
        {
            "TaskName": "reliability_work",
            "Fault": "none",
            "Value": "9",
            SENSITIVE_PARAMETER: SECRET_VALUE,
            "Caller": CALLER_NUMBER,  # a flow passing $.CustomerEndpoint.Address along
        }
    )
    assert not run.errors
    assert run.final["Status"] == "COMPLETE"
    contact = run.contact_id
    for function in ("writer", "processor", "worker", "checker"):

        def mentions(function: str = function) -> list[str] | None:
            found = [m for m in stack.log_events(function) if contact in m]
            return found or None

        lines = wait_until(mentions, timeout=60, what=f"{function} log lines of the contact")
        assert lines, function
        everything = stack.log_events(function)
        for needle in (CALLER_NUMBER, CALLER_NUMBER.lstrip("+"), SECRET_VALUE):
            leaks = [m for m in everything if needle in m]
            assert not leaks, (function, needle, leaks[:3])
    writer_lines = [
        line
        for line in stack.json_logs("writer")
        if line.get("contact_id") == contact and line.get("message") == "request.created"
    ]
    assert writer_lines
    assert writer_lines[0]["parameters"][SENSITIVE_PARAMETER] == "***"
    assert writer_lines[0]["parameters"]["Caller"] == "***"
