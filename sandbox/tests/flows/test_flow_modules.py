"""Flow modules: Connect's rules for module content, and InvokeFlowModule /
EndFlowModuleExecution in the simulator (canned Lambda answers, no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flowkit import CHECKER_ARN, WRITER_ARN, Kit

from tracker_sandbox.flows import (
    ContactData,
    InvalidContactFlow,
    ProblemCode,
    SimulationOptions,
    StubInvoker,
    StubResponse,
    simulate_contact,
)
from tracker_sandbox.flows.modules import module_id, validate_flow_module
from tracker_sandbox.flows.validate import validate_flow

K = Kit
MODULE_ID = "5f0ba8a2-1d2e-4c4e-9d7a-0c1d2e3f4a5b"
MODULE_ARN = (
    "arn:aws:connect:us-east-1:000000000000:instance/"
    f"00000000-0000-4000-8000-000000000000/flow-module/{MODULE_ID}"
)


def start_task_module() -> dict[str, Any]:
    """Starts the task named by $.Attributes.Task and returns its status as an attribute."""
    return K.module(
        *[
            K.invoke(
                "start",
                WRITER_ARN,
                next_action="keep",
                error="failed",
                attributes={"Task": "$.Attributes.Task"},
            ),
            K.action(
                "keep",
                "UpdateContactAttributes",
                {"Attributes": {"TaskStatus": "$.External.Status"}},
                next_action="return",
                errors={"NoMatchingError": "failed"},
            ),
            K.action(
                "failed",
                "UpdateContactAttributes",
                {"Attributes": {"TaskStatus": "FAILED"}},
                next_action="return",
                errors={"NoMatchingError": "return"},
            ),
            K.action("return", "EndFlowModuleExecution"),
        ],
        start="start",
    )


def set_task(identifier: str, task: str, next_action: str) -> dict[str, Any]:
    return K.action(
        identifier,
        "UpdateContactAttributes",
        {"Attributes": {"Task": task}},
        next_action=next_action,
        errors={"NoMatchingError": "hang-up"},
    )


def invoke_module(
    identifier: str, next_action: str, module: str = MODULE_ID, error: str = "module-error"
) -> dict[str, Any]:
    return K.action(
        identifier,
        "InvokeFlowModule",
        {"FlowModuleId": module},
        next_action=next_action,
        errors={"NoMatchingError": error},
    )


def twice_flow(second_module: str = MODULE_ARN) -> dict[str, Any]:
    """Looks the customer up, then runs the module for two tasks, keeping each status."""
    return K.flow(
        *[
            K.invoke("lookup", CHECKER_ARN, next_action="task-1", error="hang-up"),
            set_task("task-1", "balance", "run-1"),
            invoke_module("run-1", "keep-1"),
            K.action(
                "keep-1",
                "UpdateContactAttributes",
                {"Attributes": {"BalanceStatus": "$.Attributes.TaskStatus"}},
                next_action="task-2",
                errors={"NoMatchingError": "hang-up"},
            ),
            set_task("task-2", "orders", "run-2"),
            invoke_module("run-2", "keep-2", second_module),
            K.action(
                "keep-2",
                "UpdateContactAttributes",
                {
                    "Attributes": {
                        "OrdersStatus": "$.Attributes.TaskStatus",
                        "Customer": "$.External.Customer",
                    }
                },
                next_action="hang-up",
                errors={"NoMatchingError": "hang-up"},
            ),
            K.say("module-error", "Sorry, something went wrong."),
            K.hang_up(),
        ],
        start="lookup",
    )


def stubs() -> StubInvoker:
    return StubInvoker(
        {
            CHECKER_ARN: [StubResponse({"Customer": "c-42"}, 0.1)],
            WRITER_ARN: [
                StubResponse({"Status": "PENDING"}, 0.2),
                StubResponse({"Status": "COMPLETE"}, 0.2),
            ],
        }
    )


def test_a_flow_invoking_a_module_twice_completes() -> None:
    invoker = stubs()
    result = simulate_contact(
        twice_flow(),
        invoker,
        options=SimulationOptions(flow_modules={MODULE_ID: json.dumps(start_task_module())}),
    )

    assert result.ended_by == "DisconnectParticipant", result.render_transcript()
    module_steps = [step for step in result.path if step.startswith(f"{MODULE_ID}/")]
    assert module_steps == [f"{MODULE_ID}/{name}" for name in ("start", "keep", "return")] * 2
    # Contact attributes go both ways: the task in, the status out.
    assert [call.parameters for call in result.lambda_calls if call.function_arn == WRITER_ARN] == [
        {"Task": "balance"},
        {"Task": "orders"},
    ]
    assert result.attributes["BalanceStatus"] == "PENDING"
    assert result.attributes["OrdersStatus"] == "COMPLETE"
    # The module's Lambda answers did not override the flow's own $.External.
    assert result.attributes["Customer"] == "c-42"
    assert result.path[-2:] == ["keep-2", "hang-up"]
    assert any("invokes flow module" in line.text for line in result.transcript)


def test_an_unknown_module_takes_the_error_branch() -> None:
    result = simulate_contact(
        twice_flow(),
        stubs(),
        options=SimulationOptions(
            flow_modules={"some-other-module": json.dumps(start_task_module())}
        ),
    )

    assert result.path[:3] == ["lookup", "task-1", "run-1"]
    assert result.steps[2].result == "error:NoMatchingError"
    assert result.path[3] == "module-error"


def test_a_module_that_connect_would_refuse_stops_the_simulation() -> None:
    module = start_task_module()
    module["Actions"].append(invoke_module("nested", "return", error="return"))
    with pytest.raises(InvalidContactFlow) as refused:
        simulate_contact(
            twice_flow(),
            stubs(),
            options=SimulationOptions(flow_modules={MODULE_ID: json.dumps(module)}),
        )
    assert ProblemCode.MODULE_INVOKES_MODULE in {p.code for p in refused.value.problems}


def test_return_outside_a_module_is_not_a_normal_ending() -> None:
    flow = K.flow(K.action("return", "EndFlowModuleExecution"))
    # Connect refuses the Return block outside a flow module: validate=False.
    result = simulate_contact(flow, StubInvoker({}), validate=False)
    assert not result.success
    assert not result.ended_normally
    assert result.ended_by == "EndFlowModuleExecution"


def test_a_module_simulated_on_its_own_ends_normally_at_its_return() -> None:
    """A module's own document (it carries Settings), placed as its caller would run it:
    its Return block is its normal end, as exported modules (real-world flows) end."""
    result = simulate_contact(
        start_task_module(),
        stubs(),
        contact=ContactData(attributes={"Task": "lookup"}),
        options=SimulationOptions(success_actions=frozenset({"return"})),
    )
    assert result.ended_normally, result.render_transcript()
    assert result.ended_by == "ModuleReturned"
    assert result.success


# Connect's rules for modules --------------------------------------------------------


def test_module_content_is_validated_like_a_flow_and_may_not_invoke_a_module() -> None:
    assert validate_flow_module(start_task_module()) == []
    module = start_task_module()
    module["Actions"].append(invoke_module("nested", "return", error="return"))
    module["Actions"][2]["Transitions"]["NextAction"] = "nested"
    problems = validate_flow_module(module)
    assert [(p.code, p.action) for p in problems] == [(ProblemCode.MODULE_INVOKES_MODULE, "nested")]
    broken = start_task_module()
    broken["Actions"][0]["Transitions"]["NextAction"] = "nowhere"
    assert ProblemCode.DANGLING_NEXT_ACTION in {p.code for p in validate_flow_module(broken)}


def test_module_actions_are_refused_in_other_flow_types() -> None:
    assert validate_flow(twice_flow(), flow_type="CONTACT_FLOW") == []
    queue_flow = validate_flow(twice_flow(), flow_type="CUSTOMER_QUEUE")
    assert {p.action for p in queue_flow} == {"run-1", "run-2"}
    assert {p.code for p in queue_flow} == {ProblemCode.NOT_IN_THIS_FLOW_TYPE}
    returning = validate_flow(start_task_module(), flow_type="CONTACT_FLOW")
    assert [(p.code, p.action) for p in returning] == [
        (ProblemCode.NOT_IN_THIS_FLOW_TYPE, "return")
    ]


def test_a_module_needs_its_settings() -> None:
    module = start_task_module()
    del module["Settings"]
    assert [p.code for p in validate_flow_module(module)] == [ProblemCode.MISSING_SETTINGS]
    assert validate_flow_module(module)[0].message == (
        "JSON field is missing or null for field name: settings"
    )


def test_module_ids_and_arns() -> None:
    assert module_id(f"{MODULE_ARN}:$LATEST") == MODULE_ID


def lookup_module() -> dict[str, Any]:
    """A module that returns a result (the console's custom-block modules, as the AWS
    speed-dial sample exports them): reads its input, returns success or unknown."""
    return K.module(
        K.action(
            "has-phone",
            "Compare",
            {"ComparisonValue": "$.Modules.Input.phone"},
            next_action="unknown",
            errors={"NoMatchingCondition": "unknown"},
            conditions=[("TextStartsWith", ["+"], "found")],
        ),
        K.action(
            "found",
            "EndFlowModuleExecution",
            {"Result": "success", "ResultData": {"phone": "$.Modules.Input.phone", "tier": "gold"}},
        ),
        K.action("unknown", "EndFlowModuleExecution", {"Result": "unknown"}),
    )


def result_flow() -> dict[str, Any]:
    return K.flow(
        K.action(
            "lookup",
            "InvokeFlowModule",
            {"FlowModuleId": MODULE_ID, "Input": {"phone": "$.CustomerEndpoint.Address"}},
            next_action="other",
            errors={"NoMatchingCondition": "other", "NoMatchingError": "hang-up"},
            conditions=[("Equals", ["success"], "keep")],
        ),
        K.action(
            "keep",
            "UpdateContactAttributes",
            {"Attributes": {"Tier": "$.Modules.ResultData.tier", "Seen": "$.Modules.Result"}},
            next_action="hang-up",
            errors={"NoMatchingError": "hang-up"},
        ),
        K.say("other", "We could not find you."),
        K.hang_up(),
    )


@pytest.mark.parametrize(
    ("address", "path", "attributes"),
    [
        ("+12025550143", ["keep", "hang-up"], {"Tier": "gold", "Seen": "success"}),
        ("anonymous", ["other", "hang-up"], {}),
    ],
)
def test_a_module_that_returns_a_result_branches_its_caller_on_it(
    address: str, path: list[str], attributes: dict[str, str]
) -> None:
    assert validate_flow(json.dumps(result_flow())) == []
    assert validate_flow_module(json.dumps(lookup_module())) == []
    result = simulate_contact(
        result_flow(),
        StubInvoker({}),
        contact=ContactData(customer_address=address),
        options=SimulationOptions(flow_modules={MODULE_ID: json.dumps(lookup_module())}),
    )
    assert result.ended_by == "DisconnectParticipant", result.render_transcript()
    assert result.path[-len(path) :] == path
    assert {key: result.attributes[key] for key in attributes} == attributes
    assert not {"Tier", "Seen"} & set(result.attributes) - set(attributes)
