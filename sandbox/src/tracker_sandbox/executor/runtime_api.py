"""A minimal AWS Lambda Runtime API (2018-06-01) served on a loopback port.

One server per execution environment: the runtime client (awslambdaric) long-polls
``/invocation/next`` and posts the response or error of the one invocation it holds.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/2018-06-01/runtime"
_INVOCATION_PATH = re.compile(rf"^{API_PREFIX}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")


@dataclass(frozen=True)
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    deadline_ms: int
    trace_id: str


@dataclass
class Reply:
    """What the runtime posted for an invocation."""

    body: bytes
    is_error: bool
    error_type: str | None = None


@dataclass
class _Pending:
    invocation: Invocation
    done: threading.Event = field(default_factory=threading.Event)
    reply: Reply | None = None


class RuntimeApi:
    """State shared by the HTTP handlers; the environment drives it."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Invocation | None] = queue.Queue()
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self.init_error: bytes | None = None
        self.init_failed = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lambda-runtime-api", daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._queue.put(None)
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for pending in self._pending.values():
                pending.done.set()

    def submit(self, invocation: Invocation) -> threading.Event:
        pending = _Pending(invocation)
        with self._lock:
            self._pending[invocation.request_id] = pending
        self._queue.put(invocation)
        return pending.done

    def take_reply(self, request_id: str) -> Reply | None:
        with self._lock:
            pending = self._pending.pop(request_id, None)
        return pending.reply if pending else None

    # Called from handler threads.
    def _next(self) -> Invocation | None:
        self.ready.set()
        return self._queue.get()

    def _reply(self, request_id: str, reply: Reply) -> bool:
        with self._lock:
            pending = self._pending.get(request_id)
            if pending is None or pending.reply is not None:
                return False
            pending.reply = reply
        pending.done.set()
        return True

    def _init_error(self, body: bytes) -> None:
        self.init_error = body
        self.init_failed.set()


def _handler_for(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes; Nagle plus delayed ACKs would add ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Keep the runtime's HTTP chatter out of LocalStack's log."""

        def _send(
            self, status: HTTPStatus, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:
            if self.path != f"{API_PREFIX}/invocation/next":
                self._send(HTTPStatus.NOT_FOUND)
                return
            invocation = api._next()
            if invocation is None:
                self._send(HTTPStatus.GONE)
                return
            self._send(
                HTTPStatus.OK,
                invocation.payload,
                {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                    "Lambda-Runtime-Trace-Id": invocation.trace_id,
                },
            )

        def do_POST(self) -> None:
            body = self._body()
            if self.path == f"{API_PREFIX}/init/error":
                api._init_error(body)
                self._send(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
                return
            match = _INVOCATION_PATH.match(self.path)
            if match is None:
                self._send(HTTPStatus.NOT_FOUND)
                return
            is_error = match["kind"] == "error"
            reply = Reply(
                body=body,
                is_error=is_error,
                error_type=self.headers.get("Lambda-Runtime-Function-Error-Type")
                if is_error
                else None,
            )
            if api._reply(match["id"], reply):
                self._send(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
            else:
                message = {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
                self._send(HTTPStatus.BAD_REQUEST, json.dumps(message).encode())

    return Handler
