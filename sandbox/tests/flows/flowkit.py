"""Builders for crafted flows (plain dicts in the exported flow-language shape)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

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
    asked; the checker answers as the real one does: it waits up to `wait_seconds`,
    reading every `read_interval` seconds, and answers COMPLETE as soon as `work_seconds`
    have passed since the request was recorded, TIMED_OUT (sealed) once
    `deadline_seconds` have passed without that, else RUNNING when its wait is over.
    `work_seconds=None` is work that never ends; `seal=False` a checker that keeps
    answering RUNNING (the deadline never seals); `failed_polls=N` a checker whose first
    N polls fail at once: `failure="error"` invocations that fail (a throttle past
    Connect's retries, a runtime that did not start), `"unknown"` answers `UNKNOWN` (the
    table did not answer). The time a call takes is what
    `timer` reports (give it to `CallableInvoker`), so the simulated clock moves by the
    checker's wait. Every event is kept in `events`, every answer with the time it was
    given in `answers`.
    """

    def __init__(
        self,
        clock: Any,
        *,
        work_seconds: float | None,
        deadline_seconds: float = 120.0,
        seal: bool = True,
        result: str = "12.50",
        wait_seconds: float = 3.0,
        read_interval: float = 0.25,
        failed_polls: int = 0,
        failure: Literal["error", "unknown"] = "error",
    ) -> None:
        if failure not in ("error", "unknown"):
            raise ValueError(f"failure must be 'error' or 'unknown', not {failure!r}")
        self.clock = clock
        self.failed_polls = failed_polls
        self.failure = failure
        self.work_seconds = work_seconds
        self.deadline_seconds = deadline_seconds
        self.seal = seal
        self.result = result
        self.wait_seconds = wait_seconds
        self.read_interval = read_interval
        self.spent = 0.0
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

    def timer(self) -> float:
        return self.spent

    def checker(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        del context
        self.events.append(("checker", event))
        request_id = event["Details"]["Parameters"]["RequestId"]
        if self.failed_polls > 0:
            self.failed_polls -= 1
            if self.failure == "error":
                raise RuntimeError("Rate Exceeded.")
            return {"RequestId": request_id, "Status": "UNKNOWN", "ErrorCode": "STORE_UNAVAILABLE"}
        now = self.clock.elapsed()
        age = now - self.created_at[request_id.removeprefix("r-")]
        done_in = math.inf if self.work_seconds is None else self.work_seconds - age
        sealed_in = self.deadline_seconds - age if self.seal else math.inf
        if min(done_in, sealed_in) <= self.wait_seconds:
            ready_in = max(0.0, min(done_in, sealed_in))
            waited = math.ceil(ready_in / self.read_interval) * self.read_interval
            status = "COMPLETE" if done_in <= sealed_in else "TIMED_OUT"
        else:
            waited, status = self.wait_seconds, "RUNNING"
        answer = {"RequestId": request_id, "Status": status}
        if status == "COMPLETE":
            answer["Balance"] = self.result
        self.spent += waited
        self.answers.append((now + waited, status))
        return answer

    @property
    def deadline_at(self) -> float:
        return min(self.created_at.values()) + self.deadline_seconds
