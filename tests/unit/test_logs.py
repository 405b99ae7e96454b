from __future__ import annotations

import logging

from connect_tracker.config import Settings
from connect_tracker.logs import MASK, log_event, masked, redact_parameters

# What a test contact's flow passed along (issue 12): none of it may reach a log by default.
PERSONAL = {
    "Email": "jane.doe@example.com",
    "FullName": "Jane Doe",
    "PostalAddress": "12 Rue de la Paix, 75002 Paris",
    "Iban": "FR76 3000 6000 0112 3456 7890 189",
    "Caller": "+1 (202) 555-0143",
    "AccountPin": "pin-SECRET-8c1f",
}


def test_every_value_is_logged_by_name_and_length_only_by_default():
    redacted = redact_parameters({**PERSONAL, "TaskName": "lookup"})
    assert redacted == {
        **{name: f"{MASK}({len(value)} chars)" for name, value in PERSONAL.items()},
        "TaskName": f"{MASK}(6 chars)",
    }
    logged = repr(redacted)
    for value in PERSONAL.values():
        assert value not in logged
        assert value.replace(" ", "") not in logged.replace(" ", "")


def test_only_allow_listed_names_are_logged_in_clear():
    redacted = redact_parameters(
        {"TaskName": "lookup", "Short": "42", "Email": PERSONAL["Email"]},
        in_clear={"taskname", "Short"},
    )
    assert redacted == {"TaskName": "lookup", "Short": "42", "Email": masked(PERSONAL["Email"])}


def test_sensitive_names_and_phone_like_values_stay_masked_even_when_allow_listed():
    redacted = redact_parameters(
        {"Pin": "1234", "Callback": "+1 (202) 555-0143", "Reference": "12345678"},
        in_clear={"Pin", "Callback", "Reference"},
        sensitive={"pin"},
    )
    assert redacted == {
        "Pin": masked("1234"),
        "Callback": masked("+1 (202) 555-0143"),
        "Reference": masked("12345678"),
    }


def test_long_clear_values_are_cut():
    assert len(redact_parameters({"Note": "n" * 1000}, in_clear={"Note"})["Note"]) == 200


def test_the_allow_list_comes_from_the_environment():
    settings = Settings.from_environment(
        {"TRACKER_TABLE_NAME": "t", "TRACKER_LOG_PARAMETERS_IN_CLEAR": "TaskName, DelaySeconds"}
    )
    assert settings.log_parameters_in_clear == {"TaskName", "DelaySeconds"}
    assert Settings.from_environment({"TRACKER_TABLE_NAME": "t"}).log_parameters_in_clear == set()


def test_log_event_puts_fields_on_the_record(caplog):
    with caplog.at_level(logging.INFO, logger="connect_tracker"):
        log_event(logging.INFO, "request.created", contact_id="c-1", request_id="r-1", skipped=None)
    record = caplog.records[-1]
    assert record.getMessage() == "request.created"
    assert record.contact_id == "c-1"  # type: ignore[attr-defined]
    assert record.request_id == "r-1"  # type: ignore[attr-defined]
    assert not hasattr(record, "skipped")
