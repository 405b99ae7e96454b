"""Worker: runs one request's task, invoked asynchronously by the dispatcher (or by itself
when it hands a request over); see docs/execution.md."""

from __future__ import annotations

import functools

from connect_tracker.handlers import _runtime
from connect_tracker.processing import Worker
from connect_tracker.tasks import load_task_modules, registry

_DEFAULT_SECONDS_LEFT = 900.0


@functools.cache
def _worker() -> Worker:
    settings = _runtime.settings()
    load_task_modules(settings.task_modules)
    return Worker(
        _runtime.store(patient=True),
        registry,
        settings,
        _runtime.send_to_worker,
        attempt_seconds=_runtime.WORKER_ATTEMPT_SECONDS,
    )


# The Lambda client is built on first use: only a hand-over needs it.
_runtime.prewarm(_worker)


def handler(event: object, context: object) -> dict[str, str]:
    remaining = getattr(context, "get_remaining_time_in_millis", None)

    def seconds_left() -> float:
        return remaining() / 1000 if callable(remaining) else _DEFAULT_SECONDS_LEFT

    result = _worker().work(event, seconds_left)
    return {"Result": result.value}
