"""The parts that talk to AWS (or LocalStack) through boto3, imported only when used."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .lambdas import InvocationOutcome, UnansweredInvocation

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_lambda import LambdaClient

#: Longer than any block's limit (60 s asynchronous), so the simulator, not botocore,
#: decides what counts as too slow.
DEFAULT_READ_TIMEOUT_SECONDS = 65.0


def lambda_client(
    *, endpoint_url: str | None = None, region_name: str | None = None
) -> LambdaClient:
    import boto3
    from botocore.config import Config

    config = Config(
        read_timeout=DEFAULT_READ_TIMEOUT_SECONDS,
        connect_timeout=5,
        retries={"max_attempts": 1, "mode": "standard"},
    )
    return boto3.client("lambda", endpoint_url=endpoint_url, region_name=region_name, config=config)


class Boto3LambdaInvoker:
    """Invokes functions synchronously (RequestResponse), timing each call."""

    def __init__(
        self,
        client: LambdaClient | None = None,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._client = client
        self._endpoint_url = endpoint_url
        self._region_name = region_name
        self._timer = timer

    @property
    def client(self) -> LambdaClient:
        if self._client is None:
            self._client = lambda_client(
                endpoint_url=self._endpoint_url, region_name=self._region_name
            )
        return self._client

    def invoke(
        self, function_arn: str, event: Mapping[str, Any], time_limit_seconds: float
    ) -> InvocationOutcome:
        del time_limit_seconds  # judged by the simulator from the measured duration
        from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

        try:
            client = self.client
        except NoRegionError:
            # Not the function failing (Connect's error branch) but nothing to call it on.
            raise UnansweredInvocation(
                function_arn, "no --lambda-stub answers it and no AWS region is set (--region)"
            ) from None
        started = self._timer()
        try:
            response = client.invoke(
                FunctionName=function_arn,
                InvocationType="RequestResponse",
                Payload=json.dumps(event).encode(),
            )
            payload = response["Payload"].read()
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            return InvocationOutcome(
                self._timer() - started,
                failure=f"{type(error).__name__}: {error}",
                status_code=status if isinstance(status, int) else None,
            )
        except BotoCoreError as error:
            return InvocationOutcome(
                self._timer() - started, failure=f"{type(error).__name__}: {error}"
            )
        return InvocationOutcome(
            self._timer() - started,
            payload=payload,
            function_error=response.get("FunctionError"),
        )


def connect_client(
    *, endpoint_url: str | None = None, region_name: str | None = None
) -> ConnectClient:
    import boto3

    return boto3.client("connect", endpoint_url=endpoint_url, region_name=region_name)


def fetch_flow_content(
    instance_id: str,
    contact_flow_id: str,
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    client: ConnectClient | None = None,
) -> str:
    """The flow's content as DescribeContactFlow returns it."""
    if client is None:
        import boto3

        client = boto3.client("connect", endpoint_url=endpoint_url, region_name=region_name)
    described = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=contact_flow_id)
    return described["ContactFlow"]["Content"]
