"""What a simulated contact lived through: its steps, transcript, prompts, Lambda calls and
transfers, and the verdict, with the JSON summary (`to_dict`) the command line prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .outcomes import Assumption


@dataclass(frozen=True)
class TranscriptLine:
    at: float
    kind: str
    action: str
    text: str


@dataclass(frozen=True)
class PromptRecord:
    action: str
    at: float
    text: str
    seconds: float
    #: False where the channel gives the block no effect (a task).
    delivered: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "at": round(self.at, 3),
            "seconds": round(self.seconds, 3),
            "text": self.text,
            "delivered": self.delivered,
        }


@dataclass(frozen=True)
class TransferRecord:
    action: str
    at: float
    target: str
    from_contact_id: str
    to_contact_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "at": round(self.at, 3),
            "target": self.target,
            "from_contact_id": self.from_contact_id,
            "to_contact_id": self.to_contact_id,
        }


@dataclass(frozen=True)
class LambdaCall:
    action: str
    function_arn: str
    parameters: Mapping[str, str]
    started_at: float
    duration_seconds: float
    time_limit_seconds: float
    response_type: str
    ok: bool
    response: Any = None
    error_kind: str | None = None
    error: str | None = None
    #: Invocations made: 1, plus Connect's retries of a throttled/5xx call (retries.py).
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "function_arn": self.function_arn,
            "parameters": dict(self.parameters),
            "started_at": round(self.started_at, 3),
            "duration_seconds": round(self.duration_seconds, 3),
            "time_limit_seconds": self.time_limit_seconds,
            "response_type": self.response_type,
            "outcome": "success" if self.ok else "error",
            "response": self.response,
            "error_kind": self.error_kind,
            "error": self.error,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class StepRecord:
    number: int
    action: str
    type: str
    at: float
    result: str
    next_action: str | None


@dataclass
class SimulationResult:
    contact_id: str
    started_at: datetime
    clock: str
    channel: str = "VOICE"
    #: Every ContactId the contact had, the first one first (transfers add one each).
    contact_ids: list[str] = field(default_factory=list)
    transfers: list[TransferRecord] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    transcript: list[TranscriptLine] = field(default_factory=list)
    prompts: list[PromptRecord] = field(default_factory=list)
    lambda_calls: list[LambdaCall] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    ended_by: str = ""
    ended_at_action: str | None = None
    elapsed_seconds: float = 0.0
    #: Ended at a normal ending (verdict.NORMAL_ENDINGS), whatever the outcome.
    ended_normally: bool = False
    success: bool = False
    success_reason: str = ""
    #: $.FlowAttributes at the end (flow-scoped; never on the contact).
    flow_attributes: dict[str, str] = field(default_factory=dict)
    #: What was assumed for blocks whose outcome the simulation cannot know.
    assumptions: list[Assumption] = field(default_factory=list)
    #: RESULT (ended past a success action), APOLOGY (past a failure action) or None.
    outcome: str | None = None
    #: The last prompt the contact was given (or, on a task, passed without effect).
    final_prompt: PromptRecord | None = None
    result_delivered: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary."""
        return {
            "contact_id": self.contact_id,
            "contact_ids": list(self.contact_ids),
            "channel": self.channel,
            "started_at": self.started_at.isoformat(),
            "clock": self.clock,
            "ended_normally": self.ended_normally,
            "success": self.success,
            "success_reason": self.success_reason,
            "outcome": self.outcome,
            "final_prompt": self.final_prompt.to_dict() if self.final_prompt else None,
            "result_delivered": self.result_delivered,
            "ended_by": self.ended_by,
            "ended_at_action": self.ended_at_action,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "step_count": len(self.steps),
            "path": list(self.path),
            "prompts": [p.to_dict() for p in self.prompts],
            "transfers": [t.to_dict() for t in self.transfers],
            "attributes": dict(self.attributes),
            "external": self.external,
            "lambda_calls": [call.to_dict() for call in self.lambda_calls],
            "steps": [
                {
                    "number": s.number,
                    "action": s.action,
                    "type": s.type,
                    "at": round(s.at, 3),
                    "result": s.result,
                    "next_action": s.next_action,
                }
                for s in self.steps
            ],
            "warnings": list(self.warnings),
            "flow_attributes": dict(self.flow_attributes),
            "assumptions": [assumption.to_dict() for assumption in self.assumptions],
        }

    def render_transcript(self) -> str:
        """The call as a person reads it: one timestamped line per event."""
        lines = [f"Contact {self.contact_id} ({self.channel}, {self.clock} clock)"]
        for line in self.transcript:
            lines.append(f"{format_offset(line.at)}  {line.kind:<6}  {line.text}")
        verdict = "SUCCESS" if self.success else "FAILURE"
        heard = (
            f"; last prompt {self.final_prompt.action!r} at {format_offset(self.final_prompt.at)}"
            if self.final_prompt
            else ""
        )
        delivered = "result delivered" if self.result_delivered else "result not delivered"
        lines.append(
            f"{verdict}: {self.success_reason} (outcome {self.outcome or 'none'}{heard}; {delivered})"
        )
        return "\n".join(lines)


def format_offset(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    return f"{int(minutes):02d}:{rest:04.1f}"
