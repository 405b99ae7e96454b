"""What Amazon Connect checks when a flow is created or its content updated.

`validate_flow` returns the problems (empty when Connect would accept the flow);
`load_flow` returns the parsed flow or raises `InvalidContactFlow`. Structural facts
that never make Connect refuse a flow are `analysis.analyze_flow`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from .model import (
    FLOW_LANGUAGE_VERSION,
    MAX_ACTIONS,
    MAX_CONTENT_CHARS,
    MAX_IDENTIFIER_CHARS,
    Flow,
    FlowContent,
    InvalidContactFlow,
    Problem,
    ProblemCode,
    decode_flow_content,
    parse_flow,
)
from .references import (
    InvalidReference,
    embedded_problems,
    is_reference,
    is_single_reference,
    parse_reference,
    value_problems,
)
from .spec import (
    ASYNC_TIME_LIMIT_SECONDS,
    COMPARE_OPERATORS,
    CONNECT_ACTION_TYPES,
    LOOP_RESULTS,
    MAX_LOOP_COUNT,
    MAX_WAIT_SECONDS,
    SYNC_TIME_LIMIT_SECONDS,
    TRUE_FALSE_RESULTS,
    WAIT_EVENTS,
    ActionSpec,
    Conditions,
    Next,
)

_FORBIDDEN_IDENTIFIER_CHARS = frozenset("%:(\\/)=$,;[]{}")
_RESERVED_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)
LAMBDA_ARN_PATTERN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)
_NUMBER_OPERATORS = frozenset(
    {"NumberGreaterThan", "NumberLessThan", "NumberGreaterOrEqualTo", "NumberLessOrEqualTo"}
)


def validate_flow(
    content: FlowContent, *, associated_lambda_arns: Collection[str] | None = None
) -> list[Problem]:
    """Every reason Connect would refuse this flow; empty when it would accept it.

    `associated_lambda_arns`: the functions associated with the instance; when given,
    a flow invoking any other (statically named) function is refused.
    """
    problems: list[Problem] = []
    if isinstance(content, (str, bytes)) and len(content) > MAX_CONTENT_CHARS:
        problems.append(
            Problem(
                ProblemCode.CONTENT_TOO_LARGE,
                f"the content is {len(content)} characters; "
                f"at most {MAX_CONTENT_CHARS} are allowed",
            )
        )
    try:
        document = decode_flow_content(content)
    except InvalidContactFlow as refused:
        return problems + refused.problems

    version = document.get("Version")
    if version != FLOW_LANGUAGE_VERSION:
        problems.append(
            Problem(
                ProblemCode.UNSUPPORTED_VERSION,
                f"Version must be {FLOW_LANGUAGE_VERSION!r}, not {version!r}",
            )
        )
    raw_actions = document.get("Actions")
    if not isinstance(raw_actions, list):
        problems.append(Problem(ProblemCode.ACTIONS_NOT_A_LIST, "`Actions` must be a list"))
        return problems
    if len(raw_actions) > MAX_ACTIONS:
        problems.append(
            Problem(
                ProblemCode.TOO_MANY_ACTIONS,
                f"the flow has {len(raw_actions)} actions; at most {MAX_ACTIONS} are allowed",
            )
        )

    identifiers = _check_identifiers(raw_actions, problems)
    start = document.get("StartAction")
    if not isinstance(start, str) or not start:
        problems.append(Problem(ProblemCode.MISSING_START_ACTION, "`StartAction` is missing"))
    elif start not in identifiers:
        problems.append(
            Problem(
                ProblemCode.START_ACTION_NOT_FOUND,
                f"StartAction {start!r} is not the Identifier of any action",
            )
        )

    for position, raw in enumerate(raw_actions):
        if isinstance(raw, dict):
            _ActionCheck(raw, position, identifiers, problems).run()

    if associated_lambda_arns is not None:
        problems.extend(_unassociated_lambdas(raw_actions, associated_lambda_arns))
    return problems


def load_flow(
    content: FlowContent, *, associated_lambda_arns: Collection[str] | None = None
) -> Flow:
    """Parse a flow Connect would accept; raise `InvalidContactFlow` otherwise."""
    problems = validate_flow(content, associated_lambda_arns=associated_lambda_arns)
    if problems:
        raise InvalidContactFlow(problems)
    return parse_flow(content)


def is_associated(function_arn: str, associated: Collection[str]) -> bool:
    """Association is per function: a qualified ARN (alias/version) counts as its function."""
    if function_arn in associated:
        return True
    parts = function_arn.split(":")
    return len(parts) == 8 and ":".join(parts[:7]) in associated


def _check_identifiers(raw_actions: list[Any], problems: list[Problem]) -> set[str]:
    seen: set[str] = set()
    for position, raw in enumerate(raw_actions):
        if not isinstance(raw, dict):
            problems.append(
                Problem(ProblemCode.ACTION_NOT_AN_OBJECT, f"Actions[{position}] is not an object")
            )
            continue
        identifier = raw.get("Identifier")
        if not isinstance(identifier, str) or not identifier:
            problems.append(
                Problem(
                    ProblemCode.MISSING_IDENTIFIER,
                    f"Actions[{position}] has no Identifier",
                    f"Actions[{position}]",
                )
            )
            continue
        if len(identifier) > MAX_IDENTIFIER_CHARS:
            problems.append(
                Problem(
                    ProblemCode.IDENTIFIER_TOO_LONG,
                    f"the Identifier has {len(identifier)} characters; "
                    f"at most {MAX_IDENTIFIER_CHARS} are allowed",
                    identifier,
                )
            )
        bad = sorted(set(identifier) & _FORBIDDEN_IDENTIFIER_CHARS)
        if bad or identifier in _RESERVED_IDENTIFIERS:
            reason = f"characters {''.join(bad)!r} are" if bad else "this name is"
            problems.append(
                Problem(
                    ProblemCode.INVALID_IDENTIFIER,
                    f"{reason} not allowed in an Identifier",
                    identifier,
                )
            )
        if identifier in seen:
            problems.append(
                Problem(
                    ProblemCode.DUPLICATE_IDENTIFIER,
                    "another action has the same Identifier",
                    identifier,
                )
            )
        seen.add(identifier)
    return seen


class _ActionCheck:
    """The checks of one action; appends to the shared problem list."""

    def __init__(
        self,
        raw: Mapping[str, Any],
        position: int,
        identifiers: set[str],
        problems: list[Problem],
    ) -> None:
        identifier = raw.get("Identifier")
        self.name = (
            identifier if isinstance(identifier, str) and identifier else f"Actions[{position}]"
        )
        self.raw = raw
        self.identifiers = identifiers
        self.problems = problems
        raw_parameters = raw.get("Parameters", {})
        self.parameters: Mapping[str, Any] = (
            raw_parameters if isinstance(raw_parameters, dict) else {}
        )
        self.parameters_ok = isinstance(raw_parameters, dict)

    def add(self, code: ProblemCode, message: str) -> None:
        self.problems.append(Problem(code, message, self.name))

    def run(self) -> None:
        type_ = self.raw.get("Type")
        spec: ActionSpec | None = None
        if not isinstance(type_, str) or not type_:
            self.add(ProblemCode.MISSING_ACTION_TYPE, "the action has no Type")
        elif type_ in CONNECT_ACTION_TYPES:
            spec = CONNECT_ACTION_TYPES[type_]
        else:
            self.add(
                ProblemCode.UNKNOWN_ACTION_TYPE,
                f"{type_!r} is not an action type of the flow language",
            )
        if not self.parameters_ok:
            self.add(ProblemCode.INVALID_PARAMETERS, "Parameters must be an object")
        elif spec is not None:
            self._check_parameter_names(spec)
            check = _PARAMETER_CHECKS.get(spec.type)
            if check is not None:
                check(self)
            else:
                self.references_within("Parameters", self.parameters)
        self._check_transitions(spec)

    # Parameters -------------------------------------------------------------------

    def _check_parameter_names(self, spec: ActionSpec) -> None:
        for name in sorted(spec.required - self.parameters.keys()):
            self.add(ProblemCode.MISSING_PARAMETER, f"{spec.type} needs the parameter {name}")
        for group in spec.any_of:
            if not self.parameters.keys() & set(group):
                self.add(
                    ProblemCode.MISSING_PARAMETER,
                    f"{spec.type} needs one of the parameters {', '.join(group)}",
                )
        for name in spec.reference_only:
            value = self.parameters.get(name)
            if value is not None and not is_single_reference(value):
                self.add(
                    ProblemCode.INVALID_REFERENCE,
                    f"{name} must be one reference such as $.Attributes.Name, not {value!r}",
                )
        if not spec.closed:
            return
        for name in sorted(self.parameters.keys() - spec.required - spec.optional):
            self.add(ProblemCode.UNEXPECTED_PARAMETER, f"{spec.type} takes no parameter {name!r}")

    def references_within(self, where: str, value: object) -> None:
        """Every reference in a parameter value (text, keys, nested objects) well formed."""
        if isinstance(value, str):
            for message in value_problems(value):
                self.add(ProblemCode.INVALID_REFERENCE, f"{where}: {message}")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    for message in value_problems(key):
                        self.add(ProblemCode.INVALID_REFERENCE, f"{where} key: {message}")
                self.references_within(f"{where}.{key}", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.references_within(f"{where}[{index}]", item)

    def static_or_reference(self, name: str, *, allow_reference: bool = True) -> str | None:
        """A string parameter that is static text or one whole reference."""
        value = self.parameters.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.add(ProblemCode.INVALID_PARAMETER, f"{name} must be a non-empty string")
            return None
        if is_reference(value):
            if not allow_reference:
                self.add(ProblemCode.INVALID_PARAMETER, f"{name} must be set statically")
                return None
            self.reference(name, value)
        return value

    def reference(self, name: str, value: str) -> None:
        try:
            parse_reference(value)
        except InvalidReference as error:
            self.add(ProblemCode.INVALID_REFERENCE, f"{name}: {error}")

    def embedded(self, name: str, value: str) -> None:
        for message in embedded_problems(value):
            self.add(ProblemCode.INVALID_REFERENCE, f"{name}: {message}")

    def string_map(self, name: str, *, required: bool) -> None:
        value = self.parameters.get(name)
        if value is None:
            return
        if not isinstance(value, dict) or (required and not value):
            self.add(ProblemCode.INVALID_PARAMETER, f"{name} must be a non-empty map of strings")
            return
        for key, item in value.items():
            if not key:
                self.add(ProblemCode.INVALID_PARAMETER, f"{name} has an empty key")
            if not isinstance(item, str):
                self.add(
                    ProblemCode.INVALID_PARAMETER,
                    f"{name}.{key} must be a string, not {type(item).__name__}",
                )
            else:
                # Static, one reference, or text with references in it
                # ("$.Customer.FirstName $.Customer.LastName"): all accepted by Connect.
                self.references_within(f"{name}.{key}", item)
            self.references_within(f"{name} key", key)

    def static_int(self, name: str) -> int | None:
        value = self.parameters.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value.strip()):
            return int(value)
        return None

    # Transitions ------------------------------------------------------------------

    def _check_transitions(self, spec: ActionSpec | None) -> None:
        transitions = self.raw.get("Transitions", {})
        if transitions is None:
            transitions = {}
        if not isinstance(transitions, dict):
            self.add(ProblemCode.INVALID_TRANSITIONS, "Transitions must be an object")
            return
        next_action = transitions.get("NextAction")
        if next_action is not None and not isinstance(next_action, str):
            self.add(ProblemCode.INVALID_TRANSITIONS, "NextAction must be a string")
            next_action = None
        has_next = bool(next_action)
        if has_next:
            self.target("NextAction", str(next_action))
        errors = self._error_types(transitions.get("Errors"), spec)
        conditions = self._conditions(transitions.get("Conditions"))
        if spec is None:
            return
        if not spec.closed:
            # Only the rules the reference states for this type (see spec.py).
            _CONDITION_CHECKS[spec.conditions](self, spec, conditions)
            return
        if spec.next_action is Next.REQUIRED and not has_next:
            self.add(ProblemCode.MISSING_NEXT_ACTION, f"{spec.type} needs a NextAction")
        if spec.next_action is Next.FORBIDDEN and has_next:
            self.add(
                ProblemCode.UNEXPECTED_TRANSITION,
                f"{spec.type} ends the flow; it takes no NextAction",
            )
        if spec.is_terminal and errors:
            self.add(ProblemCode.UNEXPECTED_TRANSITION, f"{spec.type} takes no error branches")
        _CONDITION_CHECKS[spec.conditions](self, spec, conditions)

    def target(self, where: str, target: str) -> None:
        if target not in self.identifiers:
            self.add(
                ProblemCode.DANGLING_NEXT_ACTION,
                f"{where} goes to {target!r}, which is not the Identifier of any action",
            )

    def _error_types(self, raw: object, spec: ActionSpec | None) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(ProblemCode.INVALID_TRANSITIONS, "Errors must be a list")
            return []
        seen: list[str] = []
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("ErrorType"), str):
                self.add(ProblemCode.INVALID_TRANSITIONS, "each error branch needs an ErrorType")
                continue
            error_type: str = entry["ErrorType"]
            target = entry.get("NextAction")
            if not isinstance(target, str):
                self.add(
                    ProblemCode.INVALID_TRANSITIONS, f"error branch {error_type} needs a NextAction"
                )
            elif target:
                self.target(f"error branch {error_type}", target)
            if (
                spec is not None
                and spec.closed
                and not spec.is_terminal
                and error_type not in spec.errors
            ):
                allowed = ", ".join(sorted(spec.errors)) or "none"
                self.add(
                    ProblemCode.INVALID_ERROR_TYPE,
                    f"{spec.type} has no error {error_type!r} (allowed: {allowed})",
                )
            if error_type in seen:
                self.add(ProblemCode.DUPLICATE_ERROR_TYPE, f"error {error_type!r} appears twice")
            seen.append(error_type)
        return seen

    def _conditions(self, raw: object) -> list[tuple[str, list[Any]]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.add(ProblemCode.INVALID_TRANSITIONS, "Conditions must be a list")
            return []
        found: list[tuple[str, list[Any]]] = []
        for entry in raw:
            condition = entry.get("Condition") if isinstance(entry, dict) else None
            if not isinstance(condition, dict):
                self.add(ProblemCode.INVALID_CONDITION, "each condition needs a Condition object")
                continue
            operator, operands = condition.get("Operator"), condition.get("Operands")
            if not isinstance(operator, str) or not isinstance(operands, list):
                self.add(
                    ProblemCode.INVALID_CONDITION,
                    "a Condition needs an Operator and a list of Operands",
                )
                continue
            target = entry.get("NextAction")
            if not isinstance(target, str) or not target:
                self.add(
                    ProblemCode.INVALID_TRANSITIONS,
                    f"condition {operator} {operands} needs a NextAction",
                )
            else:
                self.target(f"condition {operator} {operands}", target)
            found.append((operator, operands))
        return found


def _check_message(check: _ActionCheck) -> None:
    given = [name for name in ("Text", "SSML", "PromptId", "Media") if name in check.parameters]
    if len(given) != 1:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "MessageParticipant needs exactly one of Text, SSML, PromptId, Media"
            + (f" (has {', '.join(given)})" if given else ""),
        )
    for name in ("Text", "SSML"):
        value = check.parameters.get(name)
        if name not in check.parameters:
            continue
        if not isinstance(value, str) or not value.strip():
            check.add(ProblemCode.INVALID_PARAMETER, f"{name} must be a non-empty string")
        else:
            check.embedded(name, value)
    check.static_or_reference("PromptId")
    media = check.parameters.get("Media")
    if "Media" in check.parameters and not (
        isinstance(media, dict) and isinstance(media.get("Uri"), str)
    ):
        check.add(ProblemCode.INVALID_PARAMETER, "Media must be an object with a Uri")


def _check_lambda(check: _ActionCheck) -> None:
    parameters = check.parameters
    arn = check.static_or_reference("LambdaFunctionARN")
    if arn is not None and not is_reference(arn) and not LAMBDA_ARN_PATTERN.match(arn):
        check.add(
            ProblemCode.INVALID_PARAMETER, f"LambdaFunctionARN {arn!r} is not a Lambda function ARN"
        )
    invocation_type = parameters.get("InvocationType", "SYNCHRONOUS")
    if invocation_type not in ("SYNCHRONOUS", "ASYNCHRONOUS"):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"InvocationType must be SYNCHRONOUS or ASYNCHRONOUS, not {invocation_type!r}",
        )
    if "InvocationTimeLimitSeconds" in parameters:
        upper = (
            ASYNC_TIME_LIMIT_SECONDS
            if invocation_type == "ASYNCHRONOUS"
            else SYNC_TIME_LIMIT_SECONDS
        )
        limit = check.static_int("InvocationTimeLimitSeconds")
        if limit is None or not 1 <= limit <= upper:
            check.add(
                ProblemCode.INVALID_TIME_LIMIT,
                f"InvocationTimeLimitSeconds must be a static whole number from 1 to {upper}, "
                f"not {parameters['InvocationTimeLimitSeconds']!r}",
            )
    validation = parameters.get("ResponseValidation")
    if "ResponseValidation" in parameters and not (
        isinstance(validation, dict) and validation.get("ResponseType") in ("STRING_MAP", "JSON")
    ):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            'ResponseValidation must be {"ResponseType": "STRING_MAP" | "JSON"}',
        )
    check.string_map("LambdaInvocationAttributes", required=False)


def _check_attributes(check: _ActionCheck) -> None:
    check.string_map("Attributes", required=True)
    target = check.parameters.get("TargetContact", "Current")
    if target not in ("Current", "Related"):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"TargetContact must be Current or Related, not {target!r}",
        )


def _check_compare(check: _ActionCheck) -> None:
    value = check.parameters.get("ComparisonValue")
    if value is None:
        return
    if not isinstance(value, str) or not is_reference(value):
        check.add(
            ProblemCode.INVALID_REFERENCE,
            f"ComparisonValue must be a single reference such as $.External.Status, not {value!r}",
        )
    else:
        check.reference("ComparisonValue", value)


def _check_loop(check: _ActionCheck) -> None:
    value = check.parameters.get("LoopCount")
    if value is None:
        return
    if is_reference(value):
        check.reference("LoopCount", str(value))
        return
    count = check.static_int("LoopCount")
    if count is None or not 0 <= count <= MAX_LOOP_COUNT:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"LoopCount must be a whole number from 0 to {MAX_LOOP_COUNT} "
            f"or a reference, not {value!r}",
        )


_WAIT_LIMITS = ("TimeoutSeconds", "TimeLimitSeconds")


def _check_wait(check: _ActionCheck) -> None:
    given = [name for name in _WAIT_LIMITS if name in check.parameters]
    if not given:
        check.add(
            ProblemCode.MISSING_PARAMETER,
            "Wait needs the parameter TimeoutSeconds (exported as TimeLimitSeconds)",
        )
    elif len(given) > 1:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "Wait takes one of TimeoutSeconds, TimeLimitSeconds, not both",
        )
    for name in given:
        value = check.parameters[name]
        if is_reference(value):
            check.reference(name, str(value))
            continue
        seconds = check.static_int(name)
        if seconds is None or not 1 <= seconds <= MAX_WAIT_SECONDS:
            check.add(
                ProblemCode.INVALID_PARAMETER,
                f"{name} must be a whole number from 1 to {MAX_WAIT_SECONDS} "
                f"or a reference, not {value!r}",
            )
    events = check.parameters.get("Events", [])
    if not isinstance(events, list) or not set(events) <= WAIT_EVENTS:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"Events must be a list drawn from {', '.join(sorted(WAIT_EVENTS))}",
        )


def _check_target_queue(check: _ActionCheck) -> None:
    given = [name for name in ("QueueId", "AgentId") if name in check.parameters]
    if len(given) != 1:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "UpdateContactTargetQueue needs exactly one of QueueId, AgentId",
        )
    for name in given:
        check.static_or_reference(name)


def _check_transfer_to_flow(check: _ActionCheck) -> None:
    check.static_or_reference("ContactFlowId")


def _check_logging(check: _ActionCheck) -> None:
    value = check.parameters.get("FlowLoggingBehavior")
    if value is not None and value not in ("Enabled", "Disabled"):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"FlowLoggingBehavior must be Enabled or Disabled, not {value!r}",
        )


def _check_voice(check: _ActionCheck) -> None:
    check.static_or_reference("TextToSpeechVoice")


_PARAMETER_CHECKS: dict[str, Callable[[_ActionCheck], None]] = {
    "MessageParticipant": _check_message,
    "InvokeLambdaFunction": _check_lambda,
    "UpdateContactAttributes": _check_attributes,
    "Compare": _check_compare,
    "Loop": _check_loop,
    "Wait": _check_wait,
    "UpdateContactTargetQueue": _check_target_queue,
    "TransferToFlow": _check_transfer_to_flow,
    "UpdateFlowLoggingBehavior": _check_logging,
    "UpdateContactTextToSpeechVoice": _check_voice,
}


ConditionList = list[tuple[str, list[Any]]]


def _conditions_none(check: _ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    if conditions:
        check.add(ProblemCode.UNEXPECTED_TRANSITION, f"{spec.type} supports no Conditions")


def _conditions_any(check: _ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    """Outcomes depend on the configuration (menu digits, bot intents, views): not checked."""
    del check, spec, conditions


def _conditions_compare(check: _ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    if not conditions:
        check.add(ProblemCode.MISSING_CONDITION, "Compare needs at least one condition")
    for operator, operands in conditions:
        if operator not in COMPARE_OPERATORS:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"{operator!r} is not a comparison operator "
                f"(allowed: {', '.join(sorted(COMPARE_OPERATORS))})",
            )
        elif not operands or not all(isinstance(o, (str, int, float)) for o in operands):
            check.add(
                ProblemCode.INVALID_CONDITION, f"{operator} needs one or more string operands"
            )
        elif operator in _NUMBER_OPERATORS and not all(_is_number(o) for o in operands):
            check.add(
                ProblemCode.INVALID_CONDITION, f"{operator} needs numeric operands, not {operands}"
            )


def _conditions_exactly(
    check: _ActionCheck,
    spec: ActionSpec,
    conditions: ConditionList,
    wanted: tuple[str, ...],
    missing_code: ProblemCode,
) -> None:
    results = []
    for operator, operands in conditions:
        if operator != "Equals" or len(operands) != 1 or operands[0] not in wanted:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"{spec.type} conditions are only Equals {' / '.join(wanted)}, "
                f"not {operator} {operands}",
            )
            continue
        if operands[0] in results:
            check.add(ProblemCode.INVALID_CONDITION, f"{operands[0]} appears twice")
        results.append(operands[0])
    for result in wanted:
        if result not in results:
            check.add(missing_code, f"{spec.type} needs a condition Equals {result}")


def _conditions_loop(check: _ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    _conditions_exactly(check, spec, conditions, LOOP_RESULTS, ProblemCode.MISSING_LOOP_CONDITION)


def _conditions_true_false(
    check: _ActionCheck, spec: ActionSpec, conditions: ConditionList
) -> None:
    _conditions_exactly(check, spec, conditions, TRUE_FALSE_RESULTS, ProblemCode.MISSING_CONDITION)


def _conditions_wait(check: _ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    events = check.parameters.get("Events", [])
    wanted = {"WaitCompleted"} | (set(events) if isinstance(events, list) else set())
    found = set()
    for operator, operands in conditions:
        if operator != "Equals" or len(operands) != 1 or operands[0] not in wanted:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"Wait conditions are Equals one of {', '.join(sorted(wanted))}, "
                f"not {operator} {operands}",
            )
            continue
        found.add(operands[0])
    for missing in sorted(wanted - found):
        check.add(ProblemCode.MISSING_CONDITION, f"Wait needs a condition Equals {missing}")


_CONDITION_CHECKS: dict[Conditions, Callable[[_ActionCheck, ActionSpec, ConditionList], None]] = {
    Conditions.NONE: _conditions_none,
    Conditions.COMPARE: _conditions_compare,
    Conditions.LOOP: _conditions_loop,
    Conditions.WAIT: _conditions_wait,
    Conditions.TRUE_FALSE: _conditions_true_false,
    Conditions.ANY: _conditions_any,
}


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _unassociated_lambdas(raw_actions: list[Any], associated: Collection[str]) -> list[Problem]:
    problems = []
    for raw in raw_actions:
        if not isinstance(raw, dict) or raw.get("Type") != "InvokeLambdaFunction":
            continue
        parameters = raw.get("Parameters")
        arn = parameters.get("LambdaFunctionARN") if isinstance(parameters, dict) else None
        if (
            isinstance(arn, str)
            and arn
            and not is_reference(arn)
            and not is_associated(arn, associated)
        ):
            identifier = raw.get("Identifier")
            problems.append(
                Problem(
                    ProblemCode.LAMBDA_NOT_ASSOCIATED,
                    f"the function {arn} is not associated with the instance",
                    identifier if isinstance(identifier, str) else None,
                )
            )
    return problems
