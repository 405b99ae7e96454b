"""A full contact's logs, all four functions' log groups: the contact id is there; the
caller's number, a sensitive parameter's value and the personal data a flow may pass along
(e-mail address, name, postal address, IBAN-like account number) never are. Parameters are
logged by name and length; only the stack's allow-list (log_parameters_in_clear: Fault,
Value) appears in clear."""

from __future__ import annotations

import pytest

from connect_tracker.logs import masked
from tests.reliability.conftest import (
    CALLER_NUMBER,
    SENSITIVE_PARAMETER,
    FaultStack,
    wait_until,
)

pytestmark = pytest.mark.fault

SECRET_VALUE = "pin-SECRET-8c1f"  # not phone-like: only its name marks it sensitive
# Not phone-like either: only the default (length only) keeps them out of the logs.
PERSONAL = {
    "Email": "jane.doe@example.com",
    "FullName": "Jane Q. Doe",
    "PostalAddress": "12 Rue de la Paix, 75002 Paris",
    "Iban": "FR7630006000011234567890189",
}


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
            **PERSONAL,
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
        needles = (CALLER_NUMBER, CALLER_NUMBER.lstrip("+"), SECRET_VALUE, *PERSONAL.values())
        for needle in needles:
            leaks = [m for m in everything if needle in m]
            assert not leaks, (function, needle, leaks[:3])
    writer_lines = [
        line
        for line in stack.json_logs("writer")
        if line.get("contact_id") == contact and line.get("message") == "request.created"
    ]
    assert writer_lines
    logged = writer_lines[0]["parameters"]
    assert logged[SENSITIVE_PARAMETER] == masked(SECRET_VALUE)
    assert logged["Caller"] == masked(CALLER_NUMBER)
    for name, value in PERSONAL.items():
        assert logged[name] == masked(value), name
    # The allow-listed ones in clear (TaskName is the line's task_name, not a parameter).
    assert (logged["Fault"], logged["Value"]) == ("none", "9")
    assert writer_lines[0]["task_name"] == "reliability_work"
