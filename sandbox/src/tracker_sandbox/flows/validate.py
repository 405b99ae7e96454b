"""What Amazon Connect checks when a flow or flow module is created or its content updated.

`validate_flow` returns the problems (empty when Connect would accept the content as a
flow of the given type); `load_flow` returns the parsed flow or raises
`InvalidContactFlow`. The rules and where each comes from are `spec.RULE_INDEX`; the
per-type parameter and condition shapes are `shapes.py`'s. Structural facts that never
make Connect refuse a flow are `analysis.analyze_flow`'s.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .action_check import (
    INVALID_ERROR,
    INVALID_TYPE,
    MISSING_ERROR,
    NO_CONDITIONS,
    NO_TRANSITIONS,
    ActionCheck,
)
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
    is_module_document,
    parse_flow,
)
from .references import is_reference, is_single_reference
from .shapes import CONDITION_CHECKS, SHAPE_CHECKS, ConditionList, checks_own_references
from .spec import (
    CONNECT_ACTION_TYPES,
    FLOW_TYPE_ALIASES,
    FLOW_TYPES,
    INBOUND_FLOW_TYPE,
    MODULE,
    REFUSED_SPELLINGS,
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
#: Every flow type `validate_flow` takes, the module included.
ALL_FLOW_TYPES = (*FLOW_TYPES, MODULE)


def flow_type_name(flow_type: str) -> str:
    """The canonical name of a flow type (`MODULE` is CONTACT_FLOW_MODULE); raise
    ValueError for a name Connect does not have."""
    name = FLOW_TYPE_ALIASES.get(flow_type, flow_type)
    if name not in ALL_FLOW_TYPES:
        raise ValueError(
            f"{flow_type!r} is not a flow type; use one of {', '.join(ALL_FLOW_TYPES)} or MODULE"
        )
    return name


def own_flow_type(content: FlowContent) -> str | None:
    """The type a document says it has: MODULE for a module's content
    (model.is_module_document), else None."""
    try:
        document = decode_flow_content(content)
    except InvalidContactFlow:
        return None
    return MODULE if is_module_document(document) else None


def validate_flow(
    content: FlowContent,
    *,
    flow_type: str | None = None,
    associated_lambda_arns: Collection[str] | None = None,
) -> list[Problem]:
    """Every reason Connect would refuse this content as a flow of `flow_type` (the
    document's own type when None, else CONTACT_FLOW); empty when it would accept it.

    `associated_lambda_arns`: when given, a flow invoking any other (statically named)
    function is reported too. Connect does not check this at create (`spec.LINTS`): the
    contact fails when it reaches the block.
    """
    kind = flow_type_name(flow_type) if flow_type else own_flow_type(content) or INBOUND_FLOW_TYPE
    problems: list[Problem] = []
    if isinstance(content, (str, bytes)) and len(content) > MAX_CONTENT_CHARS:
        problems.append(
            Problem(
                ProblemCode.CONTENT_TOO_LARGE,
                f"the content is {len(content)} characters; "
                f"at most {MAX_CONTENT_CHARS} are allowed",
                rule="content-size",
            )
        )
    try:
        document = decode_flow_content(content)
    except InvalidContactFlow as refused:
        return problems + refused.problems

    if kind == MODULE and document.get("Settings") is None:
        problems.append(
            Problem(
                ProblemCode.MISSING_SETTINGS,
                "JSON field is missing or null for field name: settings",
                path="Settings",
                rule="module-settings",
                hint="a flow module's content carries Settings: InputParameters, "
                "OutputParameters and Transitions",
            )
        )
    version = document.get("Version")
    if version != FLOW_LANGUAGE_VERSION:
        problems.append(
            Problem(
                ProblemCode.UNSUPPORTED_VERSION,
                f"Version must be {FLOW_LANGUAGE_VERSION!r}, not {version!r}",
                path="Version",
                rule="version",
            )
        )
    raw_actions = document.get("Actions")
    if not isinstance(raw_actions, list):
        problems.append(
            Problem(
                ProblemCode.ACTIONS_NOT_A_LIST,
                "`Actions` must be a list",
                path="Actions",
                rule="actions",
            )
        )
        return problems
    if len(raw_actions) > MAX_ACTIONS:
        problems.append(
            Problem(
                ProblemCode.TOO_MANY_ACTIONS,
                f"the flow has {len(raw_actions)} actions; at most {MAX_ACTIONS} are allowed",
                path="Actions",
                rule="actions",
            )
        )

    identifiers = _check_identifiers(raw_actions, problems)
    start = document.get("StartAction")
    if not isinstance(start, str) or not start:
        problems.append(
            Problem(
                ProblemCode.MISSING_START_ACTION,
                "`StartAction` is missing",
                path="StartAction",
                rule="start-action",
            )
        )
    elif start not in identifiers:
        problems.append(
            Problem(
                ProblemCode.START_ACTION_NOT_FOUND,
                f"StartAction {start!r} is not the Identifier of any action",
                path="StartAction",
                rule="start-action",
            )
        )

    for position, raw in enumerate(raw_actions):
        if isinstance(raw, dict):
            check = ActionCheck(raw, position, identifiers, problems)
            _check_action(check)
            _check_flow_type(check, kind)

    if associated_lambda_arns is not None:
        problems.extend(_unassociated_lambdas(raw_actions, associated_lambda_arns))
    return problems


def load_flow(
    content: FlowContent,
    *,
    flow_type: str | None = None,
    associated_lambda_arns: Collection[str] | None = None,
) -> Flow:
    """Parse a flow Connect would accept; raise `InvalidContactFlow` otherwise."""
    problems = validate_flow(
        content, flow_type=flow_type, associated_lambda_arns=associated_lambda_arns
    )
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
        path = f"Actions[{position}]"
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    ProblemCode.ACTION_NOT_AN_OBJECT,
                    f"{path} is not an object",
                    path=path,
                    rule="actions",
                )
            )
            continue
        identifier = raw.get("Identifier")
        if not isinstance(identifier, str) or not identifier:
            problems.append(
                Problem(
                    ProblemCode.MISSING_IDENTIFIER,
                    f"{path} has no Identifier",
                    path,
                    f"{path}.Identifier",
                    "identifier",
                )
            )
            continue
        where = f"{path}.Identifier"
        if len(identifier) > MAX_IDENTIFIER_CHARS:
            problems.append(
                Problem(
                    ProblemCode.IDENTIFIER_TOO_LONG,
                    f"the Identifier has {len(identifier)} characters; "
                    f"at most {MAX_IDENTIFIER_CHARS} are allowed",
                    identifier,
                    where,
                    "identifier",
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
                    where,
                    "identifier",
                )
            )
        if identifier in seen:
            problems.append(
                Problem(
                    ProblemCode.DUPLICATE_IDENTIFIER,
                    "another action has the same Identifier",
                    identifier,
                    where,
                    "identifier",
                )
            )
        seen.add(identifier)
    return seen


# One action -------------------------------------------------------------------------


def _check_action(check: ActionCheck) -> None:
    type_ = check.raw.get("Type")
    spec: ActionSpec | None = None
    if not isinstance(type_, str) or not type_:
        check.add(ProblemCode.MISSING_ACTION_TYPE, "the action has no Type", "type", where="Type")
    elif type_ in CONNECT_ACTION_TYPES:
        spec = CONNECT_ACTION_TYPES[type_]
    else:
        spelled = REFUSED_SPELLINGS.get(type_)
        check.add(
            ProblemCode.UNKNOWN_ACTION_TYPE,
            INVALID_TYPE.format(type=type_),
            "action-type",
            where="Type",
            hint=(
                f"the service spells it {spelled}"
                if spelled
                else "not an action type of the flow language"
            ),
        )
    if not check.parameters_ok:
        check.add(
            ProblemCode.INVALID_PARAMETERS,
            "Parameters must be an object",
            "parameters",
            where="Parameters",
        )
    elif spec is not None:
        _check_parameter_names(check, spec)
        shape = SHAPE_CHECKS.get(spec.type)
        if shape is not None:
            shape(check)
        if not checks_own_references(spec.type):
            check.references_within("Parameters", check.parameters)
    _check_transitions(check, spec)


def _check_parameter_names(check: ActionCheck, spec: ActionSpec) -> None:
    for name in sorted(spec.required - check.parameters.keys()):
        check.missing_property(f"Parameters.{name}", f"required-parameter/{spec.type}/{name}")
    for group in spec.any_of:
        if not check.parameters.keys() & set(group):
            check.add(
                ProblemCode.MISSING_PARAMETER,
                f"{spec.type} needs one of the parameters {', '.join(group)}",
                "lex-bot",
                where="Parameters",
            )
    for name in spec.reference_only:
        value = check.parameters.get(name)
        if value is not None and not is_single_reference(value):
            check.add(
                ProblemCode.INVALID_REFERENCE,
                f"{name} must be one reference such as $.Attributes.Name, not {value!r}",
                "callback-number",
                where=f"Parameters.{name}",
            )
    if not spec.closed:
        return
    for name in sorted(check.parameters.keys() - spec.required - spec.optional):
        check.add(
            ProblemCode.UNEXPECTED_PARAMETER,
            f"{spec.type} takes no parameter {name!r}",
            "parameter-name",
            where=f"Parameters.{name}",
            hint=_RENAMED.get((spec.type, name)),
        )


#: Parameters the reference names one way and the service another.
_RENAMED: Mapping[tuple[str, str], str] = {
    ("Wait", "TimeoutSeconds"): "the reference's name; the service and the console use "
    "TimeLimitSeconds",
}


def _check_transitions(check: ActionCheck, spec: ActionSpec | None) -> None:
    transitions = check.raw.get("Transitions", {})
    if transitions is None:
        transitions = {}
    if not isinstance(transitions, dict):
        check.add(
            ProblemCode.INVALID_TRANSITIONS,
            "Transitions must be an object",
            "transitions",
            where="Transitions",
        )
        return
    next_action = transitions.get("NextAction")
    if next_action is not None and not isinstance(next_action, str):
        check.add(
            ProblemCode.INVALID_TRANSITIONS,
            "NextAction must be a string",
            "transitions",
            where="Transitions.NextAction",
        )
        next_action = None
    if next_action:
        check.target("NextAction", next_action)
    errors = _error_branches(check, transitions.get("Errors"))
    conditions = _condition_branches(check, transitions.get("Conditions"))
    if spec is None:
        return
    if spec.is_terminal:
        if next_action or errors or conditions:
            check.add(
                ProblemCode.UNEXPECTED_TRANSITION,
                NO_TRANSITIONS,
                f"no-transitions/{spec.type}",
                where="Transitions",
                hint=f'{spec.type} ends the flow; write "Transitions": {{}}',
            )
        return
    if spec.next_action is Next.REQUIRED and not next_action:
        check.missing_property("Transitions.NextAction", f"next-action/{spec.type}")
    _check_error_types(check, spec, errors, with_conditions=bool(conditions))
    if spec.conditions is Conditions.NONE:
        if conditions:
            check.add(
                ProblemCode.UNSUPPORTED_CONDITIONS,
                NO_CONDITIONS,
                "no-conditions",
                where="Transitions.Conditions",
                hint=f"{spec.type} supports no Conditions",
            )
    else:
        CONDITION_CHECKS[spec.conditions](check, spec, conditions)


def _check_error_types(
    check: ActionCheck, spec: ActionSpec, errors: list[str], *, with_conditions: bool
) -> None:
    if spec.errors is not None:
        taken = spec.errors | spec.condition_errors if with_conditions else spec.errors
        for error in errors:
            if error not in taken:
                allowed = ", ".join(sorted(taken)) or "none"
                check.add(
                    ProblemCode.INVALID_ERROR_TYPE,
                    INVALID_ERROR.format(error=error, path=check.path),
                    "error-type",
                    hint=f"{spec.type} takes the error branches: {allowed}",
                )
    for error in spec.required_errors:
        if error not in errors:
            check.add(
                ProblemCode.MISSING_ERROR_BRANCH,
                MISSING_ERROR.format(error=error, path=check.path),
                f"required-error/{spec.type}/{error}",
            )


def _error_branches(check: ActionCheck, raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add(
            ProblemCode.INVALID_TRANSITIONS,
            "Errors must be a list",
            "transitions",
            where="Transitions.Errors",
        )
        return []
    seen: list[str] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("ErrorType"), str):
            check.add(
                ProblemCode.INVALID_TRANSITIONS,
                "each error branch needs an ErrorType",
                "transitions",
                where="Transitions.Errors",
            )
            continue
        error_type: str = entry["ErrorType"]
        target = entry.get("NextAction")
        if not isinstance(target, str):
            check.add(
                ProblemCode.INVALID_TRANSITIONS,
                f"error branch {error_type} needs a NextAction",
                "transitions",
                where="Transitions.Errors",
            )
        elif target:
            check.target(f"error branch {error_type}", target)
        if error_type in seen:
            check.add(
                ProblemCode.DUPLICATE_ERROR_TYPE,
                f"error {error_type!r} appears twice",
                "duplicate-error",
                where="Transitions.Errors",
            )
        seen.append(error_type)
    return seen


def _condition_branches(check: ActionCheck, raw: object) -> ConditionList:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add(
            ProblemCode.INVALID_TRANSITIONS,
            "Conditions must be a list",
            "transitions",
            where="Transitions.Conditions",
        )
        return []
    found: ConditionList = []
    for entry in raw:
        condition = entry.get("Condition") if isinstance(entry, dict) else None
        if not isinstance(condition, dict):
            check.add(
                ProblemCode.INVALID_CONDITION,
                "each condition needs a Condition object",
                "transitions",
                where="Transitions.Conditions",
            )
            continue
        operator, operands = condition.get("Operator"), condition.get("Operands")
        if not isinstance(operator, str) or not isinstance(operands, list):
            check.add(
                ProblemCode.INVALID_CONDITION,
                "a Condition needs an Operator and a list of Operands",
                "transitions",
                where="Transitions.Conditions",
            )
            continue
        target = entry.get("NextAction")
        if not isinstance(target, str) or not target:
            check.add(
                ProblemCode.INVALID_TRANSITIONS,
                f"condition {operator} {operands} needs a NextAction",
                "transitions",
                where="Transitions.Conditions",
            )
        else:
            check.target(f"condition {operator} {operands}", target)
        found.append((operator, operands))
    return found


# Flow types -------------------------------------------------------------------------


def _check_flow_type(check: ActionCheck, kind: str) -> None:
    action_type = check.raw.get("Type")
    if action_type == "EndFlowModuleExecution" and kind != MODULE:
        check.add(
            ProblemCode.NOT_IN_THIS_FLOW_TYPE,
            "EndFlowModuleExecution (the Return block) is only available in flow modules, "
            f"not in a {kind} flow",
            "module-only",
            where="Type",
        )
    elif action_type == "InvokeFlowModule" and kind == MODULE:
        check.add(
            ProblemCode.MODULE_INVOKES_MODULE,
            "modules do not allow invoking another module (Admin Guide, Flow modules, Limitations)",
            "module-invokes-module",
            where="Type",
        )
    elif action_type == "InvokeFlowModule" and kind != INBOUND_FLOW_TYPE:
        check.add(
            ProblemCode.NOT_IN_THIS_FLOW_TYPE,
            f"InvokeFlowModule only supports inbound flows ({INBOUND_FLOW_TYPE}), not {kind}",
            "inbound-only",
            where="Type",
        )


# Not Connect's check ----------------------------------------------------------------


def _unassociated_lambdas(raw_actions: list[Any], associated: Collection[str]) -> list[Problem]:
    problems = []
    for position, raw in enumerate(raw_actions):
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
                    f"Actions[{position}].Parameters.LambdaFunctionARN",
                    "lambda-association",
                    "Connect accepts the flow; the contact fails when it reaches the block",
                )
            )
    return problems
