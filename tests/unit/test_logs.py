from __future__ import annotations

import logging

from connect_tracker.logs import MASK, log_event, redact_parameters


def test_sensitive_and_phone_like_values_are_masked():
    redacted = redact_parameters(
        {
            "Pin": "1234",
            "AccountId": "ACC-1001",
            "Callback": "+1 (202) 555-0143",
            "Reference": "12345678",
            "Short": "42",
        },
        sensitive={"pin"},
    )
    assert redacted == {
        "Pin": MASK,
        "AccountId": "ACC-1001",
        "Callback": MASK,
        "Reference": MASK,
        "Short": "42",
    }


def test_long_values_are_cut():
    assert len(redact_parameters({"Note": "n" * 1000}, set())["Note"]) == 200


def test_log_event_puts_fields_on_the_record(caplog):
    with caplog.at_level(logging.INFO, logger="connect_tracker"):
        log_event(logging.INFO, "request.created", contact_id="c-1", request_id="r-1", skipped=None)
    record = caplog.records[-1]
    assert record.getMessage() == "request.created"
    assert record.contact_id == "c-1"  # type: ignore[attr-defined]
    assert record.request_id == "r-1"  # type: ignore[attr-defined]
    assert not hasattr(record, "skipped")
