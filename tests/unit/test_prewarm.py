"""_runtime.prewarm: builds the store (and more) during INIT inside Lambda only."""

from __future__ import annotations

import pytest

from connect_tracker.handlers import _runtime


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cached in (_runtime.settings, _runtime.dynamodb_client, _runtime.store):
        cached.cache_clear()
    yield
    for cached in (_runtime.settings, _runtime.dynamodb_client, _runtime.store):
        cached.cache_clear()


def test_outside_lambda_nothing_is_built(monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    built = []
    _runtime.prewarm(lambda: built.append("processor"))
    assert built == []
    assert _runtime.store.cache_info().currsize == 0


def test_inside_lambda_the_store_and_the_extras_are_built_once(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "t-writer")
    monkeypatch.setenv("TRACKER_TABLE_NAME", "t-tracker")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    built = []
    _runtime.prewarm(lambda: built.append("processor"))
    assert built == ["processor"]
    assert _runtime.store.cache_info().currsize == 1


def test_a_failure_is_left_for_the_first_invoke(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "t-writer")
    monkeypatch.delenv("TRACKER_TABLE_NAME", raising=False)
    _runtime.prewarm()  # no table configured: does not raise here
    assert _runtime.store.cache_info().currsize == 0
