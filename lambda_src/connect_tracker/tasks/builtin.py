"""Tasks shipped with the package: a simulated slow backend and an HTTP call to a legacy API."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task

_wait = threading.Event().wait  # a sleep that tests can bound and that never busy-loops


@task("simulated_backend")
def simulated_backend(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Stand-in for a slow backend, like the seed sample: waits, then answers.

    Parameters: ``DelaySeconds`` (default: the task setting ``SIMULATED_DELAY_SECONDS``,
    else 2). The answer echoes the non-reserved parameters as ``Echo_<name>``.
    """
    raw = parameters.get("DelaySeconds") or context.settings.get("SIMULATED_DELAY_SECONDS", "2")
    try:
        delay = float(raw)
    except ValueError:
        raise TaskError(
            "INVALID_DELAY", f"DelaySeconds must be a number, got {raw[:40]!r}"
        ) from None
    if not 0 <= delay <= 900:
        raise TaskError("INVALID_DELAY", f"DelaySeconds must be between 0 and 900, got {delay}")
    _wait(delay)
    answer = {"Message": f"Processed after {delay:g} seconds"}
    for name, value in sorted(parameters.items()):
        if name != "DelaySeconds":
            answer[f"Echo_{name}"] = value
    return answer


@task("legacy_http_lookup")
def legacy_http_lookup(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """POST the parameters as JSON to a legacy API and return its flat JSON answer.

    Settings (module input ``task_environment``): ``LEGACY_API_URL`` (required),
    ``LEGACY_API_TIMEOUT_SECONDS`` (default 30, never beyond the request's deadline).
    4xx answers fail the request; 5xx answers and network errors are retried; a timeout
    fails it with ``BACKEND_TIMEOUT``.
    """
    url = context.settings.get("LEGACY_API_URL", "")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise TaskError("MISCONFIGURED", "task setting LEGACY_API_URL must be an http(s) URL")
    try:
        limit = float(context.settings.get("LEGACY_API_TIMEOUT_SECONDS", "30"))
    except ValueError:
        raise TaskError("MISCONFIGURED", "LEGACY_API_TIMEOUT_SECONDS must be a number") from None
    timeout = min(limit, context.remaining_seconds())
    if timeout <= 0:
        raise TaskError("BACKEND_TIMEOUT", "no time was left before the request's deadline")
    body = json.dumps({"requestId": context.request_id, "parameters": dict(parameters)})
    http_request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Request-Id": context.request_id},
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as response:  # noqa: S310
            payload = response.read(64 * 1024 + 1)
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise RetryableTaskError(
                "BACKEND_UNAVAILABLE", f"the API answered {error.code}"
            ) from None
        raise TaskError("BACKEND_REJECTED", f"the API answered {error.code}") from None
    except TimeoutError:
        raise TaskError(
            "BACKEND_TIMEOUT", f"the API did not answer within {timeout:.1f}s"
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise TaskError(
                "BACKEND_TIMEOUT", f"the API did not answer within {timeout:.1f}s"
            ) from None
        raise RetryableTaskError(
            "BACKEND_UNAVAILABLE", f"the API is unreachable: {error.reason}"
        ) from None
    if len(payload) > 64 * 1024:
        raise TaskError("BACKEND_INVALID_ANSWER", "the API answered more than 64 KiB")
    try:
        document = json.loads(payload)
    except ValueError:
        raise TaskError("BACKEND_INVALID_ANSWER", "the API did not answer JSON") from None
    if not isinstance(document, dict):
        raise TaskError("BACKEND_INVALID_ANSWER", "the API's answer is not a JSON object")
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in document.items()
    }
