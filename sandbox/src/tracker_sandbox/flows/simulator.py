"""Places a simulated contact (voice, chat or task) through a flow and records what it lives through.

What happens at each action type is in `Simulation._run_<Type>`, per channel as the
Amazon Connect Administrator Guide documents it ("Supported channels for flow blocks"
and each block's page; docs/flow-design.md has the citations):

- Play prompt (MessageParticipant): voice speaks it (time passes: words at a pace plus
  SSML `<break>`s); chat sends a message (no time passes; only `Text` is supported on
  chat, SSML and prompts take the error branch); a task "takes the Okay branch but it
  has no effect".
- Wait: waits `TimeoutSeconds` (flow-language reference) or `TimeLimitSeconds` (what the
  flow editor exports) on chat, task and email; on voice Connect supports it only with
  "keep running while waiting" or an event-based wait, which are not modelled, so it
  takes the error branch.
- Get customer input (GetParticipantInput): passthrough.py runs it: voice plays its
  prompt (as Play prompt, so it takes its speaking time) and takes the next DTMF entry
  given with `--input` (outcomes.py), else its documented default (a timeout); chat
  supports it only with Amazon Lex (not modelled) and a task not at all: the error
  branch.
- TransferToFlow: when the target flow is known (`flows` of `simulate_contact`), the
  contact continues there as a new contact: a new `ContactId`, the same
  `InitialContactId`, `PreviousContactId` the old one, its attributes carried over.
  Unknown targets end the contact, as before.

Time is kept by a `Clock`: `SimulatedClock` (default) advances by each prompt's spoken
length, each Wait, and each Lambda call's measured duration (capped at the block's time
limit, as Connect stops waiting there); `RealClock` actually sleeps, so a Lambda polled
by the flow sees the same spacing a real contact would.

Verdict. The contact's *outcome* is `RESULT` when the last of the success or failure
actions it passed is a success action, `APOLOGY` when it is a failure action, else
None. Success and failure actions come from `SimulationOptions`, else the flow's
`Metadata.TrackerSandbox`, else (each side on its own) the tracker flow's identifiers
(`thank-caller`, `apologize`) when the flow has both. A contact succeeds when it ends normally and
1. it passed through none of the failure actions, and
2. if success actions are known, it passed through at least one; with none known, it
   took no Lambda error branch.
Ending normally means ending at DisconnectParticipant, TransferContactToQueue,
TransferToFlow (to a flow not followed) or EndFlowExecution. Running out of
transitions, an error without a branch, an unmodelled action, or the step/time guards
end it abnormally (failure). `result_delivered` says whether the result reached the
contact: the outcome is RESULT and its last prompt was delivered (voice, chat), or, on a
task, where prompts have no effect, the result is in the contact's attributes.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from .lambdas import (
    ContactData,
    InvocationOutcome,
    LambdaInvoker,
    build_contact_event,
    function_name,
)
from .model import Action, Flow, FlowContent, InvalidContactFlow, Transitions, parse_flow
from .outcomes import Assumption, OutcomePlan, OutcomeState, StopSimulation
from .passthrough import HANDLERS, TRANSFER_ENDINGS
from .references import (
    InvalidReference,
    find_references,
    has_references,
    is_single_reference,
    parse_reference,
)
from .retries import invoke_with_retries
from .spec import ACTION_SPECS
from .validate import load_flow

#: Connect refuses Lambda responses larger than this.
MAX_RESPONSE_BYTES = 32 * 1024
NORMAL_ENDINGS = frozenset(
    {"DisconnectParticipant", "TransferContactToQueue", "TransferToFlow", "EndFlowExecution"}
)
#: passthrough.py: the transfers it assumes succeed end a contact normally, too.
NORMAL_ENDINGS |= TRANSFER_ENDINGS
#: `$.Channel` values (Connect Administrator Guide, "Supported channels for flow blocks").
CHANNELS = ("VOICE", "CHAT", "TASK", "EMAIL")
#: The tracker flow's (modules/contact-flow) terminal prompts, used when a flow names none.
TRACKER_SUCCESS_ACTIONS = frozenset({"thank-caller"})
TRACKER_FAILURE_ACTIONS = frozenset({"apologize"})
#: Flow-language reference (Wait): TimeoutSeconds is a positive integer of at most 7 days.
MAX_WAIT_SECONDS = 604_800

#: Resolves a TransferToFlow target (a flow id or ARN, as the flow names it) to the flow's
#: content, or None when it is not known.
FlowResolver = Callable[[str], "FlowContent | None"]


# Clocks ----------------------------------------------------------------------------


class Clock(Protocol):
    real_time: bool

    def elapsed(self) -> float:
        """Seconds since the contact started."""
        ...

    def pass_time(self, seconds: float) -> None:
        """The caller spends this long (a prompt plays, a Wait block waits)."""
        ...

    def account(self, seconds: float) -> None:
        """This much time went by while something ran (already measured)."""
        ...


class SimulatedClock:
    real_time = False

    def __init__(self) -> None:
        self._now = 0.0

    def elapsed(self) -> float:
        return self._now

    def pass_time(self, seconds: float) -> None:
        self._now += seconds

    def account(self, seconds: float) -> None:
        self._now += seconds


class RealClock:
    real_time = True

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep = sleep
        self._monotonic = monotonic
        self._start = monotonic()

    def elapsed(self) -> float:
        return self._monotonic() - self._start

    def pass_time(self, seconds: float) -> None:
        self._sleep(seconds)

    def account(self, seconds: float) -> None:
        del seconds  # the wall clock already moved


# Speech ----------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<break\b[^>]*\btime\s*=\s*[\"'](\d+(?:\.\d+)?)\s*(ms|s)[\"'][^>]*>", re.I)


def ssml_to_text(ssml: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", ssml)).split())


def speech_seconds(text: str, *, words_per_minute: float, ssml: bool = False) -> float:
    """How long a prompt takes to say: its words at the given pace, plus SSML breaks."""
    pauses = 0.0
    if ssml:
        for amount, unit in _BREAK.findall(text):
            pauses += float(amount) / (1000.0 if unit.lower() == "ms" else 1.0)
        text = ssml_to_text(text)
    words = len(text.split())
    return words * 60.0 / words_per_minute + pauses


# Results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationOptions:
    words_per_minute: float = 150.0
    #: Length of a prompt played by PromptId or Media (no text to time), by default...
    default_prompt_seconds: float = 3.0
    #: ...or per PromptId / Media Uri.
    prompt_seconds: Mapping[str, float] = field(default_factory=dict)
    real_time: bool = False
    #: Flow modules InvokeFlowModule may run, by id or ARN (modules.py).
    flow_modules: Mapping[str, FlowContent] = field(default_factory=dict)
    max_steps: int = 1000
    max_contact_seconds: float = 3600.0
    success_actions: frozenset[str] = frozenset()
    failure_actions: frozenset[str] = frozenset()
    max_response_bytes: int = MAX_RESPONSE_BYTES
    #: Answers, caller input and values for blocks the simulation cannot know
    #: (outcomes.py, passthrough.py).
    outcomes: OutcomePlan = field(default_factory=OutcomePlan)


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


# The simulation --------------------------------------------------------------------


class _Ended(Exception):
    def __init__(self, ended_by: str, note: str) -> None:
        super().__init__(note)
        self.ended_by = ended_by
        self.note = note


class Simulation:
    """One contact through one flow. Use `simulate_contact` unless you need the parts."""

    def __init__(
        self,
        flow: Flow,
        invoker: LambdaInvoker,
        *,
        contact: ContactData | None = None,
        options: SimulationOptions | None = None,
        clock: Clock | None = None,
        flows: FlowResolver | None = None,
    ) -> None:
        self.flow = flow
        self.flows_seen: list[Flow] = [flow]
        self.invoker = invoker
        self.contact = contact or ContactData()
        self.options = options or SimulationOptions()
        self.clock: Clock = clock or (RealClock() if self.options.real_time else SimulatedClock())
        self.resolve_flow = flows
        self.attributes: dict[str, str] = dict(self.contact.attributes)
        self.external: dict[str, Any] = {}
        self.queue: dict[str, str] | None = dict(self.contact.queue) if self.contact.queue else None
        self.loop_counters: dict[str, int] = {}
        self.flow_attributes: dict[str, str] = {}
        self.outcomes = OutcomeState(self.options.outcomes)
        self.result = SimulationResult(
            contact_id=self.contact.contact_id,
            started_at=datetime.now(UTC),
            clock="real" if self.clock.real_time else "simulated",
            channel=self.contact.channel,
            contact_ids=[self.contact.contact_id],
        )

    @property
    def channel(self) -> str:
        return self.contact.channel

    # Running ----------------------------------------------------------------------

    def run(self) -> SimulationResult:
        result = self.result
        current: str | None = self.flow.start_action
        try:
            while True:
                if len(result.steps) >= self.options.max_steps:
                    raise _Ended(
                        "MaxSteps",
                        f"stopped after {self.options.max_steps} steps (a loop without end?)",
                    )
                if self.clock.elapsed() > self.options.max_contact_seconds:
                    raise _Ended(
                        "MaxDuration",
                        f"stopped after {self.options.max_contact_seconds:.0f} s of contact",
                    )
                if current is None or current not in self.flow:
                    raise _Ended("DanglingNextAction", f"no action {current!r} in the flow")
                action = self.flow.action(current)
                result.path.append(action.identifier)
                result.ended_at_action = action.identifier
                at = self.clock.elapsed()
                label, current = self._dispatch(action)
                result.steps.append(
                    StepRecord(
                        len(result.steps) + 1, action.identifier, action.type, at, label, current
                    )
                )
        except _Ended as ended:
            result.ended_by = ended.ended_by
            if len(result.path) > len(result.steps):  # the action that ended the contact
                last = self.flow.action(result.path[-1])
                result.steps.append(
                    StepRecord(
                        len(result.steps) + 1,
                        last.identifier,
                        last.type,
                        self.clock.elapsed(),
                        f"end:{ended.ended_by}",
                        None,
                    )
                )
            self.say("END", result.ended_at_action or "", ended.note)
        result.elapsed_seconds = self.clock.elapsed()
        result.attributes = dict(self.attributes)
        result.flow_attributes = dict(self.flow_attributes)
        result.warnings.extend(self.outcomes.leftovers())
        result.external = self.external
        result.success, result.success_reason = self._judge()
        return result

    def _dispatch(self, action: Action) -> tuple[str, str | None]:
        """Run one action; answer (what happened, where to go next)."""
        from .modules import MODULE_RUNNERS  # here: modules.py imports this module

        if action.type in MODULE_RUNNERS:
            return MODULE_RUNNERS[action.type](self, action)
        runner = getattr(self, f"_run_{action.type}", None)
        handler = HANDLERS.get(action.type)  # passthrough.py
        if (runner is None or action.type not in ACTION_SPECS) and handler is not None:
            try:
                return handler(self, action)
            except StopSimulation as stop:
                raise _Ended(stop.ended_by, stop.note) from None
        if runner is None or action.type not in ACTION_SPECS:
            raise _Ended(
                "UnsupportedAction", f"{action.type} ({action.identifier!r}) is not simulated"
            )
        outcome: tuple[str, str | None] = runner(action)
        return outcome

    def say(self, kind: str, action: str, text: str) -> None:
        self.result.transcript.append(TranscriptLine(self.clock.elapsed(), kind, action, text))

    def warn(self, message: str) -> None:
        if message not in self.result.warnings:
            self.result.warnings.append(message)

    def go_next(self, action: Action, label: str = "next") -> tuple[str, str | None]:
        target = action.transitions.next_action
        if target is None:
            raise _Ended(
                "NoTransition", f"{action.identifier!r} has no NextAction; Connect ends the contact"
            )
        return label, target

    def go_error(self, action: Action, error_type: str, why: str) -> tuple[str, str | None]:
        target = action.transitions.error_target(error_type)
        self.say("ERROR", action.identifier, f"{action.identifier}: {error_type} ({why})")
        if target is None:
            raise _Ended(
                "UnhandledError",
                f"{action.identifier!r} failed ({error_type}) and has no error branch",
            )
        return f"error:{error_type}", target

    # References -------------------------------------------------------------------

    def resolve(self, reference: str) -> str | None:
        """The value of one whole reference, as the flow sees it (a string), or None."""
        try:
            parsed = parse_reference(reference)
        except InvalidReference:
            self.warn(f"malformed reference {reference!r} resolved to nothing")
            return None
        root, path = parsed.root, parsed.path
        value: Any
        if root == "External":
            value = self.external
            for segment in path:
                value = value.get(segment) if isinstance(value, dict) else None
        elif root == "Attributes":
            value = self.attributes.get(path[0]) if path else None
        elif root in ("CustomerEndpoint", "SystemEndpoint"):
            address = (
                self.contact.customer_address
                if root == "CustomerEndpoint"
                else self.contact.system_address
            )
            value = {"Address": address, "Type": "TELEPHONE_NUMBER"}.get(path[0]) if path else None
        elif root == "Queue":
            value = self.queue.get(path[0]) if self.queue and path else None
        elif root == "FlowAttributes":
            value = self.flow_attributes.get(path[0]) if path else None
        elif self.outcomes.value(root, path) is not None:  # --value, or learned by a block
            value = self.outcomes.value(root, path)
        else:
            value = {
                "ContactId": self.contact.contact_id,
                "InitialContactId": self.contact.initial_contact_id or self.contact.contact_id,
                "PreviousContactId": self.contact.previous_contact_id or self.contact.contact_id,
                "Channel": self.contact.channel,
                "InstanceARN": self.contact.instance_arn,
                "InitiationMethod": self.contact.initiation_method,
            }.get(root)
            if value is None:
                self.warn(
                    f"{reference} is not simulated; it resolved to nothing "
                    f"(give it with --value {reference.removeprefix('$.')}=VALUE)"
                )
        if value is None:
            self.warn(f"{reference} had no value")
            return None
        if isinstance(value, str):
            return value
        return json.dumps(value)

    def value_of(self, value: Any) -> str:
        """A parameter value: static text as is, a whole reference resolved ('' if unset),
        text with references in it filled in ("$.Customer.FirstName $.Customer.LastName")."""
        if is_single_reference(value):
            return self.resolve(str(value)) or ""
        if has_references(value):
            return self.render(str(value))
        return str(value)

    def play_prompt(self, action: Action) -> None:
        """Play the prompt of a block that gathers input, as MessageParticipant plays it."""
        prompt = {
            key: value
            for key, value in action.parameters.items()
            if key in ("Text", "SSML", "PromptId", "Media")
        }
        if prompt:
            self._run_MessageParticipant(
                Action(
                    action.identifier,
                    "MessageParticipant",
                    prompt,
                    Transitions(next_action=action.identifier),
                )
            )

    def render(self, text: str) -> str:
        """Prompt text with every embedded reference replaced by its value."""
        for reference in sorted(set(find_references(text)), key=len, reverse=True):
            text = text.replace(reference, self.resolve(reference) or "")
        return text

    # Actions ----------------------------------------------------------------------

    def _run_MessageParticipant(self, action: Action) -> tuple[str, str | None]:
        if self.channel == "TASK":
            # Play prompt on a task "takes the Okay branch but it has no effect".
            text = self.render(str(action.parameters.get("Text", "")))
            at = self.clock.elapsed()
            self.say("SKIP", action.identifier, f"(no effect on a task) {text}")
            self.result.prompts.append(PromptRecord(action.identifier, at, text, 0.0, False))
            return self.go_next(action)
        if self.channel != "VOICE":
            if "Text" not in action.parameters:
                # MessageParticipant: "PromptId" and "SSML" are only supported for voice.
                return self.go_error(
                    action, "NoMatchingError", f"only Text can be sent on {self.channel}"
                )
            text = self.render(str(action.parameters["Text"]))
            at = self.clock.elapsed()
            self.say("SEND", action.identifier, text)
            self.result.prompts.append(PromptRecord(action.identifier, at, text, 0.0))
            return self.go_next(action)
        text, seconds = self._speak(action)
        at = self.clock.elapsed()
        self.say("SAY", action.identifier, f"{text}  ({seconds:.1f} s)")
        self.result.prompts.append(PromptRecord(action.identifier, at, text, seconds))
        self.clock.pass_time(seconds)
        return self.go_next(action)

    def _speak(self, action: Action) -> tuple[str, float]:
        """The text a voice prompt says and how long saying it takes."""
        parameters = action.parameters
        if "Text" in parameters:
            text = self.render(str(parameters["Text"]))
            seconds = speech_seconds(text, words_per_minute=self.options.words_per_minute)
        elif "SSML" in parameters:
            ssml = self.render(str(parameters["SSML"]))
            seconds = speech_seconds(
                ssml, words_per_minute=self.options.words_per_minute, ssml=True
            )
            text = ssml_to_text(ssml)
        else:
            source = parameters.get("PromptId") or (parameters.get("Media") or {}).get("Uri", "")
            name = self.value_of(source)
            seconds = self.options.prompt_seconds.get(name, self.options.default_prompt_seconds)
            text = f"<recorded prompt {name}>"
        return text, seconds

    def _run_InvokeLambdaFunction(self, action: Action) -> tuple[str, str | None]:
        parameters = action.parameters
        if parameters.get("InvocationType", "SYNCHRONOUS") == "ASYNCHRONOUS":
            raise _Ended(
                "UnsupportedAction",
                f"asynchronous invocation ({action.identifier!r}) is not simulated",
            )
        arn = self.value_of(parameters.get("LambdaFunctionARN", ""))
        limit = _time_limit(parameters.get("InvocationTimeLimitSeconds"))
        validation = parameters.get("ResponseValidation")
        response_type = (
            str(validation.get("ResponseType", "STRING_MAP"))
            if isinstance(validation, dict)
            else "STRING_MAP"
        )
        raw_attributes = parameters.get("LambdaInvocationAttributes") or {}
        sent = {self.value_of(key): self.value_of(value) for key, value in raw_attributes.items()}
        event = build_contact_event(
            self.contact, attributes=self.attributes, parameters=sent, queue=self.queue
        )
        started = self.clock.elapsed()
        outcome, attempts = invoke_with_retries(  # Connect retries throttled/5xx calls
            lambda remaining: self._invoke(arn, event, remaining),
            limit,
            on_retry=lambda number, failed: self.say(
                "LAMBDA",
                action.identifier,
                f"{function_name(arn)} attempt {number} failed ({failed.failure}); Connect retries",
            ),
        )
        self.clock.account(min(outcome.duration_seconds, limit))
        ok, response, kind, error = self._judge_response(outcome, limit, response_type)
        self.result.lambda_calls.append(
            LambdaCall(
                action=action.identifier,
                function_arn=arn,
                parameters=sent,
                started_at=started,
                duration_seconds=outcome.duration_seconds,
                time_limit_seconds=limit,
                response_type=response_type,
                ok=ok,
                response=response,
                error_kind=kind,
                error=error,
                attempts=attempts,
            )
        )
        name = function_name(arn)
        if not ok:
            self.say(
                "LAMBDA",
                action.identifier,
                f"{name} failed after {outcome.duration_seconds:.2f} s: {kind}: {error}",
            )
            return self.go_error(action, "NoMatchingError", f"{kind}")
        self.external = response
        self.say(
            "LAMBDA",
            action.identifier,
            f"{name} answered in {outcome.duration_seconds:.2f} s: {json.dumps(response)}",
        )
        return self.go_next(action)

    def _invoke(self, arn: str, event: Mapping[str, Any], limit: float) -> InvocationOutcome:
        if not self.clock.real_time:
            return self.invoker.invoke(arn, event, limit)
        # A real caller waits at most `limit`; the function may go on running, as in Connect.
        box: list[InvocationOutcome] = []
        worker = threading.Thread(
            target=lambda: box.append(self.invoker.invoke(arn, event, limit)), daemon=True
        )
        started = time.monotonic()
        worker.start()
        worker.join(limit)
        if box:
            return box[0]
        return InvocationOutcome(time.monotonic() - started, abandoned=True)

    def _judge_response(
        self, outcome: InvocationOutcome, limit: float, response_type: str
    ) -> tuple[bool, Any, str | None, str | None]:
        """(ok, response, error kind, error message) as Connect would judge the call."""
        if outcome.failure is not None:
            return False, None, "InvokeFailed", outcome.failure
        if outcome.abandoned or outcome.duration_seconds > limit:
            return (
                False,
                None,
                "TimeLimitExceeded",
                f"took {outcome.duration_seconds:.2f} s; the limit is {limit:g} s",
            )
        payload = outcome.payload or b""
        if outcome.function_error is not None:
            return (
                False,
                _decode(payload),
                "FunctionError",
                f"{outcome.function_error}: {payload.decode(errors='replace')[:500]}",
            )
        if len(payload) > self.options.max_response_bytes:
            return (
                False,
                None,
                "ResponseTooLarge",
                f"{len(payload)} bytes; at most {self.options.max_response_bytes}",
            )
        try:
            response = json.loads(payload)
        except ValueError:
            return False, None, "InvalidResponse", "the response is not JSON"
        if not isinstance(response, dict):
            return (
                False,
                response,
                "InvalidResponse",
                f"the response is a JSON {type(response).__name__}, not an object",
            )
        if response_type == "STRING_MAP":
            bad = sorted(key for key, value in response.items() if not isinstance(value, str))
            if bad:
                return (
                    False,
                    response,
                    "InvalidResponse",
                    f"STRING_MAP needs string values; not strings: {', '.join(bad)}",
                )
        return True, response, None, None

    def _run_UpdateContactAttributes(self, action: Action) -> tuple[str, str | None]:
        raw = action.parameters.get("Attributes") or {}
        updates = {self.value_of(key): self.value_of(value) for key, value in raw.items()}
        if action.parameters.get("TargetContact", "Current") == "Related":
            self.warn(
                f"{action.identifier!r} sets attributes on the related contact; not simulated"
            )
        else:
            self.attributes.update(updates)
        self.say("SET", action.identifier, ", ".join(f"{k}={v!r}" for k, v in updates.items()))
        return self.go_next(action)

    def _run_Compare(self, action: Action) -> tuple[str, str | None]:
        reference = str(action.parameters.get("ComparisonValue", ""))
        value = self.resolve(reference)
        for condition in action.transitions.conditions:
            if _matches(condition.operator, value, condition.operands):
                label = f"{condition.operator} {', '.join(map(str, condition.operands))}"
                self.say("CHECK", action.identifier, f"{reference} = {value!r}: {label}")
                return f"condition:{label}", condition.next_action
        self.say("CHECK", action.identifier, f"{reference} = {value!r}: no condition matches")
        if (
            action.transitions.error_target("NoMatchingCondition") is None
            and action.transitions.next_action
        ):
            return "default", action.transitions.next_action
        return self.go_error(action, "NoMatchingCondition", f"{reference} = {value!r}")

    def _run_Loop(self, action: Action) -> tuple[str, str | None]:
        raw = action.parameters.get("LoopCount", 0)
        text = self.value_of(raw)
        if not re.fullmatch(r"\d{1,3}", text.strip()) or int(text) > 100:
            return self.go_error(
                action, "NoMatchingError", f"LoopCount {text!r} is not a number from 0 to 100"
            )
        count = int(text)
        done = self.loop_counters.get(action.identifier, 0)
        if done < count:
            self.loop_counters[action.identifier] = done + 1
            result = "ContinueLooping"
            note = f"{result} ({done + 1} of {count})"
        else:
            self.loop_counters[action.identifier] = 0
            result = "DoneLooping"
            note = f"{result} after {count}"
        self.say("LOOP", action.identifier, f"{action.identifier}: {note}")
        return self._condition(action, result)

    def _condition(self, action: Action, result: str) -> tuple[str, str | None]:
        for condition in action.transitions.conditions:
            if condition.operator == "Equals" and [str(o) for o in condition.operands] == [result]:
                return result, condition.next_action
        if action.transitions.next_action is not None:
            return result, action.transitions.next_action
        raise _Ended("NoTransition", f"{action.identifier!r} has no branch for {result}")

    def _run_Wait(self, action: Action) -> tuple[str, str | None]:
        if self.channel == "VOICE":
            # Admin Guide, Wait: voice only in an inbound flow with "Keep running while
            # waiting" or "Set event-based wait", neither of which is modelled.
            return self.go_error(
                action,
                "NoMatchingError",
                "Wait on voice needs 'keep running while waiting' or an event-based wait",
            )
        parameters = action.parameters
        # The flow-language reference names it TimeoutSeconds; the flow editor exports
        # TimeLimitSeconds.
        raw = parameters.get("TimeoutSeconds", parameters.get("TimeLimitSeconds", ""))
        text = self.value_of(raw)
        if not re.fullmatch(r"\d{1,6}", text.strip()) or not 1 <= int(text) <= MAX_WAIT_SECONDS:
            return self.go_error(
                action,
                "NoMatchingError",
                f"the timeout {text!r} is not a whole number of seconds from 1 to {MAX_WAIT_SECONDS}",
            )
        seconds = int(text)
        self.say("WAIT", action.identifier, f"waits {seconds} s")
        self.clock.pass_time(seconds)
        return self._condition(action, "WaitCompleted")

    def _run_UpdateContactTargetQueue(self, action: Action) -> tuple[str, str | None]:
        raw = action.parameters.get("QueueId") or action.parameters.get("AgentId") or ""
        queue = self.value_of(raw)
        if not queue:
            return self.go_error(action, "NoMatchingError", "the queue resolved to nothing")
        self.queue = {"ARN": queue, "Name": queue.rsplit("/", 1)[-1]}
        self.say("QUEUE", action.identifier, f"working queue set to {queue}")
        return self.go_next(action)

    def _run_TransferContactToQueue(self, action: Action) -> tuple[str, str | None]:
        if self.queue is None:
            return self.go_error(action, "NoMatchingError", "no working queue is set")
        raise _Ended("TransferContactToQueue", f"transferred to queue {self.queue['ARN']}")

    def _run_TransferToFlow(self, action: Action) -> tuple[str, str | None]:
        target = self.value_of(action.parameters.get("ContactFlowId", ""))
        content = self.resolve_flow(target) if self.resolve_flow and target else None
        if content is None:
            raise _Ended("TransferToFlow", f"continues in flow {target} (not followed)")
        try:
            flow = load_flow(content)
        except InvalidContactFlow as refused:
            # Transfer to flow: the Error branch when the target is not a valid flow.
            return self.go_error(action, "NoMatchingError", f"flow {target}: {refused}")
        # A transfer makes a new contact in the chain: new ContactId, same
        # InitialContactId, PreviousContactId the contact it came from; user-defined
        # attributes travel with it (Admin Guide: contacts, contact chains, attributes).
        previous = self.contact.contact_id
        self.contact = replace(
            self.contact,
            contact_id=str(uuid.uuid4()),
            initial_contact_id=self.contact.initial_contact_id or previous,
            previous_contact_id=previous,
            attributes=dict(self.attributes),
        )
        self.external = {}
        self.loop_counters = {}
        self.flow = flow
        self.flows_seen.append(flow)
        record = TransferRecord(
            action.identifier, self.clock.elapsed(), target, previous, self.contact.contact_id
        )
        self.result.transfers.append(record)
        self.result.contact_ids.append(self.contact.contact_id)
        self.say(
            "XFER",
            action.identifier,
            f"transferred to flow {target} as contact {self.contact.contact_id}",
        )
        return "transfer", flow.start_action

    def _run_UpdateFlowLoggingBehavior(self, action: Action) -> tuple[str, str | None]:
        self.say(
            "LOG", action.identifier, f"flow logging {action.parameters.get('FlowLoggingBehavior')}"
        )
        return self.go_next(action)

    def _run_UpdateContactTextToSpeechVoice(self, action: Action) -> tuple[str, str | None]:
        self.say(
            "VOICE",
            action.identifier,
            f"voice {self.value_of(action.parameters.get('TextToSpeechVoice', ''))}",
        )
        return self.go_next(action)

    def _run_DisconnectParticipant(self, action: Action) -> tuple[str, str | None]:
        raise _Ended("DisconnectParticipant", "the flow hangs up")

    def _run_EndFlowExecution(self, action: Action) -> tuple[str, str | None]:
        raise _Ended("EndFlowExecution", "the flow ends")

    # Verdict ----------------------------------------------------------------------

    def _terminal_actions(self) -> tuple[frozenset[str], frozenset[str]]:
        """(success actions, failure actions) of the verdict; see the module docstring."""
        success = set(self.options.success_actions)
        failure = set(self.options.failure_actions)
        for flow in self.flows_seen:
            if not self.options.success_actions:
                success |= _metadata_actions(flow, "SuccessActions")
            if not self.options.failure_actions:
                failure |= _metadata_actions(flow, "FailureActions")
        # Each side not named by the options or the metadata: the tracker flow's own.
        tracker = any(
            flow.by_id.keys() >= TRACKER_SUCCESS_ACTIONS | TRACKER_FAILURE_ACTIONS
            for flow in self.flows_seen
        )
        if tracker and not success:
            success |= TRACKER_SUCCESS_ACTIONS
        if tracker and not failure:
            failure |= TRACKER_FAILURE_ACTIONS
        return frozenset(success), frozenset(failure)

    def _judge(self) -> tuple[bool, str]:
        result = self.result
        wanted, unwanted = self._terminal_actions()
        for identifier in reversed(result.path):
            if identifier in wanted or identifier in unwanted:
                result.outcome = "RESULT" if identifier in wanted else "APOLOGY"
                break
        result.final_prompt = result.prompts[-1] if result.prompts else None
        final = result.final_prompt
        result.result_delivered = result.outcome == "RESULT" and (
            self.channel == "TASK" or (final is not None and final.delivered)
        )
        ended = f"ended by {result.ended_by} at {result.ended_at_action!r}"
        if result.ended_by not in NORMAL_ENDINGS:
            return False, f"{ended}: not a normal ending"
        failures = [a for a in result.path if a in unwanted]
        if failures:
            return False, f"{ended}; passed failure action {failures[0]!r}"
        if wanted:
            hits = [a for a in result.path if a in wanted]
            if hits:
                return True, f"{ended}; passed success action {hits[0]!r}"
            return False, f"{ended}; passed none of the success actions {sorted(wanted)}"
        failed = [call.action for call in result.lambda_calls if not call.ok]
        if failed:
            return False, f"{ended}; Lambda block {failed[0]!r} took its error branch"
        return True, f"{ended} with no Lambda error"


def simulate_contact(
    content: FlowContent | Flow,
    invoker: LambdaInvoker,
    *,
    contact: ContactData | None = None,
    options: SimulationOptions | None = None,
    clock: Clock | None = None,
    validate: bool = True,
    associated_lambda_arns: Collection[str] | None = None,
    flows: FlowResolver | Mapping[str, FlowContent] | None = None,
) -> SimulationResult:
    """Validate the flow (unless told not to), then place one contact through it.

    `flows` lets TransferToFlow continue in another flow: a mapping from the target as
    the flow names it (id or ARN; an ARN also matches by its trailing id) to the flow's
    content, or a function answering the content or None. Raises `InvalidContactFlow`
    when validation finds problems.
    """
    if isinstance(content, Flow):
        flow = content
    elif validate:
        flow = load_flow(content, associated_lambda_arns=associated_lambda_arns)
    else:
        flow = parse_flow(content)
    resolver = flows if flows is None or callable(flows) else mapping_resolver(flows)
    return Simulation(
        flow, invoker, contact=contact, options=options, clock=clock, flows=resolver
    ).run()


def mapping_resolver(flows: Mapping[str, FlowContent]) -> FlowResolver:
    """Resolve targets from a mapping; `.../contact-flow/<id>` also matches `<id>`."""

    def resolve(target: str) -> FlowContent | None:
        if target in flows:
            return flows[target]
        return flows.get(flow_id_of(target))

    return resolve


def flow_id_of(target: str) -> str:
    """`arn:...:instance/<instance>/contact-flow/<id>` -> `<id>`; an id unchanged."""
    marker = "/contact-flow/"
    return target.rsplit(marker, 1)[1] if marker in target else target


def _metadata_actions(flow: Flow, key: str) -> frozenset[str]:
    sandbox = flow.metadata.get("TrackerSandbox")
    values = sandbox.get(key) if isinstance(sandbox, dict) else None
    return (
        frozenset(v for v in values if isinstance(v, str))
        if isinstance(values, list)
        else frozenset()
    )


def _time_limit(value: object) -> float:
    try:
        limit = float(str(value))
    except ValueError:
        return 8.0
    return limit if math.isfinite(limit) and limit > 0 else 8.0


def _decode(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode(errors="replace")


def _matches(operator: str, value: str | None, operands: tuple[Any, ...]) -> bool:
    if value is None:
        return False
    for operand in operands:
        expected = str(operand)
        if operator == "Equals" and value == expected:
            return True
        if operator == "TextContains" and expected in value:
            return True
        if operator == "TextStartsWith" and value.startswith(expected):
            return True
        if operator == "TextEndsWith" and value.endswith(expected):
            return True
        if operator.startswith("Number") and _compare_numbers(operator, value, expected):
            return True
    return False


def _compare_numbers(operator: str, value: str, expected: str) -> bool:
    try:
        left, right = float(value), float(expected)
    except ValueError:
        return False
    return {
        "NumberGreaterThan": left > right,
        "NumberLessThan": left < right,
        "NumberGreaterOrEqualTo": left >= right,
        "NumberLessOrEqualTo": left <= right,
    }.get(operator, False)
