"""hashicorp/aws applies, re-plans, updates and destroys the module's Connect resources
against the sandbox (root config in tf/); each phase's Connect calls are read back from
TF_LOG=debug. Needs terraform on PATH and the aws provider (mirror or registry)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from connectkit import tf_log_calls, tf_log_response_bodies, unique

from tracker_sandbox.control import Sandbox

pytestmark = pytest.mark.sandbox

TF_DIR = Path(__file__).parent / "tf"
MIRROR_CANDIDATES = ("/opt/tf-plugins", str(Path.home() / ".terraform.d" / "plugins"))
APP = 'def handler(event, context):\n    return {"Status": "COMPLETE"}\n'
TF_TIMEOUT = 600


def _cli_config(workdir: Path) -> str | None:
    """A CLI config file: the caller's (TF_CLI_CONFIG_FILE, when it exists), else one for a
    provider mirror found on this machine, else none (the public registry)."""
    given = os.environ.get("TF_CLI_CONFIG_FILE")
    if given and Path(given).is_file():
        return given
    mirrors = [os.environ.get("TF_PROVIDER_MIRROR", ""), *MIRROR_CANDIDATES]
    for mirror in filter(None, mirrors):
        if (Path(mirror) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            config = workdir / "terraformrc"
            config.write_text(
                "provider_installation {\n"
                f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
                '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n'
                '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n',
                encoding="utf-8",
            )
            return str(config)
    return None


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    log: str
    seconds: float


@dataclass
class TerraformRoot:
    workdir: Path
    env: dict[str, str]
    variables: dict[str, str]

    def __call__(self, *args: str, phase: str, **variables: str) -> Run:
        log = self.workdir / f"{phase}.log"
        env = {**self.env, "TF_LOG": "debug", "TF_LOG_PATH": str(log)}
        var_args = [f"-var={k}={v}" for k, v in {**self.variables, **variables}.items()]
        started = time.monotonic()
        result = subprocess.run(
            ["terraform", *args, "-no-color", "-input=false", *var_args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=TF_TIMEOUT,
            check=False,
        )
        seconds = time.monotonic() - started
        print(f"[terraform {phase}] {args[0]} exit {result.returncode} in {seconds:.1f}s")
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        return Run(result.returncode, result.stdout, result.stderr, text, seconds)


@pytest.fixture
def terraform_root(sandbox: Sandbox, tmp_path: Path) -> TerraformRoot:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    workdir = tmp_path / "root"
    workdir.mkdir()
    shutil.copy(TF_DIR / "main.tf", workdir / "main.tf")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(zipfile.ZipInfo("app.py", (1980, 1, 1, 0, 0, 0)), APP)
    (workdir / "function.zip").write_bytes(package.getvalue())

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    config = _cli_config(tmp_path)
    if config:
        env["TF_CLI_CONFIG_FILE"] = config
    root = TerraformRoot(
        workdir,
        env,
        {"endpoint": sandbox.endpoint, "name": unique("tf"), "function_zip": "function.zip"},
    )
    init = subprocess.run(
        ["terraform", "init", "-no-color", "-input=false"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TF_TIMEOUT,
        check=False,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    return root


def _operations(run: Run) -> list[str]:
    calls = tf_log_calls(run.log)
    failures = [call for call in calls if call[2] is not None and call[2] >= 500]
    assert not failures, f"Connect answered with server errors: {failures}"
    return [operation for operation, _, _ in calls]


def _destroy(root: TerraformRoot, **variables: str) -> Run:
    destroyed = root("destroy", "-auto-approve", phase="destroy", **variables)
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    return destroyed


def test_apply_replan_update_and_destroy(terraform_root: TerraformRoot, connect: Any) -> None:
    root = terraform_root
    applied = root("apply", "-auto-approve", phase="apply")
    try:
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Resources: 6 added" in applied.stdout
        operations = _operations(applied)
        for expected in (
            "CreateInstance",
            "DescribeInstance",
            "UpdateInstanceAttribute",
            "DescribeInstanceAttribute",
            "AssociateLambdaFunction",
            "ListLambdaFunctions",
            "CreateContactFlow",
            "DescribeContactFlow",
        ):
            assert expected in operations, f"{expected} not called: {operations}"
        # The association was made before the flow was validated.
        assert operations.index("AssociateLambdaFunction") < operations.index("CreateContactFlow")

        instance_id = _output(root, "instance_id")
        flow_id = _output(root, "flow_id")
        flow = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)
        assert "Please wait while we look that up." in flow["ContactFlow"]["Content"]
        assert connect.list_lambda_functions(InstanceId=instance_id)["LambdaFunctions"] == [
            _output(root, "function_arn")
        ]

        replanned = root("plan", "-detailed-exitcode", phase="replan")
        assert replanned.returncode == 0, replanned.stdout + replanned.stderr
        assert "No changes." in replanned.stdout

        updated = root("apply", "-auto-approve", phase="update", prompt_text="Still working on it.")
        assert updated.returncode == 0, updated.stdout + updated.stderr
        assert "0 added, 1 changed, 0 destroyed" in updated.stdout
        assert "UpdateContactFlowContent" in _operations(updated)
        flow = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)
        assert "Still working on it." in flow["ContactFlow"]["Content"]
        assert _output(root, "flow_id") == flow_id  # updated in place

        replanned = root(
            "plan", "-detailed-exitcode", phase="replan-2", prompt_text="Still working on it."
        )
        assert replanned.returncode == 0, replanned.stdout + replanned.stderr
    finally:
        destroyed = _destroy(root, prompt_text="Still working on it.")
    operations = _operations(destroyed)
    for expected in ("DeleteContactFlow", "DisassociateLambdaFunction", "DeleteInstance"):
        assert expected in operations, f"{expected} not called: {operations}"
    assert "Resources: 6 destroyed" in destroyed.stdout
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_instance(InstanceId=instance_id)


def test_a_flow_connect_refuses_fails_the_apply_with_connects_words(
    terraform_root: TerraformRoot, connect: Any
) -> None:
    """A Lambda block without a NextAction (flow-as-code actions.md rule 38): the apply
    fails on CreateContactFlow with InvalidContactFlowException, the problem in the
    service's words, and no flow is created. The exception models no message, so the Go
    SDK (terraform) prints only its name; the problems are in the response body, which
    TF_LOG=debug shows."""
    root = terraform_root
    words = "Action is missing required property. Path: Actions[1].Transitions.NextAction"
    try:
        applied = root("apply", "-auto-approve", phase="apply-broken", break_flow="true")
        assert applied.returncode != 0, applied.stdout
        assert "creating Connect Contact Flow" in applied.stderr
        assert "InvalidContactFlowException" in applied.stderr
        bodies = tf_log_response_bodies(applied.log, "CreateContactFlow")
        problem = re.compile(r'"problems":\s*\[\{"message":\s*"' + re.escape(words) + '"')
        assert any(problem.search(body) for body in bodies), bodies
        instance_id = _instance_id_by_alias(connect, root.variables["name"])
        flows = connect.list_contact_flows(InstanceId=instance_id)["ContactFlowSummaryList"]
        assert flows == []
    finally:
        _destroy(root, break_flow="true")


def test_a_flow_before_its_lambda_association_is_accepted_as_connect_does(
    terraform_root: TerraformRoot, connect: Any
) -> None:
    """CreateContactFlow does not check the association (flow-as-code/
    hollow-hour-example-typescript VERIFY.md row L3, sandbox-checked 2026-09-30)."""
    root = terraform_root
    try:
        applied = root("apply", "-auto-approve", phase="apply-unassociated", associate="false")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        instance_id = _instance_id_by_alias(connect, root.variables["name"])
        assert connect.list_lambda_functions(InstanceId=instance_id)["LambdaFunctions"] == []
        flows = connect.list_contact_flows(InstanceId=instance_id)["ContactFlowSummaryList"]
        assert len(flows) == 1
    finally:
        _destroy(root, associate="false")


def _output(root: TerraformRoot, name: str) -> str:
    result = subprocess.run(
        ["terraform", "output", "-raw", name],
        cwd=root.workdir,
        env=root.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def _instance_id_by_alias(connect: Any, alias: str) -> str:
    ids = [
        str(summary["Id"])
        for page in connect.get_paginator("list_instances").paginate()
        for summary in page["InstanceSummaryList"]
        if summary.get("InstanceAlias") == alias
    ]
    assert len(ids) == 1, f"expected one instance aliased {alias}, found {ids}"
    return ids[0]
