"""The dispatcher's Lambda calls, through the real boto3 client, against a local HTTP server
that answers Invoke as Lambda does (202, empty body) and counts TCP connections.

Every asynchronous Invoke the dispatcher makes goes over a connection of the client's pool:
reading the (empty) response body hands the connection back (urllib3 keeps a connection
checked out until its response is read), and a pool as large as the dispatcher's thread
pool keeps every connection for the next batch. On AWS a new connection is a new TLS
handshake per request.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connect_tracker.dispatcher import MAX_PARALLEL_DISPATCHES, Dispatcher, DispatchResult
from connect_tracker.handlers import _runtime
from connect_tracker.orders import WorkOrder


class LambdaStandIn(ThreadingHTTPServer):
    """Lambda's Invoke API on loopback: 202 for every event, except the request ids in
    ``refused`` (500, the SDK tries again and gives up); ``barrier`` holds each answer until
    that many invokes are in flight at once."""

    daemon_threads = True
    # socketserver's default backlog is 5: a burst of connects beyond it time out on the
    # client and are made again, which would count connections the client never used
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _InvokeHandler)
        self.connections = 0
        self.invoked: list[str] = []
        self.refused: set[str] = set()
        self.barrier: threading.Barrier | None = None
        self.lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections += 1  # one call per accepted TCP connection
        super().process_request(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _InvokeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a connection serves many requests
    server: LambdaStandIn

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request_id = json.loads(body).get("RequestId", "")
        status = 202
        if self.server.barrier is not None:
            try:
                self.server.barrier.wait()
            except threading.BrokenBarrierError:
                status = 500  # the invokes did not arrive side by side
        if request_id in self.server.refused:
            status = 500
        with self.server.lock:
            self.server.invoked.append(request_id)
        self.send_response(status)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if status == 500:
            payload = json.dumps({"Type": "Service", "message": "injected"}).encode()
            self.send_header("x-amzn-ErrorType", "ServiceException")
        else:
            payload = b""
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def lambda_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdaStandIn]:
    server = LambdaStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.url,
        "TRACKER_TABLE_NAME": "tracker-test",
        "TRACKER_WORKER_FUNCTION": "tracker-test-worker",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    _runtime.settings.cache_clear()
    _runtime.lambda_client.cache_clear()
    _runtime.lambda_client()  # built once, at INIT, as the processor's prewarm does
    yield server
    _runtime.lambda_client.cache_clear()
    _runtime.settings.cache_clear()
    server.shutdown()
    server.server_close()


def stream_batch(request_ids: list[str]) -> dict[str, Any]:
    """A stream batch of new requests, as the event source mapping delivers it."""
    return {
        "Records": [
            {
                "eventName": "INSERT",
                "dynamodb": {
                    "Keys": {"RequestId": {"S": request_id}},
                    "NewImage": {"Status": {"S": "PENDING"}, "ContactId": {"S": "c-1"}},
                    "SequenceNumber": str(1000 + n),
                },
            }
            for n, request_id in enumerate(request_ids)
        ]
    }


def test_one_connection_serves_every_dispatch_in_turn(lambda_api: LambdaStandIn):
    for _ in range(50):
        _runtime.send_to_worker(WorkOrder(str(uuid.uuid4())))
    assert len(lambda_api.invoked) == 50
    assert lambda_api.connections == 1


def test_batches_dispatched_side_by_side_keep_their_connections(lambda_api: LambdaStandIn):
    dispatcher = Dispatcher(_runtime.send_to_worker)
    for _ in range(3):  # one execution environment, three batches of 100 new requests
        ids = [str(uuid.uuid4()) for _ in range(100)]
        report = dispatcher.dispatch_batch(stream_batch(ids))
        assert report.failures == []
        assert set(report.results.values()) == {DispatchResult.DISPATCHED}
    assert len(lambda_api.invoked) == 300
    # at most one connection per dispatching thread, opened once and kept
    assert lambda_api.connections <= MAX_PARALLEL_DISPATCHES


def test_a_batchs_records_are_dispatched_side_by_side(lambda_api: LambdaStandIn):
    """Each answer waits until ten invokes are in flight at once (else it is an error): a
    batch of ten can only be dispatched if its records are sent side by side."""
    lambda_api.barrier = threading.Barrier(10, timeout=10)
    ids = [str(uuid.uuid4()) for _ in range(10)]
    report = Dispatcher(_runtime.send_to_worker).dispatch_batch(stream_batch(ids))
    assert report.failures == []
    assert sorted(lambda_api.invoked) == sorted(ids)


def test_only_the_record_whose_invoke_failed_is_reported_by_its_sequence_number(
    lambda_api: LambdaStandIn,
):
    ids = [str(uuid.uuid4()) for _ in range(30)]
    lambda_api.refused = {ids[7]}
    report = Dispatcher(_runtime.send_to_worker).dispatch_batch(stream_batch(ids))
    assert report.response() == {"batchItemFailures": [{"itemIdentifier": "1007"}]}
    assert lambda_api.invoked.count(ids[7]) == 3  # the SDK's three attempts, then given up
    assert set(lambda_api.invoked) == set(ids)
