"""Simulated calls through the deployed flow, against the real functions on the sandbox.

Each test places one contact (voice, chat or task) with
`tracker_sandbox.flows.simulate_contact` and a `Boto3LambdaInvoker` on the sandbox: the
writer, the stream, the processor and the checker all run for real. What a test asserts
comes from the simulator's JSON summary (path, prompts, Lambda calls, attributes, ending,
outcome, verdict) and from the tracker table.

Clocks. The flow paces its polls by time (a Wait block on chat and task, the holding
prompt and its SSML breaks on voice), but the real processor works in real seconds and
the real checker seals overdue requests by its own clock. Every call whose outcome
depends on the processor or the deadline therefore runs on the *real* clock: prompts and
waits are really waited, as a contact lives them. The writer error paths never reach the
loop, so they run on the simulated clock.

Deadline. The stack's request deadline is the integration tier's 20 s (conftest), and
the deployed flow's loop follows from it (ceil(20 / 5) + 1 = 5 polls). The "work inside
the deadline" proofs use work of 1, 7 and 15 s: about the same fractions of the 20 s
deadline as work of 5, 45 and 100 s of a 120 s one, at a sixth of the wall time. The
120 s cases themselves run on the real clock in test_long_calls.py (a stack with a 120 s
deadline, 12 contacts at once) and on the simulated clock against the rendered flow
(sandbox/tests/flows/test_flow_template.py).

Variants. The flow's TaskName is a literal of the rendered flow (modules/contact-flow
validates task_name as a name, so it cannot be a "$.Attributes.X" reference, and
task_parameters may not set TaskName). The cases that need another task, other task
parameters or another writer get a variant rendered by modules/contact-flow itself
(terraform, no provider) with the stack's real ARNs and deadline; the timed variant is
published to the sandbox's Connect emulator and fetched back from it by the simulator.
"""

from __future__ import annotations

import io
import itertools
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.config import Config
from scripts.flow_diagram import render_flows

from tests.integration.conftest import DEADLINE_SECONDS, EXAMPLE, Stack
from tests.integration.stack import log_lines, wait_for
from tracker_sandbox.flows import (
    ContactData,
    SimulationOptions,
    SimulationResult,
    simulate_contact,
)
from tracker_sandbox.flows.aws import Boto3LambdaInvoker, fetch_flow_content
from tracker_sandbox.flows.engine import flow_id_of
from tracker_sandbox.flows.lambdas import InvocationOutcome, LambdaInvoker
from tracker_sandbox.flows.runner import FlowResolver

# Every call goes through flows published to the endpoint's Connect.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("connect_endpoint")]

#: The example's flow (examples/localstack): polls until its 20 s deadline has passed,
#: each poll waiting in the checker; result_fields ["Message"].
CHANNELS = ("VOICE", "CHAT", "TASK")
#: Short prompts for the variants, so a real-time call costs seconds, not minutes.
SHORT_PROMPTS = {
    "greeting": "Hello.",
    "holding": "One moment please.",
    "thank_you_prefix": "Thanks.",
    "apology": "Sorry, goodbye.",
}
#: Work that outlives the 20 s deadline (the processor keeps the stream busy this long).
OVERDUE_WORK_SECONDS = DEADLINE_SECONDS + 5
#: A task name the module's validation lets through but the writer refuses (it must start
#: with a letter): the flow's writer call answers Status=INVALID_REQUEST.
REFUSED_TASK_NAME = "9-lives"

SUCCESS = frozenset({"thank-caller"})
#: Start first, talk after: the request, then the greeting, then the first poll at once.
LOOP_HEAD = [
    "invoke-writer",
    "check-writer-status",
    "remember-request-id",
    "greet",
    "invoke-checker",
    "check-request-status",
]
#: What comes right before a poll, per channel (docs/flow-design.md: a prompt breaks
#: Connect's 20-second chain of Lambda calls; chat is broken by the reassurance cadence).
BEFORE_POLL = {
    "VOICE": {"greet", "hold", "reassure"},
    "CHAT": {"greet", "chat-cadence", "reassure"},
    "TASK": {"greet", "task-pace"},
}
WRITER_REFUSED_PATH = ["invoke-writer", "check-writer-status", "apologize", "disconnect"]
WRITER_FAILED_PATH = ["invoke-writer", "retry-writer", "apologize", "disconnect"]


@dataclass(frozen=True)
class Variants:
    flows: dict[str, str]
    broken_writer_arn: str
    #: The timed variant as published to the Connect emulator: its ContactFlowArn.
    timed_flow_arn: str


def _arn_of(function_arn: str, name: str) -> str:
    return function_arn.rsplit(":", 1)[0] + f":{name}"


def _say(result: SimulationResult, wall_seconds: float) -> None:
    print(
        f"\n[simulated call] {result.clock} clock: {wall_seconds:.1f} s wall, "
        f"{result.elapsed_seconds:.1f} s of contact, "
        f"{sum(c.action == 'invoke-checker' for c in result.lambda_calls)} checker poll(s)\n"
        + result.render_transcript()
    )


@pytest.fixture(scope="module")
def lambda_invoker(stack: Stack) -> Boto3LambdaInvoker:
    """The simulator's boto3 invoker on the sandbox (the same settings as its own client)."""
    client = stack.session.client(
        "lambda",
        endpoint_url=stack.endpoint,
        config=Config(
            read_timeout=65, connect_timeout=5, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )
    return Boto3LambdaInvoker(client)


@pytest.fixture(scope="module")
def broken_writer(stack: Stack) -> Iterator[str]:
    """The real writer code whose table is unreachable: every invocation raises.

    A separate function (from the stack's own package, with the writer's role and settings
    but a table that does not exist), so the shared stack is never changed under the other
    tests; deleted, with its log group, afterwards.
    """
    lam = stack.client("lambda")
    writer = lam.get_function_configuration(FunctionName=stack.outputs["writer_function_name"])
    name = f"sim-broken-writer-{uuid.uuid4().hex[:6]}"
    environment = dict(writer["Environment"]["Variables"])
    environment["TRACKER_TABLE_NAME"] = f"{name}-no-such-table"
    # The example builds into its own builds/ folder; the output is relative to it.
    package = (EXAMPLE / stack.outputs["lambda_package_path"]).read_bytes()
    assert zipfile.ZipFile(io.BytesIO(package)).testzip() is None
    lam.create_function(
        FunctionName=name,
        Runtime=writer["Runtime"],
        Role=writer["Role"],
        Handler=writer["Handler"],
        Code={"ZipFile": package},
        Timeout=writer["Timeout"],
        MemorySize=writer["MemorySize"],
        Environment={"Variables": environment},
    )
    try:
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        yield _arn_of(writer["FunctionArn"], name)
    finally:
        lam.delete_function(FunctionName=name)
        logs = stack.client("logs")
        for group in logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")[
            "logGroups"
        ]:
            logs.delete_log_group(logGroupName=group["logGroupName"])


@pytest.fixture(scope="module")
def variants(stack: Stack, broken_writer: str) -> Variants:
    """Flows rendered by modules/contact-flow with the stack's ARNs (one terraform run)."""
    common: dict[str, Any] = {
        "writer_function_arn": stack.outputs["writer_function_arn"],
        "checker_function_arn": stack.outputs["checker_function_arn"],
        "prompts": SHORT_PROMPTS,
        "result_fields": ["Message"],
        "request_deadline_seconds": DEADLINE_SECONDS,
    }
    flows = render_flows(
        {
            "failing_task": {
                **common,
                "task_name": "integration_fails",
                "task_parameters": {"AccountId": "$.Attributes.AccountId"},
            },
            "timed": {
                **common,
                "task_name": "simulated_backend",
                "task_parameters": {"DelaySeconds": "$.Attributes.WorkSeconds"},
            },
            "refused_task": {**common, "task_name": "simulated_backend"},
            "broken_writer": {
                **common,
                "writer_function_arn": broken_writer,
                "task_name": "simulated_backend",
            },
        }
    )
    # The module refuses a task name the writer would refuse; a flow edited by hand in the
    # Connect console is not checked by anyone, so the refusal is put in the JSON here.
    flows["refused_task"] = flows["refused_task"].replace(
        '"TaskName":"simulated_backend"', f'"TaskName":"{REFUSED_TASK_NAME}"'
    )
    assert REFUSED_TASK_NAME in flows["refused_task"]
    # The timed variant is published like the deployed one: the emulator validates it as
    # Connect does (flows/README.md, "What validation checks") and the calls fetch it back
    # by ARN.
    instance_id = stack.outputs["contact_flow_arn"].split("/")[1]
    created = stack.client("connect").create_contact_flow(
        InstanceId=instance_id,
        Name=f"timed-{uuid.uuid4().hex[:6]}",
        Type="CONTACT_FLOW",
        Content=flows["timed"],
    )
    return Variants(flows, broken_writer, created["ContactFlowArn"])


def emulator_flows(stack: Stack) -> FlowResolver:
    """Flows as the simulator fetches them from the sandbox's Connect emulator, by id or ARN."""
    connect = stack.client("connect")
    instance_id = stack.outputs["contact_flow_arn"].split("/")[1]

    def resolve(target: str) -> str | None:
        return fetch_flow_content(instance_id, flow_id_of(target), client=connect)

    return resolve


def place_call(
    stack: Stack,
    content: str,
    invoker: LambdaInvoker,
    *,
    real_time: bool,
    attributes: dict[str, str] | None = None,
    writer_arn: str | None = None,
    channel: str = "VOICE",
    flows: FlowResolver | None = None,
) -> tuple[SimulationResult, dict[str, Any]]:
    """One contact through `content`; the result and its JSON summary (as the CLI prints it)."""
    began = time.monotonic()
    result = simulate_contact(
        content,
        invoker,
        contact=ContactData(channel=channel, attributes=attributes or {}),
        options=SimulationOptions(real_time=real_time, success_actions=SUCCESS),
        associated_lambda_arns=[
            writer_arn or stack.outputs["writer_function_arn"],
            stack.outputs["checker_function_arn"],
        ],
        flows=flows,
    )
    _say(result, time.monotonic() - began)
    summary = json.loads(json.dumps(result.to_dict()))
    return result, summary


def checker_polls(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [call for call in summary["lambda_calls"] if call["action"] == "invoke-checker"]


def prompt_texts(summary: dict[str, Any]) -> list[str]:
    return [prompt["text"] for prompt in summary["prompts"]]


def assert_poll_path(summary: dict[str, Any], tail: list[str], channel: str = "VOICE") -> None:
    """The path: the head, polls each right after a prompt (or the chat cadence), the tail."""
    path = summary["path"]
    assert path[: len(LOOP_HEAD)] == LOOP_HEAD, path
    assert path[-len(tail) :] == tail, path
    before = {path[i - 1] for i, step in enumerate(path) if step == "invoke-checker"}
    assert before <= BEFORE_POLL[channel], path


def deployed_polls(content: str) -> int:
    """The most polls the deployed flow makes: the one after the greeting, then its Loop's."""
    loop = next(a for a in json.loads(content)["Actions"] if a["Identifier"] == "poll-loop")
    return int(loop["Parameters"]["LoopCount"]) + 1


def test_a_call_through_the_deployed_flow_is_thanked_with_the_result(
    stack: Stack, lambda_invoker: Boto3LambdaInvoker
):
    """Success, on the real clock: the caller hears the holding prompt between polls until
    the real processor has finished, then the result."""
    content = stack.outputs["contact_flow_content"]
    result, summary = place_call(
        stack, content, lambda_invoker, real_time=True, attributes={"AccountId": "ACC-42"}
    )
    transcript = result.render_transcript()
    assert summary["success"], transcript
    assert summary["clock"] == "real"
    assert summary["ended_by"] == "DisconnectParticipant"
    assert summary["ended_at_action"] == "disconnect"

    polls = checker_polls(summary)
    assert 1 <= len(polls) <= deployed_polls(content), transcript
    assert_poll_path(summary, ["store-result", "thank-caller", "disconnect"])
    writer = summary["lambda_calls"][0]
    assert writer["action"] == "invoke-writer"
    assert writer["function_arn"] == stack.outputs["writer_function_arn"]
    assert writer["parameters"] == {"TaskName": "simulated_backend", "AccountId": "ACC-42"}
    assert writer["response"]["Status"] == "PENDING"
    request_id = writer["response"]["RequestId"]
    assert all(call["outcome"] == "success" for call in summary["lambda_calls"]), transcript
    assert all(call["parameters"] == {"RequestId": request_id} for call in polls)
    # Every poll before the last finds the request still open.
    assert {call["response"]["Status"] for call in polls[:-1]} <= {"PENDING", "RUNNING", "UNKNOWN"}
    final = polls[-1]["response"]
    assert final["Status"] == "COMPLETE"
    message = final["Message"]
    assert message == "Processed after 2 seconds"  # the example's SIMULATED_DELAY_SECONDS
    assert final["Echo_AccountId"] == "ACC-42"

    # Contact attributes set from the result, and the result spoken.
    assert summary["attributes"] == {
        "AccountId": "ACC-42",
        "TrackerRequestId": request_id,
        "Message": message,
    }
    texts = prompt_texts(summary)
    holding = "Still working on it, thank you for holding."
    assert texts[0] == "Thank you for calling. Let me look that up for you."
    assert texts[-1] == f"Thank you for waiting. {message}"
    # Between them silence (an SSML break has no words) and, every 25 s, the reassurance.
    assert set(texts[1:-1]) <= {"", holding}, transcript

    # The schedule: each poll right after the prompt before it, really waited...
    starts = [call["started_at"] for call in polls]
    for before, after in itertools.pairwise(starts):
        assert after > before
    # ...and the flow stops at the first poll after the processor finished, not later:
    # every earlier poll began before the request was completed.
    item = stack.item(request_id)
    assert item is not None
    assert item["Status"]["S"] == "COMPLETE"
    assert item["Attempts"]["N"] == "1"
    completed_at = float(item["CompletedAt"]["N"])
    call_began = result.started_at.timestamp()
    for call in polls[:-1]:
        assert call_began + call["started_at"] < completed_at + 1.0, transcript
    last = polls[-1]
    assert call_began + last["started_at"] + last["duration_seconds"] > completed_at - 1.0


def test_a_failing_task_ends_with_the_apology(
    stack: Stack, variants: Variants, lambda_invoker: Boto3LambdaInvoker
):
    """The processor records FAILED with the task's code; the flow's next poll apologizes."""
    result, summary = place_call(
        stack,
        variants.flows["failing_task"],
        lambda_invoker,
        real_time=True,
        attributes={"AccountId": "ACC-404"},
    )
    transcript = result.render_transcript()
    assert not summary["success"], transcript
    assert summary["success_reason"].endswith("passed failure action 'apologize'")
    assert summary["outcome"] == "APOLOGY"
    assert summary["ended_by"] == "DisconnectParticipant"
    polls = checker_polls(summary)
    assert 1 <= len(polls) < deployed_polls(variants.flows["failing_task"]), (
        f"the loop ran out first:\n{transcript}"
    )
    assert_poll_path(summary, ["apologize", "disconnect"])
    assert summary["lambda_calls"][0]["parameters"] == {
        "TaskName": "integration_fails",
        "AccountId": "ACC-404",
    }
    assert all(call["outcome"] == "success" for call in summary["lambda_calls"]), transcript
    assert {call["response"]["Status"] for call in polls[:-1]} <= {"PENDING", "RUNNING", "UNKNOWN"}
    final = polls[-1]["response"]
    assert final["Status"] == "FAILED"
    assert final["ErrorCode"] == "NO_SUCH_ACCOUNT"
    assert "ACC-404" in final["ErrorMessage"]
    # The reassurance comes at its cadence (every few polls), not once per poll.
    spoken = prompt_texts(summary)
    assert (spoken[0], spoken[-1]) == ("Hello.", "Sorry, goodbye."), spoken
    assert set(spoken[1:-1]) <= {"One moment please."}, spoken
    assert len(spoken) - 2 <= len(polls), spoken
    assert "Message" not in summary["attributes"]


def _timed_call(
    stack: Stack,
    variants: Variants,
    invoker: Boto3LambdaInvoker,
    channel: str,
    work_seconds: int,
) -> tuple[SimulationResult, dict[str, Any], list[dict[str, Any]]]:
    """A real-time contact on `channel` through the timed flow, fetched from the emulator."""
    flows = emulator_flows(stack)
    content = flows(variants.timed_flow_arn)
    assert content is not None
    assert json.loads(content) == json.loads(variants.flows["timed"])
    result, summary = place_call(
        stack,
        content,
        invoker,
        real_time=True,
        channel=channel,
        attributes={"WorkSeconds": str(work_seconds)},
    )
    return result, summary, checker_polls(summary)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("work_seconds", [1, 7, 15])
def test_work_inside_the_deadline_reaches_the_contact_on_every_channel(
    stack: Stack,
    variants: Variants,
    lambda_invoker: Boto3LambdaInvoker,
    channel: str,
    work_seconds: int,
):
    """The flow keeps the contact until the result is there, on voice, chat and task."""
    result, summary, polls = _timed_call(stack, variants, lambda_invoker, channel, work_seconds)
    transcript = result.render_transcript()
    assert summary["success"], transcript
    assert (summary["channel"], summary["outcome"], summary["result_delivered"]) == (
        channel,
        "RESULT",
        True,
    )
    final = polls[-1]["response"]
    assert final["Status"] == "COMPLETE", transcript
    assert final["Message"] == f"Processed after {work_seconds} seconds"
    assert summary["attributes"]["Message"] == final["Message"]
    assert {call["response"]["Status"] for call in polls[:-1]} <= {"PENDING", "RUNNING", "UNKNOWN"}
    # Paced by the checker: each open answer came after the checker's wait.
    assert all(call["duration_seconds"] >= 1.0 for call in polls[:-1]), transcript
    assert_poll_path(summary, ["store-result", "thank-caller", "disconnect"], channel)
    if channel == "TASK":
        assert not any(prompt["delivered"] for prompt in summary["prompts"])


@pytest.mark.parametrize("channel", CHANNELS)
def test_work_past_the_deadline_is_told_within_one_poll_after_it(
    stack: Stack, variants: Variants, lambda_invoker: Boto3LambdaInvoker, channel: str
):
    """The real checker seals the request TIMED_OUT at the first poll after its deadline;
    the contact hears the apology then, never while the request could still complete."""
    result, summary, polls = _timed_call(
        stack, variants, lambda_invoker, channel, OVERDUE_WORK_SECONDS
    )
    transcript = result.render_transcript()
    assert not summary["success"], transcript
    assert summary["outcome"] == "APOLOGY"
    assert polls[-1]["response"]["Status"] == "TIMED_OUT", transcript
    assert {call["response"]["Status"] for call in polls[:-1]} <= {"PENDING", "RUNNING", "UNKNOWN"}
    request_id = summary["lambda_calls"][0]["response"]["RequestId"]
    item = stack.item(request_id)
    assert item is not None
    assert item["Status"]["S"] == "TIMED_OUT"
    due = float(item["DeadlineAt"]["N"])
    call_began = result.started_at.timestamp()
    apology = next(p for p in summary["prompts"] if p["action"] == "apologize")
    # Not before the deadline...
    assert call_began + apology["at"] >= due - 1.0, transcript
    # ...and within one poll after it: the longest prompt between polls (on voice) and
    # the last two checker calls, with a few seconds for a loaded sandbox.
    deaf = max(
        (p["seconds"] for p in summary["prompts"] if p["action"] in ("hold", "reassure")),
        default=0.0,
    )
    calls_after = sum(call["duration_seconds"] for call in polls[-2:])
    assert call_began + apology["at"] <= due + deaf + calls_after + 3.0, transcript


def test_a_writer_refusing_the_request_ends_with_the_apology(
    stack: Stack, variants: Variants, lambda_invoker: Boto3LambdaInvoker
):
    """The writer answers Status=INVALID_REQUEST: no request, no polling, the apology."""
    result, summary = place_call(
        stack, variants.flows["refused_task"], lambda_invoker, real_time=False
    )
    transcript = result.render_transcript()
    assert not summary["success"], transcript
    assert summary["clock"] == "simulated"
    assert summary["ended_by"] == "DisconnectParticipant"
    assert summary["path"] == WRITER_REFUSED_PATH
    assert len(summary["lambda_calls"]) == 1
    writer = summary["lambda_calls"][0]
    assert writer["outcome"] == "success"
    assert writer["parameters"] == {"TaskName": REFUSED_TASK_NAME}
    assert writer["response"]["Status"] == "INVALID_REQUEST"
    assert writer["response"]["ErrorCode"] == "INVALID_TASK_NAME"
    assert "TrackerRequestId" not in summary["attributes"]
    # The flow greets once the request is recorded: a refused or failing writer is
    # answered with the apology alone.
    assert prompt_texts(summary) == ["Sorry, goodbye."]


def test_a_failing_writer_takes_the_error_branch_to_the_apology(
    stack: Stack, variants: Variants, lambda_invoker: Boto3LambdaInvoker
):
    """The writer function itself fails (its table is unreachable): Connect's error branch
    invokes it once more (it is idempotent), then apologizes."""
    result, summary = place_call(
        stack,
        variants.flows["broken_writer"],
        lambda_invoker,
        real_time=False,
        writer_arn=variants.broken_writer_arn,
    )
    transcript = result.render_transcript()
    assert not summary["success"], transcript
    assert summary["ended_by"] == "DisconnectParticipant"
    assert summary["path"] == WRITER_FAILED_PATH
    assert len(summary["lambda_calls"]) == 2
    for writer in summary["lambda_calls"]:
        assert writer["function_arn"] == variants.broken_writer_arn
        assert writer["outcome"] == "error"
        assert writer["error_kind"] == "FunctionError", transcript
        assert "ResourceNotFoundException" in writer["error"]
    steps = {step["action"]: step for step in summary["steps"]}
    assert steps["invoke-writer"]["next_action"] == "retry-writer"
    assert steps["retry-writer"]["next_action"] == "apologize"
    # The flow greets once the request is recorded: a refused or failing writer is
    # answered with the apology alone.
    assert prompt_texts(summary) == ["Sorry, goodbye."]


#: Throttled checker invocations before the throttle is lifted: Connect tries a throttled
#: call up to four times (retries.py), so about this many / 4 polls fail.
THROTTLED_ATTEMPTS = 16


class ThrottleLifting:
    """The sandbox invoker, lifting the checker's throttle (reserved concurrency 0) once
    Lambda has refused it `THROTTLED_ATTEMPTS` times."""

    def __init__(
        self, inner: Boto3LambdaInvoker, checker_arn: str, lift: Callable[[], object]
    ) -> None:
        self.inner, self.checker_arn, self.lift = inner, checker_arn, lift
        self.throttled = 0

    def invoke(self, function_arn: str, event: Any, time_limit_seconds: float) -> InvocationOutcome:
        outcome = self.inner.invoke(function_arn, event, time_limit_seconds)
        if function_arn == self.checker_arn and outcome.status_code == 429:
            self.throttled += 1
            if self.throttled == THROTTLED_ATTEMPTS:
                self.lift()
        return outcome


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_throttled_checker_keeps_the_caller_until_it_answers_again(
    stack: Stack, lambda_invoker: Boto3LambdaInvoker, channel: str
):
    """Lambda throttles every poll (the checker's reserved concurrency is 0) until the
    throttle is lifted. Connect retries each throttled call, then takes the error branch at
    once; the flow waits the checker's wait before the next poll (`failed-poll`), so the
    failures do not spend the Loop's polls in moments, and the caller hears the result as
    soon as the checker answers again (docs/flow-design.md)."""
    lam = stack.client("lambda")
    checker = stack.outputs["checker_function_name"]
    lam.put_function_concurrency(FunctionName=checker, ReservedConcurrentExecutions=0)
    invoker = ThrottleLifting(
        lambda_invoker,
        stack.outputs["checker_function_arn"],
        lambda: lam.delete_function_concurrency(FunctionName=checker),
    )
    try:
        result, summary = place_call(
            stack,
            stack.outputs["contact_flow_content"],
            invoker,
            real_time=True,
            channel=channel,
            attributes={"AccountId": "ACC-429"},
        )
    finally:
        lam.delete_function_concurrency(FunctionName=checker)
    transcript = result.render_transcript()
    polls = checker_polls(summary)
    failed = [call for call in polls if call["outcome"] != "success"]
    assert invoker.throttled == THROTTLED_ATTEMPTS, transcript
    assert len(failed) >= THROTTLED_ATTEMPTS // 4, transcript
    assert all("TooManyRequestsException" in call["error"] for call in failed), transcript
    assert summary["success"], transcript
    assert (summary["outcome"], summary["result_delivered"]) == ("RESULT", True)
    assert polls[-1]["response"]["Status"] == "COMPLETE"
    # The deployed checker's wait: how long a poll that finds the request open lasts.
    configuration = lam.get_function_configuration(FunctionName=checker)
    wait = int(configuration["Environment"]["Variables"]["TRACKER_CHECKER_WAIT_SECONDS"])
    for before, after in itertools.pairwise(polls):
        if before["outcome"] != "success":
            gap = after["started_at"] - (before["started_at"] + before["duration_seconds"])
            assert gap >= wait, transcript


def _transferring_flow(stack: Stack, target_arn: str, hold_seconds: int) -> str:
    """A first flow that asks for the timed variant's request, holds the contact for
    ``hold_seconds`` (the work is still running), then transfers it to ``target_arn``.

    Its writer call carries exactly the timed variant's parameters, so the second flow's
    writer call asks the same thing of the same contact chain."""
    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "ask",
            "Actions": [
                {
                    "Identifier": "ask",
                    "Type": "InvokeLambdaFunction",
                    "Parameters": {
                        "LambdaFunctionARN": stack.outputs["writer_function_arn"],
                        "InvocationTimeLimitSeconds": "8",
                        "ResponseValidation": {"ResponseType": "STRING_MAP"},
                        "LambdaInvocationAttributes": {
                            "TaskName": "simulated_backend",
                            "DelaySeconds": "$.Attributes.WorkSeconds",
                        },
                    },
                    "Transitions": {
                        "NextAction": "hold",
                        "Errors": [{"NextAction": "hang-up", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "hold",
                    "Type": "Wait",
                    "Parameters": {"TimeLimitSeconds": hold_seconds},
                    "Transitions": {
                        "NextAction": "hang-up",
                        "Conditions": [
                            {
                                "NextAction": "transfer",
                                "Condition": {"Operator": "Equals", "Operands": ["WaitCompleted"]},
                            }
                        ],
                        "Errors": [{"NextAction": "transfer", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "transfer",
                    "Type": "TransferToFlow",
                    "Parameters": {"ContactFlowId": target_arn},
                    "Transitions": {
                        "NextAction": "hang-up",
                        "Errors": [{"NextAction": "hang-up", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "hang-up",
                    "Type": "DisconnectParticipant",
                    "Parameters": {},
                    "Transitions": {},
                },
            ],
        }
    )


def test_a_transfer_mid_wait_gets_the_same_result_and_the_work_runs_once(
    stack: Stack, variants: Variants, lambda_invoker: Boto3LambdaInvoker
):
    """Issue 10's proof: the contact asks, waits, is transferred to a second flow that asks
    the same (new ContactId, same InitialContactId) and polls; it hears the one result and
    the task ran once."""
    first = _transferring_flow(stack, variants.timed_flow_arn, hold_seconds=3)
    result, summary = place_call(
        stack,
        first,
        lambda_invoker,
        real_time=True,
        attributes={"WorkSeconds": "8"},
        channel="CHAT",
        flows=emulator_flows(stack),
    )
    assert result.success, result.success_reason
    assert summary["outcome"] == "RESULT"
    assert summary["result_delivered"]
    assert len(summary["contact_ids"]) == 2
    assert len(summary["transfers"]) == 1
    writer_calls = [c for c in result.lambda_calls if c.function_arn.endswith("-writer")]
    assert len(writer_calls) == 2
    request_ids = {call.response["RequestId"] for call in writer_calls if call.response}
    assert len(request_ids) == 1, request_ids  # the second flow found the first one's request
    assert writer_calls[1].response
    assert writer_calls[1].response["Status"] in ("PENDING", "RUNNING")
    (request_id,) = request_ids

    def started() -> list[dict[str, object]]:
        return [
            line
            for line in log_lines(stack, "worker", request_id)
            if line.get("message") == "task.started"
        ]

    wait_for(lambda: started() or None, timeout=30, what="the worker's task.started line")
    assert len(started()) == 1, started()
