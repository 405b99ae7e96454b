"""The simulator on crafted flows, with canned Lambda answers (no network)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from flowkit import CHECKER_ARN, QUEUE_ARN, WRITER_ARN, Kit

from tracker_sandbox.flows import (
    ContactData,
    InvalidContactFlow,
    InvocationOutcome,
    RealClock,
    SimulationOptions,
    StubInvoker,
    StubResponse,
    simulate_contact,
)
from tracker_sandbox.flows.outcomes import OutcomePlan
from tracker_sandbox.flows.speech import speech_seconds

K = Kit
PENDING = {"Status": "PENDING", "RequestId": "r-1"}


def tracker_stubs(*checker: Any, writer: Any = None) -> StubInvoker:
    return StubInvoker(
        {
            WRITER_ARN: [writer or StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 0.5)],
            CHECKER_ARN: list(checker) or [StubResponse(PENDING, 0.25)],
        }
    )


def complete(balance: str = "12.50") -> StubResponse:
    return StubResponse({"Status": "COMPLETE", "RequestId": "r-1", "Balance": balance}, 0.25)


# The tracker flow end to end ----------------------------------------------------------


def test_success_path(tracker_flow: dict[str, Any]) -> None:
    invoker = tracker_stubs(StubResponse(PENDING, 0.25), complete())
    contact = ContactData(
        contact_id="c-1", customer_address="+4930123", attributes={"AccountId": "42"}
    )
    result = simulate_contact(tracker_flow, invoker, contact=contact)

    assert result.success, result.success_reason
    assert result.ended_by == "DisconnectParticipant"
    assert result.path == [
        "logging",
        "greet",
        "invoke-writer",
        "save-request",
        "poll-loop",
        "hold-prompt",
        "invoke-checker",
        "check-status",
        "poll-loop",
        "hold-prompt",
        "invoke-checker",
        "check-status",
        "say-result",
        "hang-up",
    ]
    assert [p.text for p in result.prompts][
        -1
    ] == "Thank you for waiting. Your balance is 12.50 dollars."
    assert result.attributes == {"AccountId": "42", "TrackerRequestId": "r-1"}
    writer, first_check, second_check = result.lambda_calls
    assert writer.parameters == {"TaskName": "lookup", "AccountId": "42", "Caller": "+4930123"}
    assert first_check.parameters == {"RequestId": "r-1"}
    assert second_check.response["Status"] == "COMPLETE"
    assert result.warnings == []


def test_lambda_receives_connects_event_shape(tracker_flow: dict[str, Any]) -> None:
    invoker = tracker_stubs(complete())
    contact = ContactData(contact_id="c-1", attributes={"AccountId": "42"})
    simulate_contact(tracker_flow, invoker, contact=contact)
    arn, event = invoker.calls[1]
    assert arn == CHECKER_ARN
    assert event["Name"] == "ContactFlowEvent"
    assert event["Details"]["Parameters"] == {"RequestId": "r-1"}
    data = event["Details"]["ContactData"]
    assert data["Attributes"] == {"AccountId": "42", "TrackerRequestId": "r-1"}
    assert data["ContactId"] == data["InitialContactId"] == data["PreviousContactId"] == "c-1"
    assert data["Channel"] == "VOICE"
    assert data["CustomerEndpoint"] == {"Address": "+15555550100", "Type": "TELEPHONE_NUMBER"}
    assert data["Queue"] is None


def test_function_error_takes_the_error_branch(tracker_flow: dict[str, Any]) -> None:
    failing = StubResponse(
        {"errorMessage": "boom", "errorType": "RuntimeError"}, 0.1, function_error="Unhandled"
    )
    result = simulate_contact(tracker_flow, tracker_stubs(writer=failing))
    assert result.path[:4] == ["logging", "greet", "invoke-writer", "say-sorry"]
    call = result.lambda_calls[0]
    assert (call.ok, call.error_kind) == (False, "FunctionError")
    assert "boom" in (call.error or "")
    assert result.ended_by == "TransferContactToQueue"
    assert not result.success  # the flow's metadata names say-result as the success action


def test_time_limit_overrun_takes_the_error_branch_and_costs_the_limit(
    tracker_flow: dict[str, Any],
) -> None:
    slow = StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 3.5)  # the block allows 3 s
    result = simulate_contact(tracker_flow, tracker_stubs(writer=slow))
    call = result.lambda_calls[0]
    assert (call.ok, call.error_kind) == (False, "TimeLimitExceeded")
    assert result.path[3] == "say-sorry"
    assert result.prompts[1].at == pytest.approx(4.0 + 3.0)  # greet, then the 3 s Connect waited


def test_an_answer_exactly_at_the_limit_is_in_time(tracker_flow: dict[str, Any]) -> None:
    on_time = StubResponse({"RequestId": "r-1", "Status": "PENDING"}, 3.0)
    result = simulate_contact(tracker_flow, tracker_stubs(complete(), writer=on_time))
    assert result.lambda_calls[0].ok


@pytest.mark.parametrize(
    "response",
    [
        {"Status": "COMPLETE", "Count": 3},
        {"Status": "COMPLETE", "Done": True},
        {"Status": "COMPLETE", "Result": {"a": "b"}},
        {"Status": None},
    ],
)
def test_non_string_values_under_string_map_take_the_error_branch(
    tracker_flow: dict[str, Any], response: dict[str, Any]
) -> None:
    result = simulate_contact(tracker_flow, tracker_stubs(StubResponse(response, 0.1)))
    check = result.lambda_calls[1]
    assert (check.ok, check.error_kind) == (False, "InvalidResponse")
    assert result.path[result.path.index("invoke-checker") + 1] == "poll-loop"  # its error branch


@pytest.mark.parametrize(
    ("stub", "kind"),
    [
        (StubResponse(raw=b"not json"), "InvalidResponse"),
        (StubResponse(None), "InvalidResponse"),
        (StubResponse(["a"]), "InvalidResponse"),
        (StubResponse({"Big": "x" * 33_000}), "ResponseTooLarge"),
    ],
)
def test_unusable_responses_take_the_error_branch(stub: StubResponse, kind: str) -> None:
    flow = K.flow(
        K.invoke("call", next_action="ok", error="bad"),
        K.say("ok", "fine"),
        K.say("bad", "sorry"),
        K.hang_up(),
    )
    result = simulate_contact(flow, StubInvoker({WRITER_ARN: [stub]}))
    assert result.lambda_calls[0].error_kind == kind
    assert result.path == ["call", "bad", "hang-up"]


def test_json_validation_accepts_nested_responses() -> None:
    flow = K.flow(
        K.invoke("call", response_type="JSON", next_action="say"),
        K.say("say", "Hello $.External.customer.name"),
        K.hang_up(),
    )
    result = simulate_contact(
        flow, StubInvoker({WRITER_ARN: [{"customer": {"name": "Ada"}, "n": 3}]})
    )
    assert result.ended_normally
    assert result.lambda_calls[0].ok
    assert result.prompts[0].text == "Hello Ada"


def test_failed_invocation_takes_the_error_branch() -> None:
    flow = K.flow(
        K.invoke("call", next_action="hang-up", error="sorry"), K.say("sorry", "Sorry"), K.hang_up()
    )
    result = simulate_contact(flow, StubInvoker({}))
    assert result.lambda_calls[0].error_kind == "InvokeFailed"
    assert result.path == ["call", "sorry", "hang-up"]
    assert not result.success  # by default a Lambda error branch is a failure


def test_loop_exhaustion(tracker_flow: dict[str, Any]) -> None:
    result = simulate_contact(tracker_flow, tracker_stubs())  # the checker always says PENDING
    assert len(result.lambda_calls) == 1 + 5  # the writer, then LoopCount checks
    assert result.path.count("poll-loop") == 6  # 5 x ContinueLooping, 1 x DoneLooping
    assert [s.result for s in result.steps if s.action == "poll-loop"][-1] == "DoneLooping"
    assert result.steps[-1].result == "end:TransferContactToQueue"
    assert len(result.steps) == len(result.path)
    assert result.path[-3:] == ["say-sorry", "set-queue", "to-queue"]
    assert result.ended_by == "TransferContactToQueue"
    assert not result.success


def test_loop_counter_resets_after_done() -> None:
    flow = K.flow(
        K.action(
            "loop",
            "Loop",
            {"LoopCount": "1"},
            next_action="second",
            conditions=[
                ("Equals", ["ContinueLooping"], "again"),
                ("Equals", ["DoneLooping"], "second"),
            ],
        ),
        K.say("again", "again", next_action="loop"),
        K.action(
            "second",
            "Compare",
            {"ComparisonValue": "$.Attributes.Round"},
            next_action="mark",
            conditions=[("Equals", ["2"], "hang-up")],
            errors={"NoMatchingCondition": "mark"},
        ),
        K.action(
            "mark",
            "UpdateContactAttributes",
            {"Attributes": {"Round": "2"}},
            next_action="loop",
            errors={"NoMatchingError": "loop"},
        ),
        K.hang_up(),
    )
    result = simulate_contact(flow, StubInvoker({}))
    assert [s.result for s in result.steps if s.action == "loop"] == [
        "ContinueLooping",
        "DoneLooping",
        "ContinueLooping",
        "DoneLooping",
    ]


def test_loop_count_zero_is_done_at_once() -> None:
    flow = K.flow(
        K.action(
            "loop",
            "Loop",
            {"LoopCount": "0"},
            next_action="done",
            conditions=[
                ("Equals", ["ContinueLooping"], "hang-up"),
                ("Equals", ["DoneLooping"], "done"),
            ],
        ),
        K.say("done", "done"),
        K.hang_up(),
    )
    assert simulate_contact(flow, StubInvoker({})).path == ["loop", "done", "hang-up"]


def test_compare_without_a_match_takes_no_matching_condition(tracker_flow: dict[str, Any]) -> None:
    result = simulate_contact(tracker_flow, tracker_stubs(StubResponse({"Status": "WEIRD"}, 0.1)))
    after = result.path[result.path.index("check-status") + 1]
    assert after == "say-sorry"
    assert result.steps[result.path.index("check-status")].result == "error:NoMatchingCondition"


@pytest.mark.parametrize(
    ("operator", "operand", "value", "matches"),
    [
        ("NumberGreaterThan", "3", "10", True),
        ("NumberGreaterThan", "3", "3", False),
        ("NumberLessOrEqualTo", "3", "3", True),
        ("NumberLessThan", "3", "abc", False),
        ("TextStartsWith", "COMP", "COMPLETE", True),
        ("TextEndsWith", "ETE", "COMPLETE", True),
        ("TextContains", "PLE", "COMPLETE", True),
        ("Equals", "complete", "COMPLETE", False),
    ],
)
def test_compare_operators(operator: str, operand: str, value: str, matches: bool) -> None:
    flow = K.flow(
        K.action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.Attributes.V"},
            next_action="no",
            conditions=[(operator, [operand], "yes")],
            errors={"NoMatchingCondition": "no"},
        ),
        K.say("yes", "yes"),
        K.say("no", "no"),
        K.hang_up(),
    )
    result = simulate_contact(flow, StubInvoker({}), contact=ContactData(attributes={"V": value}))
    assert result.path[1] == ("yes" if matches else "no")


def test_references_are_resolved_and_missing_ones_noted() -> None:
    flow = K.flow(
        K.action(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"Caller": "$.CustomerEndpoint.Address", "Id": "$.ContactId"}},
            next_action="say",
            errors={"NoMatchingError": "say"},
        ),
        K.say(
            "say",
            "Hi $.Attributes.Name, calling from $.Attributes.Caller about $.Attributes.Missing.",
        ),
        K.hang_up(),
    )
    contact = ContactData(contact_id="c-9", customer_address="+111", attributes={"Name": "Ada"})
    result = simulate_contact(flow, StubInvoker({}), contact=contact)
    assert result.attributes == {"Name": "Ada", "Caller": "+111", "Id": "c-9"}
    assert result.prompts[0].text == "Hi Ada, calling from +111 about ."
    assert result.warnings == ["$.Attributes.Missing had no value"]


def test_simulated_clock_arithmetic(tracker_flow: dict[str, Any]) -> None:
    result = simulate_contact(tracker_flow, tracker_stubs(StubResponse(PENDING, 0.25), complete()))
    # greet: 10 words at 150 wpm = 4.0 s; hold: 7 words = 2.8 s + a 2 s break = 4.8 s;
    # writer 0.5 s, checker 0.25 s; result prompt: 9 words = 3.6 s.
    assert [round(p.seconds, 3) for p in result.prompts] == [4.0, 4.8, 4.8, 3.6]
    assert [round(p.at, 3) for p in result.prompts] == [0.0, 4.5, 9.55, 14.6]
    assert [round(c.started_at, 3) for c in result.lambda_calls] == [4.0, 9.3, 14.35]
    assert result.elapsed_seconds == pytest.approx(18.2)


def test_pace_and_recorded_prompts_and_waits() -> None:
    flow = K.flow(
        K.say("say", "one two three four five six", next_action="prompt"),
        K.action(
            "prompt",
            "MessageParticipant",
            {"PromptId": "arn:prompt/hold-music"},
            next_action="wait",
        ),
        K.action(
            "wait",
            "Wait",
            {"TimeLimitSeconds": "7"},
            conditions=[("Equals", ["WaitCompleted"], "hang-up")],
        ),
        K.hang_up(),
    )
    options = SimulationOptions(
        words_per_minute=120, prompt_seconds={"arn:prompt/hold-music": 30.0}
    )
    # Connect would refuse the Wait (no NextAction, no error branch): validate=False.
    result = simulate_contact(flow, StubInvoker({}), options=options, validate=False)
    assert [p.seconds for p in result.prompts] == [3.0, 30.0]
    # A plain Wait is not supported on voice: its error branch (none here) ends the call.
    assert (result.elapsed_seconds, result.ended_by) == (pytest.approx(33.0), "UnhandledError")


def test_speech_estimate() -> None:
    assert speech_seconds("a b c", words_per_minute=60) == 3.0
    assert (
        speech_seconds('<speak>a <break time="500ms"/> b</speak>', words_per_minute=60, ssml=True)
        == 2.5
    )


# Guards and abnormal endings ---------------------------------------------------------


def test_max_steps_guards_against_endless_flows() -> None:
    flow = K.flow(K.say("a", "a", next_action="b"), K.say("b", "b", next_action="a"))
    result = simulate_contact(flow, StubInvoker({}), options=SimulationOptions(max_steps=50))
    assert (result.ended_by, len(result.steps), result.success) == ("MaxSteps", 50, False)


def test_max_contact_seconds() -> None:
    flow = K.flow(
        K.action(
            "wait",
            "Wait",
            {"TimeLimitSeconds": "600"},
            next_action="wait",
            conditions=[("Equals", ["WaitCompleted"], "wait")],
            errors={"NoMatchingError": "wait"},
        ),
    )
    result = simulate_contact(
        flow,
        StubInvoker({}),
        contact=ContactData(channel="CHAT"),
        options=SimulationOptions(max_contact_seconds=3000),
    )
    assert result.ended_by == "MaxDuration"
    assert result.path.count("wait") == 6


def test_error_without_a_branch_ends_the_contact() -> None:
    flow = K.flow(K.invoke("call", error=None), K.hang_up())
    # Connect refuses the flow (the error branch is required): validate=False.
    result = simulate_contact(flow, StubInvoker({}), validate=False)
    assert (result.ended_by, result.success) == ("UnhandledError", False)


def test_transfer_without_a_queue_is_an_error() -> None:
    flow = K.flow(
        K.action(
            "to-queue",
            "TransferContactToQueue",
            next_action="hang-up",
            errors={"QueueAtCapacity": "sorry", "NoMatchingError": "sorry"},
        ),
        K.say("sorry", "sorry"),
        K.hang_up(),
    )
    assert simulate_contact(flow, StubInvoker({})).path == ["to-queue", "sorry", "hang-up"]
    queued = ContactData(queue={"ARN": QUEUE_ARN, "Name": "basic"})
    assert (
        simulate_contact(flow, StubInvoker({}), contact=queued).ended_by == "TransferContactToQueue"
    )


@pytest.mark.parametrize("type_", ["FutureAction", "InvokeLambdaFunction"])
def test_unsimulated_actions_stop_the_contact(type_: str) -> None:
    if type_ == "InvokeLambdaFunction":
        action = K.invoke("x", limit="30")
        action["Parameters"]["InvocationType"] = "ASYNCHRONOUS"
    else:  # a type the simulator has no handler for (Connect would refuse it, too)
        action = K.action("x", type_, {"Text": "Press 1"}, errors={"NoMatchingError": "hang-up"})
    result = simulate_contact(K.flow(action, K.hang_up()), StubInvoker({}), validate=False)
    assert (result.ended_by, result.success) == ("UnsupportedAction", False)


def test_invalid_flows_are_refused_unless_told_otherwise() -> None:
    flow = K.flow(K.say("a", "Hi", next_action="ghost"))
    with pytest.raises(InvalidContactFlow):
        simulate_contact(flow, StubInvoker({}))
    result = simulate_contact(flow, StubInvoker({}), validate=False)
    assert (result.path, result.ended_by) == (["a"], "DanglingNextAction")


def test_association_is_checked_when_asked(tracker_flow: dict[str, Any]) -> None:
    with pytest.raises(InvalidContactFlow) as raised:
        simulate_contact(tracker_flow, tracker_stubs(), associated_lambda_arns=[WRITER_ARN])
    assert raised.value.problems[0].action == "invoke-checker"


# Success criteria --------------------------------------------------------------------


def test_explicit_success_and_failure_actions(tracker_flow: dict[str, Any]) -> None:
    def stubs() -> StubInvoker:
        return tracker_stubs(complete())

    options = SimulationOptions(success_actions=frozenset({"hang-up"}))
    assert simulate_contact(tracker_flow, stubs(), options=options).success
    options = SimulationOptions(success_actions=frozenset({"to-queue"}))
    assert not simulate_contact(tracker_flow, stubs(), options=options).success
    options = SimulationOptions(failure_actions=frozenset({"invoke-checker"}))
    result = simulate_contact(tracker_flow, stubs(), options=options)
    assert not result.success
    assert "failure action 'invoke-checker'" in result.success_reason


def test_without_a_known_success_action_no_contact_succeeds() -> None:
    flow = K.flow(K.invoke("call", next_action="hang-up", error="hang-up"), K.hang_up())
    result = simulate_contact(flow, StubInvoker({WRITER_ARN: [{"a": "b"}]}))
    assert (result.ended_normally, result.success, result.outcome) == (True, False, None)
    assert "no success action is known" in result.success_reason
    named = SimulationOptions(success_actions=frozenset({"hang-up"}))
    assert simulate_contact(flow, StubInvoker({WRITER_ARN: [{"a": "b"}]}), options=named).success


# Real time ---------------------------------------------------------------------------


def test_real_time_clock_sleeps_the_prompts() -> None:
    slept: list[float] = []
    now = [100.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    clock = RealClock(sleep=sleep, monotonic=lambda: now[0])
    flow = K.flow(K.say("a", "one two three four five"), K.hang_up())
    result = simulate_contact(flow, StubInvoker({}), clock=clock)
    assert slept == [2.0]
    assert result.clock == "real"
    assert result.elapsed_seconds == 2.0


class _SlowInvoker:
    def __init__(self) -> None:
        self.release = threading.Event()

    def invoke(
        self, function_arn: str, event: Mapping[str, Any], time_limit_seconds: float
    ) -> InvocationOutcome:
        self.release.wait(5)
        return InvocationOutcome(5.0, payload=b"{}")


def test_real_time_stops_waiting_at_the_time_limit() -> None:
    flow = K.flow(
        K.invoke("call", limit="0.2", next_action="hang-up", error="sorry"),
        K.say("sorry", "x"),
        K.hang_up(),
    )
    invoker = _SlowInvoker()
    started = time.monotonic()
    try:
        result = simulate_contact(
            flow,
            invoker,
            validate=False,
            options=SimulationOptions(real_time=True, words_per_minute=6000),
        )
    finally:
        invoker.release.set()
    assert time.monotonic() - started < 2.0
    assert result.lambda_calls[0].error_kind == "TimeLimitExceeded"
    assert result.path == ["call", "sorry", "hang-up"]


# Output ------------------------------------------------------------------------------


def test_summary_and_transcript(tracker_flow: dict[str, Any]) -> None:
    result = simulate_contact(
        tracker_flow, tracker_stubs(complete()), contact=ContactData(contact_id="c-1")
    )
    summary = json.loads(json.dumps(result.to_dict()))
    assert summary["success"] is True
    assert summary["ended_by"] == "DisconnectParticipant"
    assert summary["path"] == result.path
    assert summary["lambda_calls"][0]["function_arn"] == WRITER_ARN
    assert summary["lambda_calls"][0]["outcome"] == "success"
    assert summary["lambda_calls"][0]["duration_seconds"] == 0.5
    assert summary["prompts"][0]["text"].startswith("Thanks for calling")
    transcript = result.render_transcript()
    assert transcript.splitlines()[0] == "Contact c-1 (VOICE, simulated clock)"
    assert "00:00.0  SAY     Thanks for calling." in transcript
    assert transcript.splitlines()[-1].startswith("SUCCESS: ended by DisconnectParticipant")


# Channels ----------------------------------------------------------------------------


def _on(channel: str) -> ContactData:
    return ContactData(channel=channel)


def test_play_prompt_per_channel() -> None:
    flow = K.flow(K.say("hello", "one two three four five"), K.hang_up())
    voice, chat, task = (
        simulate_contact(flow, StubInvoker({}), contact=_on(channel))
        for channel in ("VOICE", "CHAT", "TASK")
    )
    assert [(p.seconds, p.delivered) for p in voice.prompts] == [(2.0, True)]
    assert voice.elapsed_seconds == pytest.approx(2.0)
    assert [(p.seconds, p.delivered) for p in chat.prompts] == [(0.0, True)]
    assert chat.elapsed_seconds == 0.0
    assert [(p.seconds, p.delivered) for p in task.prompts] == [(0.0, False)]
    assert all(r.ended_by == "DisconnectParticipant" for r in (voice, chat, task))


def test_ssml_and_recorded_prompts_are_voice_only() -> None:
    for parameters in ({"SSML": "<speak>Hi</speak>"}, {"PromptId": "arn:prompt/music"}):
        flow = K.flow(
            K.action(
                "hello",
                "MessageParticipant",
                parameters,
                next_action="hang-up",
                errors={"NoMatchingError": "sorry"},
            ),
            K.say("sorry", "Sorry"),
            K.hang_up(),
        )
        assert simulate_contact(flow, StubInvoker({}), contact=_on("CHAT")).path == [
            "hello",
            "sorry",
            "hang-up",
        ]
        assert simulate_contact(flow, StubInvoker({})).path == ["hello", "hang-up"]


def _wait_flow(parameters: dict[str, Any]) -> dict[str, Any]:
    return K.flow(
        K.action(
            "wait",
            "Wait",
            parameters,
            next_action="done",
            conditions=[("Equals", ["WaitCompleted"], "done")],
            errors={"NoMatchingError": "failed"},
        ),
        K.say("done", "done"),
        K.say("failed", "failed"),
        K.hang_up(),
    )


@pytest.mark.parametrize("channel", ["CHAT", "TASK", "EMAIL"])
def test_wait_waits_on_chat_task_and_email(channel: str) -> None:
    result = simulate_contact(
        _wait_flow({"TimeLimitSeconds": "42"}), StubInvoker({}), contact=_on(channel)
    )
    assert (result.path[:2], result.elapsed_seconds) == (["wait", "done"], 42.0)


def test_wait_reads_the_time_limit_the_flow_editor_exports() -> None:
    flow = _wait_flow({"TimeLimitSeconds": "300"})
    result = simulate_contact(flow, StubInvoker({}), contact=_on("CHAT"))
    assert (result.path[:2], result.elapsed_seconds) == (["wait", "done"], 300.0)


def test_a_plain_wait_on_voice_takes_the_error_branch() -> None:
    result = simulate_contact(_wait_flow({"TimeLimitSeconds": "42"}), StubInvoker({}))
    assert (result.path[:2], result.elapsed_seconds) == (["wait", "failed"], pytest.approx(0.4))


@pytest.mark.parametrize("timeout", ["0", "604801", "1.5", "soon"])
def test_a_wait_timeout_out_of_range_takes_the_error_branch(timeout: str) -> None:
    flow = _wait_flow({"TimeLimitSeconds": timeout})
    result = simulate_contact(flow, StubInvoker({}), contact=_on("CHAT"), validate=False)
    assert result.path[:2] == ["wait", "failed"]


def test_the_channel_is_what_the_flow_compares() -> None:
    flow = K.flow(
        K.action(
            "which",
            "Compare",
            {"ComparisonValue": "$.Channel"},
            next_action="other",
            conditions=[("Equals", ["TASK"], "task")],
            errors={"NoMatchingCondition": "other"},
        ),
        K.say("task", "task"),
        K.say("other", "other"),
        K.hang_up(),
    )
    assert simulate_contact(flow, StubInvoker({}), contact=_on("TASK")).path[:2] == [
        "which",
        "task",
    ]
    assert simulate_contact(flow, StubInvoker({})).path[:2] == ["which", "other"]


def _input_flow() -> dict[str, Any]:
    return K.flow(
        K.action(
            "menu",
            "GetParticipantInput",
            {"Text": "Press one", "InputTimeLimitSeconds": "4", "StoreInput": "False"},
            next_action="other",
            conditions=[("Equals", ["1"], "one")],
            errors={
                "InputTimeLimitExceeded": "timeout",
                "NoMatchingCondition": "other",
                "NoMatchingError": "error",
            },
        ),
        *(K.say(name, name) for name in ("one", "timeout", "other", "error")),
        K.hang_up(),
    )


def test_get_customer_input_per_channel() -> None:
    def path(channel: str, *inputs: str) -> list[str]:
        options = SimulationOptions(outcomes=OutcomePlan(inputs=inputs))
        result = simulate_contact(
            _input_flow(), StubInvoker({}), contact=_on(channel), options=options
        )
        return result.path[:2]

    assert path("VOICE", "1") == ["menu", "one"]
    assert path("VOICE", "9") == ["menu", "other"]
    assert path("VOICE", "") == ["menu", "timeout"]  # an empty entry: the caller entered nothing
    # Chat: only with Amazon Lex (not modelled); task: not supported.
    assert path("CHAT", "1") == ["menu", "error"]
    assert path("TASK", "1") == ["menu", "error"]


def _transfer_flow(target: str) -> dict[str, Any]:
    return K.flow(
        K.action(
            "remember",
            "UpdateContactAttributes",
            {"Attributes": {"Carried": "yes"}},
            next_action="transfer",
            errors={"NoMatchingError": "sorry"},
        ),
        K.action(
            "transfer",
            "TransferToFlow",
            {"ContactFlowId": target},
            next_action="sorry",
            errors={"NoMatchingError": "sorry"},
        ),
        K.say("sorry", "sorry"),
        K.hang_up(),
    )


def test_transfer_to_flow_continues_as_a_new_contact_of_the_chain() -> None:
    second = K.flow(
        K.invoke("call", attributes={"Carried": "$.Attributes.Carried"}, next_action="hang-up"),
        K.hang_up(),
    )
    invoker = StubInvoker({WRITER_ARN: [PENDING]})
    arn = "arn:aws:connect:us-east-1:000000000000:instance/i-1/contact-flow/second"
    contact = ContactData(contact_id="c-1")
    result = simulate_contact(
        _transfer_flow(arn), invoker, contact=contact, flows={"second": json.dumps(second)}
    )
    assert result.ended_normally, result.success_reason
    assert result.contact_ids[0] == "c-1" and len(result.contact_ids) == 2
    data = invoker.calls[0][1]["Details"]["ContactData"]
    assert data["ContactId"] == result.contact_ids[1]
    assert (data["InitialContactId"], data["PreviousContactId"]) == ("c-1", "c-1")
    assert invoker.calls[0][1]["Details"]["Parameters"] == {"Carried": "yes"}
    assert result.to_dict()["transfers"][0]["to_contact_id"] == result.contact_ids[1]


def test_transfer_to_an_unknown_flow_ends_the_contact() -> None:
    result = simulate_contact(_transfer_flow("elsewhere"), StubInvoker({}), flows={})
    assert (result.ended_by, result.contact_ids[1:]) == ("TransferToFlow", [])


def test_transfer_to_an_invalid_flow_takes_the_error_branch() -> None:
    broken = {"Version": "2019-10-30", "StartAction": "ghost", "Actions": []}
    result = simulate_contact(
        _transfer_flow("broken"), StubInvoker({}), flows={"broken": json.dumps(broken)}
    )
    assert result.path[-2:] == ["sorry", "hang-up"]


def test_the_verdict_reports_the_outcome_and_the_last_prompt() -> None:
    flow = K.flow(
        K.say("thank-caller", "Thanks", next_action="hang-up"),
        K.say("apologize", "Sorry"),
        K.hang_up(),
    )
    result = simulate_contact(flow, StubInvoker({}))
    summary = result.to_dict()
    assert (summary["outcome"], summary["result_delivered"], summary["success"]) == (
        "RESULT",
        True,
        True,
    )
    assert summary["final_prompt"]["action"] == "thank-caller"
    sorry = K.flow(K.say("apologize", "Sorry"), K.say("thank-caller", "Thanks"), K.hang_up())
    result = simulate_contact(sorry, StubInvoker({}), validate=False)
    assert (result.outcome, result.success, result.result_delivered) == ("APOLOGY", False, False)
    assert "outcome APOLOGY" in result.render_transcript()
