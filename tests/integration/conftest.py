"""The integration tier: the whole stack on the sandbox (or on a LocalStack you name).

``endpoint`` (session) brings the sandbox up unless TRACKER_SANDBOX_ENDPOINT names a running
LocalStack, and asks the endpoint whether it serves Amazon Connect and whether it is this
checkout's sandbox. ``stack`` applies `examples/localstack` with the integration tasks (with
the sandbox's Connect instance and flows only where Connect answers), yields the outputs,
and in `finally` destroys the stack; the endpoint then stops what it started. Tests that
need Connect take ``connect_stack`` (or ``connect_endpoint``), tests that need the bundled
sandbox's Lambda runtimes on this host take ``bundled_sandbox``: elsewhere they are skipped
with the endpoint's answer as the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sys
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from connect_tracker.testing import contact_event
from tests.integration.stack import (
    ROOT,
    Endpoint,
    Terraform,
    deployed,
    reached_endpoint,
    sandbox_session,
    wait_for,
)
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
    #: request id -> (ContactId, InitialContactId) of the contact that submitted it
    submitted_by: dict[str, tuple[str, str]] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = self.session.client(
                service,
                endpoint_url=self.endpoint,
                config=Config(
                    retries={"max_attempts": 2}, read_timeout=120, max_pool_connections=64
                ),
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

    def warm(self, function: str, environments: int) -> None:
        """Start ``environments`` execution environments of ``function`` side by side.

        Each is invoked once, all at the same time, with an event that changes nothing and
        is answered at once: the writer a task name it refuses, the checker and the worker
        a request that does not exist, the processor an empty stream batch. So the sandbox
        creates that many environments before a test's contacts arrive together. On a
        shared 2-core host a dozen to forty cold starts at once (an interpreter, boto3 and
        its clients each) took first calls past Connect's 8 s (2026-12-01) and bursts past
        a 20 s deadline; on Lambda they start side by side. Warming separates the
        emulator's CPU from what the tests hold the design to.
        """
        events: dict[str, Mapping[str, Any]] = {
            "writer": connect_event("warm-up", {"TaskName": "not a task"}),
            "checker": connect_event("warm-up", {"RequestId": "not-a-request"}),
            "processor": {"Records": []},
        }
        event = events.get(function, {"RequestId": str(uuid.uuid4())})
        with ThreadPoolExecutor(max_workers=environments) as pool:
            list(pool.map(lambda _: self.invoke(function, event), range(environments)))

    def submit(
        self, contact_id: str, task: str, initial_contact_id: str | None = None, **parameters: str
    ) -> dict[str, str]:
        """The writer's answer to ``contact_id`` (whose chain starts at
        ``initial_contact_id``, by default the contact itself) asking for ``task``."""
        initial = initial_contact_id or contact_id
        answer = self.invoke(
            "writer", connect_event(contact_id, {"TaskName": task, **parameters}, initial)
        )
        if "RequestId" in answer:
            self.submitted_by.setdefault(answer["RequestId"], (contact_id, initial))
        return answer

    def check(
        self, request_id: str, contact_id: str | None = None, initial_contact_id: str | None = None
    ) -> dict[str, str]:
        """The checker's answer to a poll of ``request_id``: by default from the contact
        that submitted it (the only chain the checker answers), else as ``contact_id``."""
        if contact_id is None:
            contact_id, initial_contact_id = self.owner(request_id)
        event = connect_event(contact_id, {"RequestId": request_id}, initial_contact_id)
        return self.invoke("checker", event)

    def owner(self, request_id: str) -> tuple[str, str]:
        """(ContactId, InitialContactId) of a contact of the request's chain: the one that
        submitted it through this helper, else the chain recorded on the stored request."""
        if request_id in self.submitted_by:
            return self.submitted_by[request_id]
        item = self.item(request_id) or {}
        chain = (item.get("ChainId") or item.get("ContactId") or {"S": "poller"})["S"]
        return chain, chain

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

    @contextlib.contextmanager
    def table_unanswering_for(self, function: str) -> Iterator[None]:
        """Within the block, ``function``'s DynamoDB calls go to a port that never answers."""
        with self.endpoint_unanswering_for(function, "DYNAMODB"):
            yield

    @contextlib.contextmanager
    def endpoint_unanswering_for(self, function: str, service: str) -> Iterator[None]:
        """Within the block, ``function``'s calls to ``service`` go to a port that never answers.

        A listening socket that is never accepted from: the connection opens (the kernel's
        backlog) and every read times out, as a saturated service does. The function's own
        environment is changed (``AWS_ENDPOINT_URL_<SERVICE>`` overrides the sandbox's
        ``AWS_ENDPOINT_URL`` for that service only) and restored exactly afterwards.
        """
        with socket.create_server(("127.0.0.1", 0), backlog=128) as black_hole:
            port = black_hole.getsockname()[1]
            with self.endpoint_for(function, service, f"http://127.0.0.1:{port}"):
                yield

    @contextlib.contextmanager
    def endpoint_for(self, function: str, service: str, url: str) -> Iterator[None]:
        """Within the block, ``function``'s calls to ``service`` go to ``url``: its own
        ``AWS_ENDPOINT_URL_<SERVICE>`` is set, and its environment restored exactly after."""
        lambda_client = self.client("lambda")
        name = self.outputs[f"{function}_function_name"]
        before = lambda_client.get_function_configuration(FunctionName=name)
        variables = dict(before.get("Environment", {}).get("Variables", {}))
        self._reconfigure(name, {**variables, f"AWS_ENDPOINT_URL_{service}": url})
        try:
            yield
        finally:
            self._reconfigure(name, variables)

    def _reconfigure(self, name: str, variables: Mapping[str, str]) -> None:
        lambda_client = self.client("lambda")
        lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": dict(variables)}
        )
        lambda_client.get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )


def connect_event(
    contact_id: str, parameters: Mapping[str, str], initial_contact_id: str | None = None
) -> dict[str, Any]:
    """The event Connect sends from an InvokeLambdaFunction block, from the kit's one
    builder (connect_tracker.testing.contact_event); a transferred contact has a new
    ``contact_id`` and its chain's first contact as ``initial_contact_id``."""
    return contact_event(contact_id, parameters, initial_contact_id=initial_contact_id)


def new_contact() -> str:
    return str(uuid.uuid4())


def _say(message: str) -> None:
    print(f"[integration] {message}", file=sys.stderr, flush=True)


@pytest.fixture(scope="session")
def endpoint() -> Iterator[Endpoint]:
    with reached_endpoint(_say) as reached:
        yield reached


@pytest.fixture(scope="session")
def connect_endpoint(endpoint: Endpoint) -> Endpoint:
    """The endpoint, for tests that need Amazon Connect: skipped where it has none."""
    endpoint.require_connect()
    return endpoint


@pytest.fixture(scope="session")
def bundled_sandbox(endpoint: Endpoint) -> Sandbox:
    """This checkout's sandbox, for tests that reach its Lambda runtimes on this host."""
    return endpoint.require_sandbox()


@pytest.fixture(scope="session")
def stack(endpoint: Endpoint) -> Iterator[Stack]:
    variables = {
        "name": f"it-{secrets.token_hex(3)}",
        "task_source_dir": str(TASKS / "integration_tasks"),
        "task_modules": ["integration_tasks"],
        "request_deadline_seconds": DEADLINE_SECONDS,
        # the whole module, Connect resources included, where the endpoint serves Connect
        "create_connect_instance": endpoint.serves_connect,
        # alarms evaluated every 10 s instead of 60 (tests/integration/test_alarms.py)
        "alarm_period_seconds": 10,
    }
    with deployed(EXAMPLE, variables, label="it", say=_say, endpoint=endpoint) as deployment:
        yield Stack(
            deployment.endpoint,
            deployment.terraform.outputs(),
            deployment.terraform,
            sandbox_session(),
            deployment.sandbox.log_tail if deployment.sandbox else None,
        )


@pytest.fixture(scope="session")
def connect_stack(connect_endpoint: Endpoint, stack: Stack) -> Stack:
    """The stack, for tests of its Connect resources: skipped where Connect is missing."""
    return stack


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and "stack" in getattr(item, "fixturenames", ()):
        tail = Sandbox().log_tail(80) if not os.environ.get("TRACKER_SANDBOX_ENDPOINT") else ""
        if tail:
            report.sections.append(("sandbox log tail", tail))
