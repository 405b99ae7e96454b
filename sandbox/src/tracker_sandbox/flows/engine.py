"""Places a simulated contact (voice, chat or task) through a flow and records what it lives
through.

The engine walks the flow: it runs each action with its runner (`runners.RUNNERS`, one
per action type, each doing what the block does for the contact's channel as the Amazon
Connect Administrator Guide documents it; docs/flow-design.md has the citations), keeps
the contact's state (attributes, `$.External`, flow attributes, the working queue, loop
counts, the flow modules running), resolves references, and ends the contact when a
runner raises `StopSimulation`, a transition is missing, or the step and time guards
trip. Time is kept by a `Clock` (clock.py); the verdict is verdict.py's.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from .clock import Clock, RealClock, SimulatedClock
from .lambdas import ContactData, LambdaInvoker
from .model import Action, Flow, FlowContent, Transitions, parse_flow
from .outcomes import OutcomeState, StopSimulation
from .references import (
    InvalidReference,
    find_references,
    has_references,
    is_single_reference,
    parse_reference,
)
from .result import SimulationResult, StepRecord, TranscriptLine
from .runner import FlowResolver, ModuleCall, Outcome, SimulationOptions
from .runners import RUNNERS
from .runners.prompts import run_message_participant
from .validate import load_flow
from .verdict import judge

#: `$.Channel` values (Connect Administrator Guide, "Supported channels for flow blocks").
CHANNELS = ("VOICE", "CHAT", "TASK", "EMAIL")


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
        self.modules: dict[str, Any] = {}
        self.queue: dict[str, str] | None = dict(self.contact.queue) if self.contact.queue else None
        self.loop_counters: dict[str, int] = {}
        self.lambda_chain_seconds = 0.0
        self.module_calls: list[ModuleCall] = []
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
                    raise StopSimulation(
                        "MaxSteps",
                        f"stopped after {self.options.max_steps} steps (a loop without end?)",
                    )
                if self.clock.elapsed() > self.options.max_contact_seconds:
                    raise StopSimulation(
                        "MaxDuration",
                        f"stopped after {self.options.max_contact_seconds:.0f} s of contact",
                    )
                if current is None or current not in self.flow:
                    raise StopSimulation("DanglingNextAction", f"no action {current!r} in the flow")
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
        except StopSimulation as ended:
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
        result.success, result.success_reason = judge(
            result, self.options, self.flows_seen, self.channel
        )
        return result

    def _dispatch(self, action: Action) -> Outcome:
        """Run one action; answer (what happened, where to go next)."""
        runner = RUNNERS.get(action.type)
        if runner is None:
            raise StopSimulation(
                "UnsupportedAction", f"{action.type} ({action.identifier!r}) is not simulated"
            )
        return runner(self, action)

    def say(self, kind: str, action: str, text: str) -> None:
        self.result.transcript.append(TranscriptLine(self.clock.elapsed(), kind, action, text))

    def warn(self, message: str) -> None:
        if message not in self.result.warnings:
            self.result.warnings.append(message)

    def go_next(self, action: Action, label: str = "next") -> Outcome:
        target = action.transitions.next_action
        if target is None:
            raise StopSimulation(
                "NoTransition", f"{action.identifier!r} has no NextAction; Connect ends the contact"
            )
        return label, target

    def go_error(self, action: Action, error_type: str, why: str) -> Outcome:
        target = action.transitions.error_target(error_type)
        self.say("ERROR", action.identifier, f"{action.identifier}: {error_type} ({why})")
        if target is None:
            raise StopSimulation(
                "UnhandledError",
                f"{action.identifier!r} failed ({error_type}) and has no error branch",
            )
        return f"error:{error_type}", target

    def go_default(self, action: Action, why: str) -> Outcome:
        """No condition matched: the block's NoMatchingCondition branch (the "No Match"
        branch of the editor), else its default NextAction. A branch the flow takes on
        purpose (the voice path of a channel check), so a CHECK line, not an ERROR."""
        target = action.transitions.error_target("NoMatchingCondition")
        if target is None and action.transitions.next_action is not None:
            self.say("CHECK", action.identifier, f"{why}: the default NextAction")
            return "default", action.transitions.next_action
        if target is None:
            return self.go_error(action, "NoMatchingCondition", why)
        self.say("CHECK", action.identifier, f"{why}: the NoMatchingCondition branch")
        return "error:NoMatchingCondition", target

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
        if root in ("External", "Modules"):
            value = self.external if root == "External" else self.modules
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

    def values_of(self, mapping: Mapping[Any, Any]) -> dict[str, str]:
        """A map parameter (invocation attributes, contact attributes, a module's Input or
        ResultData) with its keys and values resolved as `value_of` resolves one."""
        return {self.value_of(key): self.value_of(value) for key, value in mapping.items()}

    def render(self, text: str) -> str:
        """Prompt text with every embedded reference replaced by its value."""
        for reference in sorted(set(find_references(text)), key=len, reverse=True):
            text = text.replace(reference, self.resolve(reference) or "")
        return text

    def play_prompt(self, action: Action) -> None:
        """Play the prompt of a block that gathers input, as Play prompt plays it."""
        prompt = {
            key: value
            for key, value in action.parameters.items()
            if key in ("Text", "SSML", "PromptId", "Media")
        }
        if prompt:
            run_message_participant(
                self,
                Action(
                    action.identifier,
                    "MessageParticipant",
                    prompt,
                    Transitions(next_action=action.identifier),
                ),
            )


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
