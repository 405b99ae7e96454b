"""The tracker's domain: requests, statuses and outcomes, on plain data.

Nothing here talks to AWS; the store and the handlers translate to and from it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

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
#: Connect takes a Lambda answer only while its returned data is under 32 KB (Amazon
#: Connect Administrator Guide, "Invoke AWS Lambda functions"; see docs/flow-contract.md).
#: Counted as the JSON bytes the runtime sends, and read as 32,000 so that both readings
#: of "KB" hold: the whole checker answer, result included, must fit in this many bytes.
MAX_ANSWER_BYTES = 32_000
MAX_ERROR_MESSAGE_CHARS = 1_000
#: A flow-chosen RequestKey: 1 to 128 characters, no control characters.
MAX_REQUEST_KEY_CHARS = 128


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
    #: Sealed while still waiting for a worker (PENDING): the worker's concurrency limit,
    #: throttling or stream delay held it past its deadline (docs/execution.md).
    NOT_STARTED = "NOT_STARTED"
    #: The worker's own time limit (functions.worker.timeout) ended or left no room for the
    #: task before the request's deadline. The code keeps the name it had when the stream's
    #: processor ran tasks: flows and alarms that branch on it keep working.
    WORKER_TIME_EXHAUSTED = "PROCESSOR_TIME_EXHAUSTED"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    INVALID_REQUEST_KEY = "INVALID_REQUEST_KEY"
    REQUEST_KEY_REUSED = "REQUEST_KEY_REUSED"


class Serialization(StrEnum):
    """How the Lambda runtime turns the handler's return value into the bytes Connect gets.

    AWS's Python runtime interface client (awslambdaric, ``lambda_runtime_marshaller``,
    the runtime loop of AWS's Python base images) encodes with simplejson: on
    ``python3.12`` and later with ``ensure_ascii=False`` (non-ASCII text travels as UTF-8),
    before that with the default ``ensure_ascii=True`` (every non-ASCII character becomes
    ``\\uXXXX``, a character outside the BMP a pair of them). It chooses by
    ``AWS_EXECUTION_ENV`` (aws-lambda-python-runtime-interface-client PR #122 "Control
    unicode encoding behaviour based on execution environment").
    """

    ASCII = "ascii"
    UTF8 = "utf-8"


#: Runtimes whose answers carry non-ASCII text as UTF-8 (awslambdaric 4.2.2's set); any
#: other or unknown runtime is measured escaped, which is never smaller.
_UTF8_RUNTIMES = frozenset({"python3.12", "python3.13", "python3.14", "python3.15"})


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
    #: The contact chain that asked: InitialContactId, else ContactId. Only it may read
    #: the request back.
    chain_id: str = ""
    #: The flow's own name for the request (the RequestKey parameter), if it gave one.
    request_key: str | None = None
    attempts: int = 0
    claim_token: str | None = None
    claimed_at: float | None = None
    completed_at: float | None = None
    result: Mapping[str, str] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    #: Who wrote the terminal status (store.FINISHED_BY_*); the end of the claim's lease,
    #: which the claimant renews while it works (worker.Lease).
    finished_by: str | None = None
    lease_until: float | None = None

    def is_overdue(self, now: float) -> bool:
        return self.status.is_open and now >= self.deadline_at

    @property
    def claim_cut_off(self) -> bool:
        """Sealed TIMED_OUT while a claim held it, so its claimant recorded no outcome (it
        died, or still ran at the deadline): recording an outcome or releasing the claim
        removes the lease, a seal leaves it."""
        return self.status is Status.TIMED_OUT and self.lease_until is not None


@dataclass(frozen=True)
class Outcome:
    """The terminal record a worker writes for a request it claimed."""

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


def new_request(
    *,
    contact_id: str,
    task_name: str,
    parameters: Mapping[str, str],
    now: float,
    deadline_seconds: int,
    ttl_seconds: int,
    chain_id: str = "",
    request_key: str | None = None,
) -> TrackerRequest:
    """Build a pending request, refusing what could never be stored or run.

    Its id is random (uuid4): it says nothing of the contact or the task and cannot be
    computed from them. Which earlier request the same ask finds is decided by
    :func:`ask_key`, never by the id. ``chain_id`` defaults to ``contact_id``.
    """
    if not contact_id:
        raise RequestRejected(ErrorCode.MISSING_CONTACT_ID, "the event carries no ContactId")
    if not TASK_NAME_PATTERN.match(task_name):
        raise RequestRejected(
            ErrorCode.INVALID_TASK_NAME,
            "TaskName must start with a letter and hold at most 64 letters, digits, '_', '.' "
            f"or '-'; got {task_name[:80]!r}",
        )
    if request_key is not None:
        check_request_key(request_key)
    size = parameters_size(parameters)
    if size > MAX_PARAMETERS_BYTES:
        raise RequestRejected(
            ErrorCode.PARAMETERS_TOO_LARGE,
            f"the parameters take {size} bytes; at most {MAX_PARAMETERS_BYTES} fit in a request",
        )
    return TrackerRequest(
        request_id=str(uuid.uuid4()),
        contact_id=contact_id,
        chain_id=chain_id or contact_id,
        task_name=task_name,
        parameters=dict(parameters),
        request_key=request_key,
        status=Status.PENDING,
        created_at=round(now, 3),
        deadline_at=math.ceil(now + deadline_seconds),
        expires_at=math.ceil(now + ttl_seconds),
    )


def check_request_key(request_key: str) -> None:
    if not 0 < len(request_key) <= MAX_REQUEST_KEY_CHARS or not request_key.isprintable():
        raise RequestRejected(
            ErrorCode.INVALID_REQUEST_KEY,
            f"RequestKey must be 1 to {MAX_REQUEST_KEY_CHARS} printable characters",
        )


#: The ask item's key starts with this; a request id never does (it is a uuid).
ASK_KEY_PREFIX = "ask#"


def canonical_ask(task_name: str, parameters: Mapping[str, str]) -> str:
    """What a request asks for, as one unambiguous text: canonical JSON (sorted keys, no
    whitespace, ASCII escapes), so equal asks give equal text and different asks never do."""
    return json.dumps(
        {"TaskName": task_name, "Parameters": dict(parameters)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def ask_digest(task_name: str, parameters: Mapping[str, str]) -> str:
    return hashlib.sha256(canonical_ask(task_name, parameters).encode()).hexdigest()


def ask_key(request: TrackerRequest) -> str:
    """The key of the item that finds ``request`` again when the same thing is asked.

    Without a RequestKey: the chain, the task and its parameters (a retry-writer, a
    transfer, a second pass through the flow with the same ask find the same request).
    With one: the chain and the key only (a new key asks again, for example after FAILED).
    """
    if request.request_key is not None:
        identity = {"Chain": request.chain_id, "RequestKey": request.request_key}
    else:
        identity = {
            "Chain": request.chain_id,
            "Ask": canonical_ask(request.task_name, request.parameters),
        }
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return ASK_KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def same_ask(stored: TrackerRequest, asked: TrackerRequest) -> bool:
    """Whether ``stored`` (found through ``asked``'s ask key) asks for the same work."""
    return ask_digest(stored.task_name, stored.parameters) == ask_digest(
        asked.task_name, asked.parameters
    )


def key_reused(stored: TrackerRequest) -> RequestRejected:
    return RequestRejected(
        ErrorCode.REQUEST_KEY_REUSED,
        f"RequestKey {(stored.request_key or '')[:80]!r} already names request "
        f"{stored.request_id} with another task or other parameters; nothing was changed "
        "(use a new RequestKey for a new request)",
    )


def parameters_size(parameters: Mapping[str, str]) -> int:
    """Bytes the parameters take in a DynamoDB item (names and UTF-8 values)."""
    return sum(len(k.encode()) + len(v.encode()) for k, v in parameters.items())


def serialization_for(runtime: str) -> Serialization:
    """The serialization of a runtime, named as in ``AWS_EXECUTION_ENV``
    (``AWS_Lambda_python3.13``) or as configured (``python3.13``)."""
    name = runtime.strip().removeprefix("AWS_Lambda_")
    return Serialization.UTF8 if name in _UTF8_RUNTIMES else Serialization.ASCII


def answer_bytes(answer: Mapping[str, str], serialization: Serialization) -> int:
    """Bytes ``answer`` takes on the wire as the runtime serializes it (see Serialization).

    The standard library's encoder writes string maps exactly as long as simplejson's
    (same separators, same escapes: checked for every code point, both settings, on the
    simplejson 4.3.0 that awslambdaric 4.2.2 installs). tests/unit/test_answer_size.py
    compares this with awslambdaric itself on python3.11 and python3.13 when available.
    """
    text = json.dumps(answer, ensure_ascii=serialization is Serialization.ASCII)
    return len(text.encode("utf-8"))


def answer_head(request: TrackerRequest) -> dict[str, str]:
    """The fields every writer and checker answer about ``request`` starts with."""
    return {
        "RequestId": request.request_id,
        "Status": request.status.value,
        "TaskName": request.task_name,
        "DeadlineAt": str(request.deadline_at),
    }


def check_answer_fits(
    request: TrackerRequest, result: Mapping[str, str], serialization: Serialization
) -> None:
    """Refuse a result whose COMPLETE answer Connect could not take (RESULT_TOO_LARGE)."""
    answer = answer_head(replace(request, status=Status.COMPLETE)) | dict(result)
    size = answer_bytes(answer, serialization)
    if size > MAX_ANSWER_BYTES:
        raise RequestRejected(
            ErrorCode.RESULT_TOO_LARGE,
            f"the checker's answer with this result takes {size} bytes as the runtime sends "
            f"it ({serialization.value} JSON); Connect takes at most {MAX_ANSWER_BYTES}",
        )


def normalise_result(
    raw: object, request: TrackerRequest, serialization: Serialization
) -> Mapping[str, str]:
    """Turn what a task returned into the flat string map Connect accepts.

    Strings pass; numbers and booleans become their text; anything nested, a reserved key,
    text that is not valid Unicode, or a result whose whole checker answer would exceed
    Connect's limit as ``serialization`` writes it is refused with the code the request
    fails with: a COMPLETE that no poll could deliver is never recorded.
    """
    if raw is None:
        raw = {}
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
    check_answer_fits(request, result, serialization)
    return result


def _as_text(key: str, value: object) -> str:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestRejected(
                ErrorCode.INVALID_RESULT,
                f"result value for {key!r} is not valid Unicode text (a lone surrogate)",
            ) from None
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise RequestRejected(
        ErrorCode.INVALID_RESULT,
        f"result value for {key!r} must be a string, number or boolean, not {type(value).__name__}",
    )
