"""Whether a simulated contact succeeded, and what it got.

Success and failure actions come from `SimulationOptions`, else the flows'
`Metadata.TrackerSandbox` (`SuccessActions`, `FailureActions`), else, each side on its
own, the tracker module's action names when the flow has them (`thank-caller` for
success, `apologize` for failure: flows/async_tracker*.json.tftpl).

The contact's *outcome* is `RESULT` when the last of the success or failure actions it
passed is a success action, `APOLOGY` when it is a failure action, else None. The contact
*succeeds* only when it ends normally, passed a success action and no failure action:
ending anywhere else (after a failure action, without a success action, or in a flow
for which no success action is known) fails it. Ending normally means ending at DisconnectParticipant, TransferContactToQueue,
TransferToFlow (to a flow not followed), EndFlowExecution or a transfer assumed to
succeed; running out of transitions, an error without a branch, an unmodelled action, or
the step/time guards end it abnormally. `result_delivered` says whether the result
reached the contact: the outcome is RESULT and its last prompt was delivered (voice,
chat), or, on a task, where prompts have no effect, the result is in the contact's
attributes.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Flow
from .outcomes import MODULE_RETURNED
from .result import SimulationResult
from .runner import SimulationOptions
from .runners.passthrough import TRANSFER_ENDINGS

NORMAL_ENDINGS = (
    frozenset(
        {
            "DisconnectParticipant",
            "TransferContactToQueue",
            "TransferToFlow",
            "EndFlowExecution",
            MODULE_RETURNED,
        }
    )
    | TRANSFER_ENDINGS
)
#: The tracker module's terminal prompts, used for a side no option or metadata names.
TRACKER_SUCCESS_ACTIONS = frozenset({"thank-caller"})
TRACKER_FAILURE_ACTIONS = frozenset({"apologize"})


def terminal_actions(
    options: SimulationOptions, flows: Iterable[Flow]
) -> tuple[frozenset[str], frozenset[str]]:
    """(success actions, failure actions) of the verdict."""
    success = set(options.success_actions)
    failure = set(options.failure_actions)
    flows = list(flows)
    for flow in flows:
        if not options.success_actions:
            success |= _metadata_actions(flow, "SuccessActions")
        if not options.failure_actions:
            failure |= _metadata_actions(flow, "FailureActions")
    identifiers = {identifier for flow in flows for identifier in flow.by_id}
    if not success:
        success |= TRACKER_SUCCESS_ACTIONS & identifiers
    if not failure:
        failure |= TRACKER_FAILURE_ACTIONS & identifiers
    return frozenset(success), frozenset(failure)


def judge(
    result: SimulationResult, options: SimulationOptions, flows: Iterable[Flow], channel: str
) -> tuple[bool, str]:
    """Set the result's outcome, delivery and ending; answer (success, why)."""
    wanted, unwanted = terminal_actions(options, flows)
    for identifier in reversed(result.path):
        if identifier in wanted or identifier in unwanted:
            result.outcome = "RESULT" if identifier in wanted else "APOLOGY"
            break
    result.final_prompt = result.prompts[-1] if result.prompts else None
    final = result.final_prompt
    result.result_delivered = result.outcome == "RESULT" and (
        channel == "TASK" or (final is not None and final.delivered)
    )
    ended = f"ended by {result.ended_by} at {result.ended_at_action!r}"
    result.ended_normally = result.ended_by in NORMAL_ENDINGS
    if not result.ended_normally:
        return False, f"{ended}: not a normal ending"
    failures = [a for a in result.path if a in unwanted]
    if failures:
        return False, f"{ended}; passed failure action {failures[0]!r}"
    if not wanted:
        return False, (
            f"{ended}; no success action is known: name one with --success-action "
            "(or Metadata.TrackerSandbox.SuccessActions)"
        )
    hits = [a for a in result.path if a in wanted]
    if hits:
        return True, f"{ended}; passed success action {hits[0]!r}"
    return False, f"{ended}; passed none of the success actions {sorted(wanted)}"


def _metadata_actions(flow: Flow, key: str) -> frozenset[str]:
    sandbox = flow.metadata.get("TrackerSandbox")
    values = sandbox.get(key) if isinstance(sandbox, dict) else None
    return (
        frozenset(v for v in values if isinstance(v, str))
        if isinstance(values, list)
        else frozenset()
    )
