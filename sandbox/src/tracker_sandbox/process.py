"""Start, watch and stop the host-mode LocalStack process and everything it spawns."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tracker_sandbox import config
from tracker_sandbox.errors import SandboxError

HEALTH_PATH = "/_localstack/health"

# What LocalStack logs (at DEBUG) when it is about to fetch something from the internet.
_DOWNLOAD_PATTERNS = (
    re.compile(r"Starting installation of (?P<artifact>.+?)\.\.\."),
    re.compile(r"Starting download from (?P<artifact>\S+)"),
    re.compile(r"Installation of (?P<artifact>.+?) failed"),
    re.compile(r"(?P<artifact>lambda-runtime-init|Docker image|pull_image)"),
)


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    ppid: int
    pgid: int
    sid: int
    start_ticks: int
    command: str


def _read_stat(pid: int) -> ProcessInfo | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        raw_cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # Field 2 (comm) may contain spaces; it ends at the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":
        return None
    command = raw_cmd.replace(b"\0", b" ").decode(errors="replace").strip()
    return ProcessInfo(
        pid=pid,
        ppid=int(fields[1]),
        pgid=int(fields[2]),
        sid=int(fields[3]),
        start_ticks=int(fields[19]),
        command=command,
    )


def _all_processes() -> list[ProcessInfo]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _read_stat(int(entry.name))
            if info is not None:
                found.append(info)
    return found


def sandbox_processes(paths: config.Paths, root: int | None) -> list[ProcessInfo]:
    """LocalStack, its descendants (DynamoDB Local's JVM, kinesis-mock's node and the Lambda
    runtimes start their own sessions), and any orphan whose command line names our state dir.
    """
    everything = _all_processes()
    children: dict[int, list[ProcessInfo]] = {}
    for info in everything:
        children.setdefault(info.ppid, []).append(info)
    found: dict[int, ProcessInfo] = {}
    if root is not None:
        root_info = _read_stat(root)
        stack = [root_info] if root_info is not None else []
        while stack:
            current = stack.pop()
            found[current.pid] = current
            stack.extend(children.get(current.pid, []))
    marker = str(paths.state) + "/"
    for info in everything:
        if marker in info.command and info.pid != os.getpid():
            found.setdefault(info.pid, info)
    return sorted(found.values(), key=lambda info: info.pid)


def runtime_processes(
    paths: config.Paths, root: int | None, function_name: str
) -> list[ProcessInfo]:
    """The sandbox's Lambda runtimes running ``function_name``: the executor starts each
    execution environment as ``python -B -m awslambdaric <handler>`` with the function's
    Lambda variables (``AWS_LAMBDA_FUNCTION_NAME``), as a descendant of LocalStack."""
    needle = f"AWS_LAMBDA_FUNCTION_NAME={function_name}".encode()
    found = []
    for info in sandbox_processes(paths, root):
        if "awslambdaric" not in info.command:
            continue
        with contextlib.suppress(OSError):
            if needle in Path(f"/proc/{info.pid}/environ").read_bytes().split(b"\0"):
                found.append(info)
    return found


def _still_running(info: ProcessInfo) -> bool:
    current = _read_stat(info.pid)
    return current is not None and current.start_ticks == info.start_ticks


def _signal_all(infos: list[ProcessInfo], sig: signal.Signals) -> None:
    for info in infos:
        if _still_running(info):
            with contextlib.suppress(ProcessLookupError):
                os.kill(info.pid, sig)


def _wait_gone(infos: list[ProcessInfo], seconds: float) -> list[ProcessInfo]:
    deadline = time.monotonic() + seconds
    left = [info for info in infos if _still_running(info)]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [info for info in left if _still_running(info)]
    return left


def pid_alive(pid: int) -> bool:
    return _read_stat(pid) is not None


def _pid_file_number(paths: config.Paths, index: int) -> int | None:
    """Word ``index`` of the pid file ("<pid> <port>") as a number; None when absent."""
    try:
        return int(paths.pid_file.read_text(encoding="utf-8").split()[index])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def read_pid(paths: config.Paths) -> int | None:
    pid = _pid_file_number(paths, 0)
    if pid is None:
        return None
    info = _read_stat(pid)
    # A recycled PID is not ours: LocalStack leads its own session.
    if info is None or info.sid != pid:
        return None
    return pid


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text(encoding="utf-8").splitlines()[1:]:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    return inodes


def listening_pids(port: int) -> set[int]:
    """PIDs holding a listening socket on ``port`` (those /proc lets us see)."""
    inodes = _listening_inodes(port)
    pids: set[int] = set()
    if not inodes:
        return pids
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                target = str(fd.readlink())
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    pids.add(int(entry.name))
                    break
    return pids


def who_listens(port: int) -> str | None:
    """Describe the process listening on a TCP port, when /proc lets us see it."""
    if not _listening_inodes(port):
        return None
    for pid in sorted(listening_pids(port)):
        info = _read_stat(pid)
        if info is not None:
            return f"pid {info.pid}: {info.command[:200]}"
    return "an unknown process (not visible in /proc)"


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def health(port: int, timeout: float = 2.0) -> dict[str, object] | None:
    try:
        url = f"{config.endpoint_url(port)}{HEALTH_PATH}"
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
            data = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def log_tail(paths: config.Paths, lines: int = 40) -> str:
    try:
        content = paths.log_file.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no log file yet)"
    return "\n".join(content.splitlines()[-lines:])


def download_attempts(paths: config.Paths) -> list[str]:
    """Artifacts LocalStack tried to fetch despite provisioning (it has no internet here)."""
    try:
        content = paths.log_file.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    found: list[str] = []
    for line in content.splitlines():
        for pattern in _DOWNLOAD_PATTERNS:
            match = pattern.search(line)
            if match and match.group("artifact") not in found:
                found.append(match.group("artifact"))
    return found


def localstack_environment(paths: config.Paths, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "LOCALSTACK_", "TF_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        {
            # The machine carries Docker's container marker; host mode needs this override.
            "OVERRIDE_IN_DOCKER": "0",
            "FILESYSTEM_ROOT": str(paths.filesystem_root),
            "GATEWAY_LISTEN": f"127.0.0.1:{port}",
            "DNS_ADDRESS": "0",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DISABLE_EVENTS": "1",
            "LOCALSTACK_CLI": "0",
            "TMPDIR": str(paths.tmp),
            "LAMBDA_RUNTIME_EXECUTOR": config.EXECUTOR_PLUGIN_NAME,
            # Amazon Connect from tracker_sandbox.connect (plux "connect:tracker").
            "PROVIDER_OVERRIDE_CONNECT": "tracker",
            # The module's on-failure queue alarm watches ApproximateNumberOfMessagesVisible.
            # LocalStack publishes it (on by default; SQS_DISABLE_CLOUDWATCH_METRICS turns it
            # off) every SQS_CLOUDWATCH_METRICS_REPORT_INTERVAL seconds, 60 by default; AWS
            # every minute. 10 lets an alarm see a filling queue within one short period
            # (docs/alarms.md: the sandbox).
            "SQS_CLOUDWATCH_METRICS_REPORT_INTERVAL": "10",
            # kinesis-mock (behind DynamoDB Streams) otherwise writes its whole state, every
            # stream record it holds, to a JSON file every 5 s (KINESIS_PERSISTENCE, on by
            # default): CPU that grows with the session's records. The sandbox never reloads
            # that file (LocalStack's own PERSISTENCE is off), so nothing is lost.
            "KINESIS_PERSISTENCE": "0",
            # DEBUG logs name every download LocalStack attempts, which `up` watches for.
            "DEBUG": os.environ.get("SANDBOX_DEBUG", "1"),
            "SANDBOX_STATE_DIR": str(paths.state),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def read_port(paths: config.Paths) -> int | None:
    """The port the running sandbox of this state folder listens on (second pid-file word)."""
    return _pid_file_number(paths, 1)


def check_startable(paths: config.Paths, port: int) -> int | None:
    """The pid of this state folder's healthy sandbox on ``port``, None when one may start.

    Raises with the fix when it may not: the folder's sandbox runs on another port or is
    unhealthy, or something else holds the port. Cheap: called before provisioning.
    """
    running = read_pid(paths)
    if running is not None:
        recorded = read_port(paths)
        if recorded is not None and recorded != port:
            raise SandboxError(
                f"the sandbox of {paths.state} already runs on port {recorded} (pid {running})",
                f"use SANDBOX_PORT={recorded}, or give a second sandbox its own SANDBOX_STATE_DIR",
            )
        if health(port) is not None:
            return running
        raise SandboxError(
            f"LocalStack (pid {running}) is running but not healthy on port {port}",
            "run `sandbox/bin/sandbox down` and then `up` again; see `sandbox/bin/sandbox logs`",
        )
    if not port_free(port):
        owner = who_listens(port)
        raise SandboxError(
            f"port 127.0.0.1:{port} is already in use by {owner}",
            "stop that process, or choose another port: SANDBOX_PORT=4567 sandbox/bin/sandbox up",
        )
    return None


def start(paths: config.Paths, port: int, deadline_seconds: float) -> int:
    """Launch LocalStack detached and wait until it answers health checks."""
    running = check_startable(paths, port)
    if running is not None:
        return running
    python = paths.venv / "bin" / "python"
    paths.run.mkdir(parents=True, exist_ok=True)
    paths.tmp.mkdir(parents=True, exist_ok=True)
    with paths.log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(python), "-m", "localstack.runtime.main"],
            env=localstack_environment(paths, port),
            cwd=paths.state,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    paths.pid_file.write_text(f"{process.pid} {port}\n", encoding="utf-8")
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            paths.pid_file.unlink(missing_ok=True)
            raise SandboxError(
                f"LocalStack exited during start-up (exit {process.returncode}):\n"
                f"{log_tail(paths)}",
                f"read the full log: {paths.log_file}",
            )
        if health(port, timeout=1.0) is not None:
            attempts = download_attempts(paths)
            if attempts:
                stop(paths)
                raise _download_error(attempts)
            return process.pid
        time.sleep(0.2)
    tail = log_tail(paths)
    stop(paths)
    raise SandboxError(
        f"LocalStack did not answer {HEALTH_PATH} within {deadline_seconds:.0f}s. Log tail:\n{tail}",
        "raise the deadline with SANDBOX_START_TIMEOUT=<seconds>, or fix the error in the log",
    )


def _download_error(attempts: list[str]) -> SandboxError:
    return SandboxError(
        "LocalStack tried to download: " + ", ".join(attempts),
        "provisioning missed that artifact; run `sandbox/bin/sandbox down`, delete the "
        "matching stamp in .sandbox/stamps/ and `up` again, or report which artifact it was",
    )


def stop(paths: config.Paths, grace_seconds: float = 15.0) -> list[int]:
    """SIGTERM LocalStack, wait, then SIGTERM and finally SIGKILL whatever it left behind.

    Returns the PIDs that needed SIGKILL. Raises when something survives even that.
    """
    pid = read_pid(paths)
    tree = sandbox_processes(paths, pid)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        # LocalStack stops its JVM, node and Lambda environments itself on SIGTERM.
        _wait_gone([info for info in tree if info.pid == pid], grace_seconds)
    tree = [info for info in tree if _still_running(info)] + [
        info for info in sandbox_processes(paths, None) if info not in tree
    ]
    _signal_all(tree, signal.SIGTERM)
    left = _wait_gone(tree, 3.0)
    _signal_all(left, signal.SIGKILL)
    killed = [info.pid for info in left]
    survivors = _wait_gone(left, 5.0)
    if survivors:
        raise SandboxError(
            "processes survived SIGKILL: "
            + ", ".join(f"{p.pid} ({p.command[:60]})" for p in survivors),
            "they may be stuck in uninterruptible I/O; inspect them with `ps -o pid,stat,cmd`",
        )
    paths.pid_file.unlink(missing_ok=True)
    return killed


def follow(paths: config.Paths, lines: int) -> Iterator[str]:
    """Yield the last lines of the log, then new lines as they are written."""
    if not paths.log_file.exists():
        raise SandboxError(
            f"no log at {paths.log_file}", "start the sandbox: sandbox/bin/sandbox up"
        )
    yield from log_tail(paths, lines).splitlines()
    with paths.log_file.open(encoding="utf-8", errors="replace") as handle:
        handle.seek(0, os.SEEK_END)
        while True:
            line = handle.readline()
            if line:
                yield line.rstrip("\n")
            else:
                sys.stdout.flush()
                time.sleep(0.25)
