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

    @staticmethod
    def module(*actions: dict[str, Any], start: str | None = None) -> dict[str, Any]:
        """A flow module's content: a flow with the console's Settings."""
        return Kit.flow(*actions, start=start, Settings=MODULE_SETTINGS)


#: The Settings the console writes into every flow module's content (hashicorp/
#: terraform-provider-aws test-fixtures/connect_contact_flow_module.json); CreateContactFlowModule
#: refuses content without Settings.
MODULE_SETTINGS: dict[str, Any] = {
    "InputParameters": [],
    "OutputParameters": [],
    "Transitions": [
        {"DisplayName": "Success", "ReferenceName": "Success", "Description": ""},
        {"DisplayName": "Error", "ReferenceName": "Error", "Description": ""},
    ],
}


class FakeTracker:
    """The tracker's writer and checker, as plain handlers on a simulated clock.

    The writer records one request per contact chain (InitialContactId) when first
    asked; the checker answers as the real one does: COMPLETE once `work_seconds` have
    passed since the request was recorded, TIMED_OUT (sealed) once `deadline_seconds`
    have passed without that, else RUNNING. `work_seconds=None` is work that never ends;
    `seal=False` a checker that keeps answering RUNNING (the deadline never seals).
    Every event is kept in `events` so tests can look at what the flow sent.
    """

    def __init__(
        self,
        clock: Any,
        *,
        work_seconds: float | None,
        deadline_seconds: float = 120.0,
        seal: bool = True,
        result: str = "12.50",
    ) -> None:
        self.clock = clock
        self.work_seconds = work_seconds
        self.deadline_seconds = deadline_seconds
        self.seal = seal
        self.result = result
        self.created_at: dict[str, float] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[tuple[float, str]] = []

    def handlers(self) -> dict[str, Any]:
        return {WRITER_ARN: self.writer, CHECKER_ARN: self.checker}

    def writer(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        del context
        self.events.append(("writer", event))
        chain = event["Details"]["ContactData"]["InitialContactId"]
        self.created_at.setdefault(chain, self.clock.elapsed())
        return {"RequestId": f"r-{chain}", "Status": "PENDING"}

    def checker(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        del context
        self.events.append(("checker", event))
        request_id = event["Details"]["Parameters"]["RequestId"]
        age = self.clock.elapsed() - self.created_at[request_id.removeprefix("r-")]
        if self.work_seconds is not None and age >= self.work_seconds:
            answer = {"RequestId": request_id, "Status": "COMPLETE", "Balance": self.result}
        elif self.seal and age >= self.deadline_seconds:
            answer = {"RequestId": request_id, "Status": "TIMED_OUT"}
        else:
            answer = {"RequestId": request_id, "Status": "RUNNING"}
        self.answers.append((self.clock.elapsed(), answer["Status"]))
        return answer

    @property
    def deadline_at(self) -> float:
        return min(self.created_at.values()) + self.deadline_seconds
