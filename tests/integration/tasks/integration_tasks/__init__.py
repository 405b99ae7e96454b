"""User tasks the integration stack registers, as a user's own task package would.

Packaged by the module from `task_source_dir`, imported by the processor through
`task_modules`: proof that tasks plug in without editing the package.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from connect_tracker.logs import log_event
from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, task

#: The log line each run of ``integration_counted`` writes: its side effect, counted.
SIDE_EFFECT = "integration.side_effect"


@task("integration_counted")
def counted(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """A backend call with a visible side effect (one log line per run); fails on Fail=yes."""
    log_event(logging.INFO, SIDE_EFFECT, request_id=context.request_id)
    if parameters.get("Fail") == "yes":
        raise TaskError("ASKED_TO_FAIL", "the caller asked this lookup to fail")
    return {"Lookup": parameters.get("AccountId", "")}


@task("integration_fails")
def fails(parameters: Mapping[str, str], context: TaskContext) -> None:
    """A business failure: the account does not exist."""
    raise TaskError("NO_SUCH_ACCOUNT", f"account {parameters.get('AccountId', '?')} does not exist")


@task("integration_overruns")
def overruns(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """A backend that answers only well after the request's deadline."""
    threading.Event().wait(context.remaining_seconds() + 30)
    return {"TooLate": "yes"}


@task("integration_backend_down")
def backend_down(parameters: Mapping[str, str], context: TaskContext) -> None:
    """A backend that is never reachable: every delivery is retried, then dead-lettered."""
    raise RetryableTaskError("BACKEND_UNAVAILABLE", "connection refused by the legacy API")


@task("integration_account_status")
def account_status(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """A second kind of lookup (the two-lookups flow's second task): answers a Message, as
    simulated_backend does, so one result field serves both."""
    return {"Message": f"Account {parameters.get('AccountId', '?')} is open"}


#: How long before the request's deadline ``integration_answers_late`` answers.
LATE_MARGIN_SECONDS = 3.0


@task("integration_answers_late")
def answers_late(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    """A backend that answers just before the request's deadline, whenever it was asked."""
    threading.Event().wait(max(0.0, context.remaining_seconds() - LATE_MARGIN_SECONDS))
    return {"Message": f"Account {parameters.get('AccountId', '?')} answered late"}
