"""Offline AWS sandbox: host-mode LocalStack with a Docker-less Lambda executor.

Importing this package never imports LocalStack; only ``tracker_sandbox.executor.plugin``
and ``tracker_sandbox.executor.executor`` do, inside LocalStack's own Python 3.13 venv.
"""

from tracker_sandbox.errors import SandboxError

__all__ = ["SandboxError"]
