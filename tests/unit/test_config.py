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


def test_defaults():
    settings = Settings.from_environment({"TRACKER_TABLE_NAME": "t"})
    assert settings.deadline_seconds == 120
    assert settings.consistent_read is True
    assert settings.task_modules == ()


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
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_environment(env)
