"""DynamoDB access, all of it, behind one small interface.

Every state change is a conditional write, so concurrent writers (a duplicate stream
delivery, a checker sealing an overdue request) can never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from connect_tracker.domain import (
    ErrorCode,
    Outcome,
    Status,
    TrackerRequest,
    ask_key,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


#: Who wrote a request's terminal status, stored as ``FinishedBy``: the worker that ran it
#: (its outcome) or the checker / worker that sealed it past its deadline.
FINISHED_BY_WORKER = "worker"
FINISHED_BY_CHECKER = "checker"


class StoreUnavailable(RuntimeError):
    """DynamoDB could not be reached or refused the call: worth retrying later."""


@dataclass(frozen=True)
class ConditionalWrite:
    """What one conditional write (a claim, a finish ...) did: ``request`` is the item
    after it when ``won``; when refused, the item the condition found (None: no such
    request, or a write that does not say)."""

    won: bool
    request: TrackerRequest | None


class TrackerStore(Protocol):
    def create(self, request: TrackerRequest) -> tuple[TrackerRequest, bool]:
        """Store a new request unless its ask (``domain.ask_key``) already found one.

        Returns the stored request and whether it is ``request`` itself (True also when
        an earlier attempt of this very call stored it and its answer was lost), or the
        request the same ask recorded before and False. The caller compares the two asks.
        """

    def get(self, request_id: str) -> TrackerRequest | None: ...

    def within(self, seconds: float | None) -> TrackerStore:
        """This store, its calls giving up after at most ``seconds`` (None: as built)."""

    def finish(
        self,
        request_id: str,
        token: str,
        outcome: Outcome,
        now: float,
        *,
        finished_by: str = FINISHED_BY_WORKER,
    ) -> ConditionalWrite:
        """Record the outcome if ``token`` still holds the claim; refused (with the item as
        it is) when it does not."""

    def claim_lease(
        self, request_id: str, token: str, now: float, lease_until: float
    ) -> ConditionalWrite:
        """Claim an open request that is not past its deadline, until ``lease_until``.

        A PENDING request, one RUNNING under ``token`` (a hand-over from the claimant) or
        one RUNNING whose lease ended (its claimant's invocation is over) can be claimed.
        A refused claim says what it found (no request, a finished one, an overdue one, a
        live claim), so the worker needs no read before it claims.
        """

    def extend_lease(self, request_id: str, token: str, lease_until: float) -> bool:
        """Move the lease of the claim ``token`` holds out to ``lease_until``, never in;
        False when the claim is no longer ``token``'s (sealed, released, or taken over
        after the lease lapsed) or its lease already ends later."""

    def release(self, request_id: str, token: str) -> bool:
        """RUNNING -> PENDING, so a retried delivery can claim the request again."""

    def seal_overdue(
        self,
        request_id: str,
        now: float,
        *,
        found: Status = Status.RUNNING,
        sealed_by: str = FINISHED_BY_CHECKER,
    ) -> ConditionalWrite:
        """A request still ``found`` (PENDING or RUNNING) past its deadline -> TIMED_OUT, with
        the code saying which (``NOT_STARTED``: it waited for a worker; ``DEADLINE_EXCEEDED``:
        it ran without an outcome); refused, with the item as the condition found it, when it
        is no longer so."""


#: Why a request sealed past its deadline timed out, by the status it was sealed in.
_SEALS = {
    Status.PENDING: (
        ErrorCode.NOT_STARTED,
        "the request was still waiting for a worker at its deadline: the worker's "
        "concurrency limit (functions.worker.reserved_concurrent_executions), throttling "
        "or a stream delay held it (docs/execution.md)",
    ),
    Status.RUNNING: (
        ErrorCode.DEADLINE_EXCEEDED,
        "no outcome was recorded before the request's deadline",
    ),
}


#: A client whose one call (connect plus read) gives up within the given seconds.
BoundedClients = Callable[[float], "DynamoDBClient"]


class DynamoDBTrackerStore:
    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        consistent_read: bool = True,
        bounded_clients: BoundedClients | None = None,
    ) -> None:
        self._client = client
        self._table = table_name
        self._consistent_read = consistent_read
        self._bounded_clients = bounded_clients

    def within(self, seconds: float | None) -> DynamoDBTrackerStore:
        """This store with a client from ``bounded_clients`` whose call gives up within
        ``seconds``; itself without them or without a limit."""
        if seconds is None or self._bounded_clients is None:
            return self
        return DynamoDBTrackerStore(
            self._bounded_clients(seconds),
            self._table,
            consistent_read=self._consistent_read,
            bounded_clients=self._bounded_clients,
        )

    def create(self, request: TrackerRequest) -> tuple[TrackerRequest, bool]:
        """Two items in one transaction: the request (key: its random id, the only item
        with a ``Status``, so the only one the stream filter lets through) and the ask
        (key: ``domain.ask_key``, naming the request in ``ForRequest``). The ask's
        condition lets a first ask in; an ask whose item has expired but not yet been
        removed by TTL (DynamoDB removes expired items within days) counts as new."""
        key = ask_key(request)
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": _ask_item(key, request),
                            "ConditionExpression": (
                                "attribute_not_exists(RequestId) OR ExpiresAt <= :now"
                            ),
                            "ExpressionAttributeValues": {":now": _number(request.created_at)},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": _to_item(request),
                            "ConditionExpression": "attribute_not_exists(RequestId)",
                        }
                    },
                ]
            )
        except ClientError as error:
            if _ask_exists(error):
                return self._asked_before(key, request, error)
            raise _unavailable("TransactWriteItems", error) from error
        except BotoCoreError as error:
            raise _unavailable("TransactWriteItems", error) from error
        return request, True

    def _asked_before(
        self, key: str, request: TrackerRequest, error: ClientError
    ) -> tuple[TrackerRequest, bool]:
        """The request an existing ask names; ours when a lost answer hid our own write."""
        reasons = error.response.get("CancellationReasons") or [{}]
        ask: Mapping[str, Any] | None = reasons[0].get("Item") or self._get_item(key)
        names = ask.get("ForRequest") if ask else None
        target = names.get("S") if isinstance(names, Mapping) else None
        if target == request.request_id:
            # Our own earlier attempt, whose answer was lost: the transaction wrote our
            # request with this ask, so it is stored, and the answer is the one that
            # attempt would have given. No read (one call fewer on a struggling table).
            return request, True
        found = self.get(target) if isinstance(target, str) and target else None
        if found is None:
            raise StoreUnavailable(
                f"the ask item {key} names request {target}, which could not be read"
            ) from error
        return found, found.request_id == request.request_id

    def get(self, request_id: str) -> TrackerRequest | None:
        item = self._get_item(request_id)
        return _from_item(item) if item and "Status" in item else None

    def _get_item(self, key: str) -> Mapping[str, Any] | None:
        try:
            answer = self._client.get_item(
                TableName=self._table,
                Key={"RequestId": {"S": key}},
                ConsistentRead=self._consistent_read,
            )
        except (ClientError, BotoCoreError) as error:
            raise _unavailable("GetItem", error) from error
        return answer.get("Item") or None

    def claim_lease(
        self, request_id: str, token: str, now: float, lease_until: float
    ) -> ConditionalWrite:
        return self._conditional_update(
            request_id,
            "SET #status = :running, ClaimToken = :token, ClaimedAt = :now, "
            "LeaseUntil = :lease ADD Attempts :one",
            "DeadlineAt > :now AND (#status = :pending OR (#status = :running AND "
            "(ClaimToken = :token OR LeaseUntil < :now)))",
            {
                ":running": {"S": Status.RUNNING.value},
                ":pending": {"S": Status.PENDING.value},
                ":token": {"S": token},
                ":now": _number(now),
                ":lease": _number(round(lease_until, 3)),
                ":one": {"N": "1"},
            },
            already_done=lambda found: (
                found.status is Status.RUNNING and found.claim_token == token
            ),
            explain=True,
        )

    def finish(
        self,
        request_id: str,
        token: str,
        outcome: Outcome,
        now: float,
        *,
        finished_by: str = FINISHED_BY_WORKER,
    ) -> ConditionalWrite:
        values: dict[str, AttributeValueTypeDef] = {
            ":status": {"S": outcome.status.value},
            ":running": {"S": Status.RUNNING.value},
            ":token": {"S": token},
            ":now": _number(now),
            ":result": _string_map(outcome.result),
            ":by": {"S": finished_by},
        }
        assignments = [
            "#status = :status",
            "CompletedAt = :now",
            "#result = :result",
            "FinishedBy = :by",
        ]
        removals: list[str] = []
        for attribute, value in (
            ("ErrorCode", outcome.error_code),
            ("ErrorMessage", outcome.error_message),
        ):
            if value is None:
                removals.append(attribute)
            else:
                values[f":{attribute}"] = {"S": value}
                assignments.append(f"{attribute} = :{attribute}")
        # The outcome ends the claim's lease: a terminal request that still carries one was
        # sealed while its claimant held it (TrackerRequest.claim_cut_off).
        removals.append("LeaseUntil")
        expression = "SET " + ", ".join(assignments) + " REMOVE " + ", ".join(removals)
        # Our own write, whose answer was lost and which was sent again, is told from a
        # checker's seal under our token (both TIMED_OUT) by its author.
        return self._conditional_update(
            request_id,
            expression,
            "#status = :running AND ClaimToken = :token",
            values,
            names={"#status": "Status", "#result": "Result"},
            already_done=lambda found: (
                found.status is outcome.status
                and found.claim_token == token
                and found.finished_by == finished_by
            ),
            explain=True,
        )

    def extend_lease(self, request_id: str, token: str, lease_until: float) -> bool:
        # Never in: a renewal due just after a hand-over kept the lease to the deadline
        # must not shorten it. A retry after a lost response finds its own value and is
        # refused; the next renewal moves the lease again.
        updated = self._update(
            request_id,
            "SET LeaseUntil = :lease",
            "#status = :running AND ClaimToken = :token AND LeaseUntil < :lease",
            {
                ":running": {"S": Status.RUNNING.value},
                ":token": {"S": token},
                ":lease": _number(round(lease_until, 3)),
            },
        )
        return updated is not None

    def release(self, request_id: str, token: str) -> bool:
        updated = self._update(
            request_id,
            "SET #status = :pending REMOVE ClaimToken, ClaimedAt, LeaseUntil",
            "#status = :running AND ClaimToken = :token",
            {
                ":pending": {"S": Status.PENDING.value},
                ":running": {"S": Status.RUNNING.value},
                ":token": {"S": token},
            },
        )
        return updated is not None

    def seal_overdue(
        self,
        request_id: str,
        now: float,
        *,
        found: Status = Status.RUNNING,
        sealed_by: str = FINISHED_BY_CHECKER,
    ) -> ConditionalWrite:
        # One conditional write: the status the caller read decides the code, and the
        # condition that it still holds. A claim needs a request not yet due
        # (claim_lease), so an overdue PENDING request stays PENDING until it is sealed.
        code, message = _SEALS.get(found, _SEALS[Status.RUNNING])
        return self._conditional_update(
            request_id,
            "SET #status = :timed_out, CompletedAt = :now, ErrorCode = :code, "
            "ErrorMessage = :message, FinishedBy = :by",
            "#status = :found AND DeadlineAt <= :now",
            {
                ":timed_out": {"S": Status.TIMED_OUT.value},
                ":found": {"S": found.value},
                ":now": _number(now),
                ":code": {"S": code.value},
                ":message": {"S": message},
                ":by": {"S": sealed_by},
            },
            explain=True,
        )

    def _update(
        self,
        request_id: str,
        expression: str,
        condition: str,
        values: Mapping[str, AttributeValueTypeDef],
        *,
        names: Mapping[str, str] | None = None,
        already_done: Callable[[TrackerRequest], bool] | None = None,
    ) -> TrackerRequest | None:
        """The item after the update; None when the condition does not hold."""
        done = self._conditional_update(
            request_id,
            expression,
            condition,
            values,
            names=names,
            already_done=already_done,
            explain=already_done is not None,
        )
        return done.request if done.won else None

    def _conditional_update(
        self,
        request_id: str,
        expression: str,
        condition: str,
        values: Mapping[str, AttributeValueTypeDef],
        *,
        names: Mapping[str, str] | None = None,
        already_done: Callable[[TrackerRequest], bool] | None = None,
        explain: bool,
    ) -> ConditionalWrite:
        """One conditional UpdateItem: won with the item after it, or refused with the item
        the condition found when ``explain`` (else None).

        ``already_done`` recognises our own earlier write: the SDK retries a call whose
        response was lost (a read timeout), and the retry then fails the condition that the
        first attempt made false (PENDING -> RUNNING under our token). Without this check
        the worker took its own claim for another delivery's, skipped the task and left
        the request RUNNING until its deadline (seen in the load test: 8 in 1,000).

        A failed condition returns the item as it was (``ReturnValuesOnConditionCheckFailure
        = ALL_OLD``), so telling why costs no second read; the read is made only when the
        answer holds no item (no such item, or a table that does not return it).
        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
        """
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key={"RequestId": {"S": request_id}},
                UpdateExpression=expression,
                ConditionExpression=f"attribute_exists(RequestId) AND {condition}",
                ExpressionAttributeNames=dict(names or {"#status": "Status"}),
                ExpressionAttributeValues=dict(values),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _is_condition_failure(error):
                raise _unavailable("UpdateItem", error) from error
            if not explain:
                return ConditionalWrite(won=False, request=None)
            old: object = error.response.get("Item")
            found = (
                _from_item(old)
                if isinstance(old, Mapping) and "Status" in old
                else self.get(request_id)
            )
            if found is not None and already_done is not None and already_done(found):
                return ConditionalWrite(won=True, request=found)
            return ConditionalWrite(won=False, request=found)
        except BotoCoreError as error:
            raise _unavailable("UpdateItem", error) from error
        return ConditionalWrite(won=True, request=_from_item(answer["Attributes"]))


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _ask_exists(error: ClientError) -> bool:
    """A cancelled transaction whose first item (the ask) failed its condition.

    DynamoDB lists one reason per item, in order, with ``ConditionalCheckFailed`` for an
    item whose condition did not hold (DynamoDB API Reference, TransactWriteItems:
    TransactionCanceledException, CancellationReasons).
    """
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"


def _unavailable(operation: str, error: Exception) -> StoreUnavailable:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        return StoreUnavailable(f"DynamoDB {operation} failed: {code}")
    return StoreUnavailable(f"DynamoDB {operation} failed: {type(error).__name__}")


def _number(value: float | int) -> AttributeValueTypeDef:
    return {"N": str(Decimal(str(value)))}


def _string_map(values: Mapping[str, str]) -> AttributeValueTypeDef:
    return {"M": {key: {"S": value} for key, value in values.items()}}


def _ask_item(key: str, request: TrackerRequest) -> dict[str, AttributeValueTypeDef]:
    """The ask: no ``Status`` (the stream filter never passes it) and no contact data."""
    return {
        "RequestId": {"S": key},
        "ForRequest": {"S": request.request_id},
        "ExpiresAt": _number(request.expires_at),
    }


def _to_item(request: TrackerRequest) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        "RequestId": {"S": request.request_id},
        "ContactId": {"S": request.contact_id},
        "ChainId": {"S": request.chain_id},
        "TaskName": {"S": request.task_name},
        "Parameters": _string_map(request.parameters),
        "Status": {"S": request.status.value},
        "CreatedAt": _number(request.created_at),
        "DeadlineAt": _number(request.deadline_at),
        "ExpiresAt": _number(request.expires_at),
        "Attempts": _number(request.attempts),
    }
    if request.request_key is not None:
        item["RequestKey"] = {"S": request.request_key}
    return item


def _from_item(item: Mapping[str, Any]) -> TrackerRequest:
    def text(name: str) -> str | None:
        value = item.get(name)
        return str(value["S"]) if value and "S" in value else None

    def number(name: str) -> float | None:
        value = item.get(name)
        return float(value["N"]) if value and "N" in value else None

    def strings(name: str) -> dict[str, str]:
        value = item.get(name)
        if not value or "M" not in value:
            return {}
        return {k: str(v.get("S", "")) for k, v in value["M"].items()}

    return TrackerRequest(
        request_id=text("RequestId") or "",
        contact_id=text("ContactId") or "",
        # requests stored before chains were recorded belong to the contact that made them
        chain_id=text("ChainId") or text("ContactId") or "",
        request_key=text("RequestKey"),
        task_name=text("TaskName") or "",
        parameters=strings("Parameters"),
        status=Status(text("Status") or Status.PENDING.value),
        created_at=number("CreatedAt") or 0.0,
        deadline_at=int(number("DeadlineAt") or 0),
        expires_at=int(number("ExpiresAt") or 0),
        attempts=int(number("Attempts") or 0),
        claim_token=text("ClaimToken"),
        claimed_at=number("ClaimedAt"),
        completed_at=number("CompletedAt"),
        result=strings("Result"),
        error_code=text("ErrorCode"),
        error_message=text("ErrorMessage"),
        finished_by=text("FinishedBy"),
        lease_until=number("LeaseUntil"),
    )
