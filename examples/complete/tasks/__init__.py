"""Example task package: copied into the deployment package as ``account_tasks``.

The worker imports this package (the module's ``task_modules`` default), which imports
the modules that register tasks.
"""

from account_tasks import balance

__all__ = ["balance"]
