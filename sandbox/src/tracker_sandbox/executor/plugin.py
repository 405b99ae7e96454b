"""plux entry point: ``LAMBDA_RUNTIME_EXECUTOR=tracker-subprocess`` selects the executor."""

from __future__ import annotations

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin

from tracker_sandbox import config


class SubprocessRuntimeExecutorPlugin(RuntimeExecutorPlugin):  # type: ignore[misc]
    name = config.EXECUTOR_PLUGIN_NAME

    def load(self, *args: object, **kwargs: object) -> type:
        from tracker_sandbox.executor.executor import SubprocessRuntimeExecutor

        return SubprocessRuntimeExecutor
