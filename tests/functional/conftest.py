"""Handlers against DynamoDB and DynamoDB Streams faked in-process by moto, through the
shipped testing kit (connect_tracker.testing.LocalTracker): the table as the Terraform
module creates it, stream records read back from moto's stream, the worker's asynchronous
queue run on demand. The tier's own tasks and readers: tests/support/functional.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connect_tracker.testing import LocalTracker, StreamReader, WorkerQueue
from tests.support.functional import ENVIRONMENT, PROBE, TABLE, WORKER_SECONDS


@pytest.fixture(autouse=True)
def tracker() -> Iterator[LocalTracker]:
    PROBE.calls.clear()
    PROBE.release.clear()
    with LocalTracker(
        table_name=TABLE,
        deadline_seconds=int(ENVIRONMENT["TRACKER_REQUEST_DEADLINE_SECONDS"]),
        worker_seconds=WORKER_SECONDS,
        environment=ENVIRONMENT,
    ) as local:
        yield local
    PROBE.release.set()


@pytest.fixture
def stream(tracker: LocalTracker) -> StreamReader:
    return tracker.stream


@pytest.fixture
def invokes(tracker: LocalTracker) -> WorkerQueue:
    return tracker.worker_queue
