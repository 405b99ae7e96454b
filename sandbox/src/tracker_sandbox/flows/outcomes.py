"""What a simulated run assumes where the simulator cannot know: answers, input, values.

Some blocks depend on things outside the flow (what the caller keys in, a customer
profile, a Lex intent, the hours of operation); `passthrough.py` gives each a documented
default branch. An `OutcomePlan` overrides those defaults for one run:

- `answers` (`--answer IDENTIFIER=BRANCH`, repeatable): the branch the block takes,
  one answer per time the block runs, the last one repeating. BRANCH is `next` (the
  success branch, NextAction), one of the block's error types (`NoMatchingError`,
  `InputTimeLimitExceeded`, ...) or an outcome *value* tried against the block's
  conditions as Compare tries them (`1` for a menu, `True` for hours of operation,
  `5` against `NumberGreaterThan 0`); a value no condition takes goes to
  NoMatchingCondition.
- `inputs` (`--input DIGITS`, repeatable): what the caller enters at each
  GetParticipantInput, in the order the blocks run; when they run out, the default
  applies again. An empty input is the caller entering nothing.
- `values` (`--value Root.path=VALUE`): what a reference into a namespace the
  simulation does not produce resolves to (`Customer.FirstName=Ana`,
  `Lex.IntentName=Billing`, `Metrics.Queue.Size=3`).
- `strict` (`--strict`): stop at the first block whose outcome is unknown and was not
  answered (`ended_by` = `UnknownOutcome`, CLI exit code 3) instead of assuming.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .model import Action, Flow
from .references import SIMULATED_ROOTS, InvalidReference, parse_reference

#: The branch word for an action's success branch (its default NextAction).
NEXT = "next"
#: `ended_by` when `strict` stops the contact at a block whose outcome is unknown.
UNKNOWN_OUTCOME = "UnknownOutcome"
#: How a flow module simulated on its own ends at EndFlowModuleExecution: its return.
MODULE_RETURNED = "ModuleReturned"


class StopSimulation(Exception):
    """Raised by an action runner (or the engine) to end the contact: `ended_by` says how
    (DisconnectParticipant, UnhandledError, MaxSteps, ...), `note` says why."""

    def __init__(self, ended_by: str, note: str) -> None:
        super().__init__(note)
        self.ended_by = ended_by
        self.note = note


@dataclass(frozen=True)
class OutcomePlan:
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    #: (root, path) -> value, for namespaces the simulation does not produce.
    values: Mapping[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    strict: bool = False


@dataclass(frozen=True)
class Assumption:
    """One decision taken for a block whose outcome the simulation cannot know."""

    action: str
    type: str
    #: `default`, `answer` or `input`.
    source: str
    #: What was assumed: the branch word or value (`next`, `True`, `1`, `NoMatchingError`).
    value: str
    #: Where the contact went: `next`, `condition:...`, `error:...`.
    branch: str

    def to_dict(self) -> dict[str, str]:
        return {
            "action": self.action,
            "type": self.type,
            "source": self.source,
            "value": self.value,
            "branch": self.branch,
        }


class OutcomeState:
    """A plan being used up by one run (answers and inputs are consumed in order)."""

    def __init__(self, plan: OutcomePlan) -> None:
        self.plan = plan
        self._answered: dict[str, int] = {}
        self._inputs_used = 0
        self._defaults: dict[str, int] = {}
        #: Values the run produced for namespaces outside the simulation
        #: ($.StoredCustomerInput, $.Lex.IntentName); they win over the plan's.
        self._learned: dict[tuple[str, tuple[str, ...]], str] = {}

    def answer(self, identifier: str) -> str | None:
        answers = self.plan.answers.get(identifier)
        if not answers:
            return None
        used = self._answered.get(identifier, 0)
        self._answered[identifier] = used + 1
        return answers[min(used, len(answers) - 1)]

    def defaulted(self, identifier: str) -> int:
        """Count one more default taken at this block; answer how many it has taken."""
        self._defaults[identifier] = self._defaults.get(identifier, 0) + 1
        return self._defaults[identifier]

    def next_input(self) -> str | None:
        if self._inputs_used >= len(self.plan.inputs):
            return None
        self._inputs_used += 1
        return self.plan.inputs[self._inputs_used - 1]

    def value(self, root: str, path: Sequence[str]) -> str | None:
        key = (root, tuple(path))
        return self._learned.get(key, self.plan.values.get(key))

    def leftovers(self) -> list[str]:
        """Warnings for what the run never used: inputs left, answers for blocks not run."""
        unused = [
            f"--answer {identifier}: the contact never reached {identifier!r}"
            for identifier in self.plan.answers
            if identifier not in self._answered
        ]
        left = len(self.plan.inputs) - self._inputs_used
        if left:
            unused.append(f"{left} --input value(s) not used: no GetParticipantInput took them")
        return unused

    def learn(self, root: str, path: Sequence[str], value: str) -> None:
        self._learned[(root, tuple(path))] = value


# Parsing what the user gave ---------------------------------------------------------


def parse_answers(items: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """`["menu=1", "menu=2", "hours=False"]` -> `{"menu": ("1", "2"), "hours": ("False",)}`."""
    answers: dict[str, list[str]] = {}
    for item in items:
        identifier, separator, branch = item.partition("=")
        if not separator or not identifier or not branch:
            raise ValueError(f"--answer needs IDENTIFIER=BRANCH, not {item!r}")
        answers.setdefault(identifier, []).append(branch)
    return {identifier: tuple(branches) for identifier, branches in answers.items()}


def parse_values(items: Iterable[str]) -> dict[tuple[str, tuple[str, ...]], str]:
    """`["Customer.FirstName=Ana"]` (or `$.Customer.FirstName=Ana`) -> {(root, path): value}.

    Namespaces the simulation produces itself (Attributes, External, FlowAttributes,
    the endpoints, the contact ids, ...) are refused: use `--attribute` or the flow.
    """
    values: dict[tuple[str, tuple[str, ...]], str] = {}
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or not name:
            raise ValueError(f"--value needs NAMESPACE.KEY=VALUE, not {item!r}")
        text = name if name.startswith("$") else f"$.{name}"
        try:
            reference = parse_reference(text)
        except InvalidReference as error:
            raise ValueError(f"--value {name!r}: {error}") from error
        if reference.root in SIMULATED_ROOTS:
            raise ValueError(
                f"--value {name!r}: $.{reference.root} is produced by the simulation itself "
                "(use --attribute for contact attributes)"
            )
        values[(reference.root, reference.path)] = value
    return values


def plan_problems(flow: Flow, plan: OutcomePlan, overridable: Iterable[str]) -> list[str]:
    """Why the plan does not fit the flow: answers for actions that are not there, or
    for actions the simulator runs itself, or naming a branch the block does not have."""
    kinds = frozenset(overridable)
    problems = []
    for identifier, answers in plan.answers.items():
        if identifier not in flow:
            problems.append(f"--answer {identifier}: the flow has no action {identifier!r}")
            continue
        action = flow.action(identifier)
        if action.type not in kinds:
            problems.append(
                f"--answer {identifier}: {action.type} is simulated; answers are for blocks "
                "whose outcome the simulation cannot know"
            )
            continue
        for answer in answers:
            problem = answer_problem(action, answer)
            if problem:
                problems.append(f"--answer {identifier}={answer}: {problem}")
    return problems


def answer_problem(action: Action, answer: str) -> str | None:
    """Why an answer names no branch of the action (None when it does)."""
    transitions = action.transitions
    if answer == NEXT:
        return None if transitions.next_action else "the block has no NextAction"
    if any(branch.error_type == answer for branch in transitions.errors):
        return None
    if transitions.conditions:
        return None  # a value: tried against the conditions, else NoMatchingCondition
    branches = [NEXT] if transitions.next_action else []
    branches += [branch.error_type for branch in transitions.errors]
    return f"the block has no such branch; its branches are {', '.join(branches) or 'none'}"
