"""What the processor does with a batch of stream records.

Each record is claimed before its task runs (PENDING -> RUNNING, conditionally), so a
duplicate delivery never runs the work twice; the outcome is written only while the claim
still holds. Business failures are terminal; infrastructure failures are reported per
record in ``batchItemFailures`` so only those records are delivered again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from connect_tracker.config import Settings
from connect_tracker.domain import (
    ErrorCode,
    Outcome,
    RequestRejected,
    Serialization,
    Status,
    TrackerRequest,
    normalise_result,
)
from connect_tracker.logs import log_event
from connect_tracker.store import StoreUnavailable, TrackerStore, parse_stream_keys
from connect_tracker.tasks import (
    RetryableTaskError,
    TaskContext,
    TaskError,
    TaskRegistry,
    UnknownTask,
)

Clock = Callable[[], float]
#: Seconds kept back from the invocation's own limit to record the outcome.
SAFETY_MARGIN_SECONDS = 2.0
MAX_PARALLEL_RECORDS = 10


class RecordResult(StrEnum):
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    DUPLICATE = "DUPLICATE"  # not pending any more: another delivery has it or had it
    CLAIM_LOST = "CLAIM_LOST"  # sealed by the checker while the task ran
    MALFORMED = "MALFORMED"  # names no request: nothing to retry
    RETRY = "RETRY"  # infrastructure or transient failure: deliver again


@dataclass(frozen=True)
class BatchReport:
    results: Mapping[str, RecordResult]
    failures: Sequence[str]

    def response(self) -> dict[str, list[dict[str, str]]]:
        return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in self.failures]}


class Processor:
    def __init__(
        self,
        store: TrackerStore,
        tasks: TaskRegistry,
        settings: Settings,
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._tasks = tasks
        self._settings = settings
        self._clock = clock

    def process_batch(self, event: object, seconds_left: Callable[[], float]) -> BatchReport:
        records = event.get("Records") if isinstance(event, Mapping) else None
        if not isinstance(records, list):
            log_event(logging.ERROR, "batch.malformed", detail="the event has no 'Records' list")
            return BatchReport({}, [])

        def handle(record: object, repeated: bool) -> RecordResult:
            if repeated:  # the same request twice in one batch: its first copy has it
                log_event(
                    logging.INFO,
                    "record.duplicate",
                    request_id=parse_stream_keys(record),
                    sequence_number=_sequence_number(record),
                )
                return RecordResult.DUPLICATE
            return self.process_record(record, seconds_left)

        with ThreadPoolExecutor(
            max_workers=max(1, min(len(records), MAX_PARALLEL_RECORDS))
        ) as pool:
            results = list(pool.map(handle, records, _repeats(records)))
        report: dict[str, RecordResult] = {}
        failures: list[str] = []
        for index, (record, result) in enumerate(zip(records, results, strict=True)):
            sequence = _sequence_number(record)
            report[sequence or f"#{index}"] = result
            if result is RecordResult.RETRY and sequence:
                failures.append(sequence)
        return BatchReport(report, failures)

    def process_record(self, record: object, seconds_left: Callable[[], float]) -> RecordResult:
        request_id = parse_stream_keys(record)
        if request_id is None:
            log_event(logging.ERROR, "record.malformed", sequence_number=_sequence_number(record))
            return RecordResult.MALFORMED
        token = str(uuid.uuid4())
        sequence = _sequence_number(record)
        try:
            request = self._store.claim(request_id, token, self._clock())
            if request is None:
                log_event(
                    logging.INFO,
                    "record.duplicate",
                    request_id=request_id,
                    sequence_number=sequence,
                )
                return RecordResult.DUPLICATE
            outcome = self._run(request, seconds_left)
            if outcome is None:
                released = self._store.release(request_id, token)
                log_event(
                    logging.WARNING,
                    "task.retry",
                    contact_id=request.contact_id,
                    request_id=request_id,
                    task_name=request.task_name,
                    released=released,
                    sequence_number=sequence,
                )
                return RecordResult.RETRY
            if not self._store.finish(request_id, token, outcome, self._clock()):
                log_event(
                    logging.WARNING,
                    "request.claim_lost",
                    contact_id=request.contact_id,
                    request_id=request_id,
                    detail="the request was sealed before its outcome could be recorded",
                )
                return RecordResult.CLAIM_LOST
        except StoreUnavailable as error:
            log_event(
                logging.ERROR,
                "store.unavailable",
                request_id=request_id,
                sequence_number=sequence,
                detail=str(error),
            )
            return RecordResult.RETRY
        log_event(
            logging.INFO if outcome.status is Status.COMPLETE else logging.WARNING,
            "request.finished",
            contact_id=request.contact_id,
            request_id=request_id,
            task_name=request.task_name,
            status=outcome.status.value,
            error_code=outcome.error_code,
            attempts=request.attempts,
        )
        return RecordResult(outcome.status.value)

    def _run(self, request: TrackerRequest, seconds_left: Callable[[], float]) -> Outcome | None:
        """Run the request's task within its budget; None means 'deliver again'."""
        now = self._clock()
        if request.is_overdue(now):
            return Outcome.timed_out(
                ErrorCode.DEADLINE_EXCEEDED.value, "the request's deadline passed before it ran"
            )
        try:
            function = self._tasks.get(request.task_name)
        except UnknownTask as error:
            return Outcome.failed(ErrorCode.UNKNOWN_TASK.value, str(error))
        invocation_budget = seconds_left() - SAFETY_MARGIN_SECONDS
        deadline_budget = request.seconds_left(now)
        context = TaskContext(
            request_id=request.request_id,
            contact_id=request.contact_id,
            task_name=request.task_name,
            deadline_at=min(request.deadline_at, now + invocation_budget),
            settings=self._settings.task_environment or {},
            clock=self._clock,
        )
        log_event(
            logging.INFO,
            "task.started",
            contact_id=request.contact_id,
            request_id=request.request_id,
            task_name=request.task_name,
            attempt=request.attempts,
        )
        started = time.monotonic()
        finished, value = _run_with_limit(
            lambda: function(request.parameters, context),
            max(0.0, min(deadline_budget, invocation_budget)),
            f"task-{request.request_id}",
        )
        duration_ms = round((time.monotonic() - started) * 1000)
        if not finished or request.is_overdue(self._clock()):
            if invocation_budget < deadline_budget:
                return Outcome.timed_out(
                    ErrorCode.PROCESSOR_TIME_EXHAUSTED.value,
                    f"the processor's own time limit ended the task after {duration_ms} ms; "
                    "raise the processor timeout to at least the request deadline",
                )
            return Outcome.timed_out(
                ErrorCode.DEADLINE_EXCEEDED.value,
                f"the task outlived the request's deadline ({duration_ms} ms)",
            )
        return _outcome_of(value, request, self._settings.serialization)


def _outcome_of(
    value: object, request: TrackerRequest, serialization: Serialization
) -> Outcome | None:
    """What a task's return value or exception means for its request."""
    if isinstance(value, RetryableTaskError):
        return None
    if isinstance(value, TaskError):
        return Outcome.failed(value.code, value.message)
    if isinstance(value, BaseException):
        log_event(
            logging.ERROR,
            "task.crashed",
            contact_id=request.contact_id,
            request_id=request.request_id,
            task_name=request.task_name,
            error_type=type(value).__name__,
        )
        return Outcome.failed(
            ErrorCode.TASK_ERROR.value, f"the task raised {type(value).__name__}: {value}"
        )
    try:
        return Outcome.complete(normalise_result(value, request, serialization))
    except RequestRejected as rejection:
        return Outcome.failed(rejection.code.value, rejection.message)


def _run_with_limit(call: Callable[[], object], limit: float, name: str) -> tuple[bool, object]:
    """Run ``call`` on its own thread; (False, None) if it has not returned within ``limit``.

    A thread cannot be killed: a task that overruns is abandoned, and its eventual answer
    is dropped (its claim is gone by then).
    """
    box: list[object] = []
    done = threading.Event()

    def target() -> None:
        try:
            box.append(call())
        except BaseException as error:  # noqa: BLE001 - every failure becomes an outcome
            box.append(error)
        finally:
            done.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    if not done.wait(limit):
        return False, None
    return True, box[0]


def _repeats(records: Sequence[object]) -> list[bool]:
    """For each record, whether an earlier record of the batch names the same request."""
    seen: set[str] = set()
    repeats = []
    for record in records:
        request_id = parse_stream_keys(record)
        repeats.append(request_id is not None and request_id in seen)
        if request_id is not None:
            seen.add(request_id)
    return repeats


def _sequence_number(record: object) -> str | None:
    if isinstance(record, Mapping):
        dynamodb = record.get("dynamodb")
        if isinstance(dynamodb, Mapping):
            sequence = dynamodb.get("SequenceNumber")
            if isinstance(sequence, str):
                return sequence
    return None
