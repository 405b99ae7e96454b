"""The deployed stack under load: checker cost, completion overhead, throughput, per contact.

Every ratio is taken against a floor measured in the same run, interleaved where possible,
because the machine is shared and absolute numbers move with its load.
"""

from __future__ import annotations

import base64
import json
import math
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda_src"))

from connect_tracker.testing import contact_event  # noqa: E402
from tracker_sandbox.flows import ContactData, SimulationOptions, simulate_contact  # noqa: E402
from tracker_sandbox.flows.aws import Boto3LambdaInvoker  # noqa: E402

TERMINAL = {"COMPLETE", "FAILED", "TIMED_OUT"}


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def dist(values: Sequence[float], scale: float = 1000.0) -> dict[str, float | int]:
    """p50/p90/p99/mean in milliseconds (values in seconds unless scale=1)."""
    return {
        "n": len(values),
        "p50_ms": round(pct(values, 50) * scale, 2),
        "p90_ms": round(pct(values, 90) * scale, 2),
        "p99_ms": round(pct(values, 99) * scale, 2),
        "mean_ms": round(statistics.fmean(values) * scale, 2) if values else math.nan,
    }


@dataclass
class Stack:
    endpoint: str
    tracker: dict[str, Any]
    floor: dict[str, Any]
    session: boto3.Session = field(init=False)
    _clients: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.session = boto3.Session(
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106 - the sandbox's fake credentials
            region_name="us-east-1",
        )

    def client(self, service: str) -> Any:  # noqa: ANN401
        if service not in self._clients:
            self._clients[service] = self.session.client(  # type: ignore[call-overload]
                service,
                endpoint_url=self.endpoint,
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"},
                    read_timeout=120,
                    max_pool_connections=64,
                ),
            )
        return self._clients[service]

    @property
    def table(self) -> str:
        return str(self.tracker["table_name"])

    def invoke(self, function: str, event: Mapping[str, Any]) -> dict[str, Any]:
        answer = self.client("lambda").invoke(
            FunctionName=self.tracker[f"{function}_function_name"],
            Payload=json.dumps(event).encode(),
        )
        payload = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            raise RuntimeError(f"{function} failed: {payload}")
        return payload  # type: ignore[no-any-return]

    def submit(self, contact_id: str, delay: float) -> tuple[str, float]:
        """Writer invocation; its RequestId and the wall time it returned at."""
        answer = self.invoke(
            "writer",
            contact_event(
                contact_id, {"TaskName": "simulated_backend", "DelaySeconds": f"{delay:g}"}
            ),
        )
        return answer["RequestId"], time.time()

    def items(self, request_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The tracker items of these requests (BatchGetItem, strongly consistent)."""
        ids = list(dict.fromkeys(request_ids))
        found: dict[str, dict[str, Any]] = {}
        dynamodb = self.client("dynamodb")
        for start in range(0, len(ids), 100):
            keys: list[dict[str, Any]] = [
                {"RequestId": {"S": rid}} for rid in ids[start : start + 100]
            ]
            request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                answer = dynamodb.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self.table, []):
                    found[item["RequestId"]["S"]] = item
                request = answer.get("UnprocessedKeys") or {}
        return found

    def wait_terminal(
        self, request_ids: Sequence[str], timeout: float
    ) -> tuple[dict[str, dict[str, Any]], bool]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.items(request_ids)
            done = {rid: item for rid, item in found.items() if item["Status"]["S"] in TERMINAL}
            if len(done) == len(set(request_ids)):
                return done, True
            if time.monotonic() > deadline:
                return done, False
            time.sleep(0.5)

    # -- logs ------------------------------------------------------------------------------

    def log_events(self, group: str, since: float) -> list[str]:
        logs = self.client("logs")
        messages: list[str] = []
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": int(since * 1000) - 1000}
        while True:
            answer = logs.filter_log_events(**kwargs)
            messages.extend(event["message"] for event in answer.get("events", []))
            token = answer.get("nextToken")
            if not token or token == kwargs.get("nextToken"):
                return messages
            kwargs["nextToken"] = token

    def reports(self, function: str, since: float) -> list[dict[str, Any]]:
        """platform.report records (JSON log format) of a module function since ``since``."""
        group = self.tracker["log_group_names"][function]
        found = []
        for message in self.log_events(group, since):
            for line in message.splitlines():
                if '"platform.report"' not in line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("type") == "platform.report":
                    found.append(record["record"])
        return found

    def checker_reads(self, since: float) -> dict[str, int]:
        """RequestId -> how often the checker read it since ``since``: the ``reads`` its
        ``check.answered`` log lines count (a waiting checker reads every 0.5 s)."""
        reads: dict[str, int] = {}
        for message in self.log_events(self.tracker["log_group_names"]["checker"], since):
            for line in message.splitlines():
                if '"check.answered"' not in line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                request_id = record.get("request_id")
                if record.get("message") == "check.answered" and isinstance(request_id, str):
                    reads[request_id] = reads.get(request_id, 0) + int(record.get("reads", 1))
        return reads

    def settled_reports(
        self, function: str, since: float, at_least: int, timeout: float = 30
    ) -> list[dict[str, Any]]:
        """Wait until the log group holds ``at_least`` reports (logs land asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.reports(function, since)
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(1)

    def floor_receipts(self, since: float) -> dict[str, float]:
        """RequestId -> when the floor function received its record."""
        receipts: dict[str, float] = {}
        for message in self.log_events(self.floor["log_group"], since):
            for line in message.splitlines():
                start = line.find('{"bench_floor"')
                if start < 0:
                    continue
                record = json.loads(line[start:])
                for request_id, _created in record["records"]:
                    receipts.setdefault(request_id, float(record["bench_floor"]))
        return receipts

    # -- event source mappings ---------------------------------------------------------------

    def set_mappings(self, **settings: int) -> None:
        """Apply the same batching settings to the processor's and the floor's mappings."""
        lam = self.client("lambda")
        for uuid_ in (self.tracker["mapping_uuid"], self.floor["mapping_uuid"]):
            lam.update_event_source_mapping(
                UUID=uuid_,
                **{_MAPPING_KEYS[key]: value for key, value in settings.items()},
            )
        for uuid_ in (self.tracker["mapping_uuid"], self.floor["mapping_uuid"]):
            deadline = time.monotonic() + 60
            while lam.get_event_source_mapping(UUID=uuid_)["State"] != "Enabled":
                if time.monotonic() > deadline:
                    raise TimeoutError(f"mapping {uuid_} did not come back Enabled")
                time.sleep(0.5)
        self.prime()

    def prime(self, timeout: float = 90) -> None:
        """Submit until one request completes and reaches the floor: both pollers run."""
        since = time.time()
        deadline = time.monotonic() + timeout
        submitted: list[str] = []
        while time.monotonic() < deadline:
            request_id, _ = self.submit(f"prime-{uuid.uuid4()}", 0)
            submitted.append(request_id)
            time.sleep(1.5)
            done = [
                rid
                for rid, item in self.items(submitted).items()
                if item["Status"]["S"] in TERMINAL
            ]
            receipts = self.floor_receipts(since)
            if done and any(rid in receipts for rid in done):
                return
        raise TimeoutError("the stream pipeline did not start delivering")


_MAPPING_KEYS = {
    "batch_size": "BatchSize",
    "window": "MaximumBatchingWindowInSeconds",
    "parallelization": "ParallelizationFactor",
}


# -- 1. checker cost -----------------------------------------------------------------------


def checker_cost(stack: Stack, calls: int) -> dict[str, Any]:
    """Checker invocations and raw GetItems of the same item, interleaved call by call."""
    contact = f"bench-checker-{uuid.uuid4()}"
    request_id, _ = stack.submit(contact, 0)
    stack.wait_terminal([request_id], 60)
    # polled by its own contact: the checker answers only the chain that made the request
    event = contact_event(contact, {"RequestId": request_id})
    dynamodb, lam = stack.client("dynamodb"), stack.client("lambda")
    payload = json.dumps(event).encode()
    consistent = stack.tracker.get("consistent_read", True)

    def get_item() -> float:
        began = time.perf_counter()
        dynamodb.get_item(
            TableName=stack.table,
            Key={"RequestId": {"S": request_id}},
            ConsistentRead=consistent,
        )
        return time.perf_counter() - began

    def invoke() -> float:
        began = time.perf_counter()
        answer = lam.invoke(FunctionName=stack.tracker["checker_function_name"], Payload=payload)
        answer["Payload"].read()
        return time.perf_counter() - began

    for _ in range(10):  # warm both paths (environment, connections) before measuring
        invoke()
        get_item()
    since = time.time()
    rtt: list[float] = []
    getitem: list[float] = []
    for index in range(calls):
        if index % 2:
            getitem.append(get_item())
            rtt.append(invoke())
        else:
            rtt.append(invoke())
            getitem.append(get_item())
    reports = stack.settled_reports("checker", since, calls)
    durations = [r["metrics"]["durationMs"] / 1000 for r in reports]
    result = {
        "calls": calls,
        "checker_duration": dist(durations),
        "checker_round_trip": dist(rtt),
        "getitem_round_trip": dist(getitem),
        "reports_found": len(reports),
    }
    for q in (50, 99):
        result[f"checker_vs_getitem_p{q}"] = round(pct(durations, q) / pct(getitem, q), 3)
        result[f"checker_round_trip_vs_getitem_p{q}"] = round(pct(rtt, q) / pct(getitem, q), 3)
    return result


# -- 2. completion overhead ----------------------------------------------------------------


def _completion_samples(
    stack: Stack, requests: int, work_seconds: float, rate: float
) -> dict[str, Any]:
    """Raw samples of one run: requests of fixed work W at a steady rate."""
    since = time.time()
    returned: dict[str, float] = {}
    lock = threading.Lock()

    def one(index: int) -> None:
        request_id, at = stack.submit(f"bench-overhead-{index}-{uuid.uuid4()}", work_seconds)
        with lock:
            returned[request_id] = at

    with ThreadPoolExecutor(max_workers=8) as pool:
        began = time.monotonic()
        futures = []
        for index in range(requests):
            pause = began + index / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(one, index))
        for future in futures:
            future.result()
    done, complete = stack.wait_terminal(list(returned), 120 + work_seconds)
    time.sleep(2)  # the floor's log lines land asynchronously
    receipts = stack.floor_receipts(since)
    samples: dict[str, Any] = {
        "requests": requests,
        "complete": complete and len(done) == requests,
        "overhead": [],
        "floor": [],
        "claim": [],
        "write_to_complete": [],
    }
    for request_id, at in returned.items():
        item = done.get(request_id)
        if item is None or item["Status"]["S"] != "COMPLETE" or request_id not in receipts:
            continue
        completed = float(item["CompletedAt"]["N"])
        samples["overhead"].append(completed - at - work_seconds)
        samples["floor"].append(receipts[request_id] - at)
        samples["claim"].append(float(item["ClaimedAt"]["N"]) - at)
        samples["write_to_complete"].append(
            completed - float(item["ClaimedAt"]["N"]) - work_seconds
        )
    return samples


def _completion_summary(
    runs: Sequence[Mapping[str, Any]], work_seconds: float, rate: float
) -> dict[str, Any]:
    def merged(key: str) -> list[float]:
        return [value for run in runs for value in run[key]]

    overhead, floor = merged("overhead"), merged("floor")
    requests = sum(run["requests"] for run in runs)
    result: dict[str, Any] = {
        "requests": requests,
        "work_seconds": work_seconds,
        "rate_per_s": rate,
        "measured": len(overhead),
        "all_complete": all(run["complete"] for run in runs),
        "completion_overhead": dist(overhead),
        "floor_trigger_latency": dist(floor),
        "processor_trigger_latency": dist(merged("claim")),
        "claim_to_complete_minus_w": dist(merged("write_to_complete")),
    }
    for q in (50, 99):
        result[f"completion_overhead_vs_floor_p{q}"] = round(pct(overhead, q) / pct(floor, q), 3)
    return result


def completion_overhead(
    stack: Stack, requests: int, work_seconds: float, rate: float
) -> dict[str, Any]:
    """Requests of fixed work W at a steady rate; (CompletedAt - writer return - W) against
    the floor function's (receipt - writer return) for the very same stream records."""
    runs = [_completion_samples(stack, requests, work_seconds, rate)]
    return _completion_summary(runs, work_seconds, rate)


def completion_ab(
    stack: Stack,
    settings: Mapping[str, Mapping[str, int]],
    requests: int,
    work_seconds: float,
    rate: float,
) -> dict[str, Any]:
    """The completion overhead under two mapping settings in one run, A B B A (half the
    requests per leg), so load drift on the shared machine hits both alike.

    A warm-up leg at the same rate and work comes first and is not counted: the prime
    warms one worker, and a steady 4/s of 1 s work keeps about five busy, so without it
    the first leg alone pays the cold starts of the rest (measured separately, step 3).
    Each leg's p50 / p90 is reported beside the merged figures, so drift stays visible.
    """
    (name_a, a), (name_b, b) = list(settings.items())
    half = max(requests // 2, 1)
    stack.set_mappings(**a)
    warm_up = _completion_samples(stack, half, work_seconds, rate)
    say(f"  warm-up {a}: {len(warm_up['overhead'])} measured, not counted")
    runs: dict[str, list[dict[str, Any]]] = {name_a: [], name_b: []}
    for name, setting in ((name_a, a), (name_b, b), (name_b, b), (name_a, a)):
        stack.set_mappings(**setting)
        runs[name].append(_completion_samples(stack, half, work_seconds, rate))
        say(f"  {name} {setting}: {len(runs[name][-1]['overhead'])} measured")
    out: dict[str, Any] = {}
    for name, setting in ((name_a, a), (name_b, b)):
        out[name] = {
            "mapping": dict(setting),
            **_completion_summary(runs[name], work_seconds, rate),
            "legs": [_leg(run) for run in runs[name]],
        }
    out[name_a]["warm_up"] = _leg(warm_up)
    return out


def _leg(run: Mapping[str, Any]) -> dict[str, Any]:
    """One leg's own figures: its overhead and floor distributions (``dist``, in ms)."""
    return {"overhead": dist(run["overhead"]), "floor": dist(run["floor"])}


def head_of_line(
    stack: Stack, requests: int, rate: float, fast_seconds: float = 1.0, slow_seconds: float = 30.0
) -> dict[str, Any]:
    """Head-of-line blocking: the completion p99 of fast (1 s) requests while every tenth
    request takes 30 s, against the same p99 in a run with no slow requests (same rate, same
    number of fast requests, one after the other in this run)."""

    def run(slow_every: int) -> dict[str, Any]:
        returned: dict[str, tuple[float, float]] = {}
        lock = threading.Lock()

        def one(index: int) -> None:
            slow = slow_every and index % slow_every == slow_every - 1
            work = slow_seconds if slow else fast_seconds
            request_id, at = stack.submit(f"bench-hol-{index}-{uuid.uuid4()}", work)
            with lock:
                returned[request_id] = (at, work)

        with ThreadPoolExecutor(max_workers=8) as pool:
            began = time.monotonic()
            futures = []
            for index in range(requests):
                pause = began + index / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                futures.append(pool.submit(one, index))
            for future in futures:
                future.result()
        done, complete = stack.wait_terminal(list(returned), 120 + slow_seconds)
        fast = [
            float(done[rid]["CompletedAt"]["N"]) - at
            for rid, (at, work) in returned.items()
            if work == fast_seconds and rid in done and done[rid]["Status"]["S"] == "COMPLETE"
        ]
        return {
            "requests": requests,
            "slow_requests": sum(work != fast_seconds for _, work in returned.values()),
            "all_complete": complete,
            "fast_measured": len(fast),
            "fast_completion": dist(fast),
            "_fast": fast,
        }

    clean = run(0)
    say(f"  no slow requests: fast p99 {clean['fast_completion']['p99_ms']:.0f} ms")
    mixed = run(10)
    say(f"  10% slow requests: fast p99 {mixed['fast_completion']['p99_ms']:.0f} ms")
    ratio = round(pct(mixed.pop("_fast"), 99) / pct(clean.pop("_fast"), 99), 3)
    return {
        "fast_seconds": fast_seconds,
        "slow_seconds": slow_seconds,
        "rate_per_s": rate,
        "without_slow": clean,
        "with_10_percent_slow": mixed,
        "hol_fast_p99_ratio": ratio,
    }


def polling_sweep(
    stack: Stack,
    settings: Sequence[Mapping[str, int]],
    requests: int,
    work_seconds: float,
    rate: float,
) -> list[dict[str, Any]]:
    """Which mapping settings move the trigger latency and the overhead (short runs)."""
    rows = []
    for setting in settings:
        stack.set_mappings(**setting)
        measured = completion_overhead(stack, requests, work_seconds, rate)
        rows.append(
            {
                **setting,
                "floor_p50_ms": measured["floor_trigger_latency"]["p50_ms"],
                "floor_p99_ms": measured["floor_trigger_latency"]["p99_ms"],
                "processor_trigger_p50_ms": measured["processor_trigger_latency"]["p50_ms"],
                "completion_overhead_p50_ms": measured["completion_overhead"]["p50_ms"],
                "completion_overhead_p99_ms": measured["completion_overhead"]["p99_ms"],
                "completion_overhead_vs_floor_p50": measured["completion_overhead_vs_floor_p50"],
                "completion_overhead_vs_floor_p99": measured["completion_overhead_vs_floor_p99"],
            }
        )
        say(f"  sweep {setting}: {rows[-1]}")
    stack.set_mappings(batch_size=10, window=0, parallelization=1)
    return rows


# -- 4. throughput -------------------------------------------------------------------------

#: Stream records each request writes (W = 0, no lease renewal): the request's and its ask's
#: INSERT, the claim's and the outcome's MODIFY. Only the first passes the mapping's filter.
RECORDS_PER_REQUEST = 4
#: LocalStack polls a shard again this long after the previous batch was handled
#: (LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC, 1 s by default), reading at most
#: batch_size records per poll (GetRecords Limit=BatchSize, before filtering: a TODO in its
#: stream_poller.py says so).
EMULATOR_POLL_SECONDS = 1.0


def emulator_ceiling(batch_size: int) -> float:
    """Requests a second one shard can deliver on the sandbox at ``batch_size``."""
    return batch_size / RECORDS_PER_REQUEST / EMULATOR_POLL_SECONDS


def why_failed(step: dict[str, Any], bound_seconds: float) -> str:
    """What made a throughput step fail, in words."""
    reasons = []
    if step["offered_per_s"] < 0.9 * step["rate_per_s"]:
        reasons.append(f"the submitter offered only {step['offered_per_s']:g}/s")
    if step["incomplete"]:
        reasons.append(f"{step['incomplete']} of {step['requests']} not COMPLETE in time")
    p99 = step["completion"].get("p99_ms", 0.0) / 1000
    if p99 > bound_seconds:
        reasons.append(f"p99 {p99:.1f} s over the {bound_seconds:g} s bound")
    return "; ".join(reasons) or "not every request reached a terminal status"


def throughput(
    stack: Stack,
    batch_sizes: Sequence[int],
    rates: Sequence[float],
    step_seconds: float,
    bound_seconds: float,
) -> dict[str, Any]:
    """Requests (W = 0) submitted through the writer function (as a flow does) at a fixed
    rate for step_seconds; a rate passes when every request completes and the p99 of creation to
    completion stays within bound_seconds. The rate steps up until one fails.

    Each batch size reports its knee (the highest rate passed) and what failed at the next
    rate; with no rate passed, ``why_no_knee`` says why, against the emulator's ceiling for
    that batch size (``emulator_ceiling``)."""
    out: dict[str, Any] = {
        "through": "writer",
        "step_seconds": step_seconds,
        "bound_seconds": bound_seconds,
        "batch_sizes": {},
    }
    for batch_size in batch_sizes:
        stack.set_mappings(batch_size=batch_size, window=0, parallelization=1)
        steps = []
        knee = 0.0
        for rate in rates:
            total = int(rate * step_seconds)
            ids: list[str] = []
            lock = threading.Lock()

            def put(
                index: int,
                rate: float = rate,
                ids: list[str] = ids,
                lock: threading.Lock = lock,
            ) -> None:
                try:
                    request_id, _ = stack.submit(f"bench-rate-{rate:g}-{index}-{uuid.uuid4()}", 0)
                except Exception as error:  # noqa: BLE001 - a refused or failed submit counts
                    say(f"  writer failed at {rate:g}/s: {error}")
                    return
                with lock:
                    ids.append(request_id)

            with ThreadPoolExecutor(max_workers=16) as pool:
                began = time.monotonic()
                futures = []
                for index in range(total):
                    pause = began + index / rate - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                    futures.append(pool.submit(put, index))
                for future in futures:
                    future.result()
                offered = total / max(time.monotonic() - began, 1e-9)
            done, all_done = stack.wait_terminal(ids, bound_seconds + 10)
            latencies = [
                float(item["CompletedAt"]["N"]) - float(item["CreatedAt"]["N"])
                for item in done.values()
                if "CompletedAt" in item
            ]
            incomplete = total - sum(
                1 for item in done.values() if item["Status"]["S"] == "COMPLETE"
            )
            p99 = pct(latencies, 99)
            passed = all_done and incomplete == 0 and p99 <= bound_seconds and offered >= 0.9 * rate
            steps.append(
                {
                    "rate_per_s": rate,
                    "offered_per_s": round(offered, 1),
                    "requests": total,
                    "incomplete": incomplete,
                    "completion": dist(latencies),
                    "passed": passed,
                }
            )
            say(f"  batch {batch_size} rate {rate:g}/s: {steps[-1]}")
            if not passed:
                steps[-1]["failed_because"] = why_failed(steps[-1], bound_seconds)
                break
            knee = rate
        ceiling = emulator_ceiling(batch_size)
        entry: dict[str, Any] = {
            "knee_per_s": knee,
            "emulator_ceiling_per_s": ceiling,
            "steps": steps,
        }
        if not knee:
            entry["why_no_knee"] = (
                f"the lowest rate tried ({rates[0]:g}/s) failed: "
                f"{steps[0].get('failed_because', '')}; the sandbox's stream poller reads at "
                f"most {batch_size} record(s) per {EMULATOR_POLL_SECONDS:g} s poll, and each "
                f"request writes {RECORDS_PER_REQUEST} records, so batch size {batch_size} "
                f"carries at most about {ceiling:g} requests/s here"
            )
        out["batch_sizes"][str(batch_size)] = entry
    stack.set_mappings(batch_size=10, window=0, parallelization=1)
    return out


# -- 5. per-contact cost -------------------------------------------------------------------

#: Published on-demand prices, us-east-1, as known on 2024-11-01 (not re-checked: offline).
PRICES: dict[str, Any] = {
    "source": "aws.amazon.com/lambda/pricing and /dynamodb/pricing/on-demand, us-east-1, "
    "on-demand, as published on 2024-11-01 (DynamoDB after the 1 Nov 2024 price cut; "
    "not re-checked: the bench machine is offline)",
    "lambda_per_request": 0.20 / 1_000_000,
    "lambda_per_gb_second_x86": 0.0000166667,
    "dynamodb_per_write_request_unit": 0.625 / 1_000_000,
    "dynamodb_per_read_request_unit": 0.125 / 1_000_000,
    "dynamodb_before_nov_2024": {"write": 1.25 / 1_000_000, "read": 0.25 / 1_000_000},
}
MEMORY_GB = 256 / 1024


#: Work lengths of the caller-experience contacts: spread over several polls so that
#: results land at every point of a poll (during the checker's wait, during a holding or
#: a reassurance); 2 s also gives caller_time_to_result.
CALLER_WORK_SECONDS = (2.0, 5.0, 9.0, 14.0, 21.0, 30.0)
CHANNELS = ("VOICE", "CHAT", "TASK")


def contact_row(
    summary: Mapping[str, Any],
    channel: str,
    work: float,
    wall_seconds: float,
    completed_at: float | None,
) -> dict[str, Any]:
    """One per-contact row from the simulator's JSON summary (SimulationResult.to_dict):
    whether the contact reached a success action (its ``success`` key), how often the flow
    called each function, and what the caller lived through: the seconds from the contact's
    start to the result prompt (``time_to_result_seconds``) and from the request's COMPLETE
    write (``completed_at``, epoch seconds, the item's CompletedAt) to it
    (``wait_after_complete_seconds``)."""
    calls = summary["lambda_calls"]
    writer_calls = sum(1 for c in calls if c["action"] in ("invoke-writer", "retry-writer"))
    checker_calls = sum(1 for c in calls if c["action"] == "invoke-checker")
    request_id = next(
        (c["response"].get("RequestId") for c in calls if c["action"] == "invoke-writer"),
        None,
    )
    final = summary["final_prompt"]
    heard = final["at"] if summary["outcome"] == "RESULT" and final else None
    greeting = next((p["seconds"] for p in summary["prompts"] if p["action"] == "greet"), None)
    started = datetime.fromisoformat(summary["started_at"]).timestamp()
    wait = beyond = None
    landed: Mapping[str, Any] | None = None
    if heard is not None and completed_at is not None:
        wait = started + heard - completed_at
        # The wait the flow's pacing adds: from COMPLETE, or from the end of the prompt
        # that was playing then, to the result prompt (see prompt_playing).
        landed = prompt_playing(summary["prompts"], completed_at - started)
        beyond = wait if landed is None else heard - (landed["at"] + landed["seconds"])
    return {
        "channel": channel,
        "work_seconds": work,
        "success": summary["success"],
        "writer_calls": writer_calls,
        "checker_calls": checker_calls,
        "request_id": request_id,
        "time_to_result_seconds": round(heard, 3) if heard is not None else None,
        "greeting_seconds": round(greeting, 3) if greeting is not None else None,
        "wait_after_complete_seconds": round(wait, 3) if wait is not None else None,
        "landed_during_prompt": landed["action"] if landed else None,
        "wait_beyond_prompt_seconds": round(beyond, 3) if beyond is not None else None,
        "wall_seconds": round(wall_seconds, 1),
    }


#: The flow's spoken texts (prompts.greeting and prompts.holding, the estate's words), by
#: action identifier; the holding between polls ("hold", 0.5 s of silence by default) is
#: the pacing's own and stays in the wait beyond them.
SPOKEN_PROMPTS = frozenset({"greet", "reassure"})


def prompt_playing(prompts: Sequence[Mapping[str, Any]], offset: float) -> Mapping[str, Any] | None:
    """The greeting or reassurance (of the simulator's prompt records) still playing
    ``offset`` seconds into the contact, if any. A voice prompt in a contact flow plays to
    its end: only Loop prompts (MessageParticipantIteratively) can be interrupted, and only
    in customer queue and hold flows (Admin Guide, "Flow block in Amazon Connect: Loop
    prompts"; flow-language reference, MessageParticipantIteratively, Restrictions). So a
    result that is ready while one plays waits for its end; the flow cannot deliver it
    sooner."""
    for prompt in prompts:
        if (
            prompt["action"] in SPOKEN_PROMPTS
            and prompt.get("delivered", True)
            and prompt["at"] <= offset < prompt["at"] + prompt["seconds"]
        ):
            return prompt
    return None


def caller_metrics(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """caller_wait_after_complete_<channel>_p50/_p99 over every contact of the channel,
    caller_time_to_result_<channel>_p50 over its 2 s contacts (issue 20's targets),
    caller_greeting_<channel>_p50, the greeting's length in those contacts, and the
    wait's decomposition: caller_results_during_prompt_<channel>, how many results were
    ready while a prompt played, and caller_wait_beyond_prompt_<channel>_p50/_p99, the
    wait less the rest of that prompt."""
    metrics: dict[str, float] = {}
    for channel in CHANNELS:
        mine = [r for r in rows if r["channel"] == channel]
        waits = [
            r["wait_after_complete_seconds"]
            for r in mine
            if r["wait_after_complete_seconds"] is not None
        ]
        short = [r for r in mine if r["work_seconds"] == 2.0]
        firsts = [
            r["time_to_result_seconds"] for r in short if r["time_to_result_seconds"] is not None
        ]
        greetings = [r["greeting_seconds"] for r in short if r["greeting_seconds"] is not None]
        name = channel.lower()
        metrics[f"caller_wait_after_complete_{name}_p50"] = round(pct(waits, 50), 3)
        metrics[f"caller_wait_after_complete_{name}_p99"] = round(pct(waits, 99), 3)
        # The same wait less the rest of a prompt that was playing at COMPLETE (voice: the
        # greeting or a reassurance, which Connect plays to its end): what the pacing adds.
        beyond = [
            r["wait_beyond_prompt_seconds"]
            for r in mine
            if r.get("wait_beyond_prompt_seconds") is not None
        ]
        metrics[f"caller_wait_beyond_prompt_{name}_p50"] = round(pct(beyond, 50), 3)
        metrics[f"caller_wait_beyond_prompt_{name}_p99"] = round(pct(beyond, 99), 3)
        metrics[f"caller_results_during_prompt_{name}"] = sum(
            1 for r in mine if r.get("landed_during_prompt")
        )
        metrics[f"caller_time_to_result_{name}_p50"] = round(pct(firsts, 50), 3)
        # The greeting's speaking time (voice; chat and task send it at once), which the
        # voice time to result is judged against: at most the greeting + 1 s.
        metrics[f"caller_greeting_{name}_p50"] = round(pct(greetings, 50), 3)
    return metrics


def per_contact(
    stack: Stack,
    cases: Sequence[tuple[str, float]],
    flow: str,
    consistent_read: bool,
) -> dict[str, Any]:
    """One simulated contact per (channel, W) through the module's default flow (the
    stack's contact_flow_content), real clock and the simulator's speech rate, all cases
    at once; what the caller lived through (caller_metrics), Lambda calls counted by the
    simulator, processor (dispatcher) and worker invocations and durations from the REPORT
    records, the checker's reads from its log lines, the other DynamoDB units from the
    handlers' code paths."""
    invoker_client = stack.session.client(
        "lambda",
        endpoint_url=stack.endpoint,
        config=Config(read_timeout=65, retries={"max_attempts": 1}, max_pool_connections=32),
    )

    def call(case: tuple[str, float]) -> tuple[str, float, dict[str, Any], float]:
        channel, work = case
        options = SimulationOptions(real_time=True, success_actions=frozenset({"thank-caller"}))
        began = time.time()
        result = simulate_contact(
            flow,
            Boto3LambdaInvoker(invoker_client),
            contact=ContactData(channel=channel, attributes={"DelaySeconds": f"{work:g}"}),
            options=options,
        )
        return channel, work, result.to_dict(), time.time() - began

    since = time.time()
    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        placed = list(pool.map(call, cases))
    ids = [
        next(
            (
                c["response"].get("RequestId")
                for c in s["lambda_calls"]
                if c["action"] == "invoke-writer"
            ),
            None,
        )
        for _, _, s, _ in placed
    ]
    items = stack.items([rid for rid in ids if rid])
    rows = [
        contact_row(
            summary,
            channel,
            work,
            wall,
            float(items[rid]["CompletedAt"]["N"])
            if rid in items and "CompletedAt" in items[rid]
            else None,
        )
        for (channel, work, summary, wall), rid in zip(placed, ids, strict=True)
    ]
    total_checker = sum(r["checker_calls"] for r in rows)
    total_writer = sum(r["writer_calls"] for r in rows)
    reports = {
        fn: stack.settled_reports(fn, since, at_least)
        for fn, at_least in (
            ("writer", total_writer),
            ("checker", total_checker),
            ("processor", 1),
            ("worker", len(rows)),
        )
    }
    billed = {
        fn: statistics.fmean(r["metrics"]["billedDurationMs"] for r in found) / 1000
        if found
        else 0.0
        for fn, found in reports.items()
    }
    processor_invocations = len(reports["processor"])
    worker_invocations = len(reports["worker"])
    logged_reads = stack.checker_reads(since)
    for row in rows:
        work = row["work_seconds"]
        # the dispatcher takes a batch of records per invocation: its share per contact
        processor = processor_invocations / len(rows)
        worker = worker_invocations / len(rows)
        invocations = row["writer_calls"] + row["checker_calls"] + processor + worker
        # writer PutItem; worker claim and finish UpdateItems (< 1 KB). The worker reads
        # nothing: its conditional claim tells it what a read would have (docs/execution.md)
        writes = 3
        # every checker call reads at least once; a waiting one logs how often it read
        # (every 0.5 s), always strongly consistent: 1 unit per read up to 4 KB
        checker_reads = max(row["checker_calls"], logged_reads.get(row["request_id"], 0))
        waited = checker_reads > row["checker_calls"]
        reads = checker_reads * (1.0 if consistent_read or waited else 0.5)
        gb_seconds = MEMORY_GB * (
            row["writer_calls"] * billed["writer"]
            + row["checker_calls"] * billed["checker"]
            + processor * billed["processor"]
            + worker * max(billed["worker"], work)
        )
        cost = 1000 * (
            invocations * PRICES["lambda_per_request"]
            + gb_seconds * PRICES["lambda_per_gb_second_x86"]
            + writes * PRICES["dynamodb_per_write_request_unit"]
            + reads * PRICES["dynamodb_per_read_request_unit"]
        )
        native = (
            1000
            * (
                PRICES["lambda_per_request"]
                + MEMORY_GB * max(work, 0.1) * PRICES["lambda_per_gb_second_x86"]
            )
            if work <= 60
            else None
        )
        row.update(
            {
                "processor_invocations": round(processor, 2),
                "worker_invocations": round(worker, 2),
                "invocations": round(invocations, 2),
                "dynamodb_write_units": writes,
                "checker_reads": checker_reads,
                "dynamodb_read_units": reads,
                "lambda_gb_seconds": round(gb_seconds, 4),
                "usd_per_1000_contacts": round(cost, 5),
                "native_async_usd_per_1000_contacts": round(native, 5) if native else None,
            }
        )
    return {
        "prices": PRICES,
        "memory_mb": 256,
        "consistent_read": consistent_read,
        "mean_billed_seconds": {fn: round(v, 4) for fn, v in billed.items()},
        "caller": caller_metrics(rows),
        "contacts": rows,
    }


def tail_logs(payload: str) -> str:
    return base64.b64decode(payload).decode(errors="replace")


def timed(what: str, action: Callable[[], Any]) -> Any:  # noqa: ANN401
    began = time.monotonic()
    say(f"{what} ...")
    result = action()
    say(f"{what}: {time.monotonic() - began:.0f}s")
    return result
