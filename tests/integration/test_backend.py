"""Issue 19's proof on the sandbox: the tracker in front of a real legacy backend.

tests/integration/backend is applied once (the worker in a VPC whose subnet and security
group are created in the sandbox's EC2; examples/complete's task, which calls its backend
through ``requests``, a library named only in examples/complete/requirements.txt; the
backend's bearer token in Secrets Manager). The backend is a threaded HTTP server this
module starts on the host: it checks the token and answers after a delay longer than
Connect's 8-second limit. A request goes in through the deployed writer and its answer
comes back through the deployed checker.

The sandbox's Lambda runs each function as a process on this host, so the VPC settles
what the function is configured with (LocalStack resolves the subnet in its EC2, refusing
one that does not exist) but isolates no network: the backend is reached on the loopback
address. Which endpoints a real VPC needs: docs/operations.md.

Then a requirements file naming a package that does not exist: the apply fails naming it,
and no function changes.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Stack, new_contact
from tests.integration.stack import (
    ROOT,
    TerraformError,
    deployed,
    sandbox_session,
    wait_for,
)
from tracker_sandbox.control import Sandbox
from tracker_sandbox.logs import log_messages

pytestmark = pytest.mark.integration

BACKEND_ROOT = ROOT / "tests" / "integration" / "backend"
REQUIREMENTS = ROOT / "examples" / "complete" / "requirements.txt"
#: The backend answers after this long: more than Connect waits for a Lambda function.
BACKEND_SECONDS = 10.0
DEADLINE_SECONDS = 60


def _say(message: str) -> None:
    print(f"[backend] {message}", file=sys.stderr, flush=True)


@dataclass
class SlowBackend:
    """A core-banking backend on the loopback address: GET /accounts/<id>/balance with
    ``Authorization: Bearer <token>`` answers a balance after ``BACKEND_SECONDS``."""

    token: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                authorised = self.headers.get("Authorization") == f"Bearer {backend.token}"
                backend.calls.append({"path": self.path, "authorised": authorised})
                if not authorised:
                    self._answer(401, {"error": "bad token"})
                    return
                parts = self.path.strip("/").split("/")
                if len(parts) != 3 or parts[0] != "accounts" or parts[2] != "balance":
                    self._answer(404, {"error": "no such account"})
                    return
                threading.Event().wait(BACKEND_SECONDS)  # the legacy system at work
                self._answer(200, {"balance": "1234.56", "currency": "EUR"})

            def _answer(self, status: int, body: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture(scope="module")
def backend() -> Iterator[SlowBackend]:
    served = SlowBackend(token=secrets.token_urlsafe(24))
    served.start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def backend_stack(backend: SlowBackend) -> Iterator[Stack]:
    variables = {
        "name": f"be-{secrets.token_hex(3)}",
        "backend_url": backend.url,
        "backend_token": backend.token,
        "requirements_file": str(REQUIREMENTS),
        "request_deadline_seconds": DEADLINE_SECONDS,
    }
    with deployed(BACKEND_ROOT, variables, label="backend", say=_say) as deployment:
        outputs = deployment.terraform.outputs()
        yield Stack(
            deployment.endpoint,
            {**outputs.pop("tracker"), **outputs},
            deployment.terraform,
            sandbox_session(),
        )


def _function(stack: Stack, key: str) -> dict[str, Any]:
    name = stack.outputs[f"{key}_function_name"]
    return stack.client("lambda").get_function(FunctionName=name)["Configuration"]  # type: ignore[no-any-return]


def test_the_worker_alone_runs_in_the_vpc(backend_stack: Stack) -> None:
    worker = _function(backend_stack, "worker")["VpcConfig"]
    assert worker["SubnetIds"] == [backend_stack.outputs["subnet_id"]]
    assert worker["SecurityGroupIds"] == [backend_stack.outputs["security_group_id"]]
    # LocalStack looked the subnet up in its EC2: the VPC it names is the one created.
    assert worker["VpcId"] == backend_stack.outputs["vpc_id"]
    for key in ("writer", "processor", "checker"):
        assert not _function(backend_stack, key).get("VpcConfig", {}).get("SubnetIds"), key


def test_a_slow_private_backend_answers_through_the_writer_and_checker(
    backend_stack: Stack, backend: SlowBackend
) -> None:
    contact = new_contact()
    began = time.monotonic()
    written = backend_stack.submit(contact, "account_balance", AccountId="1001")
    assert written["Status"] == "PENDING", written
    assert time.monotonic() - began < BACKEND_SECONDS  # the writer never waits for the work
    final = backend_stack.wait_terminal(written["RequestId"], timeout=DEADLINE_SECONDS + 60)
    assert final["Status"] == "COMPLETE", final
    assert (final["Balance"], final["Currency"]) == ("1234.56", "EUR")
    # The task imported requests: from the package, since the runtime does not hold it.
    requirements = REQUIREMENTS.read_text()
    assert final["Client"].replace("requests ", "requests==") in requirements
    runtime = Sandbox().paths.runtime_env("python3.13")
    assert runtime.is_dir(), runtime
    assert not list(runtime.glob("lib/python*/site-packages/requests")), "the runtime has it"
    # The token came from Secrets Manager: the backend saw it, no log line did.
    assert backend.calls == [{"path": "/accounts/1001/balance", "authorised": True}]
    # Logs reach the group after the invocation: wait for the run's last line.
    group = backend_stack.outputs["log_group_names"]["worker"]
    logs = backend_stack.client("logs")
    seen: list[str] = []

    def the_run_logged() -> list[str] | None:
        seen[:] = log_messages(logs, group)
        finished = [m for m in seen if written["RequestId"] in m and "request.finished" in m]
        return list(seen) if finished else None

    try:
        messages = wait_for(the_run_logged, timeout=60, what=f"the worker's log lines in {group}")
    except TimeoutError:
        raise AssertionError(f"no whole worker run in {group} within 60 s: {seen}") from None
    assert not [message for message in messages if backend.token in message]


def test_a_requirement_that_does_not_exist_fails_the_apply_naming_it_and_no_function_changes(
    backend_stack: Stack, tmp_path: Path
) -> None:
    before = {key: _function(backend_stack, key) for key in ("writer", "processor", "worker")}
    missing = "no-such-library-for-tracker-tests==1.0"
    bad = tmp_path / "requirements.txt"
    bad.write_text(REQUIREMENTS.read_text() + f"{missing}\n")
    terraform = backend_stack.terraform
    try:
        with pytest.raises(TerraformError) as failed:
            terraform.apply(requirements_file=str(bad))
    finally:
        terraform.variables["requirements_file"] = str(REQUIREMENTS)
    assert missing in str(failed.value), str(failed.value)[-3000:]
    for key, configuration in before.items():
        after = _function(backend_stack, key)
        assert (after["CodeSha256"], after["LastModified"]) == (
            configuration["CodeSha256"],
            configuration["LastModified"],
        ), key
