from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

import connect_tracker.tasks as tasks_package
from connect_tracker.tasks import (
    DEMO_TASKS_MODULE,
    RetryableTaskError,
    TaskContext,
    TaskError,
    TaskRegistry,
    UnknownTask,
    load_task_modules,
    registry,
)
from connect_tracker.tasks.builtin import legacy_http_lookup, simulated_backend


def context(settings: dict[str, str] | None = None, seconds: float = 30) -> TaskContext:
    return TaskContext(
        request_id="r-1",
        contact_id="c-1",
        task_name="t",
        deadline_at=time.time() + seconds,
        settings=settings or {},
    )


def test_registry_finds_registered_tasks_and_names_the_known_ones():
    tasks = TaskRegistry()

    def one(parameters, ctx):
        return {}

    tasks.register("one", one)
    tasks.register("one", one)  # the same function again is harmless (module re-import)
    assert tasks.get("one") is one
    with pytest.raises(UnknownTask, match="known: one"):
        tasks.get("two")
    with pytest.raises(ValueError, match="already registered"):
        tasks.register("one", lambda p, c: {})


def test_the_demo_tasks_are_registered_only_when_their_module_is_listed(monkeypatch):
    monkeypatch.setattr(tasks_package, "registry", TaskRegistry())
    monkeypatch.delitem(sys.modules, DEMO_TASKS_MODULE, raising=False)
    load_task_modules([])
    assert tasks_package.registry.names() == []
    load_task_modules([DEMO_TASKS_MODULE])
    assert {"simulated_backend", "legacy_http_lookup"} <= set(tasks_package.registry.names())


def test_user_modules_register_their_tasks(tmp_path, monkeypatch):
    package = tmp_path / "acme_tasks"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from connect_tracker.tasks import task\n"
        "@task('acme_balance')\n"
        "def balance(parameters, context):\n"
        "    return {'Balance': parameters.get('AccountId', '') + ':42'}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        load_task_modules(["acme_tasks"])
        assert registry.get("acme_balance")({"AccountId": "A"}, context()) == {"Balance": "A:42"}
    finally:
        sys.modules.pop("acme_tasks", None)


def test_missing_user_module_says_where_to_put_it():
    with pytest.raises(ImportError, match="task_source_dir"):
        load_task_modules(["no_such_module_anywhere"])


def test_task_error_codes_are_sanitised():
    assert TaskError("NO_ACCOUNT", "m").code == "NO_ACCOUNT"
    assert TaskError("lower case", "m").code == "TASK_ERROR"
    assert TaskError("", "m").code == "TASK_ERROR"
    assert isinstance(RetryableTaskError("X", "m"), TaskError)


def test_context_remaining_seconds_never_negative():
    assert context(seconds=-5).remaining_seconds() == 0
    assert 0 < context(seconds=5).remaining_seconds() <= 5


def test_simulated_backend_answers_with_an_echo():
    answer = simulated_backend({"DelaySeconds": "0", "AccountId": "A1"}, context())
    assert answer == {"Message": "Processed after 0 seconds", "Echo_AccountId": "A1"}


def test_simulated_backend_waits_for_the_delay():
    started = time.monotonic()
    simulated_backend({"DelaySeconds": "0.2"}, context())
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("delay", ["soon", "-1", "901"])
def test_simulated_backend_refuses_bad_delays(delay):
    with pytest.raises(TaskError) as caught:
        simulated_backend({"DelaySeconds": delay}, context())
    assert caught.value.code == "INVALID_DELAY"


class LegacyApi(BaseHTTPRequestHandler):
    """A stand-in legacy backend on loopback whose behaviour the path selects."""

    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        LegacyApi.received.append(
            {"path": self.path, "body": body, "id": self.headers["X-Request-Id"]}
        )
        if self.path == "/slow":
            time.sleep(2)
        status, payload = {
            "/ok": (200, b'{"Balance": "12.50", "Tier": 3, "Flags": ["a"]}'),
            "/missing": (404, b'{"error": "no"}'),
            "/broken": (503, b"down"),
            "/html": (200, b"<html>"),
            "/list": (200, b"[1, 2]"),
            "/slow": (200, b"{}"),
        }[self.path]
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the timeout test) is expected, not an error."""


@pytest.fixture(scope="module")
def legacy_api() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), LegacyApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_legacy_http_lookup_posts_parameters_and_flattens_the_answer(legacy_api):
    answer = legacy_http_lookup(
        {"AccountId": "A1"}, context({"LEGACY_API_URL": f"{legacy_api}/ok"})
    )
    assert answer == {"Balance": "12.50", "Tier": "3", "Flags": '["a"]'}
    assert LegacyApi.received[-1] == {
        "path": "/ok",
        "body": {"requestId": "r-1", "parameters": {"AccountId": "A1"}},
        "id": "r-1",
    }


@pytest.mark.parametrize(
    ("path", "error", "code"),
    [
        ("/missing", TaskError, "BACKEND_REJECTED"),
        ("/broken", RetryableTaskError, "BACKEND_UNAVAILABLE"),
        ("/html", TaskError, "BACKEND_INVALID_ANSWER"),
        ("/list", TaskError, "BACKEND_INVALID_ANSWER"),
    ],
)
def test_legacy_http_lookup_maps_backend_failures(legacy_api, path, error, code):
    with pytest.raises(error) as caught:
        legacy_http_lookup({}, context({"LEGACY_API_URL": f"{legacy_api}{path}"}))
    assert caught.value.code == code
    assert type(caught.value) is error


def test_legacy_http_lookup_times_out_within_the_setting(legacy_api):
    settings = {"LEGACY_API_URL": f"{legacy_api}/slow", "LEGACY_API_TIMEOUT_SECONDS": "0.3"}
    with pytest.raises(TaskError) as caught:
        legacy_http_lookup({}, context(settings))
    assert caught.value.code == "BACKEND_TIMEOUT"
    assert not isinstance(caught.value, RetryableTaskError)


def test_legacy_http_lookup_unreachable_is_retryable():
    with pytest.raises(RetryableTaskError) as caught:
        # port 9 (discard) on loopback: nothing listens there in the test environment
        legacy_http_lookup({}, context({"LEGACY_API_URL": "http://127.0.0.1:9/x"}))
    assert caught.value.code == "BACKEND_UNAVAILABLE"


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://x"])
def test_legacy_http_lookup_refuses_non_http_urls(url):
    with pytest.raises(TaskError) as caught:
        legacy_http_lookup({}, context({"LEGACY_API_URL": url}))
    assert caught.value.code == "MISCONFIGURED"


def test_legacy_http_lookup_with_no_time_left(legacy_api):
    with pytest.raises(TaskError) as caught:
        legacy_http_lookup({}, context({"LEGACY_API_URL": f"{legacy_api}/ok"}, seconds=-1))
    assert caught.value.code == "BACKEND_TIMEOUT"
