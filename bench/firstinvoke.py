"""What deferring boto3's import would do to the invoke a cold contact waits on.

Connect waits for a cold environment's INIT *and* its first invoke, so import time only
matters through their sum. Three variants of the same package, each in a fresh interpreter
of the bench venv (Python 3.13) calling the checker against the sandbox's table:

- ``eager`` (as shipped): boto3 imported at module level and the client built in INIT
  (``_runtime.prewarm``, active because ``AWS_LAMBDA_FUNCTION_NAME`` is set);
- ``eager_no_prewarm``: boto3 imported at module level, client built by the first invoke;
- ``lazy``: a measurement-only copy whose ``_runtime`` imports boto3 and botocore inside
  ``dynamodb_client()`` (so the first invoke pays import + client), nothing prewarmed.

Per variant: INIT (the handler module's import, wall clock), first invoke, second invoke,
and INIT + first invoke (what the cold contact waits on), medians of REPEATS runs
interleaved round by round.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from connect_tracker.testing import contact_event

ROOT = Path(__file__).resolve().parents[1]
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"

_PROBE = """
import json, sys, time
began = time.perf_counter()
import connect_tracker.handlers.checker as checker
init = time.perf_counter() - began
boto3_at_init = "boto3" in sys.modules
event = json.loads(sys.argv[1])
timings = []
for _ in range(2):
    began = time.perf_counter()
    answer = checker.handler(event, None)
    timings.append(time.perf_counter() - began)
print(json.dumps({"init": init, "first": timings[0], "second": timings[1],
                  "status": answer.get("Status"), "boto3_at_init": boto3_at_init}))
"""


_LAZY_SHIM = """
class _LazyBoto3:  # lazy variant: boto3 and botocore are imported by the first client
    def client(self, service, config=None):
        import boto3
        from botocore.config import Config as _Config

        return boto3.client(service, config=_Config(**config) if config else None)


boto3 = _LazyBoto3()


def Config(**settings):  # lazy variant: kept as keywords until client() builds it
    return settings
"""


def _lazy_copy(package: Path, target: Path) -> None:
    """The package with boto3/botocore imported on first use instead of at import.

    Only the two import lines of ``_runtime`` are replaced (by a shim with the same names),
    so the variant follows whatever the shipped ``_runtime`` does with them.
    """
    shutil.copytree(package, target)
    runtime = target / "connect_tracker" / "handlers" / "_runtime.py"
    text = runtime.read_text()
    imports = "import boto3\nfrom botocore.config import Config\n"
    if imports not in text:
        raise RuntimeError(f"lazy variant: {imports!r} not found in _runtime.py")
    runtime.write_text(text.replace(imports, _LAZY_SHIM))


def _median(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def measure(
    package_zip: Path, endpoint: str, table: str, request_id: str, repeats: int
) -> dict[str, Any]:
    event = json.dumps(contact_event("bench-first-invoke", {"RequestId": request_id}))
    base_env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "TRACKER_TABLE_NAME": table,
    }
    with tempfile.TemporaryDirectory(prefix="bench-first-invoke-") as work:
        shipped = Path(work) / "shipped"
        with zipfile.ZipFile(package_zip) as archive:
            archive.extractall(shipped)
        lazy = Path(work) / "lazy"
        _lazy_copy(shipped, lazy)
        variants = {
            "eager": (shipped, True),
            "eager_no_prewarm": (shipped, False),
            "lazy": (lazy, False),
        }
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for round_number in range(repeats):
            order = list(variants.items())
            if round_number % 2:
                order.reverse()
            for name, (path, in_lambda) in order:
                env = dict(base_env, PYTHONPATH=str(path))
                if in_lambda:
                    env["AWS_LAMBDA_FUNCTION_NAME"] = "bench-checker"
                done = subprocess.run(  # noqa: S603 - our interpreter, our arguments
                    [str(BENCH_PYTHON), "-c", _PROBE, event],
                    cwd=path,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=120,
                )
                samples[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    result: dict[str, Any] = {"repeats": repeats}
    for name, runs in samples.items():
        result[name] = {
            "init_ms": _median([r["init"] for r in runs]),
            "first_invoke_ms": _median([r["first"] for r in runs]),
            "second_invoke_ms": _median([r["second"] for r in runs]),
            "init_plus_first_ms": _median([r["init"] + r["first"] for r in runs]),
            "boto3_imported_at_init": all(r["boto3_at_init"] for r in runs),
            "statuses": sorted({str(r["status"]) for r in runs}),
        }
    eager = result["eager"]
    for name in ("eager_no_prewarm", "lazy"):
        result[name]["first_invoke_vs_eager"] = round(
            result[name]["first_invoke_ms"] / eager["first_invoke_ms"], 2
        )
        result[name]["init_plus_first_vs_eager"] = round(
            result[name]["init_plus_first_ms"] / eager["init_plus_first_ms"], 2
        )
    return result
