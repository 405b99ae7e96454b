"""The platform lines Lambda writes around each invocation (START, END, REPORT ...).

Text format matches Lambda's tab-separated lines. With ``LogFormat=JSON`` Lambda writes
platform records instead (``platform.initStart``, ``platform.start``, ``platform.report``;
there is no JSON form of END), and drops them when ``SystemLogLevel`` is above INFO.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class Status(StrEnum):
    """Outcome of an invocation as platform.report names it."""

    SUCCESS = "success"
    ERROR = "error"  # the function returned an error
    FAILURE = "failure"  # the runtime process died
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    status: Status
    error_type: str | None = None

    @property
    def billed_duration_ms(self) -> int:
        # Lambda bills in 1 ms steps and, since August 2025, bills the INIT phase too.
        return math.ceil(self.duration_ms + (self.init_duration_ms or 0.0))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class PlatformLog:
    def __init__(self, *, json_format: bool, system_level: str, version: str) -> None:
        self.json_format = json_format
        self.quiet = json_format and system_level.upper() in {"WARN", "ERROR", "FATAL"}
        self.version = version

    def _record(self, kind: str, record: dict[str, object]) -> str:
        if self.quiet:
            return ""
        return json.dumps({"time": _now(), "type": kind, "record": record}) + "\n"

    def init_start(self, runtime: str, function_name: str) -> str:
        runtime_version = f"{runtime.replace('python', 'python:')}.sandbox"
        if self.json_format:
            return self._record(
                "platform.initStart",
                {
                    "initializationType": "on-demand",
                    "phase": "init",
                    "runtimeVersion": runtime_version,
                    "functionName": function_name,
                    "functionVersion": self.version,
                },
            )
        return f"INIT_START Runtime Version: {runtime_version}\n"

    def start(self, request_id: str) -> str:
        if self.json_format:
            return self._record(
                "platform.start", {"requestId": request_id, "version": self.version}
            )
        return f"START RequestId: {request_id} Version: {self.version}\n"

    def timed_out(self, request_id: str, timeout_s: float) -> str:
        # Lambda writes this one as plain text in both formats.
        return f"{_now()} {request_id} Task timed out after {timeout_s:.2f} seconds\n"

    def runtime_exited(self, request_id: str, detail: str) -> str:
        return f"RequestId: {request_id} Error: Runtime exited with error: {detail}\nRuntime.ExitError\n"

    def end_and_report(self, report: Report) -> str:
        if self.json_format:
            metrics: dict[str, object] = {
                "durationMs": round(report.duration_ms, 2),
                "billedDurationMs": report.billed_duration_ms,
                "memorySizeMB": report.memory_size_mb,
                "maxMemoryUsedMB": report.max_memory_used_mb,
            }
            if report.init_duration_ms is not None:
                metrics["initDurationMs"] = round(report.init_duration_ms, 2)
            record: dict[str, object] = {
                "requestId": report.request_id,
                "metrics": metrics,
                "status": str(report.status),
            }
            if report.error_type:
                record["errorType"] = report.error_type
            return self._record("platform.report", record)
        fields = [
            f"REPORT RequestId: {report.request_id}",
            f"Duration: {report.duration_ms:.2f} ms",
            f"Billed Duration: {report.billed_duration_ms} ms",
            f"Memory Size: {report.memory_size_mb} MB",
            f"Max Memory Used: {report.max_memory_used_mb} MB",
        ]
        if report.init_duration_ms is not None:
            fields.append(f"Init Duration: {report.init_duration_ms:.2f} ms")
        if report.status is Status.TIMEOUT:
            fields.append("Status: timeout")
        elif report.status is Status.FAILURE:
            fields.append("Status: error")
            if report.error_type:
                fields.append(f"Error Type: {report.error_type}")
        return f"END RequestId: {report.request_id}\n" + "\t".join(fields) + "\t\n"
