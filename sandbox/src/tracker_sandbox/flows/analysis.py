"""Structural facts about a flow that tests and the command line ask of it.

`analyze_flow` works on any flow of the right shape (`model.parse_flow`), valid or not:
reachability, error handling, which Lambdas it calls. None of its findings make Connect
refuse a flow; `validate.validate_flow` says what does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Flow, FlowContent, parse_flow
from .references import is_reference
from .spec import ACTION_SPECS, LOOP_RESULTS


@dataclass(frozen=True)
class FlowAnalysis:
    """Structural facts about a flow (none of them makes Connect refuse it)."""

    reachable: frozenset[str]
    unreachable: tuple[str, ...]
    dangling: tuple[tuple[str, str], ...]
    lambdas_without_error_branch: tuple[str, ...]
    compares_without_fallback: tuple[str, ...]
    loops_missing_condition: Mapping[str, tuple[str, ...]]
    invoked_lambda_arns: frozenset[str]
    dynamic_lambda_actions: tuple[str, ...]
    unmodelled_actions: Mapping[str, str]
    ending_actions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unreachable": list(self.unreachable),
            "dangling": [list(pair) for pair in self.dangling],
            "lambdas_without_error_branch": list(self.lambdas_without_error_branch),
            "compares_without_fallback": list(self.compares_without_fallback),
            "loops_missing_condition": {
                k: list(v) for k, v in self.loops_missing_condition.items()
            },
            "invoked_lambda_arns": sorted(self.invoked_lambda_arns),
            "dynamic_lambda_actions": list(self.dynamic_lambda_actions),
            "unmodelled_actions": dict(self.unmodelled_actions),
            "ending_actions": list(self.ending_actions),
        }


def analyze_flow(content: FlowContent | Flow) -> FlowAnalysis:
    flow = parse_flow(content)
    reachable: set[str] = set()
    queue = deque([flow.start_action] if flow.start_action in flow else [])
    while queue:
        identifier = queue.popleft()
        if identifier in reachable:
            continue
        reachable.add(identifier)
        for _, _, target in flow.action(identifier).transitions.edges():
            if target in flow and target not in reachable:
                queue.append(target)

    dangling: list[tuple[str, str]] = []
    no_error: list[str] = []
    no_fallback: list[str] = []
    ending: list[str] = []
    dynamic: list[str] = []
    loops: dict[str, tuple[str, ...]] = {}
    arns: set[str] = set()
    unmodelled: dict[str, str] = {}
    for action in flow.actions:
        transitions = action.transitions
        dangling.extend(
            (action.identifier, target)
            for _, _, target in transitions.edges()
            if target not in flow
        )
        spec = ACTION_SPECS.get(action.type)
        if spec is None:
            unmodelled[action.identifier] = action.type
        elif spec.ends_flow:
            ending.append(action.identifier)
        if action.type == "InvokeLambdaFunction":
            arn = action.parameters.get("LambdaFunctionARN")
            if isinstance(arn, str) and arn and not is_reference(arn):
                arns.add(arn)
            else:
                dynamic.append(action.identifier)
            if transitions.error_target("NoMatchingError") is None:
                no_error.append(action.identifier)
        if (
            action.type == "Compare"
            and transitions.error_target("NoMatchingCondition") is None
            and transitions.next_action is None
        ):
            no_fallback.append(action.identifier)
        if action.type == "Loop":
            have = {
                str(c.operands[0])
                for c in transitions.conditions
                if c.operator == "Equals" and c.operands
            }
            missing = tuple(result for result in LOOP_RESULTS if result not in have)
            if missing:
                loops[action.identifier] = missing
    return FlowAnalysis(
        reachable=frozenset(reachable),
        unreachable=tuple(a.identifier for a in flow.actions if a.identifier not in reachable),
        dangling=tuple(dangling),
        lambdas_without_error_branch=tuple(no_error),
        compares_without_fallback=tuple(no_fallback),
        loops_missing_condition=loops,
        invoked_lambda_arns=frozenset(arns),
        dynamic_lambda_actions=tuple(dynamic),
        unmodelled_actions=unmodelled,
        ending_actions=tuple(ending),
    )
