"""Fresh checkouts (issue 12, item 1): what a CI runner does on every run.

Two clones of the committed HEAD, as two runners would check it out, share one state file:

1. clone A applies ``examples/localstack`` (it builds the package into its own builds/);
2. clone B, which has no builds/ at all, plans no change;
3. clone B applies an architecture change, which makes the aws provider read the zip
   (UpdateFunctionCode): the module rebuilds it first, byte for byte the same package;
4. a runner whose ``python_executable`` does not exist fails with a message naming that
   input, and has created nothing.

Uncommitted changes are not part of the clones: commit before running this test.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.stack import (
    ROOT,
    Terraform,
    TerraformError,
    leftovers,
    sandbox_session,
)
from tracker_sandbox.control import Sandbox

pytestmark = pytest.mark.integration

EXAMPLE = Path("examples") / "localstack"


def _say(message: str) -> None:
    print(f"[fresh-checkout] {message}", file=sys.stderr, flush=True)


def _clone(destination: Path) -> Path:
    """A fresh checkout of this worktree's HEAD: tracked files only, no builds/."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(destination)], check=True
    )
    subprocess.run(["git", "-C", str(destination), "checkout", "--quiet", head], check=True)
    return destination


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    sandbox = Sandbox()
    started = sandbox.ensure_up()
    try:
        yield sandbox.endpoint
    finally:
        if started:
            sandbox.down()


@pytest.fixture
def workspace() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tracker-fresh-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _function(endpoint: str, name: str) -> dict[str, Any]:
    client = sandbox_session().client("lambda", endpoint_url=endpoint)
    configuration: dict[str, Any] = client.get_function_configuration(FunctionName=name)
    return configuration


def test_two_fresh_clones_share_one_state(endpoint: str, workspace: Path) -> None:
    name = f"fc-{secrets.token_hex(3)}"
    variables = {"endpoint": endpoint, "name": name}
    state = workspace / "shared.tfstate"
    clone_a = _clone(workspace / "a")
    clone_b = _clone(workspace / "b")
    runner_a = Terraform(clone_a / EXAMPLE, workspace / "runner-a", variables, state=state)
    runner_b = Terraform(clone_b / EXAMPLE, workspace / "runner-b", variables, state=state)
    for runner in (runner_a, runner_b):
        runner.work_dir.mkdir()
        runner.init()
    try:
        runner_a.apply()
        writer = f"{name}-writer"
        before = _function(endpoint, writer)
        assert before["Architectures"] == ["x86_64"]
        _say(f"clone A applied; writer CodeSha256 {before['CodeSha256']}")

        assert not (clone_b / EXAMPLE / "builds").exists()
        assert runner_b.plan_exit_code() == 0, "a fresh clone must plan no change"
        _say("clone B (no builds/) plans no change")

        runner_b.apply(lambda_architecture="arm64")
        after = _function(endpoint, writer)
        assert after["Architectures"] == ["arm64"]
        # The rebuilt package is the same bytes as clone A's: a reproducible build.
        assert after["CodeSha256"] == before["CodeSha256"]
        assert list((clone_b / EXAMPLE / "builds").glob(f"{name}-*.zip"))
        assert runner_b.plan_exit_code() == 0
        _say("clone B applied arm64 (package rebuilt, same CodeSha256) and plans no change")
    finally:
        if runner_b.resources():
            runner_b.destroy()
        assert not leftovers(endpoint, name)


def test_a_missing_interpreter_fails_first_and_names_python_executable(
    endpoint: str, workspace: Path
) -> None:
    name = f"fp-{secrets.token_hex(3)}"
    clone = _clone(workspace / "c")
    runner = Terraform(
        clone / EXAMPLE,
        workspace / "runner-c",
        {"endpoint": endpoint, "name": name, "python_executable": "python3-not-installed"},
    )
    runner.work_dir.mkdir()
    runner.init()
    try:
        with pytest.raises(TerraformError) as failure:
            runner.apply()
        assert "python_executable" in str(failure.value)
        _say(f"apply failed as it should: {str(failure.value).strip().splitlines()[-1][:200]}")
        # Of the module, only the failed (tainted) build step may be in the state: no AWS
        # resource. The example's own alarm topic is outside the module (the module takes
        # its ARN), so nothing inside the module can order it after the check.
        assert [r for r in runner.resources() if r.startswith("module.") and ".aws_" in r] == []
        outside = {r for r in runner.resources() if ".aws_" in r}
        assert outside <= {"aws_sns_topic.alarms"}, outside  # created or not, as the race goes
        assert [left for left in leftovers(endpoint, name) if not left.startswith("topic ")] == []
    finally:
        if runner.resources():
            runner.destroy()
