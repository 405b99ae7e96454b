"""Amazon Connect flows in the sandbox: validate, draw and simulate (standard library only).

- `validate_flow` / `load_flow`: what Connect checks when a flow is saved; problems
  come back as `Problem`s, or raised as `InvalidContactFlow` (whose
  `connect_problems()` is the `problems` list of Connect's InvalidContactFlowException).
- `analyze_flow`: structural facts for tests (reachability, error branches, Lambdas).
- `simulate_contact`: one voice, chat or task contact through a flow (and the flows it
  transfers to), with a `LambdaInvoker`.
- `to_mermaid` / `to_dot`: diagrams.

boto3 is needed only by `aws` (real invocations, DescribeContactFlow).
"""

from .analysis import FlowAnalysis, analyze_flow
from .clock import RealClock, SimulatedClock
from .diagram import to_dot, to_mermaid
from .engine import simulate_contact
from .lambdas import (
    CallableInvoker,
    ContactData,
    InvocationOutcome,
    LambdaInvoker,
    StubInvoker,
    StubResponse,
    build_contact_event,
)
from .model import (
    Action,
    Flow,
    InvalidContactFlow,
    Problem,
    ProblemCode,
    Transitions,
    parse_flow,
)
from .result import SimulationResult
from .runner import SimulationOptions
from .spec import ACTION_SPECS
from .validate import load_flow, validate_flow

__all__ = [
    "ACTION_SPECS",
    "Action",
    "CallableInvoker",
    "ContactData",
    "Flow",
    "FlowAnalysis",
    "InvalidContactFlow",
    "InvocationOutcome",
    "LambdaInvoker",
    "Problem",
    "ProblemCode",
    "RealClock",
    "SimulatedClock",
    "SimulationOptions",
    "SimulationResult",
    "StubInvoker",
    "StubResponse",
    "Transitions",
    "analyze_flow",
    "build_contact_event",
    "load_flow",
    "parse_flow",
    "simulate_contact",
    "to_dot",
    "to_mermaid",
    "validate_flow",
]
