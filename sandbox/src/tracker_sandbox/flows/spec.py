"""What Amazon Connect accepts in a flow, each rule with where it comes from.

Evidence over reference: every rule and every per-type fact carries a `Source` whose
`kind` says how strong it is, strongest first:

- `observed`: a live answer of the service (CreateContactFlow / CreateContactFlowModule
  in a real instance), recorded with its date and, where kept, the service's words.
  The record used here is the flow-as-code project's: its conformance notes
  (flow-as-code/flow-as-code, conformance/flow-language/actions.md, rules 22-38; the
  rules from 37 on are quoted in its packages/core/CHANGELOG.md 0.2.0, the catalog-built
  plugins/flow-as-code/skills/author-connect-flows-hcl/references/actions.md and
  flow-as-code/flowascode CHANGELOG.md), and the sandbox checks of its showcase
  (flow-as-code/hollow-hour-example-typescript, VERIFY.md). The project's own lint
  choices ("the builder requires one tag") are opinions and are not used.
- `export`: what the console writes and Connect stores (console exports of real
  instances, the aws provider's acceptance-test fixtures).
- `reference`: only the flow-language reference and the Administrator Guide
  (https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html).

Where the reference and the evidence disagree, the evidence wins and `Source.note`
says what the reference says; sandbox/src/tracker_sandbox/flows/README.md lists every
disagreement. `RULES` is every rule the validator applies, with the service's words
for a refusal where they are recorded; `validate.py` applies them and `rules()` adds
the per-type ones (a required NextAction, error branch or parameter per type).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum


class Kind(StrEnum):
    EXPORT = "export"
    OBSERVED = "observed"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Source:
    kind: Kind
    cite: str
    #: What the reference says instead, where it disagrees with the evidence.
    note: str = ""


_REFERENCE = "https://docs.aws.amazon.com/connect/latest/APIReference/"
_ADMIN = "https://docs.aws.amazon.com/connect/latest/adminguide/"
_FAC = "flow-as-code/flow-as-code conformance/flow-language/actions.md"
_HH = "flow-as-code/hollow-hour-example-typescript VERIFY.md"


def page(slug: str) -> Source:
    """The flow-language reference page of an action type."""
    return Source(Kind.REFERENCE, f"{_REFERENCE}{slug}.html")


def admin(slug: str) -> Source:
    return Source(Kind.REFERENCE, f"{_ADMIN}{slug}.html")


def live(cite: str, note: str = "") -> Source:
    return Source(Kind.OBSERVED, cite, note)


#: Rule 37: every modelled action type created in a sandbox instance, each required
#: branch removed on its own and refused, a branch the type does not have refused.
R37 = live(
    f"{_FAC} rule 37 (CreateContactFlow, sandbox instance, 2026-09-29), as recorded in "
    "flow-as-code packages/core/CHANGELOG.md 0.2.0 and the catalog-built "
    "plugins/flow-as-code/skills/author-connect-flows-hcl/references/actions.md"
)
#: Rule 38: NextAction removed from each non-terminal type: refused on 29 of the 30
#: types probed; MessageParticipantIteratively accepted either way.
R38 = live(
    f"{_FAC} rule 38 (CreateContactFlow, 2026-09-30): 'Action is missing required "
    "property. Path: Actions[N].Transitions.NextAction' on 29 of the 30 non-terminal "
    "types probed (flow-as-code/flowascode CHANGELOG.md 0.1.2)",
    note="the reference pages say nothing about NextAction",
)


def checked(rules: str, note: str = "") -> Source:
    """A rule of flow-as-code's actions.md checked live on 2026-09-15."""
    return live(f"{_FAC} rule {rules} (CreateContactFlow, checked live 2026-09-15)", note)


def verify(row: str, note: str = "") -> Source:
    """A row of the showcase's VERIFY.md (sandbox-checked 2026-09-30, us-west-2)."""
    return live(f"{_HH} row {row} (sandbox-checked 2026-09-30, us-west-2)", note)


#: CreateContactFlowModule refuses content without Settings.
MODULE_SETTINGS = live(
    "flow-as-code's live deploy of 2026-09-01 ('JSON field is missing or null for field "
    "name: settings', fixed in its commit 536370f); every module export carries Settings: "
    "flow-as-code/flow-as-code conformance/export/module-settings, hashicorp/"
    "terraform-provider-aws internal/service/connect/test-fixtures/"
    "connect_contact_flow_module.json (an acceptance-test fixture created in AWS)"
)
#: A flow module that returns a result (the console's custom-block modules): its Return
#: blocks set Result and ResultData, the flow that invokes it branches on the Result and
#: reads $.Modules.ResultData; the module reads its inputs as $.Modules.Input. The flows
#: also read a Data Table block's answers ($.DataTables) and an AI-agent session
#: ($.Wisdom.SessionArn), and a Play prompt carries SkipWhenDTMFBufferEnabled.
SPEED_DIAL = Source(
    Kind.EXPORT,
    "aws-samples/sample-amazon-connect-speed-dial templates/cdk-app/flows/"
    "basic-agent-flow.json and get-customer-profile.json (commit 8747a48): console exports "
    "(the editor's positions, status and hash in Metadata) with placeholders for the ARNs, "
    "which the sample's CDK app creates with CreateContactFlow and CreateContactFlowModule",
    note="the reference says EndFlowModuleExecution takes no parameters and InvokeFlowModule "
    "no conditions, and names neither $.Modules, $.DataTables nor $.Wisdom",
)
#: The terminal types take no transitions.
TERMINAL = live(
    "flow-as-code/flowascode CHANGELOG.md 0.1.2: a NextAction on a terminal action is "
    "refused by the service; its words as issue 18 quotes them",
)


class Conditions(Enum):
    NONE = "none"  # "No conditions are supported": Conditions refused
    COMPARE = "compare"  # one or more operator conditions on the compared value
    LOOP = "loop"  # exactly Equals ContinueLooping and Equals DoneLooping
    WAIT = "wait"  # Equals WaitCompleted (plus one per configured event)
    TRUE_FALSE = "true-false"  # exactly Equals True and Equals False
    DTMF = "dtmf"  # Equals one static character: 0-9, * or #
    AT_LEAST_ONE = "at-least-one"  # one or more conditions, operands not checked
    MODULE_RESULT = "module-result"  # optional operator conditions on the module's Result
    ANY = "any"  # outcomes depend on the configuration (bots, views, metrics): not checked


class Next(Enum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    FORBIDDEN = "forbidden"  # terminal: no transitions of any kind


@dataclass(frozen=True)
class ActionSpec:
    type: str
    summary: str
    #: That the service takes the type as spelled.
    source: Source
    next_action: Next
    next_source: Source
    #: Every error type the action takes; None when not known (any is accepted).
    errors: frozenset[str] | None
    #: Error branches the action must carry.
    required_errors: tuple[str, ...]
    errors_source: Source
    conditions: Conditions
    conditions_source: Source
    required: frozenset[str]
    optional: frozenset[str]
    #: Unknown parameters are refused.
    closed: bool
    parameters_source: Source
    #: Where a required parameter has its own source (else `parameters_source`).
    parameter_sources: Mapping[str, Source]
    #: A successful run ends the flow for this contact (queued, disconnected, handed over).
    ends_flow: bool = False
    #: Groups of parameters of which at least one must be given.
    any_of: tuple[tuple[str, ...], ...] = ()
    #: Parameters that must be one whole reference ("cannot be set statically").
    reference_only: tuple[str, ...] = ()
    #: Error types the action takes only when it carries Conditions.
    condition_errors: frozenset[str] = frozenset()

    @property
    def is_terminal(self) -> bool:
        return self.next_action is Next.FORBIDDEN


def _spec(
    type_: str,
    *,
    source: Source,
    summary: str,
    next_action: Next = Next.REQUIRED,
    next_source: Source | None = None,
    errors: tuple[str, ...] | None = ("NoMatchingError",),
    required_errors: tuple[str, ...] = ("NoMatchingError",),
    errors_source: Source | None = None,
    conditions: Conditions = Conditions.NONE,
    conditions_source: Source | None = None,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    closed: bool = False,
    parameters_source: Source | None = None,
    parameter_sources: Mapping[str, Source] | None = None,
    ends_flow: bool = False,
    any_of: tuple[tuple[str, ...], ...] = (),
    reference_only: tuple[str, ...] = (),
    condition_errors: tuple[str, ...] = (),
) -> ActionSpec:
    return ActionSpec(
        type=type_,
        summary=summary,
        source=source,
        next_action=next_action,
        next_source=next_source or source,
        errors=frozenset(errors) if errors is not None else None,
        required_errors=required_errors,
        errors_source=errors_source or source,
        conditions=conditions,
        conditions_source=conditions_source or source,
        required=frozenset(required),
        optional=frozenset(optional),
        closed=closed,
        parameters_source=parameters_source or source,
        parameter_sources=dict(parameter_sources or {}),
        ends_flow=ends_flow,
        any_of=any_of,
        reference_only=reference_only,
        condition_errors=frozenset(condition_errors),
    )


def _terminal(
    type_: str,
    source: Source,
    summary: str,
    *,
    optional: tuple[str, ...] = (),
    parameters_source: Source | None = None,
) -> ActionSpec:
    """No transitions ("Transitions": {} in every export), no parameters but `optional`."""
    return _spec(
        type_,
        source=source,
        summary=summary,
        next_action=Next.FORBIDDEN,
        next_source=TERMINAL,
        errors=(),
        required_errors=(),
        errors_source=TERMINAL,
        optional=optional,
        closed=True,
        parameters_source=parameters_source,
        ends_flow=True,
    )


def _catalogued(
    type_: str,
    slug: str,
    *,
    summary: str,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    conditions: Conditions = Conditions.ANY,
    any_of: tuple[tuple[str, ...], ...] = (),
    reference_only: tuple[str, ...] = (),
    ends_flow: bool = False,
    source: Source | None = None,
    parameters_source: Source | None = None,
) -> ActionSpec:
    """A type no live check has covered: what its page requires is checked, the rest
    accepted (the editor exports fields and branches the pages do not list)."""
    return _spec(
        type_,
        source=source or page(slug),
        summary=summary,
        next_action=Next.OPTIONAL,
        errors=None,
        required_errors=(),
        conditions=conditions,
        required=required,
        optional=optional,
        parameters_source=parameters_source or page(slug),
        any_of=any_of,
        reference_only=reference_only,
        ends_flow=ends_flow,
    )


_PROMPT = ("PromptId", "Text", "SSML", "Media")

#: The types the simulator runs in depth (simulator.py); validate.py checks their
#: parameter values.
ACTION_SPECS: dict[str, ActionSpec] = {
    spec.type: spec
    for spec in (
        _spec(
            "MessageParticipant",
            source=page("participant-actions-messageparticipant"),
            summary="play a prompt: exactly one of Text, SSML, PromptId, Media",
            next_source=R38,
            # The page lists NoMatchingError; the service takes the action without it
            # and the console's sample flows carry 59 messages without it (rule 37).
            required_errors=(),
            errors_source=R37,
            optional=(*_PROMPT, "SkipWhenDTMFBufferEnabled"),
            parameter_sources={"SkipWhenDTMFBufferEnabled": SPEED_DIAL},
            closed=True,
        ),
        _spec(
            "InvokeLambdaFunction",
            source=page("interactions-invokelambdafunction"),
            summary="call a Lambda function; its response becomes $.External",
            next_source=R38,
            errors_source=R37,
            required=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
            optional=("InvocationType", "LambdaInvocationAttributes", "ResponseValidation"),
            closed=True,
        ),
        _spec(
            "UpdateContactAttributes",
            source=page("contact-actions-updatecontactattributes"),
            summary="set contact attributes ($.Attributes.*)",
            next_source=R38,
            errors_source=R37,
            required=("Attributes",),
            optional=("TargetContact",),
            closed=True,
        ),
        _spec(
            "Compare",
            source=page("flow-control-actions-compare"),
            summary="branch on one value (Check contact attributes)",
            next_source=verify("C1", note="the reference page says nothing about NextAction"),
            errors=("NoMatchingCondition",),
            required_errors=("NoMatchingCondition",),
            errors_source=verify("C1"),
            conditions=Conditions.COMPARE,
            required=("ComparisonValue",),
            closed=True,
        ),
        _spec(
            "Loop",
            source=page("flow-control-actions-loop"),
            summary="ContinueLooping LoopCount times, then DoneLooping once, then reset",
            next_source=R38,
            # "Errors: None" on the page; the service accepts NoMatchingError (rule 21).
            required_errors=(),
            errors_source=checked("21", note="the page says 'Errors: None'"),
            conditions=Conditions.LOOP,
            required=("LoopCount",),
            closed=True,
        ),
        _spec(
            "Wait",
            source=page("flow-control-actions-wait"),
            summary="pause for TimeLimitSeconds (WaitCompleted) or until an event",
            next_source=R38,
            errors=("NoMatchingError", "ParticipantNotFound"),
            errors_source=R37,
            conditions=Conditions.WAIT,
            required=("TimeLimitSeconds",),
            optional=("Events",),
            closed=True,
            parameters_source=checked(
                "22",
                note="the page names the limit TimeoutSeconds; the service refuses "
                "TimeoutSeconds by name and the console exports TimeLimitSeconds",
            ),
        ),
        _spec(
            "UpdateContactTargetQueue",
            source=page("contact-actions-updatecontacttargetqueue"),
            summary="set the working queue (exactly one of QueueId, AgentId)",
            next_source=R38,
            errors_source=R37,
            optional=("QueueId", "AgentId"),
            closed=True,
        ),
        _spec(
            "TransferContactToQueue",
            source=page("contact-actions-transfercontacttoqueue"),
            summary="put the contact in its working queue; ends this flow",
            next_source=R38,
            errors=("QueueAtCapacity", "NoMatchingError"),
            required_errors=("QueueAtCapacity", "NoMatchingError"),
            errors_source=live(
                R37.cite, note="the page lists QueueAtCapacity without saying it is required"
            ),
            closed=True,
            ends_flow=True,
        ),
        _spec(
            "TransferToFlow",
            source=page("flow-control-actions-transfertoflow"),
            summary="continue in another flow",
            next_source=R38,
            errors_source=R37,
            required=("ContactFlowId",),
            closed=True,
            ends_flow=True,
        ),
        _spec(
            "UpdateFlowLoggingBehavior",
            source=page("flow-control-actions-updateflowloggingbehavior"),
            summary="turn flow logs on or off",
            next_source=R38,
            errors=(),
            required_errors=(),
            errors_source=R37,
            required=("FlowLoggingBehavior",),
            closed=True,
        ),
        _spec(
            "UpdateContactTextToSpeechVoice",
            source=page("contact-actions-updatecontacttexttospeechvoice"),
            summary="choose the text-to-speech voice",
            next_source=R38,
            required_errors=(),
            errors_source=checked(
                "29", note="the page says NoMatchingError 'Must always be defined'"
            ),
            required=("TextToSpeechVoice",),
            optional=("TextToSpeechEngine", "TextToSpeechStyle"),
            closed=True,
        ),
        _terminal(
            "DisconnectParticipant",
            page("participant-actions-disconnectparticipant"),
            "hang up; terminal",
        ),
        _terminal(
            "EndFlowExecution",
            page("flow-control-actions-endflowexecution"),
            "end the flow without disconnecting; terminal",
        ),
    )
}

#: Every other action type: the ones rule 37 created in a sandbox instance (modelled by
#: flow-as-code) with the facts it recorded, then the ones no live check has covered.
_CATALOGUED: tuple[ActionSpec, ...] = (
    # Checked live (rules 37 and 38, and the 2026-09-15 checks) --------------------
    _spec(
        "DequeueContactAndTransferToQueue",
        source=page("contact-actions-dequeuecontactandtransfertoqueue"),
        summary="take a queued contact out of its queue into another",
        next_source=R38,
        errors=("QueueAtCapacity", "NoMatchingError"),
        required_errors=("QueueAtCapacity", "NoMatchingError"),
        errors_source=R37,
        optional=("QueueId", "AgentId"),
        ends_flow=True,
    ),
    _terminal(
        "EndFlowModuleExecution",
        page("endflowmoduleexecution"),
        "return from a flow module without disconnecting, optionally with a Result and "
        "ResultData; terminal",
        optional=("Result", "ResultData"),
        parameters_source=SPEED_DIAL,
    ),
    _spec(
        "InvokeFlowModule",
        source=page("flow-language-actions-invoke-flow-module"),
        summary="run a flow module, then continue (branching on its Result, if it returns one)",
        next_source=R38,
        errors_source=R37,
        # NoMatchingCondition is refused on a plain invoke (rule 37) and exported with the
        # Result branches of a module that returns one.
        conditions=Conditions.MODULE_RESULT,
        conditions_source=SPEED_DIAL,
        condition_errors=("NoMatchingCondition",),
        required=("FlowModuleId",),
    ),
    _spec(
        "TagContact",
        source=page("contact-actions-tagcontact"),
        summary="tag the contact (at most 6 user-defined tags)",
        next_source=R38,
        errors_source=checked("27", note="the page says errors 'None'"),
        required=("Tags",),
    ),
    _terminal(
        "TransferContactToAgent",
        page("contact-actions-transfercontacttoagent"),
        "transfer to the agent set as working queue; ends this flow",
    ),
    _spec(
        "UntagContact",
        source=checked("28", note="the page spells the type UnTagContact, which is refused"),
        summary="remove tags from the contact",
        next_source=R38,
        errors_source=R37,
        required=("TagKeys",),
        parameters_source=page("contact-actions-untagcontact"),
    ),
    _spec(
        "UpdateContactCallbackNumber",
        source=page("contact-actions-updatecontactcallbacknumber"),
        summary="set the callback number",
        next_source=R38,
        errors=("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        required_errors=("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        errors_source=R37,
        required=("CallbackNumber",),
        reference_only=("CallbackNumber",),
    ),
    _spec(
        "UpdateContactData",
        source=page("contact-actions-updatecontactdata"),
        summary="set contact properties (name, description, language, ...)",
        next_source=R38,
        errors_source=R37,
    ),
    _spec(
        "UpdateContactEventHooks",
        source=page("contact-actions-updatecontacteventhooks"),
        summary="set the flows run on contact events (hold, whisper, disconnect, ...)",
        next_source=R38,
        errors_source=R37,
        conditions_source=checked("31"),
        required=("EventHooks",),
    ),
    _spec(
        "UpdateContactRecordingAndAnalyticsBehavior",
        source=page("contact-actions-updatecontactrecordingandanalyticsbehavior"),
        summary="set recording and Contact Lens analytics (one behavior object)",
        next_source=R38,
        errors=("NoMatchingError", "ChannelMismatch", "InFlightRedactionConfigurationFailed"),
        required_errors=("NoMatchingError", "ChannelMismatch"),
        errors_source=checked("35"),
    ),
    _spec(
        "UpdateContactRecordingBehavior",
        source=page("contact-actions-updatecontactrecordingbehavior"),
        summary="set recording and analytics (legacy block)",
        next_source=R38,
        errors=(),
        required_errors=(),
        errors_source=live(R37.cite, note="the page lists NoMatchingError, which is refused"),
        required=("RecordingBehavior",),
        optional=("AnalyticsBehavior",),
    ),
    _spec(
        "UpdateContactRoutingBehavior",
        source=page("contact-actions-updatecontactroutingbehavior"),
        summary="change routing priority or age",
        next_source=R38,
        errors=(),
        required_errors=(),
        errors_source=R37,
        optional=("QueuePriority", "QueueTimeAdjustmentSeconds"),
    ),
    _spec(
        "CheckHoursOfOperation",
        source=page("flow-control-actions-checkhoursofoperation"),
        summary="branch on whether the hours of operation are in effect",
        next_source=R38,
        errors_source=R37,
        conditions=Conditions.TRUE_FALSE,
        optional=("HoursOfOperationId",),
    ),
    _spec(
        "CheckMetricData",
        source=page("flow-control-actions-checkmetricdata"),
        summary="branch on a queue metric",
        next_source=R38,
        errors=("NoMatchingError", "NoMatchingCondition"),
        required_errors=("NoMatchingError", "NoMatchingCondition"),
        errors_source=live(
            R37.cite,
            note="the page allows NoMatchingCondition only for two of the metrics",
        ),
        conditions=Conditions.AT_LEAST_ONE,
        conditions_source=R37,
        required=("MetricType",),
    ),
    _spec(
        "DistributeByPercentage",
        source=page("flow-control-actions-distributebypercentage"),
        summary="branch at random by percentages",
        next_source=R38,
        errors=("NoMatchingCondition",),
        required_errors=("NoMatchingCondition",),
        errors_source=R37,
        conditions=Conditions.ANY,
    ),
    _spec(
        "GetMetricData",
        source=page("flow-control-actions-getmetricdata"),
        summary="load queue metrics into $.Metrics",
        next_source=R38,
        errors_source=R37,
    ),
    _spec(
        "UpdateFlowAttributes",
        source=page("flow-control-actions-updateflowattributes"),
        summary="set flow attributes ($.FlowAttributes.*), not carried to other flows",
        next_source=R38,
        errors_source=checked("24", note="the page says errors 'None'"),
        required=("FlowAttributes",),
    ),
    _spec(
        "CreateCallbackContact",
        source=page("interactions-createcallbackcontact"),
        summary="create a callback contact",
        next_source=R38,
        errors_source=R37,
        # "Must be larger than 0 ... Must be defined statically"; no [Optional] marker.
        required=("InitialCallDelaySeconds", "MaximumConnectionAttempts", "RetryDelaySeconds"),
        parameters_source=page("interactions-createcallbackcontact"),
    ),
    _spec(
        "ConnectParticipantWithLexBot",
        source=page("participant-actions-connectparticipantwithlexbot"),
        summary="hand the participant to an Amazon Lex bot; branch on the intent",
        # The one non-terminal type rule 38 did not probe.
        next_action=Next.OPTIONAL,
        next_source=page("participant-actions-connectparticipantwithlexbot"),
        errors=("InputTimeLimitExceeded", "NoMatchingError", "NoMatchingCondition"),
        errors_source=R37,
        conditions=Conditions.ANY,
        optional=(*_PROMPT, "LexBot", "LexV2Bot", "LexSessionAttributes"),
        any_of=(("LexBot", "LexV2Bot"),),
    ),
    _spec(
        "GetParticipantInput",
        source=page("participant-actions-getparticipantinput"),
        summary="gather DTMF (voice) input: branch on it, or store it (StoreInput)",
        next_source=R38,
        errors=(
            "InputTimeLimitExceeded",
            "NoMatchingCondition",
            "InvalidPhoneNumber",
            "NoMatchingError",
        ),
        # The branches StoreInput decides are checked in validate.py (rule 37).
        errors_source=R37,
        conditions=Conditions.DTMF,
        required=("InputTimeLimitSeconds", "StoreInput"),
        optional=(*_PROMPT, "InputValidation", "InputEncryption", "DTMFConfiguration"),
        parameter_sources={"StoreInput": live(R37.cite, note="the page marks StoreInput optional")},
    ),
    _spec(
        "MessageParticipantIteratively",
        source=page("participant-actions-messageparticipantiteratively"),
        summary="play prompts in a loop until interrupted (queue and hold flows)",
        next_action=Next.OPTIONAL,
        next_source=R38,
        required_errors=(),
        errors_source=R37,
        conditions=Conditions.ANY,
        required=("Messages",),
        optional=("InterruptFrequencySeconds",),
    ),
    _spec(
        "ShowView",
        source=page("participant-actions-showview"),
        summary="show a view (step-by-step guide); branch on the user's choice",
        next_source=R38,
        errors=("NoMatchingCondition", "NoMatchingError", "TimeLimitExceeded"),
        required_errors=("NoMatchingCondition", "NoMatchingError", "TimeLimitExceeded"),
        errors_source=checked("34", note="the page marks no error branch required"),
        conditions=Conditions.ANY,
        required=("ViewResource", "InvocationTimeLimitSeconds"),
        optional=("ViewData", "SensitiveDataConfiguration"),
        parameter_sources={
            "InvocationTimeLimitSeconds": checked("34", note="the page marks no parameter required")
        },
    ),
    # Documented on its own page, not linked from the participant-actions list. The
    # page names the limit ThirdPartyConnectionTimeoutSeconds; exported flows carry
    # ThirdPartyConnectionTimeLimitSeconds. With ContinueFlowExecution "True" the
    # service requires CallFailed, ConnectionTimeLimitExceeded and NoMatchingError
    # (VERIFY.md row 16.8; checked in validate.py).
    _catalogued(
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
        summary="transfer to an external phone number or voice connector",
    ),
    # Not covered by a live check (flow-as-code leaves them generic) ---------------
    _catalogued(
        "CompleteOutboundCall",
        "contact-actions-completeoutboundcall",
        summary="place the outbound call of the contact (outbound whisper)",
    ),
    _catalogued("CreateCase", "createcase", summary="create a case (Cases)"),
    _catalogued("CreateTask", "createtask", summary="create a task contact"),
    _catalogued("CreateWisdomSession", "createwisdomsession", summary="start an AI-agent session"),
    _catalogued(
        "EvaluateDataTableValues",
        "data-table-block",
        summary="read values of a data table ($.DataTables.<query>.<attribute>); the "
        "Administrator Guide's Data Table block",
        required=("DataTableId", "Queries"),
        source=SPEED_DIAL,
        parameters_source=SPEED_DIAL,
    ),
    _catalogued("GetCase", "getcase", summary="find a case (Cases)"),
    # SourceEndpoint, DestinationEndpoint, ContactFlowArn, ContactSubtype; the page marks
    # only InitialSystemMessage and RelatedContact [Optional].
    _catalogued(
        "StartOutboundChatContact",
        "contact-actions-startoutboundchatcontact",
        required=("SourceEndpoint", "DestinationEndpoint", "ContactFlowArn", "ContactSubtype"),
        optional=("InitialSystemMessage", "RelatedContact"),
        conditions=Conditions.NONE,
        summary="start an outbound SMS chat contact",
    ),
    _catalogued("UpdateCase", "updatecase", summary="update a case (Cases)"),
    _catalogued(
        "UpdateContactMediaProcessing",
        "contact-actions-updatecontactmediaprocessing",
        summary="turn in-flight chat message processing on or off",
    ),
    _catalogued(
        "UpdateContactMediaStreamingBehavior",
        "contact-actions-updatecontactmediastreamingbehavior",
        required=("MediaStreamingState",),
        optional=("Participants", "MediaStreamType"),
        summary="start or stop live media streaming",
    ),
    _catalogued(
        "ResumeContact",
        "contact-actions-updatecontactresumecontact",
        summary="resume a paused contact",
    ),
    _catalogued(
        "UpdatePreviousContactParticipantState",
        "contact-actions-updatepreviouscontactparticipantstate",
        required=("PreviousContactParticipantState",),
        summary="hold or resume the previous participant (AgentOnHold, CustomerOnHold, OffHold)",
    ),
    _catalogued(
        "CheckOutboundCallStatus",
        "flow-control-actions-checkoutboundcallstatus",
        summary="branch on the outbound call's status",
    ),
    _catalogued(
        "CheckVoiceId", "flow-control-actions-checkvoiceid", summary="branch on a Voice ID result"
    ),
    _catalogued(
        "StartVoiceIdStream",
        "flow-control-actions-startvoiceidstream",
        summary="start streaming audio to Voice ID",
    ),
    # The page is titled UpdateRoutingCriteria ("RoutingCriteria: Required"); AWS's own
    # solutions deploy the same block as UpdateContactRoutingCriteria (issue 13).
    _catalogued(
        "UpdateRoutingCriteria",
        "flow-control-actions-updateroutingcriteria",
        required=("RoutingCriteria",),
        summary="set routing criteria (proficiency steps)",
    ),
    _catalogued(
        "UpdateContactRoutingCriteria",
        "flow-control-actions-updateroutingcriteria",
        required=("RoutingCriteria",),
        summary="set routing criteria (the deployed name of UpdateRoutingCriteria)",
        source=Source(
            Kind.EXPORT,
            "AWS solutions deploying the routing-criteria block under this name (issue 13)",
        ),
    ),
    _catalogued(
        "AssociateContactToCustomerProfile",
        "interactions-associatecontacttocustomerprofile",
        summary="associate the contact with a customer profile",
    ),
    _catalogued(
        "CreateCustomerProfile",
        "interactions-createcustomerprofile",
        summary="create a customer profile",
    ),
    _catalogued(
        "GetCustomerProfile",
        "interactions-getcustomerprofile",
        summary="find a customer profile into $.Customer",
    ),
    _catalogued(
        "GetCustomerProfileObject",
        "interactions-getcustomerprofileobject",
        summary="read a profile object (asset, order, ...)",
    ),
    _catalogued(
        "GetCalculatedAttributesForCustomerProfile",
        "interactions-getcalculatedattributesforcustomerprofile",
        summary="read a profile's calculated attributes",
    ),
    _catalogued(
        "UpdateCustomerProfile",
        "interactions-updatecustomerprofile",
        summary="update a customer profile",
    ),
    # On the Admin Guide's "Get stored content" block page, not in the flow-language
    # reference's lists; the page marks no parameter required.
    _catalogued(
        "LoadContactContent",
        "get-stored-content",
        summary="load stored content (an email message) into the flow",
        source=admin("get-stored-content"),
    ),
)

#: Every action type Connect's flow language has, as the service spells it.
CONNECT_ACTION_TYPES: dict[str, ActionSpec] = {
    **ACTION_SPECS,
    **{spec.type: spec for spec in _CATALOGUED},
}

#: Action types of the flow language that this package does not model (not simulated).
OTHER_CONNECT_TYPES = frozenset(CONNECT_ACTION_TYPES) - frozenset(ACTION_SPECS)

#: Spellings the reference uses that the service refuses, and the service's spelling.
REFUSED_SPELLINGS: Mapping[str, str] = {"UnTagContact": "UntagContact"}

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
DTMF_KEYS = frozenset("0123456789*#")
RECORDING_BEHAVIORS = ("ChatBehavior", "VoiceBehavior", "ScreenRecordingBehavior")

SYNC_TIME_LIMIT_SECONDS = 8
ASYNC_TIME_LIMIT_SECONDS = 60
MAX_LOOP_COUNT = 100
MAX_WAIT_SECONDS = 604_800
MAX_CONTACT_TAGS = 6

#: Flow types (CreateContactFlow's Type, botocore's ContactFlowType) and the flow module.
FLOW_TYPES = (
    "CONTACT_FLOW",
    "CUSTOMER_QUEUE",
    "CUSTOMER_HOLD",
    "CUSTOMER_WHISPER",
    "AGENT_HOLD",
    "AGENT_WHISPER",
    "OUTBOUND_WHISPER",
    "AGENT_TRANSFER",
    "QUEUE_TRANSFER",
    "CAMPAIGN",
)
INBOUND_FLOW_TYPE = "CONTACT_FLOW"
MODULE = "CONTACT_FLOW_MODULE"
#: `--flow-type MODULE` is short for CONTACT_FLOW_MODULE.
FLOW_TYPE_ALIASES: Mapping[str, str] = {"MODULE": MODULE}


# Rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    source: Source
    #: The service's words for a refusal, where the evidence records them.
    words: str | None = None


_MISSING_PROPERTY = "Action is missing required property."
_MISSING_ERROR = "Action is missing required error."
_INVALID_VALUE = "Invalid Action property value."


def _rule(id_: str, summary: str, source: Source, words: str | None = None) -> Rule:
    return Rule(id_, summary, source, words)


#: The rules that are not per action type (see `rules()` for those).
RULES: Mapping[str, Rule] = {
    rule.id: rule
    for rule in (
        # The document --------------------------------------------------------------
        _rule("json", "the content is one JSON object", page("flow-language")),
        _rule(
            "content-size",
            "at most 256,000 characters",
            page("API_CreateContactFlow"),
        ),
        _rule("version", "Version is 2019-10-30", page("flow-language")),
        _rule("start-action", "StartAction names one of the actions", page("flow-language")),
        _rule("actions", "Actions is a list of at most 250 objects", page("flow-language")),
        _rule(
            "identifier",
            "each Identifier present, unique, at most 50 characters, none of %:()\\/=$,;[]{} "
            "and no reserved name",
            page("flow-language-actions"),
        ),
        _rule("type", "every action has a Type", page("flow-language-actions")),
        _rule(
            "action-type",
            "the Type as the service spells it",
            checked("28"),
            words="Invalid Action type. Type: {type}",
        ),
        _rule("parameters", "Parameters is an object", page("flow-language-actions")),
        _rule(
            "transitions",
            "Transitions is an object; Errors and Conditions lists of branches",
            page("flow-language-actions"),
        ),
        _rule(
            "targets",
            "every NextAction names an action",
            page("flow-language-actions"),
        ),
        _rule("duplicate-error", "an error type once per action", page("flow-language-actions")),
        _rule(
            "references",
            "every reference in a parameter well formed, on a documented namespace",
            admin("connect-attrib-list"),
        ),
        # Transitions ----------------------------------------------------------------
        _rule(
            "error-type",
            "an error branch is one the action's type takes",
            R37,
            words="Invalid Action error. Error: {error}, Path: {path}",
        ),
        _rule(
            "no-conditions",
            "no Conditions where the type supports none",
            checked(
                "31",
                note="observed on UpdateContactEventHooks; the pages say 'No "
                "conditions are supported' for the others",
            ),
            words="Action does not support conditions",
        ),
        _rule(
            "compare-conditions",
            "Compare: known operators, numeric Number* operands",
            page("flow-control-actions-compare"),
        ),
        _rule(
            "loop-conditions",
            "Loop: exactly Equals ContinueLooping and DoneLooping",
            page("flow-control-actions-loop"),
        ),
        _rule(
            "wait-conditions",
            "Wait: Equals WaitCompleted and each event waited for",
            page("flow-control-actions-wait"),
        ),
        _rule(
            "hours-conditions",
            "CheckHoursOfOperation: exactly Equals True and False",
            page("flow-control-actions-checkhoursofoperation"),
        ),
        _rule(
            "dtmf-conditions",
            "GetParticipantInput: Equals one key, 0-9, * or #",
            page("participant-actions-getparticipantinput"),
        ),
        _rule("metric-conditions", "CheckMetricData: at least one condition", R37),
        _rule(
            "module-result-conditions",
            "InvokeFlowModule: conditions on the module's Result are comparisons",
            SPEED_DIAL,
        ),
        # Parameter shapes -------------------------------------------------------------
        _rule(
            "parameter-name",
            "no parameter the type does not take",
            checked("22", note="observed as Wait's TimeoutSeconds, refused by name"),
        ),
        _rule(
            "message-source",
            "MessageParticipant: exactly one of Text, SSML, PromptId, Media",
            page("participant-actions-messageparticipant"),
        ),
        _rule(
            "lambda",
            "InvokeLambdaFunction: an ARN or a reference, a time limit of 1-8 s "
            "(1-60 s asynchronous), a response type, string attributes",
            page("interactions-invokelambdafunction"),
        ),
        _rule(
            "attributes",
            "UpdateContactAttributes: a non-empty map of strings, TargetContact Current or Related",
            page("contact-actions-updatecontactattributes"),
        ),
        _rule(
            "compare-value",
            "Compare: ComparisonValue is one reference",
            page("flow-control-actions-compare"),
        ),
        _rule(
            "loop-count", "Loop: LoopCount 0-100 or a reference", page("flow-control-actions-loop")
        ),
        _rule(
            "wait-time-limit",
            "Wait: TimeLimitSeconds 1-604800 or a reference; Events "
            "from CustomerReturned, BotParticipantDisconnected",
            page("flow-control-actions-wait"),
        ),
        _rule(
            "target-queue",
            "UpdateContactTargetQueue: exactly one of QueueId, AgentId",
            page("contact-actions-updatecontacttargetqueue"),
        ),
        _rule(
            "logging-value",
            "UpdateFlowLoggingBehavior: Enabled or Disabled",
            page("flow-control-actions-updateflowloggingbehavior"),
        ),
        _rule(
            "callback-number",
            "UpdateContactCallbackNumber: CallbackNumber is one reference",
            page("contact-actions-updatecontactcallbacknumber"),
        ),
        _rule(
            "lex-bot",
            "ConnectParticipantWithLexBot: LexBot or LexV2Bot",
            page("participant-actions-connectparticipantwithlexbot"),
        ),
        _rule(
            "tag-count",
            "TagContact: at most 6 tags",
            checked("27"),
            words="More than 6 tags in Parameters.Tags",
        ),
        _rule(
            "untag-keys",
            "UntagContact: TagKeys a non-empty list of keys",
            checked("28", note="the page does not say TagKeys may not be empty"),
            words=_INVALID_VALUE + " Path: {path}",
        ),
        _rule(
            "flow-attribute-value",
            'UpdateFlowAttributes: each value an object {"Value": ...}',
            checked(
                "24",
                note="the page does not define the value (FlowAttribute); every "
                'console export writes {"Value": ...}',
            ),
        ),
        _rule(
            "event-hooks",
            "UpdateContactEventHooks: no EventHooksConfiguration",
            checked(
                "31", note="the console may export EventHooksConfiguration; the service refuses it"
            ),
            words="Action does not support conditions",
        ),
        _rule(
            "recording-behavior",
            "UpdateContactRecordingAndAnalyticsBehavior: exactly one of ChatBehavior, "
            "VoiceBehavior, ScreenRecordingBehavior",
            checked(
                "35",
                note="the page says ScreenRecordingBehavior 'Can be defined "
                "independently or alongside any channel behavior'",
            ),
            words=_INVALID_VALUE + " Path: {path}",
        ),
        _rule(
            "chat-redaction",
            "UpdateContactRecordingAndAnalyticsBehavior with ChatBehavior: the "
            "InFlightRedactionConfigurationFailed branch",
            checked("35"),
            words=_MISSING_ERROR + " Error: {error}, Path: {path}",
        ),
        _rule(
            "store-input",
            'GetParticipantInput: with StoreInput "True" InputValidation and no '
            "Conditions, NoMatchingCondition or InputTimeLimitExceeded; otherwise "
            "InputTimeLimitExceeded and NoMatchingCondition, no InputValidation or "
            "InvalidPhoneNumber",
            live(R37.cite, note="the page does not say InputTimeLimitExceeded is required"),
        ),
        _rule(
            "interrupt-frequency",
            "MessageParticipantIteratively: InterruptFrequencySeconds at least 1",
            verify("I5"),
            words=_INVALID_VALUE + " Path: {index}.InterruptSeconds",
        ),
        _rule(
            "third-party-errors",
            'TransferParticipantToThirdParty with ContinueFlowExecution "True": CallFailed, '
            "ConnectionTimeLimitExceeded and NoMatchingError",
            verify("16.8"),
            words=_MISSING_ERROR + " Error: {error}, Path: {path}",
        ),
        # Flow types --------------------------------------------------------------------
        _rule(
            "module-settings",
            "a flow module's content carries Settings",
            MODULE_SETTINGS,
            words="JSON field is missing or null for field name: settings",
        ),
        _rule(
            "module-only",
            "EndFlowModuleExecution only in a flow module",
            admin("return-module"),
        ),
        _rule(
            "inbound-only",
            "InvokeFlowModule only in an inbound flow (CONTACT_FLOW)",
            page("flow-language-actions-invoke-flow-module"),
        ),
        _rule(
            "module-invokes-module",
            "a flow module invokes no module",
            Source(
                Kind.REFERENCE,
                f"{_ADMIN}contact-flow-modules.html",
                note="flow-as-code reads the same page as allowing five levels of nesting",
            ),
        ),
    )
}

#: Checks that are not Connect's: the service does not make them at create.
LINTS: Mapping[str, Rule] = {
    "lambda-association": _rule(
        "lambda-association",
        "every statically named Lambda function is associated with the instance "
        "(only with associated_lambda_arns)",
        verify(
            "L3",
            note="CreateContactFlow accepts a flow naming an unassociated function; the "
            "contact fails when it reaches the block",
        ),
    ),
}


def rules() -> Iterator[Rule]:
    """Every rule the validator applies: `RULES` plus the ones each type has."""
    yield from RULES.values()
    for spec in CONNECT_ACTION_TYPES.values():
        if spec.next_action is Next.REQUIRED:
            yield _rule(
                f"next-action/{spec.type}",
                f"{spec.type} needs a NextAction",
                spec.next_source,
                words=_MISSING_PROPERTY + " Path: {path}",
            )
        if spec.is_terminal:
            yield _rule(
                f"no-transitions/{spec.type}",
                f"{spec.type} ends the flow: no NextAction, Errors or Conditions",
                spec.next_source,
                words="Action does not support transitions",
            )
        for error in spec.required_errors:
            yield _rule(
                f"required-error/{spec.type}/{error}",
                f"{spec.type} needs the error branch {error}",
                spec.errors_source,
                words=_MISSING_ERROR + " Error: {error}, Path: {path}",
            )
        for name in sorted(spec.required):
            yield _rule(
                f"required-parameter/{spec.type}/{name}",
                f"{spec.type} needs the parameter {name}",
                spec.parameter_sources.get(name, spec.parameters_source),
                words=_MISSING_PROPERTY + " Path: {path}",
            )


#: Every rule by id: `rules()` and `LINTS`.
RULE_INDEX: Mapping[str, Rule] = {**{r.id: r for r in rules()}, **LINTS}
