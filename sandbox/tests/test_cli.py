"""Bootstrap and CLI behaviours that need no running sandbox."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tracker_sandbox import config

BOOTSTRAP = str(config.SANDBOX_DIR / "bin" / "sandbox")


def test_env_prints_export_lines() -> None:
    result = subprocess.run(
        [BOOTSTRAP, "env"], env=dict(os.environ, SANDBOX_PORT="4999"),
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:4999" in lines
    assert "export AWS_ACCESS_KEY_ID=test" in lines
    assert "export AWS_DEFAULT_REGION=us-east-1" in lines


def _state_sharing_the_venv(tmp_path: Path) -> Path:
    """A state folder of its own (no running sandbox in it) that borrows the built venv."""
    shared = config.Paths.from_env().state
    subprocess.run([BOOTSTRAP, "env"], check=True, capture_output=True, timeout=900)  # venv built
    state = tmp_path / "state"
    (state / "stamps").mkdir(parents=True)
    (state / "venv").symlink_to(shared / "venv")
    shutil.copy(shared / "stamps" / "venv.stamp", state / "stamps" / "venv.stamp")
    return state


def test_up_on_busy_port_names_the_process_and_the_fix(tmp_path: Path) -> None:
    state = _state_sharing_the_venv(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [BOOTSTRAP, "up"],
            env=dict(os.environ, SANDBOX_PORT=str(port), SANDBOX_STATE_DIR=str(state)),
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
    assert not (state / "localstack").exists(), "the busy port must be found before provisioning"
    assert result.returncode == 1
    assert f"port 127.0.0.1:{port} is already in use by pid {os.getpid()}" in result.stderr
    assert sys.executable.rsplit("/", 1)[-1] in result.stderr or "python" in result.stderr
    assert "SANDBOX_PORT=" in result.stderr


def test_missing_python313_is_explained() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "PYENV_ROOT": "/nonexistent",
        "SANDBOX_PYTHON": "/nonexistent/python3.13",
        "SANDBOX_STATE_DIR": "/tmp/sandbox-no-python-test",
    }
    result = subprocess.run(
        [BOOTSTRAP, "status"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 1
    assert "Python 3.13 not found" in result.stderr
    assert "pyenv install 3.13" in result.stderr
