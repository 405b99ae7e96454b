"""The functional tier's own tasks (counted, failing, blocking, echoing), the settings its
tracker runs with, and readers of the tracker table. The moto setup itself is the shipped
kit's (connect_tracker.testing.LocalTracker): tests/functional/conftest.py wires it."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from connect_tracker.handlers import writer as writer_handler
from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task

TABLE = "tracker-test"
#: The functions' settings the functional tests run with (beside the kit's own).
ENVIRONMENT = {
    "TRACKER_REQUEST_DEADLINE_SECONDS": "60",
    "TRACKER_REQUEST_TTL_SECONDS": "3600",
    "TRACKER_DEFAULT_TASK": "test_counted",
    "TRACKER_SENSITIVE_PARAMETERS": "Pin",
    "TRACKER_WORKER_FUNCTION": "tracker-test-worker",
}
#: The worker invocation the queue gives each event by default: Lambda's longest.
WORKER_SECONDS = 900.0


@dataclass
class TaskProbe:
    """Counts how often the functional tests' own tasks really ran."""

    calls: dict[str, int]
    release: threading.Event

    def hit(self, request_id: str) -> None:
        self.calls[request_id] = self.calls.get(request_id, 0) + 1


PROBE = TaskProbe(calls={}, release=threading.Event())


@task("test_counted")
def _counted(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    PROBE.hit(context.request_id)
    return {"Answer": parameters.get("Question", "") + "!", "Attempt": "1"}


@task("test_business_failure")
def _business_failure(parameters: Mapping[str, str], context: TaskContext) -> None:
    PROBE.hit(context.request_id)
    raise TaskError("NO_ACCOUNT", "account ACC-1 does not exist")


@task("test_crash")
def _crash(parameters: Mapping[str, str], context: TaskContext) -> None:
    PROBE.hit(context.request_id)
    raise KeyError("Balance")


@task("test_transient")
def _transient(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    PROBE.hit(context.request_id)
    if PROBE.calls[context.request_id] == 1:
        raise RetryableTaskError("BACKEND_UNAVAILABLE", "503 from the backend")
    return {"Recovered": "yes"}


@task("test_blocks")
def _blocks(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Waits until the test releases it (or 30 s): an overrunning backend."""
    PROBE.hit(context.request_id)
    PROBE.release.wait(30)
    return {"Late": "yes"}


@task("test_echo")
def _echo(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Answers with the Text it was given (and counts its runs): sized results."""
    PROBE.hit(context.request_id)
    if parameters.get("Fail"):
        raise TaskError("ASKED_TO_FAIL", "the flow asked this run to fail")
    return {"Text": parameters.get("Text", ""), "Lookup": parameters.get("AccountId", "")}


@task("test_bad_result")
def _bad_result(parameters: Mapping[str, str], context: TaskContext) -> object:
    return {"Nested": {"not": "flat"}}


def item(request_id: str) -> dict[str, Any] | None:
    answer = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"RequestId": {"S": request_id}}, ConsistentRead=True
    )
    return answer.get("Item")


def item_count() -> int:
    """Requests in the table (items with a Status), not the ask items that find them."""
    return boto3.client("dynamodb").scan(
        TableName=TABLE,
        Select="COUNT",
        FilterExpression="attribute_exists(#s)",
        ExpressionAttributeNames={"#s": "Status"},
    )["Count"]


def ask_items() -> list[dict[str, Any]]:
    """The ask items: no Status, a key that is no request id, the request in ForRequest."""
    return boto3.client("dynamodb").scan(
        TableName=TABLE,
        FilterExpression="attribute_not_exists(#s)",
        ExpressionAttributeNames={"#s": "Status"},
    )["Items"]


def batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": records}


def submit(writer_event, contact: str, task_name: str, **parameters: str) -> str:
    """Record a request through the writer handler, as the flow's writer block does; its id."""
    return writer_handler.handler(writer_event(contact, TaskName=task_name, **parameters), None)[
        "RequestId"
    ]
