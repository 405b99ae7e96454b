"""Amazon Connect flow modules: what Connect checks in one, and how a contact runs one.

What AWS documents, and what this module does with it:

- Admin Guide, "Flow modules for reusable functions in Amazon Connect"
  (https://docs.aws.amazon.com/connect/latest/adminguide/contact-flow-modules.html):
  "You can use modules in any flow that is type Inbound flow" (the other types "do not
  support modules"); Limitations: "Modules do not allow invoking another module" and
  "Modules do not allow overriding flow local data of the invoking flow. This means you
  can't use the following with modules: External attributes, Amazon Lex attributes,
  Customer Profiles attributes, ..., Queue metrics, Stored customer input"; "To pass any
  data to a module, or to get any data from a module, you need to pass and retrieve
  attributes." The validator (validate.py) refuses a module that invokes a module; the
  simulator shares contact attributes ($.Attributes) between the flow and its modules
  and gives each module run its own $.External (restoring the flow's on return).
- Flow language, "InvokeFlowModule"
  (https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions-invoke-flow-module.html):
  "FlowModuleId: The flow module ID or flow module ARN to be invoked. May be defined
  statically or dynamically"; Errors: NoMatchingError; "only supports Inbound flow
  types". The validator refuses it in other flow types; the simulator takes the error
  branch when the module cannot be found.
- Admin Guide, "Flow block in Amazon Connect: Return (from module)"
  (https://docs.aws.amazon.com/connect/latest/adminguide/return-module.html), the block of
  EndFlowModuleExecution: "This block is only available in flow modules. It is not
  available in any other type of flow"; "exit the flow module after it has run
  successfully. Then continue running the flow in which the module is referenced."
  The validator refuses it in flows; the simulator continues at the invoking action's
  NextAction (the Invoke module block's Success branch).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from .model import FlowContent, Problem
from .spec import MODULE
from .validate import validate_flow

_MODULE_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:connect:[a-z0-9-]+:\d{12}:instance/[A-Za-z0-9-]+"
    r"/flow-module/(?P<id>[A-Za-z0-9-]+)(?::[^:/]+)?$"
)


def module_id(flow_module_id: str) -> str:
    """The module's id, whether given as an id or as an ARN (with or without a
    version/alias qualifier)."""
    match = _MODULE_ARN.match(flow_module_id)
    return match.group("id") if match else flow_module_id


# Validation -----------------------------------------------------------------------


def validate_flow_module(
    content: FlowContent, *, associated_lambda_arns: Collection[str] | None = None
) -> list[Problem]:
    """Every reason Connect would refuse this content as a flow module (validate.py
    holds the module rules: Settings, no InvokeFlowModule)."""
    return validate_flow(content, flow_type=MODULE, associated_lambda_arns=associated_lambda_arns)


# Where the simulator finds modules ------------------------------------------------


class DescribedFlowModules(Mapping[str, FlowContent]):
    """Modules fetched from Connect (or the sandbox) with DescribeContactFlowModule.

    `client` is a boto3 Connect client; keys are module ids or ARNs.
    """

    def __init__(self, client: Any, instance_id: str) -> None:
        self._client = client
        self._instance_id = instance_id
        self._cache: dict[str, FlowContent] = {}

    def __getitem__(self, key: str) -> FlowContent:
        wanted = module_id(key)
        if wanted not in self._cache:
            try:
                described = self._client.describe_contact_flow_module(
                    InstanceId=self._instance_id, ContactFlowModuleId=wanted
                )
            except self._client.exceptions.ResourceNotFoundException as missing:
                raise KeyError(key) from missing
            self._cache[wanted] = str(described["ContactFlowModule"]["Content"])
        return self._cache[wanted]

    def __iter__(self) -> Iterator[str]:
        paginator = self._client.get_paginator("list_contact_flow_modules")
        for page in paginator.paginate(InstanceId=self._instance_id):
            for summary in page["ContactFlowModulesSummaryList"]:
                yield str(summary["Id"])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def find_module(modules: Mapping[str, FlowContent], flow_module_id: str) -> FlowContent | None:
    """The content of a module given by id or ARN; keys of `modules` may be either."""
    wanted = module_id(flow_module_id)
    for key in (flow_module_id, wanted):
        try:
            return modules[key]
        except KeyError:
            continue
    for key in modules if not isinstance(modules, DescribedFlowModules) else ():
        if module_id(key) == wanted:
            return modules[key]
    return None
