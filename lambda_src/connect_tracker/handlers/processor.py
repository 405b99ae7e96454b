"""Processor: runs the task of each newly created request delivered by the table's stream."""

from __future__ import annotations

import functools

from connect_tracker.handlers import _runtime
from connect_tracker.processing import Processor
from connect_tracker.tasks import load_task_modules, registry

_DEFAULT_SECONDS_LEFT = 900.0


@functools.cache
def _processor() -> Processor:
    settings = _runtime.settings()
    load_task_modules(settings.task_modules)
    return Processor(_runtime.store(patient=True), registry, settings)


_runtime.prewarm(_processor)


def handler(event: object, context: object) -> dict[str, list[dict[str, str]]]:
    def seconds_left() -> float:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return remaining() / 1000 if callable(remaining) else _DEFAULT_SECONDS_LEFT

    return _processor().process_batch(event, seconds_left).response()
