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
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tracker_sandbox.control import Sandbox
from tracker_sandbox.logs import log_messages

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
            return last
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f}s")
        pause.wait(interval)


def log_lines(deployment: Any, function: str, needle: str) -> list[dict[str, object]]:
    """JSON log lines of a deployed function's own log group that mention ``needle``.

    ``deployment`` is anything with the stack's ``outputs`` and ``client(service)``.
    """
    name = deployment.outputs[f"{function}_function_name"]
    return [
        json.loads(message)
        for message in (
            line.strip() for line in log_messages(deployment.client("logs"), f"/aws/lambda/{name}")
        )
        if needle in message and message.startswith("{")
    ]


def sandbox_session() -> boto3.Session:
    """A session with the sandbox's fake credentials."""
    return boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )


def leftovers(endpoint: str, prefix: str) -> list[str]:
    """Everything named with the stack's prefix that still exists after destroy."""
    session = sandbox_session()

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]

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


@dataclass(frozen=True)
class Endpoint:
    """The LocalStack a test session runs against, and what asking it found."""

    url: str
    #: This checkout's sandbox when it is the LocalStack answering at ``url``, else None:
    #: only then can a test reach the Lambda runtimes (its Docker-less executor's
    #: subprocesses) or give a function an endpoint on this host that never answers.
    sandbox: Sandbox | None
    #: Why ``url`` serves no Amazon Connect (what it answered); None when it does.
    no_connect: str | None

    @property
    def serves_connect(self) -> bool:
        return self.no_connect is None

    def require_connect(self) -> None:
        """Skip the calling test when the endpoint serves no Connect."""
        if self.no_connect is not None:
            pytest.skip(f"needs Amazon Connect: {self.no_connect}")

    def require_sandbox(self) -> Sandbox:
        """This checkout's sandbox; skip the calling test on any other endpoint."""
        if self.sandbox is None:
            pytest.skip(
                f"needs this checkout's bundled sandbox (its Lambda runtimes run on this host); "
                f"{self.url} is another LocalStack"
            )
        return self.sandbox


def connect_missing(url: str) -> str | None:
    """None when ``url`` answers Amazon Connect (ListInstances, the cheapest read), else
    what it answered. LocalStack Community has no Connect; the sandbox's provider does."""
    client = sandbox_session().client(
        "connect",
        endpoint_url=url,
        config=Config(connect_timeout=5, read_timeout=30, retries={"total_max_attempts": 1}),
    )
    try:
        client.list_instances(MaxResults=1)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        problem = error.response.get("Error", {})
        return (
            f"{url} answered connect:ListInstances with HTTP {status} "
            f"{problem.get('Code')}: {problem.get('Message')}"
        )
    return None


@contextlib.contextmanager
def reached_endpoint(say: Callable[[str], None]) -> Iterator[Endpoint]:
    """The session's endpoint: TRACKER_SANDBOX_ENDPOINT as given (never started or
    stopped), else this checkout's sandbox (SANDBOX_PORT), started unless something answers
    there and stopped on exit if this call started it. Asked what it serves: Connect, and
    whether it is this checkout's sandbox."""
    given = os.environ.get("TRACKER_SANDBOX_ENDPOINT", "").strip().rstrip("/")
    sandbox = Sandbox()
    started = False
    try:
        if given:
            url = given
            say(f"using TRACKER_SANDBOX_ENDPOINT={url}; not starting or stopping it")
        else:
            began = time.monotonic()
            started = sandbox.ensure_up()
            url = sandbox.endpoint
            say(
                f"{'started' if started else 'reusing'} the embedded sandbox at {url} "
                f"({time.monotonic() - began:.1f}s)"
            )
        endpoint = Endpoint(url, sandbox if sandbox.serves(url) else None, connect_missing(url))
        if endpoint.no_connect is not None:
            say(f"no Amazon Connect ({endpoint.no_connect}): the tests that need it are skipped")
        if endpoint.sandbox is None:
            say(f"{url} is not this checkout's sandbox: tests needing its runtimes are skipped")
        yield endpoint
    finally:
        if started:
            sandbox.down()
            say("stopped the sandbox")


@dataclass
class Deployment:
    endpoint: str
    terraform: Terraform
    sandbox: Sandbox | None


@contextlib.contextmanager
def deployed(
    root: Path,
    variables: Mapping[str, object],
    *,
    label: str,
    say: Callable[[str], None],
    endpoint: Endpoint | None = None,
) -> Iterator[Deployment]:
    """``root`` applied with ``variables`` plus the endpoint's URL on ``endpoint`` (reached
    here with ``reached_endpoint`` when not given); on exit destroyed and checked for
    leftovers, and a sandbox this call started stopped."""
    work_dir = Path(tempfile.mkdtemp(prefix=f"tracker-{label}-"))
    terraform: Terraform | None = None
    with contextlib.ExitStack() as reaching:
        reached = endpoint or reaching.enter_context(reached_endpoint(say))
        try:
            terraform = Terraform(root, work_dir, {"endpoint": reached.url, **variables})
            began = time.monotonic()
            terraform.init()
            terraform.apply()
            say(f"applied {root.relative_to(ROOT)} in {time.monotonic() - began:.1f}s")
            yield Deployment(reached.url, terraform, reached.sandbox)
        finally:
            try:
                if terraform is not None and terraform.resources():
                    began = time.monotonic()
                    terraform.destroy()
                    say(f"destroyed {root.relative_to(ROOT)} in {time.monotonic() - began:.1f}s")
                    left = leftovers(reached.url, str(terraform.variables["name"]))
                    assert not left, f"destroy left resources behind: {left}"
            finally:
                shutil.rmtree(work_dir, ignore_errors=True)
