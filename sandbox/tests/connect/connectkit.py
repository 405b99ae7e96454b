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
) -> dict[str, Any]:
    """A small valid flow: prompt -> (invoke Lambda ->) disconnect; arguments break it on purpose."""
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "Prompt",
            "Type": action_type,
            "Parameters": {"Text": prompt},
            "Transitions": {
                "NextAction": next_after_prompt or ("Check" if function_arn else "Done"),
                "Errors": [],
                "Conditions": [],
            },
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
