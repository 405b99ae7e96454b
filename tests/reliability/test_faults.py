"""Faults on the deployed fault stack: failing and overrunning tasks under a burst through a
throttled dispatcher, duplicate stream deliveries, a worker environment killed mid-invoke,
retryable backend errors, a failed outcome write, and stream batches whose dispatch
exhausts its retries (on-failure queue, then replay), and a worker whose process exits
mid-task (Lambda's retry takes the request over, or the event reaches the on-failure queue).

What every test holds the system to:
- every request reaches COMPLETE / FAILED / TIMED_OUT no later than its deadline plus one
  poll interval (plus the stated invoke slack), and nothing stays PENDING / RUNNING;
- no request's work runs twice: the side-effect table's ``Runs`` (a real count written by
  the task) and the worker's ``task.started`` lines are at most 1 per request (a retried
  attempt after a RetryableTaskError is counted as such, under the same claim);
- the checker answers every poll (no function error, no throttle), even when the table
  does not answer (``Status=UNKNOWN``, ``ErrorCode=STORE_UNAVAILABLE``: the flow polls again).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from reliability_tasks import expected_result

from connect_tracker.replay import replay_failure
from tests.integration.conftest import TERMINAL, connect_event
from tests.reliability.conftest import (
    DEADLINE_SECONDS,
    ContactRun,
    FaultStack,
    kill_environment,
    runtime_pids,
    say,
    wait_until,
)

pytestmark = pytest.mark.fault

#: The replay test needs the request to outlive three failed deliveries and the replay.
REPLAY_DEADLINE_SECONDS = 180
#: Contacts in the mixed burst, all waiting at once. What the burst proves (no good request
#: waits behind an overrun or a failure, through a dispatcher of concurrency 1) holds for any
#: size; the sandbox's capacity bounds it. LocalStack serves every call on one interpreter:
#: 22 ms of its CPU per Lambda invoke and 8 ms per table read (2026-12-02, docs/sandbox.md),
#: and a waiting contact costs a checker invoke every 3.5 s and 2 reads a second, so 40
#: contacts asked for 0.9 of the one core LocalStack can use. The burst then ran at the
#: emulator's limit: checker polls took 5.4-7.9 s for a 3 s wait, and in CI (2026-12-02) a
#: chat contact's two polls over Connect's 8 s ran into the 20 s chain rule, or the whole
#: burst collapsed. 20 ask for about half of that core.
MIXED_BATCH = 20
#: The mixed burst's deadline. What it proves (no good request waits behind an overrun or a
#: failure) does not depend on it, but the emulator's pace does: with 40 contacts polling
#: at once, the sandbox's stream delivered the burst's last 22 records 13-16 s after they
#: were written (the first 18 after 4 s) and each table write took seconds, so at 20 s most
#: of the second batch was sealed before its (instant) task could be recorded (2026-12-01,
#: docs/guarantees.md, Last run). On Lambda and DynamoDB both take well under a second.
MIXED_DEADLINE_SECONDS = 45


def fault_of(index: int) -> str:
    """Deterministic plan: 1 in 20 (5%) overrun, 1 in 10 (10%) raise, the rest are good."""
    if index % 20 == 7:
        return "overrun"
    if index % 10 == 3:
        return "raise"
    return "none"


def check_terminal_in_time(stack: FaultStack, run: ContactRun) -> dict[str, Any]:
    """The shared guarantees of one contact; returns the stored item.

    "Terminal no later than the deadline plus one poll interval", in the flow's terms: the
    first poll the flow makes at or after the deadline (at most one holding prompt after
    it) answers a terminal status, and the stored outcome was written no later than that
    poll's answer. Emulator latency of the poll itself is measured, not asserted.
    """
    assert not run.errors, (run.request_id, run.errors)
    assert run.terminal_at is not None, f"{run.request_id} never terminal: {run.polls[-3:]}"
    # UNKNOWN is the answer of a poll that did not reach the table; it tells nothing, so the
    # guarantee is about the polls that did.
    late = [
        answer["Status"]
        for asked, _, answer in run.polls
        if asked >= run.deadline_at and answer["Status"] != "UNKNOWN"
    ]
    late_open = [status for status in late if status not in TERMINAL]
    assert not late_open, (run.request_id, late_open)  # no poll after the deadline sees it open
    assert len(late) <= 1, (run.request_id, "polled more than once after the deadline")
    item = stack.item(run.request_id)
    assert item is not None
    assert item["Status"]["S"] in TERMINAL
    assert float(item["CompletedAt"]["N"]) <= run.terminal_at, (run.request_id, item)
    return item


def lateness(run: ContactRun) -> float:
    """Seconds from the deadline to the answer that showed the request terminal (<0: early)."""
    return (run.terminal_at or 0) - run.deadline_at


def invoke_processor(stack: FaultStack, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Invoke the processor directly, waiting out throttles (reserved concurrency 1)."""

    def attempt() -> dict[str, Any] | None:
        payload, error = stack.call("processor", {"Records": records})
        if payload is None:
            if "TooManyRequests" in error or "Rate Exceeded" in error:
                return None
            raise AssertionError(error)
        return payload

    return wait_until(attempt, timeout=120, interval=0.5, what="a processor invoke")  # type: ignore[no-any-return]


def test_duplicate_and_repeated_stream_deliveries_never_run_work_twice(fault_stack: FaultStack):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    done = [
        stack.run_contact({"TaskName": "reliability_work", "Fault": "none", "Value": str(100 + i)})
        for i in range(3)
    ]
    for run in done:
        check_terminal_in_time(stack, run)
        assert run.final["Status"] == "COMPLETE"
    ids = {run.request_id for run in done}

    def three_records() -> list[dict[str, Any]] | None:
        found = stack.stream_records(ids)
        return found if len(found) == 3 else None

    records = wait_until(
        three_records,
        timeout=30,
        what="the three INSERT records on the stream",
    )
    # the same real record twice in one batch, and records already processed delivered again
    answer = invoke_processor(stack, [records[0], records[0], records[1], records[2], records[1]])
    assert answer == {"batchItemFailures": []}
    for run in done:
        assert stack.runs_of(run.request_id) == 1
        final = stack.check(run.request_id)
        assert final["Status"] == "COMPLETE"
        assert {k: final[k] for k in ("Answer", "Digest")} == expected_result(
            run.parameters["Value"]
        )

    # a fresh request delivered twice at once, racing the event source mapping's delivery
    contact = "dup-" + done[0].contact_id
    written = stack.submit(contact, "reliability_work", Fault="none", Value="7")
    fresh = wait_until(
        lambda: stack.stream_records({written["RequestId"]}) or None,
        timeout=30,
        interval=0.05,
        what="the fresh INSERT record",
    )
    assert invoke_processor(stack, [fresh[0], fresh[0]]) == {"batchItemFailures": []}
    final = stack.wait_terminal(written["RequestId"])
    assert final["Status"] == "COMPLETE"
    assert {k: final[k] for k in ("Answer", "Digest")} == expected_result("7")
    assert stack.runs_of(written["RequestId"]) == 1
    # in-batch repeats are skipped by the dispatcher, redeliveries by the worker
    duplicates = wait_until(
        lambda: (
            [
                line
                for line in stack.json_logs("processor") + stack.json_logs("worker")
                if line.get("message") == "record.duplicate"
                and line.get("request_id") in ids | {written["RequestId"]}
            ]
            or None
        ),
        timeout=60,
        what="record.duplicate lines",
    )
    # every request's task.started line has reached the worker's log group (delivered
    # asynchronously), then each is there exactly once
    wanted = ids | {written["RequestId"]}

    def all_started() -> dict[str, int] | None:
        found = stack.task_starts()
        return found if wanted <= set(found) else None

    starts = wait_until(all_started, timeout=60, what="task.started lines for every request")
    assert all(starts.get(i) == 1 for i in wanted), starts
    say(f"duplicate deliveries: {len(duplicates)} skipped as duplicates, every request ran once")


@pytest.mark.usefixtures("bundled_sandbox")  # kills a runtime subprocess on this host
def test_an_environment_killed_mid_invoke_leaves_no_request_open(fault_stack: FaultStack):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    worker = stack.outputs["worker_function_name"]
    run = stack.start_contact({"TaskName": "reliability_work", "Fault": "hold", "Value": "1"})
    assert not run.errors, run.errors
    request_id = run.request_id
    # the task has counted its run: its environment is mid-invoke
    wait_until(lambda: stack.runs_of(request_id) == 1, timeout=60, what="the held task running")
    assert (stack.item(request_id) or {})["Status"]["S"] == "RUNNING"
    pids = runtime_pids(worker)
    assert pids, "no runtime subprocess of the worker found"
    for pid in pids:
        kill_environment(pid)
    say(f"killed the worker's environment(s) {pids} while {request_id} ran")
    stack.follow(run)
    item = check_terminal_in_time(stack, run)
    assert run.request_id == request_id
    assert run.final["Status"] == "TIMED_OUT"
    assert run.final["ErrorCode"] == "DEADLINE_EXCEEDED"
    assert item["Status"]["S"] == "TIMED_OUT"
    assert stack.runs_of(request_id) == 1  # a redelivered event did not run it again
    # the worker recovers: a new environment serves the next request
    after = stack.run_contact({"TaskName": "reliability_work", "Fault": "none", "Value": "5"})
    check_terminal_in_time(stack, after)
    assert after.final["Status"] == "COMPLETE"
    assert not set(runtime_pids(worker)) & set(pids)


def worker_lines(stack: FaultStack, request_id: str, message: str) -> list[dict[str, Any]]:
    """The worker's JSON log lines ``message`` about ``request_id``."""
    return [
        line
        for line in stack.json_logs("worker")
        if line.get("message") == message and line.get("request_id") == request_id
    ]


def test_retryable_errors_are_retried_with_backoff_until_success_or_the_deadline(
    fault_stack: FaultStack,
):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    plans = [
        {"TaskName": "reliability_work", "Fault": "flaky", "FailRuns": "3", "Value": "12"},
        {"TaskName": "reliability_work", "Fault": "flaky", "FailRuns": "1000", "Value": "13"},
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        recovering, failing = pool.map(stack.run_contact, plans)
    # down for 3 runs: the fourth attempt, after three growing pauses, completes
    check_terminal_in_time(stack, recovering)
    assert recovering.final["Status"] == "COMPLETE", recovering.final
    assert {k: recovering.final[k] for k in ("Answer", "Digest")} == expected_result("12")
    assert stack.runs_of(recovering.request_id) == 4
    item = stack.item(recovering.request_id) or {}
    assert item["Attempts"]["N"] == "1"  # one claim; the attempts ran under it
    retries = wait_until(
        lambda: worker_lines(stack, recovering.request_id, "task.retry") or None,
        timeout=60,
        what="task.retry lines",
    )
    pauses = [float(line["pause_seconds"]) for line in retries]
    assert len(pauses) == 3
    assert all(0.25 * 2**n <= pause <= 0.5 * 2**n for n, pause in enumerate(pauses)), pauses
    # down for good: retried with backoff, never in a tight loop, until the deadline
    item = check_terminal_in_time(stack, failing)
    assert failing.final["Status"] == "TIMED_OUT", failing.final
    assert failing.final["ErrorCode"] == "DEADLINE_EXCEEDED"
    assert "BACKEND_UNAVAILABLE" in failing.final["ErrorMessage"]
    assert item["FinishedBy"]["S"] == "worker"  # recorded by the worker before the deadline
    runs = stack.runs_of(failing.request_id)
    # the pauses' floors (0.25, 0.5, 1, 2, 4, 4, ...) leave room for at most 9 attempts in 20 s
    assert 3 <= runs <= 9, runs
    say(
        f"retryable errors: recovered after pauses {[round(p, 2) for p in pauses]}s; "
        f"a backend down for good was tried {runs} times in {DEADLINE_SECONDS}s"
    )


def test_a_failed_outcome_write_is_handed_over_and_recorded(fault_stack: FaultStack):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    run = stack.run_contact(
        {"TaskName": "reliability_work", "Fault": "fail_finish", "OutageSeconds": "7", "Value": "3"}
    )
    item = check_terminal_in_time(stack, run)
    assert run.final["Status"] == "COMPLETE", run.final
    assert {k: run.final[k] for k in ("Answer", "Digest")} == expected_result("3")
    assert item["FinishedBy"]["S"] == "worker"
    assert stack.runs_of(run.request_id) == 1  # recorded from the hand-over, not run again

    def handed_over() -> list[dict[str, Any]] | None:
        lines = [
            line
            for line in stack.json_logs("worker")
            if line.get("request_id") == run.request_id
            and line.get("message") in {"request.handed_over", "request.finish_resumed"}
        ]
        return lines if {line["message"] for line in lines} >= {"request.finish_resumed"} else None

    lines = wait_until(handed_over, timeout=60, what="the hand-over's log lines")
    assert any(line.get("with_outcome") is True for line in lines), lines
    say(f"failed outcome write: {len(lines)} hand-over line(s), request COMPLETE, ran once")


@pytest.mark.usefixtures("bundled_sandbox")  # the unanswering port is on this host
def test_a_table_that_does_not_answer_gets_unknown_and_the_next_poll_recovers(
    fault_stack: FaultStack,
):
    stack = fault_stack
    stack.set_deadline(DEADLINE_SECONDS)
    run = stack.start_contact({"TaskName": "reliability_work", "Fault": "none", "Value": "41"})
    assert not run.errors, run.errors
    poll = connect_event(run.contact_id, {"RequestId": run.request_id})
    with stack.table_unanswering_for("checker"):
        answers = [stack.call("checker", poll) for _ in range(3)]
    assert [error for _, error in answers] == ["", "", ""]  # answered, within the timeout
    assert [answer["Status"] for answer, _ in answers] == ["UNKNOWN"] * 3  # type: ignore[index]
    assert {answer["ErrorCode"] for answer, _ in answers} == {"STORE_UNAVAILABLE"}  # type: ignore[index]

    def logged() -> int | None:
        count = sum(
            line.get("message") == "check.store_unavailable"
            and line.get("request_id") == run.request_id
            for line in stack.json_logs("checker")
        )
        return count if count >= 3 else None

    wait_until(logged, timeout=60, what="the checker's check.store_unavailable lines")
    stack.follow(run)  # the table answers again: the flow's next polls see the request through
    check_terminal_in_time(stack, run)
    assert run.final["Status"] == "COMPLETE"
    assert {k: run.final[k] for k in ("Answer", "Digest")} == expected_result("41")


def test_mixed_burst_with_raising_and_overrunning_tasks(fault_stack: FaultStack):
    """MIXED_BATCH contacts at once through the module's real flow (the simulator, real
    clock)."""
    stack = fault_stack
    stack.configure(
        request_deadline_seconds=MIXED_DEADLINE_SECONDS, processor_reserved_concurrency=1
    )
    concurrency = stack.client("lambda").get_function_concurrency(
        FunctionName=stack.outputs["processor_function_name"]
    )
    assert concurrency.get("ReservedConcurrentExecutions") == 1  # the dispatcher is throttled
    # Through the flow, the writer and every poll have Connect's 8 s limit. Forty cold
    # writers at once on the shared 2-core sandbox take longer than that (measured: first
    # writer calls over 8 s, and retry-writer failing on a DynamoDB read timeout while the
    # emulator starts forty environments), where Lambda starts them side by side. Their
    # environments are started first, as the workers' are (FaultStack.warm).
    for function in ("writer", "checker", "worker"):
        stack.warm(function, MIXED_BATCH)
    stack.warm("processor", 1)  # its one environment: a cold start held the first batch 2 s

    plans = [
        {"TaskName": "reliability_work", "Fault": fault_of(i), "Value": str(i)}
        for i in range(MIXED_BATCH)
    ]
    with ThreadPoolExecutor(max_workers=MIXED_BATCH) as pool:  # one burst, all at once
        runs = list(pool.map(stack.run_contact, plans))

    ids = {run.request_id for run in runs}
    effects = stack.effects()
    ran = {request_id for request_id in ids if effects.get(request_id)}
    outcomes = Counter((run.parameters["Fault"], run.final.get("Status", "-")) for run in runs)
    completion = sorted((run.terminal_at or 0) - run.submitted_at for run in runs)
    latency = sorted(end - asked for run in runs for asked, end, _ in run.polls) or [0.0]
    say(
        f"mixed burst of {len(runs)}: outcomes {dict(sorted(outcomes.items()))}; "
        f"ran {len(ran)}, max runs per request {max(effects.get(i, 0) for i in ids)}; "
        f"polls {sum(len(r.polls) for r in runs)}, "
        f"call errors {sum(len(r.errors) for r in runs)}, "
        f"polls over Connect's limit (the flow polled again) "
        f"{sum(len(r.slow_polls) for r in runs)}, "
        f"writer calls retried by the flow {sum(bool(r.writer_retried) for r in runs)}; "
        f"callers' outcomes {dict(Counter(str(r.outcome) for r in runs))}; "
        f"seen terminal after {completion[0]:.1f}-{completion[-1]:.1f}s; "
        f"latest terminal answer {max(lateness(r) for r in runs):+.1f}s from the deadline; "
        f"checker poll latency median {latency[len(latency) // 2]:.2f}s, max {latency[-1]:.2f}s"
    )
    for run in runs:
        item = check_terminal_in_time(stack, run)
        fault, status = run.parameters["Fault"], run.final["Status"]
        # What the caller reached through the real flow: the result, or the apology.
        assert run.outcome == ("RESULT" if status == "COMPLETE" else "APOLOGY"), run.outcome
        if fault == "none":  # no good request waits behind an overrun: every one completes
            assert status == "COMPLETE", run.final
            result = {k: run.final[k] for k in ("Answer", "Digest")}
            assert result == expected_result(run.parameters["Value"])
            assert item["FinishedBy"]["S"] == "worker"
        elif fault == "raise":
            assert status == "FAILED", run.final
            assert run.final["ErrorCode"] == "TASK_ERROR"
        else:
            assert status == "TIMED_OUT", run.final
            assert run.final["ErrorCode"] == "DEADLINE_EXCEEDED"
            assert "TooLate" not in run.final
        assert int(item["Attempts"]["N"]) <= 1
    assert all(effects.get(request_id, 0) == 1 for request_id in ids), effects

    # every run the side-effect table saw is in the worker's logs, once
    def all_started() -> dict[str, int] | None:
        found = stack.task_starts()
        return found if ran <= set(found) else None

    starts = wait_until(all_started, timeout=60, what="task.started lines for every run")
    assert {request_id: starts[request_id] for request_id in ran} == dict.fromkeys(ran, 1)
    planned = Counter(run.parameters["Fault"] for run in runs)
    assert planned["overrun"] >= 1  # the plan has each fault
    assert planned["raise"] >= 1
    assert outcomes[("none", "COMPLETE")] == planned["none"]
    assert outcomes[("raise", "FAILED")] == planned["raise"]
    assert outcomes[("overrun", "TIMED_OUT")] == planned["overrun"]


@pytest.mark.usefixtures("bundled_sandbox")  # the unanswering port is on this host
def test_exhausted_dispatches_reach_the_on_failure_queue_and_replay_completes(
    fault_stack: FaultStack,
):
    stack = fault_stack
    stack.set_deadline(REPLAY_DEADLINE_SECONDS)
    sqs = stack.client("sqs")
    queue = stack.outputs["on_failure_queue_url"]
    # the dispatcher cannot reach Lambda: its batch fails, is retried twice, then recorded
    with stack.endpoint_unanswering_for("processor", "LAMBDA"):
        written = stack.submit("replay-contact", "reliability_work", Fault="none", Value="12")
        request_id = written["RequestId"]
        record = wait_until(
            lambda: stack.stream_records({request_id}) or None, timeout=30, what="the INSERT"
        )[0]
        sequence = int(record["dynamodb"]["SequenceNumber"])

        def dead_letter() -> tuple[dict[str, Any], str] | None:
            answer = sqs.receive_message(
                QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=5
            )
            for message in answer.get("Messages", []):
                body = json.loads(message["Body"])
                batch = body.get("DDBStreamBatchInfo", {})
                first, last = batch.get("startSequenceNumber"), batch.get("endSequenceNumber")
                if first and last and int(first) <= sequence <= int(last):
                    return body, message["ReceiptHandle"]
            return None

        body, receipt = wait_until(
            dead_letter, timeout=150, interval=0.1, what="the batch in the on-failure queue"
        )
    batch = body["DDBStreamBatchInfo"]
    assert batch["streamArn"] == stack.outputs["tracker_table_stream_arn"]
    assert int(batch["startSequenceNumber"]) <= sequence <= int(batch["endSequenceNumber"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert stack.runs_of(request_id) == 0
    assert (stack.item(request_id) or {})["Status"]["S"] == "PENDING"  # not stranded

    report = replay_failure(
        body,
        stack.client("dynamodbstreams"),
        stack.client("lambda"),
        processor=stack.outputs["processor_function_name"],
    )
    assert request_id in report.request_ids
    assert report.function_error is None
    assert report.failures == []
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=receipt)
    final = stack.wait_terminal(request_id)
    assert final["Status"] == "COMPLETE"
    assert {k: final[k] for k in ("Answer", "Digest")} == expected_result("12")
    assert stack.runs_of(request_id) == 1
    # replaying again is harmless: the request is finished, its work does not run again
    again = replay_failure(
        body,
        stack.client("dynamodbstreams"),
        stack.client("lambda"),
        processor=stack.outputs["processor_function_name"],
    )
    assert again.failures == []
    wait_until(
        lambda: (
            any(
                line.get("message") == "record.duplicate" and line.get("request_id") == request_id
                for line in stack.json_logs("worker")
            )
            or None
        ),
        timeout=60,
        what="the worker skipping the replayed, finished request",
    )
    assert stack.runs_of(request_id) == 1
    say(f"on-failure record replayed: {len(report.records)} record(s), request COMPLETE")


# A worker whose process exits mid-task (issue 21 item 1). The ``crash`` fault makes the
# worker's runtime process exit (``os._exit``) the first time the task starts for a
# request: a function error, so Lambda retries the asynchronous event, one minute later on
# AWS and, as measured here, on the sandbox (LocalStack's LAMBDA_RETRY_BASE_DELAY_SECONDS,
# 60 by default: 60 s, then 120 s). The dead claimant renews its lease no more, so the
# lease (worker.Lease, 30 s) has lapsed when the retry comes: with the deadline still
# ahead, the retry takes the request over and completes it (the work runs once, the
# crashed start did none); with the deadline passed, the checker has sealed the request
# TIMED_OUT, and the retry finds it sealed under the dead claimant's claim and fails, so
# Lambda sends the event to the on-failure queue instead of counting it done.

#: Room for the crash (about 2 s in), Lambda's retry a minute later, a cold start of a new
#: environment and the task: measured about 65 s from submission on the sandbox.
TAKE_OVER_DEADLINE_SECONDS = 120


def effect(stack: FaultStack, request_id: str) -> dict[str, Any]:
    """The request's item in the side-effect table (``Runs``, ``CrashedAt``)."""
    answer = stack.client("dynamodb").get_item(
        TableName=stack.outputs["effects_table_name"],
        Key={"RequestId": {"S": request_id}},
        ConsistentRead=True,
    )
    return answer.get("Item") or {}


def test_a_worker_that_exits_mid_task_is_retried_by_lambda_and_completes(
    fault_stack: FaultStack,
):
    stack = fault_stack
    stack.set_deadline(TAKE_OVER_DEADLINE_SECONDS)
    run = stack.run_contact({"TaskName": "reliability_work", "Fault": "crash", "Value": "21"})
    item = check_terminal_in_time(stack, run)
    assert run.final["Status"] == "COMPLETE", run.final
    assert {k: run.final[k] for k in ("Answer", "Digest")} == expected_result("21")
    assert run.outcome == "RESULT"
    assert item["FinishedBy"]["S"] == "worker"
    assert item["Attempts"]["N"] == "2"  # the dead claimant's claim and the retry's
    completed_at = float(item["CompletedAt"]["N"])
    assert completed_at < run.deadline_at
    side_effect = effect(stack, run.request_id)
    assert "CrashedAt" in side_effect  # the first start exited the process
    assert side_effect["Runs"]["N"] == "1"  # the work ran once: in the retry

    def both_starts() -> list[dict[str, Any]] | None:
        found = worker_lines(stack, run.request_id, "task.started")
        return found if len(found) >= 2 else None

    starts = wait_until(
        both_starts,
        timeout=60,
        what="the crashed start's and the retry's task.started lines",
    )
    assert len(starts) == 2
    crashed_at = float(side_effect["CrashedAt"]["N"])
    retried_at = float(item["ClaimedAt"]["N"])
    say(
        f"worker exit mid-task: crashed {crashed_at - run.submitted_at:.1f}s after submission, "
        f"Lambda's retry claimed {retried_at - crashed_at:.1f}s after the crash, COMPLETE "
        f"{completed_at - run.submitted_at:.1f}s after submission "
        f"({run.deadline_at - completed_at:.1f}s before the deadline), 1 run"
    )


def on_failure_record(stack: FaultStack, request_id: str) -> tuple[dict[str, Any], str] | None:
    """The on-failure queue's record of the worker event for ``request_id``, if there."""
    answer = stack.client("sqs").receive_message(
        QueueUrl=stack.outputs["on_failure_queue_url"],
        MaxNumberOfMessages=10,
        WaitTimeSeconds=1,
        VisibilityTimeout=5,
    )
    for message in answer.get("Messages", []):
        body = json.loads(message["Body"])
        if (body.get("requestPayload") or {}).get("RequestId") == request_id:
            return body, message["ReceiptHandle"]
    return None


def test_a_worker_that_exits_with_no_time_left_for_a_retry_ends_timed_out_and_queued(
    fault_stack: FaultStack,
):
    """Lambda retries once here (the module's default twice: the same failure, two minutes
    later), so the record reaches the queue about a minute after the crash."""
    stack = fault_stack
    stack.configure(request_deadline_seconds=DEADLINE_SECONDS, worker_retry_attempts=1)
    try:
        run = stack.run_contact({"TaskName": "reliability_work", "Fault": "crash", "Value": "22"})
        item = check_terminal_in_time(stack, run)
        assert run.final["Status"] == "TIMED_OUT", run.final
        assert run.final["ErrorCode"] == "DEADLINE_EXCEEDED"
        assert run.outcome == "APOLOGY"
        assert item["FinishedBy"]["S"] == "checker"  # sealed at the flow's poll
        side_effect = effect(stack, run.request_id)
        assert "CrashedAt" in side_effect
        body, receipt = wait_until(
            lambda: on_failure_record(stack, run.request_id),
            timeout=180,
            interval=0.5,
            what="the crashed worker's event in the on-failure queue",
        )
        queued_after = time.time() - float(side_effect["CrashedAt"]["N"])
        stack.client("sqs").delete_message(
            QueueUrl=stack.outputs["on_failure_queue_url"], ReceiptHandle=receipt
        )
    finally:
        stack.configure(worker_retry_attempts=2)
    context = body["requestContext"]
    assert context["condition"] == "RetriesExhausted", body
    assert context["functionArn"].split(":")[6] == stack.outputs["worker_function_name"]
    assert body["requestPayload"] == {"RequestId": run.request_id}
    assert body["responsePayload"]["errorType"] == "RequestNotRun", body
    assert side_effect["Runs"]["N"] == "0"  # the work never ran
    abandoned = wait_until(
        lambda: worker_lines(stack, run.request_id, "request.abandoned") or None,
        timeout=60,
        what="the retry's request.abandoned line",
    )
    assert len(abandoned) == 1  # one retry, one failure
    assert (stack.item(run.request_id) or {})["Status"]["S"] == "TIMED_OUT"
    say(
        f"worker exit with the deadline ({DEADLINE_SECONDS}s) passed before Lambda's retry: "
        f"TIMED_OUT at the flow's poll, the retry failed on the abandoned request, the event "
        f"in the on-failure queue ({context['condition']}) {queued_after:.0f}s after the crash"
    )
