"""Contacts placed through the module's real flow with the sandbox's simulator (issue 10).

`place_contact(stack, run)` renders the flow with modules/contact-flow (the stack's
writer and checker, its current request deadline, the task named in the plan, every
other parameter passed from a contact attribute), places one real-time contact through
it with `tracker_sandbox.flows.simulate_contact` and the deployed functions, and fills
the `ContactRun` the tier's assertions read. A contact placed this way follows whatever
the flow does (retry-writer, the checker-paced poll loop, the deadline-derived loop count,
the error branches) and Connect's 8 s limit on every Lambda block, where conftest's
`start_contact` / `follow` are a hand-written copy of the flow's logic without that limit.
Used by `FaultStack.run_contact` (every fault test that places whole contacts, the mixed
burst among them) and test_flow_contacts.py. A checker poll that outlives Connect's limit
takes the flow's error branch, which polls again: it is recorded in `run.slow_polls`, not
as a call error; a function error, a throttle or a failed invoke is a call error.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from scripts.flow_diagram import render_flows

from tests.integration.conftest import TERMINAL
from tracker_sandbox.flows import ContactData, SimulationOptions, simulate_contact
from tracker_sandbox.flows.aws import Boto3LambdaInvoker

if TYPE_CHECKING:
    from tests.reliability.conftest import ContactRun, FaultStack

#: Short prompts: a contact's time goes to the work, not to speech.
PROMPTS = {
    "greeting": "Hello.",
    "holding": "One moment.",
    "thank_you_prefix": "Thanks.",
    "apology": "Sorry.",
}
#: Chat: the checker's wait paces the polls (no speaking time between them).
CHANNEL = "CHAT"

_rendered: dict[tuple[Any, ...], str] = {}
_render_lock = threading.Lock()


def flow_checker_wait(poll_seconds: float) -> int:
    """The checker wait the flow is rendered for: the tier's pace, within what a
    synchronous Lambda block allows (modules/contact-flow's checker_wait_seconds)."""
    return min(7, max(1, round(poll_seconds)))


def flow_for(stack: FaultStack, task_name: str, names: tuple[str, ...], poll_seconds: float) -> str:
    """The module's flow for this task and parameter names (rendered once per shape)."""
    deadline = int(str(stack.terraform.variables["request_deadline_seconds"]))
    wait = flow_checker_wait(poll_seconds)
    key = (stack.outputs["writer_function_arn"], task_name, names, deadline, wait)
    with _render_lock:
        if key not in _rendered:
            _rendered[key] = render_flows(
                {
                    "contact": {
                        "writer_function_arn": stack.outputs["writer_function_arn"],
                        "checker_function_arn": stack.outputs["checker_function_arn"],
                        "request_deadline_seconds": deadline,
                        "checker_wait_seconds": wait,
                        "task_name": task_name,
                        "task_parameters": {name: f"$.Attributes.{name}" for name in names},
                        "prompts": PROMPTS,
                    }
                }
            )["contact"]
        return _rendered[key]


def place_contact(
    stack: FaultStack, run: ContactRun, *, poll_seconds: float, customer_number: str
) -> ContactRun:
    """`run` (its contact id and plan) through the rendered flow on the real clock, filled
    with what the contact lived through: the writer's answer, every poll, the errors."""
    parameters = run.parameters
    attributes = {name: value for name, value in parameters.items() if name != "TaskName"}
    content = flow_for(stack, parameters["TaskName"], tuple(sorted(attributes)), poll_seconds)
    invoker = Boto3LambdaInvoker(stack.strict_client("lambda"))
    result = simulate_contact(
        content,
        invoker,
        contact=ContactData(
            contact_id=run.contact_id,
            channel=CHANNEL,
            attributes=attributes,
            customer_address=customer_number,
        ),
        options=SimulationOptions(real_time=True),
    )
    began = result.started_at.timestamp()
    run.submitted_at = began
    run.outcome = result.outcome
    for call in result.lambda_calls:
        answered = began + call.started_at + min(call.duration_seconds, call.time_limit_seconds)
        problem = f"{call.error_kind}: {call.error}"
        if call.action in ("invoke-writer", "retry-writer"):
            if call.action == "invoke-writer":
                run.writer_seconds = answered - began - call.started_at
            if call.ok:
                run.written = dict(call.response)
            elif call.action == "invoke-writer":
                run.writer_retried = problem
            else:
                run.errors.append(f"writer: {problem}")
        elif call.error_kind == "TimeLimitExceeded":
            run.slow_polls.append(problem)
        elif call.ok:
            run.polls.append((began + call.started_at, answered, dict(call.response)))
            if call.response.get("Status") in TERMINAL:
                run.terminal_at = answered
        else:
            run.errors.append(f"checker: {problem}")
    return run
