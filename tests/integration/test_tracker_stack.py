"""The deployed stack on the sandbox: real functions, real stream, real event source mapping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.conftest import DEADLINE_SECONDS, Stack, new_contact
from tests.integration.stack import wait_for

pytestmark = pytest.mark.integration


def log_lines(stack: Stack, function: str, needle: str) -> list[dict[str, object]]:
    """JSON log lines of a function's own log group that mention ``needle``."""
    name = stack.outputs[f"{function}_function_name"]
    logs = stack.client("logs")
    lines: list[dict[str, object]] = []
    for page in logs.get_paginator("filter_log_events").paginate(
        logGroupName=f"/aws/lambda/{name}"
    ):
        for event in page["events"]:
            message = event["message"].strip()
            if needle in message and message.startswith("{"):
                lines.append(json.loads(message))
    return lines


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


def test_the_processor_runs_exactly_once_per_request(stack: Stack):
    contact = new_contact()
    request_id = stack.submit(contact, "simulated_backend", DelaySeconds="0")["RequestId"]
    assert stack.wait_terminal(request_id)["Status"] == "COMPLETE"
    item = stack.item(request_id)
    assert item is not None
    assert item["Attempts"] == {"N": "1"}
    started = wait_for(
        lambda: log_lines(stack, "processor", request_id) or None,
        timeout=30,
        what="processor log lines",
    )
    assert [line["message"] for line in started if line.get("message") == "task.started"] == [
        "task.started"
    ]
    # the processor's own writes (claim, outcome) must not have re-invoked it: a second
    # invocation would log record.duplicate for this request
    assert not [line for line in started if line.get("message") == "record.duplicate"]


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


def stream_sequence_number(stack: Stack, request_id: str) -> str:
    """The sequence number of the INSERT record the stream holds for ``request_id``."""
    streams = stack.client("dynamodbstreams")
    arn = stack.outputs["tracker_table_stream_arn"]

    def find() -> str | None:
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                page = streams.get_records(ShardIterator=iterator, Limit=1000)
                for record in page["Records"]:
                    keys = record["dynamodb"]["Keys"]
                    if record["eventName"] == "INSERT" and keys["RequestId"]["S"] == request_id:
                        return str(record["dynamodb"]["SequenceNumber"])
                if not page["Records"]:
                    break
                iterator = page.get("NextShardIterator")
        return None

    return wait_for(find, timeout=30, what=f"the stream record of {request_id}")


def test_a_record_that_keeps_failing_ends_in_the_on_failure_queue(stack: Stack):
    request_id = stack.submit(new_contact(), "integration_backend_down")["RequestId"]
    sequence = int(stream_sequence_number(stack, request_id))
    sqs = stack.client("sqs")
    queue = stack.outputs["on_failure_queue_url"]

    def dead_letter() -> dict[str, Any] | None:
        answer = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=0
        )
        for message in answer.get("Messages", []):
            body = json.loads(message["Body"])
            batch = body.get("DDBStreamBatchInfo", {})
            first, last = batch.get("startSequenceNumber"), batch.get("endSequenceNumber")
            if first and last and int(first) <= sequence <= int(last):
                return body  # type: ignore[no-any-return]
        return None

    record = wait_for(
        dead_letter, timeout=120, interval=0.1, what="the record in the on-failure queue"
    )
    # Lambda's on-failure record names the stream and the batch's range: enough to replay it
    batch = record["DDBStreamBatchInfo"]
    assert batch["streamArn"] == stack.outputs["tracker_table_stream_arn"]
    assert batch["shardId"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["functionArn"].startswith(
        stack.outputs["processor_function_arn"]
    )
    # each delivery ran the task and released the claim; none completed
    item = stack.item(request_id)
    assert item is not None
    assert item["Status"] == {"S": "PENDING"}
    # the caller is not stranded: by its deadline the request is sealed TIMED_OUT
    assert stack.wait_terminal(request_id, timeout=DEADLINE_SECONDS + 60)["Status"] == "TIMED_OUT"


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
    for function in ("writer", "processor", "checker"):
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
