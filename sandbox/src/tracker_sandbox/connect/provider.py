"""The LocalStack service provider for Amazon Connect (runs inside LocalStack, Python 3.13).

Requests are parsed and responses serialised by LocalStack's skeleton from botocore's
``connect`` model; each ``@handler`` gets the parsed request as a dict (``expand=False``)
and delegates to `models.ConnectRegion` for the caller's account and region.
Operations without a handler are answered by LocalStack's router with a 501
``InternalFailure`` ("no handler for operation ...").
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

from localstack.aws.api import CommonServiceException, RequestContext, handler
from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute
from localstack.state import StateVisitor

from tracker_sandbox.connect.exceptions import ConnectError
from tracker_sandbox.connect.models import ConnectRegion

#: Seconds a new instance stays CREATION_IN_PROGRESS before it is ACTIVE (default 0).
CREATION_SECONDS_VARIABLE = "SANDBOX_CONNECT_INSTANCE_CREATION_SECONDS"

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[["ConnectProvider", RequestContext, Request], Response | None]


def _creation_seconds() -> float:
    raw = os.environ.get(CREATION_SECONDS_VARIABLE, "0")
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 0.0


class ConnectStore(BaseStore):  # type: ignore[misc]
    region: ConnectRegion | None = LocalAttribute(default=None)


connect_stores: AccountRegionBundle = AccountRegionBundle("connect", ConnectStore)
_stores_lock = threading.Lock()


def _region(context: RequestContext) -> ConnectRegion:
    store: ConnectStore = connect_stores[context.account_id][context.region]
    with _stores_lock:
        if store.region is None:
            store.region = ConnectRegion(
                context.account_id, context.region, creation_seconds=_creation_seconds
            )
        return store.region


def _service_exception(error: ConnectError) -> CommonServiceException:
    exception = CommonServiceException(
        error.code, error.message, status_code=error.status, sender_fault=True
    )
    for member, value in error.members.items():
        setattr(exception, member, value)
    return exception


def connect_errors(fn: Handler) -> Handler:
    """Turn a `ConnectError` from the models into the service exception LocalStack serialises."""

    @functools.wraps(fn)
    def wrapper(
        self: ConnectProvider, context: RequestContext, request: Request
    ) -> Response | None:
        try:
            return fn(self, context, request)
        except ConnectError as error:
            raise _service_exception(error) from None

    return wrapper


def operation(name: str) -> Callable[[Handler], Handler]:
    """``@handler(name, expand=False)`` plus the error translation."""

    def decorate(fn: Handler) -> Handler:
        marked: Handler = handler(name, expand=False)(connect_errors(fn))
        return marked

    return decorate


class ConnectProvider:
    service = "connect"

    def accept_state_visitor(self, visitor: StateVisitor) -> None:
        visitor.visit(connect_stores)

    # Instances --------------------------------------------------------------------

    @operation("CreateInstance")
    def create_instance(self, context: RequestContext, request: Request) -> Response:
        instance = _region(context).create_instance(
            partition=context.partition or "aws",
            identity_management_type=request.get("IdentityManagementType"),
            inbound_calls_enabled=request.get("InboundCallsEnabled"),
            outbound_calls_enabled=request.get("OutboundCallsEnabled"),
            instance_alias=request.get("InstanceAlias"),
            directory_id=request.get("DirectoryId"),
            tags=request.get("Tags"),
        )
        return {"Id": instance.id, "Arn": instance.arn}

    @operation("DescribeInstance")
    def describe_instance(self, context: RequestContext, request: Request) -> Response:
        return {"Instance": _region(context).instance(request["InstanceId"]).describe()}

    @operation("ListInstances")
    def list_instances(self, context: RequestContext, request: Request) -> Response:
        summaries, token = _region(context).list_instances(
            request.get("NextToken"), request.get("MaxResults")
        )
        return _with_token({"InstanceSummaryList": summaries}, token)

    @operation("DeleteInstance")
    def delete_instance(self, context: RequestContext, request: Request) -> None:
        _region(context).delete_instance(request["InstanceId"])

    @operation("DescribeInstanceAttribute")
    def describe_instance_attribute(self, context: RequestContext, request: Request) -> Response:
        attribute = _region(context).describe_attribute(
            request["InstanceId"], request["AttributeType"]
        )
        return {"Attribute": attribute}

    @operation("UpdateInstanceAttribute")
    def update_instance_attribute(self, context: RequestContext, request: Request) -> None:
        _region(context).update_attribute(
            request["InstanceId"], request["AttributeType"], request.get("Value")
        )

    # Contact flows ------------------------------------------------------------------

    @operation("CreateContactFlow")
    def create_contact_flow(self, context: RequestContext, request: Request) -> Response:
        flow = _region(context).create_flow(
            request["InstanceId"],
            name=request.get("Name"),
            flow_type=request.get("Type"),
            content=request.get("Content"),
            description=request.get("Description"),
            status=request.get("Status"),
            tags=request.get("Tags"),
        )
        return {
            "ContactFlowId": flow.id,
            "ContactFlowArn": flow.arn,
            "FlowContentSha256": flow.content_sha256,
        }

    @operation("DescribeContactFlow")
    def describe_contact_flow(self, context: RequestContext, request: Request) -> Response:
        flow = _region(context).flow(request["InstanceId"], request["ContactFlowId"])
        return {"ContactFlow": flow.describe()}

    @operation("UpdateContactFlowContent")
    def update_contact_flow_content(self, context: RequestContext, request: Request) -> None:
        _region(context).update_flow_content(
            request["InstanceId"], request["ContactFlowId"], request.get("Content")
        )

    @operation("UpdateContactFlowName")
    def update_contact_flow_name(self, context: RequestContext, request: Request) -> None:
        _region(context).update_flow_metadata(
            request["InstanceId"],
            request["ContactFlowId"],
            name=request.get("Name"),
            description=request.get("Description"),
        )

    @operation("UpdateContactFlowMetadata")
    def update_contact_flow_metadata(self, context: RequestContext, request: Request) -> None:
        _region(context).update_flow_metadata(
            request["InstanceId"],
            request["ContactFlowId"],
            name=request.get("Name"),
            description=request.get("Description"),
            state=request.get("ContactFlowState"),
        )

    @operation("DeleteContactFlow")
    def delete_contact_flow(self, context: RequestContext, request: Request) -> None:
        _region(context).delete_flow(request["InstanceId"], request["ContactFlowId"])

    @operation("ListContactFlows")
    def list_contact_flows(self, context: RequestContext, request: Request) -> Response:
        summaries, token = _region(context).list_flows(
            request["InstanceId"],
            request.get("ContactFlowTypes"),
            request.get("NextToken"),
            request.get("MaxResults"),
        )
        return _with_token({"ContactFlowSummaryList": summaries}, token)

    # Flow modules (the calls hashicorp/aws makes for aws_connect_contact_flow_module) ---

    @operation("CreateContactFlowModule")
    def create_contact_flow_module(self, context: RequestContext, request: Request) -> Response:
        module = _region(context).create_module(
            request["InstanceId"],
            name=request.get("Name"),
            content=request.get("Content"),
            description=request.get("Description"),
            settings=request.get("Settings"),
            tags=request.get("Tags"),
        )
        return {"Id": module.id, "Arn": module.arn}

    @operation("DescribeContactFlowModule")
    def describe_contact_flow_module(self, context: RequestContext, request: Request) -> Response:
        module = _region(context).module(request["InstanceId"], request["ContactFlowModuleId"])
        return {"ContactFlowModule": module.describe()}

    @operation("UpdateContactFlowModuleContent")
    def update_contact_flow_module_content(self, context: RequestContext, request: Request) -> None:
        _region(context).update_module_content(
            request["InstanceId"],
            request["ContactFlowModuleId"],
            request.get("Content"),
            request.get("Settings"),
        )

    @operation("UpdateContactFlowModuleMetadata")
    def update_contact_flow_module_metadata(
        self, context: RequestContext, request: Request
    ) -> None:
        _region(context).update_module_metadata(
            request["InstanceId"],
            request["ContactFlowModuleId"],
            name=request.get("Name"),
            description=request.get("Description"),
            state=request.get("State"),
        )

    @operation("DeleteContactFlowModule")
    def delete_contact_flow_module(self, context: RequestContext, request: Request) -> None:
        _region(context).delete_module(request["InstanceId"], request["ContactFlowModuleId"])

    @operation("ListContactFlowModules")
    def list_contact_flow_modules(self, context: RequestContext, request: Request) -> Response:
        summaries, token = _region(context).list_modules(
            request["InstanceId"],
            request.get("ContactFlowModuleState"),
            request.get("NextToken"),
            request.get("MaxResults"),
        )
        return _with_token({"ContactFlowModulesSummaryList": summaries}, token)

    # Lambda functions -----------------------------------------------------------------

    @operation("AssociateLambdaFunction")
    def associate_lambda_function(self, context: RequestContext, request: Request) -> None:
        _region(context).associate_lambda(request["InstanceId"], request.get("FunctionArn"))

    @operation("DisassociateLambdaFunction")
    def disassociate_lambda_function(self, context: RequestContext, request: Request) -> None:
        _region(context).disassociate_lambda(request["InstanceId"], request.get("FunctionArn"))

    @operation("ListLambdaFunctions")
    def list_lambda_functions(self, context: RequestContext, request: Request) -> Response:
        functions, token = _region(context).list_lambdas(
            request["InstanceId"], request.get("NextToken"), request.get("MaxResults")
        )
        return _with_token({"LambdaFunctions": functions}, token)

    # Tags -------------------------------------------------------------------------------

    @operation("TagResource")
    def tag_resource(self, context: RequestContext, request: Request) -> None:
        _region(context).tag(request["resourceArn"], request.get("tags"))

    @operation("UntagResource")
    def untag_resource(self, context: RequestContext, request: Request) -> None:
        _region(context).untag(request["resourceArn"], request.get("tagKeys"))

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, context: RequestContext, request: Request) -> Response:
        return {"tags": _region(context).list_tags(request["resourceArn"])}


def _with_token(response: Response, token: str | None) -> Response:
    if token is not None:
        response["NextToken"] = token
    return response
