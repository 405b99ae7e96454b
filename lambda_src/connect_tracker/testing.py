"""Test your task: run it as the worker would, or run the whole tracker in-process.

Install the package with the kit's extra, which brings moto::

    pip install "./lambda_src[testing]"

``run_task`` runs one registered task with a context as the worker gives it (parameters,
deadline, ``settings``, ``secrets``) and returns its result as the worker would record it
(a flat string map); a ``TaskError`` the task raises propagates::

    from connect_tracker.testing import run_task
    import my_tasks.billing  # registers lookup_balance

    assert run_task("lookup_balance", {"AccountId": "ACC-1"}, secrets={"TOKEN": "t"}) == {
        "Balance": "42.00"
    }

``LocalTracker`` runs the real writer, dispatcher, worker and checker handlers in-process,
against DynamoDB (with its stream) and Secrets Manager faked by moto::

    from connect_tracker.testing import LocalTracker

    with LocalTracker(secrets={"TOKEN": "t"}) as tracker:
        answer = tracker.submit({"TaskName": "lookup_balance", "AccountId": "ACC-1"})
        assert tracker.result(answer["RequestId"])["Balance"] == "42.00"

This module is the project's own harness too (its functional tests, the bench and the
integration tier build Connect's events with ``contact_event``). It is not part of the
deployment package (packaging/source_exclusions.txt).
"""

from __future__ import annotations

import json
import math
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from types import TracebackType
from typing import Any

import boto3

from connect_tracker.config import TASK_ENV_PREFIX, TASK_SECRET_PREFIX
from connect_tracker.domain import RequestRejected, Serialization, new_request, normalise_result
from connect_tracker.handlers import _runtime
from connect_tracker.handlers import checker as checker_handler
from connect_tracker.handlers import processor as processor_handler
from connect_tracker.handlers import worker as worker_handler
from connect_tracker.handlers import writer as writer_handler
from connect_tracker.orders import DispatchFailed, WorkOrder
from connect_tracker.replay import admitted, as_event_record
from connect_tracker.task_secrets import mapping_secrets
from connect_tracker.tasks import TaskContext, TaskError, registry
from connect_tracker.worker import _run_with_limit

#: The module's default request deadline (request_deadline_seconds).
DEFAULT_DEADLINE_SECONDS = 120
#: The module's default worker timeout (functions.worker.timeout): the time each worker
#: invocation is given.
DEFAULT_WORKER_SECONDS = 300.0
#: The region and fake credentials the kit's moto runs under.
REGION = "us-east-1"
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def contact_event(
    contact_id: str,
    parameters: Mapping[str, str],
    *,
    initial_contact_id: str | None = None,
    attributes: Mapping[str, str] | None = None,
    channel: str = "VOICE",
) -> dict[str, Any]:
    """The event Amazon Connect sends a Lambda function from an InvokeLambdaFunction block.

    Shaped as the Connect Administrator Guide's sample event ("Invoke an AWS Lambda
    function": ``Details.ContactData``, ``Details.Parameters``, ``Name``), as
    tests/events/connect_writer_event.json records it. A transferred contact has a new
    ``contact_id`` and its chain's first contact as ``initial_contact_id``.
    """
    initial = initial_contact_id or contact_id
    return {
        "Details": {
            "ContactData": {
                "Attributes": dict(attributes or {}),
                "AwsRegion": REGION,
                "Channel": channel,
                "ContactId": contact_id,
                "CustomerEndpoint": {"Address": "+12025550143", "Type": "TELEPHONE_NUMBER"},
                "CustomerId": None,
                "Description": None,
                "InitialContactId": initial,
                "InitiationMethod": "INBOUND",
                "InstanceARN": (
                    "arn:aws:connect:us-east-1:123456789012:instance/"
                    "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
                ),
                "LanguageCode": "en-US",
                "MediaStreams": {"Customer": {"Audio": None}},
                "Name": "",
                "PreviousContactId": initial,
                "Queue": None,
                "References": {},
                "RelatedContactId": None,
                "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": dict(parameters),
        },
        "Name": "ContactFlowEvent",
    }


class LambdaContext:
    """The part of Lambda's context object the handlers read: the invocation's time left.

    ``ticking``: the time left runs down with the wall clock from creation, as in Lambda;
    without it, it stays at ``seconds`` (a test that controls time itself).
    """

    def __init__(self, seconds: float = DEFAULT_WORKER_SECONDS, *, ticking: bool = False) -> None:
        self._seconds = seconds
        self._started = time.monotonic() if ticking else None

    def get_remaining_time_in_millis(self) -> int:
        spent = 0.0 if self._started is None else time.monotonic() - self._started
        return max(0, int((self._seconds - spent) * 1000))


def run_task(
    name: str,
    parameters: Mapping[str, str],
    *,
    settings: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
) -> dict[str, str]:
    """Run the registered task ``name`` once, as the worker would, and return its result.

    The context carries ``settings`` (the module's ``task_environment``), ``secrets`` (what
    ``context.secret(NAME)`` answers; an unknown name raises ``UNKNOWN_SECRET`` as
    deployed) and a deadline ``deadline_seconds`` away. The task runs on its own thread
    within that time, as in the worker. Raises what the task raises (``TaskError``,
    ``RetryableTaskError`` or any other exception), ``TaskError`` with the worker's code
    for a result the checker could not deliver (``INVALID_RESULT``, ``RESULT_TOO_LARGE``),
    and ``TimeoutError`` when the task outlives its deadline (the request would end
    ``TIMED_OUT``).
    """
    function = registry.get(name)
    now = time.time()
    request = new_request(
        contact_id="test-contact",
        task_name=name,
        parameters=dict(parameters),
        now=now,
        deadline_seconds=max(1, math.ceil(deadline_seconds)),
        ttl_seconds=max(60, math.ceil(deadline_seconds)),
    )
    context = TaskContext(
        request_id=request.request_id,
        contact_id=request.contact_id,
        task_name=name,
        deadline_at=now + deadline_seconds,
        settings=dict(settings or {}),
        secrets=mapping_secrets(secrets or {}),
    )
    finished, value = _run_with_limit(
        lambda: function(request.parameters, context), deadline_seconds, f"task-{name}"
    )
    if not finished:
        raise TimeoutError(
            f"task {name!r} was still running at its deadline ({deadline_seconds} s): "
            "the request would end TIMED_OUT (DEADLINE_EXCEEDED)"
        )
    if isinstance(value, BaseException):
        raise value
    try:
        # Escaped ASCII, the larger of the runtimes' encodings: what fits here fits them all.
        return dict(normalise_result(value, request, Serialization.ASCII))
    except RequestRejected as rejection:
        raise TaskError(rejection.code.value, rejection.message) from None


class StreamReader:
    """The tracker table's stream as moto records it, read like a mapping at LATEST.

    Each read starts again at TRIM_HORIZON and returns the records not seen before (by
    eventID): moto records a put of a transaction it then cancels (DynamoDB does not) and
    reuses that record's sequence number, which an iterator chained from the last read
    would skip past.
    """

    def __init__(self, table_name: str) -> None:
        self._streams = boto3.client("dynamodbstreams")
        self._arn = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"][
            "LatestStreamArn"
        ]
        self._seen: set[str] = set()
        self.new_records()

    def new_records(self) -> list[dict[str, Any]]:
        """Every record written since the last read, as Lambda delivers them."""
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        iterator = self._streams.get_shard_iterator(
            StreamArn=self._arn, ShardId=shards[0]["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = self._streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        fresh = [record for record in records if record["eventID"] not in self._seen]
        self._seen.update(record["eventID"] for record in fresh)
        return [as_event_record(record, self._arn) for record in fresh]

    def deliverable(self) -> list[dict[str, Any]]:
        """What the module's event source mapping lets through (replay's admission rule)."""
        return [record for record in self.new_records() if admitted(record)]


class WorkerQueue:
    """Lambda's asynchronous queue of the worker, in process: what the dispatcher (and the
    worker, handing a request over) sent with InvocationType=Event, run on demand.

    The payload goes through JSON as Lambda's does. ``refuse`` makes that many next sends
    fail as an unreachable Lambda API would.
    """

    def __init__(self, worker_seconds: float = DEFAULT_WORKER_SECONDS) -> None:
        self.queued: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.refuse = 0
        self.worker_seconds = worker_seconds

    def send(self, order: WorkOrder) -> None:
        if self.refuse:
            self.refuse -= 1
            raise DispatchFailed("Lambda Invoke of the worker failed: ServiceException")
        payload = json.loads(json.dumps(order.payload()))
        self.queued.append(payload)
        self.sent.append(payload)

    def run_next(self, seconds: float | None = None, *, ticking: bool = False) -> dict[str, Any]:
        """Deliver the oldest queued event to the worker handler, as Lambda would, with an
        invocation of ``seconds`` (default: the worker's timeout)."""
        payload = self.queued.pop(0)
        context = LambdaContext(
            self.worker_seconds if seconds is None else seconds, ticking=ticking
        )
        return worker_handler.handler(payload, context)

    def drain(self, seconds: float | None = None) -> list[str]:
        """Deliver every queued event, including those queued meanwhile; their results."""
        results = []
        while self.queued:
            results.append(str(self.run_next(seconds)["Result"]))
        return results


def reset_handlers() -> None:
    """Forget every client, setting and handler object the execution environment cached."""
    for cached in (
        _runtime.settings,
        _runtime.dynamodb_client,
        _runtime.lambda_client,
        _runtime.secrets_client,
        _runtime.store,
        processor_handler._dispatcher,
        worker_handler._worker,
    ):
        cached.cache_clear()


def create_tracker_table(table_name: str) -> None:
    """The tracker table as the module creates it (dynamodb.tf): hash key RequestId, a
    NEW_IMAGE stream."""
    boto3.client("dynamodb").create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "RequestId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "RequestId", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` set in os.environ, and any endpoint override or profile hidden, for the
    block; everything restored afterwards."""
    hidden = [key for key in os.environ if key.startswith("AWS_ENDPOINT_URL")] + ["AWS_PROFILE"]
    before = {key: os.environ.get(key) for key in [*values, *hidden]}
    for key in hidden:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class LocalTracker:
    """The whole tracker in-process on moto: the real writer, dispatcher, worker and checker.

    ``settings`` become the tasks' ``context.settings`` (the module's ``task_environment``);
    ``secrets`` (NAME -> value) are stored in moto's Secrets Manager and named to the worker
    as the module names them (``task_secrets``), so ``context.secret`` reads them as
    deployed. ``environment`` adds other function settings (``TRACKER_DEFAULT_TASK``,
    ``TRACKER_SENSITIVE_PARAMETERS``, ...). Register your tasks (import their modules)
    before submitting.
    """

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        *,
        deadline_seconds: int = DEFAULT_DEADLINE_SECONDS,
        worker_seconds: float = DEFAULT_WORKER_SECONDS,
        table_name: str = "local-tracker",
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = dict(settings or {})
        self.secrets = dict(secrets or {})
        self.deadline_seconds = deadline_seconds
        self.table_name = table_name
        self.environment = dict(environment or {})
        self.worker_queue = WorkerQueue(worker_seconds)
        #: request id -> (ContactId, InitialContactId) of the contact that submitted it
        self.submitted_by: dict[str, tuple[str, str]] = {}
        self._stream: StreamReader | None = None
        self._stack = ExitStack()

    def __enter__(self) -> LocalTracker:
        # The [testing] extra, needed here only: contact_event and run_task run without it.
        from moto import mock_aws  # noqa: PLC0415

        with ExitStack() as stack:
            stack.enter_context(
                _environment(
                    {
                        **_FAKE_CREDENTIALS,
                        "AWS_DEFAULT_REGION": REGION,
                        "AWS_REGION": REGION,
                        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                        "TRACKER_TABLE_NAME": self.table_name,
                        "TRACKER_REQUEST_DEADLINE_SECONDS": str(self.deadline_seconds),
                        "TRACKER_REQUEST_TTL_SECONDS": str(max(3600, self.deadline_seconds)),
                        "TRACKER_WORKER_FUNCTION": f"{self.table_name}-worker",
                        **{
                            f"{TASK_ENV_PREFIX}{key}": value for key, value in self.settings.items()
                        },
                        **self.environment,
                    }
                )
            )
            stack.enter_context(mock_aws())
            send = _runtime.send_to_worker
            setattr(_runtime, "send_to_worker", self.worker_queue.send)  # noqa: B010
            stack.callback(setattr, _runtime, "send_to_worker", send)
            stack.callback(reset_handlers)
            create_tracker_table(self.table_name)
            manager = boto3.client("secretsmanager")
            for name, value in self.secrets.items():
                arn = manager.create_secret(Name=f"{self.table_name}/{name}", SecretString=value)
                os.environ[f"{TASK_SECRET_PREFIX}{name}"] = arn["ARN"]
                stack.callback(os.environ.pop, f"{TASK_SECRET_PREFIX}{name}", None)
            reset_handlers()
            self._stream = StreamReader(self.table_name)
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stream = None
        self._stack.close()

    @property
    def stream(self) -> StreamReader:
        if self._stream is None:
            raise RuntimeError("LocalTracker is used outside its `with` block")
        return self._stream

    def submit(
        self,
        parameters: Mapping[str, str],
        *,
        contact_id: str | None = None,
        initial_contact_id: str | None = None,
    ) -> dict[str, str]:
        """The writer's answer to a contact's InvokeLambdaFunction block with ``parameters``
        (``TaskName`` and the task's parameters); a new contact unless ``contact_id``."""
        contact = contact_id or str(uuid.uuid4())
        initial = initial_contact_id or contact
        answer = writer_handler.handler(
            contact_event(contact, parameters, initial_contact_id=initial),
            LambdaContext(5, ticking=True),
        )
        if "RequestId" in answer:
            self.submitted_by.setdefault(answer["RequestId"], (contact, initial))
        return answer

    def run_pending(self) -> list[str]:
        """Deliver what the stream holds to the dispatcher and run every worker event it
        (and any hand-over) queued; the workers' results."""
        records = self.stream.deliverable()
        if records:
            processor_handler.handler({"Records": records}, LambdaContext(60, ticking=True))
        return self.worker_queue.drain()

    def result(
        self,
        request_id: str,
        *,
        contact_id: str | None = None,
        initial_contact_id: str | None = None,
    ) -> dict[str, str]:
        """The checker's answer to a poll of ``request_id`` once the pending work has run:
        by default from the contact that submitted it (the only chain it answers)."""
        self.run_pending()
        owner = self.submitted_by.get(request_id, ("unknown-contact", "unknown-contact"))
        contact = contact_id or owner[0]
        initial = initial_contact_id or (owner[1] if contact_id is None else contact)
        event = contact_event(contact, {"RequestId": request_id}, initial_contact_id=initial)
        return checker_handler.handler(event, LambdaContext(5, ticking=True))
