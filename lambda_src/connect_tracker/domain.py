"""The tracker's domain: requests, statuses and outcomes, on plain data.

Nothing here talks to AWS; the store and the handlers translate to and from it.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

# Names fixed for the namespace so a request id is the same on every machine and every day.
_REQUEST_ID_NAMESPACE = uuid.UUID("6f1c1d3e-5a43-4f7e-9c1b-0b7a3c2de0a1")

TASK_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
RESULT_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,127}$")
REQUEST_ID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: Keys the checker's answer owns; a task's result may not use them.
RESERVED_RESPONSE_KEYS = frozenset(
    {"Status", "RequestId", "TaskName", "DeadlineAt", "ErrorCode", "ErrorMessage"}
)

#: DynamoDB refuses items over 400 KB; parameters get this much, the rest is headroom
#: for the request's own attributes and its result.
MAX_PARAMETERS_BYTES = 300_000
#: Connect refuses Lambda responses over 32 KB; the result gets this much of the answer.
MAX_RESULT_BYTES = 30_000
MAX_ERROR_MESSAGE_CHARS = 1_000


class Status(StrEnum):
    """Where a request stands. The first five are stored; the last three are answers only.

    ``UNKNOWN`` is the checker's answer when the table did not answer in time: the request
    may be anywhere, so the flow polls again (its loop count still bounds the wait).
    """

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_REQUEST = "INVALID_REQUEST"
    UNKNOWN = "UNKNOWN"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_open(self) -> bool:
        """Stored and still waiting for an outcome."""
        return self in (Status.PENDING, Status.RUNNING)


_TERMINAL = frozenset({Status.COMPLETE, Status.FAILED, Status.TIMED_OUT})


class ErrorCode(StrEnum):
    """Codes the package itself gives; tasks may add their own."""

    MISSING_CONTACT_ID = "MISSING_CONTACT_ID"
    INVALID_EVENT = "INVALID_EVENT"
    INVALID_TASK_NAME = "INVALID_TASK_NAME"
    INVALID_PARAMETERS = "INVALID_PARAMETERS"
    PARAMETERS_TOO_LARGE = "PARAMETERS_TOO_LARGE"
    MISSING_REQUEST_ID = "MISSING_REQUEST_ID"
    MALFORMED_REQUEST_ID = "MALFORMED_REQUEST_ID"
    UNKNOWN_TASK = "UNKNOWN_TASK"
    TASK_ERROR = "TASK_ERROR"
    INVALID_RESULT = "INVALID_RESULT"
    RESULT_TOO_LARGE = "RESULT_TOO_LARGE"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    PROCESSOR_TIME_EXHAUSTED = "PROCESSOR_TIME_EXHAUSTED"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"


class RequestRejected(ValueError):
    """Input that can never become a request; carries the code the flow branches on."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TrackerRequest:
    """One request as stored in the tracker table."""

    request_id: str
    contact_id: str
    task_name: str
    parameters: Mapping[str, str]
    status: Status
    created_at: float
    deadline_at: int
    expires_at: int
    attempts: int = 0
    claim_token: str | None = None
    claimed_at: float | None = None
    completed_at: float | None = None
    result: Mapping[str, str] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    #: Who wrote the terminal status (store.FINISHED_BY_*); the claimant's lease end.
    finished_by: str | None = None
    lease_until: float | None = None

    def is_overdue(self, now: float) -> bool:
        return self.status.is_open and now >= self.deadline_at

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.deadline_at - now)


@dataclass(frozen=True)
class Outcome:
    """The terminal record a processor writes for a request it claimed."""

    status: Status
    result: Mapping[str, str] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None

    def __post_init__(self) -> None:
        if not self.status.is_terminal:
            raise ValueError(f"an outcome must be terminal, not {self.status.value}")

    @classmethod
    def complete(cls, result: Mapping[str, str]) -> Outcome:
        return cls(Status.COMPLETE, result=dict(result))

    @classmethod
    def failed(cls, code: str, message: str) -> Outcome:
        return cls(Status.FAILED, error_code=code, error_message=clip(message))

    @classmethod
    def timed_out(cls, code: str, message: str) -> Outcome:
        return cls(Status.TIMED_OUT, error_code=code, error_message=clip(message))


def clip(text: str, limit: int = MAX_ERROR_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request_id_for(contact_id: str, task_name: str) -> str:
    """The same contact asking for the same task always gets the same request id."""
    return str(uuid.uuid5(_REQUEST_ID_NAMESPACE, f"{contact_id}\x1f{task_name}"))


def new_request(
    *,
    contact_id: str,
    task_name: str,
    parameters: Mapping[str, str],
    now: float,
    deadline_seconds: int,
    ttl_seconds: int,
) -> TrackerRequest:
    """Build a pending request, refusing what could never be stored or run."""
    if not contact_id:
        raise RequestRejected(ErrorCode.MISSING_CONTACT_ID, "the event carries no ContactId")
    if not TASK_NAME_PATTERN.match(task_name):
        raise RequestRejected(
            ErrorCode.INVALID_TASK_NAME,
            "TaskName must start with a letter and hold at most 64 letters, digits, '_', '.' "
            f"or '-'; got {task_name[:80]!r}",
        )
    size = parameters_size(parameters)
    if size > MAX_PARAMETERS_BYTES:
        raise RequestRejected(
            ErrorCode.PARAMETERS_TOO_LARGE,
            f"the parameters take {size} bytes; at most {MAX_PARAMETERS_BYTES} fit in a request",
        )
    return TrackerRequest(
        request_id=request_id_for(contact_id, task_name),
        contact_id=contact_id,
        task_name=task_name,
        parameters=dict(parameters),
        status=Status.PENDING,
        created_at=round(now, 3),
        deadline_at=math.ceil(now + deadline_seconds),
        expires_at=math.ceil(now + ttl_seconds),
    )


def parameters_size(parameters: Mapping[str, str]) -> int:
    """Bytes the parameters take in a DynamoDB item (names and UTF-8 values)."""
    return sum(len(k.encode()) + len(v.encode()) for k, v in parameters.items())


def normalise_result(raw: object) -> Mapping[str, str]:
    """Turn what a task returned into the flat string map Connect accepts.

    Strings pass; numbers and booleans become their text; anything nested, a reserved key
    or a result over Connect's size limit is refused with the code the request fails with.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RequestRejected(
            ErrorCode.INVALID_RESULT,
            f"a task must return a mapping of strings, not {type(raw).__name__}",
        )
    result: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not RESULT_KEY_PATTERN.match(key):
            raise RequestRejected(
                ErrorCode.INVALID_RESULT,
                f"result key {str(key)[:80]!r} must start with a letter and hold only letters, "
                "digits and '_' (at most 128)",
            )
        if key in RESERVED_RESPONSE_KEYS:
            raise RequestRejected(
                ErrorCode.INVALID_RESULT,
                f"result key {key!r} is reserved for the checker's answer "
                f"({', '.join(sorted(RESERVED_RESPONSE_KEYS))})",
            )
        result[key] = _as_text(key, value)
    size = parameters_size(result)
    if size > MAX_RESULT_BYTES:
        raise RequestRejected(
            ErrorCode.RESULT_TOO_LARGE,
            f"the result takes {size} bytes; Connect accepts at most {MAX_RESULT_BYTES}",
        )
    return result


def _as_text(key: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise RequestRejected(
        ErrorCode.INVALID_RESULT,
        f"result value for {key!r} must be a string, number or boolean, not {type(value).__name__}",
    )
