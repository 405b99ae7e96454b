"""`make bench`: bring up the sandbox if needed, deploy bench/stack, measure, report.

Prints a human-readable table, writes reports/bench/bench-<time>.json, and prints the same
report as one JSON line as its very last line. Benchmarks report; they never fail on speed
(the exit status is non-zero only when the bench itself could not run).

Settings (environment): SANDBOX_PORT / SANDBOX_STATE_DIR (the sandbox), BENCH_QUICK=1 (fewer
calls, for a smoke run), BENCH_KEEP=1 (leave the stack deployed), BENCH_SWEEP=1 (also
sweep the mapping settings: batch 1, window 1 s, parallelization 10).
"""

from __future__ import annotations

import json
import math
import os
import platform
import secrets
import shutil
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lambda_src"))  # the kit's contact_event (bench/firstinvoke.py)

from tests.integration.stack import Terraform  # noqa: E402

from bench import coldstart, firstinvoke, pipeline  # noqa: E402
from tracker_sandbox.control import Sandbox  # noqa: E402

STACK = ROOT / "bench" / "stack"
REPORTS = ROOT / "reports" / "bench"
WORK = REPORTS / "terraform"  # TF_DATA_DIR and state: git-ignored (reports/)
QUICK = os.environ.get("BENCH_QUICK") == "1"
SWEEP = os.environ.get("BENCH_SWEEP") == "1"
#: The module's default mapping settings, and the alternative measured against them.
DEFAULT_MAPPING = {"batch_size": 100, "window": 0, "parallelization": 1}
PARALLEL_MAPPING = {"batch_size": 100, "window": 0, "parallelization": 10}


class LoadSampler:
    """1-minute load average and whole-machine CPU busy share, sampled every 5 s."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _cpu() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _run(self) -> None:
        busy0, total0 = self._cpu()
        while not self._stop.wait(5):
            busy1, total1 = self._cpu()
            share = (busy1 - busy0) / max(total1 - total0, 1)
            self.samples.append((os.getloadavg()[0], share))
            busy0, total0 = busy1, total1

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        loads = [load for load, _ in self.samples] or [os.getloadavg()[0]]
        busy = [share for _, share in self.samples] or [0.0]
        return {
            "cores": os.cpu_count(),
            "loadavg_1m_min": round(min(loads), 2),
            "loadavg_1m_median": round(sorted(loads)[len(loads) // 2], 2),
            "loadavg_1m_max": round(max(loads), 2),
            "cpu_busy_share_median": round(sorted(busy)[len(busy) // 2], 2),
            "samples": len(self.samples),
        }


def build_floor(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("floor.py", (1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o100644 << 16
        archive.writestr(info, (ROOT / "bench" / "floor" / "floor.py").read_bytes())


def deploy(endpoint: str) -> tuple[Terraform, dict[str, Any]]:
    WORK.mkdir(parents=True, exist_ok=True)
    floor_zip = STACK / "builds" / "floor.zip"
    build_floor(floor_zip)
    name_file = WORK / "name"
    if not name_file.exists():
        name_file.write_text(f"bench-{secrets.token_hex(3)}")
    terraform = Terraform(
        STACK,
        WORK,
        {
            "endpoint": endpoint,
            "name": name_file.read_text().strip(),
            "floor_package_path": str(floor_zip),
        },
    )
    terraform.init()
    terraform.apply()
    return terraform, terraform.outputs()


def first_invoke(stack: pipeline.Stack, repeats: int) -> dict[str, Any]:
    """INIT and first checker invoke with boto3 imported eagerly (shipped) or lazily."""
    request_id, _ = stack.submit(f"bench-first-invoke-{secrets.token_hex(4)}", 0)
    stack.wait_terminal([request_id], 60)
    return firstinvoke.measure(
        STACK / stack.tracker["lambda_package_path"],
        stack.endpoint,
        stack.table,
        request_id,
        repeats,
    )


def table(report: dict[str, Any]) -> str:
    """The human-readable summary."""
    rows: list[tuple[str, str, str, str]] = []
    c = report["checker"]
    rows += [
        (
            "1 checker duration p50 / p99",
            f"{c['checker_duration']['p50_ms']:.1f} / {c['checker_duration']['p99_ms']:.1f} ms",
            f"GetItem {c['getitem_round_trip']['p50_ms']:.1f} / "
            f"{c['getitem_round_trip']['p99_ms']:.1f} ms",
            f"x{c['checker_vs_getitem_p50']} / x{c['checker_vs_getitem_p99']} (<= 1.2)",
        ),
        (
            "1 checker invoke round trip p50 / p99",
            f"{c['checker_round_trip']['p50_ms']:.1f} / {c['checker_round_trip']['p99_ms']:.1f} ms",
            "same GetItem",
            f"x{c['checker_round_trip_vs_getitem_p50']} / "
            f"x{c['checker_round_trip_vs_getitem_p99']}",
        ),
    ]
    for label, o in report["completion_ab"].items():
        rows.append(
            (
                f"2 completion overhead (W={o['work_seconds']:g}s) {label} p50 / p99",
                f"{o['completion_overhead']['p50_ms']:.0f} / "
                f"{o['completion_overhead']['p99_ms']:.0f} ms",
                f"floor {o['floor_trigger_latency']['p50_ms']:.0f} / "
                f"{o['floor_trigger_latency']['p99_ms']:.0f} ms",
                f"x{o['completion_overhead_vs_floor_p50']} / "
                f"x{o['completion_overhead_vs_floor_p99']} (<= 1.2)",
            )
        )
    h = report["head_of_line"]
    rows.append(
        (
            "2c fast (1 s) completion p99, 10% of requests 30 s",
            f"{h['with_10_percent_slow']['fast_completion']['p99_ms']:.0f} ms",
            f"none slow {h['without_slow']['fast_completion']['p99_ms']:.0f} ms",
            f"x{h['hol_fast_p99_ratio']} (<= 1.2)",
        )
    )
    s = report["coldstart"]
    for name, entry in s["handlers"].items():
        rows.append(
            (
                f"3 import {name} (median of {s['repeats']})",
                f"{entry['ours']['median_ms']:.0f} ms",
                f"Powertools {entry['powertools']['median_ms']:.0f} ms",
                f"x{entry['import_vs_powertools']} (<= 0.2)",
            )
        )
    rows.append(
        (
            "3 boto3 alone",
            f"{s['boto3_alone']['median_ms']:.0f} ms",
            "",
            "",
        )
    )
    f = report["first_invoke"]
    for name in ("eager", "eager_no_prewarm", "lazy"):
        entry = f[name]
        rows.append(
            (
                f"3 boto3 {name}: INIT + first invoke (median of {f['repeats']})",
                f"{entry['init_ms']:.0f} + {entry['first_invoke_ms']:.0f} = "
                f"{entry['init_plus_first_ms']:.0f} ms",
                f"second invoke {entry['second_invoke_ms']:.0f} ms",
                f"first invoke x{entry.get('first_invoke_vs_eager', 1)}, "
                f"sum x{entry.get('init_plus_first_vs_eager', 1)} vs eager",
            )
        )
    rows.append(("3 zip (our code only)", f"{s['zip_bytes']:,} B", "", "(<= 20,480 B)"))
    for size, entry in report["throughput"]["batch_sizes"].items():
        last = entry["steps"][-1]
        rows.append(
            (
                f"4 throughput knee, batch {size}",
                f"{entry['knee_per_s']:g} req/s"
                if entry["knee_per_s"]
                else f"none (sandbox ceiling ~{entry['emulator_ceiling_per_s']:g}/s)",
                f"next step {last['rate_per_s']:g}/s: "
                + ("passed" if last["passed"] else last.get("failed_because", "failed")),
                f"zero loss, p99 <= {report['throughput']['bound_seconds']:g} s",
            )
        )
    contacts = [("par 1", row) for row in report["per_contact"]["contacts"]] + [
        ("par 10", row) for row in report["per_contact_parallelization_10"]["contacts"]
    ]
    for label, row in contacts:
        rows.append(
            (
                f"5 contact {row['channel']} W={row['work_seconds']:g}s {label}",
                ("thanked, " if row["success"] else "NOT thanked, ")
                + f"{row['invocations']:g} invocations "
                f"(w{row['writer_calls']} c{row['checker_calls']} "
                f"p{row['processor_invocations']:g} k{row['worker_invocations']:g})"
                f", {row['dynamodb_write_units']} WRU {row['dynamodb_read_units']:g} RRU",
                f"${row['usd_per_1000_contacts']:.4f}/1k contacts; native async "
                + (
                    f"${row['native_async_usd_per_1000_contacts']:.4f}"
                    if row["native_async_usd_per_1000_contacts"] is not None
                    else "n/a (W > 60 s)"
                ),
                "heard after complete "
                + (
                    f"{row['wait_after_complete_seconds']:.2f} s"
                    if row["wait_after_complete_seconds"] is not None
                    else "n/a"
                ),
            )
        )
    caller = report["per_contact"]["caller"]
    for name, value in caller.items():
        if name.startswith("caller_greeting_"):
            target = "the greeting's speaking time"
        elif name.startswith("caller_results_during_prompt_"):
            rows.append((f"5 {name}", f"{value:g}", "", "results ready while one played"))
            continue
        elif "wait_beyond_prompt" in name:
            target = "the pacing's share; target <= " + (
                "0.5 s" if name.endswith("_p50") else "1.0 s"
            )
        elif "wait_after" in name:
            target = "target <= 0.5 s" if name.endswith("_p50") else "target <= 1.0 s"
        elif name == "caller_time_to_result_voice_p50":
            limit = caller.get("caller_greeting_voice_p50", math.nan) + 1.0
            met = "met" if value <= limit else "not met"
            target = f"target <= greeting + 1 s = {limit:.2f} s: {met}"
        else:
            target = "no target"
        rows.append((f"5 {name}", f"{value:.2f} s", "", target))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("measure", "ours", "side by side", "ratio / target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    load = report["machine"]
    return "\n".join(
        [
            line(header),
            "-+-".join("-" * w for w in widths),
            *(line(r) for r in rows),
            "",
            f"machine: {load['cores']} cores, 1-min load {load['loadavg_1m_min']}-"
            f"{load['loadavg_1m_max']} (median {load['loadavg_1m_median']}), "
            f"CPU busy {load['cpu_busy_share_median']:.0%} (median of {load['samples']} samples)",
        ]
    )


def main() -> int:
    began = time.time()
    sandbox = Sandbox()
    started = sandbox.ensure_up()
    endpoint = sandbox.endpoint
    pipeline.say(f"{'started' if started else 'reusing'} the sandbox at {endpoint}")
    os.environ.update(sandbox.client_environment())
    if started and (WORK / "terraform.tfstate").exists():
        # a fresh sandbox holds none of the old resources: start from an empty state
        shutil.rmtree(WORK)
    terraform = None
    try:
        with LoadSampler() as load:
            terraform, outputs = pipeline.timed("deploy bench/stack", lambda: deploy(endpoint))
            stack = pipeline.Stack(endpoint, outputs["tracker"], outputs["floor"])
            stack.tracker["consistent_read"] = True
            pipeline.timed("prime the stream pipeline", stack.prime)
            report: dict[str, Any] = {
                "bench": "connect-async-tracker",
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
                "quick": QUICK,
                "python": platform.python_version(),
            }
            report["coldstart"] = pipeline.timed(
                "3 cold start and size",
                lambda: coldstart.measure(
                    STACK / stack.tracker["lambda_package_path"], 6 if QUICK else 20
                ),
            )
            report["first_invoke"] = pipeline.timed(
                "3b lazy vs eager boto3: INIT and first invoke",
                lambda: first_invoke(stack, 4 if QUICK else 12),
            )
            report["checker"] = pipeline.timed(
                "1 checker cost", lambda: pipeline.checker_cost(stack, 100 if QUICK else 500)
            )
            report["completion_ab"] = pipeline.timed(
                "2 completion overhead, parallelization 1 (default) and 10, A B B A",
                lambda: pipeline.completion_ab(
                    stack,
                    {"parallelization_1": DEFAULT_MAPPING, "parallelization_10": PARALLEL_MAPPING},
                    30 if QUICK else 100,
                    1.0,
                    4.0,
                ),
            )
            report["completion"] = report["completion_ab"]["parallelization_1"]
            stack.set_mappings(**DEFAULT_MAPPING)
            report["head_of_line"] = pipeline.timed(
                "2c head-of-line blocking: 1 s requests with and without 10% of 30 s ones",
                lambda: pipeline.head_of_line(stack, 20 if QUICK else 60, 2.0),
            )
            if SWEEP:
                report["polling_sweep"] = pipeline.timed(
                    "2b mapping settings sweep",
                    lambda: pipeline.polling_sweep(
                        stack,
                        [
                            {"batch_size": 10, "window": 0, "parallelization": 1},
                            {"batch_size": 1, "window": 0, "parallelization": 1},
                            {"batch_size": 10, "window": 1, "parallelization": 1},
                            {"batch_size": 10, "window": 0, "parallelization": 10},
                        ],
                        10 if QUICK else 24,
                        1.0,
                        4.0,
                    ),
                )
            report["throughput"] = pipeline.timed(
                "4 throughput",
                lambda: pipeline.throughput(
                    stack,
                    [1, 10, 100],
                    [1, 5] if QUICK else [1, 2, 5, 10, 20, 40],
                    6 if QUICK else 8,
                    10.0,
                ),
            )
            works = pipeline.CALLER_WORK_SECONDS[:2] if QUICK else pipeline.CALLER_WORK_SECONDS
            cases = [(channel, work) for channel in pipeline.CHANNELS for work in works]
            flow = terraform.outputs()["tracker"]["contact_flow_content"]
            report["per_contact"] = pipeline.timed(
                "5 caller experience, per-contact cost (parallelization 1, the default)",
                lambda: pipeline.per_contact(stack, cases, flow, consistent_read=True),
            )
            stack.set_mappings(**PARALLEL_MAPPING)
            report["per_contact_parallelization_10"] = pipeline.timed(
                "5 per-contact cost (parallelization 10)",
                lambda: pipeline.per_contact(stack, cases, flow, consistent_read=True),
            )
            stack.set_mappings(**DEFAULT_MAPPING)
        report["machine"] = load.summary()
        report["seconds"] = round(time.time() - began, 1)
        report["summary"] = {
            "checker_vs_getitem_p50": report["checker"]["checker_vs_getitem_p50"],
            "checker_vs_getitem_p99": report["checker"]["checker_vs_getitem_p99"],
            "completion_overhead_vs_floor_p50": report["completion"][
                "completion_overhead_vs_floor_p50"
            ],
            "completion_overhead_vs_floor_p99": report["completion"][
                "completion_overhead_vs_floor_p99"
            ],
            "completion_overhead_vs_floor_p50_parallelization_10": report["completion_ab"][
                "parallelization_10"
            ]["completion_overhead_vs_floor_p50"],
            "completion_overhead_vs_floor_p99_parallelization_10": report["completion_ab"][
                "parallelization_10"
            ]["completion_overhead_vs_floor_p99"],
            "hol_fast_p99_ratio": report["head_of_line"]["hol_fast_p99_ratio"],
            "import_vs_powertools": report["coldstart"]["import_vs_powertools"],
            "cold_init_plus_first_invoke_ms": {
                name: report["first_invoke"][name]["init_plus_first_ms"]
                for name in ("eager", "eager_no_prewarm", "lazy")
            },
            "zip_bytes": report["coldstart"]["zip_bytes"],
            "throughput_knee_per_s": {
                size: entry["knee_per_s"]
                for size, entry in report["throughput"]["batch_sizes"].items()
            },
            **report["per_contact"]["caller"],
            "invocations_per_contact": {
                f"{r['channel']}_W{r['work_seconds']:g}": r["invocations"]
                for r in report["per_contact"]["contacts"]
            },
            "invocations_per_contact_parallelization_10": {
                f"{r['channel']}_W{r['work_seconds']:g}": r["invocations"]
                for r in report["per_contact_parallelization_10"]["contacts"]
            },
            "usd_per_1000_contacts": {
                f"{r['channel']}_W{r['work_seconds']:g}": r["usd_per_1000_contacts"]
                for r in report["per_contact"]["contacts"]
            },
            "native_async_usd_per_1000_contacts": {
                f"{r['channel']}_W{r['work_seconds']:g}": r["native_async_usd_per_1000_contacts"]
                for r in report["per_contact"]["contacts"]
            },
        }
        REPORTS.mkdir(parents=True, exist_ok=True)
        path = REPORTS / f"bench-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(began))}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        print(table(report))
        print(f"\nreport: {path.relative_to(ROOT)}", flush=True)
    finally:
        if terraform is not None and os.environ.get("BENCH_KEEP") != "1":
            pipeline.timed("destroy bench/stack", terraform.destroy)
        if started:
            sandbox.down()
            pipeline.say("stopped the sandbox it started")
    print(json.dumps(report, separators=(",", ":")), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
