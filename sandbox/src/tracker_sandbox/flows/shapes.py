"""Per-type shapes: the parameter values and conditions Connect takes for each type.

`SHAPE_CHECKS` maps an action type to the check of its parameters (and, where the
service ties branches to a parameter, of its branches); `CONDITION_CHECKS` maps a
`spec.Conditions` kind to the check of the action's Conditions. Each problem names its
rule in `spec.RULE_INDEX`, which records the rule's source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .action_check import (
    INVALID_ERROR,
    MISSING_ERROR,
    NO_CONDITIONS,
    ActionCheck,
)
from .model import ProblemCode
from .references import is_reference
from .spec import (
    ASYNC_TIME_LIMIT_SECONDS,
    COMPARE_OPERATORS,
    DTMF_KEYS,
    LOOP_RESULTS,
    MAX_CONTACT_TAGS,
    MAX_LOOP_COUNT,
    MAX_WAIT_SECONDS,
    RECORDING_BEHAVIORS,
    SYNC_TIME_LIMIT_SECONDS,
    TRUE_FALSE_RESULTS,
    WAIT_EVENTS,
    ActionSpec,
    Conditions,
)

LAMBDA_ARN_PATTERN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)
_NUMBER_OPERATORS = frozenset(
    {"NumberGreaterThan", "NumberLessThan", "NumberGreaterOrEqualTo", "NumberLessOrEqualTo"}
)
ConditionList = list[tuple[str, list[Any]]]


def _error_types(check: ActionCheck) -> list[str]:
    transitions = check.raw.get("Transitions")
    errors = transitions.get("Errors") if isinstance(transitions, dict) else None
    if not isinstance(errors, list):
        return []
    return [e["ErrorType"] for e in errors if isinstance(e, dict) and "ErrorType" in e]


def _has_conditions(check: ActionCheck) -> bool:
    transitions = check.raw.get("Transitions")
    return isinstance(transitions, dict) and bool(transitions.get("Conditions"))


def _require_errors(check: ActionCheck, wanted: tuple[str, ...], rule: str) -> None:
    have = _error_types(check)
    for error in wanted:
        if error not in have:
            check.add(
                ProblemCode.MISSING_ERROR_BRANCH,
                MISSING_ERROR.format(error=error, path=check.path),
                rule,
            )


def _refuse_errors(check: ActionCheck, refused: tuple[str, ...], rule: str, hint: str) -> None:
    for error in _error_types(check):
        if error in refused:
            check.add(
                ProblemCode.INVALID_ERROR_TYPE,
                INVALID_ERROR.format(error=error, path=check.path),
                rule,
                hint=hint,
            )


# The types the simulator models (their references are checked here) ------------------


def _check_message(check: ActionCheck) -> None:
    given = [name for name in ("Text", "SSML", "PromptId", "Media") if name in check.parameters]
    if len(given) != 1:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "MessageParticipant needs exactly one of Text, SSML, PromptId, Media"
            + (f" (has {', '.join(given)})" if given else ""),
            "message-source",
            where="Parameters",
        )
    for name in ("Text", "SSML"):
        value = check.parameters.get(name)
        if name not in check.parameters:
            continue
        if not isinstance(value, str) or not value.strip():
            check.add(
                ProblemCode.INVALID_PARAMETER,
                f"{name} must be a non-empty string",
                "message-source",
                where=f"Parameters.{name}",
            )
        else:
            check.embedded(name, value)
    check.static_or_reference("PromptId", "message-source")
    media = check.parameters.get("Media")
    if "Media" in check.parameters and not (
        isinstance(media, dict) and isinstance(media.get("Uri"), str)
    ):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "Media must be an object with a Uri",
            "message-source",
            where="Parameters.Media",
        )


def _check_lambda(check: ActionCheck) -> None:
    parameters = check.parameters
    arn = check.static_or_reference("LambdaFunctionARN", "lambda")
    if arn is not None and not is_reference(arn) and not LAMBDA_ARN_PATTERN.match(arn):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"LambdaFunctionARN {arn!r} is not a Lambda function ARN",
            "lambda",
            where="Parameters.LambdaFunctionARN",
        )
    invocation_type = parameters.get("InvocationType", "SYNCHRONOUS")
    if invocation_type not in ("SYNCHRONOUS", "ASYNCHRONOUS"):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"InvocationType must be SYNCHRONOUS or ASYNCHRONOUS, not {invocation_type!r}",
            "lambda",
            where="Parameters.InvocationType",
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
                "lambda",
                where="Parameters.InvocationTimeLimitSeconds",
            )
    validation = parameters.get("ResponseValidation")
    if "ResponseValidation" in parameters and not (
        isinstance(validation, dict) and validation.get("ResponseType") in ("STRING_MAP", "JSON")
    ):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            'ResponseValidation must be {"ResponseType": "STRING_MAP" | "JSON"}',
            "lambda",
            where="Parameters.ResponseValidation",
        )
    check.string_map("LambdaInvocationAttributes", "lambda", required=False)


def _check_attributes(check: ActionCheck) -> None:
    check.string_map("Attributes", "attributes", required=True)
    target = check.parameters.get("TargetContact", "Current")
    if target not in ("Current", "Related"):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"TargetContact must be Current or Related, not {target!r}",
            "attributes",
            where="Parameters.TargetContact",
        )


def _check_compare(check: ActionCheck) -> None:
    value = check.parameters.get("ComparisonValue")
    if value is None:
        return
    if not isinstance(value, str) or not is_reference(value):
        check.add(
            ProblemCode.INVALID_REFERENCE,
            f"ComparisonValue must be a single reference such as $.External.Status, not {value!r}",
            "compare-value",
            where="Parameters.ComparisonValue",
        )
    else:
        check.reference("ComparisonValue", value)


def _check_loop(check: ActionCheck) -> None:
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
            "loop-count",
            where="Parameters.LoopCount",
        )


def _check_wait(check: ActionCheck) -> None:
    value = check.parameters.get("TimeLimitSeconds")
    if value is not None:
        if is_reference(value):
            check.reference("TimeLimitSeconds", str(value))
        else:
            seconds = check.static_int("TimeLimitSeconds")
            if seconds is None or not 1 <= seconds <= MAX_WAIT_SECONDS:
                check.add(
                    ProblemCode.INVALID_PARAMETER,
                    f"TimeLimitSeconds must be a whole number from 1 to {MAX_WAIT_SECONDS} "
                    f"or a reference, not {value!r}",
                    "wait-time-limit",
                    where="Parameters.TimeLimitSeconds",
                )
    events = check.parameters.get("Events", [])
    if not isinstance(events, list) or not set(events) <= WAIT_EVENTS:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"Events must be a list drawn from {', '.join(sorted(WAIT_EVENTS))}",
            "wait-time-limit",
            where="Parameters.Events",
        )


def _check_target_queue(check: ActionCheck) -> None:
    given = [name for name in ("QueueId", "AgentId") if name in check.parameters]
    if len(given) != 1:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "UpdateContactTargetQueue needs exactly one of QueueId, AgentId",
            "target-queue",
            where="Parameters",
        )
    for name in given:
        check.static_or_reference(name, "target-queue")


def _check_transfer_to_flow(check: ActionCheck) -> None:
    check.static_or_reference("ContactFlowId", "references")


def _check_logging(check: ActionCheck) -> None:
    value = check.parameters.get("FlowLoggingBehavior")
    if value is not None and value not in ("Enabled", "Disabled"):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"FlowLoggingBehavior must be Enabled or Disabled, not {value!r}",
            "logging-value",
            where="Parameters.FlowLoggingBehavior",
        )


def _check_voice(check: ActionCheck) -> None:
    check.static_or_reference("TextToSpeechVoice", "references")


# Shapes the live checks found (rules 24-37, VERIFY.md) --------------------------------


def _check_tags(check: ActionCheck) -> None:
    tags = check.parameters.get("Tags")
    if isinstance(tags, dict) and len(tags) > MAX_CONTACT_TAGS:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            "More than 6 tags in Parameters.Tags",
            "tag-count",
            where="Parameters.Tags",
            hint=f"{len(tags)} tags; a contact carries at most {MAX_CONTACT_TAGS} user-defined tags",
        )


def _check_untag(check: ActionCheck) -> None:
    keys = check.parameters.get("TagKeys")
    if keys is None:
        return
    if not (isinstance(keys, list) and keys and all(isinstance(k, str) and k for k in keys)):
        check.invalid_value(
            "Parameters.TagKeys", "untag-keys", "TagKeys must be a non-empty list of tag keys"
        )


def _check_flow_attributes(check: ActionCheck) -> None:
    attributes = check.parameters.get("FlowAttributes")
    if attributes is None:
        return
    if not isinstance(attributes, dict) or not attributes:
        check.add(
            ProblemCode.INVALID_PARAMETER,
            'FlowAttributes must be a non-empty map of attribute names to {"Value": ...}',
            "flow-attribute-value",
            where="Parameters.FlowAttributes",
        )
        return
    for key, entry in attributes.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("Value"), str)):
            check.add(
                ProblemCode.INVALID_PARAMETER,
                f'FlowAttributes.{key} must be {{"Value": "..."}}, not {entry!r}',
                "flow-attribute-value",
                where=f"Parameters.FlowAttributes.{key}",
                hint="the console writes every flow attribute as an object with a Value",
            )


def _check_event_hooks(check: ActionCheck) -> None:
    if "EventHooksConfiguration" in check.parameters:
        check.add(
            ProblemCode.UNEXPECTED_PARAMETER,
            NO_CONDITIONS,
            "event-hooks",
            where="Parameters.EventHooksConfiguration",
            hint="the console exports EventHooksConfiguration; CreateContactFlow refuses it",
        )


def _check_recording_and_analytics(check: ActionCheck) -> None:
    given = [name for name in RECORDING_BEHAVIORS if name in check.parameters]
    if len(given) != 1:
        check.invalid_value(
            "Parameters",
            "recording-behavior",
            f"exactly one of {', '.join(RECORDING_BEHAVIORS)}"
            + (f", not {', '.join(given)}" if given else ""),
        )
    if "ChatBehavior" in check.parameters:
        _require_errors(check, ("InFlightRedactionConfigurationFailed",), "chat-redaction")


def _check_input(check: ActionCheck) -> None:
    stored = check.parameters.get("StoreInput")
    if stored is not None and stored not in ("True", "False"):
        check.invalid_value(
            "Parameters.StoreInput", "store-input", 'StoreInput is "True" or "False", static'
        )
        return
    if stored == "True":
        if "InputValidation" not in check.parameters:
            check.missing_property(
                "Parameters.InputValidation",
                "store-input",
                hint='StoreInput "True" needs InputValidation',
            )
        if _has_conditions(check):
            check.add(
                ProblemCode.UNSUPPORTED_CONDITIONS,
                NO_CONDITIONS,
                "store-input",
                where="Transitions.Conditions",
                hint='stored input (StoreInput "True") takes no Conditions',
            )
        _refuse_errors(
            check,
            ("NoMatchingCondition", "InputTimeLimitExceeded"),
            "store-input",
            'stored input (StoreInput "True") takes neither branch',
        )
    elif stored == "False":
        _require_errors(check, ("InputTimeLimitExceeded", "NoMatchingCondition"), "store-input")
        if "InputValidation" in check.parameters:
            check.add(
                ProblemCode.UNEXPECTED_PARAMETER,
                'InputValidation is only for stored input (StoreInput "True")',
                "store-input",
                where="Parameters.InputValidation",
            )
        _refuse_errors(
            check,
            ("InvalidPhoneNumber",),
            "store-input",
            'InvalidPhoneNumber is only for stored input (StoreInput "True")',
        )


def _check_messages_loop(check: ActionCheck) -> None:
    if "InterruptFrequencySeconds" not in check.parameters:
        return
    value = check.parameters["InterruptFrequencySeconds"]
    seconds = check.static_int("InterruptFrequencySeconds")
    if not is_reference(value) and (seconds is None or seconds < 1):
        check.add(
            ProblemCode.INVALID_PARAMETER,
            f"Invalid Action property value. Path: {check.position}.InterruptSeconds",
            "interrupt-frequency",
            where="Parameters.InterruptFrequencySeconds",
            hint=f"InterruptFrequencySeconds must be at least 1, not {value!r}",
        )


def _check_third_party(check: ActionCheck) -> None:
    if check.parameters.get("ContinueFlowExecution") == "True":
        _require_errors(
            check,
            ("CallFailed", "ConnectionTimeLimitExceeded", "NoMatchingError"),
            "third-party-errors",
        )


SHAPE_CHECKS: Mapping[str, Callable[[ActionCheck], None]] = {
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
    "TagContact": _check_tags,
    "UntagContact": _check_untag,
    "UpdateFlowAttributes": _check_flow_attributes,
    "UpdateContactEventHooks": _check_event_hooks,
    "UpdateContactRecordingAndAnalyticsBehavior": _check_recording_and_analytics,
    "GetParticipantInput": _check_input,
    "MessageParticipantIteratively": _check_messages_loop,
    "TransferParticipantToThirdParty": _check_third_party,
}
#: The checks above that check the references in their parameters themselves.
_OWN_REFERENCES = frozenset(
    {
        "MessageParticipant",
        "InvokeLambdaFunction",
        "UpdateContactAttributes",
        "Compare",
        "Loop",
        "Wait",
        "UpdateContactTargetQueue",
        "TransferToFlow",
        "UpdateFlowLoggingBehavior",
        "UpdateContactTextToSpeechVoice",
    }
)


def checks_own_references(action_type: str) -> bool:
    return action_type in _OWN_REFERENCES


# Conditions ---------------------------------------------------------------------------


def _conditions_any(check: ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    """Outcomes depend on the configuration (bot intents, views, metrics): not checked."""
    del check, spec, conditions


def _conditions_compare(check: ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    del spec
    if not conditions:
        check.add(
            ProblemCode.MISSING_CONDITION,
            "Compare needs at least one condition",
            "compare-conditions",
            where="Transitions.Conditions",
        )
    _operator_conditions(check, conditions, "compare-conditions")


def _conditions_module_result(
    check: ActionCheck, spec: ActionSpec, conditions: ConditionList
) -> None:
    """InvokeFlowModule of a module that returns a Result: optional conditions on it."""
    del spec
    _operator_conditions(check, conditions, "module-result-conditions")


def _operator_conditions(check: ActionCheck, conditions: ConditionList, rule: str) -> None:
    for operator, operands in conditions:
        if operator not in COMPARE_OPERATORS:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"{operator!r} is not a comparison operator "
                f"(allowed: {', '.join(sorted(COMPARE_OPERATORS))})",
                rule,
                where="Transitions.Conditions",
            )
        elif not operands or not all(isinstance(o, (str, int, float)) for o in operands):
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"{operator} needs one or more string operands",
                rule,
                where="Transitions.Conditions",
            )
        elif operator in _NUMBER_OPERATORS and not all(_is_number(o) for o in operands):
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"{operator} needs numeric operands, not {operands}",
                rule,
                where="Transitions.Conditions",
            )


def _conditions_exactly(
    check: ActionCheck,
    spec: ActionSpec,
    conditions: ConditionList,
    wanted: tuple[str, ...],
    missing_code: ProblemCode,
    rule: str,
) -> None:
    where = "Transitions.Conditions"
    results = []
    for operator, operands in conditions:
        if operator != "Equals" or len(operands) != 1 or operands[0] not in wanted:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"{spec.type} conditions are only Equals {' / '.join(wanted)}, "
                f"not {operator} {operands}",
                rule,
                where=where,
            )
            continue
        if operands[0] in results:
            check.add(
                ProblemCode.INVALID_CONDITION, f"{operands[0]} appears twice", rule, where=where
            )
        results.append(operands[0])
    for result in wanted:
        if result not in results:
            check.add(
                missing_code, f"{spec.type} needs a condition Equals {result}", rule, where=where
            )


def _conditions_loop(check: ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    _conditions_exactly(
        check, spec, conditions, LOOP_RESULTS, ProblemCode.MISSING_LOOP_CONDITION, "loop-conditions"
    )


def _conditions_true_false(check: ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    _conditions_exactly(
        check,
        spec,
        conditions,
        TRUE_FALSE_RESULTS,
        ProblemCode.MISSING_CONDITION,
        "hours-conditions",
    )


def _conditions_wait(check: ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    del spec
    where = "Transitions.Conditions"
    events = check.parameters.get("Events", [])
    wanted = {"WaitCompleted"} | (set(events) if isinstance(events, list) else set())
    found = set()
    for operator, operands in conditions:
        if operator != "Equals" or len(operands) != 1 or operands[0] not in wanted:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"Wait conditions are Equals one of {', '.join(sorted(wanted))}, "
                f"not {operator} {operands}",
                "wait-conditions",
                where=where,
            )
            continue
        found.add(operands[0])
    for missing in sorted(wanted - found):
        check.add(
            ProblemCode.MISSING_CONDITION,
            f"Wait needs a condition Equals {missing}",
            "wait-conditions",
            where=where,
        )


def _conditions_dtmf(check: ActionCheck, spec: ActionSpec, conditions: ConditionList) -> None:
    del spec
    if check.parameters.get("StoreInput") == "True":
        return  # stored input takes no conditions at all (_check_input)
    for operator, operands in conditions:
        if operator != "Equals" or len(operands) != 1 or str(operands[0]) not in DTMF_KEYS:
            check.add(
                ProblemCode.INVALID_CONDITION,
                f"GetParticipantInput conditions are Equals one key (0-9, * or #), "
                f"not {operator} {operands}",
                "dtmf-conditions",
                where="Transitions.Conditions",
            )


def _conditions_at_least_one(
    check: ActionCheck, spec: ActionSpec, conditions: ConditionList
) -> None:
    if not conditions:
        check.add(
            ProblemCode.MISSING_CONDITION,
            f"{spec.type} needs at least one condition",
            "metric-conditions",
            where="Transitions.Conditions",
        )


CONDITION_CHECKS: Mapping[Conditions, Callable[[ActionCheck, ActionSpec, ConditionList], None]] = {
    Conditions.COMPARE: _conditions_compare,
    Conditions.MODULE_RESULT: _conditions_module_result,
    Conditions.LOOP: _conditions_loop,
    Conditions.WAIT: _conditions_wait,
    Conditions.TRUE_FALSE: _conditions_true_false,
    Conditions.DTMF: _conditions_dtmf,
    Conditions.AT_LEAST_ONE: _conditions_at_least_one,
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
