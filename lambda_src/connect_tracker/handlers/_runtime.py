"""What the handlers share: settings, the time budget, and one client per execution environment."""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from connect_tracker.budget import TimeBudget
from connect_tracker.config import ConfigurationError, Settings
from connect_tracker.dispatcher import MAX_PARALLEL_DISPATCHES
from connect_tracker.orders import DispatchFailed, WorkOrder
from connect_tracker.store import DynamoDBTrackerStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_lambda.client import LambdaClient

# Connect waits at most 8 s for the writer and the checker (the flow block's limit), whose
# timeouts default to 7 s: 1 s short of Connect's 8 s for a cold start's INIT, and for the
# checker its wait (TRACKER_CHECKER_WAIT_SECONDS) plus one attempt and a margin, which the
# module checks. Their
# client makes one SDK attempt per call and the handler tries again only while an attempt
# still fits in the invocation's time left (budget.TimeBudget), so a slow table ends in an
# answer (checker: UNKNOWN) or a clear error (writer) before the function times out, and an
# attempt that is merely slow is waited on rather than abandoned and sent again to a table
# that is already struggling. The checker's reads take at most 1 s to connect + 2 s to read.
# The writer waits as long as Connect does: each of its attempts may read for the whole
# seconds its invocation has left (one client per such read timeout, ``bounded_client``),
# and an attempt that failed fast is tried again while a shortest one still fits. The
# worker is waited on by nobody: its SDK tries twice per call and it tries again while its
# invocation has time (worker.Worker), then hands the outcome over (docs/execution.md).
_CONNECT_SECONDS = 1
_READ_SECONDS = 2
#: The writer's read timeouts: whole seconds from 1 to the most a writer can have (8 s).
_MIN_READ_SECONDS = 1
_MAX_READ_SECONDS = 8


def _interactive_config(read_seconds: int) -> Config:
    """The writer's and checker's client: one SDK attempt, read for ``read_seconds``."""
    return Config(
        connect_timeout=_CONNECT_SECONDS,
        read_timeout=read_seconds,
        retries={"total_max_attempts": 1, "mode": "standard"},
        tcp_keepalive=True,
    )


_CLIENT_CONFIG = _interactive_config(_READ_SECONDS)
#: The longest one checker store call can take: one attempt's connect + read.
ATTEMPT_SECONDS = float(_CONNECT_SECONDS + _READ_SECONDS)
#: The shortest writer attempt worth starting: connect + the shortest read.
WRITER_MIN_ATTEMPT_SECONDS = float(_CONNECT_SECONDS + _MIN_READ_SECONDS)
#: The worker's client (patient): the longest one store call can take, all SDK attempts.
WORKER_ATTEMPT_SECONDS = 2.0 * (1 + 4)
_WORKER_CONFIG = Config(
    connect_timeout=1,
    read_timeout=4,
    retries={"total_max_attempts": 2, "mode": "standard"},
    tcp_keepalive=True,
)
# The worker's Secrets Manager and SSM clients (task secrets): read once per execution
# environment and value lifetime (task_secrets.CACHE_SECONDS), tried twice by the SDK; a
# failure is the task's retryable error, which the worker backs off on.
_SECRETS_CONFIG = Config(
    connect_timeout=1,
    read_timeout=3,
    retries={"total_max_attempts": 2, "mode": "standard"},
)
# The dispatcher's and the worker's Lambda client: an asynchronous Invoke only queues the
# event (202), so a slow answer is an unhealthy endpoint; the SDK tries 3 times. Its pool
# keeps one connection per dispatching thread (urllib3 discards a connection returned to a
# full pool, and the next call opens another: on AWS, a TLS handshake per request).
_LAMBDA_CONFIG = Config(
    connect_timeout=1,
    read_timeout=3,
    retries={"total_max_attempts": 3, "mode": "standard"},
    tcp_keepalive=True,
    max_pool_connections=MAX_PARALLEL_DISPATCHES,
)


# At DEBUG the SDK logs whole request bodies, caller numbers and parameters included: keep
# its loggers at WARNING whatever level the function's logging configuration sets.
for _sdk_logger in ("boto3", "botocore", "urllib3"):
    logging.getLogger(_sdk_logger).setLevel(logging.WARNING)


@functools.cache
def settings() -> Settings:
    return Settings.from_environment()


@functools.cache
def dynamodb_client(patient: bool = False, read_seconds: int = _READ_SECONDS) -> DynamoDBClient:
    """One client per execution environment and read timeout; ``patient`` for the worker."""
    if patient:
        return boto3.client("dynamodb", config=_WORKER_CONFIG)
    return boto3.client("dynamodb", config=_interactive_config(read_seconds))


def bounded_client(seconds: float) -> DynamoDBClient:
    """The client whose one attempt (connect + read) ends within ``seconds``: the longest
    whole-second read timeout that fits, at least the shortest (the budget starts no
    attempt shorter than WRITER_MIN_ATTEMPT_SECONDS)."""
    read = int(seconds - _CONNECT_SECONDS)
    return dynamodb_client(read_seconds=max(_MIN_READ_SECONDS, min(_MAX_READ_SECONDS, read)))


@functools.cache
def lambda_client() -> LambdaClient:
    return boto3.client("lambda", config=_LAMBDA_CONFIG)


@functools.cache
def secrets_client(service: str) -> object:
    """The worker's Secrets Manager or SSM client (task secrets), built on first use."""
    return boto3.client(service, config=_SECRETS_CONFIG)  # type: ignore[call-overload]


def send_to_worker(order: WorkOrder) -> None:
    """Invoke the worker asynchronously (InvocationType=Event) with ``order``.

    Lambda queues the event and answers 202; retries, the event's maximum age and the
    on-failure destination are the worker's event-invoke configuration (the module's
    aws_lambda_function_event_invoke_config). https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
    """
    function = settings().worker_function
    if not function:
        raise ConfigurationError("TRACKER_WORKER_FUNCTION is not set: there is no worker to invoke")
    try:
        answer = lambda_client().invoke(
            FunctionName=function,
            InvocationType="Event",
            Payload=json.dumps(order.payload()).encode(),
        )
        # The answer's body (empty for an event) holds the connection until it is read;
        # read, it goes back to the pool for the next Invoke.
        answer["Payload"].read()
    except (BotoCoreError, ClientError) as error:
        code = (
            error.response.get("Error", {}).get("Code", "Unknown")
            if isinstance(error, ClientError)
            else type(error).__name__
        )
        raise DispatchFailed(f"Lambda Invoke of {function} failed: {code}") from error
    if answer.get("StatusCode") != 202:
        raise DispatchFailed(f"Lambda Invoke of {function} answered {answer.get('StatusCode')}")


@functools.cache
def store(patient: bool = False) -> DynamoDBTrackerStore:
    current = settings()
    return DynamoDBTrackerStore(
        dynamodb_client(patient),
        current.table_name,
        consistent_read=current.checker_reads_consistently,
        bounded_clients=None if patient else bounded_client,
    )


def budget(context: object, attempt_seconds: float = ATTEMPT_SECONDS) -> TimeBudget:
    """The invocation's time budget from the Lambda context, for a client whose one store
    call takes at most ``attempt_seconds``; without a context, one attempt per call."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return TimeBudget()
    return TimeBudget(time_left=lambda: remaining() / 1000, attempt_seconds=attempt_seconds)


def prewarm(*builders: Callable[[], object]) -> None:
    """Build ``builders`` (default: the writer's and checker's store) during INIT.

    Creating the SDK client loads its service model: about a second of CPU. Done in the
    first invoke, that second counts against Connect's 8-second limit and the function's
    timeout, and a burst of cold starts (each environment paying it at once) pushed writer
    invokes past their 5-second timeout in the reliability tests. INIT is not billed against
    the invoke's timeout. Only inside Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set); a failure
    here is left for the first invoke to raise, as before.
    """
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    for build in builders or (store,):
        try:
            build()
        except Exception:  # noqa: BLE001 - the first invoke raises it again, with context
            logging.getLogger("connect_tracker").warning(
                "init.prewarm_failed", extra={"event": "init.prewarm_failed"}
            )
            return
