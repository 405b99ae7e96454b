"""The flow modules/contact-flow renders: accepted by the validator, and calls go as designed.

Rendering needs the terraform binary (no provider, no network); without it these skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flowkit import CHECKER_ARN, WRITER_ARN

from tracker_sandbox.flows import (
    ContactData,
    SimulationOptions,
    StubInvoker,
    StubResponse,
    analyze_flow,
    simulate_contact,
    validate_flow,
)

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / "modules" / "contact-flow"
POLLS = 3

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None or not MODULE.is_dir(),
    reason="needs the terraform binary and modules/contact-flow",
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("render")
    root = {
        "module": {
            "flow": {
                "source": os.path.relpath(MODULE, work),
                "writer_function_arn": WRITER_ARN,
                "checker_function_arn": CHECKER_ARN,
                "poll_count": POLLS,
                "invocation_time_limit_seconds": 3,
                "task_name": "lookup",
                "task_parameters": {"AccountId": "$.Attributes.AccountId"},
                "result_fields": ["Balance"],
            }
        },
        "output": {"content": {"value": "${module.flow.content}"}},
    }
    (work / "main.tf.json").write_text(json.dumps(root))
    environment = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    if (REPO / ".tools" / "terraformrc").is_file():
        environment["TF_CLI_CONFIG_FILE"] = str(REPO / ".tools" / "terraformrc")
    for command in (
        ["init", "-backend=false"],
        ["apply", "-auto-approve"],
        ["output", "-raw", "content"],
    ):
        completed = subprocess.run(
            ["terraform", *command],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
    return completed.stdout


def stubs(*checker: Any, writer: Any = None, writers: list[Any] | None = None) -> StubInvoker:
    return StubInvoker(
        {
            WRITER_ARN: writers
            or [writer or StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 0.4)],
            CHECKER_ARN: list(checker)
            or [StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 0.2)],
        }
    )


def status(value: str, **fields: str) -> StubResponse:
    return StubResponse({"RequestId": "r-1", "Status": value, **fields}, 0.2)


SUCCESS = SimulationOptions(success_actions=frozenset({"thank-caller"}))


def test_the_rendered_flow_is_valid(rendered: str) -> None:
    assert validate_flow(rendered, associated_lambda_arns=[WRITER_ARN, CHECKER_ARN]) == []
    analysis = analyze_flow(rendered)
    assert analysis.unreachable == ()
    assert analysis.lambdas_without_error_branch == ()
    assert analysis.invoked_lambda_arns == {WRITER_ARN, CHECKER_ARN}


def test_a_call_that_completes(rendered: str) -> None:
    contact = ContactData(attributes={"AccountId": "42"})
    invoker = stubs(status("RUNNING"), status("COMPLETE", Balance="12.50"))
    result = simulate_contact(rendered, invoker, contact=contact, options=SUCCESS)
    assert result.success, result.success_reason
    assert result.lambda_calls[0].parameters == {"AccountId": "42", "TaskName": "lookup"}
    assert all(call.parameters == {"RequestId": "r-1"} for call in result.lambda_calls[1:])
    assert result.attributes["TrackerRequestId"] == "r-1"
    assert result.prompts[-1].text.endswith("12.50")
    # The checker is polled once per holding prompt: the spacing is what the caller hears.
    starts = [call.started_at for call in result.lambda_calls[1:]]
    holding = result.prompts[1].seconds
    assert starts[1] - starts[0] == pytest.approx(holding + 0.2)


def test_polling_gives_up_after_poll_count(rendered: str) -> None:
    result = simulate_contact(rendered, stubs(), options=SUCCESS)
    assert len(result.lambda_calls) == 1 + POLLS
    assert result.path[-2:] == ["apologize", "disconnect"]
    assert not result.success


def test_one_failed_poll_does_not_end_the_call(rendered: str) -> None:
    failed = StubResponse({"errorMessage": "throttled"}, 0.2, function_error="Unhandled")
    result = simulate_contact(
        rendered, stubs(failed, status("COMPLETE", Balance="1")), options=SUCCESS
    )
    assert [call.ok for call in result.lambda_calls] == [True, False, True]
    assert result.success


def test_an_unknown_answer_polls_again(rendered: str) -> None:
    unknown = StubResponse(
        {"RequestId": "r-1", "Status": "UNKNOWN", "ErrorCode": "STORE_UNAVAILABLE"}, 0.2
    )
    result = simulate_contact(
        rendered, stubs(unknown, status("COMPLETE", Balance="1")), options=SUCCESS
    )
    assert [call.response["Status"] for call in result.lambda_calls[1:]] == ["UNKNOWN", "COMPLETE"]
    assert result.path.count("poll-loop") == 2
    assert result.success


def test_a_slow_checker_counts_as_a_failed_poll(rendered: str) -> None:
    slow = StubResponse({"RequestId": "r-1", "Status": "COMPLETE", "Balance": "1"}, 3.5)
    result = simulate_contact(
        rendered, stubs(slow, status("COMPLETE", Balance="1")), options=SUCCESS
    )
    assert result.lambda_calls[1].error_kind == "TimeLimitExceeded"
    assert result.success


@pytest.mark.parametrize("answer", ["FAILED", "TIMED_OUT", "NOT_FOUND", "INVALID_REQUEST"])
def test_a_failed_request_ends_with_the_apology(rendered: str, answer: str) -> None:
    result = simulate_contact(rendered, stubs(status(answer)), options=SUCCESS)
    assert result.path[-2:] == ["apologize", "disconnect"]
    assert not result.success


def test_a_refusing_writer_ends_with_the_apology(rendered: str) -> None:
    refused = StubResponse({"Status": "INVALID_REQUEST", "ErrorCode": "BadTask"}, 0.1)
    result = simulate_contact(rendered, stubs(writer=refused), options=SUCCESS)
    assert result.path == [
        "greet",
        "invoke-writer",
        "check-writer-status",
        "apologize",
        "disconnect",
    ]


WRITER_FAILED = StubResponse({"errorMessage": "throttled"}, 0.2, function_error="Unhandled")


def test_a_failed_writer_call_is_retried_once(rendered: str) -> None:
    pending = StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 0.4)
    result = simulate_contact(
        rendered,
        stubs(status("COMPLETE", Balance="1"), writers=[WRITER_FAILED, pending]),
        options=SUCCESS,
    )
    assert result.path[:4] == ["greet", "invoke-writer", "retry-writer", "check-writer-status"]
    assert [call.ok for call in result.lambda_calls[:2]] == [False, True]
    assert result.lambda_calls[1].parameters == result.lambda_calls[0].parameters
    assert result.success


def test_a_writer_failing_twice_ends_with_the_apology(rendered: str) -> None:
    result = simulate_contact(
        rendered, stubs(writers=[WRITER_FAILED, WRITER_FAILED]), options=SUCCESS
    )
    assert result.path == ["greet", "invoke-writer", "retry-writer", "apologize", "disconnect"]
    assert not result.success
