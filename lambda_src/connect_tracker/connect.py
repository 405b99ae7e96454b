"""The one place that knows Amazon Connect's Lambda event and response shapes.

Connect sends ``{"Details": {"ContactData": {...}, "Parameters": {...}}, "Name":
"ContactFlowEvent"}`` and, with ``STRING_MAP`` validation, takes back only a flat map whose
values are all strings. Parsing never raises anything but :class:`RequestRejected`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connect_tracker.domain import (
    REQUEST_ID_PATTERN,
    ErrorCode,
    RequestRejected,
    Status,
    TrackerRequest,
    answer_head,
)

#: Parameters the flow sets for the tracker itself; they are not handed to the task.
TASK_NAME_PARAMETER = "TaskName"
REQUEST_KEY_PARAMETER = "RequestKey"
REQUEST_ID_PARAMETER = "RequestId"
_MAX_PARAMETER_NAME = 128


@dataclass(frozen=True)
class ContactEvent:
    """What the tracker needs of a contact flow's Lambda event.

    ``chain_id`` names the contact chain: ``InitialContactId``, which Connect keeps when
    it gives a transferred contact (and a callback, a persistent chat) a new
    ``ContactId`` (Administrator Guide, "Contacts, contact chains, and contact
    attributes"; API Reference, Contact: "If this contact is related to other contacts,
    this is the ID of the initial contact"), else ``ContactId`` itself.
    """

    contact_id: str
    parameters: Mapping[str, str]
    chain_id: str = ""

    @property
    def chain(self) -> str:
        return self.chain_id or self.contact_id


def parse_contact_event(event: object) -> ContactEvent:
    if not isinstance(event, Mapping):
        raise RequestRejected(
            ErrorCode.INVALID_EVENT,
            f"expected a Connect ContactFlowEvent object, got {type(event).__name__}",
        )
    details = event.get("Details")
    if not isinstance(details, Mapping):
        raise RequestRejected(ErrorCode.INVALID_EVENT, "the event has no 'Details' object")
    contact = details.get("ContactData")
    contact_id = contact.get("ContactId") if isinstance(contact, Mapping) else None
    raw_parameters = details.get("Parameters", {})
    if raw_parameters is None:
        raw_parameters = {}
    if not isinstance(raw_parameters, Mapping):
        raise RequestRejected(
            ErrorCode.INVALID_PARAMETERS, "'Details.Parameters' must be an object of strings"
        )
    parameters: dict[str, str] = {}
    for name, value in raw_parameters.items():
        if not isinstance(name, str) or not name or len(name) > _MAX_PARAMETER_NAME:
            raise RequestRejected(
                ErrorCode.INVALID_PARAMETERS,
                f"parameter names must be 1 to {_MAX_PARAMETER_NAME} characters",
            )
        if not isinstance(value, str):
            raise RequestRejected(
                ErrorCode.INVALID_PARAMETERS,
                f"parameter {name[:80]!r} must be a string, not {type(value).__name__}",
            )
        parameters[name] = value
    if not isinstance(contact_id, str) or not contact_id.strip():
        raise RequestRejected(
            ErrorCode.MISSING_CONTACT_ID, "'Details.ContactData.ContactId' is missing or empty"
        )
    initial = contact.get("InitialContactId") if isinstance(contact, Mapping) else None
    chain_id = initial.strip() if isinstance(initial, str) and initial.strip() else ""
    return ContactEvent(
        contact_id=contact_id.strip(),
        parameters=parameters,
        chain_id=chain_id or contact_id.strip(),
    )


@dataclass(frozen=True)
class Ask:
    """What a writer call asks for: the task, its parameters, the flow's RequestKey."""

    task_name: str
    parameters: dict[str, str]
    request_key: str | None


def split_ask(event: ContactEvent, default_task: str) -> Ask:
    """The task the flow asks for, the parameters that go to it, and its RequestKey.

    ``TaskName`` and ``RequestKey`` are the tracker's own and never reach the task. An
    empty ``RequestKey`` (a flow attribute that was never set) counts as none.
    """
    parameters = dict(event.parameters)
    task_name = parameters.pop(TASK_NAME_PARAMETER, "").strip() or default_task
    request_key = parameters.pop(REQUEST_KEY_PARAMETER, "").strip() or None
    if not task_name:
        raise RequestRejected(
            ErrorCode.INVALID_TASK_NAME,
            f"the flow passed no '{TASK_NAME_PARAMETER}' parameter and the writer has no "
            "default task (TRACKER_DEFAULT_TASK)",
        )
    return Ask(task_name, parameters, request_key)


def requested_id(event: ContactEvent) -> str:
    """The request id a checker call asks about."""
    raw = event.parameters.get(REQUEST_ID_PARAMETER, "").strip()
    if not raw:
        raise RequestRejected(
            ErrorCode.MISSING_REQUEST_ID,
            f"the flow passed no '{REQUEST_ID_PARAMETER}' parameter",
        )
    candidate = raw.lower()
    if not REQUEST_ID_PATTERN.match(candidate):
        raise RequestRejected(
            ErrorCode.MALFORMED_REQUEST_ID,
            f"'{REQUEST_ID_PARAMETER}' must be a request id as the writer returns it",
        )
    return candidate


def writer_response(request: TrackerRequest) -> dict[str, str]:
    return answer_head(request)


def checker_response(request: TrackerRequest) -> dict[str, str]:
    response = answer_head(request)
    if request.status is Status.COMPLETE:
        response.update(request.result)
    elif request.status in (Status.FAILED, Status.TIMED_OUT):
        response["ErrorCode"] = request.error_code or ""
        response["ErrorMessage"] = request.error_message or ""
    return response


def not_found_response(request_id: str) -> dict[str, str]:
    """No such request, or not one this contact chain made: the same answer either way,
    so an id tells a stranger nothing."""
    return _without_request(
        request_id,
        Status.NOT_FOUND,
        Status.NOT_FOUND.value,
        "no request with this id for this contact (never created, expired, or another contact's)",
    )


def unknown_response(request_id: str) -> dict[str, str]:
    """The checker's answer when the table did not answer: poll again."""
    return _without_request(
        request_id,
        Status.UNKNOWN,
        ErrorCode.STORE_UNAVAILABLE.value,
        "the tracker table did not answer in time; poll again",
    )


def _without_request(request_id: str, status: Status, code: str, message: str) -> dict[str, str]:
    """An answer about ``request_id`` given without reading the request itself."""
    return {
        "RequestId": request_id,
        "Status": status.value,
        "ErrorCode": code,
        "ErrorMessage": message,
    }


def rejection_response(rejection: RequestRejected) -> dict[str, str]:
    return {
        "Status": Status.INVALID_REQUEST.value,
        "ErrorCode": rejection.code.value,
        "ErrorMessage": rejection.message,
    }
