"""Terraform and waiting helpers for the integration tier (no fixed sleeps anywhere)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3

from tracker_sandbox.control import Sandbox

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


class TerraformError(RuntimeError):
    pass


class Terraform:
    """Runs one example root with its own data dir and state file, so a test stack never
    touches the state of `make demo` or of another run."""

    def __init__(
        self,
        example: Path,
        work_dir: Path,
        variables: Mapping[str, object],
        state: Path | None = None,
    ) -> None:
        self.example = example
        self.work_dir = work_dir
        self.variables = dict(variables)
        # Two checkouts may share one state (a local backend both runners reach).
        self.state = state or work_dir / "terraform.tfstate"
        self.env = {
            **os.environ,
            "TF_DATA_DIR": str(work_dir / ".terraform"),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_CLI_CONFIG_FILE": str(terraform_cli_config()),
        }

    def _run(self, *args: str, timeout: float = 900) -> str:
        command = ["terraform", f"-chdir={self.example}", *args]
        result = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise TerraformError(
                f"{' '.join(command[:3])} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def _var_args(self) -> list[str]:
        var_file = self.work_dir / "test.tfvars.json"
        var_file.write_text(json.dumps(self.variables, indent=2))
        return [f"-var-file={var_file}"]

    def init(self) -> None:
        self._run("init", "-input=false", "-no-color")

    def apply(self, *, replace: tuple[str, ...] = (), **overrides: object) -> None:
        """Apply with the variables updated by ``overrides``; ``replace`` lists resource
        addresses to recreate (``terraform apply -replace=...``)."""
        self.variables.update(overrides)
        self._run(
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            *(f"-replace={address}" for address in replace),
            *self._var_args(),
        )

    def plan_exit_code(self) -> int:
        """0: no changes, 2: changes (terraform plan -detailed-exitcode)."""
        result = subprocess.run(
            [
                "terraform",
                f"-chdir={self.example}",
                "plan",
                "-detailed-exitcode",
                "-input=false",
                "-no-color",
                f"-state={self.state}",
                *self._var_args(),
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode == 1:
            raise TerraformError(result.stderr[-4000:])
        return result.returncode

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self._run("output", "-json", f"-state={self.state}"))
        return {name: entry["value"] for name, entry in raw.items()}

    def destroy(self) -> None:
        self._run(
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            *self._var_args(),
        )

    def resources(self) -> list[str]:
        if not self.state.exists():
            return []
        return [
            line for line in self._run("state", "list", f"-state={self.state}").splitlines() if line
        ]


def terraform_cli_config() -> Path:
    """The CLI config `make tf-config` writes (provider mirror offline); written when missing."""
    path = ROOT / ".tools" / "terraformrc"
    if not path.exists():
        subprocess.run(["make", "-s", "-C", str(ROOT), "tf-config"], check=True, timeout=60)
    return path


def wait_for(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.25,
    what: str = "condition",
) -> T:
    """Call ``probe`` until it returns something other than None/False, or fail at the deadline."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = probe()
        if last not in (None, False):
            return last  # type: ignore[return-value]
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f}s")
        pause.wait(interval)


def sandbox_session() -> boto3.Session:
    """A session with the sandbox's fake credentials."""
    return boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )


def leftovers(endpoint: str, prefix: str) -> list[str]:
    """Everything named with the stack's prefix that still exists after destroy."""
    session = sandbox_session()

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint)

    found = [
        f"table {t}" for t in client("dynamodb").list_tables()["TableNames"] if t.startswith(prefix)
    ]
    found += [
        f"function {f['FunctionName']}"
        for f in client("lambda").list_functions()["Functions"]
        if f["FunctionName"].startswith(prefix)
    ]
    found += [
        f"queue {q}" for q in client("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
    ]
    found += [
        f"log group {g['logGroupName']}"
        for g in client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{prefix}")[
            "logGroups"
        ]
    ]
    found += [
        f"role {r['RoleName']}"
        for r in client("iam").list_roles()["Roles"]
        if r["RoleName"].startswith(prefix)
    ]
    found += [
        f"alarm {a['AlarmName']}"
        for a in client("cloudwatch").describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]
    ]
    found += [
        f"dashboard {d['DashboardName']}"
        for d in client("cloudwatch").list_dashboards(DashboardNamePrefix=prefix)[
            "DashboardEntries"
        ]
    ]
    found += [
        f"topic {t['TopicArn']}"
        for t in client("sns").list_topics()["Topics"]
        if t["TopicArn"].rsplit(":", 1)[1].startswith(prefix)
    ]
    found += [
        f"bucket {b['Name']}"
        for b in client("s3").list_buckets()["Buckets"]
        if b["Name"].startswith(prefix.lower().replace("_", "-"))
    ]
    return found


@dataclass
class Deployment:
    endpoint: str
    terraform: Terraform
    sandbox: Sandbox | None


@contextlib.contextmanager
def deployed(
    root: Path, variables: Mapping[str, object], *, label: str, say: Callable[[str], None]
) -> Iterator[Deployment]:
    """Sandbox up (unless TRACKER_SANDBOX_ENDPOINT names a running LocalStack), ``root``
    applied with ``variables`` plus the endpoint; on exit destroyed, checked for leftovers,
    and the sandbox stopped if this call started it."""
    given = os.environ.get("TRACKER_SANDBOX_ENDPOINT", "").strip()
    sandbox = None if given else Sandbox()
    started = False
    work_dir = Path(tempfile.mkdtemp(prefix=f"tracker-{label}-"))
    terraform: Terraform | None = None
    endpoint = given
    try:
        began = time.monotonic()
        if sandbox is not None:
            started = sandbox.ensure_up()
            endpoint = sandbox.endpoint
            say(
                f"{'started' if started else 'reusing'} the embedded sandbox at {endpoint} "
                f"({time.monotonic() - began:.1f}s)"
            )
        else:
            say(f"using TRACKER_SANDBOX_ENDPOINT={endpoint}; not starting or stopping it")
        terraform = Terraform(root, work_dir, {"endpoint": endpoint, **variables})
        began = time.monotonic()
        terraform.init()
        terraform.apply()
        say(f"applied {root.relative_to(ROOT)} in {time.monotonic() - began:.1f}s")
        yield Deployment(endpoint, terraform, sandbox)
    finally:
        try:
            if terraform is not None and terraform.resources():
                began = time.monotonic()
                terraform.destroy()
                say(f"destroyed {root.relative_to(ROOT)} in {time.monotonic() - began:.1f}s")
                left = leftovers(endpoint, str(terraform.variables["name"]))
                assert not left, f"destroy left resources behind: {left}"
        finally:
            if sandbox is not None and started:
                sandbox.down()
                say("stopped the sandbox")
            shutil.rmtree(work_dir, ignore_errors=True)
