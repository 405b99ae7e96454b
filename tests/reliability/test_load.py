"""Load on the deployed fault stack: 1,000 contacts, each placed through the module's real
flow with the simulator on the real clock (FaultStack.run_contact), each task 2 s of work,
on the module's production concurrency defaults: the worker at its default reserved
concurrency (10), the processor, writer and checker unreserved.

The rate comes from the sandbox itself, measured in the same run: contacts arrive at a
rising rate in short steps, and the sustained rate is the highest step at which no writer
call timed out or failed (a caller whose writer fails twice hears the apology; Connect would
have too), the writer's p99 stayed within WRITER_P99_LIMIT_SECONDS and its p50 within
WRITER_P50_GROWTH_LIMIT times the first step's, where it is not yet queuing. The ramp
stops at the first step past that: a step whose writers queue for seconds leaves the
emulator with a hundred more execution environments and a backlog it does not recover from
within the run (measured 2026-12-01: after a 6/s step at which every writer
call reached Connect's 8 s, the 1,000 contacts at 4/s that followed all failed; 2026-12-02,
with the worker unreserved: writer p99 0.42 s at 2/s, 2.98 s at 3/s, and at 4/s the sandbox
held 115 worker and 59 checker environments, its CPU 80 % system time, and every call
timed out). The 1,000 contacts then arrive at RATE_MARGIN of that rate, open loop (one every
1/rate seconds, whatever the earlier ones are doing), and the test asserts what each caller
lived through: every writer and checker call answered, every request COMPLETE with its own
correct result, every caller heard that result (the simulator's outcome RESULT), one
request per contact, and no request's work run twice (the side-effect table's counts and
the worker's task.started lines). The rate and the completion figures are reported, not
asserted (speed is the bench's to measure): docs/guarantees.md keeps them.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from bench.pipeline import pct
from reliability_tasks import expected_result

from tests.reliability.conftest import ContactRun, FaultStack, report, wait_until

pytestmark = pytest.mark.load

CONTACTS = int(os.environ.get("RELIABILITY_LOAD_CONTACTS", "1000"))
WORK_SECONDS = float(os.environ.get("RELIABILITY_LOAD_WORK_SECONDS", "2"))
#: Long enough that a request waiting for a busy sandbox is not mistaken for a fault.
LOAD_DEADLINE_SECONDS = 300
#: Arrival rates (contacts per second) the ramp tries, each for STEP_SECONDS.
RAMP = tuple(
    float(rate)
    for rate in os.environ.get("RELIABILITY_LOAD_RAMP", "1,1.5,2,2.5,3,3.5,4").split(",")
)
STEP_SECONDS = float(os.environ.get("RELIABILITY_LOAD_STEP_SECONDS", "15"))
#: A step is past what the sandbox sustains once its writer p99 exceeds this. Unloaded the
#: writer answers in 0.16 s at p99; past 1 s its calls queue for the emulator's CPU, and a
#: queue that grows for a step grows for the run (3/s: p50 0.64 s, p99 2.98 s, then a
#: collapse at 4/s, 2026-12-02).
WRITER_P99_LIMIT_SECONDS = 1.0
#: A step is also past it once its writer p50 exceeds this many times the first step's:
#: a queue that has begun to grow, before the tail shows it. In a fresh-clone CI of
#: 2026-12-02 the 3.5/s step passed the p99 limit (0.58 s) with its p50 at 4x the first
#: step's (0.24 s against 0.06 s), and 1,000 contacts at 2.8/s then collapsed the sandbox
#: (writer p50 8 s, 746 apologies); the run before had passed at about 2.4/s.
WRITER_P50_GROWTH_LIMIT = 3.0
#: The 1,000 contacts arrive at this share of the sustained rate: a step lasts seconds, the
#: run minutes, and the margin keeps one slow moment of the emulator from failing a writer.
#: 0.8 was not enough: the run at 0.8 x 3.5/s collapsed where 0.8 x 3/s had passed.
RATE_MARGIN = 0.7
#: How long one contact lives at most: writer, work, polls (the flow's own bound is the
#: deadline; this only sizes the thread pool that holds the contacts in flight).
CONTACT_SECONDS = 30


def distribution(values: Sequence[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {pct(values, 50):.2f}s, p90 {pct(values, 90):.2f}s, "
        f"p99 {pct(values, 99):.2f}s, max {max(values):.2f}s"
    )


def plan(index: int) -> dict[str, str]:
    return {
        "TaskName": "reliability_work",
        "Fault": "work",
        "WorkSeconds": f"{WORK_SECONDS:g}",
        "Value": str(index),
    }


def arrive(stack: FaultStack, plans: Sequence[dict[str, str]], rate: float) -> list[ContactRun]:
    """Place one contact per plan, the k-th at k / ``rate`` seconds (open loop), and wait
    for every one to end."""
    pause = threading.Event()
    workers = max(8, math.ceil(rate * CONTACT_SECONDS))
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: list[Future[ContactRun]] = []
        for index, parameters in enumerate(plans):
            pause.wait(max(0.0, began + index / rate - time.monotonic()))
            futures.append(pool.submit(stack.run_contact, parameters))
        return [future.result() for future in futures]


def writer_failed(run: ContactRun) -> bool:
    """A writer call that timed out or failed, on the first try or the flow's retry."""
    return bool(run.writer_retried) or any(error.startswith("writer:") for error in run.errors)


@dataclass(frozen=True)
class Step:
    rate: float
    runs: list[ContactRun]

    @property
    def writer_failures(self) -> int:
        return sum(writer_failed(run) for run in self.runs)

    @property
    def writer_seconds(self) -> list[float]:
        return [run.writer_seconds for run in self.runs if run.writer_seconds]

    def writer_percentile(self, q: float) -> float:
        return pct(self.writer_seconds, q) if self.writer_seconds else math.inf

    def sustained(self, first: Step) -> bool:
        """No writer failed, the p99 within the limit, the p50 not grown past its limit."""
        return (
            not self.writer_failures
            and self.writer_percentile(99) <= WRITER_P99_LIMIT_SECONDS
            and self.writer_percentile(50) <= WRITER_P50_GROWTH_LIMIT * first.writer_percentile(50)
        )

    def describe(self) -> str:
        return (
            f"{self.rate:g}/s: {len(self.runs)} contacts, {self.writer_failures} with a "
            f"writer timeout or failure; writer call {distribution(self.writer_seconds)}"
        )


def sustained_rate(stack: FaultStack, first_index: int) -> tuple[float, list[Step]]:
    """The highest ramp rate at which no writer call timed out or failed, the writer's p99
    stayed within WRITER_P99_LIMIT_SECONDS and its p50 within WRITER_P50_GROWTH_LIMIT
    times the first step's, and every step tried."""
    steps: list[Step] = []
    sustained = 0.0
    index = first_index
    for rate in RAMP:
        count = max(5, round(rate * STEP_SECONDS))
        step = Step(rate, arrive(stack, [plan(index + k) for k in range(count)], rate))
        index += count
        steps.append(step)
        report(f"load ramp {step.describe()}")
        if not step.sustained(steps[0]):
            break
        sustained = max(sustained, rate)
    return sustained, steps


@pytest.mark.timeout(3000)  # the ramp, then 1,000 contacts at the rate the sandbox sustains
def test_a_thousand_contacts_at_the_rate_the_sandbox_sustains(fault_stack: FaultStack):
    stack = fault_stack
    # Production defaults: null is the module's own (the worker 10, the processor unreserved).
    with stack.configured(
        request_deadline_seconds=LOAD_DEADLINE_SECONDS,
        processor_reserved_concurrency=None,
        worker_reserved_concurrency=None,
    ):
        _place_the_load(stack)


def _place_the_load(stack: FaultStack) -> None:
    """The ramp, then 1,000 contacts at the rate it measured, and what they lived through."""
    # The environments a step holds, started side by side as Lambda would: a cold start is
    # a second of the sandbox's CPU, which Lambda does not take from the running functions.
    for function in ("writer", "checker"):
        stack.warm(function, max(8, math.ceil(max(RAMP) * 3)))
    # As many worker environments as the deployed worker may hold (the module's default
    # reservation): more would be throttled.
    reserved = stack.client("lambda").get_function_concurrency(
        FunctionName=stack.outputs["worker_function_name"]
    )
    assert "ReservedConcurrentExecutions" in reserved, f"the worker has no reservation: {reserved}"
    stack.warm("worker", reserved["ReservedConcurrentExecutions"])

    sustained, steps = sustained_rate(stack, CONTACTS)
    assert sustained > 0, f"the sandbox sustained no arrival rate: {steps[0].describe()}"
    rate = sustained * RATE_MARGIN
    report(
        f"load: sustained {sustained:g}/s (no writer failure, writer p99 <= "
        f"{WRITER_P99_LIMIT_SECONDS:g}s, p50 <= {WRITER_P50_GROWTH_LIMIT:g}x the first "
        f"step's); the run arrives at {rate:g}/s"
    )
    began = time.monotonic()
    runs = arrive(stack, [plan(index) for index in range(CONTACTS)], rate)
    elapsed = time.monotonic() - began

    errors = [(run.contact_id, error) for run in runs for error in run.errors]
    ids = [run.request_id for run in runs]
    effects = stack.effects()
    runs_per_request = [effects.get(request_id, 0) for request_id in ids]
    seen = [(run.terminal_at or 0) - run.submitted_at for run in runs if run.terminal_at]
    processed = []
    for run in runs:
        item = (stack.item(run.request_id) if run.request_id else None) or {}
        if "CompletedAt" in item:
            processed.append(float(item["CompletedAt"]["N"]) - float(item["CreatedAt"]["N"]))
    writer = [run.writer_seconds for run in runs if run.writer_seconds]
    latency = [end - asked for run in runs for asked, end, _ in run.polls]
    report(
        f"load: {CONTACTS} contacts at {rate:g}/s (sustained {sustained:g}/s) in {elapsed:.0f}s; "
        f"final answers {dict(Counter(run.final.get('Status', '-') for run in runs))}; callers "
        f"{dict(Counter(str(run.outcome) for run in runs))}; distinct requests {len(set(ids))}; "
        f"task runs per request {dict(Counter(runs_per_request))}; writer calls retried by "
        f"the flow {sum(bool(run.writer_retried) for run in runs)}; failed calls {len(errors)}"
    )
    report(f"load: writer call: {distribution(writer)}")
    report(
        f"load: completion seen by the flow (contact start -> terminal poll): {distribution(seen)}"
    )
    report(f"load: completion in the table (CreatedAt -> CompletedAt): {distribution(processed)}")
    report(f"load: checker poll: {distribution(latency)}")

    assert not errors, errors[:5]  # the writer and the checker answered every call
    assert not [run.contact_id for run in runs if run.writer_retried], "a writer call failed"
    assert len(ids) == CONTACTS
    assert len(set(ids)) == CONTACTS  # one request per contact, none merged
    wrong = [
        (run.parameters["Value"], run.final)
        for run in runs
        if run.final.get("Status") != "COMPLETE"
        or {k: run.final.get(k) for k in ("Answer", "Digest")}
        != expected_result(run.parameters["Value"])
    ]
    assert not wrong, wrong[:5]  # all terminal, all correct: none lost
    unheard = [(run.contact_id, run.outcome) for run in runs if run.outcome != "RESULT"]
    assert not unheard, unheard[:5]  # every caller heard the result
    assert runs_per_request == [1] * CONTACTS  # each request's work ran exactly once

    def all_started() -> dict[str, int] | None:
        found = stack.task_starts()
        return found if set(ids) <= set(found) else None

    starts = wait_until(all_started, timeout=120, what="task.started of all 1,000 requests")
    duplicates = {request_id: starts[request_id] for request_id in ids if starts[request_id] != 1}
    assert not duplicates
