"""Writer written with Powertools: Logger + one conditional PutItem."""

from __future__ import annotations

import functools
import time
from typing import Any

import boto3
from aws_lambda_powertools import Logger

logger = Logger(service="tracker-writer")


@functools.cache
def _client() -> Any:  # noqa: ANN401
    return boto3.client("dynamodb")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: object) -> dict[str, str]:
    contact_id = event["Details"]["ContactData"]["ContactId"]
    request_id = f"{contact_id}:{event['Details']['Parameters'].get('TaskName', '')}"
    _client().put_item(
        TableName="t",
        Item={"RequestId": {"S": request_id}, "CreatedAt": {"N": str(time.time())}},
        ConditionExpression="attribute_not_exists(RequestId)",
    )
    logger.info("request.created", extra={"request_id": request_id})
    return {"RequestId": request_id, "Status": "PENDING"}
