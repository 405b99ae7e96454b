"""DynamoDB stream -> event source mapping (with a filter) -> Lambda, through the executor."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest
from sandbox_testkit import FunctionFactory, client, wait_for_log

from tracker_sandbox.control import Sandbox

pytestmark = pytest.mark.sandbox

RECORDER = """\
import json

def handler(event, context):
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        print("SEEN", json.dumps({"id": image["RequestId"]["S"], "event": record["eventName"]}))
    return {"batchItemFailures": []}
"""

PENDING_INSERTS = {
    "eventName": ["INSERT"],
    "dynamodb": {"NewImage": {"Status": {"S": ["PENDING"]}}},
}


def test_stream_insert_filter_invokes_function(
    make_function: FunctionFactory, lambda_client: Any, logs_client: Any,
    aws: boto3.Session, sandbox: Sandbox,
) -> None:  # fmt: skip
    dynamodb = client(aws, sandbox, "dynamodb")
    table = f"sbx-tracker-{uuid.uuid4().hex[:8]}"
    stream_arn = dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "RequestId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "RequestId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    mapping_id = None
    try:
        dynamodb.get_waiter("table_exists").wait(TableName=table)
        name = make_function({"app.py": RECORDER})
        mapping_id = lambda_client.create_event_source_mapping(
            FunctionName=name,
            EventSourceArn=stream_arn,
            # As the module's mapping: with LATEST the records written before the poller
            # takes its first iterator are never read (here req-1, CI of 2026-12-01).
            StartingPosition="TRIM_HORIZON",
            BatchSize=10,
            FilterCriteria={"Filters": [{"Pattern": json.dumps(PENDING_INSERTS)}]},
            FunctionResponseTypes=["ReportBatchItemFailures"],
        )["UUID"]
        deadline = time.monotonic() + 60
        while lambda_client.get_event_source_mapping(UUID=mapping_id)["State"] != "Enabled":
            assert time.monotonic() < deadline, "event source mapping never became Enabled"
            time.sleep(0.25)

        # Filtered out: wrong status. Then the one that matches, later in the same shard.
        dynamodb.put_item(
            TableName=table, Item={"RequestId": {"S": "done-1"}, "Status": {"S": "COMPLETE"}}
        )
        dynamodb.put_item(
            TableName=table, Item={"RequestId": {"S": "req-1"}, "Status": {"S": "PENDING"}}
        )
        # A MODIFY of the matching item must not trigger either.
        dynamodb.update_item(
            TableName=table,
            Key={"RequestId": {"S": "req-1"}},
            UpdateExpression="SET #s = :p",
            ExpressionAttributeNames={"#s": "Status"},
            ExpressionAttributeValues={":p": {"S": "PENDING"}},
        )
        dynamodb.put_item(
            TableName=table, Item={"RequestId": {"S": "req-2"}, "Status": {"S": "PENDING"}}
        )

        def both_seen(messages: list[str]) -> bool:
            text = "".join(messages)
            return '"id": "req-1"' in text and '"id": "req-2"' in text

        messages = wait_for_log(logs_client, f"/aws/lambda/{name}", both_seen, seconds=90)
        seen = [json.loads(m.split("SEEN ", 1)[1]) for m in messages if m.startswith("SEEN ")]
        assert sorted(s["id"] for s in seen) == ["req-1", "req-2"]
        assert {s["event"] for s in seen} == {"INSERT"}
    finally:
        if mapping_id:
            lambda_client.delete_event_source_mapping(UUID=mapping_id)
        dynamodb.delete_table(TableName=table)
