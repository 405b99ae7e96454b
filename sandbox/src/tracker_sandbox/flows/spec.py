"""The action types of the Amazon Connect flow language, from its reference.

`CONNECT_ACTION_TYPES` is the catalogue of every action type the flow-language reference
lists today, each with what the reference states: its Parameters (and which of them it
requires), the error types its `Errors` may name, what its `Conditions` may hold and
whether it needs a default `NextAction`. Sources, as listed on the category pages of the
reference (Amazon Connect Administrator Guide / API Reference, "Amazon Connect Flow
language", https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html):

- "Contact actions in the Amazon Connect Flow language"
  https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions.html
- "Flow control actions in the Amazon Connect Flow language"
  https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions.html
- "Interactions in the Amazon Connect Flow language"
  https://docs.aws.amazon.com/connect/latest/APIReference/interactions.html
- "Participant actions in the Amazon Connect Flow language"
  https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions.html

Each entry's `source` names its own page. Two kinds of entry:

- *closed* (`closed=True`): the types this package models in depth (`ACTION_SPECS`, which
  the simulator runs) plus the ones whose reference page states the whole shape. The
  validator refuses unknown parameters, error types the page does not list, Conditions
  where none are supported, and a missing default NextAction.
- *open* (`closed=False`): the validator checks what the reference requires (the
  required parameters, Parameters being an object, every reference inside a parameter
  value well formed, every transition resolving) and accepts the rest, because the flow
  editor exports fields and branches that the reference pages do not list (the Loop page
  says "Errors: None" while the editor adds an Error branch, for example).

Parameter *values* of the modelled types are checked in `validate.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Conditions(Enum):
    NONE = "none"  # the action supports no Conditions
    COMPARE = "compare"  # one or more operator conditions on the compared value
    LOOP = "loop"  # exactly Equals ContinueLooping and Equals DoneLooping
    WAIT = "wait"  # Equals WaitCompleted (plus one per configured event)
    TRUE_FALSE = "true-false"  # exactly Equals True and Equals False
    ANY = "any"  # outcomes depend on the configuration (menus, bots, views): not checked


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
    #: The reference page of this action type.
    source: str = ""
    #: Unknown parameters, undocumented error types and Conditions are refused.
    closed: bool = True
    #: Groups of parameters of which at least one must be given.
    any_of: tuple[tuple[str, ...], ...] = ()
    #: Parameters that must be one whole reference ("cannot be set statically").
    reference_only: tuple[str, ...] = ()

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
    source: str = "",
    closed: bool = True,
    any_of: tuple[tuple[str, ...], ...] = (),
    reference_only: tuple[str, ...] = (),
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
        source=source,
        closed=closed,
        any_of=any_of,
        reference_only=reference_only,
    )


_REFERENCE = "https://docs.aws.amazon.com/connect/latest/APIReference/"


def _page(slug: str) -> str:
    return f"{_REFERENCE}{slug}.html"


def _open(
    type_: str,
    slug: str,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    errors: tuple[str, ...] = ("NoMatchingError",),
    conditions: Conditions = Conditions.ANY,
    ends_flow: bool = False,
    any_of: tuple[tuple[str, ...], ...] = (),
    reference_only: tuple[str, ...] = (),
    summary: str,
) -> ActionSpec:
    """A catalogued type checked for what its page requires (see the module docstring)."""
    return _spec(
        type_,
        required=required,
        optional=optional,
        errors=errors,
        conditions=conditions,
        next_action=Next.OPTIONAL,
        ends_flow=ends_flow,
        summary=summary,
        source=_page(slug),
        closed=False,
        any_of=any_of,
        reference_only=reference_only,
    )


ACTION_SPECS: dict[str, ActionSpec] = {
    spec.type: spec
    for spec in (
        _spec(
            "MessageParticipant",
            optional=("Text", "SSML", "PromptId", "Media"),
            errors=("NoMatchingError",),
            source=_page("participant-actions-messageparticipant"),
            summary="play a prompt: exactly one of Text, SSML, PromptId, Media",
        ),
        _spec(
            "InvokeLambdaFunction",
            required=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
            optional=("InvocationType", "LambdaInvocationAttributes", "ResponseValidation"),
            errors=("NoMatchingError",),
            source=_page("interactions-invokelambdafunction"),
            summary="call a Lambda function; its response becomes $.External",
        ),
        _spec(
            "UpdateContactAttributes",
            required=("Attributes",),
            optional=("TargetContact",),
            errors=("NoMatchingError",),
            source=_page("contact-actions-updatecontactattributes"),
            summary="set contact attributes ($.Attributes.*)",
        ),
        _spec(
            "Compare",
            required=("ComparisonValue",),
            errors=("NoMatchingCondition",),
            conditions=Conditions.COMPARE,
            next_action=Next.OPTIONAL,
            source=_page("flow-control-actions-compare"),
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
            source=_page("flow-control-actions-loop"),
            summary="ContinueLooping LoopCount times, then DoneLooping once, then reset",
        ),
        _spec(
            "Wait",
            # The reference documents TimeoutSeconds; the flow editor exports the same
            # limit as TimeLimitSeconds (issue 13: real exported flows). Exactly one of
            # them is required (checked in validate.py).
            optional=("TimeoutSeconds", "TimeLimitSeconds", "Events"),
            errors=("NoMatchingError", "ParticipantNotFound"),
            conditions=Conditions.WAIT,
            next_action=Next.OPTIONAL,
            source=_page("flow-control-actions-wait"),
            summary="pause for TimeoutSeconds/TimeLimitSeconds (WaitCompleted) or an event",
        ),
        _spec(
            "UpdateContactTargetQueue",
            optional=("QueueId", "AgentId"),
            errors=("NoMatchingError",),
            source=_page("contact-actions-updatecontacttargetqueue"),
            summary="set the working queue (exactly one of QueueId, AgentId)",
        ),
        _spec(
            "TransferContactToQueue",
            errors=("QueueAtCapacity", "NoMatchingError"),
            next_action=Next.OPTIONAL,
            ends_flow=True,
            source=_page("contact-actions-transfercontacttoqueue"),
            summary="put the contact in its working queue; ends this flow",
        ),
        _spec(
            "TransferToFlow",
            required=("ContactFlowId",),
            errors=("NoMatchingError",),
            next_action=Next.OPTIONAL,
            ends_flow=True,
            source=_page("flow-control-actions-transfertoflow"),
            summary="continue in another flow",
        ),
        _spec(
            "UpdateFlowLoggingBehavior",
            required=("FlowLoggingBehavior",),
            source=_page("flow-control-actions-updateflowloggingbehavior"),
            summary="turn flow logs on or off",
        ),
        _spec(
            "UpdateContactTextToSpeechVoice",
            required=("TextToSpeechVoice",),
            optional=("TextToSpeechEngine", "TextToSpeechStyle"),
            errors=("NoMatchingError",),
            source=_page("contact-actions-updatecontacttexttospeechvoice"),
            summary="choose the text-to-speech voice",
        ),
        _spec(
            "DisconnectParticipant",
            next_action=Next.FORBIDDEN,
            ends_flow=True,
            source=_page("participant-actions-disconnectparticipant"),
            summary="hang up; terminal",
        ),
        _spec(
            "EndFlowExecution",
            next_action=Next.FORBIDDEN,
            ends_flow=True,
            source=_page("flow-control-actions-endflowexecution"),
            summary="end the flow without disconnecting; terminal",
        ),
    )
}

_PROMPT = ("PromptId", "Text", "SSML", "Media")

#: Every other action type of the flow-language reference (see the module docstring).
_CATALOGUED: tuple[ActionSpec, ...] = (
    # Contact actions ---------------------------------------------------------------
    _open(
        "CompleteOutboundCall",
        "contact-actions-completeoutboundcall",
        summary="place the outbound call of the contact (outbound whisper)",
    ),
    _open("CreateCase", "createcase", summary="create a case (Cases)"),
    _open("CreateTask", "createtask", summary="create a task contact"),
    _open("CreateWisdomSession", "createwisdomsession", summary="start an AI-agent session"),
    _open(
        "DequeueContactAndTransferToQueue",
        "contact-actions-dequeuecontactandtransfertoqueue",
        summary="take a queued contact out of its queue into another",
    ),
    # "Parameter object: { }", "No conditions are supported", "Errors: None",
    # "available only in flow modules" (the Return block): fully stated, so closed.
    _spec(
        "EndFlowModuleExecution",
        next_action=Next.FORBIDDEN,
        ends_flow=True,
        summary="return from a flow module without disconnecting; terminal",
        source=_page("endflowmoduleexecution"),
    ),
    _open("GetCase", "getcase", summary="find a case (Cases)"),
    # "FlowModuleId: The flow module ID or flow module ARN to be invoked. May be
    # defined statically or dynamically."; errors: NoMatchingError.
    _open(
        "InvokeFlowModule",
        "flow-language-actions-invoke-flow-module",
        required=("FlowModuleId",),
        conditions=Conditions.NONE,
        summary="run a flow module, then continue",
    ),
    # SourceEndpoint, DestinationEndpoint, ContactFlowArn, ContactSubtype; the page marks
    # only InitialSystemMessage and RelatedContact [Optional].
    _open(
        "StartOutboundChatContact",
        "contact-actions-startoutboundchatcontact",
        required=("SourceEndpoint", "DestinationEndpoint", "ContactFlowArn", "ContactSubtype"),
        optional=("InitialSystemMessage", "RelatedContact"),
        conditions=Conditions.NONE,
        summary="start an outbound SMS chat contact",
    ),
    _open(
        "TagContact", "contact-actions-tagcontact", required=("Tags",), summary="tag the contact"
    ),
    _open(
        "TransferContactToAgent",
        "contact-actions-transfercontacttoagent",
        ends_flow=True,
        summary="transfer to the agent set as working queue; ends this flow",
    ),
    _open(
        "UnTagContact",
        "contact-actions-untagcontact",
        required=("TagKeys",),
        summary="remove tags from the contact",
    ),
    # The reference spells it UnTagContact; a public flow emitter that validates its
    # output with CreateContactFlow reports that the service takes UntagContact. Not
    # verified against Connect here, so both spellings are accepted.
    _open(
        "UntagContact",
        "contact-actions-untagcontact",
        required=("TagKeys",),
        summary="remove tags from the contact (exported spelling of UnTagContact)",
    ),
    _open("UpdateCase", "updatecase", summary="update a case (Cases)"),
    # "CallbackNumber: ... Must be a single, valid JSONPath reference, and cannot be set
    # statically."; errors InvalidCallbackNumber, CallbackNumberNotDialable.
    _open(
        "UpdateContactCallbackNumber",
        "contact-actions-updatecontactcallbacknumber",
        required=("CallbackNumber",),
        errors=("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        reference_only=("CallbackNumber",),
        summary="set the callback number",
    ),
    _open(
        "UpdateContactData",
        "contact-actions-updatecontactdata",
        summary="set contact properties (name, description, language, ...)",
    ),
    _open(
        "UpdateContactEventHooks",
        "contact-actions-updatecontacteventhooks",
        required=("EventHooks",),
        summary="set the flows run on contact events (hold, whisper, disconnect, ...)",
    ),
    _open(
        "UpdateContactMediaProcessing",
        "contact-actions-updatecontactmediaprocessing",
        summary="turn in-flight chat message processing on or off",
    ),
    _open(
        "UpdateContactMediaStreamingBehavior",
        "contact-actions-updatecontactmediastreamingbehavior",
        required=("MediaStreamingState",),
        optional=("Participants", "MediaStreamType"),
        summary="start or stop live media streaming",
    ),
    _open(
        "UpdateContactRecordingAndAnalyticsBehavior",
        "contact-actions-updatecontactrecordingandanalyticsbehavior",
        summary="set recording and Contact Lens analytics (one channel's behavior object)",
    ),
    _open(
        "UpdateContactRecordingBehavior",
        "contact-actions-updatecontactrecordingbehavior",
        optional=("RecordingBehavior", "AnalyticsBehavior"),
        summary="set recording and analytics (legacy block)",
    ),
    _open(
        "ResumeContact",
        "contact-actions-updatecontactresumecontact",
        summary="resume a paused contact",
    ),
    # "Errors: None" on the page; the open check does not hold exports to that.
    _open(
        "UpdateContactRoutingBehavior",
        "contact-actions-updatecontactroutingbehavior",
        optional=("QueuePriority", "QueueTimeAdjustmentSeconds"),
        summary="change routing priority or age",
    ),
    _open(
        "UpdatePreviousContactParticipantState",
        "contact-actions-updatepreviouscontactparticipantstate",
        required=("PreviousContactParticipantState",),
        summary="hold or resume the previous participant (AgentOnHold, CustomerOnHold, OffHold)",
    ),
    # Flow control actions -----------------------------------------------------------
    # "There must be a Condition provided for Equals True and a Condition for Equals
    # False, and no other conditions."
    _open(
        "CheckHoursOfOperation",
        "flow-control-actions-checkhoursofoperation",
        optional=("HoursOfOperationId",),
        conditions=Conditions.TRUE_FALSE,
        summary="branch on whether the hours of operation are in effect",
    ),
    _open(
        "CheckMetricData",
        "flow-control-actions-checkmetricdata",
        conditions=Conditions.ANY,
        summary="branch on a queue metric",
    ),
    _open(
        "CheckOutboundCallStatus",
        "flow-control-actions-checkoutboundcallstatus",
        conditions=Conditions.ANY,
        summary="branch on the outbound call's status",
    ),
    _open(
        "CheckVoiceId",
        "flow-control-actions-checkvoiceid",
        conditions=Conditions.ANY,
        summary="branch on a Voice ID result",
    ),
    # "Parameter object: { }"; a chain of less-than comparisons on a random 1-100;
    # "NoMatchingCondition if no Condition matches".
    _open(
        "DistributeByPercentage",
        "flow-control-actions-distributebypercentage",
        errors=("NoMatchingCondition",),
        conditions=Conditions.ANY,
        summary="branch at random by percentages",
    ),
    _open(
        "GetMetricData",
        "flow-control-actions-getmetricdata",
        summary="load queue metrics into $.Metrics",
    ),
    _open(
        "StartVoiceIdStream",
        "flow-control-actions-startvoiceidstream",
        summary="start streaming audio to Voice ID",
    ),
    _open(
        "UpdateFlowAttributes",
        "flow-control-actions-updateflowattributes",
        required=("FlowAttributes",),
        errors=(),
        conditions=Conditions.NONE,
        summary="set flow attributes ($.FlowAttributes.*), not carried to other flows",
    ),
    # The page is titled UpdateRoutingCriteria ("RoutingCriteria: Required"); AWS's own
    # solutions deploy the same block as UpdateContactRoutingCriteria (issue 13).
    _open(
        "UpdateRoutingCriteria",
        "flow-control-actions-updateroutingcriteria",
        required=("RoutingCriteria",),
        summary="set routing criteria (proficiency steps)",
    ),
    _open(
        "UpdateContactRoutingCriteria",
        "flow-control-actions-updateroutingcriteria",
        required=("RoutingCriteria",),
        summary="set routing criteria (the deployed name of UpdateRoutingCriteria)",
    ),
    # Interactions -------------------------------------------------------------------
    _open(
        "AssociateContactToCustomerProfile",
        "interactions-associatecontacttocustomerprofile",
        summary="associate the contact with a customer profile",
    ),
    _open(
        "CreateCallbackContact",
        "interactions-createcallbackcontact",
        summary="create a callback contact",
    ),
    _open(
        "CreateCustomerProfile",
        "interactions-createcustomerprofile",
        summary="create a customer profile",
    ),
    _open(
        "GetCustomerProfile",
        "interactions-getcustomerprofile",
        summary="find a customer profile into $.Customer",
    ),
    _open(
        "GetCustomerProfileObject",
        "interactions-getcustomerprofileobject",
        summary="read a profile object (asset, order, ...)",
    ),
    _open(
        "GetCalculatedAttributesForCustomerProfile",
        "interactions-getcalculatedattributesforcustomerprofile",
        summary="read a profile's calculated attributes",
    ),
    _open(
        "UpdateCustomerProfile",
        "interactions-updatecustomerprofile",
        summary="update a customer profile",
    ),
    # Participant actions ------------------------------------------------------------
    # "Provide either LexBot or LexV2Bot"; errors InputTimeLimitExceeded,
    # NoMatchingError, NoMatchingCondition; conditions on the intent.
    _open(
        "ConnectParticipantWithLexBot",
        "participant-actions-connectparticipantwithlexbot",
        optional=(*_PROMPT, "LexBot", "LexV2Bot", "LexSessionAttributes"),
        errors=("InputTimeLimitExceeded", "NoMatchingError", "NoMatchingCondition"),
        conditions=Conditions.ANY,
        any_of=(("LexBot", "LexV2Bot"),),
        summary="hand the participant to an Amazon Lex bot; branch on the intent",
    ),
    _open(
        "GetParticipantInput",
        "participant-actions-getparticipantinput",
        optional=(*_PROMPT, "InputTimeLimitSeconds", "StoreInput", "InputValidation"),
        errors=("InputTimeLimitExceeded", "NoMatchingError", "NoMatchingCondition"),
        conditions=Conditions.ANY,
        summary="gather DTMF (voice) or text input; branch on it",
    ),
    _open(
        "MessageParticipantIteratively",
        "participant-actions-messageparticipantiteratively",
        summary="play prompts in a loop until interrupted (queue flows)",
    ),
    # Documented on its own reference page (not linked from the participant-actions
    # list). The page names the limit ThirdPartyConnectionTimeoutSeconds; exported flows
    # carry ThirdPartyConnectionTimeLimitSeconds and the error branches CallFailed,
    # ConnectionTimeLimitExceeded, NoMatchingError.
    _open(
        "TransferParticipantToThirdParty",
        "participant-actions-transferparticipanttothirdparty",
        optional=(
            "ThirdPartyPhoneNumber",
            "ThirdPartyConnectionTimeoutSeconds",
            "ThirdPartyConnectionTimeLimitSeconds",
            "ContinueFlowExecution",
            "ThirdPartyDTMFDigits",
            "CallerId",
            "VoiceConnector",
        ),
        errors=("CallFailed", "ConnectionTimeLimitExceeded", "NoMatchingError"),
        summary="transfer to an external phone number or voice connector",
    ),
    # ViewResource {Id, Version}, InvocationTimeLimitSeconds, ViewData,
    # SensitiveDataConfiguration; errors NoMatchingError, NoMatchingCondition,
    # TimeLimitExceeded; conditions depend on the view.
    _open(
        "ShowView",
        "participant-actions-showview",
        required=("ViewResource",),
        optional=("InvocationTimeLimitSeconds", "ViewData", "SensitiveDataConfiguration"),
        errors=("NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"),
        conditions=Conditions.ANY,
        summary="show a view (step-by-step guide); branch on the user's choice",
    ),
)

#: Every action type Connect's flow language has: the modelled ones and the catalogue.
CONNECT_ACTION_TYPES: dict[str, ActionSpec] = {
    **ACTION_SPECS,
    **{spec.type: spec for spec in _CATALOGUED},
}

#: Action types of the flow language that this package does not model (not simulated).
OTHER_CONNECT_TYPES = frozenset(CONNECT_ACTION_TYPES) - frozenset(ACTION_SPECS)

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
TRUE_FALSE_RESULTS = ("True", "False")
WAIT_EVENTS = frozenset({"CustomerReturned", "BotParticipantDisconnected"})

SYNC_TIME_LIMIT_SECONDS = 8
ASYNC_TIME_LIMIT_SECONDS = 60
MAX_LOOP_COUNT = 100
MAX_WAIT_SECONDS = 604_800
