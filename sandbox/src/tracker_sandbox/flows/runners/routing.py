"""The blocks that route and remember within a contact: Set contact attributes, Compare
(Check contact attributes), Loop, Wait, Set working queue, Set logging behavior and Set
voice (flow-language reference for each type; channels from the Administrator Guide,
"Supported channels for flow blocks")."""

from __future__ import annotations

import re

from ..conditions import matches
from ..model import Action
from ..outcomes import StopSimulation
from ..runner import Outcome, Runner

#: Flow-language reference (Wait): the time limit is a positive integer of at most 7 days.
MAX_WAIT_SECONDS = 604_800


def run_update_contact_attributes(sim: Runner, action: Action) -> Outcome:
    updates = sim.values_of(action.parameters.get("Attributes") or {})
    if action.parameters.get("TargetContact", "Current") == "Related":
        sim.warn(f"{action.identifier!r} sets attributes on the related contact; not simulated")
    else:
        sim.attributes.update(updates)
    sim.say("SET", action.identifier, ", ".join(f"{k}={v!r}" for k, v in updates.items()))
    return sim.go_next(action)


def run_compare(sim: Runner, action: Action) -> Outcome:
    reference = str(action.parameters.get("ComparisonValue", ""))
    return branch_on(sim, action, reference, sim.resolve(reference))


def branch_on(sim: Runner, action: Action, reference: str, value: str | None) -> Outcome:
    """The first of the action's conditions `value` (read from `reference`) meets, else
    its NoMatchingCondition branch or NextAction (`go_default`)."""
    for condition in action.transitions.conditions:
        if matches(condition.operator, value, condition.operands):
            label = f"{condition.operator} {', '.join(map(str, condition.operands))}"
            sim.say("CHECK", action.identifier, f"{reference} = {value!r}: {label}")
            return f"condition:{label}", condition.next_action
    return sim.go_default(action, f"{reference} = {value!r}: no condition matches")


def run_loop(sim: Runner, action: Action) -> Outcome:
    """Loop: "When the same action (the same Action Identifier) is run multiple times, this
    block returns a result of "NotDone" a number of times equal to the specified loop
    count, then "Done" once, then reset" (flow-language reference, Loop,
    https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-loop.html).
    The count is kept per identifier for the whole contact: a loop left by another branch
    goes on from its count the next time the contact enters it, in this flow or in a flow
    module run again (whose actions keep their identifiers)."""
    text = sim.value_of(action.parameters.get("LoopCount", 0))
    if not re.fullmatch(r"\d{1,3}", text.strip()) or int(text) > 100:
        return sim.go_error(
            action, "NoMatchingError", f"LoopCount {text!r} is not a number from 0 to 100"
        )
    count = int(text)
    done = sim.loop_counters.get(action.identifier, 0)
    if done < count:
        sim.loop_counters[action.identifier] = done + 1
        result = "ContinueLooping"
        note = f"{result} ({done + 1} of {count})"
    else:
        sim.loop_counters[action.identifier] = 0
        result = "DoneLooping"
        note = f"{result} after {count}"
    sim.say("LOOP", action.identifier, f"{action.identifier}: {note}")
    return take_condition(action, result)


def take_condition(action: Action, result: str) -> Outcome:
    """The branch of a block that answers one result word (Loop, Wait)."""
    for condition in action.transitions.conditions:
        if condition.operator == "Equals" and [str(o) for o in condition.operands] == [result]:
            return result, condition.next_action
    if action.transitions.next_action is not None:
        return result, action.transitions.next_action
    raise StopSimulation("NoTransition", f"{action.identifier!r} has no branch for {result}")


def run_wait(sim: Runner, action: Action) -> Outcome:
    if sim.channel == "VOICE":
        # Admin Guide, Wait: voice only in an inbound flow with "Keep running while
        # waiting" or "Set event-based wait", neither of which is modelled.
        return sim.go_error(
            action,
            "NoMatchingError",
            "Wait on voice needs 'keep running while waiting' or an event-based wait",
        )
    parameters = action.parameters
    # The flow-language reference names it TimeoutSeconds; the flow editor exports (and
    # the live service takes) TimeLimitSeconds.
    raw = parameters.get("TimeLimitSeconds", parameters.get("TimeoutSeconds", ""))
    text = sim.value_of(raw)
    if not re.fullmatch(r"\d{1,6}", text.strip()) or not 1 <= int(text) <= MAX_WAIT_SECONDS:
        return sim.go_error(
            action,
            "NoMatchingError",
            f"the timeout {text!r} is not a whole number of seconds from 1 to {MAX_WAIT_SECONDS}",
        )
    seconds = int(text)
    sim.say("WAIT", action.identifier, f"waits {seconds} s")
    sim.clock.pass_time(seconds)
    return take_condition(action, "WaitCompleted")


def run_update_contact_target_queue(sim: Runner, action: Action) -> Outcome:
    raw = action.parameters.get("QueueId") or action.parameters.get("AgentId") or ""
    queue = sim.value_of(raw)
    if not queue:
        return sim.go_error(action, "NoMatchingError", "the queue resolved to nothing")
    sim.queue = {"ARN": queue, "Name": queue.rsplit("/", 1)[-1]}
    sim.say("QUEUE", action.identifier, f"working queue set to {queue}")
    return sim.go_next(action)


def run_update_flow_logging_behavior(sim: Runner, action: Action) -> Outcome:
    sim.say(
        "LOG", action.identifier, f"flow logging {action.parameters.get('FlowLoggingBehavior')}"
    )
    return sim.go_next(action)


def run_update_contact_text_to_speech_voice(sim: Runner, action: Action) -> Outcome:
    voice = sim.value_of(action.parameters.get("TextToSpeechVoice", ""))
    sim.say("VOICE", action.identifier, f"voice {voice}")
    return sim.go_next(action)


RUNNERS = {
    "UpdateContactAttributes": run_update_contact_attributes,
    "Compare": run_compare,
    "Loop": run_loop,
    "Wait": run_wait,
    "UpdateContactTargetQueue": run_update_contact_target_queue,
    "UpdateFlowLoggingBehavior": run_update_flow_logging_behavior,
    "UpdateContactTextToSpeechVoice": run_update_contact_text_to_speech_voice,
}
