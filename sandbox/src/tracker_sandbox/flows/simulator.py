"""Places a simulated voice contact through a flow and records what the caller lives through.

What happens at each action type is in `Simulation._run_<Type>`. Time is kept by a
`Clock`: `SimulatedClock` (default) advances by each prompt's spoken length and by
each Lambda call's measured duration (capped at the block's time limit, as Connect
stops waiting there); `RealClock` actually sleeps the prompts, so a Lambda polled by
the flow sees the same spacing a real caller would.

Success. A contact succeeds when it ends normally and
1. it passed through none of the *failure actions*, and
2. if *success actions* are given (`SimulationOptions.success_actions`, else the
   flow's `Metadata.TrackerSandbox.SuccessActions`), it passed through at least one;
   with none given, it took no Lambda error branch.
Ending normally means ending at DisconnectParticipant, TransferContactToQueue,
TransferToFlow or EndFlowExecution. Running out of transitions, an error without a
branch, an unmodelled action, or the step/time guards end it abnormally (failure).
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from .lambdas import (
    ContactData,
    InvocationOutcome,
    LambdaInvoker,
    build_contact_event,
    function_name,
)
from .model import Action, Flow, FlowContent, Transitions, parse_flow
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

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary."""
        return {
            "contact_id": self.contact_id,
            "started_at": self.started_at.isoformat(),
            "clock": self.clock,
            "success": self.success,
            "success_reason": self.success_reason,
            "ended_by": self.ended_by,
            "ended_at_action": self.ended_at_action,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "step_count": len(self.steps),
            "path": list(self.path),
            "prompts": [
                {
                    "action": p.action,
                    "at": round(p.at, 3),
                    "seconds": round(p.seconds, 3),
                    "text": p.text,
                }
                for p in self.prompts
            ],
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
        lines = [f"Contact {self.contact_id} ({self.clock} clock)"]
        for line in self.transcript:
            lines.append(f"{format_offset(line.at)}  {line.kind:<6}  {line.text}")
        verdict = "SUCCESS" if self.success else "FAILURE"
        lines.append(f"{verdict}: {self.success_reason}")
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
    ) -> None:
        self.flow = flow
        self.invoker = invoker
        self.contact = contact or ContactData()
        self.options = options or SimulationOptions()
        self.clock: Clock = clock or (RealClock() if self.options.real_time else SimulatedClock())
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
        )

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
        at = self.clock.elapsed()
        self.say("SAY", action.identifier, f"{text}  ({seconds:.1f} s)")
        self.result.prompts.append(PromptRecord(action.identifier, at, text, seconds))
        self.clock.pass_time(seconds)
        return self.go_next(action)

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
        text = self.value_of(action.parameters.get("TimeoutSeconds", ""))
        try:
            seconds = float(text)
        except ValueError:
            return self.go_error(
                action, "NoMatchingError", f"TimeoutSeconds {text!r} is not a number"
            )
        self.say("WAIT", action.identifier, f"waits {seconds:g} s")
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
        raise _Ended("TransferToFlow", f"continues in flow {target} (not followed)")

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

    def _judge(self) -> tuple[bool, str]:
        result = self.result
        ended = f"ended by {result.ended_by} at {result.ended_at_action!r}"
        if result.ended_by not in NORMAL_ENDINGS:
            return False, f"{ended}: not a normal ending"
        failures = [a for a in result.path if a in self.options.failure_actions]
        if failures:
            return False, f"{ended}; passed failure action {failures[0]!r}"
        wanted = self.options.success_actions or _metadata_actions(self.flow, "SuccessActions")
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
) -> SimulationResult:
    """Validate the flow (unless told not to), then place one contact through it.

    Raises `InvalidContactFlow` when validation finds problems.
    """
    if isinstance(content, Flow):
        flow = content
    elif validate:
        flow = load_flow(content, associated_lambda_arns=associated_lambda_arns)
    else:
        flow = parse_flow(content)
    return Simulation(flow, invoker, contact=contact, options=options, clock=clock).run()


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
