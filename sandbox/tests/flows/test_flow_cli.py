"""`python -m tracker_sandbox.flows ...`: outputs and exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flowkit import DATA, Kit

from tracker_sandbox.flows.cli import main

FLOW = str(DATA / "async_tracker.json")
WRITER = 'tracker-writer={"RequestId": "r-1", "Status": "PENDING"}'


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_validate_valid_flow() -> None:
    code, out, _ = run("validate", FLOW)
    assert (code, out.strip()) == (0, f"{FLOW}: valid as a CONTACT_FLOW")


def test_validate_invalid_flow(tmp_path: Path) -> None:
    path = write(tmp_path, Kit.flow(Kit.say("x", "Hi", next_action="ghost"), Version="2020-01-01"))
    code, out, _ = run("validate", path)
    assert code == 1
    assert (
        "2 problem(s)" in out and "[UNSUPPORTED_VERSION]" in out and "[DANGLING_NEXT_ACTION]" in out
    )


def test_validate_json_report_and_association() -> None:
    code, out, _ = run(
        "validate",
        FLOW,
        "--json",
        "--associated-lambda-arn",
        "arn:aws:lambda:us-east-1:000000000000:function:tracker-writer",
    )
    report = json.loads(out)
    assert code == 1
    assert report["valid"] is False
    assert [p["code"] for p in report["problems"]] == ["LAMBDA_NOT_ASSOCIATED"]
    assert report["analysis"]["unreachable"] == []


def test_validate_unreadable_file(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err


@pytest.mark.parametrize(("fmt", "first"), [("mermaid", "flowchart TD"), ("dot", "digraph flow {")])
def test_diagram(tmp_path: Path, fmt: str, first: str) -> None:
    code, out, _ = run("diagram", FLOW, "--format", fmt)
    assert code == 0 and out.splitlines()[0] == first
    target = tmp_path / f"flow.{fmt}"
    assert run("diagram", FLOW, "--format", fmt, "-o", str(target))[0] == 0
    assert target.read_text() == out


def test_simulate_success_with_stubs(tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    code, out, _ = run(
        "simulate",
        "--file",
        FLOW,
        "--attribute",
        "AccountId=42",
        "--contact-id",
        "c-1",
        "--lambda-stub",
        WRITER,
        "--lambda-stub",
        'tracker-checker={"Status": "RUNNING"}',
        "--lambda-stub",
        'tracker-checker={"Status": "COMPLETE", "Balance": "9.99"}',
        "--json",
        str(summary_path),
    )
    assert code == 0, out
    assert out.startswith("Contact c-1 (VOICE, simulated clock)")
    assert "Your balance is 9.99 dollars." in out
    summary = json.loads(summary_path.read_text())
    assert summary["success"] is True
    assert summary["lambda_calls"][0]["parameters"]["AccountId"] == "42"


def test_simulate_failure_exits_1() -> None:
    code, out, _ = run(
        "simulate",
        "--file",
        FLOW,
        "--lambda-stub",
        WRITER,
        "--lambda-stub",
        'tracker-checker={"Status": "PENDING"}',
        "--quiet",
        "--json",
        "-",
    )
    summary = json.loads(out)
    assert code == 1
    assert summary["ended_by"] == "TransferContactToQueue"
    assert summary["success"] is False


def test_simulate_inline_content_and_success_action() -> None:
    flow = json.dumps(Kit.flow(Kit.say("hello", "Hello"), Kit.hang_up()))
    code, out, _ = run("simulate", "--content", flow)
    assert code == 1  # nothing says what success is: the simulator does not guess
    assert "no success action is known: name one with --success-action" in out
    assert run("simulate", "--content", flow, "--quiet", "--success-action", "hello")[0] == 0
    assert run("simulate", "--content", flow, "--quiet", "--success-action", "nowhere")[0] == 1
    assert run("simulate", "--content", flow, "--quiet", "--failure-action", "hello")[0] == 1


def test_simulate_refuses_an_invalid_flow(tmp_path: Path) -> None:
    path = write(tmp_path, Kit.flow(Kit.say("x", "Hi", next_action="ghost")))
    code, _, err = run("simulate", "--file", path, "--lambda-stub", WRITER)
    assert code == 2 and "[DANGLING_NEXT_ACTION]" in err
    code, out, _ = run("simulate", "--file", path, "--no-validate", "--lambda-stub", WRITER)
    assert code == 1 and "DanglingNextAction" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--file", FLOW, "--attribute", "novalue"],
        ["simulate", "--file", FLOW, "--lambda-stub", "tracker-writer={not json"],
        ["simulate", "--flow-id", "f-1"],
        ["simulate", "--file", FLOW, "--wpm", "0", "--lambda-stub", WRITER],
    ],
)
def test_simulate_usage_errors(argv: list[str]) -> None:
    code, _, err = run(*argv)
    assert code == 2 and err.startswith("error:")


def test_argparse_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as raised:
        run("simulate")  # no flow source
    assert raised.value.code == 2


def test_module_entry_point() -> None:
    source = str(Path(__file__).resolve().parents[2] / "src")
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "tracker_sandbox.flows", "validate", FLOW],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().endswith("valid as a CONTACT_FLOW")


def _tracker_like(tmp_path: Path) -> str:
    """Poll once after a Wait; thank-caller on COMPLETE, apologize otherwise."""
    flow = Kit.flow(
        Kit.action(
            "wait",
            "Wait",
            {"TimeLimitSeconds": "20"},
            next_action="poll",
            conditions=[("Equals", ["WaitCompleted"], "poll")],
            errors={"NoMatchingError": "apologize"},
        ),
        Kit.invoke("poll", next_action="status", error="apologize"),
        Kit.action(
            "status",
            "Compare",
            {"ComparisonValue": "$.External.Status"},
            next_action="apologize",
            conditions=[("Equals", ["COMPLETE"], "thank-caller")],
            errors={"NoMatchingCondition": "apologize"},
        ),
        Kit.say("thank-caller", "Thank you"),
        Kit.say("apologize", "Sorry"),
        Kit.hang_up(),
    )
    return write(tmp_path, flow)


def test_simulate_channel_and_the_apology_exit_code(tmp_path: Path) -> None:
    path = _tracker_like(tmp_path)
    code, out, _ = run(
        "simulate",
        "--file",
        path,
        "--channel",
        "CHAT",
        "--lambda-stub",
        'tracker-writer={"Status": "COMPLETE"}',
        "--quiet",
        "--json",
        "-",
    )
    summary = json.loads(out)
    assert (code, summary["channel"], summary["outcome"]) == (0, "CHAT", "RESULT")
    assert summary["result_delivered"] is True
    assert summary["elapsed_seconds"] == pytest.approx(20.05)
    assert len(summary["lambda_calls"]) == 1
    # Voice cannot use a plain Wait: its error branch leads to the apology, exit code 1.
    code, out, _ = run(
        "simulate",
        "--file",
        path,
        "--lambda-stub",
        'tracker-writer={"Status": "COMPLETE"}',
        "--quiet",
        "--json",
        "-",
    )
    summary = json.loads(out)
    assert (code, summary["outcome"], summary["final_prompt"]["action"]) == (
        1,
        "APOLOGY",
        "apologize",
    )


def test_simulate_follows_a_transfer_to_a_given_flow(tmp_path: Path) -> None:
    second = tmp_path / "second.json"
    second.write_text(json.dumps(Kit.flow(Kit.say("thank-caller", "Thanks"), Kit.hang_up())))
    first = Kit.flow(
        Kit.action(
            "go",
            "TransferToFlow",
            {"ContactFlowId": "arn:aws:connect:r:1:instance/i/contact-flow/f-2"},
        ),
        Kit.say("apologize", "Sorry"),
        Kit.hang_up(),
    )
    first["Actions"][0]["Transitions"] = {
        "NextAction": "apologize",
        "Errors": [{"NextAction": "apologize", "ErrorType": "NoMatchingError"}],
    }
    code, out, _ = run(
        "simulate",
        "--file",
        write(tmp_path, first),
        "--contact-id",
        "c-1",
        "--transfer-flow",
        f"f-2={second}",
        "--quiet",
        "--json",
        "-",
    )
    summary = json.loads(out)
    assert code == 0, summary["success_reason"]
    assert summary["contact_ids"][0] == "c-1" and len(summary["contact_ids"]) == 2
    assert summary["transfers"][0]["target"].endswith("/contact-flow/f-2")


# What the command line says about a contact (issue 18, item 6) ---------------------


def _dynamic_lambda_flow() -> dict[str, Any]:
    """A Lambda whose ARN comes from a flow attribute, as exported flows often have it."""
    arn = "arn:aws:lambda:eu-west-2:111122223333:function:lookup-account"
    return Kit.flow(
        Kit.action(
            "pick-function",
            "UpdateFlowAttributes",
            {"FlowAttributes": {"LookupArn": {"Value": arn}}},
            next_action="lookup",
            errors={"NoMatchingError": "sorry"},
        ),
        Kit.invoke("lookup", "$.FlowAttributes.LookupArn", next_action="done", error="sorry"),
        Kit.say("done", "Found you."),
        Kit.say("sorry", "Sorry."),
        Kit.hang_up(),
        Metadata={"TrackerSandbox": {"SuccessActions": ["done"], "FailureActions": ["sorry"]}},
    )


def test_a_lambda_nobody_answers_gets_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    path = write(tmp_path, _dynamic_lambda_flow())
    for stubs in ([], ["--lambda-stub", 'other-function={"a": "b"}']):
        code, _, err = run("simulate", "--file", path, "--quiet", *stubs)
        assert code == 2
        (line,) = err.strip().splitlines()
        assert "Traceback" not in err
        assert (
            "'lookup' invokes arn:aws:lambda:eu-west-2:111122223333:function:lookup-account" in line
        )
        assert "(LambdaFunctionARN $.FlowAttributes.LookupArn)" in line
        assert "--lambda-stub lookup-account=JSON" in line


def test_a_stub_for_every_function(tmp_path: Path) -> None:
    path = write(tmp_path, _dynamic_lambda_flow())
    code, out, _ = run(
        "simulate", "--file", path, "--json", "-", "--quiet", "--lambda-stub", '*={"Name": "Ada"}'
    )
    summary = json.loads(out)
    assert (code, summary["outcome"], summary["success"]) == (0, "RESULT", True)
    assert summary["lambda_calls"][0]["function_arn"].endswith(":function:lookup-account")


def test_a_flow_ending_in_its_own_apology_exits_1(tmp_path: Path) -> None:
    flow = _dynamic_lambda_flow()
    del flow["Metadata"]
    path = write(tmp_path, flow)
    failing = ["--lambda-stub", "*=[]"]  # not an object: the Lambda block's error branch
    code, out, _ = run("simulate", "--file", path, *failing)
    assert code == 1  # no success action named: never SUCCESS
    assert "FAILURE" in out and "SUCCESS" not in out
    named = ["--success-action", "done", "--failure-action", "sorry"]
    code, out, _ = run("simulate", "--file", path, *failing, *named)
    assert code == 1 and "passed failure action 'sorry'" in out
    assert run("simulate", "--file", path, "--quiet", "--lambda-stub", "*={}", *named)[0] == 0


def test_the_module_action_names_are_the_default_on_each_side(tmp_path: Path) -> None:
    flow = Kit.flow(
        Kit.invoke("lookup", next_action="thank-caller", error="sorry"),
        Kit.say("thank-caller", "Here it is."),
        Kit.say("sorry", "Sorry."),
        Kit.hang_up(),
    )
    path = write(tmp_path, flow)
    assert run("simulate", "--file", path, "--quiet", "--lambda-stub", "*={}")[0] == 0
    # The flow has no `apologize`: its own apology is named, thank-caller stays the default.
    code, out, _ = run(
        "simulate", "--file", path, "--lambda-stub", "*=[]", "--failure-action", "sorry"
    )
    assert code == 1 and "passed failure action 'sorry'" in out
