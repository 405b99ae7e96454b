"""Settings the module hands the functions through environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from connect_tracker.domain import Serialization, serialization_for

TASK_ENV_PREFIX = "TRACKER_TASK_ENV_"
#: Connect waits at most 8 s for a Lambda it invokes synchronously (Amazon Connect
#: Administrator Guide, "Flow block in Amazon Connect: AWS Lambda function", Timeout; the
#: flow language's InvokeLambdaFunction, InvocationTimeLimitSeconds): no checker can wait
#: longer.
MAX_CHECKER_WAIT_SECONDS = 8.0

#: One variable per task secret (the module's task_secrets), holding where it lives: an ARN.
TASK_SECRET_PREFIX = "TRACKER_TASK_SECRET_"  # noqa: S105 - a variable name, no secret


class ConfigurationError(RuntimeError):
    """A function was deployed with settings it cannot run with."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    deadline_seconds: int = 120
    ttl_seconds: int = 86_400
    default_task: str = ""
    sensitive_parameters: frozenset[str] = frozenset()
    log_parameters_in_clear: frozenset[str] = frozenset()
    task_modules: tuple[str, ...] = ()
    consistent_read: bool = True
    task_environment: Mapping[str, str] | None = None
    #: NAME -> ARN of each task secret (connect_tracker.task_secrets reads the values).
    task_secrets: Mapping[str, str] | None = None
    #: How this function's runtime serializes an answer, from Lambda's own
    #: AWS_EXECUTION_ENV (AWS_Lambda_python3.13); escaped ASCII, the larger, without it.
    serialization: Serialization = Serialization.ASCII
    worker_function: str = ""
    #: How long one checker invocation may wait for its request to become terminal
    #: (TRACKER_CHECKER_WAIT_SECONDS); 0 reads once and answers at once.
    checker_wait_seconds: float = 0.0

    @property
    def checker_reads_consistently(self) -> bool:
        """Whether the checker's reads are strongly consistent: always while it waits.

        A wait that reads stale data defeats its purpose: an eventually consistent read
        may miss the outcome written a moment ago, or the request the writer has just
        recorded (NOT_FOUND, which is answered at once). ``consistent_read`` decides only
        for a checker that does not wait.
        """
        return self.consistent_read or self.checker_wait_seconds > 0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        table = env.get("TRACKER_TABLE_NAME", "").strip()
        if not table:
            raise ConfigurationError("TRACKER_TABLE_NAME is not set: the function has no table")
        deadline = _positive_int(env, "TRACKER_REQUEST_DEADLINE_SECONDS", 120)
        ttl = _positive_int(env, "TRACKER_REQUEST_TTL_SECONDS", 86_400)
        if ttl < deadline:
            raise ConfigurationError(
                f"TRACKER_REQUEST_TTL_SECONDS ({ttl}) must be at least "
                f"TRACKER_REQUEST_DEADLINE_SECONDS ({deadline}): a record may not expire "
                "before its request is due"
            )
        return cls(
            table_name=table,
            deadline_seconds=deadline,
            ttl_seconds=ttl,
            default_task=env.get("TRACKER_DEFAULT_TASK", "").strip(),
            sensitive_parameters=frozenset(_csv(env.get("TRACKER_SENSITIVE_PARAMETERS", ""))),
            log_parameters_in_clear=frozenset(_csv(env.get("TRACKER_LOG_PARAMETERS_IN_CLEAR", ""))),
            task_modules=tuple(_csv(env.get("TRACKER_TASK_MODULES", ""))),
            consistent_read=_bool(env, "TRACKER_CONSISTENT_READ", True),
            worker_function=env.get("TRACKER_WORKER_FUNCTION", "").strip(),
            checker_wait_seconds=_seconds(
                env, "TRACKER_CHECKER_WAIT_SECONDS", 0.0, MAX_CHECKER_WAIT_SECONDS
            ),
            task_environment={
                key[len(TASK_ENV_PREFIX) :]: value
                for key, value in env.items()
                if key.startswith(TASK_ENV_PREFIX)
            },
            task_secrets={
                key[len(TASK_SECRET_PREFIX) :]: value.strip()
                for key, value in env.items()
                if key.startswith(TASK_SECRET_PREFIX) and value.strip()
            },
            serialization=serialization_for(env.get("AWS_EXECUTION_ENV", "")),
        )


def _csv(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be greater than 0, got {value}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float, most: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 <= value <= most:  # also refuses nan
        raise ConfigurationError(f"{name} must be from 0 to {most:g} seconds, got {raw!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ConfigurationError(f"{name} must be 'true' or 'false', got {raw!r}")
