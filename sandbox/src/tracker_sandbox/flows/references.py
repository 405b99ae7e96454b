"""Flow-language references (`$.External.Status`, `$.Attributes.TrackerRequestId`, ...).

A parameter value is either static text or a reference to the flow's data. Some
parameters must be "fully static or a single valid JSONPath identifier"; prompt text
may carry references inside it ("Your number is $.External.Ticket").  This module
holds the grammar both the validator and the simulator use.
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
    }
)
OTHER_ROOTS = frozenset(
    {
        "Name",
        "Description",
        "LanguageCode",
        "TextToSpeechVoiceId",
        "StoredCustomerInput",
        "Lex",
        "Metrics",
        "Customer",
        "FlowAttributes",
        "SegmentAttributes",
        "Tags",
        "MediaStreams",
        "References",
        "Loop",
        "Case",
        "Views",
        "AgentId",
        "Agent",
        "ContactDetails",
    }
)
KNOWN_ROOTS = SIMULATED_ROOTS | OTHER_ROOTS

#: Roots that stand alone (no further path).
_SCALAR_ROOTS = frozenset(
    {
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
    }
)
_ENDPOINT_FIELDS = frozenset({"Address", "Type"})

_SEGMENT = r"(?:[A-Za-z0-9_\-]+|\['[^'\]]+'\])"
_REFERENCE = re.compile(rf"\$\.(?P<root>[A-Za-z][A-Za-z0-9_]*)(?P<rest>(?:\.{_SEGMENT})*)")
_SEGMENTS = re.compile(rf"\.({_SEGMENT})")


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
    """Whether a parameter value means to be dynamic (starts with `$.`)."""
    return isinstance(value, str) and value.startswith("$.")


def parse_reference(text: str) -> Reference:
    """Parse a whole-string reference, or raise `InvalidReference` saying why not."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        raise InvalidReference(f"{text!r} is not a well-formed reference such as $.External.Name")
    reference = Reference(match["root"], _split(match["rest"]))
    _check_shape(reference)
    return reference


def find_references(text: str) -> list[str]:
    """Every `$.`-reference embedded in a prompt text, as written."""
    return [match.group(0) for match in _REFERENCE.finditer(text)]


def embedded_problems(text: str) -> list[str]:
    """Messages for every malformed reference embedded in text (empty when all are fine)."""
    problems: list[str] = []
    for match in _REFERENCE.finditer(text):
        try:
            _check_shape(Reference(match["root"], _split(match["rest"])))
        except InvalidReference as error:
            problems.append(str(error))
    dangling = text.count("$.") - len(_REFERENCE.findall(text))
    if dangling > 0:
        problems.append(f"{dangling} '$.' without a namespace after it in {text!r}")
    return problems


def _split(rest: str) -> tuple[str, ...]:
    segments = []
    for raw in _SEGMENTS.findall(rest):
        segments.append(raw[2:-2] if raw.startswith("['") else raw)
    return tuple(segments)


def _check_shape(reference: Reference) -> None:
    root, path = reference.root, reference.path
    if root not in KNOWN_ROOTS:
        raise InvalidReference(f"$.{root} is not a namespace of the flow language")
    if root in _SCALAR_ROOTS and path:
        raise InvalidReference(f"$.{root} has no fields; {reference.text} is not valid")
    if root in ("External", "Attributes") and not path:
        raise InvalidReference(f"$.{root} needs a key, as in $.{root}.Name")
    if root == "Attributes" and len(path) > 1:
        raise InvalidReference(f"contact attributes are flat; {reference.text} is not valid")
    if root in ("CustomerEndpoint", "SystemEndpoint") and (
        len(path) != 1 or path[0] not in _ENDPOINT_FIELDS
    ):
        raise InvalidReference(
            f"$.{root} has only .Address and .Type; {reference.text} is not valid"
        )
