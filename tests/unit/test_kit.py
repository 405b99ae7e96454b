"""The task authors' package and its testing kit (`pip install "./lambda_src[testing]"`).

The fresh-environment test installs the package from a copy of lambda_src into a new
virtual environment (setuptools and moto come from PyPI, which pip reaches here and on CI)
and runs the README's "Test your task" blocks there, as a task author would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

import connect_tracker
from connect_tracker.tasks import RetryableTaskError, TaskContext, TaskError, UnknownTask, task
from connect_tracker.testing import LocalTracker, run_task

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"


def _latest_release() -> str:
    """The newest released version in CHANGELOG.md (## [X.Y.Z] - date)."""
    match = re.search(
        r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}", (REPO / "CHANGELOG.md").read_text(), re.M
    )
    assert match, "CHANGELOG.md names no release"
    return match.group(1)


def test_the_package_is_versioned_with_the_module() -> None:
    project = tomllib.loads((REPO / "lambda_src" / "pyproject.toml").read_text())["project"]
    assert project["version"] == connect_tracker.__version__ == _latest_release()


def test_the_package_is_typed() -> None:
    assert (REPO / "lambda_src" / "connect_tracker" / "py.typed").is_file()


def _readme_files() -> dict[str, str]:
    """The task of "Plug in your task" and the test of "Test your task", by the path each
    block names on its first line."""
    text = README.read_text()
    section = text.split("### Plug in your task", 1)[1].split("\n### Flow contract", 1)[0]
    files = {}
    for block in re.findall(r"```python\n(.*?)```", section, re.S):
        first, _, _ = block.partition("\n")
        assert first.startswith("# "), f"a block without its path: {first!r}"
        files[first[2:].strip()] = block
    assert set(files) == {"tasks/greeting.py", "tests/test_greeting.py"}, sorted(files)
    return files


def _run(command: list[str], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_kit_installs_in_a_fresh_environment_and_the_readme_examples_pass(
    tmp_path: Path,
) -> None:
    source = tmp_path / "lambda_src"
    shutil.copytree(REPO / "lambda_src", source, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    _run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"{source}[testing]", "pytest"],
        tmp_path,
    )  # fmt: skip
    project = tmp_path / "project"
    for path, text in _readme_files().items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text)
    # The installed kit, not this checkout: nothing of the repository is on the path.
    where = _run([python, "-c", "import connect_tracker.testing as t; print(t.__file__)"], project)
    assert str(venv) in where
    report = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], project)
    assert "2 passed" in report, report


@task("kit_reads_a_secret")
def _reads_a_secret(parameters: Mapping[str, str], context: TaskContext) -> dict[str, str]:
    if parameters.get("Fail") == "retry":
        raise RetryableTaskError("BACKEND_BUSY", "try again")
    if parameters.get("Nested"):
        return {"Nested": {"not": "flat"}}  # type: ignore[dict-item]
    if parameters.get("Sleep"):
        threading.Event().wait(float(parameters["Sleep"]))
    token = context.secret(parameters.get("Secret", "TOKEN"))
    return {"Token": token[:3], "Region": context.settings.get("REGION", "-")}


def test_run_task_answers_as_the_worker_records() -> None:
    result = run_task(
        "kit_reads_a_secret", {}, settings={"REGION": "eu"}, secrets={"TOKEN": "abcdef"}
    )
    assert result == {"Token": "abc", "Region": "eu"}


def test_run_task_raises_what_the_request_would_end_with() -> None:
    with pytest.raises(TaskError) as unknown:
        run_task("kit_reads_a_secret", {"Secret": "OTHER"}, secrets={"TOKEN": "x"})
    assert unknown.value.code == "UNKNOWN_SECRET"
    with pytest.raises(RetryableTaskError):
        run_task("kit_reads_a_secret", {"Fail": "retry"})
    with pytest.raises(TaskError) as invalid:
        run_task("kit_reads_a_secret", {"Nested": "yes"})
    assert invalid.value.code == "INVALID_RESULT"
    with pytest.raises(TimeoutError, match="TIMED_OUT"):
        run_task("kit_reads_a_secret", {"Sleep": "5"}, deadline_seconds=0.2)
    with pytest.raises(UnknownTask):
        run_task("no_such_task", {})


def test_the_local_tracker_runs_the_real_handlers_with_secrets_from_secrets_manager() -> None:
    before = dict(os.environ)
    with LocalTracker(settings={"REGION": "eu"}, secrets={"TOKEN": "abcdef"}) as tracker:
        ok = tracker.submit({"TaskName": "kit_reads_a_secret"}, contact_id="c-1")
        unknown = tracker.submit({"TaskName": "kit_reads_a_secret", "Secret": "NOPE"})
        assert ok["Status"] == "PENDING"
        answer = tracker.result(ok["RequestId"])
        assert (answer["Status"], answer["Token"], answer["Region"]) == ("COMPLETE", "abc", "eu")
        failed = tracker.result(unknown["RequestId"])
        assert (failed["Status"], failed["ErrorCode"]) == ("FAILED", "UNKNOWN_SECRET")
        # Only the contact chain that asked is answered.
        assert tracker.result(ok["RequestId"], contact_id="c-2")["Status"] == "NOT_FOUND"
        # The value came from moto's Secrets Manager, named to the worker as deployed.
        arn = os.environ["TRACKER_TASK_SECRET_TOKEN"]
        assert arn.startswith("arn:aws:secretsmanager:")
    assert dict(os.environ) == before  # the block's settings are gone again
