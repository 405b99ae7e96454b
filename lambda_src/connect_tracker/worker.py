"""The worker: one request per asynchronous invocation (docs/execution.md).

- it claims the request with a short lease that it renews while it works, so a claimant
  that died (its process exited) is noticed within the lease and Lambda's retry of the
  failed event takes the request over; nobody else runs it while the lease is renewed;
- a delivery that finds another's live claim waits for it to end (the request finished, or
  the lease lapsed and it takes over); one that cannot finish the request raises, so that
  Lambda retries the event and finally sends it to the on-failure queue;
- it starts an attempt only when the invocation has time for it, and retries a
  ``RetryableTaskError`` with bounded, jittered exponential backoff while the request's
  deadline allows;
- it records the outcome, retrying while the invocation has time; what it cannot record it
  hands over (outcome and claim token) to a fresh invocation of itself, which finishes it.
"""

from __future__ import annotations

import functools
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
#: Pauses between looks at another invocation's live claim: 0.5, 1, 2, 4, 5 ... s, jittered.
WAIT_BASE_SECONDS = 0.5
WAIT_CAP_SECONDS = 5.0


@dataclass(frozen=True)
class Lease:
    """How long a claim stays another delivery's to respect without word from its claimant.

    The claimant renews it every ``renew_seconds`` while it runs the task and records the
    outcome. A claimant that died stops renewing, so its lease lapses at most ``seconds``
    after its last renewal: 30 s, shorter than the minute Lambda waits before it retries
    an asynchronous event whose invocation failed (docs/execution.md), so that retry finds
    the lease lapsed and takes the request over. A renewal may take one whole store call
    of the worker's client (10 s, handlers._runtime.WORKER_ATTEMPT_SECONDS) and is tried
    again at once when it fails: renewing every 10 s keeps a live claimant's lease live
    through one slow and one failed call.
    """

    seconds: float = 30.0
    renew_seconds: float = 10.0


class RequestNotRun(RuntimeError):
    """This invocation could not finish its request and no worker recorded an outcome for
    it: another invocation's claim outlived this one's time, or the request was sealed
    TIMED_OUT while a claimant that recorded nothing held it. Raised so that Lambda retries
    the event, then sends it to the on-failure queue, instead of counting it done."""


class InvocationTooShort(RuntimeError):
    """The invocation cannot do what the order asks in the time Lambda gave it, and no fresh
    invocation of the same function could either: its timeout is too short."""


class WorkResult(StrEnum):
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    DUPLICATE = "DUPLICATE"  # already finished by a worker: nothing to do
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
        lease: Lease = Lease(),
        secrets: Callable[[str], str] | None = None,
        clock: Clock = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._tasks = tasks
        self._settings = settings
        self._send = send
        self._lease = lease
        self._secrets = secrets
        self._clock = clock
        self._sleep = sleep

    def work(self, event: object, invocation: TimeBudget) -> WorkResult:
        """Do what the order asks within the ``invocation``'s time.

        Raises ``RequestNotRun`` when the request was another invocation's to finish and
        it did not (see there), and ``StoreUnavailable``/``DispatchFailed`` when the
        request could be neither finished nor handed over: Lambda retries the event.
        """
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
                return self._not_claimed(order, request, self._clock(), budget)
            log_event(
                logging.INFO,
                "request.finish_resumed",
                contact_id=request.contact_id,
                request_id=request.request_id,
                handovers=order.handovers,
            )
            with self._renewing(request, order.claim_token):
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
        request from a finished, overdue or live-claimed one (``store.ConditionalWrite``).

        Another invocation's live claim is waited on, trying the claim again after growing
        pauses: the request finishes (``DUPLICATE``), or the claimant died and its lease
        lapses (the claim is taken over), or this invocation runs out of time waiting
        (``RequestNotRun``).
        """
        token = order.claim_token or str(uuid.uuid4())
        # what the invocation had for the task when it arrived: after a long wait for
        # another's claim, a fresh invocation has more (_attempt_limit hands over)
        arrived_left = seconds_left() - RECORD_RESERVE_SECONDS
        looks = 0
        while True:
            now = self._clock()
            claim_now = functools.partial(
                self._store.claim_lease, order.request_id, token, now, now + self._lease.seconds
            )
            claim = with_retries(claim_now, budget, first=looks == 0)
            found = claim.request
            if claim.won and found is not None:
                if looks:
                    log_event(
                        logging.WARNING,
                        "request.taken_over",
                        contact_id=found.contact_id,
                        request_id=found.request_id,
                        attempts=found.attempts,
                    )
                with self._renewing(found, token):
                    outcome = self._run(found, seconds_left, arrived_left)
                    if isinstance(outcome, _HandOver):
                        return self._hand_over(found, order, token, None, outcome.reason)
                    return self._record(found, order, token, outcome, budget)
            if found is None or found.status.is_terminal or found.is_overdue(now):
                return self._not_claimed(order, found, now, budget)
            looks += 1
            pause = backoff(looks, WAIT_BASE_SECONDS, WAIT_CAP_SECONDS)
            if seconds_left() - pause < RECORD_RESERVE_SECONDS + MIN_ATTEMPT_SECONDS:
                log_event(
                    logging.WARNING,
                    "request.claimed_elsewhere",
                    contact_id=found.contact_id,
                    request_id=found.request_id,
                    status=found.status.value,
                    lease_until=found.lease_until,
                    looks=looks,
                )
                raise RequestNotRun(
                    f"request {found.request_id} is still claimed by another invocation "
                    f"(lease until {found.lease_until}) and this one has no time left to wait"
                )
            if looks == 1:
                log_event(
                    logging.INFO,
                    "request.claim_awaited",
                    contact_id=found.contact_id,
                    request_id=found.request_id,
                    lease_until=found.lease_until,
                )
            self._sleep(pause)

    def _renewing(self, request: TrackerRequest, token: str) -> _Renewal:
        return _Renewal(self._store, request, token, self._lease, self._clock)

    def _run(
        self, request: TrackerRequest, seconds_left: SecondsLeft, first_left: float
    ) -> Outcome | _HandOver:
        """Run the request's task, retrying transient failures while the deadline allows;
        ``first_left``: the time the invocation had for the task when it arrived."""
        try:
            function = self._tasks.get(request.task_name)
        except UnknownTask as error:
            return Outcome.failed(ErrorCode.UNKNOWN_TASK.value, str(error))
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
        if not recorded.won:
            current = recorded.request  # as the refused write found it: no second read
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
        try:
            if outcome is None:
                released = self._store.release(request.request_id, token)
            else:
                # Nobody needs to take over a request whose outcome exists: the claim is
                # kept until the deadline, however long the hand-over waits in Lambda's
                # queue; past the deadline the request is sealed anyway.
                self._store.extend_lease(request.request_id, token, request.deadline_at)
        except StoreUnavailable:
            released = False if outcome is None else None
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
        order: WorkOrder,
        current: TrackerRequest | None,
        now: float,
        budget: TimeBudget,
    ) -> WorkResult:
        """Why the request was not claimed, from the item as the claim (or a read) found it:
        none, finished, or overdue (then sealed here)."""
        if current is None:
            log_event(logging.WARNING, "request.not_found", request_id=order.request_id)
            return WorkResult.NOT_FOUND
        if current.is_overdue(now):
            return self._seal(order, current, now, budget)
        return self._finished_elsewhere(order, current)

    def _finished_elsewhere(self, order: WorkOrder, request: TrackerRequest) -> WorkResult:
        """A finished request: nothing to do, unless a claimant other than this order's was
        cut off by the seal without recording an outcome (``RequestNotRun``)."""
        if request.claim_cut_off and request.claim_token != order.claim_token:
            log_event(
                logging.ERROR,
                "request.abandoned",
                contact_id=request.contact_id,
                request_id=request.request_id,
                task_name=request.task_name,
                status=request.status.value,
                error_code=request.error_code,
                finished_by=request.finished_by,
                attempts=request.attempts,
            )
            raise RequestNotRun(
                f"request {request.request_id} was sealed {request.status.value} while "
                "another invocation held its claim and recorded no outcome (it died, or "
                "still ran at the deadline)"
            )
        self._log_duplicate(request)
        return WorkResult.DUPLICATE

    def _seal(
        self, order: WorkOrder, request: TrackerRequest, now: float, budget: TimeBudget
    ) -> WorkResult:
        seal = with_retries(
            lambda: self._store.seal_overdue(
                request.request_id, now, found=request.status, sealed_by=FINISHED_BY_WORKER
            ),
            budget,
            first=False,
        )
        sealed = seal.request
        if sealed is None:
            log_event(logging.WARNING, "request.not_found", request_id=request.request_id)
            return WorkResult.NOT_FOUND
        if not seal.won:  # finished or sealed by another first: the item says which
            return self._finished_elsewhere(order, sealed)
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
        if sealed.claim_cut_off:
            return self._finished_elsewhere(order, sealed)
        return WorkResult.TIMED_OUT

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


class _Renewal:
    """Renews a claim's lease every ``lease.renew_seconds`` on its own thread, from entry
    until exit (the claimant's task and outcome write).

    A refused renewal is not an error: the claim was sealed or released (the outcome write
    or the hand-over says so), or its lease already ends later (kept to the deadline for a
    hand-over, or moved by an attempt whose answer was lost). A failed one is tried again
    after a second, so one failed call does not cost the lease.
    """

    def __init__(
        self, store: TrackerStore, request: TrackerRequest, token: str, lease: Lease, clock: Clock
    ) -> None:
        self._store = store
        self._request = request
        self._token = token
        self._lease = lease
        self._clock = clock
        self._stop = threading.Event()

    def __enter__(self) -> _Renewal:
        name = f"lease-{self._request.request_id}"
        threading.Thread(target=self._renew, name=name, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()

    def _renew(self) -> None:
        pause = self._lease.renew_seconds
        while not self._stop.wait(pause):
            pause = self._lease.renew_seconds
            try:
                self._store.extend_lease(
                    self._request.request_id, self._token, self._clock() + self._lease.seconds
                )
            except StoreUnavailable as error:
                log_event(
                    logging.WARNING,
                    "lease.renewal_failed",
                    contact_id=self._request.contact_id,
                    request_id=self._request.request_id,
                    detail=str(error),
                )
                pause = min(1.0, pause)


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
