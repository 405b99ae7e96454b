"""Every action type the simulator runs, in one registry: `RUNNERS[type](sim, action)`.

By family: prompts (Play prompt), invoke (Invoke AWS Lambda function), routing (Set
contact attributes, Compare, Loop, Wait, working queue, logging, voice), endings
(transfers, disconnect, end of flow), module_calls (Invoke module, Return) and
passthrough (blocks whose effect the simulation does not track or cannot know). An action
type in none of them ends the contact as `UnsupportedAction`.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..runner import RunnerFunction
from . import endings, invoke, module_calls, passthrough, prompts, routing

_FAMILIES: tuple[Mapping[str, RunnerFunction], ...] = (
    prompts.RUNNERS,
    invoke.RUNNERS,
    routing.RUNNERS,
    endings.RUNNERS,
    module_calls.RUNNERS,
    passthrough.RUNNERS,
)


def _registry() -> dict[str, RunnerFunction]:
    registry: dict[str, RunnerFunction] = {}
    for family in _FAMILIES:
        taken = registry.keys() & family.keys()
        if taken:
            raise RuntimeError(f"action types with two runners: {sorted(taken)}")
        registry.update(family)
    return registry


RUNNERS: Mapping[str, RunnerFunction] = _registry()
