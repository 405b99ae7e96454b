"""Amazon Connect state and rules for one account and region (standard library only).

`ConnectRegion` holds the instances of one account/region and implements each operation
the sandbox serves; it raises `exceptions.ConnectError` (a Connect error code, a message,
the HTTP status and any modelled members such as `problems`). `provider` turns those into
LocalStack service exceptions. Keeping the rules here lets them run without LocalStack.

Flows and flow modules are the two *content resources*: one lifecycle (create, update
content, update metadata, delete, list) serves both, with the content checked by
`tracker_sandbox.flows.validate_flow` for the resource's flow type.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from tracker_sandbox.connect.exceptions import (
    conflict,
    duplicate,
    invalid_flow,
    invalid_module,
    invalid_parameter,
    invalid_request,
    not_found,
    not_published,
)
from tracker_sandbox.flows import Problem, ProblemCode, validate_flow
from tracker_sandbox.flows.spec import FLOW_TYPES, MODULE

IDENTITY_MANAGEMENT_TYPES = ("SAML", "CONNECT_MANAGED", "EXISTING_DIRECTORY")
FLOW_STATUSES = ("PUBLISHED", "SAVED")
FLOW_STATES = ("ACTIVE", "ARCHIVED")
#: ContactFlowModuleState / ContactFlowModuleStatus (API Reference, ContactFlowModule).
MODULE_STATES = ("ACTIVE", "ARCHIVED")
SAVED_SUFFIX = ":$SAVED"

#: Instance attributes and their values on a new instance (calls come from CreateInstance).
DEFAULT_ATTRIBUTES: Mapping[str, str] = {
    "INBOUND_CALLS": "true",
    "OUTBOUND_CALLS": "true",
    "CONTACTFLOW_LOGS": "false",
    "CONTACT_LENS": "true",
    "AUTO_RESOLVE_BEST_VOICES": "true",
    "USE_CUSTOM_TTS_VOICES": "false",
    "EARLY_MEDIA": "true",
    "MULTI_PARTY_CONFERENCE": "false",
    "HIGH_VOLUME_OUTBOUND": "false",
    "ENHANCED_CONTACT_MONITORING": "false",
    "ENHANCED_CHAT_MONITORING": "false",
    "MULTI_PARTY_CHAT_CONFERENCE": "false",
    "MESSAGE_STREAMING": "false",
}

_ALIAS = re.compile(r"^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$")
_DIRECTORY_ID = re.compile(r"^d-[0-9a-f]{10}$")
_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)
_INSTANCE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-zA-Z-]*):connect:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"instance/(?P<instance>[A-Za-z0-9-]+)"
    r"(?:/contact-flow/(?P<flow>[A-Za-z0-9-]+)|/flow-module/(?P<module>[A-Za-z0-9-]+))?$"
)
MAX_TAGS = 50
MAX_NAME_CHARS = 127
MAX_DESCRIPTION_CHARS = 500

T = TypeVar("T")
R = TypeVar("R", bound="ContentResource")


def _now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(kw_only=True)
class ContentResource:
    """What flows and flow modules share: flow-language content, names, tags, state."""

    id: str
    arn: str
    name: str
    content: str
    description: str | None
    region: str
    status: str = "PUBLISHED"
    state: str = "ACTIVE"
    tags: dict[str, str] = field(default_factory=dict)
    last_modified: datetime = field(default_factory=_now)

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()

    def _described(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "Arn": self.arn,
            "Id": self.id,
            "Name": self.name,
            "Content": self.content,
            "State": self.state,
            "Status": self.status,
            "Tags": dict(self.tags),
        }
        if self.description is not None:
            described["Description"] = self.description
        return described


@dataclass(kw_only=True)
class ContactFlow(ContentResource):
    type: str

    def describe(self) -> dict[str, Any]:
        return {
            **self._described(),
            "Type": self.type,
            "FlowContentSha256": self.content_sha256,
            "LastModifiedTime": self.last_modified,
            "LastModifiedRegion": self.region,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Arn": self.arn,
            "Name": self.name,
            "ContactFlowType": self.type,
            "ContactFlowState": self.state,
            "ContactFlowStatus": self.status,
        }


@dataclass(kw_only=True)
class FlowModule(ContentResource):
    """A flow module (API Reference, ContactFlowModule): created PUBLISHED and ACTIVE."""

    settings: str | None = None

    def describe(self) -> dict[str, Any]:
        described = {**self._described(), "FlowModuleContentSha256": self.content_sha256}
        if self.settings is not None:
            described["Settings"] = self.settings
        return described

    def summary(self) -> dict[str, Any]:
        return {"Id": self.id, "Arn": self.arn, "Name": self.name, "State": self.state}


def _check_unique_name(
    siblings: Iterable[ContentResource],
    name: str,
    except_id: str | None,
    kind: str,
    instance_id: str,
) -> None:
    """Names are unique per instance among flows, and among flow modules."""
    for other in siblings:
        if other.name == name and other.id != except_id:
            raise duplicate(f"A {kind} named {name!r} already exists in instance {instance_id}")


def _update_metadata(
    item: ContentResource,
    siblings: Iterable[ContentResource],
    kind: str,
    instance_id: str,
    name: str | None,
    description: str | None,
    state: str | None,
    *,
    blank_description_is_none: bool = False,
) -> None:
    """Update*Metadata of a flow or a flow module: only the fields given change, after
    every given field has been checked."""
    if name is not None:
        _check_unique_name(siblings, _check_name(name), item.id, kind, instance_id)
    checked_description = _check_description(description)
    if name is not None:
        item.name = name
    if description is not None:
        item.description = (
            (checked_description or None) if blank_description_is_none else checked_description
        )
    if state is not None:
        item.state = state
    item.last_modified = _now()


@dataclass
class Instance:
    id: str
    arn: str
    identity_management_type: str
    alias: str | None
    directory_id: str | None
    service_role: str
    created: datetime
    active_after: float
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    flows: dict[str, ContactFlow] = field(default_factory=dict)
    modules: dict[str, FlowModule] = field(default_factory=dict)
    lambda_functions: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "ACTIVE" if time.monotonic() >= self.active_after else "CREATION_IN_PROGRESS"

    @property
    def access_url(self) -> str:
        return f"https://{self.alias or self.id}.my.connect.aws/"

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "Id": self.id,
            "Arn": self.arn,
            "IdentityManagementType": self.identity_management_type,
            "CreatedTime": self.created,
            "ServiceRole": self.service_role,
            "InstanceStatus": self.status,
            "InboundCallsEnabled": self.attributes["INBOUND_CALLS"] == "true",
            "OutboundCallsEnabled": self.attributes["OUTBOUND_CALLS"] == "true",
            "InstanceAccessUrl": self.access_url,
        }
        if self.alias is not None:
            summary["InstanceAlias"] = self.alias
        return summary

    def describe(self) -> dict[str, Any]:
        return {**self.summary(), "Tags": dict(self.tags)}


def _page(
    items: Sequence[T], token: str | None, max_results: int | None, limit: int
) -> tuple[list[T], str | None]:
    """One page of `items` and the token of the next (None on the last page)."""
    size = limit if max_results is None else max_results
    if not 1 <= size <= limit:
        raise invalid_parameter(f"MaxResults must be between 1 and {limit}, not {max_results}")
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError as exc:
            raise invalid_request(f"invalid NextToken {token!r}") from exc
        if not 0 <= start <= len(items):
            raise invalid_request(f"invalid NextToken {token!r}")
    end = start + size
    next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return list(items[start:end]), next_token


def _check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    tags = dict(tags or {})
    if len(tags) > MAX_TAGS:
        raise invalid_parameter(f"at most {MAX_TAGS} tags are allowed, not {len(tags)}")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise invalid_parameter(f"tag key {key!r} must be 1 to 128 characters")
        if key.lower().startswith("aws:"):
            raise invalid_parameter(f"tag key {key!r}: the aws: prefix is reserved")
        if len(value) > 256:
            raise invalid_parameter(f"tag {key!r}: a value has at most 256 characters")
    return tags


def _check_name(name: str | None) -> str:
    if not name or not name.strip():
        raise invalid_parameter("Name must not be empty")
    if len(name) > MAX_NAME_CHARS:
        raise invalid_parameter(f"Name has at most {MAX_NAME_CHARS} characters")
    return name


def _check_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION_CHARS:
        raise invalid_parameter(f"Description has at most {MAX_DESCRIPTION_CHARS} characters")
    return description


def _check_flow_content(content: str, flow_type: str) -> None:
    """Connect's checks of published content (`validate_flow` for the flow type). A flow
    module's content without Settings fails to deserialise, an InvalidRequestException
    rather than a list of problems (spec.RULE_INDEX["module-settings"])."""
    problems: list[Problem] = validate_flow(content, flow_type=flow_type)
    for problem in problems:
        if problem.code is ProblemCode.MISSING_SETTINGS:
            raise invalid_request(problem.message)
    if problems:
        raise invalid_module(problems) if flow_type == MODULE else invalid_flow(problems)


class ConnectRegion:
    """The Connect instances of one account in one region, and the operations on them."""

    def __init__(
        self,
        account_id: str,
        region: str,
        *,
        creation_seconds: Callable[[], float] = lambda: 0.0,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.instances: dict[str, Instance] = {}
        self._creation_seconds = creation_seconds
        self._lock = threading.RLock()

    # Lookups ----------------------------------------------------------------------

    def instance(self, instance_id: str) -> Instance:
        """By id or ARN (Connect accepts both as InstanceId)."""
        match = _INSTANCE_ARN.match(instance_id)
        if (
            match
            and match.group("flow") is None
            and match.group("module") is None
            and (match.group("account"), match.group("region")) == (self.account_id, self.region)
        ):
            instance_id = match.group("instance")
        found = self.instances.get(instance_id)
        if found is None:
            raise not_found(f"Instance not found: {instance_id}")
        return found

    def flow(self, instance_id: str, flow_id: str, *, published_only: bool = True) -> ContactFlow:
        instance = self.instance(instance_id)
        saved = flow_id.endswith(SAVED_SUFFIX)
        if saved:
            flow_id = flow_id[: -len(SAVED_SUFFIX)]
        match = _INSTANCE_ARN.match(flow_id)
        if match and match.group("flow") is not None:
            flow_id = match.group("flow")
        found = instance.flows.get(flow_id)
        if found is None:
            raise not_found(f"Contact flow not found: {flow_id} (instance {instance.id})")
        if published_only and not saved and found.status != "PUBLISHED":
            raise not_published(
                f"The flow {flow_id} is not published; describe {flow_id}{SAVED_SUFFIX}"
            )
        return found

    def module(self, instance_id: str, module_id: str) -> FlowModule:
        """By id or ARN (ContactFlowModuleId takes either)."""
        instance = self.instance(instance_id)
        match = _INSTANCE_ARN.match(module_id)
        if match and match.group("module") is not None:
            module_id = match.group("module")
        found = instance.modules.get(module_id)
        if found is None:
            raise not_found(f"Flow module not found: {module_id} (instance {instance.id})")
        return found

    def _tagged(self, arn: str) -> Instance | ContentResource:
        match = _INSTANCE_ARN.match(arn)
        if match is None:
            raise invalid_parameter(
                f"{arn!r} is not an Amazon Connect instance, flow or flow module ARN"
            )
        if (match.group("account"), match.group("region")) != (self.account_id, self.region):
            raise not_found(f"Resource not found: {arn}")
        instance = self.instances.get(match.group("instance"))
        if instance is None:
            raise not_found(f"Resource not found: {arn}")
        module_id = match.group("module")
        if module_id is not None:
            module = instance.modules.get(module_id)
            if module is None:
                raise not_found(f"Resource not found: {arn}")
            return module
        flow_id = match.group("flow")
        if flow_id is None:
            return instance
        flow = instance.flows.get(flow_id)
        if flow is None:
            raise not_found(f"Resource not found: {arn}")
        return flow

    # Instances --------------------------------------------------------------------

    def create_instance(
        self,
        *,
        partition: str,
        identity_management_type: str | None,
        inbound_calls_enabled: bool | None,
        outbound_calls_enabled: bool | None,
        instance_alias: str | None = None,
        directory_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Instance:
        if identity_management_type not in IDENTITY_MANAGEMENT_TYPES:
            raise invalid_request(
                f"IdentityManagementType must be one of {', '.join(IDENTITY_MANAGEMENT_TYPES)}"
            )
        if inbound_calls_enabled is None or outbound_calls_enabled is None:
            raise invalid_request("InboundCallsEnabled and OutboundCallsEnabled are required")
        if identity_management_type == "EXISTING_DIRECTORY":
            if not directory_id or not _DIRECTORY_ID.match(directory_id):
                raise invalid_request("EXISTING_DIRECTORY needs a DirectoryId like d-0123456789")
        elif directory_id:
            raise invalid_request(f"DirectoryId is not allowed with {identity_management_type}")
        if identity_management_type != "EXISTING_DIRECTORY" and not instance_alias:
            raise invalid_request(f"InstanceAlias is required with {identity_management_type}")
        if instance_alias is not None and not (
            1 <= len(instance_alias) <= 45 and _ALIAS.match(instance_alias)
        ):
            raise invalid_request(f"InstanceAlias {instance_alias!r} is not valid")
        checked_tags = _check_tags(tags)
        with self._lock:
            if instance_alias is not None and any(
                (other.alias or "").lower() == instance_alias.lower()
                for other in self.instances.values()
            ):
                raise invalid_request(f"The alias {instance_alias} is already in use")
            instance_id = str(uuid.uuid4())
            attributes = dict(DEFAULT_ATTRIBUTES)
            attributes["INBOUND_CALLS"] = str(bool(inbound_calls_enabled)).lower()
            attributes["OUTBOUND_CALLS"] = str(bool(outbound_calls_enabled)).lower()
            suffix = uuid.uuid4().hex[:12].upper()
            instance = Instance(
                id=instance_id,
                arn=f"arn:{partition}:connect:{self.region}:{self.account_id}:instance/{instance_id}",
                identity_management_type=identity_management_type,
                alias=instance_alias,
                directory_id=directory_id,
                service_role=(
                    f"arn:{partition}:iam::{self.account_id}:role/aws-service-role/"
                    f"connect.amazonaws.com/AWSServiceRoleForAmazonConnect_{suffix}"
                ),
                created=_now(),
                active_after=time.monotonic() + self._creation_seconds(),
                attributes=attributes,
                tags=checked_tags,
            )
            self.instances[instance_id] = instance
            return instance

    def list_instances(
        self, next_token: str | None, max_results: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        with self._lock:
            ordered = sorted(self.instances.values(), key=lambda i: (i.created, i.id))
        page, token = _page(ordered, next_token, max_results, 10)
        return [instance.summary() for instance in page], token

    def delete_instance(self, instance_id: str) -> None:
        with self._lock:
            instance = self.instance(instance_id)
            del self.instances[instance.id]

    def describe_attribute(self, instance_id: str, attribute_type: str) -> dict[str, str]:
        instance = self.instance(instance_id)
        if attribute_type not in DEFAULT_ATTRIBUTES:
            raise invalid_parameter(f"unknown AttributeType {attribute_type!r}")
        return {"AttributeType": attribute_type, "Value": instance.attributes[attribute_type]}

    def update_attribute(self, instance_id: str, attribute_type: str, value: str | None) -> None:
        with self._lock:
            instance = self.instance(instance_id)
            if attribute_type not in DEFAULT_ATTRIBUTES:
                raise invalid_parameter(f"unknown AttributeType {attribute_type!r}")
            if value not in ("true", "false"):
                raise invalid_parameter(
                    f"the value of {attribute_type} must be 'true' or 'false', not {value!r}"
                )
            instance.attributes[attribute_type] = value

    # Content resources: flows and flow modules -----------------------------------

    def _create(
        self,
        instance_id: str,
        siblings: Callable[[Instance], dict[str, R]],
        kind: str,
        name: str | None,
        content: str | None,
        flow_type: str,
        validated: bool,
        make: Callable[..., R],
        **fields: Any,
    ) -> R:
        """Create a flow or module: the checks of every given field, then the content's
        (when `validated`), then a new id under the instance."""
        checked_name = _check_name(name)
        if not content:
            raise invalid_parameter("Content is required")
        fields["description"] = _check_description(fields.get("description"))
        fields["tags"] = _check_tags(fields.get("tags"))
        with self._lock:
            instance = self.instance(instance_id)
            existing = siblings(instance)
            _check_unique_name(existing.values(), checked_name, None, kind, instance.id)
            if validated:
                _check_flow_content(content, flow_type)
            resource_id = str(uuid.uuid4())
            segment = "flow-module" if flow_type == MODULE else "contact-flow"
            resource = make(
                id=resource_id,
                arn=f"{instance.arn}/{segment}/{resource_id}",
                name=checked_name,
                content=content,
                region=self.region,
                **fields,
            )
            existing[resource_id] = resource
            return resource

    @staticmethod
    def _update_content(
        resource: ContentResource, content: str | None, flow_type: str, validated: bool
    ) -> None:
        if not content:
            raise invalid_parameter("Content is required")
        if validated:
            _check_flow_content(content, flow_type)
        resource.content = content
        resource.last_modified = _now()

    @staticmethod
    def _list(
        resources: Iterable[ContactFlow | FlowModule],
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        ordered = sorted(resources, key=lambda resource: (resource.name, resource.id))
        page, token = _page(ordered, next_token, max_results, 1000)
        return [resource.summary() for resource in page], token

    # Contact flows ------------------------------------------------------------------

    def create_flow(
        self,
        instance_id: str,
        *,
        name: str | None,
        flow_type: str | None,
        content: str | None,
        description: str | None = None,
        status: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> ContactFlow:
        if flow_type not in FLOW_TYPES:
            raise invalid_parameter(
                f"Type must be one of {', '.join(FLOW_TYPES)}, not {flow_type!r}"
            )
        status = status or "PUBLISHED"
        if status not in FLOW_STATUSES:
            raise invalid_parameter(f"Status must be PUBLISHED or SAVED, not {status!r}")
        return self._create(
            instance_id,
            lambda instance: instance.flows,
            "flow",
            name,
            content,
            flow_type,
            # Connect validates a PUBLISHED flow's content; a SAVED one is stored as it is.
            status == "PUBLISHED",
            ContactFlow,
            type=flow_type,
            status=status,
            description=description,
            tags=tags,
        )

    def update_flow_content(self, instance_id: str, flow_id: str, content: str | None) -> None:
        with self._lock:
            flow = self.flow(instance_id, flow_id, published_only=False)
            self._update_content(flow, content, flow.type, flow.status == "PUBLISHED")

    def update_flow_metadata(
        self,
        instance_id: str,
        flow_id: str,
        *,
        name: str | None,
        description: str | None,
        state: str | None = None,
    ) -> None:
        if state is not None and state not in FLOW_STATES:
            raise invalid_parameter(f"ContactFlowState must be ACTIVE or ARCHIVED, not {state!r}")
        with self._lock:
            instance = self.instance(instance_id)
            flow = self.flow(instance_id, flow_id, published_only=False)
            _update_metadata(
                flow, instance.flows.values(), "flow", instance.id, name, description, state
            )

    def delete_flow(self, instance_id: str, flow_id: str) -> None:
        with self._lock:
            instance = self.instance(instance_id)
            flow = self.flow(instance_id, flow_id, published_only=False)
            del instance.flows[flow.id]

    def list_flows(
        self,
        instance_id: str,
        flow_types: Sequence[str] | None,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        for flow_type in flow_types or ():
            if flow_type not in FLOW_TYPES:
                raise invalid_parameter(f"unknown contact flow type {flow_type!r}")
        with self._lock:
            flows = [
                flow
                for flow in self.instance(instance_id).flows.values()
                if not flow_types or flow.type in flow_types
            ]
        return self._list(flows, next_token, max_results)

    # Flow modules -------------------------------------------------------------------

    def create_module(
        self,
        instance_id: str,
        *,
        name: str | None,
        content: str | None,
        description: str | None = None,
        settings: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> FlowModule:
        return self._create(
            instance_id,
            lambda instance: instance.modules,
            "flow module",
            name,
            content,
            MODULE,
            True,
            FlowModule,
            description=description,
            settings=settings,
            tags=tags,
        )

    def update_module_content(
        self, instance_id: str, module_id: str, content: str | None, settings: str | None = None
    ) -> None:
        with self._lock:
            module = self.module(instance_id, module_id)
            self._update_content(module, content, MODULE, True)
            if settings is not None:
                module.settings = settings

    def update_module_metadata(
        self,
        instance_id: str,
        module_id: str,
        *,
        name: str | None,
        description: str | None,
        state: str | None = None,
    ) -> None:
        if state is not None and state not in MODULE_STATES:
            raise invalid_parameter(f"State must be ACTIVE or ARCHIVED, not {state!r}")
        with self._lock:
            instance = self.instance(instance_id)
            module = self.module(instance_id, module_id)
            _update_metadata(
                module,
                instance.modules.values(),
                "flow module",
                instance.id,
                name,
                description,
                state,
                # The aws provider sends "" for no description; Describe then omits it.
                blank_description_is_none=True,
            )

    def delete_module(self, instance_id: str, module_id: str) -> None:
        with self._lock:
            instance = self.instance(instance_id)
            module = self.module(instance_id, module_id)
            del instance.modules[module.id]

    def list_modules(
        self,
        instance_id: str,
        state: str | None,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        if state is not None and state not in MODULE_STATES:
            raise invalid_parameter(
                f"ContactFlowModuleState must be ACTIVE or ARCHIVED, not {state!r}"
            )
        with self._lock:
            modules = [
                module
                for module in self.instance(instance_id).modules.values()
                if state is None or module.state == state
            ]
        return self._list(modules, next_token, max_results)

    # Lambda functions ---------------------------------------------------------------

    def associate_lambda(self, instance_id: str, function_arn: str | None) -> None:
        if not function_arn or not _LAMBDA_ARN.match(function_arn):
            raise invalid_parameter(f"FunctionArn {function_arn!r} is not a Lambda function ARN")
        with self._lock:
            instance = self.instance(instance_id)
            if function_arn in instance.lambda_functions:
                raise conflict(
                    f"The function {function_arn} is already associated with instance {instance.id}"
                )
            instance.lambda_functions.append(function_arn)

    def disassociate_lambda(self, instance_id: str, function_arn: str | None) -> None:
        if not function_arn or not _LAMBDA_ARN.match(function_arn):
            raise invalid_parameter(f"FunctionArn {function_arn!r} is not a Lambda function ARN")
        with self._lock:
            instance = self.instance(instance_id)
            if function_arn not in instance.lambda_functions:
                raise not_found(
                    f"The function {function_arn} is not associated with instance {instance.id}"
                )
            instance.lambda_functions.remove(function_arn)

    def list_lambdas(
        self, instance_id: str, next_token: str | None, max_results: int | None
    ) -> tuple[list[str], str | None]:
        with self._lock:
            functions = list(self.instance(instance_id).lambda_functions)
        return _page(functions, next_token, max_results, 25)

    # Tags -----------------------------------------------------------------------------

    def tag(self, arn: str, tags: Mapping[str, str] | None) -> None:
        if not tags:
            raise invalid_parameter("tags must not be empty")
        with self._lock:
            resource = self._tagged(arn)
            merged = {**resource.tags, **tags}
            resource.tags = _check_tags(merged)

    def untag(self, arn: str, keys: Sequence[str] | None) -> None:
        if not keys:
            raise invalid_parameter("tagKeys must not be empty")
        with self._lock:
            resource = self._tagged(arn)
            for key in keys:
                resource.tags.pop(key, None)

    def list_tags(self, arn: str) -> dict[str, str]:
        with self._lock:
            return dict(self._tagged(arn).tags)
