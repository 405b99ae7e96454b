"""hashicorp/aws takes an aws_connect_contact_flow_module (and a flow invoking it twice)
through apply, a no-change plan, an in-place update and destroy against the sandbox
(root config in tf_module/); each phase's Connect calls are read back from TF_LOG=debug.
Needs terraform on PATH and the aws provider (mirror or registry)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from connectkit import unique
from test_connect_terraform import TF_TIMEOUT, TerraformRoot, _cli_config, _operations, _output

from tracker_sandbox.control import Sandbox
from tracker_sandbox.flows import SimulationOptions, StubInvoker, simulate_contact
from tracker_sandbox.flows.modules import DescribedFlowModules

pytestmark = pytest.mark.sandbox

TF_DIR = Path(__file__).parent / "tf_module"


@pytest.fixture
def module_root(sandbox: Sandbox, tmp_path: Path) -> TerraformRoot:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    workdir = tmp_path / "root"
    workdir.mkdir()
    shutil.copy(TF_DIR / "main.tf", workdir / "main.tf")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    config = _cli_config(tmp_path)
    if config:
        env["TF_CLI_CONFIG_FILE"] = config
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
    return TerraformRoot(workdir, env, {"endpoint": sandbox.endpoint, "name": unique("tfm")})


def test_flow_module_apply_replan_update_and_destroy(
    module_root: TerraformRoot, connect: Any
) -> None:
    root = module_root
    changed = {
        "prompt_text": "Still working on it.",
        "module_description": "Waits, politely",
        "stage": "second",
    }
    applied = root("apply", "-auto-approve", phase="apply")
    try:
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Resources: 3 added" in applied.stdout
        operations = _operations(applied)
        for expected in ("CreateContactFlowModule", "DescribeContactFlowModule"):
            assert expected in operations, f"{expected} not called: {operations}"
        # The flow names the module, so Connect could check it exists: module first.
        assert operations.index("CreateContactFlowModule") < operations.index("CreateContactFlow")

        instance_id = _output(root, "instance_id")
        module_id = _output(root, "module_id")
        module = connect.describe_contact_flow_module(
            InstanceId=instance_id, ContactFlowModuleId=module_id
        )["ContactFlowModule"]
        assert "Please wait while we look that up." in module["Content"]
        assert module["Tags"] == {"Project": "tracker-sandbox-test", "Stage": "first"}

        replanned = root("plan", "-detailed-exitcode", phase="replan")
        assert replanned.returncode == 0, replanned.stdout + replanned.stderr
        assert "No changes." in replanned.stdout

        updated = root("apply", "-auto-approve", phase="update", **changed)
        assert updated.returncode == 0, updated.stdout + updated.stderr
        assert "0 added, 1 changed, 0 destroyed" in updated.stdout
        operations = _operations(updated)
        for expected in (
            "UpdateContactFlowModuleContent",
            "UpdateContactFlowModuleMetadata",
            "TagResource",
        ):
            assert expected in operations, f"{expected} not called: {operations}"
        assert _output(root, "module_id") == module_id  # updated in place
        module = connect.describe_contact_flow_module(
            InstanceId=instance_id, ContactFlowModuleId=module_id
        )["ContactFlowModule"]
        assert "Still working on it." in module["Content"]
        assert module["Description"] == "Waits, politely"
        assert module["Tags"]["Stage"] == "second"

        replanned = root("plan", "-detailed-exitcode", phase="replan-2", **changed)
        assert replanned.returncode == 0, replanned.stdout + replanned.stderr

        # The deployed flow, run by the simulator with the module fetched from the sandbox.
        flow_id = _output(root, "flow_id")
        flow = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)
        result = simulate_contact(
            json.loads(flow["ContactFlow"]["Content"]),
            StubInvoker({}),
            options=SimulationOptions(flow_modules=DescribedFlowModules(connect, instance_id)),
        )
        assert result.ended_normally, result.render_transcript()
        assert [prompt.text for prompt in result.prompts] == ["Still working on it."] * 2
    finally:
        destroyed = root("destroy", "-auto-approve", phase="destroy", **changed)
        assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    operations = _operations(destroyed)
    assert "DeleteContactFlowModule" in operations, operations
    assert operations.index("DeleteContactFlow") < operations.index("DeleteContactFlowModule")
    assert "Resources: 3 destroyed" in destroyed.stdout
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_instance(InstanceId=instance_id)


def test_a_module_without_settings_fails_the_apply_with_connects_words(
    module_root: TerraformRoot, connect: Any
) -> None:
    """CreateContactFlowModule refuses content without Settings (InvalidRequestException,
    "JSON field is missing or null for field name: settings"; flows/spec.py, rule
    module-settings): the apply fails and no module is created."""
    root = module_root
    try:
        applied = root("apply", "-auto-approve", phase="apply-broken", module_settings="false")
        assert applied.returncode != 0, applied.stdout
        assert "InvalidRequestException" in applied.stderr
        words = "JSON field is missing or null for field name: settings"
        assert words in " ".join(applied.stderr.split()), applied.stderr
        summaries = [
            summary
            for page in connect.get_paginator("list_instances").paginate()
            for summary in page["InstanceSummaryList"]
            if summary.get("InstanceAlias") == root.variables["name"]
        ]
        (instance,) = summaries
        listed = connect.list_contact_flow_modules(InstanceId=instance["Id"])
        assert listed["ContactFlowModulesSummaryList"] == []
    finally:
        destroyed = root("destroy", "-auto-approve", phase="destroy", module_settings="false")
        assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
