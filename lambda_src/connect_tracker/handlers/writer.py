"""Writer: records the request a contact flow asks for and answers at once."""

from __future__ import annotations

import time

from connect_tracker.handlers import _runtime
from connect_tracker.service import submit_request

_runtime.prewarm()


def handler(event: object, context: object) -> dict[str, str]:
    return submit_request(
        event,
        _runtime.settings(),
        _runtime.store(),
        time.time,
        _runtime.budget(context, _runtime.WRITER_MIN_ATTEMPT_SECONDS),
    )
