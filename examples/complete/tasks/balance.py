"""An example task: look up an account balance in a slow backend."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task


@task("account_balance")
def account_balance(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """Answer ``Balance`` and ``Currency`` for the ``AccountId`` parameter.

    The backend's base URL comes from the task setting ``BALANCE_API_URL`` (the module's
    ``task_environment``); each call is bounded by the time left before the deadline.
    """
    account_id = parameters.get("AccountId", "").strip()
    if not account_id.isdigit():
        raise TaskError("INVALID_ACCOUNT", "AccountId must be digits")
    base_url = context.settings.get("BALANCE_API_URL", "")
    if not base_url.startswith("https://"):
        raise TaskError("NOT_CONFIGURED", "BALANCE_API_URL must be an https:// URL")
    url = f"{base_url.rstrip('/')}/accounts/{urllib.parse.quote(account_id)}/balance"
    timeout = max(1.0, min(30.0, context.remaining_seconds()))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https only, checked above)
            body = json.load(response)
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            message = f"backend answered {error.code}"
            raise RetryableTaskError("BACKEND_UNAVAILABLE", message) from None
        raise TaskError("BACKEND_REFUSED", f"backend answered {error.code}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise RetryableTaskError("BACKEND_UNAVAILABLE", str(error)[:200]) from None
    if not isinstance(body, dict) or "balance" not in body:
        raise TaskError("BACKEND_MALFORMED", "backend answer has no balance")
    return {"Balance": str(body["balance"]), "Currency": str(body.get("currency", "USD"))}
