"""The Docker-less executor behaves like Lambda, checked against the running sandbox."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sandbox_testkit import FunctionFactory, invoke, wait_for_log

from tracker_sandbox.control import Sandbox

pytestmark = pytest.mark.sandbox

APP = """\
import json, logging, os, sys, time

logging.getLogger().setLevel(logging.INFO)
INIT_PID = os.getpid()


def handler(event, context):
    print("handling", json.dumps(event))
    logging.getLogger("app").info("structured hello")
    action = event.get("action")
    if action == "sleep":
        time.sleep(event["seconds"])
    elif action == "raise":
        raise ValueError("the handler failed on purpose")
    elif action == "exit":
        sys.stdout.flush()
        os._exit(3)
    return {
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "files": sorted(os.listdir(".")),
        "remaining_ms": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
    }
"""

# Variables Lambda itself defines for a Python function (plus the sandbox's TMPDIR and
# AWS_ENDPOINT_URL, and LC_CTYPE which the interpreter adds for a UTF-8 locale).
LAMBDA_VARIABLES = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_LEVEL",
    "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_XRAY_CONTEXT_MISSING",
    "AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT",
    "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "LANG", "LC_CTYPE", "PATH", "TMPDIR", "TZ",
}  # fmt: skip


def test_environment_holds_only_lambda_and_function_variables(
    make_function: FunctionFactory, lambda_client: Any, sandbox: Sandbox
) -> None:
    name = make_function(
        {"app.py": APP, "data/extra.txt": "x"},
        environment={"TRACKER_TABLE_NAME": "tracker", "TZ": "Europe/Paris"},
        logging_config={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"},
    )
    body = invoke(lambda_client, name)["Body"]
    env = body["env"]

    assert set(env) - LAMBDA_VARIABLES == {"TRACKER_TABLE_NAME"}
    assert env["TRACKER_TABLE_NAME"] == "tracker"
    assert env["TZ"] == "Europe/Paris"  # the function's value wins, as in Lambda
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert env["AWS_LAMBDA_LOG_FORMAT"] == "JSON"
    assert env["AWS_LAMBDA_LOG_LEVEL"] == "WARN"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_ENDPOINT_URL"] == sandbox.endpoint
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    # Code unzipped at the task root, which is the working directory.
    assert body["cwd"] == env["LAMBDA_TASK_ROOT"]
    assert body["files"] == ["app.py", "data"]
    assert 0 < body["remaining_ms"] <= 10_000


def test_python312_runtime_runs_on_its_own_interpreter(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"app.py": APP}, runtime="python3.12")
    env = invoke(lambda_client, name)["Body"]["env"]
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert "runtimes/python3.12/" in env["PATH"]


def test_handler_overrunning_its_timeout_is_killed_and_reported(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"app.py": APP}, timeout=1)
    started = time.monotonic()
    response = invoke(lambda_client, name, {"action": "sleep", "seconds": 60})
    elapsed = time.monotonic() - started

    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in response["Body"]["errorMessage"]
    assert elapsed < 10
    assert re.search(r"Task timed out after 1\.00 seconds", response["Log"])
    assert "Status: timeout" in response["Log"]
    # The killed environment is re-initialised for the next invoke.
    after = invoke(lambda_client, name)
    assert "FunctionError" not in after
    assert "Init Duration" in after["Log"]


def test_unhandled_exception_is_a_function_error_with_stack_trace(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"app.py": APP})
    response = invoke(lambda_client, name, {"action": "raise"})

    assert response["FunctionError"] == "Unhandled"
    body = response["Body"]
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "the handler failed on purpose"
    assert any("app.py" in frame and "handler" in frame for frame in body["stackTrace"])
    assert "[ERROR] ValueError: the handler failed on purpose" in response["Log"]


def test_crashed_environment_is_replaced_on_next_invoke(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"app.py": APP})
    before = invoke(lambda_client, name)["Body"]["pid"]

    crash = invoke(lambda_client, name, {"action": "exit"})
    assert crash["FunctionError"] == "Unhandled"
    assert crash["Body"]["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in crash["Body"]["errorMessage"]
    assert "Error Type: Runtime.ExitError" in crash["Log"]

    after = invoke(lambda_client, name)
    assert "FunctionError" not in after
    assert after["Body"]["pid"] != before
    assert "Init Duration" in after["Log"]


def test_import_error_fails_the_invoke_like_lambda(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"app.py": "import not_a_module_anywhere\n"})
    response = invoke(lambda_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Runtime.ImportModuleError"
    assert "not_a_module_anywhere" in response["Body"]["errorMessage"]


def test_warm_environment_is_reused(make_function: FunctionFactory, lambda_client: Any) -> None:
    name = make_function({"app.py": APP})
    cold = invoke(lambda_client, name)
    warm = invoke(lambda_client, name)
    assert warm["Body"]["pid"] == cold["Body"]["pid"]
    assert "Init Duration" in cold["Log"]
    assert "Init Duration" not in warm["Log"]


def test_concurrent_invokes_get_concurrent_environments(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"app.py": APP})
    seconds = 2.0
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(
            pool.map(
                lambda _: invoke(lambda_client, name, {"action": "sleep", "seconds": seconds}),
                range(3),
            )
        )
    elapsed = time.monotonic() - started
    pids = {response["Body"]["pid"] for response in responses}
    assert len(pids) == 3
    assert elapsed < 3 * seconds  # they overlapped rather than queued


def test_platform_lines_reach_the_log_group(
    make_function: FunctionFactory, lambda_client: Any, logs_client: Any
) -> None:
    name = make_function({"app.py": APP}, environment={})
    request_id = invoke(lambda_client, name)["Body"]["request_id"]
    group = f"/aws/lambda/{name}"

    def complete(messages: list[str]) -> bool:
        return any(m.startswith(f"REPORT RequestId: {request_id}") for m in messages)

    messages = wait_for_log(logs_client, group, complete)
    assert any(m.startswith("INIT_START Runtime Version: python:3.13") for m in messages)
    assert f"START RequestId: {request_id} Version: $LATEST\n" in messages
    assert any(m.startswith("handling {}") for m in messages)
    assert f"END RequestId: {request_id}\n" in messages
    report = next(m for m in messages if m.startswith(f"REPORT RequestId: {request_id}"))
    assert re.search(
        r"Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
        r"Max Memory Used: \d+ MB\tInit Duration: [\d.]+ ms",
        report,
    ), report


def test_json_log_format_writes_platform_records(
    make_function: FunctionFactory, lambda_client: Any, logs_client: Any
) -> None:
    name = make_function(
        {"app.py": APP},
        logging_config={
            "LogFormat": "JSON",
            "ApplicationLogLevel": "INFO",
            "SystemLogLevel": "INFO",
        },
    )
    request_id = invoke(lambda_client, name)["Body"]["request_id"]

    def records(messages: list[str]) -> list[dict[str, Any]]:
        parsed = []
        for message in messages:
            try:
                parsed.append(json.loads(message))
            except ValueError:
                continue
        return [r for r in parsed if isinstance(r, dict)]

    def complete(messages: list[str]) -> bool:
        return any(r.get("type") == "platform.report" for r in records(messages))

    parsed = records(wait_for_log(logs_client, f"/aws/lambda/{name}", complete))
    kinds = [r.get("type") for r in parsed if "type" in r]
    assert kinds == ["platform.initStart", "platform.start", "platform.report"]
    report = next(r for r in parsed if r.get("type") == "platform.report")["record"]
    assert report["requestId"] == request_id
    assert report["status"] == "success"
    assert set(report["metrics"]) == {
        "durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB", "initDurationMs",
    }  # fmt: skip
    app_lines = [r for r in parsed if r.get("message") == "structured hello"]
    assert app_lines and app_lines[0]["level"] == "INFO"
    assert app_lines[0]["requestId"] == request_id


def test_unsupported_runtime_leaves_function_failed_with_reason(
    make_function: FunctionFactory, lambda_client: Any
) -> None:
    name = make_function({"index.js": "exports.handler = async () => 1;"},
                         handler="index.handler", runtime="nodejs20.x", wait_active=False)  # fmt: skip
    deadline = time.monotonic() + 30
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = lambda_client.get_function_configuration(FunctionName=name)
        if state["State"] != "Pending":
            break
        time.sleep(0.2)
    assert state["State"] == "Failed"
    assert "nodejs20.x is not supported by the sandbox" in state["StateReason"]


def test_asynchronous_invokes_run_beyond_localstacks_default_invoker_pool(
    make_function: FunctionFactory, lambda_client: Any, logs_client: Any
) -> None:
    """Event invocations of one function run side by side, as Lambda runs them with the
    function's concurrency (LocalStack alone runs at most min(32, cores + 4) at once)."""
    name = make_function({"app.py": APP})
    events = 12
    for n in range(events):
        answer = lambda_client.invoke(
            FunctionName=name,
            InvocationType="Event",
            Payload=json.dumps({"action": "sleep", "seconds": 4, "n": n}).encode(),
        )
        assert answer["StatusCode"] == 202
    # each event is handled once ("handling" line); while the others sleep, none is free to
    # take a second event, so every event runs in an environment of its own
    messages = wait_for_log(
        logs_client,
        f"/aws/lambda/{name}",
        lambda lines: (
            sum('"action": "sleep"' in line for line in lines) >= events
            and sum(line.startswith("END ") for line in lines) >= events
        ),
        seconds=90,
    )
    streams = {
        event["logStreamName"]
        for page in logs_client.get_paginator("filter_log_events").paginate(
            logGroupName=f"/aws/lambda/{name}"
        )
        for event in page["events"]
        if '"action": "sleep"' in event["message"]
    }
    assert len(streams) == events, messages
