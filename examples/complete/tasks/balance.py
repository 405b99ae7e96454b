"""An example task: look up an account balance in a slow core-banking backend.

The backend sits in a private network (the module's ``worker_vpc_config``), asks for a
bearer token (``task_secrets``: ``CORE_BANKING_TOKEN``, read with ``context.secret``) and is
called through ``requests``, which the module installs from ``requirements.txt``
(``task_requirements_file``). The backend's latency is published as a CloudWatch metric,
which ``worker_policy_statements`` allows in one namespace only.
"""

from __future__ import annotations

import functools
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import boto3
import requests

from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task

#: The one namespace the worker may put metrics in (main.tf, worker_policy_statements).
METRIC_NAMESPACE = "CoreBanking"
#: The token travels over TLS, except to a backend on the machine itself (a sandbox).
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@task("account_balance")
def account_balance(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Answer ``Balance`` and ``Currency`` for the ``AccountId`` parameter.

    The backend's base URL comes from the task setting ``CORE_BANKING_URL`` (the module's
    ``task_environment``); the call is bounded by the time left before the deadline, and a
    backend that is down or busy is retried by the worker with backoff.
    """
    account_id = parameters.get("AccountId", "").strip()
    if not account_id.isdigit():
        raise TaskError("INVALID_ACCOUNT", "AccountId must be digits")
    url = context.settings.get("CORE_BANKING_URL", "")
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "https" and parsed.hostname not in _LOOPBACK:
        raise TaskError("NOT_CONFIGURED", "CORE_BANKING_URL must be an https:// URL")
    started = time.monotonic()
    try:
        answer = requests.get(
            f"{url.rstrip('/')}/accounts/{urllib.parse.quote(account_id)}/balance",
            headers={"Authorization": f"Bearer {context.secret('CORE_BANKING_TOKEN')}"},
            timeout=max(1.0, context.remaining_seconds()),
        )
    except requests.RequestException as error:
        raise RetryableTaskError("BACKEND_UNAVAILABLE", type(error).__name__) from None
    _publish_latency(time.monotonic() - started)
    if answer.status_code >= 500 or answer.status_code == 429:
        raise RetryableTaskError("BACKEND_BUSY", f"backend answered {answer.status_code}")
    if answer.status_code in (401, 403):
        raise TaskError("BACKEND_REFUSED", f"backend answered {answer.status_code}")
    if answer.status_code == 404:
        raise TaskError("NO_SUCH_ACCOUNT", f"no account {account_id}")
    body: Any = answer.json()
    if not isinstance(body, dict) or "balance" not in body:
        raise TaskError("BACKEND_MALFORMED", "backend answer has no balance")
    return {
        "Balance": str(body["balance"]),
        "Currency": str(body.get("currency", "USD")),
        "Client": f"requests {requests.__version__}",
    }


@functools.cache
def _cloudwatch() -> Any:  # noqa: ANN401 - boto3's client types are a stubs package
    return boto3.client("cloudwatch")


def _publish_latency(seconds: float) -> None:
    """Best effort: a metric that cannot be sent never fails the caller's lookup."""
    try:
        _cloudwatch().put_metric_data(
            Namespace=METRIC_NAMESPACE,
            MetricData=[
                {"MetricName": "BalanceLatency", "Value": seconds * 1000, "Unit": "Milliseconds"}
            ],
        )
    except Exception:  # noqa: BLE001 - the lookup's answer matters more than its metric
        return
