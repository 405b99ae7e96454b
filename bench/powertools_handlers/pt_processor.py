"""Processor written with Powertools: Logger + BatchProcessor over DynamoDB stream records."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

logger = Logger(service="tracker-processor")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@functools.cache
def _client() -> Any:  # noqa: ANN401
    return boto3.client("dynamodb")


def record_handler(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else {}
    logger.info("record", extra={"keys": keys})
    _client().update_item(
        TableName="t",
        Key={"RequestId": {"S": str(keys.get("RequestId"))}},
        UpdateExpression="SET #s = :c",
        ExpressionAttributeNames={"#s": "Status"},
        ExpressionAttributeValues={":c": {"S": "COMPLETE"}},
    )


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
