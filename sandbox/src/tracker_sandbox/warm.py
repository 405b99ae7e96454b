"""Warm the emulators a burst of contacts depends on, right after the sandbox starts.

A fresh sandbox's DynamoDB Local (a JVM) and kinesis-mock (which backs DynamoDB Streams,
on Node) run their first requests interpreted: measured here (docs/sandbox.md, "Warm-up"),
the first 40 concurrent transactional writes to a stream-enabled table cost DynamoDB Local
about 90 ms of CPU each and kinesis-mock about 50 ms, against about 27 ms and 28 ms once
their JIT compilers have compiled the hot paths. On a 2-core runner that is the difference
between a burst of 40 writer calls answered within the writer's time and one that is not.
On AWS there is nothing to warm; here a few hundred requests of the shapes the tracker uses
(the writer's two-item transaction, the worker's conditional update, the checker's
consistent read, and the stream's reads) do it once per sandbox start, on a scratch table
that is deleted afterwards.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from tracker_sandbox import config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodbstreams.client import DynamoDBStreamsClient

#: Requests of each shape; measured enough for warm per-request costs (docs/sandbox.md).
DEFAULT_REQUESTS = 200
CONCURRENCY = 10


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=config.DEFAULT_REGION,
        aws_access_key_id=config.FAKE_ACCESS_KEY_ID,
        aws_secret_access_key=config.FAKE_SECRET_ACCESS_KEY,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, read_timeout=60),
    )


def _one_request(ddb: DynamoDBClient, table: str, index: int) -> None:
    """The tracker's three shapes on one item: create, claim, read."""
    key = f"warm-{index}-{uuid.uuid4()}"
    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": {"RequestId": {"S": f"ask#{key}"}, "ForRequest": {"S": key}},
                    "ConditionExpression": "attribute_not_exists(RequestId)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Put": {
                    "TableName": table,
                    "Item": {"RequestId": {"S": key}, "Status": {"S": "PENDING"}},
                    "ConditionExpression": "attribute_not_exists(RequestId)",
                }
            },
        ]
    )
    ddb.update_item(
        TableName=table,
        Key={"RequestId": {"S": key}},
        UpdateExpression="SET #s = :running",
        ConditionExpression="#s = :pending",
        ExpressionAttributeNames={"#s": "Status"},
        ExpressionAttributeValues={":running": {"S": "RUNNING"}, ":pending": {"S": "PENDING"}},
        ReturnValues="ALL_NEW",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    ddb.get_item(TableName=table, Key={"RequestId": {"S": key}}, ConsistentRead=True)


def _read_stream(streams: DynamoDBStreamsClient, stream_arn: str) -> int:
    """Every record of the scratch table's stream, as a stream poller reads them."""
    records = 0
    description = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    for shard in description.get("Shards", []):
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        ).get("ShardIterator")
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=100)
            records += len(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records


def warm_dynamodb(endpoint: str, requests: int = DEFAULT_REQUESTS) -> float:
    """Warm DynamoDB Local and the stream behind it; returns the seconds it took."""
    began = time.monotonic()
    ddb: DynamoDBClient = _client("dynamodb", endpoint)
    table = f"sandbox-warm-{uuid.uuid4().hex[:8]}"
    created = ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "RequestId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "RequestId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    try:
        ddb.get_waiter("table_exists").wait(TableName=table)
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            list(pool.map(lambda index: _one_request(ddb, table, index), range(requests)))
        stream_arn = created["TableDescription"].get("LatestStreamArn")
        if stream_arn:
            _read_stream(_client("dynamodbstreams", endpoint), stream_arn)
    finally:
        ddb.delete_table(TableName=table)
    return time.monotonic() - began
