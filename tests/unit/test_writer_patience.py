"""The writer waits for the table as long as its invocation allows (Connect waits for it).

Each attempt reads for the whole seconds its invocation has left after the connect timeout
and the budget's margin, from one client per read timeout; the checker keeps its 2 s reads.
"""

from __future__ import annotations

import pytest

from connect_tracker.handlers import _runtime
from connect_tracker.store import DynamoDBTrackerStore
from connect_tracker.testing import LambdaContext


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _runtime.dynamodb_client.cache_clear()


def read_timeout(seconds: float) -> float:
    return float(_runtime.bounded_client(seconds).meta.config.read_timeout)


@pytest.mark.parametrize(
    ("seconds", "read"),
    [(4.65, 3), (7.7, 6), (2.3, 1), (1.2, 1), (30.0, 8)],
)
def test_an_attempt_reads_for_the_whole_seconds_it_has_after_connecting(seconds, read):
    assert read_timeout(seconds) == read


def test_one_client_per_read_timeout():
    assert _runtime.bounded_client(4.6) is _runtime.bounded_client(4.9)
    assert _runtime.bounded_client(4.6) is not _runtime.bounded_client(3.9)


@pytest.mark.parametrize(("timeout", "read"), [(7, 5), (5, 3)])
def test_the_writers_first_attempt_uses_what_its_timeout_allows(timeout, read):
    """A 7 s writer (the module's default): the first attempt may read for 5 s, a 5 s one
    for 3 s, where a fixed 2 s read gave up with most of the writer's time left."""
    budget = _runtime.budget(LambdaContext(timeout), _runtime.WRITER_MIN_ATTEMPT_SECONDS)
    limit = budget.attempt_limit()
    assert limit is not None
    client = _runtime.bounded_client(limit)
    assert client.meta.config.connect_timeout + client.meta.config.read_timeout <= timeout
    assert client.meta.config.read_timeout == read
    assert budget.fits()


def test_a_store_within_a_limit_uses_the_bounded_client():
    store = DynamoDBTrackerStore(
        _runtime.dynamodb_client(), "t", bounded_clients=_runtime.bounded_client
    )
    assert store.within(None) is store
    bounded = store.within(6.5)
    assert bounded._client is _runtime.bounded_client(6.5)
    plain = DynamoDBTrackerStore(_runtime.dynamodb_client(), "t")
    assert plain.within(6.5) is plain  # without bounded clients: as built
