"""The tracker as a flow module on the sandbox (docs/flow-module.md, issue 13 item 1).

One test takes the shared stack through the module's life as a user would, with
`examples/localstack`'s `create_contact_flow_module` switch: apply (the module, the
module's flow invoking it and the two-lookups flow are published to the sandbox's Connect
emulator, which validates them as Connect does), a no-change plan, simulated calls through
both flows with the module fetched back from the emulator and the real functions, an
in-place update (content and description), and the switch back off, which destroys the
module and puts the inline flow back (the rest of the session's tests use it). Calls run
on the real clock: the real processor works in real seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

from tests.integration.conftest import DEADLINE_SECONDS, Stack
from tests.integration.test_simulated_calls import _say
from tracker_sandbox.flows import ContactData, SimulationOptions, SimulationResult, simulate_contact
from tracker_sandbox.flows.aws import Boto3LambdaInvoker, fetch_flow_content
from tracker_sandbox.flows.modules import DescribedFlowModules

# Every call goes through flows published to the endpoint's Connect.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("connect_endpoint")]

SECOND_TASK = "integration_account_status"
#: Answers 3 s before its request's deadline (tests/integration/tasks).
LATE_TASK = "integration_answers_late"
UPDATED_HOLDING = "Still looking, one moment."
UPDATED_DESCRIPTION = "Tracker module, updated in place"


@pytest.fixture(scope="module")
def invoker(stack: Stack) -> Boto3LambdaInvoker:
    """The simulator's invoker on the sandbox: one attempt per call (the simulator models
    Connect's retries), as in test_simulated_calls."""
    client = stack.session.client(
        "lambda",
        endpoint_url=stack.endpoint,
        config=Config(
            read_timeout=65, connect_timeout=5, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )
    return Boto3LambdaInvoker(client)


@pytest.fixture(scope="module")
def module_stack(stack: Stack) -> Iterator[dict[str, Any]]:
    """The stack with the flow module switched on; switched off (module destroyed, inline
    flow restored) afterwards, whatever happened."""
    inline_flow = stack.outputs["contact_flow_content"]
    published: dict[str, Any] = {}
    try:
        stack.terraform.apply(create_contact_flow_module=True, second_lookup_task=SECOND_TASK)
        published = stack.terraform.outputs()
        yield published
    finally:
        for changed in (
            "holding_prompt",
            "contact_flow_module_description",
            "first_lookup_task",
            "second_lookup_task",
        ):
            stack.terraform.variables.pop(changed, None)
        stack.terraform.apply(create_contact_flow_module=False)
    restored = stack.terraform.outputs()
    assert restored.get("contact_flow_module_id") is None  # null outputs are left out
    assert json.loads(restored["contact_flow_content"]) == json.loads(inline_flow)
    connect = stack.client("connect")
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_contact_flow_module(
            InstanceId=_instance_id(restored),
            ContactFlowModuleId=published["contact_flow_module_id"],
        )


def _instance_id(outputs: dict[str, Any]) -> str:
    return str(outputs["contact_flow_arn"].split("/")[1])


def _call(
    stack: Stack,
    outputs: dict[str, Any],
    flow_id: str,
    invoker: Boto3LambdaInvoker,
    *,
    attributes: dict[str, str],
    channel: str = "VOICE",
) -> tuple[SimulationResult, dict[str, Any]]:
    """A real-time contact through a deployed flow, its modules fetched from the emulator."""
    connect = stack.client("connect")
    instance_id = _instance_id(outputs)
    content = fetch_flow_content(instance_id, flow_id, client=connect)
    began = time.monotonic()
    result = simulate_contact(
        content,
        invoker,
        contact=ContactData(channel=channel, attributes=attributes),
        options=SimulationOptions(
            real_time=True,
            success_actions=frozenset({"thank-caller"}),
            flow_modules=DescribedFlowModules(connect, instance_id),
        ),
        associated_lambda_arns=[outputs["writer_function_arn"], outputs["checker_function_arn"]],
    )
    _say(result, time.monotonic() - began)
    return result, json.loads(json.dumps(result.to_dict()))


def _two_lookups(
    stack: Stack, outputs: dict[str, Any], invoker: Boto3LambdaInvoker, channel: str
) -> tuple[SimulationResult, dict[str, Any]]:
    """A contact through the two-lookups flow, for accounts ACC-1 and ACC-2."""
    return _call(
        stack,
        outputs,
        outputs["two_lookups_flow_id"],
        invoker,
        attributes={"AccountId": "ACC-1", "SecondAccountId": "ACC-2"},
        channel=channel,
    )


def _module_calls(summary: dict[str, Any], action: str) -> list[dict[str, Any]]:
    """Lambda calls made by the module's `action` (named `<module-id>/<action>` in a run)."""
    return [call for call in summary["lambda_calls"] if call["action"].endswith(f"/{action}")]


def test_the_flow_module_through_apply_replan_calls_update_and_removal(
    stack: Stack, module_stack: dict[str, Any], invoker: Boto3LambdaInvoker
) -> None:
    outputs = module_stack
    connect = stack.client("connect")
    instance_id = _instance_id(outputs)
    module_id = outputs["contact_flow_module_id"]
    assert module_id

    # Published as rendered, and the module's own flow now invokes it.
    module = connect.describe_contact_flow_module(
        InstanceId=instance_id, ContactFlowModuleId=module_id
    )["ContactFlowModule"]
    assert json.loads(module["Content"]) == json.loads(outputs["contact_flow_module_content"])
    own_flow = json.loads(outputs["contact_flow_content"])
    assert [
        action["Parameters"]["FlowModuleId"]
        for action in own_flow["Actions"]
        if action["Type"] == "InvokeFlowModule"
    ] == [module_id]
    assert stack.terraform.plan_exit_code() == 0, "a second plan must show no change"

    # The module's own flow, on chat: one request, the result returned as attributes.
    result, summary = _call(
        stack,
        outputs,
        outputs["contact_flow_id"],
        invoker,
        attributes={"AccountId": "ACC-7"},
        channel="CHAT",
    )
    assert summary["success"], result.render_transcript()
    assert summary["outcome"] == "RESULT"
    writers = _module_calls(summary, "invoke-writer")
    assert [call["parameters"] for call in writers] == [
        {"TaskName": "simulated_backend", "RequestKey": "", "AccountId": "ACC-7"}
    ]
    attributes = summary["attributes"]
    assert attributes["TrackerStatus"] == "COMPLETE"
    assert attributes["Message"] == "Processed after 2 seconds"
    assert attributes["TrackerRequestId"] == writers[0]["response"]["RequestId"]

    # The two-lookups flow on voice: the module twice, two tasks, two requests, two results.
    result, summary = _two_lookups(stack, outputs, invoker, "VOICE")
    transcript = result.render_transcript()
    assert summary["success"], transcript
    writers = _module_calls(summary, "invoke-writer")
    assert [call["parameters"] for call in writers] == [
        {"TaskName": "simulated_backend", "RequestKey": "", "AccountId": "ACC-1"},
        {"TaskName": SECOND_TASK, "RequestKey": "", "AccountId": "ACC-2"},
    ]
    first_id, second_id = (call["response"]["RequestId"] for call in writers)
    assert first_id != second_id
    for request_id in (first_id, second_id):
        item = stack.item(request_id)
        assert item is not None
        assert item["Status"]["S"] == "COMPLETE"
    polls = _module_calls(summary, "invoke-checker")
    assert {call["parameters"]["RequestId"] for call in polls} == {first_id, second_id}
    assert len(polls) <= 2 * (-(-DEADLINE_SECONDS // 5) + 1)
    attributes = summary["attributes"]
    assert attributes["FirstMessage"] == "Processed after 2 seconds"
    assert attributes["FirstRequestId"] == first_id
    assert attributes["Message"] == "Account ACC-2 is open"
    assert (attributes["TrackerStatus"], attributes["TrackerRequestId"]) == ("COMPLETE", second_id)
    assert summary["prompts"][-1]["text"] == (
        "Thank you for waiting. Processed after 2 seconds and Account ACC-2 is open"
    )
    modules_run = [step for step in summary["path"] if step.endswith("/return")]
    assert len(modules_run) == 2, transcript

    # An in-place update: new content (holding prompt) and description, same module.
    stack.terraform.apply(
        holding_prompt=UPDATED_HOLDING, contact_flow_module_description=UPDATED_DESCRIPTION
    )
    updated_outputs = stack.terraform.outputs()
    assert updated_outputs["contact_flow_module_id"] == module_id
    module = connect.describe_contact_flow_module(
        InstanceId=instance_id, ContactFlowModuleId=module_id
    )["ContactFlowModule"]
    assert UPDATED_HOLDING in module["Content"]
    assert module["Description"] == UPDATED_DESCRIPTION
    assert stack.terraform.plan_exit_code() == 0, "the update must leave nothing to change"


def test_a_second_lookup_after_a_late_first_one_gets_its_full_window(
    stack: Stack, module_stack: dict[str, Any], invoker: Boto3LambdaInvoker
) -> None:
    """Issue 20: each invocation of the flow module waits its own request's whole deadline.

    Both lookups answer 3 s before their deadline, on chat (the channel whose polls follow
    each other fastest), so together they take more polls than the module's Loop allows.
    Connect's Loop counts per action identifier and resets only after it has returned
    DoneLooping (flow-language reference, Loop): without the module's drain on return, the
    second invocation would go on from the first one's count and the caller would hear the
    apology before the second request's deadline.
    """
    stack.terraform.apply(first_lookup_task=LATE_TASK, second_lookup_task=LATE_TASK)
    outputs = stack.terraform.outputs()
    module = json.loads(outputs["contact_flow_module_content"])
    loop = next(a for a in module["Actions"] if a["Identifier"] == "poll-loop")
    loop_count = int(loop["Parameters"]["LoopCount"])

    result, summary = _two_lookups(stack, outputs, invoker, "CHAT")
    transcript = result.render_transcript()
    writers = _module_calls(summary, "invoke-writer")
    assert [call["parameters"]["TaskName"] for call in writers] == [LATE_TASK, LATE_TASK]
    first_id, second_id = (call["response"]["RequestId"] for call in writers)
    polls = _module_calls(summary, "invoke-checker")
    per_request = [
        [call for call in polls if call["parameters"]["RequestId"] == request_id]
        for request_id in (first_id, second_id)
    ]
    # The proof holds only if one Loop count could not have served both lookups.
    assert sum(map(len, per_request)) > loop_count, (loop_count, transcript)

    assert summary["success"], transcript
    assert summary["outcome"] == "RESULT", transcript
    for request_id, request_polls in zip((first_id, second_id), per_request, strict=True):
        assert request_polls[-1]["response"]["Status"] == "COMPLETE", transcript
        item = stack.item(request_id)
        assert item is not None
        assert item["Status"]["S"] == "COMPLETE"
        assert float(item["CompletedAt"]["N"]) <= float(item["DeadlineAt"]["N"])
    attributes = summary["attributes"]
    assert attributes["FirstMessage"] == "Account ACC-1 answered late"
    assert attributes["Message"] == "Account ACC-2 answered late"
    assert summary["prompts"][-1]["text"] == (
        "Thank you for waiting. Account ACC-1 answered late and Account ACC-2 answered late"
    )
    module_id = outputs["contact_flow_module_id"]
    assert summary["path"].count(f"{module_id}/start-drain") == 2, transcript
