"""Amazon Connect served by the sandbox (plux provider connect:tracker), through boto3."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from connectkit import FLOW_ARN, INSTANCE_ARN, content, flow, lambda_arn, unique

pytestmark = pytest.mark.sandbox

InstanceFactory = Callable[..., dict[str, Any]]


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    response: dict[str, Any] = excinfo.value.response
    return response


def create_flow(connect: Any, instance: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "InstanceId": instance["Id"],
        "Name": unique("flow-"),
        "Type": "CONTACT_FLOW",
        "Content": content(),
        **kwargs,
    }
    response: dict[str, Any] = connect.create_contact_flow(**params)
    return response


# Instances ----------------------------------------------------------------------------


def test_instance_lifecycle(connect: Any, make_instance: InstanceFactory) -> None:
    created = make_instance(InboundCallsEnabled=True, OutboundCallsEnabled=False, Tags={"k": "v"})
    match = INSTANCE_ARN.match(created["Arn"])
    assert match, created["Arn"]
    assert (match["region"], match["account"], match["id"]) == (
        "us-east-1",
        "000000000000",
        created["Id"],
    )

    described = connect.describe_instance(InstanceId=created["Id"])["Instance"]
    assert described["InstanceStatus"] == "ACTIVE"
    assert described["Arn"] == created["Arn"]
    assert described["InstanceAlias"] == created["Alias"]
    assert described["IdentityManagementType"] == "CONNECT_MANAGED"
    assert described["InboundCallsEnabled"] is True
    assert described["OutboundCallsEnabled"] is False
    assert described["Tags"] == {"k": "v"}
    assert described["ServiceRole"].startswith(
        "arn:aws:iam::000000000000:role/aws-service-role/connect.amazonaws.com/"
    )
    # InstanceId may also be the instance ARN.
    assert connect.describe_instance(InstanceId=created["Arn"])["Instance"]["Id"] == created["Id"]

    summaries = [
        summary
        for page in connect.get_paginator("list_instances").paginate()
        for summary in page["InstanceSummaryList"]
    ]
    assert created["Id"] in {summary["Id"] for summary in summaries}

    connect.delete_instance(InstanceId=created["Id"])
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_instance(InstanceId=created["Id"])
    remaining = connect.list_instances()["InstanceSummaryList"]
    assert created["Id"] not in {summary["Id"] for summary in remaining}


def test_list_instances_pages(connect: Any, make_instance: InstanceFactory) -> None:
    ids = {make_instance()["Id"] for _ in range(3)}
    pages = list(connect.get_paginator("list_instances").paginate(PaginationConfig={"PageSize": 2}))
    assert all(len(page["InstanceSummaryList"]) <= 2 for page in pages)
    listed = [summary["Id"] for page in pages for summary in page["InstanceSummaryList"]]
    assert ids <= set(listed)
    assert len(listed) == len(set(listed))


def test_instance_attributes(connect: Any, instance: dict[str, Any]) -> None:
    def value(attribute: str) -> str:
        response = connect.describe_instance_attribute(
            InstanceId=instance["Id"], AttributeType=attribute
        )
        assert response["Attribute"]["AttributeType"] == attribute
        result: str = response["Attribute"]["Value"]
        return result

    assert value("CONTACTFLOW_LOGS") == "false"
    assert value("INBOUND_CALLS") == "true"
    connect.update_instance_attribute(
        InstanceId=instance["Id"], AttributeType="CONTACTFLOW_LOGS", Value="true"
    )
    assert value("CONTACTFLOW_LOGS") == "true"
    connect.update_instance_attribute(
        InstanceId=instance["Id"], AttributeType="INBOUND_CALLS", Value="false"
    )
    described = connect.describe_instance(InstanceId=instance["Id"])["Instance"]
    assert described["InboundCallsEnabled"] is False


# Contact flows --------------------------------------------------------------------------


def test_contact_flow_lifecycle(connect: Any, instance: dict[str, Any]) -> None:
    text = content(prompt="Hello from the sandbox")
    created = create_flow(
        connect, instance, Name="Tracker", Description="first", Content=text, Tags={"a": "1"}
    )
    match = FLOW_ARN.match(created["ContactFlowArn"])
    assert match, created["ContactFlowArn"]
    assert match["instance"] == instance["Id"]
    assert match["id"] == created["ContactFlowId"]
    assert created["FlowContentSha256"] == hashlib.sha256(text.encode()).hexdigest()

    described = connect.describe_contact_flow(
        InstanceId=instance["Id"], ContactFlowId=created["ContactFlowId"]
    )["ContactFlow"]
    assert described["Content"] == text
    assert described["Name"] == "Tracker"
    assert described["Description"] == "first"
    assert described["Type"] == "CONTACT_FLOW"
    assert (described["Status"], described["State"]) == ("PUBLISHED", "ACTIVE")
    assert described["Tags"] == {"a": "1"}
    assert described["LastModifiedRegion"] == "us-east-1"

    new_text = content(prompt="Still working on it")
    connect.update_contact_flow_content(
        InstanceId=instance["Id"], ContactFlowId=created["ContactFlowId"], Content=new_text
    )
    connect.update_contact_flow_name(
        InstanceId=instance["Id"],
        ContactFlowId=created["ContactFlowId"],
        Name="Tracker v2",
        Description="second",
    )
    connect.update_contact_flow_metadata(
        InstanceId=instance["Id"],
        ContactFlowId=created["ContactFlowId"],
        ContactFlowState="ARCHIVED",
    )
    described = connect.describe_contact_flow(
        InstanceId=instance["Id"], ContactFlowId=created["ContactFlowArn"]
    )["ContactFlow"]
    assert described["Content"] == new_text
    assert described["FlowContentSha256"] == hashlib.sha256(new_text.encode()).hexdigest()
    assert (described["Name"], described["Description"]) == ("Tracker v2", "second")
    assert described["State"] == "ARCHIVED"

    connect.delete_contact_flow(InstanceId=instance["Id"], ContactFlowId=created["ContactFlowId"])
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_contact_flow(
            InstanceId=instance["Id"], ContactFlowId=created["ContactFlowId"]
        )


def test_list_contact_flows_filters_and_pages(connect: Any, instance: dict[str, Any]) -> None:
    flows = {create_flow(connect, instance)["ContactFlowId"] for _ in range(3)}
    hold = create_flow(connect, instance, Type="CUSTOMER_HOLD")["ContactFlowId"]
    pages = list(
        connect.get_paginator("list_contact_flows").paginate(
            InstanceId=instance["Id"], PaginationConfig={"PageSize": 2}
        )
    )
    assert len(pages) == 2
    summaries = [summary for page in pages for summary in page["ContactFlowSummaryList"]]
    assert {summary["Id"] for summary in summaries} == flows | {hold}
    assert all(
        summary["ContactFlowState"] == "ACTIVE" and summary["ContactFlowStatus"] == "PUBLISHED"
        for summary in summaries
    )
    only_hold = connect.list_contact_flows(
        InstanceId=instance["Id"], ContactFlowTypes=["CUSTOMER_HOLD"]
    )["ContactFlowSummaryList"]
    assert [(s["Id"], s["ContactFlowType"]) for s in only_hold] == [(hold, "CUSTOMER_HOLD")]


def test_saved_flow_is_not_validated_and_not_published(
    connect: Any, instance: dict[str, Any]
) -> None:
    # Status SAVED skips validation (as Connect documents), so a dangling reference is stored...
    saved = create_flow(
        connect, instance, Status="SAVED", Content=content(next_after_prompt="Nowhere")
    )
    # ...and describing it without the :$SAVED suffix says it is not published.
    with pytest.raises(ClientError) as excinfo:
        connect.describe_contact_flow(
            InstanceId=instance["Id"], ContactFlowId=saved["ContactFlowId"]
        )
    assert error_of(excinfo)["Error"]["Code"] == "ContactFlowNotPublishedException"
    described = connect.describe_contact_flow(
        InstanceId=instance["Id"], ContactFlowId=saved["ContactFlowId"] + ":$SAVED"
    )["ContactFlow"]
    assert described["Status"] == "SAVED"


# Lambda associations -------------------------------------------------------------------


def test_lambda_associations(connect: Any, instance: dict[str, Any]) -> None:
    arns = [lambda_arn(unique("fn-")) for _ in range(3)]
    for arn in arns:
        connect.associate_lambda_function(InstanceId=instance["Id"], FunctionArn=arn)
    pages = list(
        connect.get_paginator("list_lambda_functions").paginate(
            InstanceId=instance["Id"], PaginationConfig={"PageSize": 2}
        )
    )
    assert len(pages) == 2
    assert [arn for page in pages for arn in page["LambdaFunctions"]] == arns

    connect.disassociate_lambda_function(InstanceId=instance["Id"], FunctionArn=arns[1])
    listed = connect.list_lambda_functions(InstanceId=instance["Id"])["LambdaFunctions"]
    assert listed == [arns[0], arns[2]]


def test_flow_invoking_an_associated_lambda_is_accepted(
    connect: Any, instance: dict[str, Any]
) -> None:
    arn = lambda_arn(unique("fn-"))
    connect.associate_lambda_function(InstanceId=instance["Id"], FunctionArn=arn)
    created = create_flow(connect, instance, Content=content(function_arn=arn))
    # A qualified ARN (alias or version) of an associated function counts as associated.
    connect.update_contact_flow_content(
        InstanceId=instance["Id"],
        ContactFlowId=created["ContactFlowId"],
        Content=content(function_arn=arn + ":live"),
    )


# Tags -----------------------------------------------------------------------------------


def test_tagging_instances_and_flows(connect: Any, instance: dict[str, Any]) -> None:
    flow_arn = create_flow(connect, instance)["ContactFlowArn"]
    for arn in (instance["Arn"], flow_arn):
        assert connect.list_tags_for_resource(resourceArn=arn)["tags"] == {}
        connect.tag_resource(resourceArn=arn, tags={"team": "voice", "env": "test"})
        connect.tag_resource(resourceArn=arn, tags={"env": "prod"})
        assert connect.list_tags_for_resource(resourceArn=arn)["tags"] == {
            "team": "voice",
            "env": "prod",
        }
        connect.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
        assert connect.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}
    described = connect.describe_instance(InstanceId=instance["Id"])["Instance"]
    assert described["Tags"] == {"env": "prod"}


# Rejections: one test per kind -----------------------------------------------------------


def test_rejects_unknown_resources_with_resource_not_found(
    connect: Any, instance: dict[str, Any]
) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    calls: list[Callable[[], Any]] = [
        lambda: connect.describe_instance(InstanceId=missing),
        lambda: connect.delete_instance(InstanceId=missing),
        lambda: connect.list_contact_flows(InstanceId=missing),
        lambda: connect.describe_contact_flow(InstanceId=instance["Id"], ContactFlowId=missing),
        lambda: connect.delete_contact_flow(InstanceId=instance["Id"], ContactFlowId=missing),
        lambda: connect.disassociate_lambda_function(
            InstanceId=instance["Id"], FunctionArn=lambda_arn("never-associated")
        ),
        lambda: connect.list_tags_for_resource(
            resourceArn=f"{instance['Arn']}/contact-flow/{missing}"
        ),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        error = error_of(excinfo)
        assert error["Error"]["Code"] == "ResourceNotFoundException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert error["Error"]["Message"]


def test_rejects_duplicate_flow_names_per_instance(
    connect: Any, make_instance: InstanceFactory
) -> None:
    first, second = make_instance(), make_instance()
    create_flow(connect, first, Name="Main")
    other = create_flow(connect, first, Name="Other")
    with pytest.raises(connect.exceptions.DuplicateResourceException) as excinfo:
        create_flow(connect, first, Name="Main")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(connect.exceptions.DuplicateResourceException):
        connect.update_contact_flow_name(
            InstanceId=first["Id"], ContactFlowId=other["ContactFlowId"], Name="Main"
        )
    # Names are unique per instance only.
    create_flow(connect, second, Name="Main")


def test_rejects_invalid_parameters(connect: Any, instance: dict[str, Any]) -> None:
    calls: list[Callable[[], Any]] = [
        lambda: create_flow(connect, instance, Type="NOT_A_TYPE"),
        lambda: create_flow(connect, instance, Name=" "),
        lambda: connect.associate_lambda_function(
            InstanceId=instance["Id"], FunctionArn="arn:aws:sqs:us-east-1:000000000000:queue"
        ),
        lambda: connect.update_instance_attribute(
            InstanceId=instance["Id"], AttributeType="CONTACTFLOW_LOGS", Value="maybe"
        ),
        lambda: connect.tag_resource(resourceArn=instance["Arn"], tags={"aws:reserved": "x"}),
    ]
    for call in calls:
        with pytest.raises(connect.exceptions.InvalidParameterException):
            call()


def test_rejects_invalid_instance_requests(connect: Any) -> None:
    with pytest.raises(connect.exceptions.InvalidRequestException, match="InstanceAlias"):
        connect.create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InboundCallsEnabled=True,
            OutboundCallsEnabled=True,
        )
    with pytest.raises(connect.exceptions.InvalidRequestException, match="DirectoryId"):
        connect.create_instance(
            IdentityManagementType="EXISTING_DIRECTORY",
            InboundCallsEnabled=True,
            OutboundCallsEnabled=True,
        )


def test_rejects_associating_a_function_twice(connect: Any, instance: dict[str, Any]) -> None:
    arn = lambda_arn(unique("fn-"))
    connect.associate_lambda_function(InstanceId=instance["Id"], FunctionArn=arn)
    with pytest.raises(connect.exceptions.ResourceConflictException):
        connect.associate_lambda_function(InstanceId=instance["Id"], FunctionArn=arn)


def _refused(excinfo: pytest.ExceptionInfo[ClientError]) -> list[str]:
    error = error_of(excinfo)
    assert error["Error"]["Code"] == "InvalidContactFlowException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    problems = error["problems"]
    assert problems and all(set(problem) == {"message"} for problem in problems)
    return [problem["message"] for problem in problems]


def test_rejects_malformed_json(connect: Any, instance: dict[str, Any]) -> None:
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        create_flow(connect, instance, Content='{"Version": "2019-10-30", "Actions": [')
    assert any("not valid JSON" in message for message in _refused(excinfo))


def test_rejects_unknown_action_types(connect: Any, instance: dict[str, Any]) -> None:
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        create_flow(connect, instance, Content=content(action_type="PlayJingle"))
    assert any("PlayJingle" in message for message in _refused(excinfo))


def test_rejects_dangling_transitions(connect: Any, instance: dict[str, Any]) -> None:
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        create_flow(connect, instance, Content=content(next_after_prompt="Nowhere"))
    assert any("Nowhere" in message for message in _refused(excinfo))


def test_refusals_are_worded_as_connect_words_them(connect: Any, instance: dict[str, Any]) -> None:
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        create_flow(connect, instance, Content=content(prompt_without_next=True))
    assert _refused(excinfo) == [
        "Action is missing required property. Path: Actions[0].Transitions.NextAction"
    ]
    # The message repeats the problems: terraform prints the message, not the problems.
    assert "Actions[0].Transitions.NextAction" in error_of(excinfo)["Error"]["Message"]
    assert connect.list_contact_flows(InstanceId=instance["Id"])["ContactFlowSummaryList"] == []


def test_a_flow_naming_an_unassociated_lambda_is_accepted(
    connect: Any, instance: dict[str, Any]
) -> None:
    """As the live service does (flow-as-code/hollow-hour-example-typescript VERIFY.md row
    L3, 2026-09-30): the association is not checked at create; the contact fails when it
    reaches the block."""
    stranger = lambda_arn(unique("fn-"))
    created = create_flow(connect, instance, Content=content(function_arn=stranger))
    assert FLOW_ARN.match(created["ContactFlowArn"])


def test_rejects_invalid_content_updates_and_keeps_the_old_content(
    connect: Any, instance: dict[str, Any]
) -> None:
    original = content()
    created = create_flow(connect, instance, Content=original)
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as excinfo:
        connect.update_contact_flow_content(
            InstanceId=instance["Id"],
            ContactFlowId=created["ContactFlowId"],
            Content=content(prompt="changed", prompt_without_next=True),
        )
    assert _refused(excinfo) == [
        "Action is missing required property. Path: Actions[0].Transitions.NextAction"
    ]
    described = connect.describe_contact_flow(
        InstanceId=instance["Id"], ContactFlowId=created["ContactFlowId"]
    )["ContactFlow"]
    assert described["Content"] == original


def test_unserved_operations_answer_not_implemented(connect: Any, instance: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as excinfo:
        connect.list_queues(InstanceId=instance["Id"])
    error = error_of(excinfo)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "ListQueues" in error["Error"]["Message"]


# Isolation ---------------------------------------------------------------------------


def test_accounts_and_regions_are_isolated(
    connect_client_for: Callable[..., Any], make_instance: InstanceFactory
) -> None:
    east = connect_client_for("us-east-1")
    west = connect_client_for("us-west-2")
    other_account = connect_client_for("us-east-1", account="111111111111")

    mine = make_instance(east)
    theirs = make_instance(other_account, InstanceAlias=mine["Alias"])  # aliases per account
    westerly = make_instance(west, InstanceAlias=mine["Alias"])  # and per region
    assert INSTANCE_ARN.match(theirs["Arn"])["account"] == "111111111111"  # type: ignore[index]
    assert INSTANCE_ARN.match(westerly["Arn"])["region"] == "us-west-2"  # type: ignore[index]

    for client, foreign in ((west, mine), (other_account, mine), (east, theirs), (east, westerly)):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_instance(InstanceId=foreign["Id"])
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.list_tags_for_resource(resourceArn=foreign["Arn"])
    east_ids = {s["Id"] for s in east.list_instances()["InstanceSummaryList"]}
    assert mine["Id"] in east_ids
    assert not {theirs["Id"], westerly["Id"]} & east_ids

    # Flows and associations live in their instance's account/region only.
    arn = lambda_arn(unique("fn-"))
    east.associate_lambda_function(InstanceId=mine["Id"], FunctionArn=arn)
    east.create_contact_flow(
        InstanceId=mine["Id"], Name="Same", Type="CONTACT_FLOW", Content=json.dumps(flow())
    )
    west.create_contact_flow(
        InstanceId=westerly["Id"], Name="Same", Type="CONTACT_FLOW", Content=json.dumps(flow())
    )
    assert west.list_lambda_functions(InstanceId=westerly["Id"])["LambdaFunctions"] == []
