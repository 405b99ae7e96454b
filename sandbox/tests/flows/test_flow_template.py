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
from tracker_sandbox.flows.speech import speech_seconds

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / "modules" / "contact-flow"
CHANNELS = ("VOICE", "CHAT", "TASK")
DEADLINE = 120
WAIT = 3  # the module's default checker_wait_seconds
POLLS = math.ceil(DEADLINE / WAIT) + 2  # the module's poll_count for these
REASSURANCE = "Still working on it, thank you for holding."
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
    # A 3 s Lambda time limit, for the slow-checker case: too short for a checker that
    # waits (checker_wait_seconds + 4 must fit in it), so one that answers at once.
    "quick": {"invocation_time_limit_seconds": 3, "checker_wait_seconds": 0},
    # The estate's music between polls instead of silence.
    "music": {
        "holding": {
            "prompt_id": "arn:aws:connect:us-east-1:000000000000:instance/i/prompt/music",
            "prompt_seconds": 6,
        }
    },
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
    tracker = FakeTracker(clock, deadline_seconds=DEADLINE, wait_seconds=WAIT, **tracker_args)
    contact = ContactData(channel=channel, attributes={"AccountId": "42"})
    invoker = CallableInvoker(tracker.handlers(), timer=tracker.timer)
    result = simulate_contact(flow, invoker, contact=contact, clock=clock, **kwargs)
    assert not [c for c in result.lambda_calls if c.error_kind == "LambdaChainTimeLimitExceeded"]
    return result, tracker


def deaf_seconds(channel: str) -> float:
    """The longest stretch without a checker waiting: on voice the reassurance's speaking
    time (the holding, 0.5 s of silence, is shorter); chat and task poll back to back."""
    return speech_seconds(REASSURANCE, words_per_minute=150.0) if channel == "VOICE" else 0.0


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
    # The result reaches the contact as soon as the checker reads it, or after the prompt
    # that was playing when the work was done.
    done_at = tracker.created_at[result.contact_id] + work
    assert result.final_prompt.at >= done_at
    assert result.final_prompt.at - done_at <= deaf_seconds(channel) + 0.3
    statuses = [answer for _, answer in tracker.answers]
    assert statuses == ["RUNNING"] * (len(statuses) - 1) + ["COMPLETE"]


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
    assert apology - tracker.deadline_at <= deaf_seconds(channel) + 0.3
    statuses = [answer for _, answer in tracker.answers]
    assert statuses == ["RUNNING"] * (len(statuses) - 1) + ["TIMED_OUT"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_checker_that_never_seals_keeps_the_contact_past_the_deadline(
    rendered: str, channel: str
) -> None:
    result, tracker = place(rendered, channel, {"work_seconds": None, "seal": False})
    assert result.outcome == "APOLOGY" and not result.success
    # The loop gives up only after the first poll and ceil(120 / 3) + 2 = 42 more, the
    # last one past the deadline.
    assert len(tracker.answers) == POLLS + 1
    assert tracker.answers[-1][0] > tracker.deadline_at
    assert prompt_at(result, "apologize") > tracker.deadline_at
    assert result.path[-2:] == ["apologize", "disconnect"]


def test_the_request_is_recorded_before_the_greeting(rendered: str) -> None:
    result, tracker = place(rendered, "VOICE", {"work_seconds": 2})
    assert result.path[:5] == [
        "invoke-writer",
        "check-writer-status",
        "remember-request-id",
        "greet",
        "invoke-checker",
    ]
    # The greeting plays while the work runs: the result follows it at once.
    greeting = result.prompts[0]
    assert greeting.action == "greet" and greeting.at == tracker.created_at[result.contact_id]
    assert result.final_prompt.at - (greeting.at + greeting.seconds) <= 0.3


@pytest.mark.parametrize("channel", CHANNELS)
def test_polls_are_paced_by_the_checker_and_broken_by_prompts(rendered: str, channel: str) -> None:
    result, _ = place(rendered, channel, {"work_seconds": 60})
    pollers = [i for i, step in enumerate(result.path) if step == "invoke-checker"]
    before = [result.path[i - 1] for i in pollers]
    reassured = [p.at for p in result.prompts if p.action == "reassure"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(reassured)]
    if channel == "VOICE":
        # Silence (or the estate's prompt) before every poll, the reassurance about every
        # 25 s instead: every Lambda call follows a prompt.
        assert before[0] == "greet" and set(before[1:]) == {"hold", "reassure"}
        assert gaps and all(20 <= gap <= 30 for gap in gaps)
    elif channel == "CHAT":
        # No message per poll: the reassurance alone breaks the chain of Lambda calls,
        # within Connect's 20 seconds, and no Wait holds a finished result back.
        assert gaps and all(gap <= 20 for gap in gaps)
        assert "pause" not in result.path
    else:
        # A task's Play prompt has no effect but breaks the chain before every poll.
        assert before[0] == "greet" and set(before[1:]) == {"task-pace"}
        assert all(not p.delivered and p.seconds == 0 for p in result.prompts)


def test_the_estates_holding_prompt_counts_toward_the_pacing(
    rendered_flows: dict[str, str],
) -> None:
    music = "arn:aws:connect:us-east-1:000000000000:instance/i/prompt/music"
    options = SimulationOptions(prompt_seconds={music: 6.0})
    result, _ = place(rendered_flows["music"], "VOICE", {"work_seconds": 60}, options=options)
    holds = [p for p in result.prompts if p.action == "hold"]
    assert holds and all(p.seconds == 6.0 and "music" in p.text for p in holds)
    reassured = [p.at for p in result.prompts if p.action == "reassure"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(reassured)]
    assert gaps and all(20 <= gap <= 30 for gap in gaps)


def test_a_chain_of_lambda_calls_past_20_seconds_takes_the_error_branch() -> None:
    slow = StubResponse({"Status": "RUNNING"}, 7.0)
    flow = Kit.flow(
        Kit.say("hello", "Hello", next_action="one"),
        Kit.invoke("one", CHECKER_ARN, next_action="two", error="sorry"),
        Kit.invoke("two", CHECKER_ARN, next_action="three", error="sorry"),
        Kit.invoke("three", CHECKER_ARN, next_action="again", error="sorry"),
        Kit.say("again", "Still there?", next_action="four"),
        Kit.invoke("four", CHECKER_ARN, next_action="hang-up", error="sorry"),
        Kit.say("sorry", "Sorry."),
        Kit.hang_up(),
    )
    result = simulate_contact(flow, StubInvoker({CHECKER_ARN: [slow]}))
    # 7 + 7 = 14 s; the third call would end at 21 s: Connect stops it at 20 s.
    assert [c.error_kind for c in result.lambda_calls] == [
        None,
        None,
        "LambdaChainTimeLimitExceeded",
    ]
    assert result.path[-2:] == ["sorry", "hang-up"]
    hello, sorry = result.prompts
    assert result.elapsed_seconds == pytest.approx(hello.seconds + 20.0 + sorry.seconds)
    # A Play prompt between them breaks the chain.
    unbroken = json.loads(json.dumps(flow))
    unbroken["Actions"][3]["Transitions"]["NextAction"] = "again"
    assert [
        c.ok for c in simulate_contact(unbroken, StubInvoker({CHECKER_ARN: [slow]})).lambda_calls
    ][:3] == [True, True, False]


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
    assert tracker.answers[-1][0] - tracker.created_at[result.contact_id] <= 45 + 0.3


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


@pytest.mark.parametrize("failure", ["error", "unknown"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_polls_that_fail_at_once_last_a_checker_wait(
    rendered: str, channel: str, failure: str
) -> None:
    """The Loop's count is sized for polls that last the checker's wait; a poll whose
    invocation fails at once (throttled past Connect's retries) or that the table did not
    answer (UNKNOWN) waits as long, so a burst of failures cannot spend the polls before
    the deadline."""
    tracker_args = {"work_seconds": 45, "failed_polls": 30, "failure": failure}
    result, _ = place(rendered, channel, tracker_args)
    assert (result.outcome, result.attributes["Balance"]) == ("RESULT", "12.50"), (
        result.render_transcript()
    )
    polls = [call for call in result.lambda_calls if call.parameters.get("RequestId")]
    failed = [not call.ok or call.response.get("Status") == "UNKNOWN" for call in polls]
    assert failed == [True] * 30 + [False]
    for before, after in itertools.pairwise(call.started_at for call in polls):
        assert after - before >= WAIT


def test_an_unknown_answer_polls_again(rendered: str) -> None:
    unknown = StubResponse(
        {"RequestId": "r-1", "Status": "UNKNOWN", "ErrorCode": "STORE_UNAVAILABLE"}, 0.2
    )
    result = simulate_contact(rendered, stubs(unknown, status("COMPLETE", Balance="1")))
    assert [call.response["Status"] for call in result.lambda_calls[1:]] == ["UNKNOWN", "COMPLETE"]
    assert result.path.count("poll-loop") == 1  # the first poll follows the greeting
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
    assert result.path == ["invoke-writer", "check-writer-status", "apologize", "disconnect"]
    assert result.outcome == "APOLOGY"


WRITER_FAILED = StubResponse({"errorMessage": "throttled"}, 0.2, function_error="Unhandled")


def test_a_failed_writer_call_is_retried_once(rendered: str) -> None:
    pending = StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 0.4)
    result = simulate_contact(
        rendered, stubs(status("COMPLETE", Balance="1"), writers=[WRITER_FAILED, pending])
    )
    assert result.path[:4] == [
        "invoke-writer",
        "retry-writer",
        "check-writer-status",
        "remember-request-id",
    ]
    assert [call.ok for call in result.lambda_calls[:2]] == [False, True]
    assert result.lambda_calls[1].parameters == result.lambda_calls[0].parameters
    assert result.success


def test_a_writer_failing_twice_ends_with_the_apology(rendered: str) -> None:
    result = simulate_contact(rendered, stubs(writers=[WRITER_FAILED, WRITER_FAILED]))
    assert result.path == ["invoke-writer", "retry-writer", "apologize", "disconnect"]
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


@pytest.mark.parametrize("channel", CHANNELS)
def test_branches_the_flow_takes_on_purpose_are_not_errors(rendered: str, channel: str) -> None:
    contact = ContactData(channel=channel)
    result = simulate_contact(rendered, stubs(status("COMPLETE", Balance="1")), contact=contact)
    assert result.success, result.render_transcript()
    assert [line.action for line in result.transcript if line.kind == "ERROR"] == []
