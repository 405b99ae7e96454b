"""plux entry point: ``LAMBDA_RUNTIME_EXECUTOR=tracker-subprocess`` selects the executor."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin

from tracker_sandbox import config

#: Asynchronous (InvocationType=Event) invocations one function may run at once. LocalStack's
#: event poller runs them on a ThreadPoolExecutor of default size (min(32, cores + 4): 6 on a
#: 2-core machine), so on a small host every async event waited behind five others. Lambda
#: runs asynchronous events with the function's (or the account's unreserved) concurrency,
#: 1,000 by default: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html and
#: https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
ASYNC_CONCURRENCY_VARIABLE = "SANDBOX_ASYNC_CONCURRENCY"
DEFAULT_ASYNC_CONCURRENCY = 100


def async_concurrency(environ: dict[str, str] | None = None) -> int:
    raw = (os.environ if environ is None else environ).get(ASYNC_CONCURRENCY_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_ASYNC_CONCURRENCY
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{ASYNC_CONCURRENCY_VARIABLE} must be a whole number >= 1, got {raw!r}")
    return int(raw)


def widen_async_invoker_pool(workers: int) -> None:
    """Give every function's event poller ``workers`` invoker threads (idempotent)."""
    from localstack.services.lambda_.invocation import event_manager

    poller = event_manager.Poller
    if getattr(poller.__init__, "_tracker_workers", None) == workers:
        return
    original = getattr(poller.__init__, "_tracker_original", poller.__init__)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        previous = self.invoker_pool
        self.invoker_pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=previous._thread_name_prefix
        )
        previous.shutdown(wait=False)

    __init__._tracker_original = original  # type: ignore[attr-defined]
    __init__._tracker_workers = workers  # type: ignore[attr-defined]
    poller.__init__ = __init__


class SubprocessRuntimeExecutorPlugin(RuntimeExecutorPlugin):  # type: ignore[misc]
    name = config.EXECUTOR_PLUGIN_NAME

    def load(self, *args: object, **kwargs: object) -> type:
        from tracker_sandbox.executor.executor import SubprocessRuntimeExecutor

        # Loaded when the Lambda provider starts, before any function's event poller exists.
        widen_async_invoker_pool(async_concurrency())
        return SubprocessRuntimeExecutor
