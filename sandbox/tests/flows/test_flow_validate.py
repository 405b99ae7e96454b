"""The validator: what Connect accepts, and each refusal with its problem code."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flowkit import CHECKER_ARN, QUEUE_ARN, WRITER_ARN, Kit

from tracker_sandbox.flows import (
    ACTION_SPECS,
    InvalidContactFlow,
    ProblemCode,
    analyze_flow,
    load_flow,
    parse_flow,
    validate_flow,
)
from tracker_sandbox.flows.cli import main as cli_main
from tracker_sandbox.flows.references import (
    InvalidReference,
    embedded_problems,
    find_references,
    is_single_reference,
    parse_reference,
)
from tracker_sandbox.flows.spec import (
    CONNECT_ACTION_TYPES,
    LINTS,
    MODULE,
    OTHER_CONNECT_TYPES,
    RULE_INDEX,
    Kind,
    rules,
)
from tracker_sandbox.flows.validate import own_flow_type

K = Kit


def codes(problems: list[Any]) -> list[ProblemCode]:
    return [problem.code for problem in problems]


def only(problems: list[Any], code: ProblemCode, action: str | None = None) -> None:
    """Exactly one problem, of this code (and on this action, when given)."""
    assert [(p.code, p.action if action is not None else None) for p in problems] == [
        (code, action)
    ], [p.describe() for p in problems]


# One valid sample of every supported type, each between a start and hang-up.
SAMPLES: dict[str, dict[str, Any]] = {
    "MessageParticipant": K.action(
        "x",
        "MessageParticipant",
        {"Text": "Hello $.Attributes.Name"},
        next_action="hang-up",
        errors={"NoMatchingError": "hang-up"},
    ),
    "InvokeLambdaFunction": K.invoke(
        "x", attributes={"RequestId": "$.Attributes.TrackerRequestId", "Static": "v"}
    ),
    "UpdateContactAttributes": K.action(
        "x",
        "UpdateContactAttributes",
        {"Attributes": {"TrackerRequestId": "$.External.RequestId"}, "TargetContact": "Current"},
        next_action="hang-up",
        errors={"NoMatchingError": "hang-up"},
    ),
    "Compare": K.action(
        "x",
        "Compare",
        {"ComparisonValue": "$.External.Status"},
        next_action="hang-up",
        conditions=[("Equals", ["COMPLETE"], "hang-up"), ("NumberGreaterThan", ["3"], "hang-up")],
        errors={"NoMatchingCondition": "hang-up"},
    ),
    "Loop": K.action(
        "x",
        "Loop",
        {"LoopCount": "3"},
        next_action="hang-up",
        conditions=[
            ("Equals", ["ContinueLooping"], "hang-up"),
            ("Equals", ["DoneLooping"], "hang-up"),
        ],
    ),
    "Wait": K.action(
        "x",
        "Wait",
        {"TimeLimitSeconds": "5", "Events": ["CustomerReturned"]},
        next_action="hang-up",
        conditions=[
            ("Equals", ["WaitCompleted"], "hang-up"),
            ("Equals", ["CustomerReturned"], "hang-up"),
        ],
        errors={"NoMatchingError": "hang-up"},
    ),
    "UpdateContactTargetQueue": K.action(
        "x",
        "UpdateContactTargetQueue",
        {"QueueId": QUEUE_ARN},
        next_action="hang-up",
        errors={"NoMatchingError": "hang-up"},
    ),
    "TransferContactToQueue": K.action(
        "x",
        "TransferContactToQueue",
        {},
        next_action="hang-up",
        errors={"QueueAtCapacity": "hang-up", "NoMatchingError": "hang-up"},
    ),
    "TransferToFlow": K.action(
        "x",
        "TransferToFlow",
        {"ContactFlowId": "arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/f"},
        next_action="hang-up",
        errors={"NoMatchingError": "hang-up"},
    ),
    "UpdateFlowLoggingBehavior": K.action(
        "x", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, next_action="hang-up"
    ),
    "UpdateContactTextToSpeechVoice": K.action(
        "x",
        "UpdateContactTextToSpeechVoice",
        {"TextToSpeechVoice": "Joanna"},
        next_action="hang-up",
    ),
    "DisconnectParticipant": K.action("x", "DisconnectParticipant"),
    "EndFlowExecution": K.action("x", "EndFlowExecution"),
}


def test_every_supported_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(ACTION_SPECS)


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_every_supported_action_type_is_accepted(type_: str) -> None:
    flow = K.flow(copy.deepcopy(SAMPLES[type_]), K.hang_up())
    assert validate_flow(flow, associated_lambda_arns=[WRITER_ARN]) == []
    assert parse_flow(flow).action("x").type == type_


def test_the_tracker_flow_is_valid_with_both_functions_associated(
    tracker_flow: dict[str, Any],
) -> None:
    assert (
        validate_flow(json.dumps(tracker_flow), associated_lambda_arns={WRITER_ARN, CHECKER_ARN})
        == []
    )
    flow = load_flow(tracker_flow)
    assert flow.start_action == "logging"
    assert len(flow.actions) == 13


def test_numbers_may_be_json_numbers() -> None:
    flow = K.flow(
        K.invoke("call", limit=8, next_action="loop"),
        K.action(
            "loop",
            "Loop",
            {"LoopCount": 3},
            next_action="hang-up",
            conditions=[
                ("Equals", ["ContinueLooping"], "hang-up"),
                ("Equals", ["DoneLooping"], "hang-up"),
            ],
        ),
        K.hang_up(),
    )
    assert validate_flow(flow) == []


def test_a_menu_the_simulator_does_not_model_in_depth_is_accepted() -> None:
    flow = K.flow(
        K.action(
            "input",
            "GetParticipantInput",
            {"Text": "Press 1", "InputTimeLimitSeconds": "5", "StoreInput": "False"},
            next_action="hang-up",
            conditions=[("Equals", ["1"], "hang-up")],
            errors={
                "InputTimeLimitExceeded": "hang-up",
                "NoMatchingCondition": "hang-up",
                "NoMatchingError": "hang-up",
            },
        ),
        K.hang_up(),
    )
    assert validate_flow(flow) == []


# Document-level refusals -------------------------------------------------------------


def test_bad_json() -> None:
    only(validate_flow('{"Version": "2019-10-30",'), ProblemCode.INVALID_JSON)


def test_not_an_object() -> None:
    only(validate_flow("[1, 2]"), ProblemCode.NOT_AN_OBJECT)


def test_content_too_large() -> None:
    flow = K.flow(K.say("greet", "x" * 256_001), K.hang_up())
    assert ProblemCode.CONTENT_TOO_LARGE in codes(validate_flow(json.dumps(flow)))


@pytest.mark.parametrize("version", ["2019-10-31", "", None, 20191030])
def test_bad_version(version: Any) -> None:
    flow = K.flow(K.hang_up(), Version=version)
    only(validate_flow(flow), ProblemCode.UNSUPPORTED_VERSION)


def test_missing_start_action() -> None:
    flow = K.flow(K.hang_up())
    del flow["StartAction"]
    only(validate_flow(flow), ProblemCode.MISSING_START_ACTION)


def test_start_action_must_resolve() -> None:
    only(validate_flow(K.flow(K.hang_up(), start="nowhere")), ProblemCode.START_ACTION_NOT_FOUND)


def test_actions_must_be_a_list() -> None:
    flow = K.flow(K.hang_up())
    flow["Actions"] = {"hang-up": K.hang_up()}
    assert codes(validate_flow(flow))[0] is ProblemCode.ACTIONS_NOT_A_LIST


def chain(count: int) -> dict[str, Any]:
    """`count` actions: prompts in a row, then hang-up."""
    prompts = [K.say(f"p{i}", "Hi", next_action=f"p{i + 1}") for i in range(count - 1)]
    prompts[-1]["Transitions"]["NextAction"] = "hang-up"
    return K.flow(*prompts, K.hang_up())


def test_250_actions_are_allowed() -> None:
    assert validate_flow(chain(250)) == []


def test_too_many_actions() -> None:
    only(validate_flow(chain(251)), ProblemCode.TOO_MANY_ACTIONS)


def test_action_must_be_an_object() -> None:
    flow = K.flow(K.hang_up())
    flow["Actions"].append("not an action")
    only(validate_flow(flow), ProblemCode.ACTION_NOT_AN_OBJECT)


# Identifiers -------------------------------------------------------------------------


def test_missing_identifier() -> None:
    flow = K.flow(K.say("greet", "Hi"), K.hang_up())
    flow["Actions"].append({"Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}})
    only(validate_flow(flow), ProblemCode.MISSING_IDENTIFIER, "Actions[2]")


def test_duplicate_identifier() -> None:
    flow = K.flow(K.say("greet", "Hi"), K.hang_up(), K.hang_up())
    only(validate_flow(flow), ProblemCode.DUPLICATE_IDENTIFIER, "hang-up")


def test_identifier_of_50_characters_is_fine_and_51_is_too_long() -> None:
    fifty, fifty_one = "a" * 50, "b" * 51
    assert validate_flow(K.flow(K.say(fifty, "Hi"), K.hang_up())) == []
    only(
        validate_flow(K.flow(K.say(fifty_one, "Hi"), K.hang_up())),
        ProblemCode.IDENTIFIER_TOO_LONG,
        fifty_one,
    )


@pytest.mark.parametrize("identifier", ["a:b", "x(1)", "$start", "toString", "__proto__"])
def test_forbidden_identifier(identifier: str) -> None:
    only(
        validate_flow(K.flow(K.say(identifier, "Hi"), K.hang_up())),
        ProblemCode.INVALID_IDENTIFIER,
        identifier,
    )


def test_unicode_and_spaces_are_allowed_in_identifiers() -> None:
    assert validate_flow(K.flow(K.say("Grüß dich 1", "Hi"), K.hang_up())) == []


# Types and parameters ----------------------------------------------------------------


def test_unknown_type() -> None:
    flow = K.flow(K.action("x", "PlayPrompt", {"Text": "Hi"}, next_action="hang-up"), K.hang_up())
    only(validate_flow(flow), ProblemCode.UNKNOWN_ACTION_TYPE, "x")


def test_missing_type() -> None:
    action = K.say("x", "Hi")
    del action["Type"]
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.MISSING_ACTION_TYPE, "x")


def test_parameters_must_be_an_object() -> None:
    action = K.say("x", "Hi")
    action["Parameters"] = ["Text"]
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.INVALID_PARAMETERS, "x")


def set_attributes(parameters: dict[str, Any]) -> dict[str, Any]:
    return K.action(
        "x",
        "UpdateContactAttributes",
        parameters,
        next_action="hang-up",
        errors={"NoMatchingError": "hang-up"},
    )


def test_missing_required_parameter() -> None:
    flow = K.flow(set_attributes({}), K.hang_up())
    only(validate_flow(flow), ProblemCode.MISSING_PARAMETER, "x")


def test_unexpected_parameter() -> None:
    action = K.invoke("x")
    action["Parameters"]["FunctionArn"] = WRITER_ARN
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.UNEXPECTED_PARAMETER, "x")


@pytest.mark.parametrize(
    "parameters", [{}, {"Text": "Hi", "SSML": "<speak>Hi</speak>"}, {"Text": "   "}]
)
def test_message_needs_exactly_one_non_empty_source(parameters: dict[str, Any]) -> None:
    flow = K.flow(
        K.action("x", "MessageParticipant", parameters, next_action="hang-up"), K.hang_up()
    )
    assert set(codes(validate_flow(flow))) == {ProblemCode.INVALID_PARAMETER}


@pytest.mark.parametrize(
    ("limit", "invocation_type"),
    [
        ("0", None),
        ("9", None),
        (9, None),
        ("2.5", None),
        (2.5, None),
        (True, None),
        ("$.Attributes.Limit", None),
        ("", None),
        ("61", "ASYNCHRONOUS"),
    ],
)
def test_invalid_time_limit(limit: Any, invocation_type: str | None) -> None:
    action = K.invoke("x", limit=limit)
    if invocation_type:
        action["Parameters"]["InvocationType"] = invocation_type
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.INVALID_TIME_LIMIT, "x")


@pytest.mark.parametrize(
    ("limit", "invocation_type"), [("1", None), ("8", None), (60, "ASYNCHRONOUS")]
)
def test_valid_time_limits(limit: Any, invocation_type: str | None) -> None:
    action = K.invoke("x", limit=limit)
    if invocation_type:
        action["Parameters"]["InvocationType"] = invocation_type
    assert validate_flow(K.flow(action, K.hang_up())) == []


def test_time_limit_is_required() -> None:
    action = K.invoke("x")
    del action["Parameters"]["InvocationTimeLimitSeconds"]
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.MISSING_PARAMETER, "x")


@pytest.mark.parametrize(
    "arn", ["${writer_arn}", "tracker-writer", "arn:aws:sqs:us-east-1:000000000000:q"]
)
def test_lambda_arn_must_be_an_arn_or_a_reference(arn: str) -> None:
    only(validate_flow(K.flow(K.invoke("x", arn), K.hang_up())), ProblemCode.INVALID_PARAMETER, "x")


def test_response_type_must_be_string_map_or_json() -> None:
    flow = K.flow(K.invoke("x", response_type="XML"), K.hang_up())
    only(validate_flow(flow), ProblemCode.INVALID_PARAMETER, "x")


def test_invocation_attributes_must_be_strings() -> None:
    flow = K.flow(K.invoke("x", attributes={"Count": 3}), K.hang_up())  # type: ignore[dict-item]
    only(validate_flow(flow), ProblemCode.INVALID_PARAMETER, "x")


def test_unassociated_lambda() -> None:
    flow = K.flow(
        K.invoke("w", WRITER_ARN, next_action="c"), K.invoke("c", CHECKER_ARN), K.hang_up()
    )
    only(
        validate_flow(flow, associated_lambda_arns=[WRITER_ARN]),
        ProblemCode.LAMBDA_NOT_ASSOCIATED,
        "c",
    )
    assert validate_flow(flow) == []  # association is only checked when the list is given


def test_a_qualified_arn_counts_as_its_associated_function() -> None:
    flow = K.flow(K.invoke("w", WRITER_ARN + ":live"), K.hang_up())
    assert validate_flow(flow, associated_lambda_arns=[WRITER_ARN]) == []


def test_a_dynamic_lambda_arn_cannot_be_checked_for_association() -> None:
    flow = K.flow(K.invoke("w", "$.Attributes.Function"), K.hang_up())
    assert validate_flow(flow, associated_lambda_arns=[]) == []


# References --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "$.Nope.x",
        "$.Attributes",
        "$.Attributes.a.b",
        "$.CustomerEndpoint.Phone",
        "$.ContactId.x",
        "$.External",
    ],
)
def test_malformed_reference_in_attributes(value: str) -> None:
    flow = K.flow(set_attributes({"Attributes": {"A": value}}), K.hang_up())
    only(validate_flow(flow), ProblemCode.INVALID_REFERENCE, "x")


def test_malformed_reference_in_prompt_text() -> None:
    flow = K.flow(K.say("x", "Your code is $.External. Bye $.Foo.bar"), K.hang_up())
    problems = validate_flow(flow)
    assert codes(problems) == [ProblemCode.INVALID_REFERENCE, ProblemCode.INVALID_REFERENCE]


def test_compare_value_must_be_a_reference() -> None:
    flow = K.flow(
        K.action(
            "x",
            "Compare",
            {"ComparisonValue": "Status"},
            next_action="hang-up",
            conditions=[("Equals", ["A"], "hang-up")],
            errors={"NoMatchingCondition": "hang-up"},
        ),
        K.hang_up(),
    )
    only(validate_flow(flow), ProblemCode.INVALID_REFERENCE, "x")


def test_reference_grammar() -> None:
    assert parse_reference("$.External.Status").path == ("Status",)
    assert parse_reference("$.External.a.b").path == ("a", "b")
    assert parse_reference("$.Attributes.['my key']").path == ("my key",)
    assert parse_reference("$.Attributes.['my key']").text == "$.Attributes.['my key']"
    assert parse_reference("$.CustomerEndpoint.Address").root == "CustomerEndpoint"
    with pytest.raises(InvalidReference):
        parse_reference("$External.Status")
    assert find_references("Hi $.Attributes.Name, code $.External.Code.") == [
        "$.Attributes.Name",
        "$.External.Code",
    ]
    assert embedded_problems("costs $.5") != []
    assert embedded_problems("Hello $.Attributes.Name.") == []


# Transitions -------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["next", "error", "condition"])
def test_dangling_next_action(where: str) -> None:
    if where == "next":
        action = K.say("x", "Hi", next_action="ghost")
    elif where == "error":
        action = K.invoke("x", error="ghost")
    else:
        action = K.action(
            "x",
            "Compare",
            {"ComparisonValue": "$.External.S"},
            next_action="hang-up",
            conditions=[("Equals", ["A"], "ghost")],
            errors={"NoMatchingCondition": "hang-up"},
        )
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.DANGLING_NEXT_ACTION, "x")


def test_empty_next_action_means_unconnected() -> None:
    only(
        validate_flow(K.flow(K.say("x", "Hi", next_action=""), K.hang_up())),
        ProblemCode.MISSING_NEXT_ACTION,
        "x",
    )


def test_missing_next_action() -> None:
    flow = K.flow(
        K.action("x", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}), K.hang_up()
    )
    only(validate_flow(flow), ProblemCode.MISSING_NEXT_ACTION, "x")


def test_terminal_action_takes_no_transitions() -> None:
    flow = K.flow(K.say("x", "Hi"), K.action("hang-up", "DisconnectParticipant", next_action="x"))
    only(validate_flow(flow), ProblemCode.UNEXPECTED_TRANSITION, "hang-up")
    flow = K.flow(
        K.say("x", "Hi"),
        K.action("hang-up", "DisconnectParticipant", errors={"NoMatchingError": "x"}),
    )
    only(validate_flow(flow), ProblemCode.UNEXPECTED_TRANSITION, "hang-up")


def test_conditions_where_none_are_supported() -> None:
    action = K.say("x", "Hi")
    action["Transitions"]["Conditions"] = [
        {"NextAction": "hang-up", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
    ]
    problems = validate_flow(K.flow(action, K.hang_up()))
    only(problems, ProblemCode.UNSUPPORTED_CONDITIONS, "x")
    assert problems[0].message == "Action does not support conditions"


def test_transitions_must_be_an_object() -> None:
    action = K.say("x", "Hi")
    action["Transitions"] = "hang-up"
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.INVALID_TRANSITIONS, "x")


def test_error_type_not_allowed_for_the_action() -> None:
    only(
        validate_flow(
            K.flow(
                K.action(
                    "x",
                    "MessageParticipant",
                    {"Text": "Hi"},
                    next_action="hang-up",
                    errors={"QueueAtCapacity": "hang-up"},
                ),
                K.hang_up(),
            )
        ),
        ProblemCode.INVALID_ERROR_TYPE,
        "x",
    )


def test_duplicate_error_type() -> None:
    action = K.invoke("x")
    action["Transitions"]["Errors"].append(
        {"NextAction": "hang-up", "ErrorType": "NoMatchingError"}
    )
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.DUPLICATE_ERROR_TYPE, "x")


def loop(conditions: list[tuple[str, list[Any], str]], count: Any = "3") -> dict[str, Any]:
    return K.flow(
        K.action(
            "loop", "Loop", {"LoopCount": count}, next_action="hang-up", conditions=conditions
        ),
        K.hang_up(),
    )


def test_loop_missing_done_condition() -> None:
    only(
        validate_flow(loop([("Equals", ["ContinueLooping"], "hang-up")])),
        ProblemCode.MISSING_LOOP_CONDITION,
        "loop",
    )


def test_loop_missing_both_conditions() -> None:
    assert codes(validate_flow(loop([]))) == [ProblemCode.MISSING_LOOP_CONDITION] * 2


def test_loop_with_another_condition() -> None:
    problems = validate_flow(
        loop(
            [
                ("Equals", ["ContinueLooping"], "hang-up"),
                ("Equals", ["DoneLooping"], "hang-up"),
                ("Equals", ["Sometimes"], "hang-up"),
            ]
        )
    )
    only(problems, ProblemCode.INVALID_CONDITION, "loop")


@pytest.mark.parametrize("count", ["101", -1, "three", "1.5"])
def test_loop_count_out_of_range(count: Any) -> None:
    both = [("Equals", ["ContinueLooping"], "hang-up"), ("Equals", ["DoneLooping"], "hang-up")]
    only(validate_flow(loop(both, count)), ProblemCode.INVALID_PARAMETER, "loop")


@pytest.mark.parametrize("count", ["0", "100", 100, "$.Attributes.Retries"])
def test_loop_count_in_range(count: Any) -> None:
    both = [("Equals", ["ContinueLooping"], "hang-up"), ("Equals", ["DoneLooping"], "hang-up")]
    assert validate_flow(loop(both, count)) == []


def compare(conditions: list[tuple[str, list[Any], str]]) -> dict[str, Any]:
    return K.flow(
        K.action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.External.Status"},
            next_action="hang-up",
            conditions=conditions,
            errors={"NoMatchingCondition": "hang-up"},
        ),
        K.hang_up(),
    )


def test_compare_needs_a_condition() -> None:
    only(validate_flow(compare([])), ProblemCode.MISSING_CONDITION, "cmp")


@pytest.mark.parametrize(
    "condition",
    [
        ("GreaterThan", ["1"], "hang-up"),
        ("NumberLessThan", ["ten"], "hang-up"),
        ("Equals", [], "hang-up"),
    ],
)
def test_invalid_compare_condition(condition: tuple[str, list[Any], str]) -> None:
    only(validate_flow(compare([condition])), ProblemCode.INVALID_CONDITION, "cmp")


def test_wait_needs_wait_completed_and_a_valid_timeout() -> None:
    flow = K.flow(
        K.action(
            "w",
            "Wait",
            {"TimeLimitSeconds": "0"},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.hang_up(),
    )
    assert codes(validate_flow(flow)) == [
        ProblemCode.INVALID_PARAMETER,
        ProblemCode.MISSING_CONDITION,
    ]


def test_all_problems_are_reported_at_once() -> None:
    flow = K.flow(K.say("a:b", "Hi", next_action="ghost"), K.invoke("x", limit="12"), Version="1")
    assert set(codes(validate_flow(flow))) == {
        ProblemCode.UNSUPPORTED_VERSION,
        ProblemCode.INVALID_IDENTIFIER,
        ProblemCode.DANGLING_NEXT_ACTION,
        ProblemCode.INVALID_TIME_LIMIT,
    }


# Exceptions and problem shape ---------------------------------------------------------


def test_load_flow_raises_with_problems_shaped_like_connect() -> None:
    with pytest.raises(InvalidContactFlow) as raised:
        load_flow(K.flow(K.say("x", "Hi", next_action="ghost"), K.hang_up()))
    problem = raised.value.problems[0]
    assert problem.code is ProblemCode.DANGLING_NEXT_ACTION
    assert problem.action == "x"
    assert raised.value.connect_problems() == [{"message": problem.message}]
    assert problem.path == "Actions[0]" and problem.rule == "targets"
    assert "DANGLING_NEXT_ACTION" in problem.describe() and "'x'" in problem.describe()
    assert problem.to_dict()["code"] == "DANGLING_NEXT_ACTION"
    assert "The flow is not valid" in str(raised.value)


def test_parse_flow_refuses_what_it_cannot_model() -> None:
    with pytest.raises(InvalidContactFlow) as raised:
        parse_flow("{nope")
    assert raised.value.problems[0].code is ProblemCode.INVALID_JSON


# Analysis ----------------------------------------------------------------------------


def test_analysis_of_the_tracker_flow(tracker_flow: dict[str, Any]) -> None:
    analysis = analyze_flow(tracker_flow)
    assert analysis.unreachable == ()
    assert analysis.invoked_lambda_arns == {WRITER_ARN, CHECKER_ARN}
    assert analysis.lambdas_without_error_branch == ()
    assert analysis.loops_missing_condition == {}
    assert analysis.ending_actions == ("to-queue", "hang-up")
    assert json.dumps(analysis.to_dict())


def test_analysis_finds_structural_weaknesses() -> None:
    flow = K.flow(
        K.invoke("call", WRITER_ARN, next_action="loop", error=None),
        K.action(
            "loop", "Loop", {"LoopCount": "2"}, conditions=[("Equals", ["ContinueLooping"], "call")]
        ),
        K.action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.External.S"},
            conditions=[("Equals", ["A"], "ghost")],
        ),
        K.invoke("dynamic", "$.Attributes.Fn"),
        K.action("ask", "GetParticipantInput", {"Text": "Press 1"}),
        K.hang_up(),
    )
    analysis = analyze_flow(flow)
    assert analysis.unreachable == ("cmp", "dynamic", "ask", "hang-up")
    assert analysis.lambdas_without_error_branch == ("call",)
    assert analysis.loops_missing_condition == {"loop": ("DoneLooping",)}
    assert analysis.compares_without_fallback == ("cmp",)
    assert analysis.dangling == (("cmp", "ghost"),)
    assert analysis.invoked_lambda_arns == {WRITER_ARN}
    assert analysis.dynamic_lambda_actions == ("dynamic",)
    assert analysis.unmodelled_actions == {"ask": "GetParticipantInput"}


# The team's corpus (corpus/*.json, one small flow per construct) ------------------------

CORPUS = Path(__file__).parent / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.json"))

#: Reference forms the attribute reference documents, each recognised in a written value.
REFERENCE_FORMS: dict[str, re.Pattern[str]] = {
    "dot ($.Root.key)": re.compile(r"^\$\.[A-Za-z]+\.[A-Za-z0-9_\-]+"),
    "dot then bracket ($.Root.['key'])": re.compile(r"\.\['"),
    "bracket after a name ($.Root['key'])": re.compile(r"[A-Za-z0-9_]\['"),
    "bracket root ($['Root'])": re.compile(r"^\$\['"),
    "hyphenated key ($.Media.Sip.Headers.P-Asserted-Identity)": re.compile(r"\.[A-Za-z]+-[A-Za-z]"),
}
#: Namespaces the attribute reference and the Lambda block page document.
DOCUMENTED_ROOTS = frozenset(
    {
        "AwsRegion",
        "CustomerEndpoint",
        "SystemEndpoint",
        "CustomerId",
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "Channel",
        "InstanceARN",
        "InitiationMethod",
        "Name",
        "Description",
        "LanguageCode",
        "TextToSpeechVoiceId",
        "Task",
        "References",
        "Queue",
        "Agent",
        "Metrics",
        "Media",
        "MediaStreams",
        "Lex",
        "External",
        "Attributes",
        "FlowAttributes",
        "SegmentAttributes",
        "Customer",
        "LambdaInvocation",
    }
)


def corpus_entry(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    expectation: dict[str, Any] = document["Metadata"]["Corpus"]
    return document, expectation


def strings_in(value: object) -> list[str]:
    """Every string in a parameter value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings_in(k), *strings_in(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def valid_corpus() -> list[dict[str, Any]]:
    return [doc for doc, exp in map(corpus_entry, CORPUS_FILES) if exp["Expect"] == "valid"]


#: Rules without a case in the corpus, and why: a corpus file carries its expectation in
#: its own Metadata, which an unparseable document cannot; the size limit needs a
#: 256,001-character file. Both are tested above (test_bad_json, test_content_too_large).
NOT_IN_THE_CORPUS = {"json": "refusing", "content-size": "both"}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.stem)
def test_corpus_flow_gets_its_expected_verdict(path: Path) -> None:
    _, expectation = corpus_entry(path)
    problems = validate_flow(
        path.read_text(encoding="utf-8"), flow_type=expectation.get("FlowType")
    )
    assert expectation["Expect"] in ("valid", "invalid")
    assert (expectation["Expect"] == "valid") == (expectation["Problems"] == [])
    assert [p.code.value for p in problems] == expectation["Problems"], [
        p.describe() for p in problems
    ]
    if "Message" in expectation:  # the service's words, as the evidence records them
        assert problems[0].message == expectation["Message"]
    if expectation["Expect"] == "invalid":  # refused by the very rule it is the twin of
        assert set(expectation["Rules"]) <= {p.rule for p in problems}
    assert expectation["Kind"] in {kind.value for kind in Kind}
    assert expectation["Source"]


def test_every_rule_has_an_accepting_and_a_refusing_case() -> None:
    accepted: set[str] = set()
    refused: set[str] = set()
    for _, expectation in map(corpus_entry, CORPUS_FILES):
        (accepted if expectation["Expect"] == "valid" else refused).update(expectation["Rules"])
    known = {rule.id for rule in rules()}
    assert (accepted | refused) - known == set()  # every case names a rule that exists
    for rule in known:
        left_out = NOT_IN_THE_CORPUS.get(rule)
        if left_out != "both":
            assert rule in accepted, f"no accepting case for {rule}"
        if left_out is None:
            assert rule in refused, f"no refusing case for {rule}"


def test_every_rule_names_its_source_and_kind() -> None:
    for rule in rules():
        assert rule.source.cite and rule.source.kind in Kind, rule.id
        if rule.source.kind is Kind.REFERENCE:
            assert rule.source.cite.startswith("https://docs.aws.amazon.com/connect/"), rule.id
    assert RULE_INDEX["lambda-association"].source.kind is Kind.OBSERVED


def test_problems_name_a_known_rule_the_action_and_its_path() -> None:
    for path in CORPUS_FILES:
        _, expectation = corpus_entry(path)
        for problem in validate_flow(
            path.read_text(encoding="utf-8"), flow_type=expectation.get("FlowType")
        ):
            assert problem.rule in RULE_INDEX, (path.name, problem.rule)
            if problem.action is not None:
                assert problem.path and problem.path.startswith("Actions["), path.name


def test_a_rule_with_recorded_words_refuses_in_those_words() -> None:
    """`Rule.words` (spec.py) and the validator's messages are one wording."""
    for path in CORPUS_FILES:
        _, expectation = corpus_entry(path)
        for problem in validate_flow(
            path.read_text(encoding="utf-8"), flow_type=expectation.get("FlowType")
        ):
            words = RULE_INDEX[str(problem.rule)].words
            if words:
                pattern = re.sub(r"\\\{[a-z]+\\\}", ".+?", re.escape(words))
                assert re.fullmatch(pattern, problem.message), (path.name, problem.message)


def test_the_corpus_exercises_every_action_type_of_the_service() -> None:
    used = {action["Type"] for doc in valid_corpus() for action in doc["Actions"]}
    assert set(CONNECT_ACTION_TYPES) - used == set()
    assert len(CONNECT_ACTION_TYPES) == 60
    assert "UnTagContact" not in CONNECT_ACTION_TYPES and "UntagContact" in CONNECT_ACTION_TYPES


def test_the_corpus_exercises_every_documented_reference_form_and_namespace() -> None:
    values = [
        text
        for doc in valid_corpus()
        for action in doc["Actions"]
        for text in strings_in(action["Parameters"])
    ]
    references = [ref for text in values for ref in find_references(text)]
    for form, pattern in REFERENCE_FORMS.items():
        assert any(pattern.search(ref) for ref in references), form
    assert DOCUMENTED_ROOTS - {parse_reference(ref).root for ref in references} == set()
    embedded = [text for text in values if find_references(text) and not is_single_reference(text)]
    assert "$.Customer.FirstName $.Customer.LastName" in embedded
    assert "$.Attributes.Journey >> went_through_module" in embedded


def test_the_corpus_has_refusals_for_each_kind_of_check() -> None:
    refused = {
        code
        for _, exp in map(corpus_entry, CORPUS_FILES)
        if exp["Expect"] == "invalid"
        for code in exp["Problems"]
    }
    assert {
        "UNKNOWN_ACTION_TYPE",
        "MISSING_START_ACTION",
        "START_ACTION_NOT_FOUND",
        "DANGLING_NEXT_ACTION",
        "INVALID_REFERENCE",
        "MISSING_PARAMETER",
        "UNEXPECTED_TRANSITION",
        "MISSING_CONDITION",
    } <= refused


# The catalogue (spec.CONNECT_ACTION_TYPES) -------------------------------------------


def test_the_catalogue_sources_every_type_and_fact() -> None:
    for spec in CONNECT_ACTION_TYPES.values():
        for source in (
            spec.source,
            spec.next_source,
            spec.errors_source,
            spec.conditions_source,
            spec.parameters_source,
        ):
            assert source.cite and source.kind in Kind, spec.type
    assert set(ACTION_SPECS) <= set(CONNECT_ACTION_TYPES)
    assert set(CONNECT_ACTION_TYPES) - set(ACTION_SPECS) == OTHER_CONNECT_TYPES
    # The reference disagrees with the service here; the note says how.
    assert CONNECT_ACTION_TYPES["UntagContact"].source.note
    assert CONNECT_ACTION_TYPES["Wait"].parameters_source.note


def test_types_no_live_check_covered_take_undocumented_parameters_and_branches() -> None:
    action = K.action(
        "x",
        "CreateTask",
        {"ContactFlowId": "f", "Name": "Follow up", "SomeEditorField": "x"},
        errors={"NoMatchingError": "hang-up", "SomeEditorBranch": "hang-up"},
    )
    assert validate_flow(K.flow(action, K.hang_up())) == []


def test_every_type_still_needs_its_documented_parameters() -> None:
    flow = K.flow(
        K.action(
            "x",
            "InvokeFlowModule",
            {},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.hang_up(),
    )
    only(validate_flow(flow), ProblemCode.MISSING_PARAMETER, "x")


def test_references_inside_open_types_are_checked() -> None:
    action = K.action(
        "x",
        "CreateTask",
        {"Name": "Task for $.Caller.Name", "References": {"r": {"Value": "$.Attributes.T"}}},
        next_action="hang-up",
    )
    only(validate_flow(K.flow(action, K.hang_up())), ProblemCode.INVALID_REFERENCE, "x")


@pytest.mark.parametrize(
    "value",
    [
        "$.Customer.FirstName $.Customer.LastName",
        "$.Attributes.Journey >> went_through_module",
        "Hi $.Attributes.Name, from $.AwsRegion",
        "$['AwsRegion']",
        "$.Attributes['key with space']",
        "$['Attributes']['key']",
        "$.LambdaInvocation.InvocationId",
        "$.Media.Sip.Headers.P-Charge-Info",
    ],
)
def test_attribute_values_and_keys_take_every_documented_form(value: str) -> None:
    flow = K.flow(set_attributes({"Attributes": {"A": value, value: "static"}}), K.hang_up())
    assert validate_flow(flow) == []


def test_bracket_references_parse_to_the_same_reference_as_dots() -> None:
    assert parse_reference("$['Attributes']['Name']") == parse_reference("$.Attributes.Name")
    assert parse_reference("$.Attributes['my key']") == parse_reference("$.Attributes.['my key']")
    assert find_references("$.Customer.FirstName $.Customer.LastName") == [
        "$.Customer.FirstName",
        "$.Customer.LastName",
    ]


@pytest.mark.parametrize(
    ("parameters", "codes_"),
    [
        ({"TimeLimitSeconds": "30"}, []),
        ({"TimeLimitSeconds": 604_800}, []),
        ({"TimeLimitSeconds": "$.Attributes.Seconds"}, []),
        ({"TimeLimitSeconds": "0"}, [ProblemCode.INVALID_PARAMETER]),
        # The reference's name: refused by name, and the limit the service takes is missing.
        (
            {"TimeoutSeconds": "5"},
            [ProblemCode.MISSING_PARAMETER, ProblemCode.UNEXPECTED_PARAMETER],
        ),
        (
            {"TimeoutSeconds": "5", "TimeLimitSeconds": "5"},
            [ProblemCode.UNEXPECTED_PARAMETER],
        ),
        ({}, [ProblemCode.MISSING_PARAMETER]),
    ],
)
def test_wait_takes_time_limit_seconds_as_the_service_does(
    parameters: dict[str, Any], codes_: list[ProblemCode]
) -> None:
    flow = K.flow(
        K.action(
            "w",
            "Wait",
            parameters,
            next_action="hang-up",
            conditions=[("Equals", ["WaitCompleted"], "hang-up")],
            errors={"NoMatchingError": "hang-up"},
        ),
        K.hang_up(),
    )
    assert codes(validate_flow(flow)) == codes_


# The command line's note -------------------------------------------------------------


def test_validate_note_lists_unmodelled_action_types(tmp_path: Path) -> None:
    menu: dict[str, Any] = {"Text": "1?", "InputTimeLimitSeconds": "5", "StoreInput": "False"}
    menu_errors = ("InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError")

    def ask(identifier: str, then: str) -> dict[str, Any]:
        return K.action(
            identifier,
            "GetParticipantInput",
            menu,
            next_action=then,
            errors=dict.fromkeys(menu_errors, then),
        )

    flow = K.flow(
        ask("ask", "ask-again"),
        ask("ask-again", "guide"),
        K.action(
            "guide",
            "ShowView",
            {"ViewResource": {"Id": "v", "Version": "1"}, "InvocationTimeLimitSeconds": "300"},
            next_action="tag",
            errors=dict.fromkeys(
                ("NoMatchingCondition", "NoMatchingError", "TimeLimitExceeded"), "tag"
            ),
        ),
        K.action(
            "tag",
            "TagContact",
            {"Tags": {"a": "b"}},
            next_action="module",
            errors={"NoMatchingError": "module"},
        ),
        K.action(
            "module",
            "InvokeFlowModule",
            {"FlowModuleId": "m-1"},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.hang_up(),
    )
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(flow))
    out = io.StringIO()
    assert cli_main(["validate", str(path)], stdout=out, stderr=io.StringIO()) == 0
    notes = [line.strip() for line in out.getvalue().splitlines() if "action types" in line]
    assert notes == [
        "note: action types simulated on an assumed outcome (see --answer, --strict): "
        "GetParticipantInput (ask, ask-again), ShowView (guide)",
        "note: action types the simulator passes through: TagContact (tag)",
    ]  # InvokeFlowModule is simulated (modules.py): in no note


# Flow types (validate --flow-type) ------------------------------------------------------


def returning_flow() -> dict[str, Any]:
    return K.flow(
        K.say("greet", "One moment.", next_action="return"),
        K.action("return", "EndFlowModuleExecution"),
    )


def test_the_flow_type_is_the_documents_own_else_an_inbound_flow() -> None:
    flow = returning_flow()
    assert own_flow_type(flow) is None
    only(validate_flow(flow), ProblemCode.NOT_IN_THIS_FLOW_TYPE, "return")
    module = K.module(*flow["Actions"])
    assert own_flow_type(module) == MODULE
    assert validate_flow(module) == []  # its Settings make it a flow module
    only(
        validate_flow(module, flow_type="CONTACT_FLOW"), ProblemCode.NOT_IN_THIS_FLOW_TYPE, "return"
    )
    with pytest.raises(ValueError, match="not a flow type"):
        validate_flow(module, flow_type="INBOUND")


def test_validate_applies_the_flow_type_rules(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(returning_flow()))
    out = io.StringIO()
    assert cli_main(["validate", str(path), "--json"], stdout=out) == 1
    report = json.loads(out.getvalue())
    assert report["flow_type"] == "CONTACT_FLOW"
    assert [(p["code"], p["action"], p["rule"]) for p in report["problems"]] == [
        ("NOT_IN_THIS_FLOW_TYPE", "return", "module-only")
    ]
    out = io.StringIO()
    # As a module it needs its Settings, in the service's words.
    assert cli_main(["validate", str(path), "--flow-type", "MODULE"], stdout=out) == 1
    assert (
        "[MISSING_SETTINGS] JSON field is missing or null for field name: settings"
        in out.getvalue()
    )
    path.write_text(json.dumps(K.module(*returning_flow()["Actions"])))
    out = io.StringIO()
    assert cli_main(["validate", str(path)], stdout=out) == 0
    assert out.getvalue().startswith(f"{path}: valid as a CONTACT_FLOW_MODULE")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        cli_main(["validate", str(path), "--flow-type", "INBOUND"], stderr=err)


def test_validate_reads_a_describe_answer_with_its_type(tmp_path: Path) -> None:
    queue_flow = K.flow(
        K.action(
            "module",
            "InvokeFlowModule",
            {"FlowModuleId": "m-1"},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.hang_up(),
    )
    described = {"ContactFlow": {"Type": "CUSTOMER_QUEUE", "Content": json.dumps(queue_flow)}}
    path = tmp_path / "described.json"
    path.write_text(json.dumps(described))
    out = io.StringIO()
    assert cli_main(["validate", str(path), "--json"], stdout=out) == 1
    report = json.loads(out.getvalue())
    assert report["flow_type"] == "CUSTOMER_QUEUE"
    assert [p["rule"] for p in report["problems"]] == ["inbound-only"]
    out = io.StringIO()
    assert cli_main(["validate", str(path), "--flow-type", "CONTACT_FLOW"], stdout=out) == 0
    module = {"ContactFlowModule": {"Content": json.dumps(K.module(*returning_flow()["Actions"]))}}
    path.write_text(json.dumps(module))
    out = io.StringIO()
    assert cli_main(["validate", str(path), "--json"], stdout=out) == 0
    assert json.loads(out.getvalue())["flow_type"] == "CONTACT_FLOW_MODULE"


def test_a_lambda_association_is_checked_only_when_asked_and_is_not_connects() -> None:
    flow = K.flow(K.invoke("call", WRITER_ARN), K.hang_up())
    assert validate_flow(flow) == []
    (problem,) = validate_flow(flow, associated_lambda_arns=[])
    assert (problem.code, problem.rule) == (ProblemCode.LAMBDA_NOT_ASSOCIATED, "lambda-association")
    assert problem.rule in LINTS and "Connect accepts the flow" in (problem.hint or "")
