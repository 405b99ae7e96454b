"""How the simulated flow calls Lambda functions.

The simulator builds the event Connect sends (`build_contact_event`) and hands it to a
`LambdaInvoker`, which answers with an `InvocationOutcome`: the raw response bytes, the
function error if any, and how long the call took. Judging the outcome (time limit,
response validation, size) is the simulator's job, so every invoker is judged alike.

Invokers here: `CallableInvoker` runs Python handlers in-process; `StubInvoker` answers
from canned responses. `aws.Boto3LambdaInvoker` calls real (or LocalStack) functions.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_INSTANCE_ARN = (
    "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000000"
)


@dataclass(frozen=True)
class ContactData:
    """The simulated caller and contact; ids default to one fresh UUID."""

    contact_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    customer_address: str = "+15555550100"
    system_address: str = "+15555550199"
    instance_arn: str = DEFAULT_INSTANCE_ARN
    channel: str = "VOICE"
    initiation_method: str = "INBOUND"
    initial_contact_id: str | None = None
    previous_contact_id: str | None = None
    #: Contact attributes the contact arrives with (e.g. set by an earlier flow).
    attributes: Mapping[str, str] = field(default_factory=dict)
    #: The working queue the contact arrives with: {"ARN": ..., "Name": ...}, or none.
    queue: Mapping[str, str] | None = None


def build_contact_event(
    contact: ContactData,
    *,
    attributes: Mapping[str, str],
    parameters: Mapping[str, str],
    queue: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The event Connect's InvokeLambdaFunction sends (synchronous invocation)."""
    return {
        "Details": {
            "ContactData": {
                "Attributes": dict(attributes),
                "Channel": contact.channel,
                "ContactId": contact.contact_id,
                "CustomerEndpoint": {
                    "Address": contact.customer_address,
                    "Type": "TELEPHONE_NUMBER",
                },
                "InitialContactId": contact.initial_contact_id or contact.contact_id,
                "InitiationMethod": contact.initiation_method,
                "InstanceARN": contact.instance_arn,
                "PreviousContactId": contact.previous_contact_id or contact.contact_id,
                "Queue": dict(queue) if queue is not None else None,
                "SystemEndpoint": {
                    "Address": contact.system_address,
                    "Type": "TELEPHONE_NUMBER",
                },
            },
            "Parameters": dict(parameters),
        },
        "Name": "ContactFlowEvent",
    }


@dataclass(frozen=True)
class InvocationOutcome:
    """What came back from one invocation, before Connect's judgement of it."""

    duration_seconds: float
    #: The response body: the function's result, or its error document.
    payload: bytes | None = None
    #: Lambda's function error ("Unhandled", "Handled"), when the function failed.
    function_error: str | None = None
    #: The invocation itself failed (not found, throttled, network): why.
    failure: str | None = None
    #: The caller stopped waiting at the time limit (real-time mode); no answer.
    abandoned: bool = False
    #: The HTTP status of a failed invocation (429 throttled, 5xx service failure), when
    #: known; `retries.is_retryable` decides from it whether Connect tries again.
    status_code: int | None = None


class UnansweredInvocation(Exception):
    """The simulation has no way to answer this invocation: no stub names the function and
    there is no AWS to call (no region). Not something Connect does: the simulator stops."""

    def __init__(self, function_arn: str, why: str) -> None:
        super().__init__(f"{function_arn}: {why}")
        self.function_arn = function_arn
        self.why = why


class LambdaInvoker(Protocol):
    """Calls one function with one event; never raises for the function's own errors."""

    def invoke(
        self, function_arn: str, event: Mapping[str, Any], time_limit_seconds: float
    ) -> InvocationOutcome: ...


def function_name(function_arn: str) -> str:
    """`arn:aws:lambda:r:a:function:name[:qualifier]` -> `name`; anything else unchanged."""
    parts = function_arn.split(":")
    return parts[6] if function_arn.startswith("arn:") and len(parts) >= 7 else function_arn


Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The parts of Lambda's context object handlers commonly read."""

    function_name: str
    invoked_function_arn: str
    time_limit_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    log_group_name: str = ""
    log_stream_name: str = ""
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        remaining = self.time_limit_seconds - (time.monotonic() - self._started)
        return max(0, int(remaining * 1000))


class CallableInvoker:
    """Runs Python handlers in this process, as Lambda would run them.

    `handlers` maps a function ARN *or* bare function name to `handler(event, context)`.
    The result is serialised to JSON exactly as Lambda does; an exception becomes an
    `Unhandled` function error with Lambda's error document.
    """

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._handlers = dict(handlers)
        self._timer = timer

    def invoke(
        self, function_arn: str, event: Mapping[str, Any], time_limit_seconds: float
    ) -> InvocationOutcome:
        handler = self._handlers.get(function_arn) or self._handlers.get(
            function_name(function_arn)
        )
        if handler is None:
            return InvocationOutcome(
                0.0, failure=f"ResourceNotFoundException: no handler for {function_arn}"
            )
        context = LambdaContext(function_name(function_arn), function_arn, time_limit_seconds)
        started = self._timer()
        try:
            result = handler(json.loads(json.dumps(event)), context)
            payload = json.dumps(result).encode()
        except Exception as error:  # every handler failure is a function error
            document = {"errorMessage": str(error), "errorType": type(error).__name__}
            return InvocationOutcome(
                self._timer() - started,
                payload=json.dumps(document).encode(),
                function_error="Unhandled",
            )
        return InvocationOutcome(self._timer() - started, payload=payload)


@dataclass(frozen=True)
class StubResponse:
    """One canned answer: a JSON-able result (or raw bytes), how long it 'took'."""

    result: Any = None
    duration_seconds: float = 0.05
    function_error: str | None = None
    raw: bytes | None = None
    #: The invocation itself fails (e.g. "TooManyRequestsException: Rate exceeded"),
    #: with this HTTP status (429, 500, ...): no function runs, nothing is returned.
    failure: str | None = None
    status_code: int | None = None


#: The key of a stub answering every function that has no stub of its own.
ANY_FUNCTION = "*"


class StubInvoker:
    """Answers from canned responses, in order per function; the last one repeats.

    Keys are function ARNs or bare names, or `ANY_FUNCTION` for every other function.
    A function with no stub fails as a missing function does (the error branch), or, with
    `strict`, raises `UnansweredInvocation` (the command line: a flow reaching a function
    nobody stubbed is a setup problem, not a Connect behaviour). Every call is kept in
    `calls` as (function ARN, event) so tests can look at what the flow sent.
    """

    def __init__(
        self, responses: Mapping[str, Sequence[StubResponse | Any]], *, strict: bool = False
    ) -> None:
        self._responses = {
            key: [item if isinstance(item, StubResponse) else StubResponse(item) for item in items]
            for key, items in responses.items()
        }
        self._served: dict[str, int] = {}
        self._strict = strict
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(
        self, function_arn: str, event: Mapping[str, Any], time_limit_seconds: float
    ) -> InvocationOutcome:
        del time_limit_seconds
        self.calls.append((function_arn, json.loads(json.dumps(event))))
        key = next(
            (
                candidate
                for candidate in (function_arn, function_name(function_arn), ANY_FUNCTION)
                if candidate in self._responses
            ),
            function_arn,
        )
        answers = self._responses.get(key)
        if not answers:
            if self._strict:
                raise UnansweredInvocation(function_arn, "no --lambda-stub answers it")
            return InvocationOutcome(
                0.0, failure=f"ResourceNotFoundException: no stub for {function_arn}"
            )
        served = self._served.get(key, 0)
        self._served[key] = served + 1
        answer = answers[min(served, len(answers) - 1)]
        if answer.failure is not None:
            return InvocationOutcome(
                answer.duration_seconds, failure=answer.failure, status_code=answer.status_code
            )
        payload = answer.raw if answer.raw is not None else json.dumps(answer.result).encode()
        return InvocationOutcome(
            answer.duration_seconds, payload=payload, function_error=answer.function_error
        )
