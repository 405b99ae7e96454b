"""The flow modules/contact-flow renders: accepted by the validator, and calls go as designed.

Contacts on every channel are placed through the rendered flow with a `FakeTracker`
(the writer and checker as plain handlers on the simulated clock), so "work of 45 s"
and "a 120 s deadline" cost no real time. Rendering needs the terraform binary (no
provider, no network); without it these skip.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flowkit import CHECKER_ARN, WRITER_ARN, FakeTracker, Kit

from tracker_sandbox.flows import (
    CallableInvoker,
    ContactData,
    SimulatedClock,
    SimulationOptions,
    SimulationResult,
    StubInvoker,
    StubResponse,
    analyze_flow,
    simulate_contact,
    validate_flow,
)
from tracker_sandbox.flows.simulator import speech_seconds

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / "modules" / "contact-flow"
CHANNELS = ("VOICE", "CHAT", "TASK")
DEADLINE = 120
INTERVAL = 5  # the module's default
TRACKER_FLOW_ARN = (
    "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000000"
    "/contact-flow/tracker"
)

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None or not MODULE.is_dir(),
    reason="needs the terraform binary and modules/contact-flow",
)

FLOWS: dict[str, dict[str, Any]] = {
    # The module's defaults: a 120 s deadline polled every 5 s.
    "default": {},
    # A 3 s Lambda time limit, for the slow-checker case.
    "quick": {"invocation_time_limit_seconds": 3},
}


@pytest.fixture(scope="module")
def rendered_flows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("render")
    common = {
        "writer_function_arn": WRITER_ARN,
        "checker_function_arn": CHECKER_ARN,
        "task_name": "lookup",
        "task_parameters": {"AccountId": "$.Attributes.AccountId"},
        "result_fields": ["Balance"],
    }
    root = {
        "module": {
            name: {"source": os.path.relpath(MODULE, work), **common, **inputs}
            for name, inputs in FLOWS.items()
        },
        "output": {name: {"value": f"${{module.{name}.content}}"} for name in FLOWS},
    }
    (work / "main.tf.json").write_text(json.dumps(root))
    environment = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    if (REPO / ".tools" / "terraformrc").is_file():
        environment["TF_CLI_CONFIG_FILE"] = str(REPO / ".tools" / "terraformrc")
    for command in (["init", "-backend=false"], ["apply", "-auto-approve"], ["output", "-json"]):
        completed = subprocess.run(
            ["terraform", *command],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
    return {name: output["value"] for name, output in json.loads(completed.stdout).items()}


@pytest.fixture(scope="module")
def rendered(rendered_flows: dict[str, str]) -> str:
    return rendered_flows["default"]


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


def place(
    flow: str, channel: str, tracker_args: dict[str, Any], **kwargs: Any
) -> tuple[SimulationResult, FakeTracker]:
    """One contact on `channel` through `flow`, served by a FakeTracker on the same clock."""
    clock = SimulatedClock()
    tracker = FakeTracker(clock, deadline_seconds=DEADLINE, **tracker_args)
    contact = ContactData(channel=channel, attributes={"AccountId": "42"})
    result = simulate_contact(
        flow, CallableInvoker(tracker.handlers()), contact=contact, clock=clock, **kwargs
    )
    return result, tracker


def poll_period(flow: str, channel: str) -> float:
    """The least time between two polls: the Wait, or on voice the holding prompt's length."""
    if channel != "VOICE":
        return float(INTERVAL)
    action = next(
        a for a in json.loads(flow)["Actions"] if a["Identifier"] == "play-holding-prompt"
    )
    return speech_seconds(action["Parameters"]["SSML"], words_per_minute=150.0, ssml=True)


def prompt_at(result: SimulationResult, action: str) -> float:
    return next(p.at for p in result.prompts if p.action == action)


def test_the_rendered_flow_is_valid(rendered: str) -> None:
    assert validate_flow(rendered, associated_lambda_arns=[WRITER_ARN, CHECKER_ARN]) == []
    analysis = analyze_flow(rendered)
    assert analysis.unreachable == ()
    assert analysis.lambdas_without_error_branch == ()
    assert analysis.invoked_lambda_arns == {WRITER_ARN, CHECKER_ARN}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("work", [5, 45, 100])
def test_work_inside_the_deadline_reaches_the_contact(
    rendered: str, channel: str, work: int
) -> None:
    result, tracker = place(rendered, channel, {"work_seconds": work})
    assert result.success, result.success_reason
    assert (result.outcome, result.result_delivered) == ("RESULT", True)
    assert result.final_prompt is not None and result.final_prompt.action == "thank-caller"
    assert result.final_prompt.text.endswith("12.50") or channel == "TASK"
    assert result.attributes["Balance"] == "12.50"
    # The result is picked up by the first poll after the work is done.
    done_at = tracker.created_at[result.contact_id] + work
    polled = [at for at, _ in tracker.answers]
    assert polled[-1] >= done_at
    assert polled[-1] - done_at <= poll_period(rendered, channel) + 1
    assert [answer for _, answer in tracker.answers[:-1]] == ["RUNNING"] * (len(polled) - 1)


@pytest.mark.parametrize("channel", CHANNELS)
def test_work_past_the_deadline_is_told_within_one_poll_after_it(
    rendered: str, channel: str
) -> None:
    result, tracker = place(rendered, channel, {"work_seconds": None})
    assert not result.success
    assert result.outcome == "APOLOGY" and not result.result_delivered
    apology = prompt_at(result, "apologize")
    # Never before the deadline; at the first poll after it (the checker seals TIMED_OUT).
    assert apology >= tracker.deadline_at
    assert apology - tracker.deadline_at <= poll_period(rendered, channel) + 1
    statuses = [answer for _, answer in tracker.answers]
    assert statuses == ["RUNNING"] * (len(statuses) - 1) + ["TIMED_OUT"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_checker_that_never_seals_keeps_the_contact_past_the_deadline(
    rendered: str, channel: str
) -> None:
    result, tracker = place(rendered, channel, {"work_seconds": None, "seal": False})
    assert result.outcome == "APOLOGY" and not result.success
    # The loop gives up only after ceil(120 / 5) + 1 = 25 polls, the last one past the deadline.
    assert len(tracker.answers) == math.ceil(DEADLINE / INTERVAL) + 1
    assert tracker.answers[-1][0] > tracker.deadline_at
    assert prompt_at(result, "apologize") > tracker.deadline_at
    assert result.path[-2:] == ["apologize", "disconnect"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_polls_are_paced_by_time_on_every_channel(rendered: str, channel: str) -> None:
    result, tracker = place(rendered, channel, {"work_seconds": 30})
    starts = [at for at, _ in tracker.answers]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert gaps and min(gaps) >= poll_period(rendered, channel)
    holding = [p for p in result.prompts if "holding" in p.action]
    if channel == "VOICE":
        # The holding text, then the interval as SSML breaks, before every poll.
        assert [p.action for p in holding] == ["play-holding-prompt"] * len(starts)
        assert all(p.seconds >= INTERVAL for p in holding)
        assert "wait-before-poll" not in result.path
    elif channel == "CHAT":
        # One holding message, then Wait blocks: a chat is not flooded.
        assert [p.action for p in holding] == ["send-holding-message"]
        assert result.path.count("wait-before-poll") == len(starts)
    else:
        # Play prompt has no effect on a task; the Wait block paces the polls.
        assert all(not p.delivered and p.seconds == 0 for p in result.prompts)
        assert result.path.count("wait-before-poll") == len(starts)


def test_a_transfer_continues_as_a_new_contact_of_the_same_chain(rendered: str) -> None:
    front_door = Kit.flow(
        Kit.action(
            "set-account",
            "UpdateContactAttributes",
            {"Attributes": {"AccountId": "7"}},
            next_action="to-tracker",
            errors={"NoMatchingError": "hang-up"},
        ),
        Kit.action(
            "to-tracker",
            "TransferToFlow",
            {"ContactFlowId": TRACKER_FLOW_ARN},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        Kit.hang_up(),
    )
    result, tracker = place(
        json.dumps(front_door), "CHAT", {"work_seconds": 20}, flows={"tracker": rendered}
    )
    assert result.success and result.outcome == "RESULT", result.success_reason
    first, second = result.contact_ids
    assert first != second and result.transfers[0].to_contact_id == second
    for _, event in tracker.events:
        data = event["Details"]["ContactData"]
        assert (data["ContactId"], data["InitialContactId"]) == (second, first)
        assert data["PreviousContactId"] == first
        assert data["Attributes"]["AccountId"] == "7"
    assert tracker.events[0][1]["Details"]["Parameters"]["AccountId"] == "7"


def test_a_transfer_mid_wait_finds_the_same_request(rendered: str) -> None:
    # The first flow records the request and waits, then hands over to the tracker flow,
    # whose writer call finds the request the first one made (one per contact chain).
    first_flow = Kit.flow(
        Kit.invoke(
            "record",
            attributes={"TaskName": "lookup", "AccountId": "$.Attributes.AccountId"},
            next_action="pause",
            error="hang-up",
        ),
        Kit.action(
            "pause",
            "Wait",
            {"TimeLimitSeconds": "30"},
            next_action="to-tracker",
            conditions=[("Equals", ["WaitCompleted"], "to-tracker")],
            errors={"NoMatchingError": "to-tracker"},
        ),
        Kit.action(
            "to-tracker",
            "TransferToFlow",
            {"ContactFlowId": TRACKER_FLOW_ARN},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        Kit.hang_up(),
    )
    result, tracker = place(
        json.dumps(first_flow), "CHAT", {"work_seconds": 45}, flows={"tracker": rendered}
    )
    assert result.outcome == "RESULT" and result.result_delivered, result.success_reason
    assert len(tracker.created_at) == 1
    assert [kind for kind, _ in tracker.events].count("writer") == 2
    assert tracker.answers[-1][0] - tracker.created_at[result.contact_id] < 45 + INTERVAL + 1


def test_a_call_that_completes(rendered: str) -> None:
    contact = ContactData(attributes={"AccountId": "42"})
    invoker = stubs(status("RUNNING"), status("COMPLETE", Balance="12.50"))
    result = simulate_contact(rendered, invoker, contact=contact)
    assert result.success, result.success_reason
    assert result.lambda_calls[0].parameters == {"AccountId": "42", "TaskName": "lookup"}
    assert all(call.parameters == {"RequestId": "r-1"} for call in result.lambda_calls[1:])
    assert result.attributes["TrackerRequestId"] == "r-1"
    assert result.prompts[-1].text.endswith("12.50")


def test_one_failed_poll_does_not_end_the_call(rendered: str) -> None:
    failed = StubResponse({"errorMessage": "throttled"}, 0.2, function_error="Unhandled")
    result = simulate_contact(rendered, stubs(failed, status("COMPLETE", Balance="1")))
    assert [call.ok for call in result.lambda_calls] == [True, False, True]
    assert result.success


def test_an_unknown_answer_polls_again(rendered: str) -> None:
    unknown = StubResponse(
        {"RequestId": "r-1", "Status": "UNKNOWN", "ErrorCode": "STORE_UNAVAILABLE"}, 0.2
    )
    result = simulate_contact(rendered, stubs(unknown, status("COMPLETE", Balance="1")))
    assert [call.response["Status"] for call in result.lambda_calls[1:]] == ["UNKNOWN", "COMPLETE"]
    assert result.path.count("poll-loop") == 2
    assert result.success


def test_a_slow_checker_counts_as_a_failed_poll(rendered_flows: dict[str, str]) -> None:
    slow = StubResponse({"RequestId": "r-1", "Status": "COMPLETE", "Balance": "1"}, 3.5)
    result = simulate_contact(rendered_flows["quick"], stubs(slow, status("COMPLETE", Balance="1")))
    assert result.lambda_calls[1].error_kind == "TimeLimitExceeded"
    assert result.success


@pytest.mark.parametrize("answer", ["FAILED", "TIMED_OUT", "NOT_FOUND", "INVALID_REQUEST"])
def test_a_failed_request_ends_with_the_apology(rendered: str, answer: str) -> None:
    result = simulate_contact(rendered, stubs(status(answer)))
    assert result.path[-2:] == ["apologize", "disconnect"]
    assert (result.success, result.outcome) == (False, "APOLOGY")


def test_a_refusing_writer_ends_with_the_apology(rendered: str) -> None:
    refused = StubResponse({"Status": "INVALID_REQUEST", "ErrorCode": "BadTask"}, 0.1)
    result = simulate_contact(rendered, stubs(writer=refused))
    assert result.path == [
        "greet",
        "invoke-writer",
        "check-writer-status",
        "apologize",
        "disconnect",
    ]
    assert result.outcome == "APOLOGY"


WRITER_FAILED = StubResponse({"errorMessage": "throttled"}, 0.2, function_error="Unhandled")


def test_a_failed_writer_call_is_retried_once(rendered: str) -> None:
    pending = StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 0.4)
    result = simulate_contact(
        rendered, stubs(status("COMPLETE", Balance="1"), writers=[WRITER_FAILED, pending])
    )
    assert result.path[:4] == ["greet", "invoke-writer", "retry-writer", "check-writer-status"]
    assert [call.ok for call in result.lambda_calls[:2]] == [False, True]
    assert result.lambda_calls[1].parameters == result.lambda_calls[0].parameters
    assert result.success


def test_a_writer_failing_twice_ends_with_the_apology(rendered: str) -> None:
    result = simulate_contact(rendered, stubs(writers=[WRITER_FAILED, WRITER_FAILED]))
    assert result.path == ["greet", "invoke-writer", "retry-writer", "apologize", "disconnect"]
    assert not result.success


def test_the_apology_fails_the_contact_whatever_the_success_actions(rendered: str) -> None:
    options = SimulationOptions(success_actions=frozenset({"greet"}))
    result = simulate_contact(rendered, stubs(status("FAILED")), options=options)
    assert (result.success, result.outcome) == (False, "APOLOGY")
    assert "failure action 'apologize'" in result.success_reason
    # Failure actions named explicitly replace the tracker's own: the contact heard the
    # result (outcome RESULT), but passing a failure action fails it.
    options = SimulationOptions(failure_actions=frozenset({"invoke-writer"}))
    result = simulate_contact(rendered, stubs(status("COMPLETE", Balance="1")), options=options)
    assert (result.success, result.outcome) == (False, "RESULT")
    assert "failure action 'invoke-writer'" in result.success_reason
