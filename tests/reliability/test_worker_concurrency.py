"""A worker held to its limit under a burst (issue 19 item 5), on the fault stack.

The worker's reserved concurrency protects the backend and the account's pool the writer
and checker draw from. Here it is held to ``LIMIT`` while ``BURST`` requests of
``WORK_SECONDS`` of backend work arrive at once, more than the limit can finish before
their 20-second deadline. What the design promises, and this test holds it to:

- the backend never sees more than ``LIMIT`` tasks at once (the task.started /
  request.finished lines of the worker's log);
- requests over the limit wait (Lambda retries a throttled asynchronous event: the
  sandbox's LocalStack every second, Lambda with an interval growing to 5 minutes) and
  either finish within their deadline, with the right result, or end ``TIMED_OUT`` with a
  code that says why (``NOT_STARTED``: still waiting for a worker at the deadline;
  ``DEADLINE_EXCEEDED``: started too late to finish);
- every request ends by its deadline (plus the polls' pace), and no work runs twice.

The measured figures (completed, timed out by code, queue waits, the most tasks at once)
are printed; speed is never asserted.
"""

from __future__ import annotations

import statistics
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from reliability_tasks import expected_result

from tests.reliability.conftest import POLL_SECONDS, ContactRun, FaultStack, say, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault]

LIMIT = 2
BURST = 10
WORK_SECONDS = 4


def _seconds(line: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(line["timestamp"]).replace("Z", "+00:00")).timestamp()


def _task_intervals(stack: FaultStack, ids: set[str]) -> dict[str, tuple[float, float]]:
    """request id -> (its task started, its outcome recorded), from the worker's log."""
    started: dict[str, float] = {}
    finished: dict[str, float] = {}
    for line in stack.json_logs("worker"):
        request_id = str(line.get("request_id"))
        if request_id not in ids:
            continue
        if line.get("message") == "task.started":
            started.setdefault(request_id, _seconds(line))
        elif line.get("message") in {"request.finished", "request.claim_lost"}:
            finished[request_id] = _seconds(line)
    return {rid: (started[rid], finished.get(rid, started[rid])) for rid in started}


def _most_at_once(intervals: list[tuple[float, float]]) -> int:
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def test_a_burst_over_the_worker_limit_queues_and_ends_in_time_or_says_why(
    fault_stack: FaultStack,
) -> None:
    with fault_stack.configured(worker_reserved_concurrency=LIMIT):
        answer = fault_stack.client("lambda").get_function_concurrency(
            FunctionName=fault_stack.outputs["worker_function_name"]
        )
        assert answer["ReservedConcurrentExecutions"] == LIMIT
        runs = [
            fault_stack.start_contact(
                {
                    "TaskName": "reliability_work",
                    "Fault": "work",
                    "WorkSeconds": str(WORK_SECONDS),
                    "Value": str(n),
                }
            )
            for n in range(BURST)
        ]
        assert all(run.written.get("Status") == "PENDING" for run in runs), [
            (run.written, run.errors) for run in runs
        ]
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            runs = list(pool.map(fault_stack.follow, runs))

    ids = {run.request_id for run in runs}
    intervals = wait_until(
        lambda: (
            (found := _task_intervals(fault_stack, ids))
            and len(found) >= sum(run.final.get("Status") == "COMPLETE" for run in runs)
            and found
        ),
        timeout=60,
        what="the worker's task.started lines",
    )
    outcomes: dict[str, int] = {}
    for run in runs:
        _check_outcome(run)
        key = run.final["Status"] + (
            f"/{run.final['ErrorCode']}" if "ErrorCode" in run.final else ""
        )
        outcomes[key] = outcomes.get(key, 0) + 1
    waits = sorted(
        intervals[run.request_id][0] - run.submitted_at
        for run in runs
        if run.request_id in intervals
    )
    most = _most_at_once(list(intervals.values()))
    say(
        f"worker limit {LIMIT}, burst {BURST} x {WORK_SECONDS} s: {outcomes}; "
        f"tasks at once at most {most}; wait before the task started: "
        f"median {statistics.median(waits):.1f} s, max {max(waits):.1f} s"
    )
    assert most <= LIMIT, f"{most} tasks ran at once under a limit of {LIMIT}"
    # The limit held work back: some request waited for a worker longer than a task takes.
    assert max(waits) >= WORK_SECONDS, waits
    assert all(fault_stack.runs_of(request_id) <= 1 for request_id in ids)


def _check_outcome(run: ContactRun) -> None:
    final = run.final
    assert run.terminal_at is not None, (run.request_id, run.errors, final)
    assert run.terminal_at <= run.deadline_at + 2 * POLL_SECONDS + 10, run.request_id
    if final["Status"] == "COMPLETE":
        result = {key: final[key] for key in ("Answer", "Digest")}
        assert result == expected_result(run.parameters["Value"])
        return
    assert final["Status"] == "TIMED_OUT", final
    assert final["ErrorCode"] in {"NOT_STARTED", "DEADLINE_EXCEEDED"}, final
    if final["ErrorCode"] == "NOT_STARTED":
        assert "concurrency limit" in final["ErrorMessage"], final
