"""What the writer and the checker do, on plain data and a store."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from connect_tracker import connect
from connect_tracker.budget import Clock, TimeBudget, with_retries
from connect_tracker.config import Settings
from connect_tracker.domain import (
    ErrorCode,
    RequestRejected,
    Serialization,
    Status,
    TrackerRequest,
    check_answer_fits,
    key_reused,
    new_request,
    same_ask,
)
from connect_tracker.logs import log_event, redact_parameters
from connect_tracker.store import StoreUnavailable, TrackerStore

#: How often a waiting checker reads its request. A result written during a wait reaches
#: the caller at most this much (plus one read) later; each read is one strongly consistent
#: GetItem of an item under 4 KB, 1 read unit (docs/execution.md, what the reads cost).
WAIT_READ_INTERVAL_SECONDS = 0.25


@dataclass(frozen=True)
class Wait:
    """How long one checker invocation may wait for its request to become terminal.

    ``seconds`` (``Settings.checker_wait_seconds``) from the start of the invocation: 0
    reads once and answers at once. While waiting, the request is read every ``interval``
    on the ``elapsed`` clock (monotonic, so a wall clock set back or forth cannot stretch
    the wait), pausing with ``sleep``; tests inject both.
    """

    seconds: float = 0.0
    interval: float = WAIT_READ_INTERVAL_SECONDS
    sleep: Callable[[float], None] = time.sleep
    elapsed: Clock = time.monotonic


def submit_request(
    event: object,
    settings: Settings,
    store: TrackerStore,
    clock: Clock,
    budget: TimeBudget | None = None,
) -> dict[str, str]:
    """Record the request a contact asks for, once, and answer at once.

    The same ask from the same contact chain (``domain.ask_key``) finds the request it
    recorded before; a RequestKey already used for another ask is refused
    (``REQUEST_KEY_REUSED``) and nothing stored changes. Bad input is answered with
    ``Status=INVALID_REQUEST`` (the flow branches on it); only a table that stays
    unreachable for the whole ``budget`` raises, which sends the flow down its error branch.
    """
    try:
        contact_event = connect.parse_contact_event(event)
        ask = connect.split_ask(contact_event, settings.default_task)
        request = new_request(
            contact_id=contact_event.contact_id,
            chain_id=contact_event.chain,
            task_name=ask.task_name,
            parameters=ask.parameters,
            request_key=ask.request_key,
            now=clock(),
            deadline_seconds=settings.deadline_seconds,
            ttl_seconds=settings.ttl_seconds,
        )
    except RequestRejected as rejection:
        return _rejected("request.rejected", event, rejection)
    try:
        time_budget = budget or TimeBudget()
        # Connect waits for the writer until the flow block's limit: every attempt may use
        # the invocation's whole time left, and one that fails fast is tried again.
        stored, created = with_retries(
            lambda: store.within(time_budget.attempt_limit()).create(request), time_budget
        )
    except StoreUnavailable as error:
        # The writer's one failure of its own: the flow takes its error branch. The module's
        # writer-failures metric filter counts this line (docs/alarms.md).
        log_event(
            logging.ERROR,
            "request.store_unavailable",
            contact_id=request.contact_id,
            request_id=request.request_id,
            task_name=request.task_name,
            error_message=str(error),
        )
        raise
    if not same_ask(stored, request):
        return _rejected("request.key_reused", event, key_reused(stored))
    log_event(
        logging.INFO,
        "request.created" if created else "request.reused",
        contact_id=stored.contact_id,
        request_id=stored.request_id,
        task_name=stored.task_name,
        status=stored.status.value,
        parameters=redact_parameters(
            ask.parameters, settings.log_parameters_in_clear, settings.sensitive_parameters
        ),
    )
    return connect.writer_response(stored)


def check_request(
    event: object,
    store: TrackerStore,
    clock: Clock,
    budget: TimeBudget | None = None,
    serialization: Serialization = Serialization.ASCII,
    *,
    wait: Wait | None = None,
) -> dict[str, str]:
    """Answer where a request stands; never raises.

    Only the contact chain that made the request is answered; any other contact gets
    ``NOT_FOUND``, exactly as for an id that does not exist. A request still open past its
    deadline is sealed ``TIMED_OUT`` here, so a caller is never left waiting on a
    worker that died. When the table does not answer within ``budget`` the answer is
    ``Status=UNKNOWN`` with ``ErrorCode=STORE_UNAVAILABLE``: the flow polls again, and the
    next poll that reaches the table answers (and seals) as usual. ``serialization`` is
    the runtime's (``Settings.serialization``): a stored result whose answer Connect could
    not take (recorded under another runtime) is answered ``FAILED``/``RESULT_TOO_LARGE``.

    With a ``wait``, an open request of the caller's chain is read again until it is
    terminal or the wait or ``budget`` ends (``_awaited``), and answered then: a result
    written during the wait reaches the caller in this invocation, not at the next poll.
    An answer that cannot change (``NOT_FOUND``, another chain, ``INVALID_REQUEST``, a
    terminal request) is given at once.
    """
    waiting = wait or Wait()
    began = waiting.elapsed()
    try:
        contact_event = connect.parse_contact_event(event)
        request_id = connect.requested_id(contact_event)
    except RequestRejected as rejection:
        return _rejected("check.rejected", event, rejection)
    budget = budget or TimeBudget()
    reads = 1
    try:
        request = _current(event, request_id, store, clock, budget, sleep=waiting.sleep)
        if request is not None and request.chain_id == contact_event.chain:
            request, reads = _awaited(
                request, store, clock, budget, event=event, waiting=waiting, began=began
            )
    except StoreUnavailable as error:
        log_event(
            logging.WARNING,
            "check.store_unavailable",
            contact_id=_contact_id_of(event),
            request_id=request_id,
            error_message=str(error),
        )
        return connect.unknown_response(request_id)
    if request is None:
        log_event(
            logging.INFO, "check.not_found", contact_id=_contact_id_of(event), request_id=request_id
        )
        return connect.not_found_response(request_id)
    if request.chain_id != contact_event.chain:
        log_event(
            logging.WARNING,
            "check.other_chain",
            contact_id=_contact_id_of(event),
            request_id=request_id,
            detail="the request belongs to another contact chain; answered NOT_FOUND",
        )
        return connect.not_found_response(request_id)
    log_event(
        logging.INFO,
        "check.answered",
        contact_id=request.contact_id,
        request_id=request_id,
        status=request.status.value,
        reads=reads,
        waited_seconds=round(waiting.elapsed() - began, 3),
    )
    return _deliverable(request, serialization)


def _awaited(
    request: TrackerRequest,
    store: TrackerStore,
    clock: Clock,
    budget: TimeBudget,
    *,
    event: object,
    waiting: Wait,
    began: float,
) -> tuple[TrackerRequest | None, int]:
    """The request once terminal, or as it stands when the wait ends; and how many reads.

    Reads are due every ``waiting.interval`` from ``began``, the last one when the wait
    ends; a slot missed by a slow read is skipped, not made up. A read is made only while
    a whole table call still fits in the invocation after the pause (``budget``), and one
    that may find the request past its deadline only while the seal fits too: the answer
    comes before the function's timeout, and an overdue request is sealed ``TIMED_OUT``
    by this invocation or, if no seal fits, by the next poll.
    """
    ends = began + waiting.seconds
    slot = 0
    due = began
    reads = 1
    found: TrackerRequest | None = request
    while found is not None and found.status.is_open and due < ends:
        now = waiting.elapsed()
        slot = max(slot + 1, math.floor((now - began) / waiting.interval) + 1)
        due = min(began + slot * waiting.interval, ends)
        pause = max(0.0, due - now)
        seal_fits = clock() + pause < found.deadline_at or budget.fits(
            pause + budget.attempt_seconds
        )
        if not (budget.fits(pause) and seal_fits):
            break
        waiting.sleep(pause)
        found = _current(event, found.request_id, store, clock, budget, sleep=waiting.sleep)
        reads += 1
    return found, reads


def _deliverable(request: TrackerRequest, serialization: Serialization) -> dict[str, str]:
    """The checker's answer, or FAILED/RESULT_TOO_LARGE when Connect could not take it."""
    if request.status is Status.COMPLETE:
        try:
            check_answer_fits(request, request.result, serialization)
        except RequestRejected as rejection:
            log_event(
                logging.ERROR,
                "check.result_too_large",
                contact_id=request.contact_id,
                request_id=request.request_id,
                error_message=rejection.message,
            )
            return connect.checker_response(
                replace(
                    request,
                    status=Status.FAILED,
                    result={},
                    error_code=ErrorCode.RESULT_TOO_LARGE.value,
                    error_message=rejection.message,
                )
            )
    return connect.checker_response(request)


def _current(
    event: object,
    request_id: str,
    store: TrackerStore,
    clock: Clock,
    budget: TimeBudget,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> TrackerRequest | None:
    """The request as it stands now (sealed TIMED_OUT if overdue), or None."""
    request = with_retries(lambda: store.get(request_id), budget, sleep=sleep)
    if request is None:
        return None
    now = clock()
    if request.is_overdue(now):
        found = request.status
        sealed = with_retries(
            lambda: store.seal_overdue(request_id, now, found=found),
            budget,
            first=False,
            sleep=sleep,
        )
        if sealed.won and sealed.request is not None:
            log_event(
                logging.WARNING,
                "request.sealed_timed_out",
                contact_id=sealed.request.contact_id,
                request_id=request_id,
                task_name=sealed.request.task_name,
                previous_status=request.status.value,
            )
        # refused: someone else finished or sealed it first, and the failed condition
        # returned what they wrote (a read now could be as stale as the one above)
        request = sealed.request or request
    return request


def _rejected(log_name: str, event: object, rejection: RequestRejected) -> dict[str, str]:
    """Log a refused event and answer it with Status=INVALID_REQUEST."""
    log_event(
        logging.WARNING,
        log_name,
        contact_id=_contact_id_of(event),
        error_code=rejection.code.value,
        error_message=rejection.message,
    )
    return connect.rejection_response(rejection)


def _contact_id_of(event: object) -> str | None:
    """The contact id, for logs, from an event that may be malformed."""
    try:
        contact_id = event["Details"]["ContactData"]["ContactId"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return None
    return contact_id[:128] if isinstance(contact_id, str) else None
