"""Flow-language content (Version 2019-10-30) as typed data.

`parse_flow` is tolerant: it models whatever has the right *shape* (an object with an
`Actions` list of objects) so that diagrams and analyses work on flows Connect would
refuse. `validate.validate_flow` says whether Connect would accept it, and
`validate.load_flow` does both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

FLOW_LANGUAGE_VERSION = "2019-10-30"
#: CreateContactFlow / UpdateContactFlowContent refuse Content longer than this.
MAX_CONTENT_CHARS = 256_000
MAX_ACTIONS = 250
MAX_IDENTIFIER_CHARS = 50
#: InvalidContactFlowException.problems holds at most 50 entries (botocore model, Problems).
MAX_PROBLEMS = 50
#: ProblemDetail.message has at most this many characters (botocore model).
MAX_PROBLEM_MESSAGE_CHARS = 256

FlowContent = str | bytes | Mapping[str, Any]


class ProblemCode(StrEnum):
    """Machine-readable reasons a flow is refused (or, for analysis, looks wrong)."""

    INVALID_JSON = "INVALID_JSON"
    NOT_AN_OBJECT = "NOT_AN_OBJECT"
    CONTENT_TOO_LARGE = "CONTENT_TOO_LARGE"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    MISSING_START_ACTION = "MISSING_START_ACTION"
    START_ACTION_NOT_FOUND = "START_ACTION_NOT_FOUND"
    ACTIONS_NOT_A_LIST = "ACTIONS_NOT_A_LIST"
    TOO_MANY_ACTIONS = "TOO_MANY_ACTIONS"
    ACTION_NOT_AN_OBJECT = "ACTION_NOT_AN_OBJECT"
    MISSING_IDENTIFIER = "MISSING_IDENTIFIER"
    DUPLICATE_IDENTIFIER = "DUPLICATE_IDENTIFIER"
    IDENTIFIER_TOO_LONG = "IDENTIFIER_TOO_LONG"
    INVALID_IDENTIFIER = "INVALID_IDENTIFIER"
    MISSING_ACTION_TYPE = "MISSING_ACTION_TYPE"
    UNKNOWN_ACTION_TYPE = "UNKNOWN_ACTION_TYPE"
    INVALID_PARAMETERS = "INVALID_PARAMETERS"
    MISSING_PARAMETER = "MISSING_PARAMETER"
    UNEXPECTED_PARAMETER = "UNEXPECTED_PARAMETER"
    INVALID_PARAMETER = "INVALID_PARAMETER"
    INVALID_TIME_LIMIT = "INVALID_TIME_LIMIT"
    INVALID_REFERENCE = "INVALID_REFERENCE"
    INVALID_TRANSITIONS = "INVALID_TRANSITIONS"
    DANGLING_NEXT_ACTION = "DANGLING_NEXT_ACTION"
    MISSING_NEXT_ACTION = "MISSING_NEXT_ACTION"
    UNEXPECTED_TRANSITION = "UNEXPECTED_TRANSITION"
    MISSING_ERROR_BRANCH = "MISSING_ERROR_BRANCH"
    INVALID_ERROR_TYPE = "INVALID_ERROR_TYPE"
    DUPLICATE_ERROR_TYPE = "DUPLICATE_ERROR_TYPE"
    UNSUPPORTED_CONDITIONS = "UNSUPPORTED_CONDITIONS"
    INVALID_CONDITION = "INVALID_CONDITION"
    MISSING_CONDITION = "MISSING_CONDITION"
    MISSING_LOOP_CONDITION = "MISSING_LOOP_CONDITION"
    # Not a Connect refusal: an opt-in check (validate.py, `associated_lambda_arns`).
    LAMBDA_NOT_ASSOCIATED = "LAMBDA_NOT_ASSOCIATED"
    # Flow types: what a flow of one type (or a flow module) may hold.
    MISSING_SETTINGS = "MISSING_SETTINGS"
    MODULE_INVOKES_MODULE = "MODULE_INVOKES_MODULE"
    NOT_IN_THIS_FLOW_TYPE = "NOT_IN_THIS_FLOW_TYPE"


@dataclass(frozen=True)
class Problem:
    """One reason a flow is refused.

    `message` is in Connect's words where the evidence records them ("Action is missing
    required error. Error: QueueAtCapacity, Path: Actions[1]"); `action` is the
    Identifier concerned (if any), `path` where in the document (`Actions[1]`), `rule`
    the rule's id in `spec.RULE_INDEX`, which records where the rule comes from, and
    `hint` what to do about it (never part of Connect's answer).
    """

    code: ProblemCode
    message: str
    action: str | None = None
    path: str | None = None
    rule: str | None = None
    hint: str | None = None

    def describe(self) -> str:
        where = f"action {self.action!r}: " if self.action is not None else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"[{self.code.value}] {where}{self.message}{hint}"

    def to_connect(self) -> dict[str, str]:
        """The `ProblemDetail` shape of Connect's `InvalidContactFlowException`."""
        return {"message": self.message[:MAX_PROBLEM_MESSAGE_CHARS]}

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code.value,
            "action": self.action,
            "message": self.message,
            "path": self.path,
            "rule": self.rule,
            "hint": self.hint,
        }


class InvalidContactFlow(Exception):
    """The flow would be refused; `problems` says why (never empty)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        first = self.problems[0].describe() if self.problems else "no details"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"The flow is not valid: {first}{more}")

    def connect_problems(self) -> list[dict[str, str]]:
        """`problems` as Connect returns them: `[{"message": ...}, ...]`, at most 50."""
        return [problem.to_connect() for problem in self.problems[:MAX_PROBLEMS]]


@dataclass(frozen=True)
class ErrorBranch:
    error_type: str
    next_action: str


@dataclass(frozen=True)
class ConditionBranch:
    operator: str
    operands: tuple[Any, ...]
    next_action: str


@dataclass(frozen=True)
class Transitions:
    next_action: str | None = None
    errors: tuple[ErrorBranch, ...] = ()
    conditions: tuple[ConditionBranch, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.next_action is None and not self.errors and not self.conditions

    def error_target(self, error_type: str) -> str | None:
        """Where an error goes: its own branch, else `NoMatchingError`, else nowhere."""
        for wanted in (error_type, "NoMatchingError"):
            for branch in self.errors:
                if branch.error_type == wanted:
                    return branch.next_action
        return None

    def edges(self) -> Iterator[tuple[str, str, str]]:
        """(kind, label, target) for every outgoing edge; kind is next|condition|error."""
        if self.next_action is not None:
            yield "next", "", self.next_action
        for condition in self.conditions:
            yield "condition", condition_label(condition), condition.next_action
        for error in self.errors:
            yield "error", error.error_type, error.next_action


def condition_label(condition: ConditionBranch) -> str:
    operands = ", ".join(str(operand) for operand in condition.operands)
    if condition.operator == "Equals":
        return operands
    return f"{condition.operator} {operands}".strip()


@dataclass(frozen=True)
class Action:
    identifier: str
    type: str
    parameters: Mapping[str, Any]
    transitions: Transitions
    position: int = 0


@dataclass(frozen=True)
class Flow:
    version: str
    start_action: str
    actions: tuple[Action, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    #: The document is a flow module (is_module_document).
    is_module: bool = False

    @cached_property
    def by_id(self) -> Mapping[str, Action]:
        """Actions by identifier (the first one wins when identifiers repeat)."""
        index: dict[str, Action] = {}
        for action in self.actions:
            index.setdefault(action.identifier, action)
        return index

    def action(self, identifier: str) -> Action:
        return self.by_id[identifier]

    def __contains__(self, identifier: object) -> bool:
        return identifier in self.by_id


def is_module_document(document: Mapping[str, Any]) -> bool:
    """A flow module's content carries `Settings` (the console writes them into every
    module, and only there); a flow's content says none."""
    return "Settings" in document


def decode_flow_content(content: FlowContent) -> Mapping[str, Any]:
    """The flow document as a mapping; raise `InvalidContactFlow` if it is not one."""
    if isinstance(content, Mapping):
        return content
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidContactFlow(
            [Problem(ProblemCode.INVALID_JSON, f"the content is not valid JSON: {error}")]
        ) from error
    if not isinstance(document, dict):
        raise InvalidContactFlow(
            [Problem(ProblemCode.NOT_AN_OBJECT, "the content must be a JSON object")]
        )
    return document


def parse_flow(content: FlowContent | Flow) -> Flow:
    """Model any flow of the right shape; raise `InvalidContactFlow` when it has none."""
    if isinstance(content, Flow):
        return content
    document = decode_flow_content(content)
    raw_actions = document.get("Actions")
    if not isinstance(raw_actions, list):
        raise InvalidContactFlow(
            [Problem(ProblemCode.ACTIONS_NOT_A_LIST, "`Actions` must be a list of actions")]
        )
    actions = []
    for position, raw in enumerate(raw_actions):
        if not isinstance(raw, dict):
            raise InvalidContactFlow(
                [Problem(ProblemCode.ACTION_NOT_AN_OBJECT, f"Actions[{position}] is not an object")]
            )
        actions.append(_parse_action(raw, position))
    metadata = document.get("Metadata")
    return Flow(
        version=_text(document.get("Version")),
        start_action=_text(document.get("StartAction")),
        actions=tuple(actions),
        metadata=metadata if isinstance(metadata, dict) else {},
        is_module=is_module_document(document),
    )


def _parse_action(raw: Mapping[str, Any], position: int) -> Action:
    parameters = raw.get("Parameters")
    return Action(
        identifier=_text(raw.get("Identifier")),
        type=_text(raw.get("Type")),
        parameters=parameters if isinstance(parameters, dict) else {},
        transitions=parse_transitions(raw.get("Transitions")),
        position=position,
    )


def parse_transitions(raw: object) -> Transitions:
    """Tolerant: entries of the wrong shape are left out (the validator reports them)."""
    if not isinstance(raw, dict):
        return Transitions()
    next_action = raw.get("NextAction")
    errors = tuple(
        ErrorBranch(entry["ErrorType"], entry["NextAction"])
        for entry in _objects(raw.get("Errors"))
        if isinstance(entry.get("ErrorType"), str) and _is_target(entry.get("NextAction"))
    )
    conditions = []
    for entry in _objects(raw.get("Conditions")):
        condition = entry.get("Condition")
        if not (isinstance(condition, dict) and _is_target(entry.get("NextAction"))):
            continue
        operands = condition.get("Operands")
        conditions.append(
            ConditionBranch(
                operator=_text(condition.get("Operator")),
                operands=tuple(operands) if isinstance(operands, list) else (),
                next_action=entry["NextAction"],
            )
        )
    return Transitions(
        next_action=next_action if _is_target(next_action) else None,
        errors=errors,
        conditions=tuple(conditions),
    )


def _is_target(value: object) -> bool:
    # Exported flows write an unconnected branch as "NextAction": "".
    return isinstance(value, str) and value != ""


def _objects(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
