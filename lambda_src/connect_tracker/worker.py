"""The worker: one request per asynchronous invocation (docs/execution.md).

- it claims the request with a lease that ends with its own invocation, so a later delivery
  can take over a request whose claimant is provably gone, and never while a claim is live;
- it starts an attempt only when the invocation has time for it, and retries a
  ``RetryableTaskError`` with bounded, jittered exponential backoff while the request's
  deadline allows;
- it records the outcome, retrying while the invocation has time; what it cannot record it
  hands over (outcome and claim token) to a fresh invocation of itself, which finishes it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from connect_tracker.budget import Clock, NoTimeLeft, TimeBudget, backoff, with_retries
from connect_tracker.config import Settings
from connect_tracker.domain import (
    ErrorCode,
    Outcome,
    RequestRejected,
    Serialization,
    Status,
    TrackerRequest,
    clip,
    normalise_result,
)
from connect_tracker.logs import log_event
from connect_tracker.orders import WorkOrder
from connect_tracker.store import FINISHED_BY_WORKER, StoreUnavailable, TrackerStore
from connect_tracker.tasks import (
    RetryableTaskError,
    TaskContext,
    TaskError,
    TaskFunction,
    TaskRegistry,
    UnknownTask,
)

SecondsLeft = Callable[[], float]

#: Seconds of the worker's invocation kept back to record the outcome: one whole store
#: call of the worker's client (handlers._runtime.WORKER_ATTEMPT_SECONDS) plus slack. The
#: module requires functions.worker.timeout >= request_deadline_seconds + 15 (lambda.tf).
RECORD_RESERVE_SECONDS = 12.0
#: An attempt is started only with at least this long for it.
MIN_ATTEMPT_SECONDS = 1.0
#: Backoff between attempts after a RetryableTaskError: base * 2**n, capped, jittered.
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
#: How long one invocation retries a failing outcome write before handing the outcome to a
#: fresh invocation, and how many such hand-overs a request gets before the worker fails
#: the invocation (Lambda then retries the event and sends it to the on-failure queue).
RECORD_RETRY_SECONDS = 5.0
MAX_HANDOVERS = 10
#: Time left assumed without a Lambda context: Lambda's longest function timeout.
#: https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
LONGEST_INVOCATION_SECONDS = 900.0


class InvocationTooShort(RuntimeError):
    """The invocation cannot do what the order asks in the time Lambda gave it, and no fresh
    invocation of the same function could either: its timeout is too short."""


class WorkResult(StrEnum):
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    DUPLICATE = "DUPLICATE"  # already terminal: nothing to do
    CLAIMED_ELSEWHERE = "CLAIMED_ELSEWHERE"  # another invocation holds a live claim
    CLAIM_LOST = "CLAIM_LOST"  # sealed (by the checker) while the task ran
    NOT_FOUND = "NOT_FOUND"
    MALFORMED = "MALFORMED"
    HANDED_OVER = "HANDED_OVER"  # a fresh invocation of the worker carries on


@dataclass(frozen=True)
class _HandOver:
    """The invocation has too little time left for the next attempt; a fresh one has more."""

    reason: str


class Worker:
    def __init__(
        self,
        store: TrackerStore,
        tasks: TaskRegistry,
        settings: Settings,
        send: Callable[[WorkOrder], None],
        *,
        secrets: Callable[[str], str] | None = None,
        clock: Clock = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._tasks = tasks
        self._settings = settings
        self._send = send
        self._secrets = secrets
        self._clock = clock
        self._sleep = sleep

    def work(self, event: object, invocation: TimeBudget) -> WorkResult:
        """Do what the order asks within the ``invocation``'s time; raises
        ``StoreUnavailable``/``DispatchFailed`` only when the request could be neither
        finished nor handed over (Lambda retries the event)."""
        try:
            order = WorkOrder.parse(event)
        except ValueError as error:
            log_event(logging.ERROR, "work.malformed", detail=str(error))
            return WorkResult.MALFORMED
        seconds_left = invocation.time_left or (lambda: LONGEST_INVOCATION_SECONDS)
        budget = TimeBudget(seconds_left, invocation.attempt_seconds, invocation.margin_seconds)
        self._check_time(order, seconds_left(), budget)
        if order.outcome is not None and order.claim_token is not None:
            request = with_retries(lambda: self._store.get(order.request_id), budget)
            if request is None or request.status.is_terminal:
                return self._not_claimed(order.request_id, request, self._clock(), budget)
            log_event(
                logging.INFO,
                "request.finish_resumed",
                contact_id=request.contact_id,
                request_id=request.request_id,
                handovers=order.handovers,
            )
            return self._record(request, order, order.claim_token, order.outcome, budget)
        return self._claim_and_run(order, seconds_left, budget)

    @staticmethod
    def _check_time(order: WorkOrder, seconds: float, budget: TimeBudget) -> None:
        """Refuse, once and saying why, an invocation too short for the order: a fresh one
        of the same function would be as short, so handing over could not help. Lambda
        retries the event and then keeps it in the on-failure queue (replayable)."""
        recording = budget.attempt_seconds + budget.margin_seconds
        needed = recording if order.outcome is not None else RECORD_RESERVE_SECONDS + 1.0
        if budget.time_left is None or seconds >= needed:
            return
        log_event(
            logging.ERROR,
            "invoke.too_little_time",
            request_id=order.request_id,
            seconds_left=round(seconds, 3),
            needed_seconds=needed,
            detail="the worker's invocation is too short to run a task attempt and record its "
            "outcome; raise functions.worker.timeout (at least request_deadline_seconds + 15)",
        )
        raise InvocationTooShort(
            f"the invocation had {seconds:.1f} s; the worker needs at least {needed:.1f} s"
        )

    def _claim_and_run(
        self, order: WorkOrder, seconds_left: SecondsLeft, budget: TimeBudget
    ) -> WorkResult:
        """Claim first, with no read before: the conditional claim itself tells a pending
        request from a finished, overdue or live-claimed one (``store.ConditionalWrite``)."""
        token = order.claim_token or str(uuid.uuid4())
        # The lease is the claimant's own invocation deadline: once it has passed, the
        # claimant is gone (Lambda ends an invocation at its timeout) and a later delivery
        # may take the request over; before it, nobody else runs the task.
        now = self._clock()
        lease_until = now + seconds_left()
        claim = with_retries(
            lambda: self._store.claim_lease(order.request_id, token, now, lease_until), budget
        )
        if not claim.won or claim.request is None:
            return self._not_claimed(order.request_id, claim.request, now, budget)
        claimed = claim.request
        outcome = self._run(claimed, seconds_left)
        if isinstance(outcome, _HandOver):
            return self._hand_over(claimed, order, token, None, outcome.reason)
        return self._record(claimed, order, token, outcome, budget)

    def _run(self, request: TrackerRequest, seconds_left: SecondsLeft) -> Outcome | _HandOver:
        """Run the request's task, retrying transient failures while the deadline allows."""
        try:
            function = self._tasks.get(request.task_name)
        except UnknownTask as error:
            return Outcome.failed(ErrorCode.UNKNOWN_TASK.value, str(error))
        first_left = seconds_left() - RECORD_RESERVE_SECONDS
        retries = 0
        last: RetryableTaskError | None = None
        while True:
            limit = self._attempt_limit(request, seconds_left, first_left, retries, last)
            if not isinstance(limit, float):
                return limit
            value = self._attempt(function, request, limit, retries + 1)
            if not isinstance(value, RetryableTaskError):
                return value
            retries, last = retries + 1, value
            pause = backoff(retries, BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS)
            log_event(
                logging.WARNING,
                "task.retry",
                contact_id=request.contact_id,
                request_id=request.request_id,
                task_name=request.task_name,
                error_code=value.code,
                attempt=retries,
                pause_seconds=round(pause, 3),
            )
            if self._clock() + pause + MIN_ATTEMPT_SECONDS > request.deadline_at:
                return _deadline_outcome(retries, last)
            if pause + MIN_ATTEMPT_SECONDS > seconds_left() - RECORD_RESERVE_SECONDS:
                return _HandOver("the backoff outlasts the invocation")
            self._sleep(pause)

    def _attempt_limit(
        self,
        request: TrackerRequest,
        seconds_left: SecondsLeft,
        first_left: float,
        retries: int,
        last: RetryableTaskError | None,
    ) -> float | Outcome | _HandOver:
        """How long the next attempt may run, or why none starts in this invocation."""
        deadline_left = request.deadline_at - self._clock()
        invocation_left = seconds_left() - RECORD_RESERVE_SECONDS
        if deadline_left < MIN_ATTEMPT_SECONDS:
            return _deadline_outcome(retries, last)
        if invocation_left < deadline_left and first_left - invocation_left > 1.0:
            # A fresh invocation would give the attempt more of the time it may take.
            return _HandOver("the invocation has less time left than the request")
        limit = float(min(deadline_left, invocation_left))
        if limit < MIN_ATTEMPT_SECONDS:
            return Outcome.timed_out(
                ErrorCode.WORKER_TIME_EXHAUSTED.value,
                "the worker's time limit leaves no time to run the task; raise "
                "functions.worker.timeout above the request deadline",
            )
        return limit

    def _attempt(
        self, function: TaskFunction, request: TrackerRequest, limit: float, attempt: int
    ) -> Outcome | RetryableTaskError:
        """One run of the task within ``limit`` seconds."""
        log_event(
            logging.INFO,
            "task.started",
            contact_id=request.contact_id,
            request_id=request.request_id,
            task_name=request.task_name,
            attempt=attempt,
        )
        now = self._clock()
        context = TaskContext(
            request_id=request.request_id,
            contact_id=request.contact_id,
            task_name=request.task_name,
            deadline_at=now + limit,
            settings=self._settings.task_environment or {},
            clock=self._clock,
            secrets=self._secrets,
        )
        started = time.monotonic()
        finished, value = _run_with_limit(
            lambda: function(request.parameters, context), limit, f"task-{request.request_id}"
        )
        if finished:
            if isinstance(value, RetryableTaskError):
                return value
            return _outcome_of(value, request, self._settings.serialization)
        duration_ms = round((time.monotonic() - started) * 1000)
        if now + limit < request.deadline_at - 0.001:
            return Outcome.timed_out(
                ErrorCode.WORKER_TIME_EXHAUSTED.value,
                f"the worker's own time limit ended the task after {duration_ms} ms; "
                "raise functions.worker.timeout above the request deadline",
            )
        return Outcome.timed_out(
            ErrorCode.DEADLINE_EXCEEDED.value,
            f"the task outlived the request's deadline ({duration_ms} ms)",
        )

    def _record(
        self,
        request: TrackerRequest,
        order: WorkOrder,
        token: str,
        outcome: Outcome,
        budget: TimeBudget,
    ) -> WorkResult:
        """Write the outcome under our claim, retrying for ``RECORD_RETRY_SECONDS`` while the
        invocation has time; then a fresh invocation is handed the outcome to retry with."""
        window_end = time.monotonic() + RECORD_RETRY_SECONDS
        seconds_left = budget.time_left or (lambda: float("inf"))
        margin = budget.attempt_seconds + budget.margin_seconds
        record_budget = TimeBudget(
            time_left=lambda: min(seconds_left(), window_end - time.monotonic() + margin + 1e-3),
            attempt_seconds=budget.attempt_seconds,
            margin_seconds=budget.margin_seconds,
        )
        if order.handovers >= MAX_HANDOVERS:
            record_budget = budget  # the last hand-over: retry for as long as there is time
        try:
            recorded = with_retries(
                lambda: self._store.finish(
                    request.request_id,
                    token,
                    outcome,
                    self._clock(),
                    finished_by=FINISHED_BY_WORKER,
                ),
                record_budget,
                first=False,
            )
        except StoreUnavailable as error:
            if order.handovers >= MAX_HANDOVERS:
                raise  # Lambda retries the event, then sends it to the on-failure queue
            # The table failing, or this invocation too short for one more call of it.
            out_of_time = isinstance(error, NoTimeLeft)
            log_event(
                logging.WARNING if out_of_time else logging.ERROR,
                "invoke.time_exhausted" if out_of_time else "store.unavailable",
                contact_id=request.contact_id,
                request_id=request.request_id,
                seconds_left=round(seconds_left(), 3),
                detail=str(error),
            )
            return self._hand_over(request, order, token, outcome, "the outcome was not recorded")
        if not recorded:
            current = self._current(request.request_id, budget)
            log_event(
                logging.WARNING,
                "request.claim_lost",
                contact_id=request.contact_id,
                request_id=request.request_id,
                # what the table holds, not what this worker meant to write
                status=current.status.value if current else None,
                error_code=current.error_code if current else None,
                finished_by=current.finished_by if current else None,
                discarded_status=outcome.status.value,
            )
            return WorkResult.CLAIM_LOST
        log_event(
            logging.INFO if outcome.status is Status.COMPLETE else logging.WARNING,
            "request.finished",
            contact_id=request.contact_id,
            request_id=request.request_id,
            task_name=request.task_name,
            status=outcome.status.value,
            error_code=outcome.error_code,
            finished_by=FINISHED_BY_WORKER,
            attempts=request.attempts,
        )
        return WorkResult(outcome.status.value)

    def _hand_over(
        self,
        request: TrackerRequest,
        order: WorkOrder,
        token: str,
        outcome: Outcome | None,
        reason: str,
    ) -> WorkResult:
        """Pass the claim (and an unrecorded outcome) to a fresh invocation of the worker.

        Without an outcome the claim is released first, best effort: if the release fails the
        new invocation still takes the claim over with the token it is given.
        """
        released: bool | None = None
        if outcome is None:
            try:
                released = self._store.release(request.request_id, token)
            except StoreUnavailable:
                released = False
        self._send(WorkOrder(request.request_id, token, outcome, order.handovers + 1))
        log_event(
            logging.WARNING,
            "request.handed_over",
            contact_id=request.contact_id,
            request_id=request.request_id,
            reason=reason,
            released=released,
            with_outcome=outcome is not None,
            handovers=order.handovers + 1,
        )
        return WorkResult.HANDED_OVER

    def _not_claimed(
        self,
        request_id: str,
        current: TrackerRequest | None,
        now: float,
        budget: TimeBudget,
    ) -> WorkResult:
        """Why the request was not claimed, from the item as the claim (or a read) found it."""
        if current is None:
            log_event(logging.WARNING, "request.not_found", request_id=request_id)
            return WorkResult.NOT_FOUND
        if current.status.is_terminal:
            self._log_duplicate(current)
            return WorkResult.DUPLICATE
        if current.is_overdue(now):
            return self._seal(current, now, budget)
        log_event(
            logging.INFO,
            "request.claimed_elsewhere",
            contact_id=current.contact_id,
            request_id=current.request_id,
            status=current.status.value,
            lease_until=current.lease_until,
        )
        return WorkResult.CLAIMED_ELSEWHERE

    def _seal(self, request: TrackerRequest, now: float, budget: TimeBudget) -> WorkResult:
        sealed = with_retries(
            lambda: self._store.seal_overdue(
                request.request_id, now, found=request.status, sealed_by=FINISHED_BY_WORKER
            ),
            budget,
            first=False,
        )
        if sealed is None:
            current = self._current(request.request_id, budget)
            if current is not None:
                self._log_duplicate(current)
            return WorkResult.DUPLICATE
        log_event(
            logging.WARNING,
            "request.sealed_timed_out",
            contact_id=request.contact_id,
            request_id=request.request_id,
            task_name=request.task_name,
            previous_status=request.status.value,
            error_code=sealed.error_code,
            finished_by=FINISHED_BY_WORKER,
        )
        return WorkResult.TIMED_OUT

    def _current(self, request_id: str, budget: TimeBudget) -> TrackerRequest | None:
        try:
            return with_retries(lambda: self._store.get(request_id), budget, first=False)
        except StoreUnavailable:
            return None

    @staticmethod
    def _log_duplicate(request: TrackerRequest) -> None:
        log_event(
            logging.INFO,
            "record.duplicate",
            contact_id=request.contact_id,
            request_id=request.request_id,
            status=request.status.value,
            error_code=request.error_code,
            finished_by=request.finished_by,
        )


def _deadline_outcome(retries: int, last: RetryableTaskError | None) -> Outcome:
    if last is None:
        return Outcome.timed_out(
            ErrorCode.DEADLINE_EXCEEDED.value, "the request's deadline passed before it ran"
        )
    return Outcome.timed_out(
        ErrorCode.DEADLINE_EXCEEDED.value,
        clip(
            f"retried {retries} time(s) with backoff; no time for another attempt before the "
            f"deadline; last error {last.code}: {last.message}"
        ),
    )


def _outcome_of(value: object, request: TrackerRequest, serialization: Serialization) -> Outcome:
    """What a task's return value or (non-retryable) exception means for its request.

    A result is refused here (FAILED, RESULT_TOO_LARGE) when the checker's whole answer
    would not fit as ``serialization`` writes it (docs/flow-contract.md).
    """
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

    A thread cannot be killed: a task that overruns is abandoned and its eventual answer
    dropped (the request's outcome is recorded by then). Tasks bound their backend calls
    with ``TaskContext.remaining_seconds()``.
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
