"""Builders for crafted flows (plain dicts in the exported flow-language shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
WRITER_ARN = "arn:aws:lambda:us-east-1:000000000000:function:tracker-writer"
CHECKER_ARN = "arn:aws:lambda:us-east-1:000000000000:function:tracker-checker"
QUEUE_ARN = "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000000/queue/basic"


def tracker_flow() -> dict[str, Any]:
    """The async-tracker-shaped flow in data/ (writer, poll loop, checker, compare)."""
    document: dict[str, Any] = json.loads((DATA / "async_tracker.json").read_text())
    return document


class Kit:
    """`kit.action(...)` builds one action, `kit.flow(...)` a flow around actions."""

    writer_arn = WRITER_ARN
    checker_arn = CHECKER_ARN
    queue_arn = QUEUE_ARN

    @staticmethod
    def action(
        identifier: str,
        type_: str,
        parameters: dict[str, Any] | None = None,
        *,
        next_action: str | None = None,
        errors: dict[str, str] | None = None,
        conditions: list[tuple[str, list[Any], str]] | None = None,
    ) -> dict[str, Any]:
        transitions: dict[str, Any] = {}
        if next_action is not None:
            transitions["NextAction"] = next_action
        if errors:
            transitions["Errors"] = [
                {"NextAction": target, "ErrorType": error} for error, target in errors.items()
            ]
        if conditions:
            transitions["Conditions"] = [
                {"NextAction": target, "Condition": {"Operator": op, "Operands": operands}}
                for op, operands, target in conditions
            ]
        return {
            "Identifier": identifier,
            "Type": type_,
            "Parameters": parameters if parameters is not None else {},
            "Transitions": transitions,
        }

    @staticmethod
    def hang_up(identifier: str = "hang-up") -> dict[str, Any]:
        return Kit.action(identifier, "DisconnectParticipant")

    @staticmethod
    def say(identifier: str, text: str, next_action: str = "hang-up") -> dict[str, Any]:
        return Kit.action(identifier, "MessageParticipant", {"Text": text}, next_action=next_action)

    @staticmethod
    def invoke(
        identifier: str,
        arn: str = WRITER_ARN,
        *,
        next_action: str = "hang-up",
        error: str | None = "hang-up",
        limit: Any = "8",
        attributes: dict[str, str] | None = None,
        response_type: str = "STRING_MAP",
    ) -> dict[str, Any]:
        parameters: dict[str, Any] = {
            "LambdaFunctionARN": arn,
            "InvocationTimeLimitSeconds": limit,
            "ResponseValidation": {"ResponseType": response_type},
        }
        if attributes is not None:
            parameters["LambdaInvocationAttributes"] = attributes
        return Kit.action(
            identifier,
            "InvokeLambdaFunction",
            parameters,
            next_action=next_action,
            errors={"NoMatchingError": error} if error else None,
        )

    @staticmethod
    def flow(*actions: dict[str, Any], start: str | None = None, **extra: Any) -> dict[str, Any]:
        document: dict[str, Any] = {
            "Version": "2019-10-30",
            "StartAction": start if start is not None else actions[0]["Identifier"],
            "Actions": list(actions),
        }
        document.update(extra)
        return document
