"""The deployed stack on the sandbox: real functions, real stream, real event source mapping."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import DEADLINE_SECONDS, Stack, new_contact
from tests.integration.network import delaying_proxy
from tests.integration.stack import log_lines, wait_for

pytestmark = pytest.mark.integration


def test_the_whole_loop_completes_with_the_tasks_result(stack: Stack):
    contact = new_contact()
    written = stack.submit(contact, "simulated_backend", DelaySeconds="1", AccountId="ACC-7")
    assert written["Status"] == "PENDING"
    assert all(isinstance(value, str) for value in written.values())
    final = stack.wait_terminal(written["RequestId"])
    assert final["Status"] == "COMPLETE"
    assert final["Message"] == "Processed after 1 seconds"
    assert final["Echo_AccountId"] == "ACC-7"
    assert all(isinstance(value, str) for value in final.values())


def test_the_worker_runs_exactly_once_per_request(stack: Stack):
    contact = new_contact()
    request_id = stack.submit(contact, "simulated_backend", DelaySeconds="0")["RequestId"]
    assert stack.wait_terminal(request_id)["Status"] == "COMPLETE"
    item = stack.item(request_id)
    assert item is not None
    assert item["Attempts"] == {"N": "1"}
    assert item["FinishedBy"] == {"S": "worker"}
    started = wait_for(
        lambda: log_lines(stack, "worker", request_id) or None,
        timeout=30,
        what="worker log lines",
    )
    assert [line["message"] for line in started if line.get("message") == "task.started"] == [
        "task.started"
    ]
    # the worker's own writes (claim, outcome) must not have dispatched it again: a second
    # invocation would log record.duplicate for this request
    assert not [line for line in started if line.get("message") == "record.duplicate"]
    dispatched = log_lines(stack, "processor", request_id)
    assert [line["message"] for line in dispatched] == ["request.dispatched"]


def test_a_task_that_raises_ends_failed_with_its_code(stack: Stack):
    request_id = stack.submit(new_contact(), "integration_fails", AccountId="ACC-404")["RequestId"]
    final = stack.wait_terminal(request_id)
    assert final["Status"] == "FAILED"
    assert final["ErrorCode"] == "NO_SUCH_ACCOUNT"
    assert "ACC-404" in final["ErrorMessage"]


def test_a_task_that_outlives_the_deadline_ends_timed_out(stack: Stack):
    request_id = stack.submit(new_contact(), "integration_overruns")["RequestId"]
    final = stack.wait_terminal(request_id, timeout=DEADLINE_SECONDS + 60)
    assert final["Status"] == "TIMED_OUT"
    assert final["ErrorCode"] == "DEADLINE_EXCEEDED"
    assert "TooLate" not in final


def test_a_backend_that_stays_down_is_retried_with_backoff_until_the_deadline(stack: Stack):
    request_id = stack.submit(new_contact(), "integration_backend_down")["RequestId"]
    final = stack.wait_terminal(request_id, timeout=DEADLINE_SECONDS + 60)
    assert final["Status"] == "TIMED_OUT"
    assert final["ErrorCode"] == "DEADLINE_EXCEEDED"
    assert "BACKEND_UNAVAILABLE" in final["ErrorMessage"]
    item = stack.item(request_id)
    assert item is not None
    assert item["FinishedBy"] == {"S": "worker"}  # recorded by the worker, not sealed
    assert item["Attempts"] == {"N": "1"}  # one claim; the retries ran under it
    retries = wait_for(
        lambda: (
            [
                line
                for line in log_lines(stack, "worker", request_id)
                if line.get("message") == "task.retry"
            ]
            or None
        ),
        timeout=30,
        what="task.retry lines",
    )
    pauses = [float(line["pause_seconds"]) for line in retries]
    # growing, jittered pauses (0.5, 1, 2, 4, 8 ... s ceilings): never a tight loop
    assert all(0.25 * min(2**n, 16) <= p <= 0.5 * min(2**n, 16) for n, p in enumerate(pauses))


def test_the_writer_waits_for_a_slow_table_as_long_as_connect_waits_for_it(stack: Stack):
    """Every answer of the table 2.5 s late: longer than one 2 s read, within the writer's
    time (its default 7 s timeout, inside the flow block's 8 s). The deployed writer still
    records the request and answers, where giving up would send the caller to the apology."""
    contact = new_contact()
    with (
        delaying_proxy(stack.endpoint, delay_seconds=2.5) as slow_table,
        stack.endpoint_for("writer", "DYNAMODB", slow_table),
    ):
        written = stack.submit(contact, "simulated_backend", DelaySeconds="0")
    assert written["Status"] == "PENDING"
    assert stack.item(written["RequestId"]) is not None
    assert stack.wait_terminal(written["RequestId"])["Status"] == "COMPLETE"


def test_the_writer_is_idempotent_per_contact_and_task(stack: Stack):
    contact = new_contact()
    first = stack.submit(contact, "simulated_backend", DelaySeconds="0")
    second = stack.submit(contact, "simulated_backend", DelaySeconds="0")
    assert first["RequestId"] == second["RequestId"]
    items = stack.client("dynamodb").scan(
        TableName=stack.outputs["tracker_table_name"],
        FilterExpression="ContactId = :c",
        ExpressionAttributeValues={":c": {"S": contact}},
        ConsistentRead=True,
    )["Items"]
    assert len(items) == 1


def test_ttl_and_stream_are_as_planned(stack: Stack):
    dynamodb = stack.client("dynamodb")
    table = stack.outputs["tracker_table_name"]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert ttl["AttributeName"] == "ExpiresAt"
    description = dynamodb.describe_table(TableName=table)["Table"]
    assert description["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_IMAGE",
    }
    mappings = stack.client("lambda").list_event_source_mappings(
        FunctionName=stack.outputs["processor_function_name"]
    )["EventSourceMappings"]
    assert len(mappings) == 1
    mapping = mappings[0]
    assert mapping["EventSourceArn"] == stack.outputs["tracker_table_stream_arn"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert (
        mapping["DestinationConfig"]["OnFailure"]["Destination"]
        == stack.outputs["on_failure_queue_arn"]
    )
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert patterns == [
        {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"Status": {"S": ["PENDING"]}}}}
    ]


def test_logs_are_json_lines_with_the_contact_and_no_caller_number(stack: Stack):
    contact = new_contact()
    request_id = stack.submit(contact, "simulated_backend", DelaySeconds="0")["RequestId"]
    stack.wait_terminal(request_id)
    for function in ("writer", "processor", "worker", "checker"):
        needle = contact if function != "checker" else request_id
        lines = wait_for(
            lambda f=function, n=needle: log_lines(stack, f, n) or None,
            timeout=30,
            what=f"{function} log lines",
        )
        assert any(line.get("contact_id") == contact for line in lines), (function, lines)
        name = stack.outputs[f"{function}_function_name"]
        everything = stack.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")[
            "events"
        ]
        assert everything
        assert not [e for e in everything if "+12025550143" in e["message"]]


def test_a_second_plan_shows_no_changes(stack: Stack):
    """Deterministic packaging and settings the provider reads back as written: no drift."""
    assert stack.terraform.plan_exit_code() == 0


def connect_instance_id(stack: Stack) -> str:
    return str(stack.outputs["connect_instance_arn"]).rsplit("/", 1)[1]


@pytest.mark.usefixtures("connect_endpoint")
def test_the_flow_is_published_with_its_lambdas_associated_and_invocable(stack: Stack):
    connect = stack.client("connect")
    instance = connect_instance_id(stack)
    flow = connect.describe_contact_flow(
        InstanceId=instance, ContactFlowId=stack.outputs["contact_flow_id"]
    )["ContactFlow"]
    assert flow["Arn"] == stack.outputs["contact_flow_arn"]
    assert flow["Type"] == "CONTACT_FLOW"
    assert json.loads(flow["Content"]) == json.loads(stack.outputs["contact_flow_content"])
    associated = connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"]
    assert sorted(associated) == sorted(
        [stack.outputs["writer_function_arn"], stack.outputs["checker_function_arn"]]
    )
    for function in ("writer", "checker"):
        policy = json.loads(
            stack.client("lambda").get_policy(
                FunctionName=stack.outputs[f"{function}_function_name"]
            )["Policy"]
        )
        [statement] = policy["Statement"]
        assert statement["Principal"] == {"Service": "connect.amazonaws.com"}
        assert (
            statement["Condition"]["ArnLike"]["AWS:SourceArn"]
            == stack.outputs["connect_instance_arn"]
        )


@pytest.mark.usefixtures("connect_endpoint")
def test_a_prompt_change_updates_the_published_flow_in_place(stack: Stack):
    """Runs last in this module: the stack keeps the new greeting (and plans stay clean)."""
    before = stack.outputs["contact_flow_id"]
    greeting = "Hello again. One moment while I look that up."
    stack.terraform.apply(greeting_prompt=greeting)
    after = stack.terraform.outputs()
    assert after["contact_flow_id"] == before
    described = stack.client("connect").describe_contact_flow(
        InstanceId=connect_instance_id(stack), ContactFlowId=before
    )["ContactFlow"]
    texts = [a["Parameters"].get("Text") for a in json.loads(described["Content"])["Actions"]]
    assert greeting in texts
    stack.outputs.update(after)
    assert stack.terraform.plan_exit_code() == 0
