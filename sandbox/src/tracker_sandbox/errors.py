"""The one error type the sandbox raises for things a user can fix."""

from __future__ import annotations


class SandboxError(Exception):
    """A failure with the action that fixes it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}\n  fix: {fix}")
        self.problem = problem
        self.fix = fix
