"""Worker: runs one request's task, invoked asynchronously by the dispatcher (or by itself
when it hands a request over); see docs/execution.md."""

from __future__ import annotations

import functools

from connect_tracker.handlers import _runtime
from connect_tracker.task_secrets import TaskSecrets
from connect_tracker.tasks import load_task_modules, registry
from connect_tracker.worker import Worker


@functools.cache
def _worker() -> Worker:
    settings = _runtime.settings()
    load_task_modules(settings.task_modules)
    return Worker(
        _runtime.store(patient=True),
        registry,
        settings,
        _runtime.send_to_worker,
        secrets=TaskSecrets(settings.task_secrets or {}, _runtime.secrets_client),
    )


# The Lambda client is built on first use: only a hand-over needs it.
_runtime.prewarm(_worker)


def handler(event: object, context: object) -> dict[str, str]:
    result = _worker().work(event, _runtime.budget(context, _runtime.WORKER_ATTEMPT_SECONDS))
    return {"Result": result.value}
