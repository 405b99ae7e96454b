from __future__ import annotations

import pytest

from connect_tracker.config import ConfigurationError, Settings


def test_reads_every_setting():
    settings = Settings.from_environment(
        {
            "TRACKER_TABLE_NAME": "t",
            "TRACKER_REQUEST_DEADLINE_SECONDS": "30",
            "TRACKER_REQUEST_TTL_SECONDS": "600",
            "TRACKER_DEFAULT_TASK": "simulated_backend",
            "TRACKER_SENSITIVE_PARAMETERS": "Pin, CardNumber ,",
            "TRACKER_TASK_MODULES": "my_tasks,more_tasks",
            "TRACKER_CONSISTENT_READ": "false",
            "TRACKER_TASK_ENV_LEGACY_API_URL": "http://x",
            "TRACKER_CHECKER_WAIT_SECONDS": "3",
        }
    )
    assert settings.table_name == "t"
    assert settings.deadline_seconds == 30
    assert settings.ttl_seconds == 600
    assert settings.default_task == "simulated_backend"
    assert settings.sensitive_parameters == {"Pin", "CardNumber"}
    assert settings.task_modules == ("my_tasks", "more_tasks")
    assert settings.consistent_read is False
    assert settings.task_environment == {"LEGACY_API_URL": "http://x"}
    assert settings.checker_wait_seconds == 3.0


def test_a_waiting_checker_reads_consistently_whatever_consistent_read_says():
    def reads(**env: str) -> bool:
        return Settings.from_environment(
            {"TRACKER_TABLE_NAME": "t", **env}
        ).checker_reads_consistently

    assert reads(TRACKER_CONSISTENT_READ="false", TRACKER_CHECKER_WAIT_SECONDS="1") is True
    assert reads(TRACKER_CONSISTENT_READ="false", TRACKER_CHECKER_WAIT_SECONDS="0") is False
    assert reads(TRACKER_CONSISTENT_READ="false") is False
    assert reads() is True


def test_defaults():
    settings = Settings.from_environment({"TRACKER_TABLE_NAME": "t"})
    assert settings.deadline_seconds == 120
    assert settings.consistent_read is True
    assert settings.task_modules == ()
    assert settings.checker_wait_seconds == 0  # no wait: one read, answered at once


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "TRACKER_TABLE_NAME"),
        ({"TRACKER_TABLE_NAME": "t", "TRACKER_REQUEST_DEADLINE_SECONDS": "soon"}, "whole number"),
        ({"TRACKER_TABLE_NAME": "t", "TRACKER_REQUEST_DEADLINE_SECONDS": "0"}, "greater than 0"),
        (
            {
                "TRACKER_TABLE_NAME": "t",
                "TRACKER_REQUEST_DEADLINE_SECONDS": "100",
                "TRACKER_REQUEST_TTL_SECONDS": "50",
            },
            "must be at least",
        ),
        ({"TRACKER_TABLE_NAME": "t", "TRACKER_CONSISTENT_READ": "maybe"}, "'true' or 'false'"),
        (
            {"TRACKER_TABLE_NAME": "t", "TRACKER_CHECKER_WAIT_SECONDS": "soon"},
            "TRACKER_CHECKER_WAIT_SECONDS must be a number",
        ),
        (
            {"TRACKER_TABLE_NAME": "t", "TRACKER_CHECKER_WAIT_SECONDS": "-1"},
            "TRACKER_CHECKER_WAIT_SECONDS must be from 0 to 8",
        ),
        (
            {"TRACKER_TABLE_NAME": "t", "TRACKER_CHECKER_WAIT_SECONDS": "9"},
            "TRACKER_CHECKER_WAIT_SECONDS must be from 0 to 8",
        ),
        (
            {"TRACKER_TABLE_NAME": "t", "TRACKER_CHECKER_WAIT_SECONDS": "nan"},
            "TRACKER_CHECKER_WAIT_SECONDS must be from 0 to 8",
        ),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environment(env)
