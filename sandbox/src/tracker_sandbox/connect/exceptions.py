"""Connect's error answers, as botocore's `connect` model shapes them.

`ConnectError` carries the error shape's name (`code`), a message, the HTTP status and
any other modelled members; `provider` turns it into the LocalStack service exception.
The flow and flow module refusals hold the problems in the member the model names:
`InvalidContactFlowException.problems`, `InvalidContactFlowModuleException.Problems`
(capitalised), each a list of at most 50 `{"message": ...}` of at most 256 characters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracker_sandbox.flows import InvalidContactFlow, Problem


class ConnectError(Exception):
    """A Connect error response: `code` is the error shape's name, `members` its other fields."""

    def __init__(
        self, code: str, message: str, status: int = 400, members: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.members = dict(members or {})


def not_found(message: str) -> ConnectError:
    return ConnectError("ResourceNotFoundException", message, 404)


def invalid_parameter(message: str) -> ConnectError:
    return ConnectError("InvalidParameterException", message, 400)


def invalid_request(message: str) -> ConnectError:
    return ConnectError("InvalidRequestException", message, 400)


def duplicate(message: str) -> ConnectError:
    return ConnectError("DuplicateResourceException", message, 409)


def conflict(message: str) -> ConnectError:
    return ConnectError("ResourceConflictException", message, 409)


def not_published(message: str) -> ConnectError:
    return ConnectError("ContactFlowNotPublishedException", message, 404)


def _summary(problems: Sequence[Problem]) -> str:
    # The service's own message is often empty (flow-as-code/flowascode CHANGELOG 0.1.1);
    # the sandbox repeats the problems in it, since clients such as terraform print the
    # message and not the problems.
    return "; ".join(problem.to_connect()["message"] for problem in problems)


def invalid_flow(problems: Sequence[Problem]) -> ConnectError:
    return ConnectError(
        "InvalidContactFlowException",
        f"The flow is not valid: {_summary(problems)}",
        400,
        {"problems": InvalidContactFlow(problems).connect_problems()},
    )


def invalid_module(problems: Sequence[Problem]) -> ConnectError:
    return ConnectError(
        "InvalidContactFlowModuleException",
        f"The flow module is not valid: {_summary(problems)}",
        400,
        {"Problems": InvalidContactFlow(problems).connect_problems()},
    )
