"""Real-shaped flows end to end: pass-through and unknown-outcome blocks, answers and
input, --strict, references embedded in text, $.FlowAttributes, and Connect's retries
of a throttled or failing Lambda invocation (issue 13, item 3)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from flowkit import CHECKER_ARN, QUEUE_ARN, WRITER_ARN, Kit

from tracker_sandbox.flows import (
    ContactData,
    InvocationOutcome,
    SimulationOptions,
    SimulationResult,
    StubInvoker,
    StubResponse,
    simulate_contact,
)
from tracker_sandbox.flows.aws import Boto3LambdaInvoker
from tracker_sandbox.flows.cli import main
from tracker_sandbox.flows.outcomes import (
    OutcomePlan,
    parse_answers,
    parse_values,
)
from tracker_sandbox.flows.retries import MAX_RETRIES, invoke_with_retries, is_retryable
from tracker_sandbox.flows.runners.passthrough import PASS_THROUGH, UNKNOWN_OUTCOME_TYPES

K = Kit
CORPUS = Path(__file__).parent / "corpus"
THROTTLED = StubResponse(
    duration_seconds=0.2,
    failure="TooManyRequestsException: Rate Exceeded.",
    status_code=429,
)
GOLD = StubResponse({"Tier": "gold", "Balance": "12.50"}, 0.3)


def corpus(type_: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CORPUS / f"action-{type_}.json").read_text())
    return document


def run(
    flow: dict[str, Any],
    invoker: StubInvoker | None = None,
    *,
    contact: ContactData | None = None,
    **plan: Any,
) -> SimulationResult:
    options = SimulationOptions(outcomes=OutcomePlan(**plan))
    return simulate_contact(flow, invoker or StubInvoker({}), contact=contact, options=options)


def kinds(result: SimulationResult, kind: str) -> list[str]:
    return [line.action for line in result.transcript if line.kind == kind]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def menu(identifier: str = "menu", **parameters: Any) -> dict[str, Any]:
    """Get customer input: 1 -> lookup, 2 -> queue; errors go to "sorry"."""
    return K.action(
        identifier,
        "GetParticipantInput",
        {
            "Text": "Press 1 for your balance, 2 for an agent.",
            "InputTimeLimitSeconds": "5",
            "StoreInput": "False",
        }
        | parameters,
        next_action="sorry",
        errors={
            "InputTimeLimitExceeded": "sorry",
            "NoMatchingCondition": "sorry",
            "NoMatchingError": "sorry",
        },
        conditions=[("Equals", ["1"], "lookup"), ("Equals", ["2"], "set-queue")],
    )


def ivr() -> dict[str, Any]:
    """A real-shaped inbound flow (the blocks an exported IVR uses, written from the
    reference): logging, recording, a voice, a profile lookup, a flow attribute, hours,
    a menu, a Lambda lookup, routing criteria and a queue transfer."""
    return K.flow(
        K.action(
            "logging",
            "UpdateFlowLoggingBehavior",
            {"FlowLoggingBehavior": "Enabled"},
            next_action="recording",
        ),
        K.action(
            "recording",
            "UpdateContactRecordingBehavior",
            {
                "RecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"]},
                "AnalyticsBehavior": {"Enabled": "True", "AnalyticsLanguage": "en-US"},
            },
            next_action="profile",
        ),
        K.action(
            "profile",
            "GetCustomerProfile",
            {
                "ProfileRequestData": {
                    "IdentifierName": "_phone",
                    "IdentifierValue": "$.CustomerEndpoint.Address",
                },
                "ProfileResponseData": ["FirstName", "LastName"],
            },
            next_action="greeting",
            errors={"NoMatchingError": "greeting"},
        ),
        K.action(
            "greeting",
            "UpdateFlowAttributes",
            {"FlowAttributes": {"Greeting": {"Value": "Hello $.Customer.FirstName"}}},
            next_action="greet",
            errors={"NoMatchingError": "greet"},
        ),
        K.say("greet", "$.FlowAttributes.Greeting, thanks for calling.", next_action="hours"),
        K.action(
            "hours",
            "CheckHoursOfOperation",
            {},
            next_action="closed",
            errors={"NoMatchingError": "closed"},
            conditions=[("Equals", ["False"], "closed"), ("Equals", ["True"], "menu")],
        ),
        menu(),
        K.invoke("lookup", CHECKER_ARN, next_action="say-balance", error="sorry"),
        K.say("say-balance", "Your balance is $.External.Balance dollars.", "hang-up"),
        K.action(
            "set-queue",
            "UpdateContactTargetQueue",
            {"QueueId": QUEUE_ARN},
            next_action="criteria",
            errors={"NoMatchingError": "sorry"},
        ),
        K.action(
            "criteria",
            "UpdateContactRoutingCriteria",
            {"RoutingCriteria": {"Steps": []}},
            next_action="to-queue",
            errors={"NoMatchingError": "to-queue"},
        ),
        K.action(
            "to-queue",
            "TransferContactToQueue",
            next_action="hang-up",
            errors={"QueueAtCapacity": "sorry", "NoMatchingError": "sorry"},
        ),
        K.say("closed", "We are closed.", "hang-up"),
        K.say("sorry", "Sorry, something went wrong.", "hang-up"),
        K.hang_up(),
        Metadata={"TrackerSandbox": {"SuccessActions": ["say-balance", "to-queue"]}},
    )


# A real-shaped flow end to end ------------------------------------------------------


def test_a_real_shaped_ivr_runs_to_its_end_on_defaults() -> None:
    result = run(
        ivr(),
        StubInvoker({CHECKER_ARN: [GOLD]}),
        values={("Customer", ("FirstName",)): "Ana"},
    )

    assert result.success, result.success_reason
    assert result.path == [
        "logging",
        "recording",
        "profile",
        "greeting",
        "greet",
        "hours",
        "menu",
        "lookup",
        "say-balance",
        "hang-up",
    ]
    assert kinds(result, "PASS") == ["recording"]
    assert [(a.action, a.source, a.branch) for a in result.assumptions] == [
        ("profile", "default", "next"),
        ("hours", "default", "condition:True"),  # True although False is listed first
        ("menu", "default", "condition:1"),
    ]
    assert [p.text for p in result.prompts] == [
        "Hello Ana, thanks for calling.",
        "Press 1 for your balance, 2 for an agent.",
        "Your balance is 12.50 dollars.",
    ]
    assert result.flow_attributes == {"Greeting": "Hello Ana"}
    assert "Greeting" not in result.attributes


def test_the_same_ivr_with_answers_and_input() -> None:
    contact = ContactData(contact_id="c-1")
    closed = run(ivr(), answers={"hours": ("False",)}, contact=contact)
    assert closed.path[-2:] == ["closed", "hang-up"]

    queued = run(ivr(), inputs=("2",), contact=contact)
    assert queued.ended_by == "TransferContactToQueue"
    assert queued.path[-3:] == ["set-queue", "criteria", "to-queue"]
    assert kinds(queued, "PASS") == ["recording", "criteria"]
    assert queued.assumptions[-1].to_dict() == {
        "action": "menu",
        "type": "GetParticipantInput",
        "source": "input",
        "value": "2",
        "branch": "condition:2",
    }

    no_profile = run(ivr(), answers={"profile": ("NoMatchingError",), "menu": ("2",)})
    assert no_profile.path[:4] == ["logging", "recording", "profile", "greeting"]
    assert no_profile.prompts[0].text == "Hello , thanks for calling."
    assert any("$.Customer.FirstName" in warning for warning in no_profile.warnings)


# Pass-through blocks ----------------------------------------------------------------


@pytest.mark.parametrize("type_", sorted(PASS_THROUGH))
def test_every_pass_through_type_takes_its_success_branch(type_: str) -> None:
    result = run(corpus(type_))
    assert result.ended_normally, result.success_reason
    assert result.path == ["x", "end"]
    assert kinds(result, "PASS") == ["x"]
    assert result.assumptions == []


def test_an_answer_sends_a_pass_through_block_down_its_error_branch() -> None:
    flow = K.flow(
        K.action(
            "tag",
            "TagContact",
            {"Tags": {"a": "b"}},
            next_action="ok",
            errors={"NoMatchingError": "failed"},
        ),
        K.say("ok", "ok"),
        K.say("failed", "failed"),
        K.hang_up(),
    )
    assert run(flow).path == ["tag", "ok", "hang-up"]
    forced = run(flow, answers={"tag": ("NoMatchingError",)})
    assert forced.path == ["tag", "failed", "hang-up"]
    assert forced.assumptions[0].source == "answer"


def test_strict_does_not_stop_at_pass_through_blocks() -> None:
    result = run(corpus("UpdateContactEventHooks"), strict=True)
    assert (result.ended_by, result.ended_normally) == ("DisconnectParticipant", True)


# Unknown-outcome blocks -------------------------------------------------------------


@pytest.mark.parametrize("type_", sorted(UNKNOWN_OUTCOME_TYPES))
def test_every_unknown_outcome_type_takes_a_default_branch(type_: str) -> None:
    result = run(corpus(type_))
    assert result.ended_normally, result.success_reason
    (assumption,) = result.assumptions
    assert (assumption.action, assumption.source) == ("x", "default")
    assert kinds(result, "ASSUME") == ["x"]


@pytest.mark.parametrize("type_", sorted(UNKNOWN_OUTCOME_TYPES))
def test_strict_stops_at_every_unknown_outcome_type(type_: str) -> None:
    result = run(corpus(type_), strict=True)
    assert (result.ended_by, result.ended_at_action, result.success) == (
        "UnknownOutcome",
        "x",
        False,
    )
    assert result.prompts == []  # stopped before the block did anything


def test_strict_runs_through_answered_blocks_and_stops_at_the_first_other() -> None:
    result = run(
        ivr(), StubInvoker({CHECKER_ARN: [GOLD]}), strict=True, answers={"profile": ("next",)}
    )
    assert (result.ended_by, result.ended_at_action) == ("UnknownOutcome", "hours")
    answered = run(
        ivr(),
        StubInvoker({CHECKER_ARN: [GOLD]}),
        strict=True,
        answers={"profile": ("next",), "hours": ("True",)},
        inputs=("1",),
    )
    assert answered.success, answered.success_reason


def test_a_yes_no_check_defaults_to_true_whatever_the_order() -> None:
    flow = K.flow(
        K.action(
            "staffed",
            "CheckMetricData",
            {"MetricType": "NumberOfAgentsStaffed"},
            next_action="closed",
            errors={"NoMatchingError": "hang-up", "NoMatchingCondition": "closed"},
            conditions=[("Equals", ["False"], "closed"), ("Equals", ["True"], "open")],
        ),
        K.say("closed", "closed"),
        K.say("open", "open"),
        K.hang_up(),
    )
    assert run(flow).path == ["staffed", "open", "hang-up"]
    assert run(flow, answers={"staffed": ("False",)}).path == ["staffed", "closed", "hang-up"]


def test_menu_input_is_matched_against_the_conditions() -> None:
    flow = ivr()
    assert run(flow, inputs=("9",)).path[-3:] == ["menu", "sorry", "hang-up"]
    timed_out = run(flow, inputs=("",))
    assert timed_out.path[-3:] == ["menu", "sorry", "hang-up"]
    assert timed_out.steps[-3].result == "error:InputTimeLimitExceeded"
    no_match = run(flow, inputs=("9",))
    assert no_match.steps[-3].result == "error:NoMatchingCondition"


def test_successive_answers_and_inputs_are_used_in_order() -> None:
    # A menu that loops back on a wrong key: the caller presses 9, then 2.
    flow = K.flow(
        menu(),
        K.say("sorry", "That is not an option.", next_action="menu"),
        K.say("lookup", "Balance.", "hang-up"),
        K.say("set-queue", "Agent.", "hang-up"),
        K.hang_up(),
    )
    by_input = run(flow, inputs=("9", "2"))
    assert by_input.path == ["menu", "sorry", "menu", "set-queue", "hang-up"]
    by_answer = run(flow, answers={"menu": ("9", "2")})
    assert by_answer.path == by_input.path
    # Inputs run out: the default (the first option) applies again.
    assert run(flow, inputs=("9",)).path == ["menu", "sorry", "menu", "lookup", "hang-up"]


def test_stored_input_is_readable_and_nothing_entered_is_timeout() -> None:
    flow = K.flow(
        K.action(
            "account",
            "GetParticipantInput",
            {
                "Text": "Enter your account number.",
                "StoreInput": "True",
                "InputTimeLimitSeconds": "5",
                "InputValidation": {"CustomValidation": {"MaximumLength": "8"}},
            },
            next_action="check",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.action(
            "check",
            "Compare",
            {"ComparisonValue": "$.StoredCustomerInput"},
            next_action="got",
            conditions=[("Equals", ["Timeout"], "nothing")],
            errors={"NoMatchingCondition": "got"},
        ),
        K.say("nothing", "You entered nothing."),
        K.say("got", "You entered $.StoredCustomerInput."),
        K.hang_up(),
    )
    entered = run(flow, inputs=("12345",))
    assert entered.prompts[-1].text == "You entered 12345."
    assert run(flow).path == ["account", "check", "nothing", "hang-up"]
    assert run(flow, inputs=("",)).path == ["account", "check", "nothing", "hang-up"]


def test_unused_answers_and_input_are_warned_about() -> None:
    result = run(corpus("TagContact"), answers={"x": ("next",)}, inputs=("1", "2"))
    assert result.warnings == ["2 --input value(s) not used: no GetParticipantInput took them"]
    result = run(ivr(), answers={"menu": ("1",), "hours": ("False",)})
    assert result.path[-2:] == ["closed", "hang-up"]
    assert "--answer menu: the contact never reached 'menu'" in result.warnings


def test_dtmf_input_on_chat_and_stored_input_off_voice_take_the_error_branch() -> None:
    chat = run(
        ivr(),
        contact=ContactData(channel="CHAT"),
        strict=True,  # the outcome is known: --strict does not stop at the menu
        answers={"profile": ("next",), "hours": ("True",)},
    )
    assert chat.path[-3:] == ["menu", "sorry", "hang-up"]
    assert chat.steps[-3].result == "error:NoMatchingError"
    stored = K.flow(
        K.action(
            "account",
            "GetParticipantInput",
            {
                "Text": "Enter your account number.",
                "StoreInput": "True",
                "InputTimeLimitSeconds": "5",
                "InputValidation": {"CustomValidation": {"MaximumLength": "8"}},
            },
            next_action="hang-up",
            errors={"NoMatchingError": "sorry"},
        ),
        K.say("sorry", "Sorry."),
        K.hang_up(),
    )
    assert run(stored, contact=ContactData(channel="TASK")).path == ["account", "sorry", "hang-up"]
    assert run(stored).path == ["account", "hang-up"]


def test_a_lex_intent_taken_becomes_lex_intent_name() -> None:
    flow = K.flow(
        K.action(
            "bot",
            "ConnectParticipantWithLexBot",
            {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "arn:aws:lex:x"}},
            errors={"NoMatchingCondition": "hang-up", "NoMatchingError": "hang-up"},
            conditions=[("Equals", ["Balance"], "said"), ("Equals", ["Agent"], "said")],
        ),
        K.say("said", "You asked for $.Lex.IntentName."),
        K.hang_up(),
    )
    assert run(flow).prompts[-1].text == "You asked for Balance."
    assert run(flow, answers={"bot": ("Agent",)}).prompts[-1].text == "You asked for Agent."
    missed = run(flow, answers={"bot": ("Weather",)})
    assert missed.steps[0].result == "error:NoMatchingCondition"


def test_a_transfer_assumed_to_succeed_ends_the_contact_normally() -> None:
    result = run(corpus("TransferContactToAgent"))
    assert (result.ended_by, result.ended_normally) == ("TransferContactToAgent", True)
    continues = corpus("TransferParticipantToThirdParty")  # ContinueFlowExecution "True"
    assert run(continues).path == ["x", "end"]
    ends = json.loads(json.dumps(continues))
    ends["Actions"][0]["Parameters"]["ContinueFlowExecution"] = "False"
    ended = run(ends)
    assert (ended.ended_by, ended.path, ended.ended_normally) == (
        "TransferParticipantToThirdParty",
        ["x"],
        True,
    )


# References embedded in values and keys, and $.FlowAttributes ------------------------


def test_references_embedded_in_attribute_values_and_keys_are_filled_in() -> None:
    flow = K.flow(
        K.action(
            "set",
            "UpdateContactAttributes",
            {
                "Attributes": {
                    "FullName": "$.Customer.FirstName $.Customer.LastName",
                    "Journey": "$.Attributes.Journey >> went_through_module",
                    "seen_$.Attributes.Lang": "yes",
                }
            },
            next_action="call",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.invoke("call", WRITER_ARN, attributes={"Who": "$.Attributes.FullName ($.Channel)"}),
        K.hang_up(),
    )
    invoker = StubInvoker({WRITER_ARN: [{"Status": "OK"}]})
    result = run(
        flow,
        invoker,
        contact=ContactData(attributes={"Journey": "start", "Lang": "en"}),
        values=parse_values(["Customer.FirstName=Ana", "$.Customer.LastName=Diaz"]),
    )
    assert result.attributes == {
        "Journey": "start >> went_through_module",
        "Lang": "en",
        "FullName": "Ana Diaz",
        "seen_en": "yes",
    }
    assert result.lambda_calls[0].parameters == {"Who": "Ana Diaz (VOICE)"}
    assert result.warnings == []


def test_flow_attributes_are_set_read_and_never_on_the_contact() -> None:
    flow = json.loads((CORPUS / "reference-flow-attributes.json").read_text())
    flow["Actions"].insert(0, K.invoke("call", CHECKER_ARN, next_action="x", error="end"))
    flow["StartAction"] = "call"
    invoker = StubInvoker({CHECKER_ARN: [GOLD]})
    result = run(flow, invoker)
    assert result.path == ["call", "x", "cmp", "end"]
    assert result.steps[2].result == "condition:Equals gold"
    assert result.flow_attributes == {"Tier": "gold"}
    assert result.attributes == {}


def test_flow_attributes_are_not_in_the_lambda_event() -> None:
    invoker = StubInvoker({WRITER_ARN: [{"Status": "OK"}]})
    result = run(
        K.flow(
            K.action(
                "fa",
                "UpdateFlowAttributes",
                {"FlowAttributes": {"Tier": {"Value": "gold"}}},
                next_action="call",
                errors={"NoMatchingError": "call"},
            ),
            K.invoke("call", WRITER_ARN),
            K.hang_up(),
        ),
        invoker,
    )
    ((_, event),) = invoker.calls
    assert event["Details"]["ContactData"]["Attributes"] == {}
    assert result.to_dict()["flow_attributes"] == {"Tier": "gold"}
    assert result.to_dict()["attributes"] == {}


# Connect's retries of a failing Lambda call -----------------------------------------


def lookup_flow() -> dict[str, Any]:
    return K.flow(
        K.invoke("lookup", CHECKER_ARN, next_action="ok", error="failed", limit="8"),
        K.say("ok", "Balance $.External.Balance."),
        K.say("failed", "Sorry."),
        K.hang_up(),
    )


def test_a_throttled_lambda_that_then_succeeds_takes_the_success_branch() -> None:
    invoker = StubInvoker({CHECKER_ARN: [THROTTLED, THROTTLED, GOLD]})
    result = run(lookup_flow(), invoker)
    assert result.path == ["lookup", "ok", "hang-up"]
    (call,) = result.lambda_calls
    assert (call.ok, call.attempts) == (True, 3)
    assert call.to_dict()["attempts"] == 3
    assert len(invoker.calls) == 3
    assert result.elapsed_seconds >= 0.2 + 0.2 + 0.3


def test_a_lambda_that_keeps_failing_takes_the_error_branch_after_three_retries() -> None:
    invoker = StubInvoker({CHECKER_ARN: [THROTTLED]})
    result = run(lookup_flow(), invoker)
    assert result.path == ["lookup", "failed", "hang-up"]
    (call,) = result.lambda_calls
    # "Amazon Connect retries up to 3 times": 4 invocations in all.
    assert (call.ok, call.attempts, call.error_kind) == (False, 4, "InvokeFailed")
    assert len(invoker.calls) == 4 == 1 + MAX_RETRIES


def test_retries_stop_at_the_blocks_time_limit() -> None:
    slow_throttle = StubResponse(
        duration_seconds=1.5, failure="ServiceException: internal", status_code=500
    )
    flow = lookup_flow()
    flow["Actions"][0]["Parameters"]["InvocationTimeLimitSeconds"] = "3"
    invoker = StubInvoker({CHECKER_ARN: [slow_throttle, slow_throttle, GOLD]})
    result = run(flow, invoker)
    assert result.path == ["lookup", "failed", "hang-up"]  # 1.5 + 1.5 reaches the 3 s limit
    assert result.lambda_calls[0].attempts == 2


def test_function_errors_and_missing_functions_are_not_retried() -> None:
    failing = StubResponse({"errorMessage": "boom"}, 0.1, function_error="Unhandled")
    invoker = StubInvoker({CHECKER_ARN: [failing, GOLD]})
    result = run(lookup_flow(), invoker)
    assert (result.path[1], result.lambda_calls[0].attempts) == ("failed", 1)
    missing = StubResponse(
        duration_seconds=0.1, failure="ResourceNotFoundException: no function", status_code=404
    )
    result = run(lookup_flow(), StubInvoker({CHECKER_ARN: [missing, GOLD]}))
    assert (result.path[1], result.lambda_calls[0].attempts) == ("failed", 1)


def test_what_is_retried() -> None:
    assert is_retryable(InvocationOutcome(0.1, failure="x", status_code=429))
    assert is_retryable(InvocationOutcome(0.1, failure="x", status_code=502))
    assert not is_retryable(InvocationOutcome(0.1, failure="x", status_code=403))
    assert is_retryable(InvocationOutcome(0.1, failure="ClientError: (TooManyRequestsException)"))
    assert not is_retryable(InvocationOutcome(0.1, failure="ResourceNotFoundException: gone"))
    assert not is_retryable(InvocationOutcome(0.1, payload=b"{}", function_error="Unhandled"))
    outcomes = iter(
        [
            InvocationOutcome(1.0, failure="x", status_code=429),
            InvocationOutcome(0.5, payload=b"{}"),
        ]
    )
    budgets: list[float] = []

    def attempt(budget: float) -> InvocationOutcome:
        budgets.append(budget)
        return next(outcomes)

    outcome, attempts = invoke_with_retries(attempt, 8.0)
    assert (attempts, outcome.duration_seconds, outcome.payload, budgets) == (
        2,
        1.5,
        b"{}",
        [8.0, 7.0],
    )


def test_the_boto3_invoker_reports_the_http_status_of_a_failed_call() -> None:
    class Throttling:
        def invoke(self, **_: Any) -> dict[str, Any]:
            raise ClientError(
                {
                    "Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"},
                    "ResponseMetadata": {"HTTPStatusCode": 429},
                },
                "Invoke",
            )

    outcome = Boto3LambdaInvoker(Throttling()).invoke(WRITER_ARN, {}, 8)  # type: ignore[arg-type]
    assert (outcome.status_code, is_retryable(outcome)) == (429, True)


# The command line -------------------------------------------------------------------


def test_cli_answers_input_values_and_the_json_summary(tmp_path: Path) -> None:
    path = tmp_path / "ivr.json"
    path.write_text(json.dumps(ivr()))
    code, out, _ = cli(
        "simulate",
        "--file",
        str(path),
        "--quiet",
        "--json",
        "-",
        "--lambda-stub",
        'tracker-checker={"Balance": "7"}',
        "--value",
        "Customer.FirstName=Ana",
        "--answer",
        "profile=next",
        "--input",
        "1",
    )
    summary = json.loads(out)
    assert code == 0
    assert summary["prompts"][0]["text"] == "Hello Ana, thanks for calling."
    assert summary["flow_attributes"] == {"Greeting": "Hello Ana"}
    assert [a["source"] for a in summary["assumptions"]] == ["answer", "default", "input"]
    assert summary["lambda_calls"][0]["attempts"] == 1


def test_cli_strict_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "ivr.json"
    path.write_text(json.dumps(ivr()))
    code, out, _ = cli("simulate", "--file", str(path), "--strict", "--json", "-", "--quiet")
    assert code == 3
    assert json.loads(out)["ended_by"] == "UnknownOutcome"
    assert (
        cli(
            "simulate",
            "--file",
            str(path),
            "--quiet",
            "--lambda-stub",
            'tracker-checker={"Balance": "7"}',
        )[0]
        == 0
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--answer", "ghost=1"], "the flow has no action 'ghost'"),
        (["--answer", "lookup=next"], "InvokeLambdaFunction is simulated"),
        (["--answer", "profile=Maybe"], "its branches are next, NoMatchingError"),
        (["--answer", "profile"], "--answer needs IDENTIFIER=BRANCH"),
        (["--value", "Attributes.x=1"], "use --attribute"),
        (["--value", "Nowhere.x=1"], "$.Nowhere is not a namespace"),
    ],
)
def test_cli_refuses_answers_that_do_not_fit(tmp_path: Path, argv: list[str], message: str) -> None:
    path = tmp_path / "ivr.json"
    path.write_text(json.dumps(ivr()))
    code, _, err = cli("simulate", "--file", str(path), "--quiet", *argv)
    assert code == 2
    assert message in err


def test_parse_answers_groups_by_identifier() -> None:
    assert parse_answers(["menu=9", "hours=False", "menu=2"]) == {
        "menu": ("9", "2"),
        "hours": ("False",),
    }
