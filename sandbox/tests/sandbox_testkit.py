"""Helpers shared by the sandbox tests (a unique module name: other test folders have conftests)."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

import boto3

from tracker_sandbox.control import Sandbox
from tracker_sandbox.logs import log_messages

ROLE_ARN = "arn:aws:iam::000000000000:role/sandbox-test"


def client(aws: boto3.Session, sandbox: Sandbox, service: str) -> Any:
    return aws.client(service, endpoint_url=sandbox.endpoint)  # type: ignore[call-overload]


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
    return buffer.getvalue()


FunctionFactory = Callable[..., str]


def invoke(lambda_client: Any, name: str, event: dict[str, Any] | None = None) -> dict[str, Any]:
    """Invoke synchronously; returns the response with the payload parsed and the log tail."""
    response = lambda_client.invoke(
        FunctionName=name, Payload=json.dumps(event or {}).encode(), LogType="Tail"
    )
    response["Body"] = json.loads(response["Payload"].read() or b"null")
    response["Log"] = base64.b64decode(response.get("LogResult", "")).decode()
    return response


def wait_for_log(
    logs_client: Any, group: str, predicate: Callable[[list[str]], bool], seconds: float = 30
) -> list[str]:
    """Poll the log group until the predicate holds over all its messages (with a deadline)."""
    deadline = time.monotonic() + seconds
    messages: list[str] = []
    while time.monotonic() < deadline:
        messages = log_messages(logs_client, group)
        if predicate(messages):
            return messages
        time.sleep(0.25)
    raise AssertionError(f"log group {group} never matched; last messages:\n" + "".join(messages))
