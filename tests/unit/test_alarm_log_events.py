"""The log metric filters of alarms.tf, and the runbook, name events the package really logs.

The patterns select ``$.event`` (the field connect_tracker.logs.log_event sets); renaming an
event in the code without the pattern would leave its alarm silent forever, and without the
runbook (docs/alarms.md) would send on-call looking for a line that never comes. The
functional tests prove when each event is logged (test_checker, test_writer, test_worker,
test_processor); this ties their names to the patterns and the runbook. Whether CloudWatch
matches a pattern is not tested here (docs/alarms.md).
"""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATTERN_EVENT = re.compile(r'pattern\s*=\s*"\{ \$\.event = \\"([a-z_.]+)\\" \}"')
#: A backticked dotted name in the runbook: an event when its first part is one the package's
#: events use (inputs such as `stream.parallelization_factor` are not).
RUNBOOK_NAME = re.compile(r"`([a-z]+)\.([a-z_]+)`")


def logged_events() -> dict[str, int]:
    """Event name -> log level of every ``log_event(level, "name", ...)`` call in the package."""
    found: dict[str, int] = {}
    for path in (ROOT / "lambda_src" / "connect_tracker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "log_event"
                and len(node.args) >= 2
            ):
                # a name, or one of two (`"request.created" if created else "request.reused"`),
                # each with its level, or with the one level the call gives both
                level, name = node.args[0], node.args[1]
                names = [name.body, name.orelse] if isinstance(name, ast.IfExp) else [name]
                levels = [level.body, level.orelse] if isinstance(level, ast.IfExp) else [level]
                for each, each_level in zip(names, levels * len(names), strict=False):
                    if isinstance(each, ast.Constant) and isinstance(each_level, ast.Attribute):
                        found[str(each.value)] = getattr(logging, each_level.attr)
    return found


def test_every_metric_filter_counts_an_event_the_package_logs():
    patterns = PATTERN_EVENT.findall((ROOT / "alarms.tf").read_text(encoding="utf-8"))
    assert sorted(patterns) == ["check.store_unavailable", "request.store_unavailable"]
    events = logged_events()
    missing = [name for name in patterns if name not in events]
    assert not missing, f"alarms.tf counts events nothing logs: {missing}"
    # at WARNING or above: the functions' default application_log_level (INFO) keeps them
    assert all(events[name] >= logging.WARNING for name in patterns)


def test_every_event_the_runbook_sends_on_call_to_is_logged():
    runbook = (ROOT / "docs" / "alarms.md").read_text(encoding="utf-8")
    events = logged_events()
    namespaces = {name.split(".", 1)[0] for name in events}
    cited = {f"{a}.{b}" for a, b in RUNBOOK_NAME.findall(runbook) if a in namespaces}
    # the lines the worker's and the processor's sections send on-call to
    assert {"task.retry", "store.unavailable", "dispatch.failed", "request.dispatched"} <= cited
    missing = sorted(cited - set(events))
    assert not missing, f"docs/alarms.md sends on-call to events nothing logs: {missing}"
