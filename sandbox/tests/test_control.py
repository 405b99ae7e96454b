"""What `tracker_sandbox.control.Sandbox` tells a test tier about the running sandbox."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sandbox_testkit import FunctionFactory, invoke
from test_executor import APP

from tracker_sandbox.control import Sandbox

pytestmark = pytest.mark.sandbox


def test_the_sandbox_serves_its_own_endpoint_only(sandbox: Sandbox) -> None:
    assert sandbox.serves(sandbox.endpoint)
    assert sandbox.serves(f"http://localhost:{sandbox.port}/")
    assert not sandbox.serves(f"http://10.0.0.1:{sandbox.port}")  # not this host
    with socket.socket() as other:  # something else listening on another port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert not sandbox.serves(f"http://127.0.0.1:{port}")
        assert not Sandbox(port=port, state_dir=sandbox.paths.state).serves(
            f"http://127.0.0.1:{port}"
        )


def test_runtime_pids_are_the_functions_execution_environments(
    make_function: FunctionFactory, lambda_client: Any, sandbox: Sandbox
) -> None:
    name = make_function({"app.py": APP})
    other = make_function({"app.py": APP})
    assert sandbox.runtime_pids(name) == []  # no environment before the first invoke
    pid = invoke(lambda_client, name)["Body"]["pid"]
    invoke(lambda_client, other)
    assert sandbox.runtime_pids(name) == [pid]
    assert pid not in sandbox.runtime_pids(other)
