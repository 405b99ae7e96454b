"""The task secrets (context.secret) against Secrets Manager and SSM faked by moto."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
import pytest

from connect_tracker.config import Settings
from connect_tracker.handlers import checker, processor
from connect_tracker.task_secrets import CACHE_SECONDS, TaskSecrets, mapping_secrets
from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task
from connect_tracker.testing import LambdaContext, reset_handlers
from tests.support.functional import batch, submit

TOKEN = "s3cr3t-token-value"


class CountingClients:
    """boto3 clients by service, counting the reads the secrets reader makes."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def __call__(self, service: str) -> Any:
        client = boto3.client(service)
        counted = self

        class Counted:
            def __getattr__(self, name: str) -> Any:
                counted.reads.append(f"{service}.{name}")
                return getattr(client, name)

        return Counted()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def secret_arn() -> str:
    return boto3.client("secretsmanager").create_secret(Name="backend/token", SecretString=TOKEN)[
        "ARN"
    ]


@pytest.fixture
def parameter_arn() -> str:
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/legacy/pin", Value="4321", Type="SecureString")
    return ssm.get_parameter(Name="/legacy/pin")["Parameter"]["ARN"]


def test_values_come_from_secrets_manager_and_ssm_by_arn(
    secret_arn: str, parameter_arn: str
) -> None:
    secrets = TaskSecrets({"TOKEN": secret_arn, "PIN": parameter_arn}, CountingClients())
    assert secrets("TOKEN") == TOKEN
    assert secrets("PIN") == "4321"  # decrypted


def test_a_value_is_cached_for_the_documented_time_then_read_again(secret_arn: str) -> None:
    clients, clock = CountingClients(), Clock()
    secrets = TaskSecrets({"TOKEN": secret_arn}, clients, clock=clock)
    assert secrets("TOKEN") == TOKEN
    clock.now += CACHE_SECONDS - 1
    assert secrets("TOKEN") == TOKEN
    assert clients.reads == ["secretsmanager.get_secret_value"]
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString="rotated")
    clock.now += 2
    assert secrets("TOKEN") == "rotated"
    assert len(clients.reads) == 2


def test_an_unknown_name_is_a_terminal_task_error(secret_arn: str) -> None:
    secrets = TaskSecrets({"TOKEN": secret_arn}, CountingClients())
    with pytest.raises(TaskError) as raised:
        secrets("PASSWORD")
    assert not isinstance(raised.value, RetryableTaskError)
    assert raised.value.code == "UNKNOWN_SECRET"
    assert "TOKEN" in raised.value.message


def test_an_unreadable_secret_is_retryable_and_named_never_shown(secret_arn: str) -> None:
    boto3.client("secretsmanager").delete_secret(
        SecretId=secret_arn, ForceDeleteWithoutRecovery=True
    )
    secrets = TaskSecrets({"BACKEND_TOKEN": secret_arn}, CountingClients())
    with pytest.raises(RetryableTaskError) as raised:
        secrets("BACKEND_TOKEN")
    assert raised.value.code == "SECRET_UNREADABLE_BACKEND_TOKEN"
    assert "BACKEND_TOKEN" in raised.value.message
    assert "ResourceNotFoundException" in raised.value.message


def test_no_value_appears_in_a_repr(secret_arn: str) -> None:
    secrets = TaskSecrets({"TOKEN": secret_arn}, CountingClients())
    assert secrets("TOKEN") == TOKEN
    context = TaskContext("r", "c", "t", 0.0, secrets=secrets)
    assert TOKEN not in repr(secrets)
    assert TOKEN not in repr(context)


def test_the_environment_names_the_secrets() -> None:
    environ = {
        "TRACKER_TABLE_NAME": "t",
        "TRACKER_TASK_SECRET_TOKEN": "arn:aws:secretsmanager:us-east-1:1:secret:t-AbCdEf",
        "TRACKER_TASK_ENV_TOKEN": "not a secret",
    }
    settings = Settings.from_environment(environ)
    assert settings.task_secrets == {"TOKEN": "arn:aws:secretsmanager:us-east-1:1:secret:t-AbCdEf"}
    assert settings.task_environment == {"TOKEN": "not a secret"}


def test_a_context_without_secrets_and_the_kit_s_mapping_answer_alike() -> None:
    for context in (
        TaskContext("r", "c", "t", 0.0),
        TaskContext("r", "c", "t", 0.0, secrets=mapping_secrets({"OTHER": "x"})),
    ):
        with pytest.raises(TaskError) as raised:
            context.secret("TOKEN")
        assert raised.value.code == "UNKNOWN_SECRET"
    assert TaskContext("r", "c", "t", 0.0, secrets=mapping_secrets({"A": "1"})).secret("A") == "1"


@task("test_reads_token")
def _reads_token(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    return {"TokenLength": str(len(context.secret("BACKEND_TOKEN")))}


def test_the_deployed_worker_reads_the_secret_its_environment_names(
    secret_arn: str, writer_event, checker_event, stream, *, invokes, monkeypatch, caplog
) -> None:
    monkeypatch.setenv("TRACKER_TASK_SECRET_BACKEND_TOKEN", secret_arn)
    reset_handlers()
    request_id = submit(writer_event, "c-1", "test_reads_token")
    processor.handler(batch(stream.deliverable()), LambdaContext(60))
    assert invokes.drain() == ["COMPLETE"]
    answer = checker.handler(checker_event(request_id, "c-1"), None)
    assert answer["TokenLength"] == str(len(TOKEN))
    assert TOKEN not in caplog.text


def test_an_unreadable_secret_is_retried_then_times_out_naming_it(
    secret_arn: str, writer_event, checker_event, stream, *, invokes, monkeypatch
) -> None:
    monkeypatch.setenv("TRACKER_TASK_SECRET_BACKEND_TOKEN", secret_arn + "-gone")
    monkeypatch.setenv("TRACKER_REQUEST_DEADLINE_SECONDS", "3")
    reset_handlers()
    request_id = submit(writer_event, "c-1", "test_reads_token")
    processor.handler(batch(stream.deliverable()), LambdaContext(60))
    assert invokes.drain() == ["TIMED_OUT"]
    answer = checker.handler(checker_event(request_id, "c-1"), None)
    assert answer["ErrorCode"] == "DEADLINE_EXCEEDED"
    assert "SECRET_UNREADABLE_BACKEND_TOKEN" in answer["ErrorMessage"]
