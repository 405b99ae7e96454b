"""plux entry points that put Amazon Connect into LocalStack.

- ``localstack.aws.provider`` / ``connect:tracker``: the service provider, selected with
  ``PROVIDER_OVERRIDE_CONNECT=tracker`` (the sandbox sets it). Without the override
  LocalStack looks for ``connect:default``, finds none, and Connect stays unavailable.
- ``localstack.hooks.on_infra_start`` / ``connect_tracker_routing``: a routing rule.
  LocalStack names the target service from the request's signing name, but ``connect``
  signs both Amazon Connect and Contact Lens (``connect-contact-lens``); with two
  candidates and a path such as ``PUT /instance`` its router falls through to S3's
  path-style rules. The rule sends signing name ``connect`` to Amazon Connect, except
  Contact Lens' only path prefix ``/realtime-contact-analysis``.
"""

from __future__ import annotations

from localstack.runtime import hooks
from localstack.services.plugins import Service, aws_provider

PROVIDER_NAME = "tracker"
CONTACT_LENS_PATH_PREFIX = "/realtime-contact-analysis"


@aws_provider(api="connect", name=PROVIDER_NAME)  # type: ignore[untyped-decorator]
def connect_tracker() -> Service:
    from tracker_sandbox.connect.provider import ConnectProvider

    return Service.for_provider(ConnectProvider())


@hooks.on_infra_start()  # type: ignore[untyped-decorator]
def connect_tracker_routing() -> None:
    from localstack.aws.protocol.service_router import (
        ServiceModelIdentifier,
        signing_name_path_prefix_rules,
    )

    signing_name_path_prefix_rules.setdefault(
        "connect",
        {
            CONTACT_LENS_PATH_PREFIX: ServiceModelIdentifier("connect-contact-lens"),
            "*": ServiceModelIdentifier("connect"),
        },
    )
