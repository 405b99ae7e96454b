"""`make bench` on a fresh machine (issue 12, item 7).

It finds Python 3.13 the way the sandbox does (a pyenv shim with no 3.13 selected is passed
over), and its per-contact rows read what the flow simulator writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.pipeline import caller_metrics, contact_row

from tracker_sandbox.flows.result import LambdaCall, PromptRecord, SimulationResult

REPO = Path(__file__).resolve().parents[2]

# A pyenv shim as pyenv writes it when the version is not selected: it exists on PATH and
# fails the way the issue quotes.
_SHIM = """#!/bin/sh
echo "pyenv: python3.13: command not found" >&2
exit 127
"""


def _interpreter(path: Path, version: tuple[int, int]) -> Path:
    """A stand-in interpreter that answers the finder's two probes as Python <version> at
    <path> would (the finder runs `-c <assert version>` and `-c <print executable>`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        'case "$2" in\n'
        f'  *assert*) [ "{version[0]}.{version[1]}" = "3.13" ] ;;\n'
        f'  *executable*) echo "{path}" ;;\n'
        "  *) exit 2 ;;\n"
        "esac\n"
    )
    path.chmod(0o755)
    return path


def _fresh_machine(tmp_path: Path) -> dict[str, str]:
    shims = tmp_path / "pyenv" / "shims"
    shims.mkdir(parents=True)
    (shims / "python3.13").write_text(_SHIM)
    (shims / "python3.13").chmod(0o755)
    _interpreter(tmp_path / "pyenv" / "versions" / "3.12.1" / "bin" / "python3.13", (3, 12))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "BENCH_"))}
    env.update(
        PATH=f"{shims}:{Path(sys.executable).parent}:/usr/bin:/bin",
        PYENV_ROOT=str(tmp_path / "pyenv"),
        HOME=str(tmp_path),
        MAKEFLAGS="",
    )
    return env


def _bench_python(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "bench-python"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_bench_passes_over_a_pyenv_shim_and_takes_the_installed_313(tmp_path):
    env = _fresh_machine(tmp_path)
    installed = _interpreter(
        tmp_path / "pyenv" / "versions" / "3.13.0" / "bin" / "python3.13", (3, 13)
    )
    found = _bench_python(env)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(installed)
    sandbox = subprocess.run(
        [str(REPO / "sandbox" / "bin" / "find-python313")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert sandbox.stdout.strip() == str(installed)


def test_bench_names_the_missing_interpreter_when_only_a_shim_exists(tmp_path):
    found = _bench_python(_fresh_machine(tmp_path))
    assert found.returncode != 0
    assert found.stdout.strip() == ""
    assert "pyenv: python3.13: command not found" not in found.stderr


def _summary(success: bool) -> dict[str, object]:
    writer = LambdaCall(
        action="invoke-writer",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:t-writer",
        parameters={},
        started_at=0.0,
        duration_seconds=0.1,
        time_limit_seconds=8.0,
        response_type="STRING_MAP",
        ok=True,
        response={"RequestId": "r-1"},
    )
    checker = LambdaCall(
        action="invoke-checker",
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:t-checker",
        parameters={},
        started_at=1.0,
        duration_seconds=0.1,
        time_limit_seconds=8.0,
        response_type="STRING_MAP",
        ok=True,
        response={"Status": "COMPLETE"},
    )
    result = SimulationResult(
        contact_id="c-1",
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        clock="real",
        lambda_calls=[writer, checker, checker],
        success=success,
        outcome="RESULT" if success else "APOLOGY",
        final_prompt=PromptRecord("thank-caller" if success else "apologize", 5.5, "", 2.0),
        prompts=[PromptRecord("greet", 0.2, "Hello, thank you for calling.", 4.4)],
    )
    return result.to_dict()


@pytest.mark.parametrize("success", [True, False])
def test_a_per_contact_row_reports_what_the_simulator_wrote(success):
    completed_at = datetime(2026, 1, 1, tzinfo=UTC).timestamp() + 5.25
    row = contact_row(_summary(success), "VOICE", 2.0, 3.04, completed_at)
    assert row["success"] is success
    assert (row["writer_calls"], row["checker_calls"]) == (1, 2)
    assert row["request_id"] == "r-1"
    assert row["wall_seconds"] == 3.0
    # What the caller lived through: the result prompt 5.5 s into the contact, 0.25 s
    # after the request's COMPLETE write; an apology is no result.
    expected = (5.5, 0.25) if success else (None, None)
    assert (row["time_to_result_seconds"], row["wait_after_complete_seconds"]) == expected
    assert row["greeting_seconds"] == 4.4  # the target's yardstick: greeting + 1 s
    # COMPLETE at 5.25 s, after the greeting (0.2 to 4.6 s): all of the wait is the pacing's.
    assert row["landed_during_prompt"] is None
    assert row["wait_beyond_prompt_seconds"] == (0.25 if success else None)


def test_a_result_ready_during_the_greeting_waits_for_its_end_and_the_rest_is_the_pacing():
    started = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    row = contact_row(_summary(True), "VOICE", 2.0, 6.0, started + 2.5)
    # Ready 2.5 s in, while the greeting (0.2 to 4.6 s) still played; heard at 5.5 s.
    assert row["wait_after_complete_seconds"] == 3.0
    assert row["landed_during_prompt"] == "greet"
    assert row["wait_beyond_prompt_seconds"] == 0.9


def test_caller_metrics_per_channel() -> None:
    rows = [
        {
            "channel": "VOICE",
            "work_seconds": 2.0,
            "time_to_result_seconds": 5.0,
            "wait_after_complete_seconds": 0.2,
            "greeting_seconds": 4.4,
        },
        {
            "channel": "VOICE",
            "work_seconds": 9.0,
            "time_to_result_seconds": 12.0,
            "wait_after_complete_seconds": 1.4,
            "greeting_seconds": 4.6,
        },
        {
            "channel": "CHAT",
            "work_seconds": 2.0,
            "time_to_result_seconds": 2.5,
            "wait_after_complete_seconds": 0.1,
            "greeting_seconds": 0.0,
        },
    ]
    metrics = caller_metrics(rows)
    assert metrics["caller_wait_after_complete_voice_p50"] == 0.2
    assert metrics["caller_wait_after_complete_voice_p99"] == 1.4
    assert metrics["caller_time_to_result_voice_p50"] == 5.0
    assert metrics["caller_time_to_result_chat_p50"] == 2.5
    assert metrics["caller_greeting_voice_p50"] == 4.4  # of the 2 s contacts only
    # Rows without the decomposition (older reports) count as no result during a prompt.
    assert metrics["caller_results_during_prompt_voice"] == 0


def test_caller_metrics_split_the_wait_at_the_prompt_that_played() -> None:
    rows = [
        {
            "channel": "VOICE",
            "work_seconds": work,
            "time_to_result_seconds": 5.0,
            "wait_after_complete_seconds": wait,
            "greeting_seconds": 4.4,
            "landed_during_prompt": landed,
            "wait_beyond_prompt_seconds": beyond,
        }
        for work, wait, landed, beyond in [
            (2.0, 2.0, "greet", 0.1),
            (21.0, 3.1, "reassure", 0.2),
            (9.0, 0.3, None, 0.3),
        ]
    ]
    metrics = caller_metrics(rows)
    assert metrics["caller_results_during_prompt_voice"] == 2
    assert metrics["caller_wait_beyond_prompt_voice_p50"] == 0.2
    assert metrics["caller_wait_beyond_prompt_voice_p99"] == pytest.approx(0.3, abs=0.01)
    assert metrics["caller_wait_after_complete_voice_p99"] > 3.0
