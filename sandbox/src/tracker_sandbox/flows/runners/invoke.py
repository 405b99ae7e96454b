"""Invoke AWS Lambda function (InvokeLambdaFunction), synchronous, as Connect judges it.

The event is Connect's (`lambdas.build_contact_event`); a throttled or 5xx invocation is
retried within the block's time limit (retries.py); the answer takes the error branch when
it came after the limit or after the 20 seconds a chain of Lambda calls with no Play
prompt between them may take (runner.MAX_LAMBDA_CHAIN_SECONDS), is a function error, a failed invocation, not a JSON object, over
32 KB, or (under `STRING_MAP`) has a value that is not a string ("Grant Amazon Connect
access to your AWS Lambda functions", Verify the function response). A good answer is
`$.External`. A call no stub answers and no AWS can take stops the simulation
(`UNANSWERED_LAMBDA`) with a line naming the function as the flow resolved it.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Mapping
from typing import Any

from ..lambdas import (
    InvocationOutcome,
    UnansweredInvocation,
    build_contact_event,
    function_name,
)
from ..model import Action
from ..outcomes import StopSimulation
from ..result import LambdaCall
from ..retries import invoke_with_retries
from ..runner import Outcome, Runner

#: `ended_by` when a Lambda call has nobody to answer it (no stub, no AWS).
UNANSWERED_LAMBDA = "UnansweredLambda"
#: "InvocationTimeLimitSeconds ... Must be greater than 0, no larger than 8" (flow-language
#: reference, InvokeLambdaFunction); a value the validator let through is read as 8.
MAX_SYNCHRONOUS_SECONDS = 8.0


def run_invoke_lambda_function(sim: Runner, action: Action) -> Outcome:
    parameters = action.parameters
    if parameters.get("InvocationType", "SYNCHRONOUS") == "ASYNCHRONOUS":
        raise StopSimulation(
            "UnsupportedAction",
            f"asynchronous invocation ({action.identifier!r}) is not simulated",
        )
    raw_arn = parameters.get("LambdaFunctionARN", "")
    arn = sim.value_of(raw_arn)
    limit = _time_limit(parameters.get("InvocationTimeLimitSeconds"))
    validation = parameters.get("ResponseValidation")
    response_type = (
        str(validation.get("ResponseType", "STRING_MAP"))
        if isinstance(validation, dict)
        else "STRING_MAP"
    )
    sent = sim.values_of(parameters.get("LambdaInvocationAttributes") or {})
    event = build_contact_event(
        sim.contact, attributes=sim.attributes, parameters=sent, queue=sim.queue
    )
    started = sim.clock.elapsed()
    # What is left of the 20 seconds the calls since the last Play prompt may take.
    chain_left = sim.options.max_lambda_chain_seconds - sim.lambda_chain_seconds
    allowed = max(0.0, min(limit, chain_left))
    try:
        outcome, attempts = invoke_with_retries(  # Connect retries throttled/5xx calls
            lambda remaining: _invoke(sim, arn, event, remaining),
            allowed,
            on_retry=lambda number, failed: sim.say(
                "LAMBDA",
                action.identifier,
                f"{function_name(arn)} attempt {number} failed ({failed.failure}); Connect retries",
            ),
        )
    except UnansweredInvocation as unanswered:
        given = "" if raw_arn == arn else f" (LambdaFunctionARN {raw_arn})"
        raise StopSimulation(
            UNANSWERED_LAMBDA,
            f"{action.identifier!r} invokes {arn or '(nothing)'}{given}: {unanswered.why}; "
            f"answer it with --lambda-stub {function_name(arn) or 'FUNCTION'}=JSON "
            "(or --lambda-stub '*=JSON' for every function)",
        ) from None
    spent = min(outcome.duration_seconds, allowed)
    sim.clock.account(spent)
    sim.lambda_chain_seconds += spent
    judged: tuple[bool, Any, str | None, str | None]
    if allowed < limit and (outcome.abandoned or outcome.duration_seconds > allowed):
        judged = (
            False,
            None,
            "LambdaChainTimeLimitExceeded",
            f"the Lambda calls since the last prompt reached "
            f"{sim.options.max_lambda_chain_seconds:g} s (Connect's limit on a chain of "
            "Lambda functions; a Play prompt between them breaks it)",
        )
    else:
        judged = _judge(outcome, limit, response_type, sim.options.max_response_bytes)
    ok, response, kind, error = judged
    sim.result.lambda_calls.append(
        LambdaCall(
            action=action.identifier,
            function_arn=arn,
            parameters=sent,
            started_at=started,
            duration_seconds=outcome.duration_seconds,
            time_limit_seconds=limit,
            response_type=response_type,
            ok=ok,
            response=response,
            error_kind=kind,
            error=error,
            attempts=attempts,
        )
    )
    name = function_name(arn)
    if not ok:
        sim.say(
            "LAMBDA",
            action.identifier,
            f"{name} failed after {outcome.duration_seconds:.2f} s: {kind}: {error}",
        )
        return sim.go_error(action, "NoMatchingError", f"{kind}")
    sim.external = response if isinstance(response, dict) else {}
    sim.say(
        "LAMBDA",
        action.identifier,
        f"{name} answered in {outcome.duration_seconds:.2f} s: {json.dumps(response)}",
    )
    return sim.go_next(action)


def _invoke(sim: Runner, arn: str, event: Mapping[str, Any], limit: float) -> InvocationOutcome:
    if not sim.clock.real_time:
        return sim.invoker.invoke(arn, event, limit)
    # A real caller waits at most `limit`; the function may go on running, as in Connect.
    box: list[InvocationOutcome | UnansweredInvocation] = []

    def call() -> None:
        try:
            box.append(sim.invoker.invoke(arn, event, limit))
        except UnansweredInvocation as unanswered:
            box.append(unanswered)

    worker = threading.Thread(target=call, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(limit)
    if not box:
        return InvocationOutcome(time.monotonic() - started, abandoned=True)
    if isinstance(box[0], UnansweredInvocation):
        raise box[0]
    return box[0]


def _judge(
    outcome: InvocationOutcome, limit: float, response_type: str, max_bytes: int
) -> tuple[bool, Any, str | None, str | None]:
    """(ok, response, error kind, error message) as Connect would judge the call."""
    if outcome.failure is not None:
        return False, None, "InvokeFailed", outcome.failure
    if outcome.abandoned or outcome.duration_seconds > limit:
        return (
            False,
            None,
            "TimeLimitExceeded",
            f"took {outcome.duration_seconds:.2f} s; the limit is {limit:g} s",
        )
    payload = outcome.payload or b""
    if outcome.function_error is not None:
        return (
            False,
            _decode(payload),
            "FunctionError",
            f"{outcome.function_error}: {payload.decode(errors='replace')[:500]}",
        )
    if len(payload) > max_bytes:
        return False, None, "ResponseTooLarge", f"{len(payload)} bytes; at most {max_bytes}"
    try:
        response = json.loads(payload)
    except ValueError:
        return False, None, "InvalidResponse", "the response is not JSON"
    if not isinstance(response, dict):
        return (
            False,
            response,
            "InvalidResponse",
            f"the response is a JSON {type(response).__name__}, not an object",
        )
    if response_type == "STRING_MAP":
        bad = sorted(key for key, value in response.items() if not isinstance(value, str))
        if bad:
            return (
                False,
                response,
                "InvalidResponse",
                f"STRING_MAP needs string values; not strings: {', '.join(bad)}",
            )
    return True, response, None, None


def _time_limit(value: object) -> float:
    try:
        limit = float(str(value))
    except ValueError:
        return MAX_SYNCHRONOUS_SECONDS
    return limit if math.isfinite(limit) and limit > 0 else MAX_SYNCHRONOUS_SECONDS


def _decode(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode(errors="replace")


RUNNERS = {"InvokeLambdaFunction": run_invoke_lambda_function}
