"""The integration tier: the whole stack on the sandbox (or on a LocalStack you name).

One session fixture brings the sandbox up (unless TRACKER_SANDBOX_ENDPOINT names a running
LocalStack), applies `examples/localstack` with the integration tasks, yields the outputs,
and in `finally` destroys the stack and stops what it started.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.integration.stack import ROOT, Terraform, wait_for
from tracker_sandbox.control import Sandbox

EXAMPLE = ROOT / "examples" / "localstack"
TASKS = Path(__file__).parent / "tasks"
#: Short enough that the time-out tests finish quickly, long enough for a cold start.
DEADLINE_SECONDS = 20
TERMINAL = {"COMPLETE", "FAILED", "TIMED_OUT"}


@dataclass
class Stack:
    endpoint: str
    outputs: dict[str, Any]
    terraform: Terraform
    session: boto3.Session
    log_tail: Any = None
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = self.session.client(
                service,
                endpoint_url=self.endpoint,
                config=Config(retries={"max_attempts": 2}, read_timeout=120),
            )
        return self.clients[service]

    def invoke(self, function: str, event: Mapping[str, Any]) -> dict[str, Any]:
        answer = self.client("lambda").invoke(
            FunctionName=self.outputs[f"{function}_function_name"],
            Payload=json.dumps(event).encode(),
        )
        payload = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            raise AssertionError(f"{function} failed: {payload}")
        return payload  # type: ignore[no-any-return]

    def submit(self, contact_id: str, task: str, **parameters: str) -> dict[str, str]:
        return self.invoke("writer", connect_event(contact_id, {"TaskName": task, **parameters}))

    def check(self, request_id: str, contact_id: str = "poller") -> dict[str, str]:
        return self.invoke("checker", connect_event(contact_id, {"RequestId": request_id}))

    def wait_terminal(
        self, request_id: str, timeout: float = DEADLINE_SECONDS + 60
    ) -> dict[str, str]:
        """Poll the checker as the flow does until the request is terminal."""
        return wait_for(
            lambda: (
                ((answer := self.check(request_id)) and answer["Status"] in TERMINAL and answer)
                or None
            ),
            timeout=timeout,
            interval=0.5,
            what=f"request {request_id} reaching a terminal status",
        )

    def item(self, request_id: str) -> dict[str, Any] | None:
        return (
            self.client("dynamodb")
            .get_item(
                TableName=self.outputs["tracker_table_name"],
                Key={"RequestId": {"S": request_id}},
                ConsistentRead=True,
            )
            .get("Item")
        )


def connect_event(contact_id: str, parameters: Mapping[str, str]) -> dict[str, Any]:
    """The event Connect sends from an InvokeLambdaFunction block."""
    return {
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": "VOICE",
                "ContactId": contact_id,
                "CustomerEndpoint": {"Address": "+12025550143", "Type": "TELEPHONE_NUMBER"},
                "InitialContactId": contact_id,
                "InitiationMethod": "INBOUND",
                "InstanceARN": "arn:aws:connect:us-east-1:000000000000:instance/sandbox",
                "PreviousContactId": contact_id,
                "Queue": None,
                "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": dict(parameters),
        },
        "Name": "ContactFlowEvent",
    }


def leftovers(endpoint: str, prefix: str) -> list[str]:
    """Everything named with the stack's prefix that still exists after destroy."""
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint)

    found = [
        f"table {t}" for t in client("dynamodb").list_tables()["TableNames"] if t.startswith(prefix)
    ]
    found += [
        f"function {f['FunctionName']}"
        for f in client("lambda").list_functions()["Functions"]
        if f["FunctionName"].startswith(prefix)
    ]
    found += [
        f"queue {q}" for q in client("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
    ]
    found += [
        f"log group {g['logGroupName']}"
        for g in client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{prefix}")[
            "logGroups"
        ]
    ]
    found += [
        f"role {r['RoleName']}"
        for r in client("iam").list_roles()["Roles"]
        if r["RoleName"].startswith(prefix)
    ]
    return found


def new_contact() -> str:
    return str(uuid.uuid4())


def _say(message: str) -> None:
    print(f"[integration] {message}", file=sys.stderr, flush=True)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    given = os.environ.get("TRACKER_SANDBOX_ENDPOINT", "").strip()
    sandbox = None if given else Sandbox()
    started = False
    work_dir = Path(tempfile.mkdtemp(prefix="tracker-it-"))
    terraform: Terraform | None = None
    try:
        if sandbox is not None:
            began = time.monotonic()
            started = sandbox.ensure_up()
            endpoint = sandbox.endpoint
            _say(
                f"{'started' if started else 'reusing'} the embedded sandbox at {endpoint} "
                f"({time.monotonic() - began:.1f}s)"
            )
        else:
            endpoint = given
            _say(f"using TRACKER_SANDBOX_ENDPOINT={endpoint}; not starting or stopping it")
        terraform = Terraform(
            EXAMPLE,
            work_dir,
            {
                "endpoint": endpoint,
                "name": f"it-{secrets.token_hex(3)}",
                "task_source_dir": str(TASKS / "integration_tasks"),
                "task_modules": ["integration_tasks"],
                "request_deadline_seconds": DEADLINE_SECONDS,
                # the whole module, Connect resources included, on the sandbox's Connect
                "create_connect_instance": True,
            },
        )
        began = time.monotonic()
        terraform.init()
        terraform.apply()
        _say(f"applied {EXAMPLE.relative_to(ROOT)} in {time.monotonic() - began:.1f}s")
        session = boto3.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        )
        yield Stack(
            endpoint, terraform.outputs(), terraform, session, sandbox.log_tail if sandbox else None
        )
    finally:
        try:
            if terraform is not None and terraform.resources():
                began = time.monotonic()
                terraform.destroy()
                _say(f"destroyed the stack in {time.monotonic() - began:.1f}s")
                left = leftovers(endpoint, str(terraform.variables["name"]))
                assert not left, f"destroy left resources behind: {left}"
        finally:
            if sandbox is not None and started:
                sandbox.down()
                _say("stopped the sandbox")
            shutil.rmtree(work_dir, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and "stack" in getattr(item, "fixturenames", ()):
        tail = Sandbox().log_tail(80) if not os.environ.get("TRACKER_SANDBOX_ENDPOINT") else ""
        if tail:
            report.sections.append(("sandbox log tail", tail))
