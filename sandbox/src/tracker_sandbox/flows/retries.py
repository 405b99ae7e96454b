"""Connect's retries of a failing Lambda invocation within the block's time limit.

What Connect documents ("Flow block: Invoke AWS Lambda function", property Timeout,
https://docs.aws.amazon.com/connect/latest/adminguide/invoke-lambda-function-block.html):

    "If your Lambda invocation gets throttled, the request is retried. It is also
    retried if a general service failure (500 error) happens. When a synchronous
    invocation returns an error, Amazon Connect retries up to three times, for a
    maximum of 8 seconds. At that point, the contact is routed down the Error branch."

(The same words, as "Invocation retry policy", in "Invoke Lambda functions",
https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html.)

"Returns an error" is read as the errors the sentence before names (throttling, 500):
a function's own error comes back from Lambda as a successful (HTTP 200) invocation
with `FunctionError` set, not as a failed one. Modelled exactly so: an invocation that fails because Lambda throttled it (HTTP 429,
`TooManyRequestsException`) or with a service failure (HTTP 5xx, e.g.
`ServiceException`) is tried again, at most `MAX_RETRIES` more times, while the time
spent stays within the block's time limit (`InvocationTimeLimitSeconds`, itself at most
8 s for a synchronous call). No pause between attempts is documented, so none is
modelled. Anything else (the function's own error, a bad response, a function that
does not exist or may not be invoked, a timeout) is not retried: the contact takes the
error branch at once. The outcome handed back carries the total time of all attempts,
so a retry that succeeds after the limit is still the error branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from .lambdas import InvocationOutcome

#: "Amazon Connect retries up to three times".
MAX_RETRIES = 3
#: Lambda Invoke errors that are throttling (429) or service failures (5xx), by name,
#: for invokers that report only a message (Lambda API Reference, Invoke, "Errors",
#: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
RETRYABLE_ERROR_CODES = frozenset(
    {
        "TooManyRequestsException",  # 429
        "ThrottlingException",
        "ServiceException",  # 500
        "EC2ThrottledException",  # 502
        "EC2UnexpectedException",  # 502
        "ENILimitReachedException",  # 502
        "ResourceNotReadyException",  # 502
        "SubnetIPAddressLimitReachedException",  # 502
    }
)
_CODE = re.compile(r"\b([A-Z][A-Za-z0-9]+(?:Exception|Error))\b")


def is_retryable(outcome: InvocationOutcome) -> bool:
    """Whether Connect retries this failed invocation (throttled, or a 5xx failure)."""
    if outcome.failure is None:
        return False
    if outcome.status_code is not None:
        return outcome.status_code == 429 or outcome.status_code >= 500
    return any(code in RETRYABLE_ERROR_CODES for code in _CODE.findall(outcome.failure))


def invoke_with_retries(
    attempt: Callable[[float], InvocationOutcome],
    time_limit_seconds: float,
    *,
    on_retry: Callable[[int, InvocationOutcome], None] | None = None,
) -> tuple[InvocationOutcome, int]:
    """Call `attempt(remaining seconds)` as Connect does; answer (outcome, attempts).

    The outcome is the last attempt's, with `duration_seconds` the time of them all.
    """
    spent = 0.0
    attempts = 0
    while True:
        outcome = attempt(max(time_limit_seconds - spent, 0.0))
        attempts += 1
        spent += outcome.duration_seconds
        if not is_retryable(outcome) or attempts > MAX_RETRIES or spent >= time_limit_seconds:
            return replace(outcome, duration_seconds=spent), attempts
        if on_retry is not None:
            on_retry(attempts, outcome)
