"""Constants that cross languages: each is written once in Python and again in Terraform (or
in the sandbox), and the copies must agree. Each test reads both sides from their files, so
a change to one side without the other fails here instead of drifting silently (house
review 4.2, change 5; the alarm patterns have their own: test_alarm_log_events.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from connect_tracker import domain, replay, task_secrets, worker
from connect_tracker.handlers import _runtime
from tracker_sandbox.flows import runner

ROOT = Path(__file__).resolve().parents[2]
#: Every Terraform file that checks a task name, and the input it checks.
TASK_NAME_CHECKS = {
    "variables.tf": "var.default_task",
    "modules/contact-flow/variables.tf": "var.task_name",
    "examples/localstack/variables.tf": "var.second_lookup_task",
}


def text(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "checked"), sorted(TASK_NAME_CHECKS.items()))
def test_every_terraform_task_name_check_is_the_writers_pattern(path: str, checked: str):
    """The writer refuses what domain.TASK_NAME_PATTERN does not match; a plan-time check
    that allowed more would let a deployment name a task the writer refuses."""
    patterns = re.findall(r'regex\("([^"]+)", [^)]*' + re.escape(checked), text(path))
    assert patterns, f"{path} no longer checks {checked} with a regex"
    # HCL string escapes: none are used in the pattern, so the text is the pattern itself
    assert set(patterns) == {domain.TASK_NAME_PATTERN.pattern}, (path, patterns)


def test_no_other_file_carries_its_own_copy_of_the_task_name_pattern():
    body = domain.TASK_NAME_PATTERN.pattern.strip("^$")
    holders = sorted(
        str(path.relative_to(ROOT))
        for pattern in ("*.tf", "modules/*/*.tf", "examples/*/*.tf")
        for path in ROOT.glob(pattern)
        if body in path.read_text(encoding="utf-8")
    )
    assert holders == sorted(TASK_NAME_CHECKS), holders


def test_the_answer_limit_holds_under_both_readings_of_connects_32_kb():
    """Deliberately two numbers. Connect takes a Lambda answer "under 32 KB" (Administrator
    Guide, "Invoke AWS Lambda functions") without saying whether a KB is 1,000 or 1,024
    bytes. The package refuses results whose answer would exceed 32,000 bytes, so its
    answers fit either reading; the simulator refuses only what Connect refuses under the
    larger one (32 KiB), so it never rejects an answer the package lets through, and the
    package's own limit is tested at 32,000/32,001 bytes (test_answer_size.py)."""
    assert domain.MAX_ANSWER_BYTES == 32_000
    assert runner.MAX_RESPONSE_BYTES == 32 * 1024
    assert domain.MAX_ANSWER_BYTES <= 32 * 1000 < runner.MAX_RESPONSE_BYTES


def test_the_worker_timeout_check_leaves_the_workers_record_reserve():
    """lambda.tf requires functions.worker.timeout >= request_deadline_seconds + N: the
    worker may run a task until the deadline and keeps RECORD_RESERVE_SECONDS back to
    record the outcome, which must hold one whole call of its store client."""
    lambda_tf = text("lambda.tf")
    condition = re.search(
        r"condition\s*=\s*var\.functions\.worker\.timeout"
        r" >= var\.request_deadline_seconds \+ (\d+)",
        lambda_tf,
    )
    assert condition, "lambda.tf no longer checks the worker's timeout against the deadline"
    slack = int(condition.group(1))
    assert slack >= worker.RECORD_RESERVE_SECONDS >= _runtime.WORKER_ATTEMPT_SECONDS
    # the message and the input's description state the same number
    assert f"request_deadline_seconds (${{var.request_deadline_seconds}}) + {slack}:" in lambda_tf
    assert f"at least request_deadline_seconds + {slack}" in text("variables.tf")


def stream_filter() -> dict[str, Any]:
    """stream.tf's filter pattern (an HCL object passed to jsonencode), as data."""
    block = re.search(
        r"stream_filter_pattern = jsonencode\((\{.*?\n  \})\)", text("stream.tf"), re.DOTALL
    )
    assert block, "stream.tf no longer defines stream_filter_pattern with jsonencode"
    hcl = block.group(1)
    event_names = re.search(r"eventName = \[([^\]]*)\]", hcl)
    status = re.search(r"Status = \{ S = \[([^\]]*)\] \}", hcl)
    assert event_names, hcl
    assert status, hcl
    rest = re.sub(r"eventName = \[[^\]]*\]|Status = \{ S = \[[^\]]*\] \}", "", hcl)
    # nothing else is filtered on: only the nesting (dynamodb, NewImage) is left
    assert re.sub(r"[\s{}=]|dynamodb|NewImage", "", rest) == "", rest
    return {
        "eventName": re.findall(r'"([^"]+)"', event_names.group(1)),
        "Status": re.findall(r'"([^"]+)"', status.group(1)),
    }


def matches(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    """Lambda's event filtering for these two keys: the value must equal one listed
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html)."""
    status = record.get("dynamodb", {}).get("NewImage", {}).get("Status", {}).get("S")
    return record.get("eventName") in pattern["eventName"] and status in pattern["Status"]


def stream_record(event: str, image: str, attribute: str, value: str) -> dict[str, Any]:
    return {"eventName": event, "dynamodb": {image: {attribute: {"S": value}}}}


RECORDS = {
    "a new request": stream_record("INSERT", "NewImage", "Status", "PENDING"),
    "its ask item": stream_record("INSERT", "NewImage", "ForRequest", "x"),
    "the claim": stream_record("MODIFY", "NewImage", "Status", "RUNNING"),
    "a release": stream_record("MODIFY", "NewImage", "Status", "PENDING"),
    "the outcome": stream_record("MODIFY", "NewImage", "Status", "COMPLETE"),
    "a TTL deletion": stream_record("REMOVE", "OldImage", "Status", "PENDING"),
    "an odd insert": stream_record("INSERT", "NewImage", "Status", "RUNNING"),
}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_replay_admits_exactly_what_the_stream_filter_delivers(name: str):
    """A replay re-drives a failed batch through the processor with the records the event
    source mapping would have delivered: its rule and the mapping's filter are one rule."""
    record = RECORDS[name]
    assert replay.admitted(record) is matches(stream_filter(), record)
    assert matches(stream_filter(), record) is (name == "a new request")


def test_the_flow_contract_lists_every_error_code_the_package_gives():
    """docs/flow-contract.md's table is where the README sends a flow author for codes."""
    table = text("docs/flow-contract.md").split("## Every error code", 1)[1]
    listed = set(re.findall(r"`([A-Z][A-Z_]+(?:<NAME>)?)`", table))
    given = {code.value for code in domain.ErrorCode} | {
        task_secrets.UNKNOWN_SECRET,
        f"{task_secrets.UNREADABLE_PREFIX}<NAME>",
    }
    assert given <= listed, sorted(given - listed)
