"""The blocks the simulator runs without modelling them in depth.

Three kinds, by what the simulation can know (every type is catalogued in
`spec.CONNECT_ACTION_TYPES`, whose entries cite the flow-language reference page):

- *Pass-through* blocks (`PASS_THROUGH`) change nothing the simulation tracks:
  recording, analytics, streaming, media processing, event hooks, routing criteria
  and priority, tags, contact data, Voice ID, AI-agent sessions, queue metrics, the
  previous participant's hold state. They take their success branch (NextAction), with
  a `PASS` line in the transcript. `--answer ID=BRANCH` can still send one down another
  branch (to see what its error branch does); `--strict` does not stop at them.
- *Unknown-outcome* blocks (`UNKNOWN_OUTCOME`) depend on what the simulation cannot
  know: what the caller keys in, a customer profile or case, a Lex intent, a view's
  button, hours of operation, queue metrics, a Voice ID result, a random split, a
  transfer that may fail. Each takes the default in `default_branch` (below), recorded
  as an `Assumption` and an `ASSUME` line; the run's `OutcomePlan` overrides it
  (`--answer`, `--input`) or stops there (`--strict`).
- `UpdateFlowAttributes` sets flow attributes, read as `$.FlowAttributes.key` for the
  rest of this flow and never stored on the contact: "Sets a collection of attributes on
  the current flow. These attributes are not carried over to the subsequent flows."
  (https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-updateflowattributes.html)

Defaults, in order:
0. A block that waits for a person (a view, a menu, a bot) and took its default once
   already in this contact, with a time-limit branch (`TimeLimitExceeded`,
   `InputTimeLimitExceeded`): that branch, the person doing nothing the second time.
   Exported flows loop back to a view or a menu after every choice (the agent picks
   again); one default forever would loop the contact until the step guard, while in
   Connect the block's time limit ends the wait ("InvocationTimeLimitSeconds", ShowView;
   "InputTimeLimitSeconds", GetParticipantInput).
1. GetParticipantInput with `StoreInput` "True": the caller enters nothing; the
   contact takes the success branch with `$.StoredCustomerInput` = `Timeout`, as the
   Store customer input block documents ("When a call includes no customer input, the
   contact takes the Success branch. The Stored customer input system attribute holds a
   value of Timeout", https://docs.aws.amazon.com/connect/latest/adminguide/store-customer-input.html).
2. CheckHoursOfOperation, and any block whose conditions are exactly True and False
   (a staffing check with CheckMetricData): `True`, whatever order they are in.
3. A block with conditions: its first condition (the first menu option, the first Lex
   intent, the first view action, ...), as if that value came back.
4. Otherwise its success branch (NextAction); for the transfers that end the flow
   (TransferContactToAgent, DequeueContactAndTransferToQueue, and
   TransferParticipantToThirdParty unless `ContinueFlowExecution` is "True", the
   block's "Resume flow after disconnect",
   https://docs.aws.amazon.com/connect/latest/adminguide/contact-flow-resume.html),
   the transfer succeeds and the contact ends there.

GetParticipantInput with `--input DIGITS`: with `StoreInput` "True" the digits go to
`$.StoredCustomerInput` and the contact takes the success branch (no digits:
`Timeout`); otherwise the digits are tried against the conditions (no match:
NoMatchingCondition; nothing entered: InputTimeLimitExceeded, "The number of seconds
to wait for input to be collected before proceeding with a timeout error",
https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-getparticipantinput.html).
A condition value taken at ConnectParticipantWithLexBot becomes `$.Lex.IntentName`.

Known without asking: GetParticipantInput (DTMF; Lex is ConnectParticipantWithLexBot)
on a CHAT contact takes its error branch ("Chat: Yes, when Amazon Lex is used, otherwise
it takes the Error branch", https://docs.aws.amazon.com/connect/latest/adminguide/get-customer-input.html),
and with `StoreInput` "True" on any channel but VOICE ("Chat: No - Error branch; Task:
No - Error branch; Email: No - Error branch", the Store customer input page above).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..conditions import matches
from ..model import Action, ConditionBranch, condition_label
from ..outcomes import NEXT, UNKNOWN_OUTCOME, Assumption, StopSimulation
from ..runner import Outcome, Runner, RunnerFunction

#: Pass-through types and what each would change in Connect (the transcript note).
PASS_THROUGH: Mapping[str, str] = {
    "UpdateContactRecordingBehavior": "recording and analytics settings",
    "UpdateContactRecordingAndAnalyticsBehavior": "recording and analytics settings",
    "UpdateContactMediaStreamingBehavior": "live media streaming",
    "UpdateContactMediaProcessing": "chat message processing",
    "UpdateContactEventHooks": "the flows run on contact events",
    "UpdateContactRoutingBehavior": "the contact's routing priority or age",
    "UpdateRoutingCriteria": "routing criteria",
    "UpdateContactRoutingCriteria": "routing criteria",
    "UpdateContactData": "contact properties (name, description, language, ...)",
    "TagContact": "contact tags",
    "UntagContact": "contact tags",
    "StartVoiceIdStream": "Voice ID audio streaming",
    "CreateWisdomSession": "an AI-agent session",
    "GetMetricData": "queue metrics loaded into $.Metrics (give values with --value)",
    "UpdatePreviousContactParticipantState": "the previous participant's hold state",
    "ResumeContact": "a paused contact resumed",
}

#: Unknown-outcome types and what the outcome depends on (the transcript note).
UNKNOWN_OUTCOME_TYPES: Mapping[str, str] = {
    "GetParticipantInput": "what the caller enters",
    "ConnectParticipantWithLexBot": "what the caller says to the bot",
    "ShowView": "what the agent or customer does in the view",
    "CheckHoursOfOperation": "the time and the hours of operation",
    "CheckMetricData": "live queue metrics",
    "CheckOutboundCallStatus": "how the outbound call went",
    "CheckVoiceId": "the Voice ID result",
    "DistributeByPercentage": "a random draw",
    "GetCustomerProfile": "the Customer Profiles domain",
    "CreateCustomerProfile": "the Customer Profiles domain",
    "UpdateCustomerProfile": "the Customer Profiles domain",
    "AssociateContactToCustomerProfile": "the Customer Profiles domain",
    "GetCustomerProfileObject": "the Customer Profiles domain",
    "GetCalculatedAttributesForCustomerProfile": "the Customer Profiles domain",
    "CreateCase": "the Cases domain",
    "GetCase": "the Cases domain",
    "UpdateCase": "the Cases domain",
    "CreateTask": "whether the task contact can be created",
    "CreateCallbackContact": "whether the callback can be created",
    "StartOutboundChatContact": "whether the outbound chat can be started",
    "CompleteOutboundCall": "whether the outbound call connects",
    "UpdateContactCallbackNumber": "whether the number is valid and dialable",
    "MessageParticipantIteratively": "when the queue loop is interrupted",
    "TransferContactToAgent": "the agent's availability",
    "DequeueContactAndTransferToQueue": "the target queue",
    "TransferParticipantToThirdParty": "whether the third party answers",
}

#: Transfers that end this flow when they succeed (normal endings of a contact).
TRANSFER_ENDINGS = frozenset(
    {
        "TransferContactToAgent",
        "DequeueContactAndTransferToQueue",
        "TransferParticipantToThirdParty",
    }
)
_PROMPT_KEYS = ("Text", "SSML", "PromptId", "Media")


# Runners ---------------------------------------------------------------------------


def run_pass_through(sim: Runner, action: Action) -> Outcome:
    answer = sim.outcomes.answer(action.identifier)
    if answer is not None:
        return _take(sim, action, answer, source="answer")
    sim.say(
        "PASS",
        action.identifier,
        f"{action.type}: {PASS_THROUGH[action.type]}; nothing simulated changes",
    )
    return sim.go_next(action)


def run_unknown_outcome(sim: Runner, action: Action) -> Outcome:
    if action.type == "GetParticipantInput" and _unsupported_channel(sim, action):
        return sim.go_error(action, "NoMatchingError", f"not supported on a {sim.channel} contact")
    answer = sim.outcomes.answer(action.identifier)
    given = (
        sim.outcomes.next_input()
        if answer is None and action.type == "GetParticipantInput"
        else None
    )
    if answer is None and given is None and sim.outcomes.plan.strict:
        raise StopSimulation(
            UNKNOWN_OUTCOME,
            f"--strict: the outcome of {action.type} {action.identifier!r} depends on "
            f"{UNKNOWN_OUTCOME_TYPES[action.type]}; give --answer {action.identifier}=BRANCH",
        )
    if any(key in action.parameters for key in _PROMPT_KEYS):
        sim.play_prompt(action)
    if answer is not None:
        return _take(sim, action, answer, source="answer")
    if given is not None:
        return _gathered(sim, action, given)
    return _default(sim, action)


def run_update_flow_attributes(sim: Runner, action: Action) -> Outcome:
    raw = action.parameters.get("FlowAttributes") or {}
    updates: dict[str, str] = {}
    for key, entry in raw.items():
        value = entry.get("Value", "") if isinstance(entry, dict) else entry
        updates[sim.value_of(key)] = sim.value_of(value)
    sim.flow_attributes.update(updates)  # all or none: nothing here can fail half-way
    sim.say(
        "SET",
        action.identifier,
        "flow attributes " + ", ".join(f"{k}={v!r}" for k, v in updates.items()),
    )
    return sim.go_next(action)


RUNNERS: Mapping[str, RunnerFunction] = {
    **dict.fromkeys(PASS_THROUGH, run_pass_through),
    **dict.fromkeys(UNKNOWN_OUTCOME_TYPES, run_unknown_outcome),
    "UpdateFlowAttributes": run_update_flow_attributes,
}
#: The types `--answer` may name.
ANSWERABLE = frozenset(PASS_THROUGH) | frozenset(UNKNOWN_OUTCOME_TYPES)


# Choosing a branch ------------------------------------------------------------------


#: Error types a block takes when the person it waits for does nothing.
_TIME_LIMITS = ("TimeLimitExceeded", "InputTimeLimitExceeded")


def _default(sim: Runner, action: Action) -> Outcome:
    parameters, conditions = action.parameters, action.transitions.conditions
    if sim.outcomes.defaulted(action.identifier) > 1:
        for error in action.transitions.errors:
            if error.error_type in _TIME_LIMITS:
                _assume(sim, action, "default", "nothing", f"error:{error.error_type}")
                return sim.go_error(action, error.error_type, "again, and nobody acts")
    if action.type == "GetParticipantInput" and _stores_input(action):
        return _gathered(sim, action, "", source="default")
    if action.type == "CheckHoursOfOperation" or _true_false(conditions):
        return _take(sim, action, "True", source="default")
    if conditions:
        first = conditions[0]
        label = condition_label(first)
        _learn_intent(sim, action, first)
        _assume(sim, action, "default", label, f"condition:{label}")
        return f"condition:{label}", first.next_action
    _assume(sim, action, "default", NEXT, NEXT)
    return _succeed(sim, action, parameters)


def _gathered(sim: Runner, action: Action, digits: str, *, source: str = "input") -> Outcome:
    """GetParticipantInput with what the caller entered (`""`: nothing)."""
    if _stores_input(action):
        stored = digits or "Timeout"
        sim.outcomes.learn("StoredCustomerInput", (), stored)
        sim.say("INPUT", action.identifier, f"the caller enters {digits!r}; stored {stored!r}")
        _assume(sim, action, source, digits, NEXT)
        return sim.go_next(action)
    sim.say("INPUT", action.identifier, f"the caller enters {digits!r}")
    if not digits:
        _assume(sim, action, source, digits, "error:InputTimeLimitExceeded")
        return sim.go_error(action, "InputTimeLimitExceeded", "the caller entered nothing")
    return _take_value(sim, action, digits, source=source)


def _take(sim: Runner, action: Action, word: str, *, source: str) -> Outcome:
    """An answer: `next`, one of the block's error types, or an outcome value."""
    if word == NEXT:
        _assume(sim, action, source, word, NEXT)
        return _succeed(sim, action, action.parameters)
    if any(branch.error_type == word for branch in action.transitions.errors):
        _assume(sim, action, source, word, f"error:{word}")
        return sim.go_error(action, word, f"{source} {word!r}")
    return _take_value(sim, action, word, source=source)


def _take_value(sim: Runner, action: Action, value: str, *, source: str) -> Outcome:
    for condition in action.transitions.conditions:
        if matches(condition.operator, value, condition.operands):
            label = condition_label(condition)
            _learn_intent(sim, action, condition, value)
            _assume(sim, action, source, value, f"condition:{label}")
            return f"condition:{label}", condition.next_action
    if action.transitions.error_target("NoMatchingCondition") is None and (
        action.transitions.next_action is not None
    ):
        _assume(sim, action, source, value, NEXT)
    else:
        _assume(sim, action, source, value, "error:NoMatchingCondition")
    return sim.go_default(action, f"{value!r} matches no condition")


def _succeed(sim: Runner, action: Action, parameters: Mapping[str, Any]) -> Outcome:
    if action.type in TRANSFER_ENDINGS and not (
        action.type == "TransferParticipantToThirdParty"
        and str(parameters.get("ContinueFlowExecution", "")).lower() == "true"
    ):
        raise StopSimulation(action.type, f"{action.type}: the transfer succeeds (assumed)")
    return sim.go_next(action)


def _unsupported_channel(sim: Runner, action: Action) -> bool:
    """Get customer input (DTMF) and Store customer input run on voice only.

    Administrator Guide, "Supported channels for flow blocks": Get customer input is
    "Yes" on voice, on chat only "when Amazon Lex is used" (ConnectParticipantWithLexBot
    here), "No" on task and email; Store customer input is "No - Error branch" off voice.
    """
    del action  # both forms of the block answer the same way per channel
    return sim.channel != "VOICE"


def _true_false(conditions: tuple[ConditionBranch, ...]) -> bool:
    """Conditions of a yes/no check (hours, staffing): exactly Equals True and False."""
    values = sorted(str(c.operands[0]) for c in conditions if len(c.operands) == 1)
    return len(values) == len(conditions) and values == ["False", "True"]


def _stores_input(action: Action) -> bool:
    return str(action.parameters.get("StoreInput", "False")).lower() == "true"


def _learn_intent(
    sim: Runner, action: Action, condition: ConditionBranch, value: str | None = None
) -> None:
    if action.type == "ConnectParticipantWithLexBot":
        intent = (
            value if value is not None else str(condition.operands[0] if condition.operands else "")
        )
        sim.outcomes.learn("Lex", ("IntentName",), intent)


def _assume(sim: Runner, action: Action, source: str, value: str, branch: str) -> None:
    sim.result.assumptions.append(Assumption(action.identifier, action.type, source, value, branch))
    hint = f"; override with --answer {action.identifier}=BRANCH" if source == "default" else ""
    about = UNKNOWN_OUTCOME_TYPES.get(action.type) or PASS_THROUGH.get(action.type, "")
    sim.say(
        "ASSUME",
        action.identifier,
        f"{action.type} depends on {about}: {source} {value!r} -> {branch}{hint}",
    )
