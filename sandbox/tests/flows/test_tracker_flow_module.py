"""The tracker as a flow module, as modules/contact-flow renders it (docs/flow-module.md):
Connect's module rules, the contact attributes in and out, the pacing per channel, and the
`simulate --flow-module` CLI. Contacts run on the simulated clock against a `FakeTracker`
or canned answers; rendering needs the terraform binary (no provider), else these skip.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flowkit import CHECKER_ARN, WRITER_ARN, FakeTracker, Kit

from tracker_sandbox.flows import (
    CallableInvoker,
    ContactData,
    SimulatedClock,
    SimulationOptions,
    SimulationResult,
    StubInvoker,
    StubResponse,
    simulate_contact,
    validate_flow,
)
from tracker_sandbox.flows import aws as flows_aws
from tracker_sandbox.flows.cli import main
from tracker_sandbox.flows.modules import validate_flow_module

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / "modules" / "contact-flow"
MODULE_ID = "7d1c9a52-3b4e-4f60-8a71-92b3c4d5e6f7"
MODULE_ARN = (
    "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000000"
    f"/flow-module/{MODULE_ID}"
)
CHANNELS = ("VOICE", "CHAT", "TASK")
DEADLINE = 120
WAIT = 3  # the module's default checker_wait_seconds
SUCCESS = frozenset({"thank-caller"})

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None or not MODULE.is_dir(),
    reason="needs the terraform binary and modules/contact-flow",
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The flow module and the flow invoking it (one terraform apply, no provider)."""
    work = tmp_path_factory.mktemp("render-module")
    inputs = {
        "source": os.path.relpath(MODULE, work),
        "writer_function_arn": WRITER_ARN,
        "checker_function_arn": CHECKER_ARN,
        "task_name": "lookup",
        "task_parameters": {"AccountId": "$.Attributes.AccountId"},
        "result_fields": ["Balance"],
        "invoke_flow_module": True,
        "flow_module_id": MODULE_ID,
    }
    root = {
        "module": {"tracker": inputs},
        "output": {
            "flow": {"value": "${module.tracker.content}"},
            "module": {"value": "${module.tracker.flow_module_content}"},
        },
    }
    (work / "main.tf.json").write_text(json.dumps(root))
    environment = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    if (REPO / ".tools" / "terraformrc").is_file():
        environment["TF_CLI_CONFIG_FILE"] = str(REPO / ".tools" / "terraformrc")
    for command in (["init", "-backend=false"], ["apply", "-auto-approve"], ["output", "-json"]):
        completed = subprocess.run(
            ["terraform", *command],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
    return {name: output["value"] for name, output in json.loads(completed.stdout).items()}


def place(
    rendered: dict[str, str],
    invoker: Any,
    *,
    channel: str = "VOICE",
    attributes: dict[str, str] | None = None,
    clock: SimulatedClock | None = None,
) -> SimulationResult:
    return simulate_contact(
        rendered["flow"],
        invoker,
        contact=ContactData(channel=channel, attributes=attributes or {"AccountId": "42"}),
        options=SimulationOptions(
            success_actions=SUCCESS, flow_modules={MODULE_ID: rendered["module"]}
        ),
        clock=clock,
    )


def module_calls(result: SimulationResult, action: str) -> list[Any]:
    return [call for call in result.lambda_calls if call.action == f"{MODULE_ID}/{action}"]


def test_connect_would_accept_the_module_and_the_flow(rendered: dict[str, str]) -> None:
    associated = [WRITER_ARN, CHECKER_ARN]
    assert validate_flow_module(rendered["module"], associated_lambda_arns=associated) == []
    assert (
        validate_flow(rendered["flow"], flow_type="CONTACT_FLOW", associated_lambda_arns=associated)
        == []
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_work_inside_the_deadline_is_returned_as_attributes(
    rendered: dict[str, str], channel: str
) -> None:
    clock = SimulatedClock()
    tracker = FakeTracker(clock, work_seconds=45, deadline_seconds=DEADLINE, wait_seconds=WAIT)
    invoker = CallableInvoker(tracker.handlers(), timer=tracker.timer)
    result = place(rendered, invoker, channel=channel, clock=clock)

    assert result.success, result.render_transcript()
    writer = module_calls(result, "invoke-writer")
    assert [call.parameters for call in writer] == [
        {"AccountId": "42", "TaskName": "lookup", "RequestKey": ""}
    ]
    request_id = writer[0].response["RequestId"]
    assert {k: result.attributes[k] for k in ("TrackerStatus", "TrackerRequestId", "Balance")} == {
        "TrackerStatus": "COMPLETE",
        "TrackerRequestId": request_id,
        "Balance": "12.50",
    }
    assert result.attributes["TrackerErrorCode"] == ""
    # Paced by the checker's wait inside the module, as the inline flow is.
    starts = [call.started_at for call in module_calls(result, "invoke-checker")]
    assert len(starts) >= 2
    for before, after in itertools.pairwise(starts):
        assert after - before >= WAIT
    assert result.path[-3:] == ["check-tracker-status", "thank-caller", "disconnect"]


def test_overdue_work_returns_timed_out_and_the_flow_apologizes(rendered: dict[str, str]) -> None:
    clock = SimulatedClock()
    tracker = FakeTracker(clock, work_seconds=None, deadline_seconds=DEADLINE, wait_seconds=WAIT)
    invoker = CallableInvoker(tracker.handlers(), timer=tracker.timer)
    result = place(rendered, invoker, channel="CHAT", clock=clock)

    assert not result.success
    assert result.outcome == "APOLOGY"
    assert result.attributes["TrackerStatus"] == "TIMED_OUT"
    apology = next(prompt for prompt in result.prompts if prompt.action == "apologize")
    assert apology.at >= tracker.deadline_at
    assert f"{MODULE_ID}/return" in result.path


def test_a_refused_request_returns_its_error_and_clears_an_earlier_result(
    rendered: dict[str, str],
) -> None:
    refused = {
        "Status": "INVALID_REQUEST",
        "ErrorCode": "INVALID_TASK_NAME",
        "ErrorMessage": "no such task",
    }
    earlier = {"AccountId": "42", "TrackerStatus": "COMPLETE", "Balance": "99.00"}
    result = place(rendered, StubInvoker({WRITER_ARN: [refused]}), attributes=earlier)

    assert result.attributes["TrackerStatus"] == "INVALID_REQUEST"
    assert result.attributes["TrackerErrorCode"] == "INVALID_TASK_NAME"
    assert result.attributes["TrackerErrorMessage"] == "no such task"
    assert result.attributes["Balance"] == ""  # the earlier call's result is gone
    assert module_calls(result, "invoke-checker") == []
    assert result.outcome == "APOLOGY"


def test_a_writer_failing_twice_returns_unknown(rendered: dict[str, str]) -> None:
    broken = StubResponse(function_error="Unhandled", result={"errorMessage": "table gone"})
    result = place(rendered, StubInvoker({WRITER_ARN: [broken]}))

    assert (
        len(module_calls(result, "invoke-writer")) + len(module_calls(result, "retry-writer")) == 2
    )
    assert (result.attributes["TrackerStatus"], result.attributes["TrackerErrorCode"]) == (
        "UNKNOWN",
        "WRITER_ERROR",
    )
    assert result.outcome == "APOLOGY"


@pytest.mark.parametrize("failure", ["error", "unknown"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_failed_polls_do_not_use_up_the_deadline(
    rendered: dict[str, str], channel: str, failure: str
) -> None:
    """A checker invocation that fails at once takes the error branch back to the Loop (an
    UNKNOWN answer may come as fast). The Loop's count is sized for polls that last the
    checker's wait, so a failed poll must last that long too: otherwise a burst of
    failures spends every poll in moments and the caller hears the apology while the
    request is still on time."""
    clock = SimulatedClock()
    tracker = FakeTracker(
        clock,
        work_seconds=45,
        deadline_seconds=DEADLINE,
        wait_seconds=WAIT,
        failed_polls=30,
        failure=failure,
    )
    invoker = CallableInvoker(tracker.handlers(), timer=tracker.timer)
    result = place(rendered, invoker, channel=channel, clock=clock)

    assert result.success, result.render_transcript()
    assert result.attributes["TrackerStatus"] == "COMPLETE"
    starts = [call.started_at for call in module_calls(result, "invoke-checker")]
    assert len(starts) > 30
    for before, after in itertools.pairwise(starts):
        assert after - before >= WAIT, result.render_transcript()


class PerTaskTracker(FakeTracker):
    """One request per task in the contact chain (as the writer keys requests by chain and
    ask), each with its own amount of work."""

    def __init__(self, clock: SimulatedClock, work: dict[str, float]) -> None:
        super().__init__(clock, work_seconds=None, deadline_seconds=DEADLINE, wait_seconds=WAIT)
        self.work = work

    def writer(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        del context
        self.events.append(("writer", event))
        task = event["Details"]["Parameters"]["TaskName"]
        key = f"{event['Details']['ContactData']['InitialContactId']}|{task}"
        self.created_at.setdefault(key, self.clock.elapsed())
        return {"RequestId": f"r-{key}", "Status": "PENDING"}

    def checker(self, event: dict[str, Any], context: Any) -> dict[str, str]:
        self.work_seconds = self.work[event["Details"]["Parameters"]["RequestId"].rsplit("|", 1)[1]]
        return super().checker(event, context)


def twice_flow() -> dict[str, Any]:
    """Two lookups in one contact through the tracker's module."""

    def lookup(number: int, task: str, then: str) -> list[dict[str, Any]]:
        return [
            Kit.action(
                f"ask-{number}",
                "UpdateContactAttributes",
                {"Attributes": {"TrackerTaskName": task}},
                next_action=f"run-{number}",
                errors={"NoMatchingError": "hang-up"},
            ),
            Kit.action(
                f"run-{number}",
                "InvokeFlowModule",
                {"FlowModuleId": MODULE_ID},
                next_action=f"keep-{number}",
                errors={"NoMatchingError": "hang-up"},
            ),
            Kit.action(
                f"keep-{number}",
                "UpdateContactAttributes",
                {"Attributes": {f"Status{number}": "$.Attributes.TrackerStatus"}},
                next_action=then,
                errors={"NoMatchingError": "hang-up"},
            ),
        ]

    return Kit.flow(*lookup(1, "slow", "ask-2"), *lookup(2, "second", "hang-up"), Kit.hang_up())


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_second_invocation_gets_its_full_window(rendered: dict[str, str], channel: str) -> None:
    clock = SimulatedClock()
    tracker = PerTaskTracker(clock, {"slow": 115.0, "second": 110.0})
    result = simulate_contact(
        twice_flow(),
        CallableInvoker(tracker.handlers(), timer=tracker.timer),
        contact=ContactData(channel=channel),
        options=SimulationOptions(flow_modules={MODULE_ID: rendered["module"]}, max_steps=5000),
        clock=clock,
    )
    # Both finish late, and both are heard: the module drains its Loop when it returns,
    # so the second invocation does not go on from the first one's count (Loop: the count
    # resets only after DoneLooping, flow-language reference).
    assert (result.attributes["Status1"], result.attributes["Status2"]) == ("COMPLETE", "COMPLETE")
    assert result.path.count(f"{MODULE_ID}/start-drain") == 2


# simulate --flow-module ----------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def stub_arguments() -> list[str]:
    return [
        "--lambda-stub",
        f'{WRITER_ARN}={{"RequestId": "r-1", "Status": "PENDING"}}',
        "--lambda-stub",
        f'{CHECKER_ARN}={{"RequestId": "r-1", "Status": "COMPLETE", "Balance": "7"}}',
        "--attribute",
        "AccountId=42",
        "--quiet",
        "--json",
        "-",
    ]


def files(tmp_path: Path, rendered: dict[str, str]) -> tuple[str, str]:
    flow, module = tmp_path / "flow.json", tmp_path / "module.json"
    flow.write_text(rendered["flow"])
    module.write_text(rendered["module"])
    return str(flow), str(module)


@pytest.mark.parametrize("given_as", [MODULE_ID, MODULE_ARN])
def test_cli_runs_a_module_given_as_a_file(
    tmp_path: Path, rendered: dict[str, str], given_as: str
) -> None:
    flow, module = files(tmp_path, rendered)
    code, out, err = run(
        "simulate", "--file", flow, "--flow-module", f"{given_as}={module}", *stub_arguments()
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["attributes"]["TrackerStatus"] == "COMPLETE"
    assert summary["attributes"]["Balance"] == "7"
    assert f"{MODULE_ID}/return" in summary["path"]


def test_cli_without_the_module_takes_the_error_branch(
    tmp_path: Path, rendered: dict[str, str]
) -> None:
    flow, _ = files(tmp_path, rendered)
    code, out, _ = run("simulate", "--file", flow, *stub_arguments())
    assert code == 1
    assert json.loads(out)["path"][:4] == [
        "greet",
        "set-task-name",
        "invoke-tracker-module",
        "apologize",
    ]


def test_cli_flow_module_needs_module_equals_file(tmp_path: Path, rendered: dict[str, str]) -> None:
    flow, module = files(tmp_path, rendered)
    code, _, err = run("simulate", "--file", flow, "--flow-module", module, *stub_arguments())
    assert code == 2
    assert "--flow-module needs KEY=VALUE" in err


class FakeConnect:
    """DescribeContactFlowModule of one instance, as boto3's Connect client answers it."""

    class exceptions:  # boto3 names it so
        class ResourceNotFoundException(Exception):
            pass

    def __init__(self, modules: dict[str, str], *, broken: bool = False) -> None:
        self.modules = modules
        self.broken = broken
        self.asked: list[tuple[str, str]] = []

    def describe_contact_flow_module(
        self, *, InstanceId: str, ContactFlowModuleId: str
    ) -> dict[str, Any]:
        self.asked.append((InstanceId, ContactFlowModuleId))
        if self.broken:
            raise ConnectionError("could not connect to the endpoint URL")
        if ContactFlowModuleId not in self.modules:
            raise self.exceptions.ResourceNotFoundException(ContactFlowModuleId)
        return {"ContactFlowModule": {"Content": self.modules[ContactFlowModuleId]}}


def test_cli_fetches_a_module_by_id_with_instance_id(
    tmp_path: Path, rendered: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow, _ = files(tmp_path, rendered)
    connect = FakeConnect({MODULE_ID: rendered["module"]})
    monkeypatch.setattr(flows_aws, "connect_client", lambda **_: connect)
    code, out, err = run(
        "simulate", "--file", flow, "--instance-id", "instance-1", *stub_arguments()
    )
    assert code == 0, err
    assert connect.asked == [("instance-1", MODULE_ID)]
    assert json.loads(out)["attributes"]["TrackerStatus"] == "COMPLETE"


def test_cli_reports_a_failed_fetch_as_a_usage_error(
    tmp_path: Path, rendered: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow, _ = files(tmp_path, rendered)
    monkeypatch.setattr(flows_aws, "connect_client", lambda **_: FakeConnect({}, broken=True))
    code, _, err = run("simulate", "--file", flow, "--instance-id", "instance-1", *stub_arguments())
    assert code == 2
    assert f"DescribeContactFlowModule {MODULE_ID} failed" in err


def test_validate_no_longer_calls_module_actions_unsimulated(
    tmp_path: Path, rendered: dict[str, str]
) -> None:
    flow, _ = files(tmp_path, rendered)
    code, out, _ = run("validate", flow)
    assert code == 0
    assert "InvokeFlowModule" not in out
