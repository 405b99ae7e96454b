"""_runtime: INIT-time prewarm inside Lambda only, and SDK budgets that fit the functions."""

from __future__ import annotations

import pytest

from connect_tracker.handlers import _runtime
from connect_tracker.testing import LambdaContext


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


def test_inside_lambda_the_store_is_built_by_default(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "t-writer")
    monkeypatch.setenv("TRACKER_TABLE_NAME", "t-tracker")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _runtime.prewarm()
    assert _runtime.store.cache_info().currsize == 1


def test_inside_lambda_only_the_given_builders_run(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "t-processor")
    monkeypatch.setenv("TRACKER_TABLE_NAME", "t-tracker")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    built = []
    _runtime.prewarm(lambda: built.append("processor"))
    assert built == ["processor"]
    assert _runtime.store.cache_info().currsize == 0  # the processor builds its own, patient


def test_the_interactive_sdk_budget_fits_the_default_function_timeout():
    config = _runtime._CLIENT_CONFIG
    assert config.retries["total_max_attempts"] == 1  # the handler retries, within its time
    assert config.connect_timeout + config.read_timeout == _runtime.ATTEMPT_SECONDS
    budget = _runtime.budget(LambdaContext(5))
    assert budget.attempt_seconds + budget.margin_seconds < 5
    assert budget.fits()
    assert not _runtime.budget(LambdaContext(3)).fits()


def test_without_a_context_the_budget_has_no_clock():
    assert _runtime.budget(None).time_left is None
    assert _runtime.budget(object()).time_left is None


def test_a_failure_is_left_for_the_first_invoke(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "t-writer")
    monkeypatch.delenv("TRACKER_TABLE_NAME", raising=False)
    _runtime.prewarm()  # no table configured: does not raise here
    assert _runtime.store.cache_info().currsize == 0
