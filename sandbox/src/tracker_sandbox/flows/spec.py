"""The action types this package models, from the Amazon Connect flow-language reference.

Each entry states the Parameters an action takes, the error types its `Errors` may
name, what its `Conditions` may hold and whether it needs a default `NextAction`.
Parameter *values* are checked in `validate.py`.

Types Connect knows but this table does not model (`OTHER_CONNECT_TYPES`) are accepted
by the validator with generic checks only (identifier, transitions resolve), and the
simulator stops a contact that reaches one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Conditions(Enum):
    NONE = "none"  # the action supports no Conditions
    COMPARE = "compare"  # one or more operator conditions on the compared value
    LOOP = "loop"  # exactly Equals ContinueLooping and Equals DoneLooping
    WAIT = "wait"  # Equals WaitCompleted (plus one per configured event)


class Next(Enum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class ActionSpec:
    type: str
    required: frozenset[str]
    optional: frozenset[str]
    errors: frozenset[str]
    conditions: Conditions
    next_action: Next
    #: A successful run ends the flow for this contact (queued, disconnected, handed over).
    ends_flow: bool
    summary: str

    @property
    def is_terminal(self) -> bool:
        """No transitions of any kind are allowed."""
        return self.next_action is Next.FORBIDDEN and not self.errors


def _spec(
    type_: str,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    errors: tuple[str, ...] = (),
    conditions: Conditions = Conditions.NONE,
    next_action: Next = Next.REQUIRED,
    ends_flow: bool = False,
    summary: str,
) -> ActionSpec:
    return ActionSpec(
        type=type_,
        required=frozenset(required),
        optional=frozenset(optional),
        errors=frozenset(errors),
        conditions=conditions,
        next_action=next_action,
        ends_flow=ends_flow,
        summary=summary,
    )


ACTION_SPECS: dict[str, ActionSpec] = {
    spec.type: spec
    for spec in (
        _spec(
            "MessageParticipant",
            optional=("Text", "SSML", "PromptId", "Media"),
            errors=("NoMatchingError",),
            summary="play a prompt: exactly one of Text, SSML, PromptId, Media",
        ),
        _spec(
            "InvokeLambdaFunction",
            required=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
            optional=("InvocationType", "LambdaInvocationAttributes", "ResponseValidation"),
            errors=("NoMatchingError",),
            summary="call a Lambda function; its response becomes $.External",
        ),
        _spec(
            "UpdateContactAttributes",
            required=("Attributes",),
            optional=("TargetContact",),
            errors=("NoMatchingError",),
            summary="set contact attributes ($.Attributes.*)",
        ),
        _spec(
            "Compare",
            required=("ComparisonValue",),
            errors=("NoMatchingCondition",),
            conditions=Conditions.COMPARE,
            next_action=Next.OPTIONAL,
            summary="branch on one value (Check contact attributes)",
        ),
        _spec(
            "Loop",
            required=("LoopCount",),
            # Documented as having no errors; the current editor adds an Error branch
            # for dynamic counts, so it is accepted.
            errors=("NoMatchingError",),
            conditions=Conditions.LOOP,
            next_action=Next.OPTIONAL,
            summary="ContinueLooping LoopCount times, then DoneLooping once, then reset",
        ),
        _spec(
            "Wait",
            required=("TimeoutSeconds",),
            optional=("Events",),
            errors=("NoMatchingError", "ParticipantNotFound"),
            conditions=Conditions.WAIT,
            next_action=Next.OPTIONAL,
            summary="pause for TimeoutSeconds (WaitCompleted) or until an event",
        ),
        _spec(
            "UpdateContactTargetQueue",
            optional=("QueueId", "AgentId"),
            errors=("NoMatchingError",),
            summary="set the working queue (exactly one of QueueId, AgentId)",
        ),
        _spec(
            "TransferContactToQueue",
            errors=("QueueAtCapacity", "NoMatchingError"),
            next_action=Next.OPTIONAL,
            ends_flow=True,
            summary="put the contact in its working queue; ends this flow",
        ),
        _spec(
            "TransferToFlow",
            required=("ContactFlowId",),
            errors=("NoMatchingError",),
            next_action=Next.OPTIONAL,
            ends_flow=True,
            summary="continue in another flow",
        ),
        _spec(
            "UpdateFlowLoggingBehavior",
            required=("FlowLoggingBehavior",),
            summary="turn flow logs on or off",
        ),
        _spec(
            "UpdateContactTextToSpeechVoice",
            required=("TextToSpeechVoice",),
            optional=("TextToSpeechEngine", "TextToSpeechStyle"),
            errors=("NoMatchingError",),
            summary="choose the text-to-speech voice",
        ),
        _spec(
            "DisconnectParticipant",
            next_action=Next.FORBIDDEN,
            ends_flow=True,
            summary="hang up; terminal",
        ),
        _spec(
            "EndFlowExecution",
            next_action=Next.FORBIDDEN,
            ends_flow=True,
            summary="end the flow without disconnecting; terminal",
        ),
    )
}

#: Action types of the flow language that this package does not model.
OTHER_CONNECT_TYPES = frozenset(
    {
        "AssociateContactToCustomerProfile",
        "CheckHoursOfOperation",
        "CheckMetricData",
        "CheckOutboundCallStatus",
        "CheckVoiceId",
        "CompleteOutboundCall",
        "ConnectParticipantWithLexBot",
        "CreateCallbackContact",
        "CreateCase",
        "CreateCustomerProfile",
        "CreateTask",
        "CreateWisdomSession",
        "DequeueContactAndTransferToQueue",
        "DistributeByPercentage",
        "EndFlowModuleExecution",
        "GetCalculatedAttributesForCustomerProfile",
        "GetCase",
        "GetCustomerProfile",
        "GetCustomerProfileObject",
        "GetMetricData",
        "GetParticipantInput",
        "InvokeFlowModule",
        "MessageParticipantIteratively",
        "ResumeContact",
        "ShowView",
        "StartVoiceIdStream",
        "TagContact",
        "TransferContactToAgent",
        "UnTagContact",
        "UpdateCase",
        "UpdateContactCallbackNumber",
        "UpdateContactData",
        "UpdateContactEventHooks",
        "UpdateContactMediaStreamingBehavior",
        "UpdateContactRecordingBehavior",
        "UpdateContactRoutingBehavior",
        "UpdateCustomerProfile",
        "UpdateFlowAttributes",
        "UpdatePreviousContactParticipantState",
        "UpdateRoutingCriteria",
    }
)

COMPARE_OPERATORS = frozenset(
    {
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberLessThan",
        "NumberGreaterOrEqualTo",
        "NumberLessOrEqualTo",
    }
)
LOOP_RESULTS = ("ContinueLooping", "DoneLooping")
WAIT_EVENTS = frozenset({"CustomerReturned", "BotParticipantDisconnected"})

SYNC_TIME_LIMIT_SECONDS = 8
ASYNC_TIME_LIMIT_SECONDS = 60
MAX_LOOP_COUNT = 100
MAX_WAIT_SECONDS = 604_800
