"""Constructs that stopped real-world flows in the simulator (issue 18, item 7), each as a
minimal flow of our own: the measurement and its sources are in
sandbox/src/tracker_sandbox/flows/README.md ("Real-world flows")."""

from __future__ import annotations

from typing import Any

from flowkit import Kit

from tracker_sandbox.flows import SimulationOptions, StubInvoker, simulate_contact
from tracker_sandbox.flows.lambdas import ANY_FUNCTION
from tracker_sandbox.flows.result import SimulationResult

K = Kit


def run(flow: dict[str, Any], answer: Any = None) -> SimulationResult:
    invoker = StubInvoker({ANY_FUNCTION: [answer if answer is not None else {}]}, strict=True)
    return simulate_contact(flow, invoker, options=SimulationOptions(max_steps=200))


def test_an_agent_view_looping_back_to_itself_ends_when_nobody_acts() -> None:
    """An agent view whose every choice leads back to it (exported agent-workspace flows):
    the first time the default action, then the view's time limit."""
    flow = K.flow(
        K.invoke("load", next_action="view", error="hang-up"),
        K.action(
            "view",
            "ShowView",
            {
                "ViewResource": {"Id": "cards", "Version": "Latest"},
                "InvocationTimeLimitSeconds": "600",
            },
            next_action="hang-up",
            errors={
                "NoMatchingError": "hang-up",
                "NoMatchingCondition": "hang-up",
                "TimeLimitExceeded": "hang-up",
            },
            conditions=[("Equals", ["ActionSelected"], "record"), ("Equals", ["Back"], "view")],
        ),
        K.action(
            "record",
            "UpdateContactAttributes",
            {"Attributes": {"choice": "$.Views.ViewResultData.actionName"}},
            next_action="load",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.hang_up(),
    )
    result = run(flow)
    assert result.ended_by == "DisconnectParticipant", result.render_transcript()
    assert [a.branch for a in result.assumptions] == [
        "condition:ActionSelected",
        "error:TimeLimitExceeded",
    ]


def test_a_menu_that_repeats_ends_when_the_caller_says_nothing() -> None:
    flow = K.flow(
        K.action(
            "menu",
            "GetParticipantInput",
            {
                "Text": "Press 1 to hear it again.",
                "InputTimeLimitSeconds": "5",
                "StoreInput": "False",
            },
            next_action="hang-up",
            errors={
                "InputTimeLimitExceeded": "hang-up",
                "NoMatchingCondition": "hang-up",
                "NoMatchingError": "hang-up",
            },
            conditions=[("Equals", ["1"], "lookup")],
        ),
        K.invoke("lookup", next_action="menu", error="hang-up"),
        K.hang_up(),
    )
    result = run(flow)
    assert result.path == ["menu", "lookup", "menu", "hang-up"]


def test_a_lambda_named_by_a_flow_attribute_is_answered_by_the_catch_all_stub() -> None:
    flow = K.flow(
        K.action(
            "arns",
            "UpdateFlowAttributes",
            {
                "FlowAttributes": {
                    "Fn": {"Value": "arn:aws:lambda:us-east-1:111122223333:function:f"}
                }
            },
            next_action="call",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.invoke("call", "$.FlowAttributes.Fn", next_action="hang-up", error="hang-up"),
        K.hang_up(),
    )
    result = run(flow, {"Ok": "yes"})
    assert result.ended_normally and result.external == {"Ok": "yes"}
    assert result.lambda_calls[0].function_arn.endswith(":function:f")


def test_exports_that_leave_out_empty_keys() -> None:
    """Exports leave out empty Parameters and Transitions, ResponseValidation, and write
    the time limit as a number."""
    flow = K.flow(
        {
            "Identifier": "call",
            "Type": "InvokeLambdaFunction",
            "Parameters": {"LambdaFunctionARN": "fn", "InvocationTimeLimitSeconds": 5},
            "Transitions": {
                "NextAction": "queue",
                "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
            },
        },
        {
            "Identifier": "queue",
            "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": K.queue_arn},
            "Transitions": {"NextAction": "transfer"},
        },
        {
            "Identifier": "transfer",
            "Type": "TransferContactToQueue",
            "Transitions": {
                "NextAction": "end",
                "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
            },
        },
        {"Identifier": "end", "Type": "DisconnectParticipant"},
    )
    result = simulate_contact(flow, StubInvoker({ANY_FUNCTION: [{}]}), validate=False)
    assert (result.ended_by, result.lambda_calls[0].time_limit_seconds) == (
        "TransferContactToQueue",
        5.0,
    )
