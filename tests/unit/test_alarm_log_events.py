"""The log metric filters of alarms.tf count events the package really logs.

The patterns select ``$.event`` (the field connect_tracker.logs.log_event sets); renaming an
event in the code without the pattern would leave its alarm silent forever. The functional
tests prove when each event is logged (test_checker, test_writer); this ties their names to
the patterns. Whether CloudWatch matches a pattern is not tested here (docs/alarms.md).
"""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATTERN_EVENT = re.compile(r'pattern\s*=\s*"\{ \$\.event = \\"([a-z_.]+)\\" \}"')


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
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[0], ast.Attribute)
            ):
                found[str(node.args[1].value)] = getattr(logging, node.args[0].attr)
    return found


def test_every_metric_filter_counts_an_event_the_package_logs():
    patterns = PATTERN_EVENT.findall((ROOT / "alarms.tf").read_text(encoding="utf-8"))
    assert sorted(patterns) == ["check.store_unavailable", "request.store_unavailable"]
    events = logged_events()
    missing = [name for name in patterns if name not in events]
    assert not missing, f"alarms.tf counts events nothing logs: {missing}"
    # at WARNING or above: the functions' default application_log_level (INFO) keeps them
    assert all(events[name] >= logging.WARNING for name in patterns)
