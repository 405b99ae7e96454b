"""The stream's dispatcher (the ``processor`` function): one worker invocation per request.

It never runs task work and touches no table item: it hands each new request of a stream
batch to its own asynchronous invocation of the worker and returns, so no request waits
behind another's work (docs/execution.md). All reading of DynamoDB stream records is here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from connect_tracker.domain import REQUEST_ID_PATTERN
from connect_tracker.logs import log_event
from connect_tracker.orders import DispatchFailed, WorkOrder

MAX_PARALLEL_DISPATCHES = 25


class DispatchResult(StrEnum):
    DISPATCHED = "DISPATCHED"
    DUPLICATE = "DUPLICATE"  # the same request earlier in the batch: dispatched once
    MALFORMED = "MALFORMED"  # names no request: nothing to retry
    RETRY = "RETRY"  # the worker could not be invoked: deliver the record again


@dataclass(frozen=True)
class BatchReport:
    results: Mapping[str, DispatchResult]
    failures: Sequence[str]

    def response(self) -> dict[str, list[dict[str, str]]]:
        return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in self.failures]}


@dataclass(frozen=True)
class StreamRecord:
    """What the dispatcher reads of one DynamoDB stream record, read once."""

    #: The request the record is about; None when it names none (an ask item's record,
    #: which the stream filter never lets through, or a malformed one).
    request_id: str | None
    #: The record's identifier for a partial batch failure (``batchItemFailures``).
    sequence_number: str | None
    #: The request's contact (NewImage.ContactId), for logs.
    contact_id: str | None

    @classmethod
    def parse(cls, record: object) -> StreamRecord:
        dynamodb = record.get("dynamodb") if isinstance(record, Mapping) else None
        if not isinstance(dynamodb, Mapping):
            return cls(None, None, None)
        sequence = dynamodb.get("SequenceNumber")
        new_image = dynamodb.get("NewImage")
        contact = _string(new_image, "ContactId")
        return cls(
            request_id=_request_id(dynamodb),
            sequence_number=sequence if isinstance(sequence, str) else None,
            contact_id=contact[:128] if contact is not None else None,
        )


class Dispatcher:
    """Hands every request of a stream batch to its own worker invocation."""

    def __init__(self, send: Callable[[WorkOrder], None]) -> None:
        self._send = send

    def dispatch_batch(self, event: object) -> BatchReport:
        raw = event.get("Records") if isinstance(event, Mapping) else None
        if not isinstance(raw, list):
            log_event(logging.ERROR, "batch.malformed", detail="the event has no 'Records' list")
            return BatchReport({}, [])
        if not raw:
            return BatchReport({}, [])
        records = [StreamRecord.parse(record) for record in raw]
        with ThreadPoolExecutor(max_workers=min(len(records), MAX_PARALLEL_DISPATCHES)) as pool:
            results = list(pool.map(self._dispatch, records, _repeats(records)))
        report: dict[str, DispatchResult] = {}
        failures: list[str] = []
        for index, (record, result) in enumerate(zip(records, results, strict=True)):
            report[record.sequence_number or f"#{index}"] = result
            if result is DispatchResult.RETRY and record.sequence_number:
                failures.append(record.sequence_number)
        return BatchReport(report, failures)

    def _dispatch(self, record: StreamRecord, repeated: bool) -> DispatchResult:
        if record.request_id is None:
            log_event(logging.ERROR, "record.malformed", sequence_number=record.sequence_number)
            return DispatchResult.MALFORMED
        if repeated:
            log_event(
                logging.INFO,
                "record.duplicate",
                request_id=record.request_id,
                sequence_number=record.sequence_number,
            )
            return DispatchResult.DUPLICATE
        try:
            self._send(WorkOrder(record.request_id))
        except DispatchFailed as error:
            log_event(
                logging.ERROR,
                "dispatch.failed",
                contact_id=record.contact_id,
                request_id=record.request_id,
                sequence_number=record.sequence_number,
                detail=str(error),
            )
            return DispatchResult.RETRY
        log_event(
            logging.INFO,
            "request.dispatched",
            contact_id=record.contact_id,
            request_id=record.request_id,
            sequence_number=record.sequence_number,
        )
        return DispatchResult.DISPATCHED


def _repeats(records: Sequence[StreamRecord]) -> list[bool]:
    """For each record, whether an earlier record of the batch names the same request."""
    seen: set[str] = set()
    repeats = []
    for record in records:
        repeats.append(record.request_id is not None and record.request_id in seen)
        if record.request_id is not None:
            seen.add(record.request_id)
    return repeats


def _request_id(dynamodb: Mapping[object, object]) -> str | None:
    """The request id in the record's Keys (else NewImage): only a request's key is a
    request id (a uuid); an ask item's key is not."""
    for section in ("Keys", "NewImage"):
        key = _string(dynamodb.get(section), "RequestId")
        if key:
            return key if REQUEST_ID_PATTERN.match(key) else None
    return None


def _string(image: object, name: str) -> str | None:
    """A string attribute (``{"S": ...}``) of a stream image, or None."""
    value = image.get(name) if isinstance(image, Mapping) else None
    if isinstance(value, Mapping) and isinstance(value.get("S"), str):
        return str(value["S"])
    return None
