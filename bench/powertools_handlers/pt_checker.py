"""Checker written with Powertools: Logger + one GetItem."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from aws_lambda_powertools import Logger

logger = Logger(service="tracker-checker")


@functools.cache
def _client() -> Any:  # noqa: ANN401
    return boto3.client("dynamodb")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: object) -> dict[str, str]:
    request_id = event["Details"]["Parameters"]["RequestId"]
    item = (
        _client()
        .get_item(TableName="t", Key={"RequestId": {"S": request_id}}, ConsistentRead=True)
        .get("Item")
    )
    logger.info("check.answered", extra={"request_id": request_id})
    return {"Status": item["Status"]["S"] if item else "NOT_FOUND"}
