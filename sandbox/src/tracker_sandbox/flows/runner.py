"""What an action runner gets from the simulation: the `Runner` protocol, the options of a
run, and the record of a running flow module.

Every runner (runners/) is a function `run(sim: Runner, action) -> Outcome`: it does what
the block does for the contact's channel and answers (what happened, where to go next),
or raises `outcomes.StopSimulation` to end the contact. `engine.Simulation` is the one
implementation; runners never import it, so the engine depends on the runners and not the
other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .clock import Clock
from .lambdas import ContactData, LambdaInvoker
from .model import Action, Flow, FlowContent
from .outcomes import OutcomePlan, OutcomeState
from .result import SimulationResult

#: "The Lambda response can be up to 32kb" (Admin Guide, "Grant Amazon Connect access to
#: your AWS Lambda functions", Verify the function response).
MAX_RESPONSE_BYTES = 32 * 1024

#: "Amazon Connect limits the duration of a sequence of Lambda functions to 20 seconds. It
#: times out with an error message when the total execution time exceeds this
#: threshold"; "By breaking up a chain of Lambda functions with the Play prompt block,
#: you can invoke multiple functions that last longer" (Admin Guide, "Grant Amazon
#: Connect access to your AWS Lambda functions", Best practice for invoking multiple
#: Lambda functions).
MAX_LAMBDA_CHAIN_SECONDS = 20.0

#: (what happened, the next action's identifier or None).
Outcome = tuple[str, str | None]

#: Resolves a TransferToFlow target (a flow id or ARN, as the flow names it) to the flow's
#: content, or None when it is not known.
FlowResolver = Callable[[str], "FlowContent | None"]


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
    max_lambda_chain_seconds: float = MAX_LAMBDA_CHAIN_SECONDS
    #: Answers, caller input and values for blocks the simulation cannot know
    #: (outcomes.py, runners/passthrough.py).
    outcomes: OutcomePlan = field(default_factory=OutcomePlan)


@dataclass
class ModuleCall:
    """One running flow module: where it was invoked and the caller's flow-local data."""

    module: str
    caller: str
    saved_external: dict[str, Any] = field(default_factory=dict)
    saved_modules: dict[str, Any] = field(default_factory=dict)


class Runner(Protocol):
    """What an action runner needs from the simulation (`engine.Simulation`)."""

    flow: Flow
    flows_seen: list[Flow]
    contact: ContactData
    options: SimulationOptions
    clock: Clock
    invoker: LambdaInvoker
    resolve_flow: FlowResolver | None
    attributes: dict[str, str]
    external: dict[str, Any]
    #: $.Modules: inside a module its Input; after it returns, its Result and ResultData.
    modules: dict[str, Any]
    flow_attributes: dict[str, str]
    queue: dict[str, str] | None
    loop_counters: dict[str, int]
    #: Seconds of Lambda calls since the last Play prompt (the 20-second rule).
    lambda_chain_seconds: float
    #: The flow modules running, innermost last.
    module_calls: list[ModuleCall]
    outcomes: OutcomeState
    result: SimulationResult

    @property
    def channel(self) -> str: ...

    def say(self, kind: str, action: str, text: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def go_next(self, action: Action, label: str = "next") -> Outcome: ...

    def go_error(self, action: Action, error_type: str, why: str) -> Outcome: ...

    def go_default(self, action: Action, why: str) -> Outcome: ...

    def resolve(self, reference: str) -> str | None: ...

    def value_of(self, value: Any) -> str: ...

    def values_of(self, mapping: Mapping[Any, Any]) -> dict[str, str]: ...

    def render(self, text: str) -> str: ...

    def play_prompt(self, action: Action) -> None: ...


RunnerFunction = Callable[[Runner, Action], Outcome]
