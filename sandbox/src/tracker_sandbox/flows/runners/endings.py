"""The blocks that end a contact's run of this flow: Transfer to queue, Transfer to flow,
Disconnect and End flow execution.

TransferToFlow to a known flow continues there as a new contact: a new `ContactId`, the
same `InitialContactId`, `PreviousContactId` the old one, its user-defined attributes
carried over (Admin Guide: contacts, contact chains, attributes); flow-local data
(`$.External`) and loop counts start again. An unknown target ends the contact, an
invalid target flow takes the error branch ("Transfer to flow").
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from ..model import Action, InvalidContactFlow
from ..outcomes import StopSimulation
from ..result import TransferRecord
from ..runner import Outcome, Runner
from ..validate import load_flow


def run_transfer_contact_to_queue(sim: Runner, action: Action) -> Outcome:
    if sim.queue is None:
        return sim.go_error(action, "NoMatchingError", "no working queue is set")
    raise StopSimulation("TransferContactToQueue", f"transferred to queue {sim.queue['ARN']}")


def run_transfer_to_flow(sim: Runner, action: Action) -> Outcome:
    target = sim.value_of(action.parameters.get("ContactFlowId", ""))
    content = sim.resolve_flow(target) if sim.resolve_flow and target else None
    if content is None:
        raise StopSimulation("TransferToFlow", f"continues in flow {target} (not followed)")
    try:
        flow = load_flow(content)
    except InvalidContactFlow as refused:
        return sim.go_error(action, "NoMatchingError", f"flow {target}: {refused}")
    previous = sim.contact.contact_id
    sim.contact = replace(
        sim.contact,
        contact_id=str(uuid.uuid4()),
        initial_contact_id=sim.contact.initial_contact_id or previous,
        previous_contact_id=previous,
        attributes=dict(sim.attributes),
    )
    sim.external = {}
    sim.loop_counters = {}
    sim.flow = flow
    sim.flows_seen.append(flow)
    record = TransferRecord(
        action.identifier, sim.clock.elapsed(), target, previous, sim.contact.contact_id
    )
    sim.result.transfers.append(record)
    sim.result.contact_ids.append(sim.contact.contact_id)
    sim.say(
        "XFER",
        action.identifier,
        f"transferred to flow {target} as contact {sim.contact.contact_id}",
    )
    return "transfer", flow.start_action


def run_disconnect_participant(sim: Runner, action: Action) -> Outcome:
    raise StopSimulation("DisconnectParticipant", "the flow hangs up")


def run_end_flow_execution(sim: Runner, action: Action) -> Outcome:
    raise StopSimulation("EndFlowExecution", "the flow ends")


RUNNERS = {
    "TransferContactToQueue": run_transfer_contact_to_queue,
    "TransferToFlow": run_transfer_to_flow,
    "DisconnectParticipant": run_disconnect_participant,
    "EndFlowExecution": run_end_flow_execution,
}
