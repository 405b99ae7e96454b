"""Start and stop the sandbox from another Python (e.g. a pytest fixture in the project venv).

Runs ``sandbox/bin/sandbox`` as a subprocess, so LocalStack never has to be importable here::

    sandbox = Sandbox()
    started = sandbox.ensure_up()      # reuses a sandbox already answering at the endpoint
    os.environ.update(sandbox.client_environment())
    ...
    if started:
        sandbox.down()
"""

from __future__ import annotations

import os
import subprocess
import urllib.parse
from pathlib import Path

from tracker_sandbox import config, process
from tracker_sandbox.errors import SandboxError

BOOTSTRAP = config.SANDBOX_DIR / "bin" / "sandbox"


class Sandbox:
    def __init__(self, port: int | None = None, state_dir: Path | None = None) -> None:
        self.port = port if port is not None else config.sandbox_port()
        self.paths = config.Paths(state_dir) if state_dir else config.Paths.from_env()

    @property
    def endpoint(self) -> str:
        return config.endpoint_url(self.port)

    def client_environment(self) -> dict[str, str]:
        """AWS_ENDPOINT_URL, fake credentials and region for boto3 / terraform."""
        return config.client_environment(self.port)

    def healthy(self) -> bool:
        return process.health(self.port) is not None

    def serves(self, endpoint: str) -> bool:
        """Whether ``endpoint`` is this sandbox: a loopback URL on its port where the
        LocalStack this state folder started is the one listening (asked of the OS, so a
        Docker LocalStack or another checkout's sandbox on the same port is not taken for it)."""
        url = urllib.parse.urlsplit(endpoint)
        if url.hostname not in ("127.0.0.1", "localhost", "::1") or url.port != self.port:
            return False
        pid = process.read_pid(self.paths)
        if pid is None:
            return False
        sandbox = {info.pid for info in process.sandbox_processes(self.paths, pid)}
        return bool(process.listening_pids(self.port) & sandbox)

    def runtime_pids(self, function_name: str) -> list[int]:
        """PIDs of this sandbox's Lambda execution environments running ``function_name``
        (one runtime subprocess each, started by the Docker-less executor)."""
        pid = process.read_pid(self.paths)
        if pid is None:
            return []
        return [info.pid for info in process.runtime_processes(self.paths, pid, function_name)]

    def _run(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, SANDBOX_PORT=str(self.port), SANDBOX_STATE_DIR=str(self.paths.state))
        result = subprocess.run(
            [str(BOOTSTRAP), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise SandboxError(
                f"`sandbox {' '.join(args)}` failed (exit {result.returncode}):\n"
                f"{result.stderr.strip()}\n--- sandbox log tail ---\n{self.log_tail()}",
                "see the message above; `sandbox/bin/sandbox logs -n 200` shows more",
            )
        return result

    def up(self, timeout: float = 600.0) -> None:
        """Provision (cached) and start; the first run on a machine builds venvs (minutes)."""
        self._run("up", timeout=timeout)

    def ensure_up(self, timeout: float = 600.0) -> bool:
        """Start unless a sandbox already answers at the endpoint; True when this call started it."""
        if self.healthy():
            return False
        self.up(timeout)
        return True

    def down(self, timeout: float = 60.0) -> None:
        self._run("down", timeout=timeout)

    def log_tail(self, lines: int = 60) -> str:
        return process.log_tail(self.paths, lines)

    def download_attempts(self) -> list[str]:
        return process.download_attempts(self.paths)
