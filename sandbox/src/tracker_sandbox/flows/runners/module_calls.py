"""Invoke module (InvokeFlowModule) and Return (EndFlowModuleExecution): a flow module runs
in the same contact, then the flow goes on at the invoking action's NextAction (modules.py
has the documentation these follow). A module that returns a result (the console's
custom-block modules, spec.SPEED_DIAL) reads the invoke's `Input` as `$.Modules.Input`;
its Return block's `Result` and `ResultData` are `$.Modules.Result` and
`$.Modules.ResultData` in the flow after it, which branches on the Result when the
invoke carries Conditions (NoMatchingCondition, or its NextAction, for any other).

The module's actions join the running flow renamed `<module>/<Identifier>` ("/" is not
allowed in identifiers, so they never clash with the flow's own). Contact attributes are
shared both ways; the module gets its own `$.External` and the flow's is back after the
module returns ("Modules do not allow overriding flow local data of the invoking flow").
The modules running are the simulation's `module_calls`, innermost last.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import (
    Action,
    ConditionBranch,
    ErrorBranch,
    Flow,
    InvalidContactFlow,
    Transitions,
    parse_flow,
)
from ..modules import find_module, module_id, validate_flow_module
from ..outcomes import MODULE_RETURNED, StopSimulation
from ..runner import ModuleCall, Outcome, Runner
from .routing import branch_on

MODULE_SEPARATOR = "/"


def run_invoke_flow_module(sim: Runner, action: Action) -> Outcome:
    """The module's actions run in the same contact; a module that cannot be found takes
    the error branch, an invalid one stops the simulation (`InvalidContactFlow`)."""
    wanted = sim.value_of(action.parameters.get("FlowModuleId", ""))
    content = find_module(sim.options.flow_modules, wanted) if wanted else None
    if content is None:
        return sim.go_error(action, "NoMatchingError", f"no flow module {wanted!r}")
    problems = validate_flow_module(content)
    if problems:
        raise InvalidContactFlow(problems)
    module = parse_flow(content)
    label = module_id(wanted)
    prefix = f"{label}{MODULE_SEPARATOR}"
    sim.flow = _merge(sim.flow, module, prefix)
    raw_input = action.parameters.get("Input")
    inputs = sim.values_of(raw_input if isinstance(raw_input, dict) else {})
    sim.module_calls.append(
        ModuleCall(label, action.identifier, saved_external=sim.external, saved_modules=sim.modules)
    )
    sim.external = {}
    sim.modules = {"Input": inputs}
    sim.say("MODULE", action.identifier, f"invokes flow module {label}")
    return f"module:{label}", f"{prefix}{module.start_action}"


def run_end_flow_module_execution(sim: Runner, action: Action) -> Outcome:
    """Back to the flow that invoked the module, at the Invoke module block's Success
    branch. A module simulated on its own (the document carries `Settings`) ends there
    normally, as its return; outside a module the contact ends abnormally."""
    if not sim.module_calls:
        if sim.flow.is_module:
            raise StopSimulation(
                MODULE_RETURNED,
                "the flow module returns to its caller (simulated on its own, it ends here)",
            )
        raise StopSimulation(
            "EndFlowModuleExecution",
            "EndFlowModuleExecution outside a flow module (only available in modules)",
        )
    raw_data = action.parameters.get("ResultData")
    data = sim.values_of(raw_data if isinstance(raw_data, dict) else {})
    result = sim.value_of(action.parameters["Result"]) if "Result" in action.parameters else None
    call = sim.module_calls.pop()
    sim.external = call.saved_external
    sim.modules = {**call.saved_modules, "Result": result, "ResultData": data}
    returned = f" with Result {result!r}" if result is not None else ""
    sim.say(
        "MODULE", action.identifier, f"flow module {call.module} returns to {call.caller}{returned}"
    )
    caller = sim.flow.action(call.caller)
    if not caller.transitions.conditions:
        return sim.go_next(caller, label=f"returned:{call.module}")
    return branch_on(sim, caller, "$.Modules.Result", result)


def _prefixed(action: Action, prefix: str) -> Action:
    def name(target: str) -> str:
        return f"{prefix}{target}"

    transitions = action.transitions
    renamed = Transitions(
        next_action=name(transitions.next_action) if transitions.next_action else None,
        errors=tuple(
            ErrorBranch(error.error_type, name(error.next_action)) for error in transitions.errors
        ),
        conditions=tuple(
            ConditionBranch(condition.operator, condition.operands, name(condition.next_action))
            for condition in transitions.conditions
        ),
    )
    return replace(action, identifier=name(action.identifier), transitions=renamed)


def _merge(flow: Flow, module: Flow, prefix: str) -> Flow:
    """The running flow plus the module's actions, renamed under `prefix` (once)."""
    if f"{prefix}{module.start_action}" in flow:
        return flow
    added = tuple(_prefixed(action, prefix) for action in module.actions)
    return replace(flow, actions=flow.actions + added)


RUNNERS = {
    "InvokeFlowModule": run_invoke_flow_module,
    "EndFlowModuleExecution": run_end_flow_module_execution,
}
