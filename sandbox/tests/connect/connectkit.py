"""Helpers for the Connect tests (a unique module name: other test folders have helpers)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

ACCOUNT = "000000000000"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
INSTANCE_ARN = re.compile(
    rf"^arn:aws:connect:(?P<region>[a-z0-9-]+):(?P<account>\d{{12}}):instance/(?P<id>{UUID})$"
)
FLOW_ARN = re.compile(
    rf"^arn:aws:connect:(?P<region>[a-z0-9-]+):(?P<account>\d{{12}}):instance/(?P<instance>{UUID})"
    rf"/contact-flow/(?P<id>{UUID})$"
)


def unique(prefix: str = "t") -> str:
    """An instance alias / name that is valid for Connect and unique per call."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def lambda_arn(name: str, region: str = "us-east-1", account: str = ACCOUNT) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def flow(
    *,
    prompt: str = "Please wait while we look that up.",
    function_arn: str | None = None,
    action_type: str = "MessageParticipant",
    next_after_prompt: str | None = None,
    prompt_without_next: bool = False,
) -> dict[str, Any]:
    """A small valid flow: prompt -> (invoke Lambda ->) disconnect; arguments break it on purpose."""
    prompt_transitions: dict[str, Any] = {
        "NextAction": next_after_prompt or ("Check" if function_arn else "Done"),
        "Errors": [],
        "Conditions": [],
    }
    if prompt_without_next:  # refused: "Action is missing required property" (rule 38)
        del prompt_transitions["NextAction"]
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "Prompt",
            "Type": action_type,
            "Parameters": {"Text": prompt},
            "Transitions": prompt_transitions,
        }
    ]
    if function_arn:
        actions.append(
            {
                "Identifier": "Check",
                "Type": "InvokeLambdaFunction",
                "Parameters": {
                    "LambdaFunctionARN": function_arn,
                    "InvocationTimeLimitSeconds": "8",
                    "ResponseValidation": {"ResponseType": "STRING_MAP"},
                },
                "Transitions": {
                    "NextAction": "Done",
                    "Errors": [{"NextAction": "Done", "ErrorType": "NoMatchingError"}],
                    "Conditions": [],
                },
            }
        )
    actions.append(
        {"Identifier": "Done", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    )
    return {"Version": "2019-10-30", "StartAction": "Prompt", "Actions": actions}


def content(**kwargs: Any) -> str:
    return json.dumps(flow(**kwargs))


# Terraform debug logs ----------------------------------------------------------------

_LOG_ENTRY_START = re.compile(r"^\d{4}-\d\d-\d\dT")


def tf_log_entries(text: str) -> list[str]:
    """TF_LOG entries, each joined into one line (request/response bodies span lines)."""
    entries: list[str] = []
    for line in text.splitlines():
        if _LOG_ENTRY_START.match(line) or not entries:
            entries.append(line)
        else:
            entries[-1] += " " + line
    return entries


def tf_log_calls(text: str, service: str = "Connect") -> list[tuple[str, str, int | None]]:
    """(operation, resource type, response status) of every `service` call, in order."""
    calls: list[tuple[str, str, int | None]] = []
    for entry in tf_log_entries(text):
        if "HTTP Response Received" not in entry or f"rpc.service={service}" not in entry:
            continue
        method = re.search(r"rpc\.method=(\w+)", entry)
        resource = re.search(r"tf_resource_type=(\w+)", entry)
        status = re.search(r"http\.status_code=(\d+)", entry)
        if method:
            calls.append(
                (
                    method.group(1),
                    resource.group(1) if resource else "-",
                    int(status.group(1)) if status else None,
                )
            )
    return calls


def tf_log_response_bodies(text: str, operation: str) -> list[str]:
    """The response bodies the provider logged for one operation."""
    return [
        entry[entry.index("http.response.body=") :]
        for entry in tf_log_entries(text)
        if "HTTP Response Received" in entry
        and f"rpc.method={operation}" in entry
        and "http.response.body=" in entry
    ]
