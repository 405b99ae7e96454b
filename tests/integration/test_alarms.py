"""The module's alarms on the sandbox: applied with the stack (examples/localstack wires
alarm_actions and ok_actions to an SNS topic), and a record that fails past its retries
fills the on-failure queue, whose alarm reaches ALARM and notifies the topic; drained, the
queue brings it back to OK, which notifies the topic again. A writer whose table does not
answer sets off its errors alarm and writes the line its metric filter counts.

How LocalStack 2026.3 evaluates a metric alarm (localstack/services/cloudwatch/
alarm_scheduler.py): every evaluation_periods x period seconds it reads the metric over the
last few periods and sets the state; the integration stack uses 10-second periods. SQS
publishes ApproximateNumberOfMessagesVisible every SQS_CLOUDWATCH_METRICS_REPORT_INTERVAL
seconds, which the sandbox sets to 10 (tracker_sandbox.process). Waits have deadlines.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import Stack, connect_event, new_contact
from tests.integration.stack import log_lines, wait_for

pytestmark = pytest.mark.integration

#: Within this the alarm must follow its queue: a few 10 s periods and metric reports, with
#: room for a busy machine.
STATE_TIMEOUT = 120
#: The record's first delivery and both retries fail before Lambda gives up on the batch.
DEAD_LETTER_TIMEOUT = 150

FUNCTIONS = ("writer", "processor", "worker", "checker")
#: The functions whose failures Lambda sends to the on-failure queue (alarms.tf).
DESTINATIONS = ("processor", "worker")


def alarm_name(stack: Stack, key: str) -> str:
    return str(stack.outputs["alarm_arns"][key]).split(":alarm:", 1)[1]


def alarm(stack: Stack, key: str) -> dict[str, Any]:
    found = stack.client("cloudwatch").describe_alarms(AlarmNames=[alarm_name(stack, key)])
    return found["MetricAlarms"][0]  # type: ignore[no-any-return]


def wait_for_state(stack: Stack, key: str, state: str) -> dict[str, Any]:
    return wait_for(
        lambda: (current := alarm(stack, key))["StateValue"] == state and current,
        timeout=STATE_TIMEOUT,
        interval=1,
        what=f"alarm {alarm_name(stack, key)} reaching {state}",
    )


def visible_messages(stack: Stack) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.outputs["on_failure_queue_url"],
        AttributeNames=["ApproximateNumberOfMessages"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def drain(stack: Stack) -> None:
    """Delete every message of the on-failure queue (other tests may have left some)."""
    sqs = stack.client("sqs")
    queue = stack.outputs["on_failure_queue_url"]

    def empty() -> bool:
        messages = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return not messages and visible_messages(stack) == 0

    wait_for(empty, timeout=60, what="the on-failure queue emptied")


@pytest.fixture
def inbox(stack: Stack) -> Iterator[str]:
    """A queue subscribed to the alarms' SNS topic, removed afterwards."""
    sqs, sns = stack.client("sqs"), stack.client("sns")
    name = f"{stack.terraform.variables['name']}-inbox-{secrets.token_hex(2)}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    subscription = sns.subscribe(
        TopicArn=stack.outputs["alarm_topic_arn"], Protocol="sqs", Endpoint=queue_arn
    )["SubscriptionArn"]
    try:
        yield url
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=url)


def wait_for_notification(stack: Stack, inbox: str, name: str, state: str) -> dict[str, Any]:
    """The alarm notification CloudWatch published to the topic for ``name`` entering ``state``."""
    sqs = stack.client("sqs")

    def received() -> dict[str, Any] | None:
        for message in sqs.receive_message(
            QueueUrl=inbox, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            sqs.delete_message(QueueUrl=inbox, ReceiptHandle=message["ReceiptHandle"])
            notification = json.loads(json.loads(message["Body"])["Message"])
            if notification["AlarmName"] == name and notification["NewStateValue"] == state:
                return notification  # type: ignore[no-any-return]
        return None

    return wait_for(received, timeout=60, what=f"the topic's {state} notification for {name}")


def test_every_alarm_is_applied_with_its_actions_filters_and_dashboard(stack: Stack):
    topic = stack.outputs["alarm_topic_arn"]
    expected = {"on_failure_queue_depth", "stream_iterator_age"}
    expected |= {"checker_unknown_answers", "writer_failures"}
    expected |= {"worker_async_event_age", "worker_async_events_dropped"}
    expected |= {f"{function}_destination_delivery_failures" for function in DESTINATIONS}
    expected |= {f"{function}_{kind}" for function in FUNCTIONS for kind in ("errors", "throttles")}
    assert set(stack.outputs["alarm_arns"]) == expected
    for key in expected:
        applied = alarm(stack, key)
        assert applied["AlarmActions"] == [topic], key
        assert applied["OKActions"] == [topic], key
        assert applied["ActionsEnabled"] is True, key
        assert applied["Period"] == 10, key
        assert applied["TreatMissingData"] == "notBreaching", key
    for function in FUNCTIONS:
        for kind in ("errors", "throttles"):
            dimensions = alarm(stack, f"{function}_{kind}")["Dimensions"]
            assert dimensions == [
                {"Name": "FunctionName", "Value": stack.outputs[f"{function}_function_name"]}
            ]
    for function in DESTINATIONS:
        applied = alarm(stack, f"{function}_destination_delivery_failures")
        assert (applied["Namespace"], applied["MetricName"], applied["Statistic"]) == (
            "AWS/Lambda",
            "DestinationDeliveryFailures",
            "Sum",
        )
        assert applied["Dimensions"] == [
            {"Name": "FunctionName", "Value": stack.outputs[f"{function}_function_name"]}
        ]
    queue_name = stack.outputs["on_failure_queue_url"].rsplit("/", 1)[1]
    assert alarm(stack, "on_failure_queue_depth")["Dimensions"] == [
        {"Name": "QueueName", "Value": queue_name}
    ]

    logs = stack.client("logs")
    for function, event in (
        ("checker", "check.store_unavailable"),
        ("writer", "request.store_unavailable"),
    ):
        filters = logs.describe_metric_filters(
            logGroupName=stack.outputs["log_group_names"][function]
        )["metricFilters"]
        assert [f["filterPattern"] for f in filters] == [f'{{ $.event = "{event}" }}']
        transformation = filters[0]["metricTransformations"][0]
        assert transformation["metricNamespace"] == stack.outputs["alarm_metric_namespace"]

    body = json.loads(
        stack.client("cloudwatch").get_dashboard(DashboardName=stack.outputs["dashboard_name"])[
            "DashboardBody"
        ]
    )
    assert set(body["widgets"][0]["properties"]["alarms"]) == set(
        stack.outputs["alarm_arns"].values()
    )


def test_a_filling_on_failure_queue_sets_off_its_alarm_and_notifies_the_topic(
    stack: Stack, inbox: str
):
    name = alarm_name(stack, "on_failure_queue_depth")
    drain(stack)
    wait_for_state(stack, "on_failure_queue_depth", "OK")

    # The processor cannot reach Lambda to dispatch the request: its batch fails, is
    # retried (stream.maximum_retry_attempts) and then recorded in the on-failure queue.
    # (A task that keeps failing no longer lands there: its worker retries it with backoff
    # until the deadline and records TIMED_OUT; docs/execution.md.)
    with stack.endpoint_unanswering_for("processor", "LAMBDA"):
        stack.submit(new_contact(), "integration_counted")
        wait_for(
            lambda: visible_messages(stack) >= 1,
            timeout=DEAD_LETTER_TIMEOUT,
            interval=1,
            what="the failed batch in the on-failure queue",
        )
    fired = wait_for_state(stack, "on_failure_queue_depth", "ALARM")
    assert fired["StateReason"].startswith("Threshold Crossed")
    assert max(json.loads(fired["StateReasonData"])["recentDatapoints"]) >= 1
    notification = wait_for_notification(stack, inbox, name, "ALARM")
    assert notification["Trigger"]["MetricName"] == "ApproximateNumberOfMessagesVisible"

    drain(stack)
    wait_for_state(stack, "on_failure_queue_depth", "OK")
    assert wait_for_notification(stack, inbox, name, "OK")["OldStateValue"] == "ALARM"


@pytest.mark.usefixtures("bundled_sandbox")  # the unanswering port is on this host
def test_a_writer_whose_table_does_not_answer_sets_off_its_errors_alarm(stack: Stack):
    wait_for_state(stack, "writer_errors", "OK")
    contact = new_contact()
    with stack.table_unanswering_for("writer"):
        answer = stack.client("lambda").invoke(
            FunctionName=stack.outputs["writer_function_name"],
            Payload=json.dumps(connect_event(contact, {"TaskName": "simulated_backend"})).encode(),
        )
        error = json.loads(answer["Payload"].read())
    assert answer.get("FunctionError"), error
    assert error["errorType"] == "StoreUnavailable"
    fired = wait_for_state(stack, "writer_errors", "ALARM")
    assert fired["Dimensions"] == [
        {"Name": "FunctionName", "Value": stack.outputs["writer_function_name"]}
    ]
    # the JSON line the writer_failures filter selects ({ $.event = "request.store_unavailable" })
    lines = wait_for(
        lambda: [
            line
            for line in log_lines(stack, "writer", contact)
            if line.get("event") == "request.store_unavailable"
        ],
        timeout=60,
        what="the writer's request.store_unavailable line",
    )
    assert lines[0]["level"] == "ERROR"
    assert lines[0]["task_name"] == "simulated_backend"
