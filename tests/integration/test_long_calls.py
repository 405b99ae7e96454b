"""Issue 10's proof at the module's own scale: a 120-second deadline, on the real clock.

The integration stack (examples/localstack) has a 20 s deadline so its tests stay short
(test_simulated_calls.py). This module applies its own small root,
tests/integration/long_deadline (the module with request_deadline_seconds = 120, a worker
timeout of 135 s as the module requires, the demo task simulated_backend working for the
contact's WorkSeconds attribute, and the flow published to the sandbox's Connect
emulator), fetches the deployed flow back from the emulator and places twelve contacts
through it at once with the simulator on its real clock: voice, chat and task, each with
work of 2 s, 45 s and 100 s, and each with work that outlives the deadline. The contacts
run concurrently (threads), so the whole proof costs the longest call (about 2.5 min),
not the sum of them.

What is asserted is the caller's outcome as the simulator reports it (docs/flow-design.md,
sandbox/src/tracker_sandbox/flows/verdict.py): the terminal prompt the contact reached,
whether the result reached it, and, for the overdue work, when the apology came relative to
the request's stored deadline. Connect's documented behaviour per channel (Play prompt
speaks on voice, sends a message on chat and does nothing on a task; Wait pauses chat and
task contacts) is the simulator's; see docs/flow-design.md for the sources.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.config import Config

from tests.integration.conftest import Stack
from tests.integration.stack import ROOT, Endpoint, deployed, sandbox_session
from tracker_sandbox.flows import ContactData, SimulationOptions, simulate_contact
from tracker_sandbox.flows.aws import Boto3LambdaInvoker, fetch_flow_content

# Every call goes through flows published to the endpoint's Connect.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("connect_endpoint")]

LONG_DEADLINE_ROOT = ROOT / "tests" / "integration" / "long_deadline"
DEADLINE_SECONDS = 120
CHANNELS = ("VOICE", "CHAT", "TASK")
#: Work inside the deadline (issue 20's proof: 2 s, 45 s and 100 s of a 120 s deadline).
WORK_INSIDE = (2, 45, 100)
#: Work that outlives the deadline (simulated_backend accepts up to 900 s).
WORK_OVERDUE = DEADLINE_SECONDS + 60
SUCCESS = frozenset({"thank-caller"})
OPEN = {"PENDING", "RUNNING", "UNKNOWN"}


@dataclass(frozen=True)
class Call:
    channel: str
    work_seconds: int
    #: The simulator's JSON summary (as `simulate --json` prints it).
    summary: dict[str, Any]
    transcript: str
    #: Epoch seconds at which the contact began (the simulator's started_at).
    began: float
    wall_seconds: float


def _say(message: str) -> None:
    print(f"[long-calls] {message}", file=sys.stderr, flush=True)


@pytest.fixture(scope="module")
def long_stack(connect_endpoint: Endpoint) -> Iterator[Stack]:
    """tests/integration/long_deadline applied on the endpoint; destroyed afterwards."""
    variables = {
        "name": f"lc-{secrets.token_hex(3)}",
        "request_deadline_seconds": DEADLINE_SECONDS,
    }
    with deployed(
        LONG_DEADLINE_ROOT, variables, label="long", say=_say, endpoint=connect_endpoint
    ) as deployment:
        yield Stack(
            deployment.endpoint,
            deployment.terraform.outputs(),
            deployment.terraform,
            sandbox_session(),
        )


def _place(stack: Stack, content: str, channel: str, work_seconds: int) -> Call:
    """One real-time contact through the deployed flow (its own boto3 client: a thread's)."""
    client = sandbox_session().client(
        "lambda",
        endpoint_url=stack.endpoint,
        config=Config(
            read_timeout=65, connect_timeout=5, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )
    began = time.monotonic()
    result = simulate_contact(
        content,
        Boto3LambdaInvoker(client),
        contact=ContactData(channel=channel, attributes={"WorkSeconds": str(work_seconds)}),
        options=SimulationOptions(real_time=True, success_actions=SUCCESS),
        associated_lambda_arns=[
            stack.outputs["writer_function_arn"],
            stack.outputs["checker_function_arn"],
        ],
    )
    return Call(
        channel,
        work_seconds,
        json.loads(json.dumps(result.to_dict())),
        result.render_transcript(),
        result.started_at.timestamp(),
        time.monotonic() - began,
    )


@pytest.fixture(scope="module")
def calls(long_stack: Stack) -> dict[tuple[str, int], Call]:
    """Every channel x every work length (and the overdue work), placed at once."""
    instance_id = long_stack.outputs["contact_flow_arn"].split("/")[1]
    content = fetch_flow_content(
        instance_id, long_stack.outputs["contact_flow_id"], client=long_stack.client("connect")
    )
    plan = [(channel, work) for channel in CHANNELS for work in (*WORK_INSIDE, WORK_OVERDUE)]
    # A dozen cold starts at once took first calls past Connect's 8 s on the shared sandbox.
    for function in ("writer", "checker"):
        long_stack.warm(function, len(plan))
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        placed = list(pool.map(lambda case: _place(long_stack, content, *case), plan))
    _say(f"{len(plan)} concurrent contacts in {time.monotonic() - began:.1f}s wall")
    for call in placed:
        _say(
            f"{call.channel} work {call.work_seconds}s: {call.summary['outcome']} after "
            f"{call.summary['elapsed_seconds']:.1f}s of contact ({call.wall_seconds:.1f}s wall)"
        )
    return {(call.channel, call.work_seconds): call for call in placed}


def _polls(call: Call) -> list[dict[str, Any]]:
    return [c for c in call.summary["lambda_calls"] if c["action"] == "invoke-checker"]


def test_the_deployed_flow_waits_for_a_120_second_deadline(long_stack: Stack):
    """The module rendered and published the flow for the 120 s deadline: the poll loop
    reaches past it (ceil(120 / checker wait) + 2 polls, the checker's wait read from its
    configuration), read back from the Connect emulator."""
    instance_id = long_stack.outputs["contact_flow_arn"].split("/")[1]
    content = json.loads(
        fetch_flow_content(
            instance_id, long_stack.outputs["contact_flow_id"], client=long_stack.client("connect")
        )
    )
    loop = next(a for a in content["Actions"] if a["Identifier"] == "poll-loop")
    checker = long_stack.client("lambda").get_function_configuration(
        FunctionName=long_stack.outputs["checker_function_arn"]
    )
    wait = int(checker["Environment"]["Variables"]["TRACKER_CHECKER_WAIT_SECONDS"])
    assert int(loop["Parameters"]["LoopCount"]) == -(-DEADLINE_SECONDS // wait) + 2


@pytest.mark.parametrize("work_seconds", WORK_INSIDE)
@pytest.mark.parametrize("channel", CHANNELS)
def test_work_inside_a_120_second_deadline_reaches_the_caller(
    long_stack: Stack, calls: dict[tuple[str, int], Call], channel: str, work_seconds: int
):
    """Voice, chat and task, work of 5, 45 and 100 s: the caller hears the result."""
    call = calls[(channel, work_seconds)]
    summary, transcript = call.summary, call.transcript
    assert summary["success"], transcript
    assert (summary["channel"], summary["outcome"], summary["result_delivered"]) == (
        channel,
        "RESULT",
        True,
    ), transcript
    assert summary["ended_by"] == "DisconnectParticipant", transcript
    polls = _polls(call)
    assert all(c["outcome"] == "success" for c in summary["lambda_calls"]), transcript
    assert {c["response"]["Status"] for c in polls[:-1]} <= OPEN, transcript
    final = polls[-1]["response"]
    assert final["Status"] == "COMPLETE", transcript
    message = f"Processed after {work_seconds} seconds"
    assert final["Message"] == message
    assert summary["attributes"]["Message"] == message
    # The last thing the contact reached is the thank-you with the result, never the apology.
    actions = [p["action"] for p in summary["prompts"]]
    assert "apologize" not in actions, transcript
    assert summary["prompts"][-1]["action"] == "thank-caller", transcript
    assert message in summary["prompts"][-1]["text"]
    # The work ran once and finished before its deadline.
    item = long_stack.item(polls[-1]["parameters"]["RequestId"])
    assert item is not None
    assert item["Status"]["S"] == "COMPLETE"
    assert item["Attempts"]["N"] == "1"
    assert float(item["CompletedAt"]["N"]) <= float(item["DeadlineAt"]["N"])


@pytest.mark.parametrize("channel", CHANNELS)
def test_work_past_a_120_second_deadline_is_told_within_one_poll_after_it(
    long_stack: Stack, calls: dict[tuple[str, int], Call], channel: str
):
    """The caller waits the whole deadline, then hears the apology within one poll
    interval (plus the checker's call and, on voice, the holding prompt) after it."""
    call = calls[(channel, WORK_OVERDUE)]
    summary, transcript = call.summary, call.transcript
    assert not summary["success"], transcript
    assert (summary["channel"], summary["outcome"], summary["result_delivered"]) == (
        channel,
        "APOLOGY",
        False,
    ), transcript
    polls = _polls(call)
    assert all(c["outcome"] == "success" for c in summary["lambda_calls"]), transcript
    assert {c["response"]["Status"] for c in polls[:-1]} <= OPEN, transcript
    assert polls[-1]["response"]["Status"] == "TIMED_OUT", transcript
    item = long_stack.item(polls[-1]["parameters"]["RequestId"])
    assert item is not None
    assert item["Status"]["S"] == "TIMED_OUT"
    due = float(item["DeadlineAt"]["N"])
    apology = next(p for p in summary["prompts"] if p["action"] == "apologize")
    told_at = call.began + apology["at"]
    # Never while the request could still complete within its deadline...
    assert told_at >= due, transcript
    # ...and within one poll after it. The poll before the apology read RUNNING before the
    # deadline at the latest, so after the deadline come at most: the rest of that poll's
    # call, the prompt between two polls (on voice the silence or the reassurance; none
    # on chat and task), and the poll that answers TIMED_OUT. One second on top for the
    # simulator's own steps on a loaded machine.
    deaf = max(
        (p["seconds"] for p in summary["prompts"] if p["action"] in ("hold", "reassure")),
        default=0.0,
    )
    calls_after = sum(c["duration_seconds"] for c in polls[-2:])
    assert told_at <= due + deaf + calls_after + 1.0, transcript
