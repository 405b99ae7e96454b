"""The reliability tier: a dedicated fault stack (tests/reliability/stack) on the sandbox.

The session fixture brings the sandbox up unless one answers (SANDBOX_PORT /
SANDBOX_STATE_DIR choose which; TRACKER_SANDBOX_ENDPOINT names a running LocalStack to use
as is), applies the fault stack with its own task package, yields a ``FaultStack`` and in
``finally`` destroys it and stops what it started. Fault tests that kill a runtime or give
a function a port on this host that never answers take ``bundled_sandbox``: they run only
on this checkout's sandbox and are skipped, with the reason, on any other endpoint.

Contacts. ``FaultStack.run_contact`` places a contact through the module's real flow with
the sandbox's simulator on the real clock (``flow_contacts.place_contact``, issue 10 item
6): retry-writer, the time-paced poll loop, the deadline-derived loop count and Connect's
8 s limit on every Lambda block are the flow's, so every flow change is tested here.
``start_contact`` / ``follow`` remain a hand-written copy of the flow's logic for what the
simulator cannot do: a fault injected between the writer call and the polls (an
environment killed mid-invoke, a table that stops answering).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from connect_tracker.replay import as_event_record
from tests.integration.conftest import TERMINAL, Stack, connect_event
from tests.integration.stack import (
    Endpoint,
    deployed,
    reached_endpoint,
    sandbox_session,
    wait_for,
)
from tests.reliability.flow_contacts import place_contact
from tracker_sandbox.control import Sandbox

STACK_DIR = Path(__file__).parent / "stack"
TASKS_DIR = Path(__file__).parent / "tasks"
# The tests recompute what the tasks answer from the task package itself.
if str(TASKS_DIR) not in sys.path:
    sys.path.insert(0, str(TASKS_DIR))
#: Short, so overrunning tasks end quickly; long enough for a cold start under a burst.
DEADLINE_SECONDS = int(os.environ.get("RELIABILITY_DEADLINE_SECONDS", "20"))
#: The flow's holding prompt: how long a contact waits between two checker polls.
POLL_SECONDS = float(os.environ.get("RELIABILITY_POLL_SECONDS", "3"))
CALLER_NUMBER = "+12025550143"  # what connect_event puts in CustomerEndpoint
SENSITIVE_PARAMETER = "AccountPin"
#: Connect's limit on a Lambda block: a poll slower than this would take the error branch.
CONNECT_TIME_LIMIT_SECONDS = 8.0


def say(message: str) -> None:
    print(f"[reliability] {message}", file=sys.stderr, flush=True)


#: The figures a test reports (the load test's rate and completion), printed again in the
#: terminal summary: pytest keeps a passing test's output to itself, and CI's log is where
#: they are read.
FIGURES: list[str] = []


def report(message: str) -> None:
    """say() a figure, and keep it for the run's terminal summary."""
    say(message)
    FIGURES.append(message)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@dataclass
class ContactRun:
    """One simulated contact: what the writer and every checker poll answered."""

    contact_id: str
    parameters: dict[str, str]
    submitted_at: float = 0.0
    written: dict[str, str] = field(default_factory=dict)
    #: (poll started, poll answered, answer) for every checker poll
    polls: list[tuple[float, float, dict[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: what the first writer call failed with, when the flow's retry-writer was needed
    writer_retried: str = ""
    #: how long the first writer call took, as the flow saw it (through the flow only)
    writer_seconds: float = 0.0
    terminal_at: float | None = None
    #: Checker polls that outlived Connect's Lambda time limit: the flow's error branch
    #: polls again (through the flow only; the hand-written follower waits them out).
    slow_polls: list[str] = field(default_factory=list)
    #: The caller's outcome as the simulator judged it (RESULT, APOLOGY or None); "" when
    #: the contact was not placed through the flow.
    outcome: str | None = ""

    @property
    def request_id(self) -> str:
        return self.written.get("RequestId", "")

    @property
    def final(self) -> dict[str, str]:
        return self.polls[-1][2] if self.polls else {}

    @property
    def deadline_at(self) -> float:
        return float(self.written.get("DeadlineAt", "0"))


@dataclass
class FaultStack(Stack):
    """The integration Stack plus what the fault tests need."""

    def set_deadline(self, seconds: int) -> None:
        """Re-apply the stack with another request deadline (the writer's setting) if needed."""
        self.configure(request_deadline_seconds=seconds)

    def configure(self, **variables: object) -> None:
        """Re-apply the stack with other values of its variables, if any differs."""
        unset = object()  # a variable never set differs from None, the module's default
        current = self.terraform.variables
        if any(current.get(key, unset) != value for key, value in variables.items()):
            began = time.monotonic()
            self.terraform.apply(**variables)
            self.outputs.update(_flat(self.terraform.outputs()))  # e.g. floor_log_group
            say(f"re-applied with {variables} in {time.monotonic() - began:.1f}s")

    @contextlib.contextmanager
    def configured(self, **variables: object) -> Iterator[None]:
        """Within the block, the stack re-applied with ``variables``; after it, re-applied
        with the values they had, so a later test finds the stack as the fixture made it
        whatever the order. Each variable must already have a value (the fixture names
        every variable a test changes), or there would be nothing to set it back to."""
        current = self.terraform.variables
        unnamed = sorted(key for key in variables if key not in current)
        if unnamed:
            raise KeyError(
                f"fault_stack names no value for {unnamed}: add it to the fixture's variables"
                " so that it can be set back after the test"
            )
        previous = {key: current[key] for key in variables}
        self.configure(**variables)
        try:
            yield
        finally:
            self.configure(**previous)

    def strict_client(self, service: str) -> Any:
        """A client that does not retry: a throttle or error is seen, not papered over."""
        key = f"{service}/strict"
        if key not in self.clients:
            self.clients[key] = self.session.client(
                service,
                endpoint_url=self.endpoint,
                config=Config(
                    retries={"max_attempts": 1, "mode": "standard"},
                    read_timeout=120,
                    max_pool_connections=64,
                ),
            )
        return self.clients[key]

    def call(self, function: str, event: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """Invoke once; (payload, "") or (None, what went wrong)."""
        try:
            answer = self.strict_client("lambda").invoke(
                FunctionName=self.outputs[f"{function}_function_name"],
                Payload=json.dumps(event).encode(),
            )
        except Exception as error:
            return None, f"{type(error).__name__}: {error}"
        payload = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            return None, f"FunctionError {answer['FunctionError']}: {payload}"
        return payload, ""

    def run_contact(
        self, parameters: Mapping[str, str], *, poll_seconds: float = POLL_SECONDS
    ) -> ContactRun:
        """One contact through the module's real flow (rendered for this stack's writer,
        checker and current deadline), placed with the simulator on the real clock."""
        run = ContactRun(str(uuid.uuid4()), dict(parameters))
        return place_contact(self, run, poll_seconds=poll_seconds, customer_number=CALLER_NUMBER)

    def start_contact(self, parameters: Mapping[str, str]) -> ContactRun:
        """The flow's first blocks: the writer records the request; on an error the flow
        invokes it once more (``retry-writer``: the writer is idempotent)."""
        run = ContactRun(str(uuid.uuid4()), dict(parameters))
        run.submitted_at = time.time()
        event = connect_event(run.contact_id, run.parameters)
        written, error = self.call("writer", event)
        if written is None:
            run.writer_retried = error
            written, error = self.call("writer", event)
        if written is None:
            run.errors.append(f"writer: {error}")
        else:
            run.written = written
        return run

    def follow(self, run: ContactRun, *, poll_seconds: float = POLL_SECONDS) -> ContactRun:
        """The flow's loop: holding prompt, checker poll, until the answer is terminal.

        Gives up (the test then fails) only well after the request's deadline.
        """
        if not run.written:
            return run
        limit = run.deadline_at + 4 * poll_seconds + 30
        pause = threading.Event()
        while time.time() < limit:
            pause.wait(poll_seconds)  # the holding prompt plays
            asked = time.time()
            answer, error = self.call(
                "checker", connect_event(run.contact_id, {"RequestId": run.request_id})
            )
            if answer is None:
                run.errors.append(f"checker: {error}")
                continue
            run.polls.append((asked, time.time(), answer))
            if answer.get("Status") in TERMINAL:
                run.terminal_at = time.time()
                break
        return run

    def effects(self) -> dict[str, int]:
        """Runs per request id, from the side-effect table the tasks write."""
        runs: dict[str, int] = {}
        for page in (
            self.client("dynamodb")
            .get_paginator("scan")
            .paginate(TableName=self.outputs["effects_table_name"], ConsistentRead=True)
        ):
            for item in page["Items"]:
                runs[item["RequestId"]["S"]] = int(item["Runs"]["N"])
        return runs

    def runs_of(self, request_id: str) -> int:
        item = (
            self.client("dynamodb")
            .get_item(
                TableName=self.outputs["effects_table_name"],
                Key={"RequestId": {"S": request_id}},
                ConsistentRead=True,
            )
            .get("Item")
        )
        return int(item["Runs"]["N"]) if item else 0

    def log_events(self, function: str) -> list[str]:
        """Every message of a function's log group."""
        group = self.outputs["log_group_names"][function]
        messages: list[str] = []
        for page in (
            self.client("logs").get_paginator("filter_log_events").paginate(logGroupName=group)
        ):
            messages += [event["message"] for event in page["events"]]
        return messages

    def json_logs(self, function: str) -> list[dict[str, Any]]:
        lines = []
        for message in self.log_events(function):
            text = message.strip()
            if text.startswith("{"):
                try:
                    lines.append(json.loads(text))
                except json.JSONDecodeError:
                    continue
        return lines

    def floor_receipts(self) -> dict[str, float]:
        """RequestId -> when the stack's no-op floor consumer (``floor_package_path``,
        bench/floor/floor.py) received its stream record; empty without a floor."""
        group = self.outputs.get("floor_log_group")
        receipts: dict[str, float] = {}
        if not group:
            return receipts
        pages = self.client("logs").get_paginator("filter_log_events").paginate(logGroupName=group)
        for page in pages:
            for event in page["events"]:
                start = event["message"].find('{"bench_floor"')
                if start < 0:
                    continue
                line = json.loads(event["message"][start:])
                for request_id, _created in line["records"]:
                    receipts.setdefault(request_id, float(line["bench_floor"]))
        return receipts

    def task_starts(self) -> dict[str, int]:
        """task.started lines per request id in the worker's JSON logs (one per attempt)."""
        counts: dict[str, int] = {}
        for line in self.json_logs("worker"):
            if line.get("message") == "task.started":
                request_id = str(line.get("request_id"))
                counts[request_id] = counts.get(request_id, 0) + 1
        return counts

    def stream_records(self, request_ids: set[str] | None = None) -> list[dict[str, Any]]:
        """INSERT records of the table's stream, as Lambda would deliver them."""
        streams = self.client("dynamodbstreams")
        arn = self.outputs["tracker_table_stream_arn"]
        found = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                page = streams.get_records(ShardIterator=iterator, Limit=1000)
                for record in page["Records"]:
                    request_id = record["dynamodb"]["Keys"]["RequestId"]["S"]
                    if record["eventName"] == "INSERT" and (
                        request_ids is None or request_id in request_ids
                    ):
                        found.append(as_event_record(record, arn))
                if not page["Records"]:
                    break
                iterator = page.get("NextShardIterator")
        return found


def runtime_pids(function_name: str) -> list[int]:
    """PIDs of the bundled sandbox's runtime subprocesses running ``function_name`` (tests
    calling it take the ``bundled_sandbox`` fixture, which skips them on another endpoint)."""
    return Sandbox().runtime_pids(function_name)


def kill_environment(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def endpoint() -> Iterator[Endpoint]:
    with reached_endpoint(say) as reached:
        yield reached


@pytest.fixture(scope="session")
def bundled_sandbox(endpoint: Endpoint) -> Sandbox:
    """This checkout's sandbox, for fault tests that reach its Lambda runtimes on this host."""
    return endpoint.require_sandbox()


@pytest.fixture(scope="session")
def fault_stack(endpoint: Endpoint) -> Iterator[FaultStack]:
    variables = {
        "name": f"rel-{secrets.token_hex(3)}",
        "request_deadline_seconds": DEADLINE_SECONDS,
        # the stack's defaults, named so that a test that changes them sets them back
        # (FaultStack.configured): the tier holds in any order
        "processor_reserved_concurrency": 1,
        "worker_reserved_concurrency": -1,
    }
    with deployed(STACK_DIR, variables, label="rel", say=say, endpoint=endpoint) as deployment:
        yield FaultStack(
            deployment.endpoint,
            _flat(deployment.terraform.outputs()),
            deployment.terraform,
            sandbox_session(),
            deployment.sandbox.log_tail if deployment.sandbox else None,
        )


def _flat(outputs: dict[str, Any]) -> dict[str, Any]:
    """The stack's own outputs and, at the same level, the module's (output ``tracker``)."""
    return {**outputs.pop("tracker"), **outputs}


def wait_until(probe: Any, *, timeout: float, what: str, interval: float = 0.25) -> Any:
    return wait_for(probe, timeout=timeout, interval=interval, what=what)
