"""The task secrets (the module's ``task_secrets``): what ``TaskContext.secret(NAME)`` reads.

The module tells the worker where each secret lives, never its value: one variable
``TRACKER_TASK_SECRET_<NAME>`` per secret (``Settings.task_secrets``), holding the ARN of a
Secrets Manager secret or of an SSM (SecureString) parameter. The worker reads a value on
first use and keeps it for ``CACHE_SECONDS`` in its execution environment, so a burst of
requests makes one call per environment, and a rotated secret reaches a running
environment within that time. Values
never reach a log line, an error message or a repr: errors name the secret's NAME and the
service's error code only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from connect_tracker.tasks import RetryableTaskError, TaskError

#: How long one execution environment reuses a value it read (seconds).
CACHE_SECONDS = 300.0
#: The code of a name no secret was configured for (terminal: a deployment mistake).
UNKNOWN_SECRET = "UNKNOWN_SECRET"  # noqa: S105 - an error code
#: The code of a secret the service did not hand over (retryable), followed by its NAME.
UNREADABLE_PREFIX = "SECRET_UNREADABLE_"

ClientFactory = Callable[[str], Any]


class TaskSecrets:
    """Reads the configured secrets through ``client(service)`` (boto3 clients of
    ``secretsmanager`` and ``ssm``), caching each value for ``cache_seconds``."""

    def __init__(
        self,
        arns: Mapping[str, str],
        client: ClientFactory,
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._arns = dict(arns)
        self._client = client
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TaskSecrets(names={sorted(self._arns)})"

    def names(self) -> list[str]:
        return sorted(self._arns)

    def __call__(self, name: str) -> str:
        arn = self._arns.get(name)
        if arn is None:
            known = ", ".join(sorted(self._arns)) or "none"
            raise TaskError(
                UNKNOWN_SECRET,
                f"no task secret is named {name!r:.80} (configured: {known}); "
                "name it in the module's task_secrets",
            )
        now = self._clock()
        with self._lock:
            cached = self._values.get(name)
            if cached is not None and now - cached[1] < self._cache_seconds:
                return cached[0]
        value = self._read(name, arn)
        with self._lock:
            self._values[name] = (value, now)
        return value

    def _read(self, name: str, arn: str) -> str:
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        try:
            if service == "secretsmanager":
                answer = self._client("secretsmanager").get_secret_value(SecretId=arn)
                value = answer.get("SecretString")
                if value is None and answer.get("SecretBinary") is not None:
                    value = bytes(answer["SecretBinary"]).decode("utf-8")
            elif service == "ssm":
                answer = self._client("ssm").get_parameter(Name=arn, WithDecryption=True)
                value = answer.get("Parameter", {}).get("Value")
            else:
                raise TaskError(
                    UNKNOWN_SECRET,
                    f"the task secret {name} names no Secrets Manager secret or SSM parameter",
                )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            raise _unreadable(name, f"{service} answered {code}") from None
        except BotoCoreError as error:
            raise _unreadable(name, f"{service} did not answer ({type(error).__name__})") from None
        except UnicodeDecodeError:
            raise _unreadable(name, "its binary value is not UTF-8 text") from None
        if not isinstance(value, str):
            raise _unreadable(name, f"{service} returned no value")
        return value


def _unreadable(name: str, why: str) -> RetryableTaskError:
    return RetryableTaskError(
        f"{UNREADABLE_PREFIX}{name}", f"the task secret {name} could not be read: {why}"
    )


def mapping_secrets(values: Mapping[str, str]) -> Callable[[str], str]:
    """Secrets from a plain mapping (the testing kit's ``secrets=``): the same answers and
    errors as the deployed reader, without a service."""
    known = dict(values)

    def secret(name: str) -> str:
        if name not in known:
            names = ", ".join(sorted(known)) or "none"
            raise TaskError(
                UNKNOWN_SECRET, f"no task secret is named {name!r:.80} (configured: {names})"
            )
        return known[name]

    return secret
