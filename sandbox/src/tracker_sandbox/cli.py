"""``python -m tracker_sandbox up|down|status|logs|env|provision`` (run by sandbox/bin/sandbox)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time

from tracker_sandbox import config, process, provision, warm
from tracker_sandbox.errors import SandboxError


def _say(message: str) -> None:
    print(f"[sandbox] {message}", file=sys.stderr, flush=True)


def cmd_up(paths: config.Paths, port: int) -> int:
    started = time.monotonic()
    process.check_startable(paths, port)  # a busy port fails before minutes of provisioning
    provision.provision_all(paths)
    provisioned = time.monotonic()
    deadline = float(os.environ.get("SANDBOX_START_TIMEOUT", "90"))
    already = process.read_pid(paths)
    pid = process.start(paths, port, deadline)
    if already == pid:
        _say(f"already running (pid {pid}) at {config.endpoint_url(port)}")
        return 0
    _say(
        f"up at {config.endpoint_url(port)} (pid {pid}); provisioning "
        f"{provisioned - started:.1f}s, start {time.monotonic() - provisioned:.1f}s"
    )
    requests = warm_requests()
    if requests:
        seconds = warm.warm_dynamodb(config.endpoint_url(port), requests)
        _say(f"warmed DynamoDB Local and its stream with {requests} requests in {seconds:.1f}s")
    return 0


def warm_requests() -> int:
    """SANDBOX_WARM_REQUESTS: requests of each tracker shape at start (0: no warm-up)."""
    raw = os.environ.get("SANDBOX_WARM_REQUESTS", "").strip()
    if not raw:
        return warm.DEFAULT_REQUESTS
    if not raw.isdigit():
        raise SandboxError(
            f"SANDBOX_WARM_REQUESTS must be a whole number, got {raw!r}",
            "unset it for the default warm-up, or set 0 to start without one",
        )
    return int(raw)


def cmd_down(paths: config.Paths) -> int:
    pid = process.read_pid(paths)
    if pid is None:
        _say("not running")
        return 0
    started = time.monotonic()
    killed = process.stop(paths)
    detail = f"; SIGKILLed {killed}" if killed else ""
    _say(f"stopped pid {pid} and its processes in {time.monotonic() - started:.1f}s{detail}")
    return 0


def cmd_status(paths: config.Paths, port: int) -> int:
    pid = process.read_pid(paths)
    state = process.health(port) if pid is not None else None
    report: dict[str, object] = {
        "running": pid is not None,
        "pid": pid,
        "healthy": state is not None,
        "endpoint": config.endpoint_url(port),
        "log": str(paths.log_file),
        "processes": [
            {"pid": p.pid, "command": p.command[:120]}
            for p in process.sandbox_processes(paths, pid)
        ],
        "download_attempts": process.download_attempts(paths),
    }
    if state is not None:
        services = state.get("services")
        if isinstance(services, dict):
            report["services_running"] = sorted(
                name for name, status in services.items() if status == "running"
            )
    print(json.dumps(report, indent=2))
    return 0 if pid is not None and state is not None else 1


def cmd_logs(paths: config.Paths, lines: int, follow: bool) -> int:
    if not follow:
        print(process.log_tail(paths, lines))
        return 0
    try:
        for line in process.follow(paths, lines):
            print(line, flush=True)
    except KeyboardInterrupt:
        return 0
    return 0


def cmd_env(port: int) -> int:
    for key, value in config.client_environment(port).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="provision (cached) and start LocalStack, wait until healthy")
    sub.add_parser("down", help="stop LocalStack and every process it started")
    sub.add_parser("status", help="print whether it runs, its processes and services (JSON)")
    logs = sub.add_parser("logs", help="print the LocalStack log")
    logs.add_argument("-n", type=int, default=100, help="lines from the end (default 100)")
    logs.add_argument("-f", action="store_true", help="follow the log")
    sub.add_parser("env", help="print export lines pointing AWS clients at the sandbox")
    sub.add_parser("provision", help="only provision the offline artifacts")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = config.Paths.from_env()
    try:
        port = config.sandbox_port()
        if args.command == "up":
            return cmd_up(paths, port)
        if args.command == "down":
            return cmd_down(paths)
        if args.command == "status":
            return cmd_status(paths, port)
        if args.command == "logs":
            return cmd_logs(paths, args.n, args.f)
        if args.command == "env":
            return cmd_env(port)
        provision.provision_all(paths)
    except SandboxError as exc:
        print(f"sandbox: error: {exc}", file=sys.stderr)
        return 1
    return 0
