"""The bench's measurement-only variants still follow the shipped package.

``make bench`` is not part of ``make test``; this keeps its lazy-boto3 variant from
breaking silently when ``handlers/_runtime.py`` changes (it did once).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.firstinvoke import _lazy_copy

from connect_tracker.handlers import _runtime

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
import connect_tracker.handlers.checker  # noqa: F401 - INIT
at_init = "boto3" in sys.modules
from connect_tracker.handlers import _runtime
client = _runtime.dynamodb_client()
print(json.dumps({"at_init": at_init, "after": "boto3" in sys.modules,
                  "read_timeout": client.meta.config.read_timeout,
                  "retries": client.meta.config.retries}))
"""


def test_the_lazy_variant_defers_boto3_and_builds_the_shipped_client(tmp_path):
    shipped = tmp_path / "shipped"
    shutil.copytree(REPO / "lambda_src", shipped)
    _lazy_copy(shipped, tmp_path / "lazy")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(tmp_path / "lazy"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "TRACKER_TABLE_NAME": "bench",
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)
    assert seen["at_init"] is False
    assert seen["after"] is True
    shipped_config = _runtime._CLIENT_CONFIG
    assert seen["read_timeout"] == shipped_config.read_timeout
    assert seen["retries"] == shipped_config.retries
