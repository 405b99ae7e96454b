"""Fixtures for the Connect tests: clients per account/region and throw-away instances."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from connectkit import unique

from tracker_sandbox.control import Sandbox

ClientFactory = Callable[..., Any]


@pytest.fixture(scope="session")
def connect_client_for(sandbox: Sandbox) -> ClientFactory:
    """A Connect client for a region and account (LocalStack takes a 12-digit access key
    id as the account id; "test" is the default account 000000000000)."""

    def make(
        region: str = "us-east-1", account: str | None = None, service: str = "connect"
    ) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=sandbox.endpoint,
            region_name=region,
            aws_access_key_id=account or "test",
            aws_secret_access_key="test",
        )

    return make


@pytest.fixture(scope="session")
def connect(connect_client_for: ClientFactory) -> Any:
    return connect_client_for()


@pytest.fixture
def make_instance(connect: Any) -> Iterator[Callable[..., dict[str, Any]]]:
    """Create instances (CONNECT_MANAGED, unique alias); whatever is left is deleted afterwards."""
    created: list[tuple[Any, str]] = []

    def create(client: Any = None, **kwargs: Any) -> dict[str, Any]:
        client = client or connect
        params: dict[str, Any] = {
            "IdentityManagementType": "CONNECT_MANAGED",
            "InstanceAlias": unique(),
            "InboundCallsEnabled": True,
            "OutboundCallsEnabled": True,
            **kwargs,
        }
        response = client.create_instance(**params)
        created.append((client, response["Id"]))
        return {"Id": response["Id"], "Arn": response["Arn"], "Alias": params.get("InstanceAlias")}

    yield create
    for client, instance_id in created:
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_instance(InstanceId=instance_id)


@pytest.fixture
def instance(make_instance: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_instance()
