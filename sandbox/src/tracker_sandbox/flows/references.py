"""Flow-language references (`$.External.Status`, `$.Attributes.TrackerRequestId`, ...).

A parameter value is either static text or a reference to the flow's data. Some
parameters must be "fully static or a single valid JSONPath identifier"; others (prompt
text, attribute values) may carry references inside text ("Your number is
$.External.Ticket", "$.Customer.FirstName $.Customer.LastName"). This module holds the
grammar both the validator and the simulator use.

Forms, from "List of available contact attributes in Amazon Connect and their JSONPath
references" (https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html)
and "How to reference contact attributes in Amazon Connect"
(https://docs.aws.amazon.com/connect/latest/adminguide/how-to-reference-attributes.html):

- dot form: `$.Attributes.Name`, `$.Media.Sip.Headers.P-Asserted-Identity`;
- a key with special characters in brackets and single quotes after a dot:
  `$.Attributes.['user attribute name']` ("How to reference contact attributes");
- JSONPath bracket form: `$['AwsRegion']` (the attribute list gives "$.AwsRegion or
  $['AwsRegion']"), `$.Attributes['key with space']`, `$['Attributes']['key']`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Namespaces a flow may read. The first group is what the simulator can answer; the
#: rest are accepted by the validator and resolve to nothing in the simulator.
SIMULATED_ROOTS = frozenset(
    {
        "External",
        "Attributes",
        "CustomerEndpoint",
        "SystemEndpoint",
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "Channel",
        "InstanceARN",
        "InitiationMethod",
        "Queue",
        "FlowAttributes",  # UpdateFlowAttributes: $.FlowAttributes.<key>
        # A flow module's inputs ($.Modules.Input.<name>, read inside the module) and,
        # after InvokeFlowModule, the Result and ResultData its Return block set
        # ($.Modules.Result, $.Modules.ResultData.<key>). Read by console exports
        # (aws-samples/sample-amazon-connect-speed-dial, spec.SPEED_DIAL: kind "export").
        "Modules",
    }
)
OTHER_ROOTS = frozenset(
    {
        # System attributes ("List of available contact attributes ...").
        "AwsRegion",  # $.AwsRegion or $['AwsRegion']
        "CustomerId",
        "Name",
        "Description",
        "References",  # $.References.<key>.Value / .Type
        "LanguageCode",
        "TextToSpeechVoiceId",
        "Task",  # $.Task.ContactId
        "StoredCustomerInput",
        "SegmentAttributes",  # $.SegmentAttributes['connect:Subtype']
        "Tags",
        "Views",
        "Agent",  # $.Agent.UserName, .FirstName, .LastName, .ARN
        "AgentId",
        "Metrics",  # Get queue metrics: $.Metrics.Queue.Size, $.Metrics.Agents...
        "Media",  # telephony call metadata: $.Media.Sip.Headers.<header>
        "MediaStreams",  # $.MediaStreams.Customer.Audio.StreamARN
        "Lex",  # $.Lex.IntentName, $.Lex.Slots.<slot>, $.Lex.SessionAttributes.<key>
        "Case",
        "Loop",
        "Customer",  # Customer Profiles: $.Customer.FirstName, ...
        "Campaign",  # outbound campaigns
        # "$.LambdaInvocation.InvocationId contains the requestId of the most recent
        # asynchronously run Lambda" (Flow block: AWS Lambda function,
        # https://docs.aws.amazon.com/connect/latest/adminguide/invoke-lambda-function-block.html)
        "LambdaInvocation",
        "ContactDetails",
        # The callback number a queue-callback flow set (UpdateContactCallbackNumber).
        # Not on the attribute list we hold; console exports of a real instance read it
        # (aws-samples/amazon-connect-callbackmgmt, flows/cbAgentCallBackWhisper,
        # cbOutboundWhisper, cbSetCallback: kind "export"), so the service accepts it.
        "CallbackNumber",
        # A Data Table block's answers ($.DataTables.<query>.<attribute>) and an AI-agent
        # session ($.Wisdom.SessionArn). Read by console exports
        # (aws-samples/sample-amazon-connect-speed-dial, spec.SPEED_DIAL: kind "export");
        # the attribute list we hold names neither.
        "DataTables",
        "Wisdom",
    }
)
KNOWN_ROOTS = SIMULATED_ROOTS | OTHER_ROOTS

#: Roots that stand alone (no further path).
_SCALAR_ROOTS = frozenset(
    {
        "AwsRegion",
        "CustomerId",
        "ContactId",
        "InitialContactId",
        "PreviousContactId",
        "Channel",
        "InstanceARN",
        "InitiationMethod",
        "Name",
        "Description",
        "LanguageCode",
        "TextToSpeechVoiceId",
        "StoredCustomerInput",
        "AgentId",
        "CallbackNumber",
    }
)
#: Roots that need a key after them, and the only keys some of them have.
_KEYED_ROOTS = frozenset(
    {
        "External",
        "Attributes",
        "FlowAttributes",
        "LambdaInvocation",
        "Modules",
        "DataTables",
        "Wisdom",
    }
)
_FLAT_ROOTS = frozenset({"Attributes", "FlowAttributes"})
_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "CustomerEndpoint": frozenset({"Address", "Type"}),
    "SystemEndpoint": frozenset({"Address", "Type"}),
    "LambdaInvocation": frozenset({"InvocationId"}),
}
_NAME = r"[A-Za-z0-9_\-]+"
_QUOTED = r"(?:'[^'\]]+'|\"[^\"\]]+\")"
#: A segment after the root: `.name`, `.['key']` or `['key']`.
_SEGMENT = rf"(?:\.{_NAME}|\.?\[{_QUOTED}\])"
_REFERENCE = re.compile(
    rf"\$(?:\.(?P<root>[A-Za-z][A-Za-z0-9_]*)|\[(?P<qroot>{_QUOTED})\])"
    rf"(?P<rest>(?:{_SEGMENT})*)"
)
_SEGMENTS = re.compile(rf"\.({_NAME})|\.?\[({_QUOTED})\]")
#: Where a reference starts (`$.` or `$[`), for counting malformed ones in text.
_STARTS = re.compile(r"\$[.\[]")


@dataclass(frozen=True)
class Reference:
    """A parsed reference: `$.External.Status` -> root `External`, path `("Status",)`."""

    root: str
    path: tuple[str, ...]

    @property
    def text(self) -> str:
        parts = [f"$.{self.root}"]
        for segment in self.path:
            simple = re.fullmatch(r"[A-Za-z0-9_\-]+", segment) is not None
            parts.append(f".{segment}" if simple else f".['{segment}']")
        return "".join(parts)


class InvalidReference(ValueError):
    """A string that starts like a reference but is not a valid one."""


def is_reference(value: object) -> bool:
    """Whether a parameter value means to be dynamic (starts with `$.` or `$[`)."""
    return isinstance(value, str) and _STARTS.match(value) is not None


def is_single_reference(value: object) -> bool:
    """Whether the whole value is one reference (not text with references in it)."""
    return isinstance(value, str) and _REFERENCE.fullmatch(value) is not None


def has_references(value: object) -> bool:
    """Whether a text mentions a reference anywhere (well formed or not)."""
    return isinstance(value, str) and _STARTS.search(value) is not None


def parse_reference(text: str) -> Reference:
    """Parse a whole-string reference, or raise `InvalidReference` saying why not."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        raise InvalidReference(f"{text!r} is not a well-formed reference such as $.External.Name")
    reference = _from_match(match)
    _check_shape(reference)
    return reference


def find_references(text: str) -> list[str]:
    """Every reference embedded in a text, as written."""
    return [match.group(0) for match in _REFERENCE.finditer(text)]


def embedded_problems(text: str) -> list[str]:
    """Messages for every malformed reference embedded in text (empty when all are fine)."""
    problems: list[str] = []
    matches = list(_REFERENCE.finditer(text))
    for match in matches:
        try:
            _check_shape(_from_match(match))
        except InvalidReference as error:
            problems.append(str(error))
    dangling = len(_STARTS.findall(text)) - len(matches)
    if dangling > 0:
        problems.append(f"{dangling} '$.' without a namespace after it in {text!r}")
    return problems


def value_problems(value: str) -> list[str]:
    """Problems of a value that may be static, one reference, or text with references."""
    if is_single_reference(value):
        try:
            parse_reference(value)
        except InvalidReference as error:
            return [str(error)]
        return []
    return embedded_problems(value) if has_references(value) else []


def _unquote(quoted: str) -> str:
    return quoted[1:-1]


def _from_match(match: re.Match[str]) -> Reference:
    root = match["root"] if match["root"] is not None else _unquote(match["qroot"])
    return Reference(root, _split(match["rest"]))


def _split(rest: str) -> tuple[str, ...]:
    segments = []
    for name, quoted in _SEGMENTS.findall(rest):
        segments.append(name if name else _unquote(quoted))
    return tuple(segments)


def _check_shape(reference: Reference) -> None:
    root, path = reference.root, reference.path
    if root not in KNOWN_ROOTS:
        raise InvalidReference(f"$.{root} is not a namespace of the flow language")
    if root in _SCALAR_ROOTS and path:
        raise InvalidReference(f"$.{root} has no fields; {reference.text} is not valid")
    if root in _KEYED_ROOTS and not path:
        raise InvalidReference(f"$.{root} needs a key, as in $.{root}.Name")
    if root in _FLAT_ROOTS and len(path) > 1:
        raise InvalidReference(f"$.{root} is flat; {reference.text} is not valid")
    fields = _ONLY_FIELDS.get(root)
    if fields is not None and (len(path) != 1 or path[0] not in fields):
        raise InvalidReference(
            f"$.{root} has only {', '.join('.' + f for f in sorted(fields))}; "
            f"{reference.text} is not valid"
        )
