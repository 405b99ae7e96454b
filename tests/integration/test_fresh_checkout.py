"""Fresh checkouts (issue 12, item 1): what a CI runner does on every run.

Three clones of the committed HEAD, as three runners would check it out, share one state:

1. clone A applies ``examples/localstack`` (it builds the package into its own builds/ and
   stages it in the module's S3 bucket);
2. clone B, which has no builds/ at all, plans no change;
3. clone B applies an architecture change (UpdateFunctionCode): the functions take the
   code from the staged object, so nothing is built and the code is the same bytes;
4. clone C, also without builds/, recreates functions for reasons only Terraform knows:
   ``-replace`` of the writer, and the checker deleted outside Terraform. Both come back
   from the staged object, with no manual step and still nothing built;
5. a runner whose ``python_executable`` does not exist fails with a message naming that
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
    Endpoint,
    Terraform,
    TerraformError,
    leftovers,
    sandbox_session,
)

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
def url(endpoint: Endpoint) -> str:
    """The session's endpoint (conftest.py): the sandbox, or TRACKER_SANDBOX_ENDPOINT."""
    return endpoint.url


@pytest.fixture
def workspace() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tracker-fresh-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _function(url: str, name: str) -> dict[str, Any]:
    client = sandbox_session().client("lambda", endpoint_url=url)
    configuration: dict[str, Any] = client.get_function_configuration(FunctionName=name)
    return configuration


def test_fresh_clones_share_one_state(url: str, workspace: Path) -> None:
    name = f"fc-{secrets.token_hex(3)}"
    variables = {"endpoint": url, "name": name}
    state = workspace / "shared.tfstate"
    clones = {runner: _clone(workspace / runner) for runner in ("a", "b", "c")}
    runners = {
        runner: Terraform(clone / EXAMPLE, workspace / f"runner-{runner}", variables, state=state)
        for runner, clone in clones.items()
    }
    for runner in runners.values():
        runner.work_dir.mkdir()
        runner.init()
    lambda_client = sandbox_session().client("lambda", endpoint_url=url)
    writer, checker = f"{name}-writer", f"{name}-checker"
    try:
        runners["a"].apply()
        before = _function(url, writer)
        assert before["Architectures"] == ["x86_64"]
        outputs = runners["a"].outputs()
        staged = (
            sandbox_session()
            .client("s3", endpoint_url=url)
            .head_object(Bucket=outputs["package_bucket_name"], Key=outputs["package_object_key"])
        )
        assert staged["ContentLength"] > 0
        _say(
            f"clone A applied; writer CodeSha256 {before['CodeSha256']}, package staged at "
            f"s3://{outputs['package_bucket_name']}/{outputs['package_object_key']}"
        )

        assert not (clones["b"] / EXAMPLE / "builds").exists()
        assert runners["b"].plan_exit_code() == 0, "a fresh clone must plan no change"
        _say("clone B (no builds/) plans no change")

        runners["b"].apply(lambda_architecture="arm64")
        after = _function(url, writer)
        assert after["Architectures"] == ["arm64"]
        # The code came from the staged object: the same bytes, and nothing was built.
        assert after["CodeSha256"] == before["CodeSha256"]
        assert not (clones["b"] / EXAMPLE / "builds").exists()
        assert runners["b"].plan_exit_code() == 0
        _say("clone B applied arm64 from the staged package (nothing built) and plans no change")

        # Recreated for reasons only Terraform knows, on a runner without the zip.
        lambda_client.delete_function(FunctionName=checker)
        runners["c"].apply(
            replace=('module.tracker.aws_lambda_function.this["writer"]',),
            lambda_architecture="arm64",  # the configuration clone B applied
        )
        replaced, recreated = _function(url, writer), _function(url, checker)
        assert replaced["RevisionId"] != after["RevisionId"]
        assert replaced["CodeSha256"] == recreated["CodeSha256"] == before["CodeSha256"]
        assert recreated["Architectures"] == ["arm64"]
        assert not (clones["c"] / EXAMPLE / "builds").exists()
        assert runners["c"].plan_exit_code() == 0
        _say("clone C replaced the writer and recreated the deleted checker (nothing built)")
    finally:
        if runners["c"].resources():
            runners["c"].destroy()
        assert not leftovers(url, name)


def test_a_missing_interpreter_fails_first_and_names_python_executable(
    url: str, workspace: Path
) -> None:
    name = f"fp-{secrets.token_hex(3)}"
    clone = _clone(workspace / "c")
    runner = Terraform(
        clone / EXAMPLE,
        workspace / "runner-c",
        {"endpoint": url, "name": name, "python_executable": "python3-not-installed"},
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
        assert [left for left in leftovers(url, name) if not left.startswith("topic ")] == []
    finally:
        if runner.resources():
            runner.destroy()
