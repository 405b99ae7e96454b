"""One Lambda execution environment: a runtime subprocess plus its Runtime API server."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tracker_sandbox.executor.platform_log import PlatformLog, Report, Status
from tracker_sandbox.executor.runtime_api import Invocation, RuntimeApi

STANDARD_PATH = "/usr/local/bin:/usr/bin:/bin"


class InitError(Exception):
    """The runtime could not initialise; ``payload`` is the error Lambda returns."""

    def __init__(self, payload: bytes, logs: str) -> None:
        super().__init__(payload.decode(errors="replace"))
        self.payload = payload
        self.logs = logs


@dataclass(frozen=True)
class Spec:
    """What an environment runs: fixed for its lifetime."""

    runtime: str
    runtime_env: Path  # a venv holding awslambdaric and boto3
    task_root: Path
    handler: str
    function_name: str
    version: str
    memory_size_mb: int
    timeout_s: float
    environment: dict[str, str]  # the function's variables plus Lambda's standard ones
    tmp_dir: Path
    json_logs: bool
    system_log_level: str
    startup_timeout_s: float = 20.0


@dataclass(frozen=True)
class Outcome:
    payload: bytes
    is_error: bool
    logs: str


class _Output:
    """Collects the runtime's merged stdout/stderr without ever blocking it."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self._lock = threading.Lock()
        self._chunks: list[bytes] = []
        self._eof = False
        self._thread = threading.Thread(target=self._pump, name="lambda-output", daemon=True)
        self._thread.start()

    def _read_available(self) -> None:
        while not self._eof:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                self._eof = True
                return
            if not data:
                self._eof = True
                return
            self._chunks.append(data)

    def _pump(self) -> None:
        # Sleeps in poll() until the runtime writes or its end of the pipe closes: no
        # timeout, so an idle environment costs LocalStack's interpreter nothing. Not
        # select(): LocalStack holds well over 1,024 descriptors once a burst has started a
        # hundred environments, and select() refuses any descriptor from 1,024 up
        # (ValueError), which turned this loop into a spin on the interpreter lock that
        # every request to the sandbox then waited behind (docs/sandbox.md).
        waiting = select.poll()
        waiting.register(self._fd, select.POLLIN)
        while not self._eof:
            try:
                waiting.poll()
            except OSError:
                self._eof = True
            with self._lock:
                self._read_available()
        with contextlib.suppress(OSError):
            os.close(self._fd)

    def drain(self) -> str:
        # Whatever the runtime wrote before posting its reply is already in the pipe.
        with self._lock:
            if not self._eof:
                with contextlib.suppress(OSError):
                    self._read_available()
            data = b"".join(self._chunks)
            self._chunks.clear()
        return data.decode(errors="replace")

    def wait_eof(self, seconds: float) -> None:
        self._thread.join(seconds)


class RuntimeProcess:
    """Starts, invokes, replaces and stops the runtime of one execution environment."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.platform = PlatformLog(
            json_format=spec.json_logs, system_level=spec.system_log_level, version=spec.version
        )
        self._process: subprocess.Popen[bytes] | None = None
        self._api: RuntimeApi | None = None
        self._output: _Output | None = None
        self._pending_init_ms: float | None = None
        self._pending_init_logs = ""
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _environment(self, api: RuntimeApi) -> dict[str, str]:
        env = dict(self.spec.environment)
        env.update(
            {
                "AWS_LAMBDA_RUNTIME_API": api.address,
                "LAMBDA_TASK_ROOT": str(self.spec.task_root),
                "LAMBDA_RUNTIME_DIR": str(self.spec.runtime_env),
                "_HANDLER": self.spec.handler,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.spec.runtime}",
                "PATH": f"{self.spec.runtime_env / 'bin'}:{STANDARD_PATH}",
                "LANG": "en_US.UTF-8",
                "TMPDIR": str(self.spec.tmp_dir),
            }
        )
        env.setdefault("TZ", ":UTC")
        return env

    def start(self) -> None:
        """Spawn the runtime and wait until it asks for work (its INIT phase is over)."""
        with self._lock:
            self._spawn()

    def _spawn(self) -> None:
        if self._stopped:
            raise RuntimeError("environment is stopped")
        self.spec.tmp_dir.mkdir(parents=True, exist_ok=True)
        api = RuntimeApi()
        api.start()
        read_fd, write_fd = os.pipe()
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                # -B: /var/task is read-only in Lambda, so no __pycache__ may appear in the task root.
                [
                    str(self.spec.runtime_env / "bin" / "python"),
                    "-B",
                    "-m",
                    "awslambdaric",
                    self.spec.handler,
                ],
                cwd=self.spec.task_root,
                env=self._environment(api),
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                # Its own process group, so one killpg ends the handler and anything it forked.
                process_group=0,
            )
        finally:
            os.close(write_fd)
        self._process, self._api, self._output = process, api, _Output(read_fd)
        deadline = started + self.spec.startup_timeout_s
        while time.perf_counter() < deadline:
            if api.ready.wait(0.02):
                break
            if api.init_failed.is_set() or process.poll() is not None:
                break
        init_ms = (time.perf_counter() - started) * 1000
        if not api.ready.is_set():
            self._kill()
            self._output.wait_eof(1.0)
            logs = self.platform.init_start(self.spec.runtime, self.spec.function_name)
            logs += self._output.drain()
            payload = (
                api.init_error
                or json.dumps(
                    {
                        "errorType": "Runtime.ExitError",
                        "errorMessage": f"RequestId: init Error: Runtime exited with error: "
                        f"{_exit_detail(process.returncode)}",
                    }
                ).encode()
            )
            api.close()
            self._process = None
            raise InitError(payload, logs)
        self._pending_init_ms = init_ms
        self._pending_init_logs = (
            self.platform.init_start(self.spec.runtime, self.spec.function_name)
            + self._output.drain()
        )

    def invoke(self, request_id: str, payload: bytes, function_arn: str, trace_id: str) -> Outcome:
        with self._lock:
            if not self.alive():
                # Lambda replaces a dead runtime: the next invoke pays a fresh INIT.
                self._close_runtime()
                self._spawn()
            return self._invoke(request_id, payload, function_arn, trace_id)

    def _invoke(self, request_id: str, payload: bytes, function_arn: str, trace_id: str) -> Outcome:
        assert self._api is not None and self._output is not None and self._process is not None
        api, output, process = self._api, self._output, self._process
        init_ms, logs = self._pending_init_ms, self._pending_init_logs
        self._pending_init_ms, self._pending_init_logs = None, ""
        logs += output.drain() + self.platform.start(request_id)
        memory_before = _peak_rss_mb(process.pid)
        started = time.perf_counter()
        deadline_ms = int(time.time() * 1000 + self.spec.timeout_s * 1000)
        done = api.submit(Invocation(request_id, payload, function_arn, deadline_ms, trace_id))
        deadline = started + self.spec.timeout_s
        while not done.wait(0.01):
            if process.poll() is not None or time.perf_counter() >= deadline:
                break
        duration_ms = (time.perf_counter() - started) * 1000
        memory_mb = max(memory_before, _peak_rss_mb(process.pid))
        reply = api.take_reply(request_id)
        if reply is not None:
            status = Status.ERROR if reply.is_error else Status.SUCCESS
            body, is_error, error_type = reply.body, reply.is_error, None
            logs += output.drain()
        elif process.poll() is None:
            status, error_type = Status.TIMEOUT, "Sandbox.Timedout"
            self._kill()
            output.wait_eof(1.0)
            logs += output.drain() + self.platform.timed_out(request_id, self.spec.timeout_s)
            body = json.dumps(
                {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                    f"{self.spec.timeout_s:.2f} seconds",
                }
            ).encode()
            is_error = True
            duration_ms = self.spec.timeout_s * 1000
        else:
            status, error_type = Status.FAILURE, "Runtime.ExitError"
            output.wait_eof(1.0)
            detail = _exit_detail(process.returncode)
            logs += output.drain() + self.platform.runtime_exited(request_id, detail)
            body = json.dumps(
                {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                    f"{detail}",
                }
            ).encode()
            is_error = True
        report = Report(
            request_id=request_id,
            duration_ms=duration_ms,
            memory_size_mb=self.spec.memory_size_mb,
            max_memory_used_mb=memory_mb,
            init_duration_ms=init_ms,
            status=status,
            error_type=error_type,
        )
        logs += self.platform.end_and_report(report)
        return Outcome(payload=body, is_error=is_error, logs=logs)

    def _kill(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)

    def _close_runtime(self) -> None:
        self._kill()
        if self._api is not None:
            self._api.close()
        self._process = self._api = self._output = None

    def stop(self) -> None:
        """Kill the runtime's whole process group; idempotent."""
        self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(2)
        # Even after the leader exits, children the handler forked may linger in its group.
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
        if self._api is not None:
            self._api.close()
        self._process = self._api = None

    def drain_logs(self) -> str:
        return self._output.drain() if self._output is not None else ""


def _exit_detail(returncode: int | None) -> str:
    if returncode is None:
        return "unknown"
    if returncode < 0:
        return f"signal: {signal.Signals(-returncode).name.removeprefix('SIG').lower()}"
    return f"exit status {returncode}"


def _peak_rss_mb(pid: int) -> int:
    """Peak resident memory of the runtime process (what Lambda's Max Memory Used reports)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return max(1, round(int(line.split()[1]) / 1024))
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0
