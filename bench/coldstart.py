"""Cold start and size: handler import time (-X importtime) and the package's zip size.

Runs each import in a fresh interpreter of the bench venv (Python 3.13, the runtime's
version, with the runtime's boto3), REPEATS times, and takes the median of the summed
top-level cumulative times of the modules the import adds over a bare interpreter.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
REPEATS = 20
OURS = {
    "writer": "connect_tracker.handlers.writer",
    "checker": "connect_tracker.handlers.checker",
    "processor": "connect_tracker.handlers.processor",
}
POWERTOOLS = {
    "writer": "pt_writer",
    "checker": "pt_checker",
    "processor": "pt_processor",
}


def _parse(stderr: str) -> dict[str, int]:
    times: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3:
            continue
        name = fields[2].rstrip().removeprefix(" ")
        if name.startswith(" "):
            continue  # nested under another import: counted in its parent's cumulative
        times[name] = int(fields[1].strip())
    return times


def _env(path: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}


def _run(python: Path, code: str, path: Path) -> dict[str, int]:
    done = subprocess.run(  # noqa: S603 - our interpreter, our arguments
        [str(python), "-X", "importtime", "-c", code],
        cwd=path,
        env=_env(path),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return _parse(done.stderr)


def _added_ms(times: dict[str, int], baseline: set[str]) -> float:
    return sum(us for name, us in times.items() if name not in baseline) / 1000


def _summary(samples: list[float]) -> dict[str, Any]:
    return {
        "median_ms": round(statistics.median(samples), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "samples": len(samples),
    }


def compare(
    python: Path, pairs: dict[str, tuple[str, Path]], repeats: int = REPEATS
) -> dict[str, dict[str, Any]]:
    """Median import time of each named module, the modules interleaved in every round
    (so a burst of load on the shared machine hits all of them alike)."""
    baseline = set(_run(python, "pass", Path("/")))
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for round_number in range(repeats):
        order = list(pairs.items())
        if round_number % 2:
            order.reverse()
        for name, (module, path) in order:
            samples[name].append(_added_ms(_run(python, f"import {module}", path), baseline))
    return {name: _summary(values) for name, values in samples.items()}


def measure(package_zip: Path, repeats: int = REPEATS) -> dict[str, Any]:
    """Import times of our three handlers and their Powertools equivalents; the zip size."""
    theirs = ROOT / "bench" / "powertools_handlers"
    with tempfile.TemporaryDirectory(prefix="bench-import-") as work:
        ours = Path(work) / "ours"
        with zipfile.ZipFile(package_zip) as archive:
            archive.extractall(ours)
            uncompressed = sum(info.file_size for info in archive.infolist())
        pairs: dict[str, tuple[str, Path]] = {"boto3": ("boto3", ours)}
        for name, module in OURS.items():
            pairs[f"ours.{name}"] = (module, ours)
            pairs[f"powertools.{name}"] = (POWERTOOLS[name], theirs)
        measured = compare(BENCH_PYTHON, pairs, repeats)
    result: dict[str, Any] = {
        "python": str(BENCH_PYTHON.relative_to(ROOT)),
        "repeats": repeats,
        "boto3_alone": measured["boto3"],
        "handlers": {},
    }
    for name in OURS:
        mine, powertools = measured[f"ours.{name}"], measured[f"powertools.{name}"]
        result["handlers"][name] = {
            "ours": mine,
            "powertools": powertools,
            "import_vs_powertools": round(mine["median_ms"] / powertools["median_ms"], 3),
        }
    result["zip_bytes"] = package_zip.stat().st_size
    result["zip_uncompressed_bytes"] = uncompressed
    result["import_vs_powertools"] = max(
        entry["import_vs_powertools"] for entry in result["handlers"].values()
    )
    return result
