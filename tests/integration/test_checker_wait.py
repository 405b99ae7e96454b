"""The deployed checker waits for the result (issue 20 item 2), on the sandbox.

The stack is the module's defaults for the checker: `checker_wait_seconds = 3` and a 7 s
timeout. Each test invokes the checker once, as one poll of the flow does, and reads what
that one invocation did from its own log line (`check.answered`: its reads and how long
it waited) and from the stored request.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.integration.conftest import Stack, new_contact
from tests.integration.stack import log_lines, wait_for

pytestmark = pytest.mark.integration

#: The module's default wait (variables.tf checker_wait_seconds).
WAIT_SECONDS = 3
UNKNOWN_ID = "6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1"


def running(stack: Stack, request_id: str) -> dict[str, Any]:
    """The stored request once the worker has claimed it (it runs its task now)."""
    return wait_for(
        lambda: (
            item if (item := stack.item(request_id)) and item["Status"]["S"] == "RUNNING" else None
        ),
        timeout=60,
        interval=0.1,
        what=f"request {request_id} claimed by the worker",
    )


def answered(stack: Stack, request_id: str) -> list[dict[str, object]]:
    """The checker's `check.answered` lines about ``request_id`` (logs land asynchronously)."""
    return wait_for(
        lambda: (
            [
                line
                for line in log_lines(stack, "checker", request_id)
                if line.get("message") == "check.answered"
            ]
            or None
        ),
        timeout=30,
        what=f"the checker's answer to {request_id} in its log",
    )


def warm_checker(stack: Stack) -> None:
    """One answer that cannot change (NOT_FOUND: no wait), so the next poll is not a cold
    start whose INIT would let the work finish before the checker's first read."""
    assert stack.check(UNKNOWN_ID, new_contact())["Status"] == "NOT_FOUND"


def test_work_finishing_during_a_poll_is_answered_complete_by_that_poll(stack: Stack):
    configuration = stack.client("lambda").get_function_configuration(
        FunctionName=stack.outputs["checker_function_name"]
    )
    assert configuration["Environment"]["Variables"]["TRACKER_CHECKER_WAIT_SECONDS"] == "3"
    warm_checker(stack)
    written = stack.submit(new_contact(), "simulated_backend", DelaySeconds="2")
    request_id = written["RequestId"]
    running(stack, request_id)
    asked_at = time.time()
    answer = stack.check(request_id)  # one poll: one checker invocation
    assert answer["Status"] == "COMPLETE"
    assert answer["Message"] == "Processed after 2 seconds"
    # The result was written after this poll began, and the poll itself delivered it: its
    # one log line shows it read the request open first and read again until it was done.
    item = stack.item(request_id)
    assert item is not None
    assert float(item["CompletedAt"]["N"]) > asked_at
    [line] = answered(stack, request_id)
    assert line["status"] == "COMPLETE"
    assert int(line["reads"]) > 1  # type: ignore[call-overload]
    assert float(line["waited_seconds"]) < WAIT_SECONDS  # type: ignore[arg-type]


def test_work_still_running_is_answered_running_when_the_wait_ends(stack: Stack):
    timeout = stack.client("lambda").get_function_configuration(
        FunctionName=stack.outputs["checker_function_name"]
    )["Timeout"]
    warm_checker(stack)
    written = stack.submit(new_contact(), "simulated_backend", DelaySeconds="12")
    request_id = written["RequestId"]
    running(stack, request_id)
    answer = stack.check(request_id)  # Stack.invoke fails on a function error or timeout
    assert answer["Status"] == "RUNNING"
    [line] = answered(stack, request_id)
    assert line["status"] == "RUNNING"
    # it read until its wait ended (the last read is due at the wait's end), and answered
    # inside the function's timeout
    assert WAIT_SECONDS <= float(line["waited_seconds"]) < timeout  # type: ignore[arg-type]
    assert int(line["reads"]) > 1  # type: ignore[call-overload]
    assert stack.wait_terminal(request_id)["Status"] == "COMPLETE"
