"""Tasks of the fault stack, packaged by the module from `task_source_dir`.

One task, ``reliability_work``, whose behaviour the test picks per request with the
``Fault`` parameter (deterministic fault injection, no randomness in the function):

- ``none``: answers ``Answer = Value**2 + 7`` and ``Digest`` (what the test recomputes);
- ``work``: the same after ``WorkSeconds`` seconds of (simulated) backend work;
- ``raise``: raises a plain exception (the request ends FAILED, TASK_ERROR);
- ``overrun``: works past the request's deadline (the request ends TIMED_OUT);
- ``hold``: the same, used while the test kills the execution environment;
- ``fail_finish``: answers as ``none``, but the tracker table refuses this request's
  outcome write for ``OutageSeconds`` (injected in the worker's own process): the worker
  retries, then hands the outcome over to a fresh invocation, which records it;
- ``flaky``: the backend is down for the first ``FailRuns`` runs (RetryableTaskError: the
  worker retries it with backoff while the deadline allows), then answers as ``none``;
- ``crash``: the worker's process exits (``os._exit``) the first time the task starts for
  the request, before any work, as a runtime that runs out of memory does; the task notes
  when (``CrashedAt``); any later run answers as ``none``.

Every run first adds 1 to ``Runs`` of the request's item in the side-effect table
(``TRACKER_TASK_ENV_EFFECTS_TABLE``): the test's real count of how often work ran (a
``crash`` start that exits is not a run: it did no work).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

from connect_tracker.store import ConditionalWrite, DynamoDBTrackerStore, StoreUnavailable
from connect_tracker.tasks import RetryableTaskError, TaskContext, task

#: request id -> monotonic time until which its outcome write fails (fault ``fail_finish``)
_FINISH_OUTAGES: dict[str, float] = {}
_real_finish = DynamoDBTrackerStore.finish


def _finish_with_outages(
    self: DynamoDBTrackerStore, request_id: str, *args: Any, **kwargs: Any
) -> ConditionalWrite:
    if time.monotonic() < _FINISH_OUTAGES.get(request_id, 0.0):
        raise StoreUnavailable("DynamoDB UpdateItem failed: InternalServerError (injected)")
    return _real_finish(self, request_id, *args, **kwargs)


DynamoDBTrackerStore.finish = _finish_with_outages  # type: ignore[method-assign]


class InjectedFault(RuntimeError):
    pass


@functools.cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb")


def expected_result(value: str) -> dict[str, str]:
    """What a healthy run answers for ``Value``; the tests import this too."""
    number = int(value)
    return {
        "Answer": str(number * number + 7),
        "Digest": hashlib.sha256(f"reliability:{number}".encode()).hexdigest()[:16],
    }


def _record_run(context: TaskContext, fault: str) -> int:
    """Count this run; the count so far, this one included."""
    answer = _dynamodb().update_item(
        TableName=context.settings["EFFECTS_TABLE"],
        Key={"RequestId": {"S": context.request_id}},
        UpdateExpression="ADD Runs :one SET ContactId = :contact, Fault = :fault",
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":contact": {"S": context.contact_id},
            ":fault": {"S": fault},
        },
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["Runs"]["N"])


def _first_crash(context: TaskContext) -> bool:
    """Note the request's crash (``CrashedAt``) unless one was noted before: whether this
    start is the first."""
    try:
        _dynamodb().update_item(
            TableName=context.settings["EFFECTS_TABLE"],
            Key={"RequestId": {"S": context.request_id}},
            # Runs is added as 0, so every item of the table has it (FaultStack.effects)
            UpdateExpression="SET CrashedAt = :now, ContactId = :contact ADD Runs :zero",
            ConditionExpression="attribute_not_exists(CrashedAt)",
            ExpressionAttributeValues={
                ":now": {"N": repr(time.time())},
                ":contact": {"S": context.contact_id},
                ":zero": {"N": "0"},
            },
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


@task("reliability_work")
def reliability_work(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    fault = parameters.get("Fault", "none")
    if fault == "crash" and _first_crash(context):
        os._exit(1)  # the runtime process dies mid-invoke: a function error for Lambda
    runs = _record_run(context, fault)
    if fault == "raise":
        raise InjectedFault("injected failure")
    if fault in ("overrun", "hold"):
        threading.Event().wait(context.remaining_seconds() + 30)
        return {"TooLate": "yes"}
    if fault == "fail_finish" and runs == 1:
        _FINISH_OUTAGES[context.request_id] = time.monotonic() + float(
            parameters.get("OutageSeconds", "7")
        )
    if fault == "work":
        threading.Event().wait(float(parameters.get("WorkSeconds", "0")))
    if fault == "flaky" and runs <= int(parameters.get("FailRuns", "0")):
        raise RetryableTaskError(
            "BACKEND_UNAVAILABLE", f"injected: the backend is down (run {runs})"
        )
    return expected_result(parameters.get("Value", "0"))
