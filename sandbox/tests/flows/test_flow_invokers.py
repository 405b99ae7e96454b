"""Lambda events and invokers: the event Connect sends, in-process and boto3 invocation."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from flowkit import CHECKER_ARN, WRITER_ARN, Kit

from tracker_sandbox.flows import (
    CallableInvoker,
    ContactData,
    build_contact_event,
    simulate_contact,
)
from tracker_sandbox.flows.aws import Boto3LambdaInvoker, fetch_flow_content
from tracker_sandbox.flows.lambdas import function_name


def test_contact_event_shape() -> None:
    contact = ContactData(
        contact_id="c-1",
        customer_address="+4930123",
        system_address="+4930999",
        instance_arn="arn:aws:connect:eu-central-1:111122223333:instance/i-1",
    )
    event = build_contact_event(
        contact,
        attributes={"TrackerRequestId": "r-1"},
        parameters={"RequestId": "r-1"},
        queue={"ARN": "arn:q", "Name": "basic"},
    )
    assert event == {
        "Details": {
            "ContactData": {
                "Attributes": {"TrackerRequestId": "r-1"},
                "Channel": "VOICE",
                "ContactId": "c-1",
                "CustomerEndpoint": {"Address": "+4930123", "Type": "TELEPHONE_NUMBER"},
                "InitialContactId": "c-1",
                "InitiationMethod": "INBOUND",
                "InstanceARN": "arn:aws:connect:eu-central-1:111122223333:instance/i-1",
                "PreviousContactId": "c-1",
                "Queue": {"ARN": "arn:q", "Name": "basic"},
                "SystemEndpoint": {"Address": "+4930999", "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": {"RequestId": "r-1"},
        },
        "Name": "ContactFlowEvent",
    }


def test_function_name() -> None:
    assert function_name(WRITER_ARN) == "tracker-writer"
    assert function_name(WRITER_ARN + ":live") == "tracker-writer"
    assert function_name("tracker-writer") == "tracker-writer"


# In-process handlers ------------------------------------------------------------------


def test_callable_invoker_runs_handlers_like_lambda() -> None:
    seen: dict[str, Any] = {}

    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        seen["remaining"] = context.get_remaining_time_in_millis()
        seen["name"] = context.function_name
        event["Details"]["Parameters"]["mutated"] = "yes"
        return {"Echo": event["Details"]["Parameters"]["RequestId"]}

    invoker = CallableInvoker({"tracker-checker": handler})
    event = {"Details": {"Parameters": {"RequestId": "r-1"}}}
    outcome = invoker.invoke(CHECKER_ARN, event, 3)
    assert json.loads(outcome.payload or b"") == {"Echo": "r-1"}
    assert outcome.function_error is None
    assert 0 < seen["remaining"] <= 3000
    assert seen["name"] == "tracker-checker"
    assert "mutated" not in event["Details"]["Parameters"]  # the handler got a copy


def test_callable_invoker_turns_exceptions_into_function_errors() -> None:
    def broken(event: dict[str, Any], context: Any) -> None:
        raise KeyError("RequestId")

    def unserialisable(event: dict[str, Any], context: Any) -> object:
        return object()

    invoker = CallableInvoker({WRITER_ARN: broken, CHECKER_ARN: unserialisable})
    outcome = invoker.invoke(WRITER_ARN, {}, 8)
    assert outcome.function_error == "Unhandled"
    assert json.loads(outcome.payload or b"") == {
        "errorMessage": "'RequestId'",
        "errorType": "KeyError",
    }
    assert invoker.invoke(CHECKER_ARN, {}, 8).function_error == "Unhandled"
    assert invoker.invoke("arn:aws:lambda:us-east-1:000000000000:function:other", {}, 8).failure


def test_a_python_tracker_through_the_flow(tracker_flow: dict[str, Any]) -> None:
    """Writer and checker as real Python functions over a dict, polled by the flow."""
    requests: dict[str, dict[str, Any]] = {}

    def writer(event: dict[str, Any], context: Any) -> dict[str, str]:
        request_id = f"r-{len(requests) + 1}"
        requests[request_id] = {"polls": 0, "params": event["Details"]["Parameters"]}
        return {"RequestId": request_id, "Status": "PENDING"}

    def checker(event: dict[str, Any], context: Any) -> dict[str, str]:
        request = requests[event["Details"]["Parameters"]["RequestId"]]
        request["polls"] += 1
        if request["polls"] < 3:
            return {"Status": "RUNNING"}
        return {"Status": "COMPLETE", "Balance": request["params"]["AccountId"] + ".00"}

    invoker = CallableInvoker({"tracker-writer": writer, "tracker-checker": checker})
    result = simulate_contact(
        tracker_flow, invoker, contact=ContactData(attributes={"AccountId": "42"})
    )
    assert result.success, result.success_reason
    assert result.prompts[-1].text == "Thank you for waiting. Your balance is 42.00 dollars."
    assert requests["r-1"]["polls"] == 3


# boto3 ------------------------------------------------------------------------------


class FakeLambda:
    def __init__(self, response: dict[str, Any] | Exception) -> None:
        self.response = response
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response


def test_boto3_invoker_sends_the_event_and_reads_the_answer() -> None:
    client = FakeLambda({"StatusCode": 200, "Payload": io.BytesIO(b'{"Status": "PENDING"}')})
    ticks = iter([10.0, 10.75])
    invoker = Boto3LambdaInvoker(client, timer=lambda: next(ticks))  # type: ignore[arg-type]
    event = build_contact_event(ContactData(contact_id="c-1"), attributes={}, parameters={"A": "1"})
    outcome = invoker.invoke(WRITER_ARN, event, 8)
    assert outcome.payload == b'{"Status": "PENDING"}'
    assert outcome.duration_seconds == 0.75
    assert outcome.function_error is None
    (call,) = client.calls
    assert call["FunctionName"] == WRITER_ARN
    assert call["InvocationType"] == "RequestResponse"
    assert json.loads(call["Payload"]) == event


def test_boto3_invoker_reports_function_errors() -> None:
    body = b'{"errorMessage": "boom", "errorType": "RuntimeError"}'
    client = FakeLambda(
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(body)}
    )
    outcome = Boto3LambdaInvoker(client).invoke(WRITER_ARN, {}, 8)  # type: ignore[arg-type]
    assert (outcome.function_error, outcome.payload) == ("Unhandled", body)


def test_boto3_invoker_reports_failed_invocations() -> None:
    error = ClientError(
        {"Error": {"Code": "ResourceNotFoundException", "Message": "no such function"}}, "Invoke"
    )
    outcome = Boto3LambdaInvoker(FakeLambda(error)).invoke(WRITER_ARN, {}, 8)  # type: ignore[arg-type]
    assert outcome.failure is not None and "ResourceNotFoundException" in outcome.failure
    assert outcome.payload is None


def test_boto3_invoker_in_a_simulation() -> None:
    client = FakeLambda({"StatusCode": 200, "Payload": io.BytesIO(b'{"Status": "OK"}')})
    flow = Kit.flow(Kit.invoke("call"), Kit.hang_up())
    result = simulate_contact(flow, Boto3LambdaInvoker(client))  # type: ignore[arg-type]
    assert result.ended_normally and result.lambda_calls[0].ok
    assert result.external == {"Status": "OK"}


def test_fetch_flow_content_uses_describe_contact_flow() -> None:
    class FakeConnect:
        def describe_contact_flow(self, **kwargs: Any) -> dict[str, Any]:
            assert kwargs == {"InstanceId": "i-1", "ContactFlowId": "f-1"}
            return {"ContactFlow": {"Content": '{"Version": "2019-10-30"}'}}

    assert fetch_flow_content("i-1", "f-1", client=FakeConnect()) == '{"Version": "2019-10-30"}'  # type: ignore[arg-type]


def test_boto3_invoker_builds_its_client_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []

    def fake_client(service: str, **kwargs: Any) -> FakeLambda:
        made.append({"service": service, **kwargs})
        return FakeLambda({"StatusCode": 200, "Payload": io.BytesIO(b"{}")})

    monkeypatch.setattr("boto3.client", fake_client)
    invoker = Boto3LambdaInvoker(endpoint_url="http://localhost:4566", region_name="us-east-1")
    assert made == []
    invoker.invoke(WRITER_ARN, {}, 8)
    assert made[0]["service"] == "lambda"
    assert made[0]["endpoint_url"] == "http://localhost:4566"
    assert made[0]["config"].read_timeout > 60
