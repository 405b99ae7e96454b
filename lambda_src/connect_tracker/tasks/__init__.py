"""Tasks: the slow work a request stands for, registered by name.

Write your own in your own module and point the module's ``task_source_dir`` and
``task_modules`` inputs at it::

    from connect_tracker.tasks import TaskContext, TaskError, task

    @task("lookup_balance")
    def lookup_balance(parameters, context):
        if "AccountId" not in parameters:
            raise TaskError("MISSING_ACCOUNT", "no AccountId was given")
        return {"Balance": "42.00"}

A task gets the flow's parameters (strings) and a :class:`TaskContext`, and returns a flat
mapping of strings (numbers and booleans are turned into text). Raise :class:`TaskError`
for a business failure (terminal: the request ends ``FAILED`` with your code) and
:class:`RetryableTaskError` for a transient one (the worker runs the task again after a
growing pause, while the request's deadline allows; docs/execution.md).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

TaskResult = Mapping[str, object] | None
TaskFunction = Callable[[Mapping[str, str], "TaskContext"], TaskResult]

_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class TaskError(Exception):
    """A business failure: the request ends FAILED with this code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code if code and set(code) <= _CODE_CHARS else "TASK_ERROR"
        self.message = message


class RetryableTaskError(TaskError):
    """A transient failure (backend unavailable): the worker tries the task again after a
    jittered, growing pause while the request's deadline allows, else it ends TIMED_OUT."""


@dataclass(frozen=True)
class TaskContext:
    """What a task may know about the request it runs for."""

    request_id: str
    contact_id: str
    task_name: str
    deadline_at: float
    settings: Mapping[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("connect_tracker"))
    #: Reads a task secret by NAME (the worker's ``task_secrets.TaskSecrets``).
    secrets: Callable[[str], str] | None = field(default=None, repr=False)

    def remaining_seconds(self) -> float:
        """Seconds until the request's deadline; use it to bound backend calls."""
        return max(0.0, self.deadline_at - self.clock())

    def secret(self, name: str) -> str:
        """The value of the task secret ``name`` (the module's ``task_secrets``).

        Read on first use and cached in the execution environment for a bounded time
        (``connect_tracker.task_secrets.CACHE_SECONDS``); never logged. An unknown name is a
        ``TaskError`` (``UNKNOWN_SECRET``); a secret the service does not hand over is a
        ``RetryableTaskError`` whose code names it (``SECRET_UNREADABLE_<NAME>``), which the
        worker retries with backoff while the deadline allows.
        """
        if self.secrets is None:
            raise TaskError(
                "UNKNOWN_SECRET",
                f"no task secret is named {name!r:.80} (configured: none); "
                "name it in the module's task_secrets",
            )
        return self.secrets(name)


class UnknownTask(LookupError):
    pass


class TaskRegistry:
    def __init__(self) -> None:
        self._tasks: dict[str, TaskFunction] = {}

    def register(self, name: str, function: TaskFunction) -> None:
        existing = self._tasks.get(name)
        if existing is not None and existing is not function:
            raise ValueError(f"task {name!r} is already registered by {existing.__module__}")
        self._tasks[name] = function

    def get(self, name: str) -> TaskFunction:
        try:
            return self._tasks[name]
        except KeyError:
            known = ", ".join(sorted(self._tasks)) or "none"
            raise UnknownTask(f"no task named {name!r} is registered (known: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._tasks)


registry = TaskRegistry()


def task(name: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register the decorated function as the task ``name``."""

    def decorate(function: TaskFunction) -> TaskFunction:
        registry.register(name, function)
        return function

    return decorate


#: The demo tasks (simulated_backend, legacy_http_lookup): registered only when a deployment
#: lists this module, which the Terraform module does when ``enable_demo_tasks`` is true.
DEMO_TASKS_MODULE = "connect_tracker.tasks.builtin"


def load_task_modules(modules: Iterable[str]) -> None:
    """Import the listed modules (TRACKER_TASK_MODULES), whose decorators register their
    tasks. Nothing else is registered: the demo tasks only when DEMO_TASKS_MODULE is listed."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ImportError(
                f"task module {module!r} (from TRACKER_TASK_MODULES) cannot be imported: "
                f"{error}. Is it inside the directory given as the module's task_source_dir?"
            ) from error
