"""Processor (the stream's dispatcher): hands each new request to its own worker invocation.

It runs no task work itself, so a slow request never holds the stream's shard for the
requests behind it (docs/execution.md).
"""

from __future__ import annotations

import functools

from connect_tracker.dispatcher import Dispatcher
from connect_tracker.handlers import _runtime


@functools.cache
def _dispatcher() -> Dispatcher:
    return Dispatcher(_runtime.send_to_worker)


_runtime.prewarm(_runtime.lambda_client)


def handler(event: object, context: object) -> dict[str, list[dict[str, str]]]:
    return _dispatcher().dispatch_batch(event).response()
