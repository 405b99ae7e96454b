"""Session fixture: one sandbox for the whole run, reused when one already answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from sandbox_testkit import ROLE_ARN, FunctionFactory, client, make_zip

from tracker_sandbox import process
from tracker_sandbox.control import Sandbox

_sandbox: Sandbox | None = None


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The running sandbox. Started here (and stopped after the run) unless one already
    answers at SANDBOX_PORT (default 4566); a reused sandbox is left running."""
    global _sandbox
    box = Sandbox()
    started = box.ensure_up()
    print(f"\n[sandbox] {'started' if started else 'reusing running'} sandbox at {box.endpoint}")
    _sandbox = box
    try:
        yield box
    finally:
        _sandbox = None
        if started:
            box.down()
            left = process.sandbox_processes(box.paths, None)
            assert not left, f"processes left after down: {left}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and _sandbox is not None:
        report.sections.append(("sandbox log tail", _sandbox.log_tail(80)))


@pytest.fixture(scope="session")
def aws(sandbox: Sandbox) -> boto3.Session:
    env = sandbox.client_environment()
    return boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )


@pytest.fixture(scope="session")
def lambda_client(aws: boto3.Session, sandbox: Sandbox) -> Any:
    from botocore.config import Config

    # Long read timeout: invokes in these tests run up to the function's timeout.
    return aws.client(
        "lambda",
        endpoint_url=sandbox.endpoint,
        config=Config(read_timeout=120, retries={"max_attempts": 0}),
    )


@pytest.fixture(scope="session")
def logs_client(aws: boto3.Session, sandbox: Sandbox) -> Any:
    return client(aws, sandbox, "logs")


@pytest.fixture
def make_function(lambda_client: Any) -> Iterator[FunctionFactory]:
    """Create a function from source files and wait until it is Active; deleted afterwards."""
    created: list[str] = []

    def create(
        files: dict[str, str],
        *,
        handler: str = "app.handler",
        runtime: str = "python3.13",
        timeout: int = 10,
        environment: dict[str, str] | None = None,
        logging_config: dict[str, str] | None = None,
        wait_active: bool = True,
    ) -> str:
        name = f"sbx-{uuid.uuid4().hex[:10]}"
        kwargs: dict[str, Any] = {
            "FunctionName": name,
            "Runtime": runtime,
            "Role": ROLE_ARN,
            "Handler": handler,
            "Code": {"ZipFile": make_zip(files)},
            "Timeout": timeout,
            "Environment": {"Variables": environment or {}},
        }
        if logging_config:
            kwargs["LoggingConfig"] = logging_config
        lambda_client.create_function(**kwargs)
        created.append(name)
        if wait_active:
            lambda_client.get_waiter("function_active_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
            )
        return name

    yield create
    for name in created:
        try:
            lambda_client.delete_function(FunctionName=name)
        except lambda_client.exceptions.ClientError as exc:
            # LocalStack cannot delete a function whose creation failed (no version manager).
            if "Unable to find version manager" not in str(exc):
                raise
