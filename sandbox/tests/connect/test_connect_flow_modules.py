"""Flow modules served by the sandbox (the calls of aws_connect_contact_flow_module), with
Connect's validation of module content and of flows invoking modules, through boto3."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from connectkit import UUID, content, lambda_arn, unique

from tracker_sandbox.flows import SimulationOptions, StubInvoker, simulate_contact
from tracker_sandbox.flows.modules import DescribedFlowModules

pytestmark = pytest.mark.sandbox

MODULE_ARN = re.compile(
    rf"^arn:aws:connect:us-east-1:\d{{12}}:instance/(?P<instance>{UUID})/flow-module/(?P<id>{UUID})$"
)


#: What the console writes into every module's content; CreateContactFlowModule refuses
#: content without Settings (flows/spec.py, rule module-settings).
SETTINGS: dict[str, Any] = {
    "InputParameters": [],
    "OutputParameters": [],
    "Transitions": [{"DisplayName": "Success", "ReferenceName": "Success", "Description": ""}],
}


def module_document(
    prompt: str = "One moment.",
    *,
    function_arn: str | None = None,
    nested: str | None = None,
    settings: bool = True,
) -> dict[str, Any]:
    """Set an attribute, say something, return; arguments add what Connect refuses."""
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "Mark",
            "Type": "UpdateContactAttributes",
            "Parameters": {"Attributes": {"Visited": "$.Attributes.Task"}},
            "Transitions": {
                "NextAction": "Say",
                "Errors": [{"NextAction": "Return", "ErrorType": "NoMatchingError"}],
            },
        },
        {
            "Identifier": "Say",
            "Type": "MessageParticipant",
            "Parameters": {"Text": prompt},
            "Transitions": {"NextAction": "Call" if function_arn or nested else "Return"},
        },
        {"Identifier": "Return", "Type": "EndFlowModuleExecution", "Parameters": {}},
    ]
    if function_arn:
        actions.append(
            {
                "Identifier": "Call",
                "Type": "InvokeLambdaFunction",
                "Parameters": {
                    "LambdaFunctionARN": function_arn,
                    "InvocationTimeLimitSeconds": "8",
                },
                "Transitions": {
                    "NextAction": "Return",
                    "Errors": [{"NextAction": "Return", "ErrorType": "NoMatchingError"}],
                },
            }
        )
    if nested:
        actions.append(
            {
                "Identifier": "Call",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": nested},
                "Transitions": {
                    "NextAction": "Return",
                    "Errors": [{"NextAction": "Return", "ErrorType": "NoMatchingError"}],
                },
            }
        )
    document: dict[str, Any] = {"Version": "2019-10-30", "StartAction": "Mark", "Actions": actions}
    if settings:
        document["Settings"] = SETTINGS
    return document


def module_content(**kwargs: Any) -> str:
    return json.dumps(module_document(**kwargs))


def invoking_flow(*module_ids: str) -> str:
    """Invokes the modules in turn, then hangs up; any module error hangs up too."""
    actions: list[dict[str, Any]] = []
    for number, module in enumerate(module_ids, start=1):
        actions.append(
            {
                "Identifier": f"Run{number}",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": module},
                "Transitions": {
                    "NextAction": f"Run{number + 1}" if number < len(module_ids) else "Done",
                    "Errors": [{"NextAction": "Done", "ErrorType": "NoMatchingError"}],
                },
            }
        )
    actions.append({"Identifier": "Done", "Type": "DisconnectParticipant", "Parameters": {}})
    return json.dumps({"Version": "2019-10-30", "StartAction": "Run1", "Actions": actions})


def create_module(connect: Any, instance: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "InstanceId": instance["Id"],
        "Name": unique("module-"),
        "Content": module_content(),
        **kwargs,
    }
    response: dict[str, Any] = connect.create_contact_flow_module(**params)
    return response


def module_problems(excinfo: pytest.ExceptionInfo[ClientError]) -> list[str]:
    error: dict[str, Any] = excinfo.value.response
    assert error["Error"]["Code"] == "InvalidContactFlowModuleException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    problems = error["Problems"]
    assert problems and all(set(problem) == {"message"} for problem in problems)
    return [str(problem["message"]) for problem in problems]


def flow_problems(excinfo: pytest.ExceptionInfo[ClientError]) -> list[str]:
    error: dict[str, Any] = excinfo.value.response
    assert error["Error"]["Code"] == "InvalidContactFlowException"
    return [str(problem["message"]) for problem in error["problems"]]


# The calls ---------------------------------------------------------------------------


def test_flow_module_lifecycle(connect: Any, instance: dict[str, Any]) -> None:
    text = module_content(prompt="Hello from a module")
    created = create_module(
        connect, instance, Name="Tracker module", Description="first", Content=text, Tags={"a": "1"}
    )
    match = MODULE_ARN.match(created["Arn"])
    assert match, created["Arn"]
    assert (match["instance"], match["id"]) == (instance["Id"], created["Id"])

    described = connect.describe_contact_flow_module(
        InstanceId=instance["Id"], ContactFlowModuleId=created["Id"]
    )["ContactFlowModule"]
    assert (described["Id"], described["Arn"]) == (created["Id"], created["Arn"])
    assert (described["Name"], described["Description"]) == ("Tracker module", "first")
    assert described["Content"] == text
    assert (described["Status"], described["State"]) == ("PUBLISHED", "ACTIVE")
    assert described["Tags"] == {"a": "1"}
    assert described["FlowModuleContentSha256"] == hashlib.sha256(text.encode()).hexdigest()

    new_text = module_content(prompt="Still here")
    connect.update_contact_flow_module_content(
        InstanceId=instance["Id"], ContactFlowModuleId=created["Id"], Content=new_text
    )
    connect.update_contact_flow_module_metadata(
        InstanceId=instance["Id"],
        ContactFlowModuleId=created["Arn"],
        Name="Tracker module v2",
        Description="second",
        State="ARCHIVED",
    )
    described = connect.describe_contact_flow_module(
        InstanceId=instance["Id"], ContactFlowModuleId=created["Arn"]
    )["ContactFlowModule"]
    assert described["Content"] == new_text
    assert (described["Name"], described["Description"]) == ("Tracker module v2", "second")
    assert described["State"] == "ARCHIVED"
    # The aws provider clears a description by sending "": Describe then has none.
    connect.update_contact_flow_module_metadata(
        InstanceId=instance["Id"], ContactFlowModuleId=created["Id"], Description=""
    )
    described = connect.describe_contact_flow_module(
        InstanceId=instance["Id"], ContactFlowModuleId=created["Id"]
    )["ContactFlowModule"]
    assert "Description" not in described
    assert described["Name"] == "Tracker module v2"

    connect.tag_resource(resourceArn=created["Arn"], tags={"b": "2"})
    connect.untag_resource(resourceArn=created["Arn"], tagKeys=["a"])
    assert connect.list_tags_for_resource(resourceArn=created["Arn"])["tags"] == {"b": "2"}

    connect.delete_contact_flow_module(InstanceId=instance["Id"], ContactFlowModuleId=created["Id"])
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_contact_flow_module(
            InstanceId=instance["Id"], ContactFlowModuleId=created["Id"]
        )


def test_list_flow_modules_filters_by_state_and_pages(
    connect: Any, instance: dict[str, Any]
) -> None:
    active = {create_module(connect, instance)["Id"] for _ in range(3)}
    archived = create_module(connect, instance)["Id"]
    connect.update_contact_flow_module_metadata(
        InstanceId=instance["Id"], ContactFlowModuleId=archived, State="ARCHIVED"
    )
    pages = connect.get_paginator("list_contact_flow_modules").paginate(
        InstanceId=instance["Id"], ContactFlowModuleState="ACTIVE", PaginationConfig={"PageSize": 2}
    )
    summaries = [summary for page in pages for summary in page["ContactFlowModulesSummaryList"]]
    assert {summary["Id"] for summary in summaries} == active
    assert all(set(summary) == {"Id", "Arn", "Name", "State"} for summary in summaries)
    everything = connect.list_contact_flow_modules(InstanceId=instance["Id"])
    assert len(everything["ContactFlowModulesSummaryList"]) == 4
    with pytest.raises(connect.exceptions.InvalidParameterException):
        connect.list_contact_flow_modules(InstanceId=instance["Id"], ContactFlowModuleState="GONE")


def test_unknown_modules_and_instances_are_not_found(
    connect: Any, instance: dict[str, Any]
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for call in (
        lambda: connect.describe_contact_flow_module(
            InstanceId=instance["Id"], ContactFlowModuleId=missing
        ),
        lambda: connect.update_contact_flow_module_content(
            InstanceId=instance["Id"], ContactFlowModuleId=missing, Content=module_content()
        ),
        lambda: connect.update_contact_flow_module_metadata(
            InstanceId=instance["Id"], ContactFlowModuleId=missing, Name="x"
        ),
        lambda: connect.delete_contact_flow_module(
            InstanceId=instance["Id"], ContactFlowModuleId=missing
        ),
        lambda: create_module(connect, {"Id": missing}),
    ):
        with pytest.raises(connect.exceptions.ResourceNotFoundException) as excinfo:
            call()
        assert missing in excinfo.value.response["Error"]["Message"]


def test_module_names_are_unique_per_instance(connect: Any, instance: dict[str, Any]) -> None:
    first = create_module(connect, instance, Name="same")
    with pytest.raises(connect.exceptions.DuplicateResourceException):
        create_module(connect, instance, Name="same")
    other = create_module(connect, instance, Name="other")
    with pytest.raises(connect.exceptions.DuplicateResourceException):
        connect.update_contact_flow_module_metadata(
            InstanceId=instance["Id"], ContactFlowModuleId=other["Id"], Name="same"
        )
    # A flow may share a module's name: they are different resources.
    connect.create_contact_flow(
        InstanceId=instance["Id"], Name="same", Type="CONTACT_FLOW", Content=content()
    )
    assert first["Id"] != other["Id"]


# Connect's validation of modules ------------------------------------------------------


def test_rejects_module_content_that_is_not_a_valid_flow(
    connect: Any, instance: dict[str, Any]
) -> None:
    with pytest.raises(connect.exceptions.InvalidContactFlowModuleException) as excinfo:
        create_module(connect, instance, Content='{"Version": "2019-10-30", "Actions": [')
    assert any("not valid JSON" in message for message in module_problems(excinfo))
    broken = module_document()
    broken["Actions"][1]["Transitions"]["NextAction"] = "Nowhere"
    with pytest.raises(connect.exceptions.InvalidContactFlowModuleException) as excinfo:
        create_module(connect, instance, Content=json.dumps(broken))
    assert any("Nowhere" in message for message in module_problems(excinfo))
    assert (
        connect.list_contact_flow_modules(InstanceId=instance["Id"])[
            "ContactFlowModulesSummaryList"
        ]
        == []
    )


def test_rejects_a_module_invoking_a_module(connect: Any, instance: dict[str, Any]) -> None:
    inner = create_module(connect, instance)
    with pytest.raises(connect.exceptions.InvalidContactFlowModuleException) as excinfo:
        create_module(connect, instance, Content=module_content(nested=inner["Id"]))
    messages = module_problems(excinfo)
    assert any("invoking another module" in m for m in messages), messages


def test_a_module_without_settings_fails_to_deserialise(
    connect: Any, instance: dict[str, Any]
) -> None:
    """The service's answer (flow-as-code's live deploy of 2026-09-01): not a list of
    problems but an InvalidRequestException, on create and on a content update."""
    with pytest.raises(connect.exceptions.InvalidRequestException) as excinfo:
        create_module(connect, instance, Content=module_content(settings=False))
    message = "JSON field is missing or null for field name: settings"
    assert excinfo.value.response["Error"]["Message"] == message
    created = create_module(connect, instance)
    with pytest.raises(connect.exceptions.InvalidRequestException):
        connect.update_contact_flow_module_content(
            InstanceId=instance["Id"],
            ContactFlowModuleId=created["Id"],
            Content=module_content(settings=False),
        )


def test_a_module_naming_an_unassociated_lambda_is_accepted(
    connect: Any, instance: dict[str, Any]
) -> None:
    """Association is not checked at create (VERIFY.md row L3, as for flows)."""
    create_module(connect, instance, Content=module_content(function_arn=lambda_arn(unique("fn-"))))


def test_rejects_invalid_module_content_updates_and_keeps_the_old_content(
    connect: Any, instance: dict[str, Any]
) -> None:
    original = module_content()
    created = create_module(connect, instance, Content=original)
    with pytest.raises(connect.exceptions.InvalidContactFlowModuleException) as excinfo:
        connect.update_contact_flow_module_content(
            InstanceId=instance["Id"],
            ContactFlowModuleId=created["Id"],
            Content=module_content(nested=created["Id"]),
        )
    assert any("invoking another module" in message for message in module_problems(excinfo))
    described = connect.describe_contact_flow_module(
        InstanceId=instance["Id"], ContactFlowModuleId=created["Id"]
    )["ContactFlowModule"]
    assert described["Content"] == original


def test_rejects_invalid_module_metadata(connect: Any, instance: dict[str, Any]) -> None:
    created = create_module(connect, instance)
    with pytest.raises(connect.exceptions.InvalidParameterException):
        connect.update_contact_flow_module_metadata(
            InstanceId=instance["Id"], ContactFlowModuleId=created["Id"], State="DELETED"
        )
    with pytest.raises(connect.exceptions.InvalidParameterException):
        connect.update_contact_flow_module_metadata(
            InstanceId=instance["Id"], ContactFlowModuleId=created["Id"], Name="   "
        )


# Flows invoking modules ---------------------------------------------------------------


def test_flows_invoke_modules_by_id_or_arn(connect: Any, instance: dict[str, Any]) -> None:
    module = create_module(connect, instance)
    connect.create_contact_flow(
        InstanceId=instance["Id"],
        Name=unique("flow-"),
        Type="CONTACT_FLOW",
        Content=invoking_flow(module["Id"], module["Arn"]),
    )


def test_module_actions_are_refused_where_connect_does_not_offer_them(
    connect: Any, instance: dict[str, Any]
) -> None:
    module = create_module(connect, instance)
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        connect.create_contact_flow(
            InstanceId=instance["Id"],
            Name=unique("flow-"),
            Type="CUSTOMER_QUEUE",
            Content=invoking_flow(module["Id"]),
        )
    assert any("only supports inbound flows" in message for message in flow_problems(excinfo))
    # A module's content is not a flow: its Return block is only available in modules.
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        connect.create_contact_flow(
            InstanceId=instance["Id"],
            Name=unique("flow-"),
            Type="CONTACT_FLOW",
            Content=module_content(),
        )
    assert any("EndFlowModuleExecution" in message for message in flow_problems(excinfo))


def test_the_simulator_runs_modules_fetched_from_the_sandbox(
    connect: Any, instance: dict[str, Any]
) -> None:
    module = create_module(connect, instance, Content=module_content(prompt="Working on it."))
    flow = invoking_flow(module["Id"], module["Arn"])
    modules = DescribedFlowModules(connect, instance["Id"])
    assert list(modules) == [module["Id"]]
    result = simulate_contact(
        flow,
        StubInvoker({}),
        options=SimulationOptions(flow_modules=modules),
    )
    assert result.ended_normally, result.render_transcript()
    assert [prompt.text for prompt in result.prompts] == ["Working on it."] * 2
    assert result.path[-1] == "Done"
