"""The work order: what the dispatcher (or a worker handing a request over) asks one
asynchronous worker invocation to do, as the event's JSON payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connect_tracker.domain import REQUEST_ID_PATTERN, Outcome, Status


class DispatchFailed(RuntimeError):
    """The worker could not be invoked (Lambda refused or did not answer)."""


@dataclass(frozen=True)
class WorkOrder:
    """What one worker invocation is asked to do (the asynchronous event's payload).

    A fresh order names the request only. A hand-over from a claimant also carries its claim
    token (it may take the claim over) and, when the claimant ran the task but could not
    record the outcome, that outcome (the new invocation records it, never re-runs it).
    """

    request_id: str
    claim_token: str | None = None
    outcome: Outcome | None = None
    handovers: int = 0

    def payload(self) -> dict[str, object]:
        payload: dict[str, object] = {"RequestId": self.request_id}
        if self.claim_token is not None:
            payload["ClaimToken"] = self.claim_token
            payload["Handovers"] = self.handovers
        if self.outcome is not None:
            payload["Outcome"] = {
                "Status": self.outcome.status.value,
                "Result": dict(self.outcome.result),
                "ErrorCode": self.outcome.error_code,
                "ErrorMessage": self.outcome.error_message,
            }
        return payload

    @classmethod
    def parse(cls, event: object) -> WorkOrder:
        """The order an event holds; ``ValueError`` naming the problem when it holds none."""
        if not isinstance(event, Mapping):
            raise ValueError(f"a work order must be a JSON object, not {type(event).__name__}")
        request_id = event.get("RequestId")
        if not isinstance(request_id, str) or not REQUEST_ID_PATTERN.match(request_id):
            raise ValueError(f"the work order's RequestId is not a request id: {request_id!r:.80}")
        token = event.get("ClaimToken")
        if token is not None and not isinstance(token, str):
            raise ValueError("the work order's ClaimToken must be a string")
        handovers = event.get("Handovers", 0)
        if not isinstance(handovers, int) or handovers < 0:
            raise ValueError("the work order's Handovers must be a whole number >= 0")
        return cls(request_id, token, _parse_outcome(event.get("Outcome"), token), handovers)


def _parse_outcome(raw: object, token: str | None) -> Outcome | None:
    if raw is None:
        return None
    if token is None or not isinstance(raw, Mapping):
        raise ValueError("a handed-over Outcome must be an object and come with its ClaimToken")
    result = raw.get("Result") or {}
    code, message = raw.get("ErrorCode"), raw.get("ErrorMessage")
    if not isinstance(result, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in result.items()
    ):
        raise ValueError("the handed-over Outcome's Result must map strings to strings")
    if not (code is None or isinstance(code, str)) or not (
        message is None or isinstance(message, str)
    ):
        raise ValueError("the handed-over Outcome's ErrorCode/ErrorMessage must be strings")
    try:
        return Outcome(Status(str(raw.get("Status"))), dict(result), code, message)
    except ValueError as error:
        raise ValueError(f"the handed-over Outcome is not terminal: {error}") from None
