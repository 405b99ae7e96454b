"""LocalStack ``RuntimeExecutor`` that runs each execution environment as a local subprocess.

LocalStack's Docker executor delegates the invocation protocol to an ``init`` binary in the
container; here the environment (``RuntimeProcess``) serves the Runtime API itself and
``invoke`` returns the ``InvocationResult`` directly, so LocalStack's executor endpoint
callbacks (``/_localstack_lambda/...``) are never needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor

from tracker_sandbox import config
from tracker_sandbox.executor.environment import InitError, RuntimeProcess, Spec

# LocalStack-internal variables meant for its init binary, not for function code.
_INTERNAL_PREFIXES = ("LOCALSTACK_",)
_INTERNAL_NAMES = {"EDGE_PORT", "AWS_LAMBDA_FUNCTION_TIMEOUT"}

_PATHS = config.Paths.from_env()


def _runtime_env(runtime: str | None) -> Path:
    if not runtime:
        raise ValueError("container-image functions are not supported by the sandbox executor")
    env = _PATHS.runtime_env(runtime)
    if not (env / "bin" / "python").exists():
        available = sorted(
            p.name for p in _PATHS.runtimes.glob("*") if (p / "bin" / "python").exists()
        )
        raise ValueError(
            f"runtime {runtime} is not supported by the sandbox (available: "
            f"{', '.join(available) or 'none'}); use one of those, or install that Python and "
            f"add it to SANDBOX_RUNTIMES before `sandbox/bin/sandbox up`"
        )
    return env


class SubprocessRuntimeExecutor(RuntimeExecutor):  # type: ignore[misc]
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self._runtime: RuntimeProcess | None = None
        self._tmp_dir = _PATHS.tmp / "lambda-env" / id

    def _spec(self, env_vars: dict[str, str]) -> Spec:
        cfg = self.function_version.config
        environment = {
            key: str(value)
            for key, value in env_vars.items()
            if not key.startswith(_INTERNAL_PREFIXES) and key not in _INTERNAL_NAMES
        }
        logging_config = cfg.logging_config or {}
        json_logs = logging_config.get("LogFormat") == "JSON"
        if "AWS_LAMBDA_LOG_LEVEL" in environment:
            # Lambda passes the level upper-case (LocalStack capitalises it).
            environment["AWS_LAMBDA_LOG_LEVEL"] = environment["AWS_LAMBDA_LOG_LEVEL"].upper()
        return Spec(
            runtime=str(cfg.runtime),
            runtime_env=_runtime_env(cfg.runtime),
            task_root=Path(cfg.code.get_unzipped_code_location()),
            handler=str(cfg.handler),
            function_name=self.function_version.id.function_name,
            version=self.function_version.id.qualifier,
            memory_size_mb=int(cfg.memory_size),
            timeout_s=float(cfg.timeout),
            environment=environment,
            tmp_dir=self._tmp_dir,
            json_logs=json_logs,
            system_log_level=str(logging_config.get("SystemLogLevel") or "INFO"),
        )

    def start(self, env_vars: dict[str, str]) -> None:
        runtime = RuntimeProcess(self._spec(env_vars))
        self._runtime = runtime
        try:
            runtime.start()
        except InitError as exc:
            # LocalStack turns this into the invoke's error payload (FunctionError Unhandled).
            raise StatusErrorException("Environment startup failed", payload=exc.payload) from exc

    def stop(self) -> None:
        if self._runtime is not None:
            self._runtime.stop()
        shutil.rmtree(self._tmp_dir, ignore_errors=True)

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        return f"http://127.0.0.1:{config.sandbox_port()}/_localstack_lambda/{self.id}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        if self._runtime is None:
            raise RuntimeError(f"executor {self.id} was never started")
        outcome = self._runtime.invoke(
            request_id=payload["invoke-id"],
            payload=payload["payload"].encode(),
            function_arn=payload["invoked-function-arn"],
            trace_id=payload.get("trace-id", ""),
        )
        return InvocationResult(
            request_id=payload["invoke-id"],
            payload=outcome.payload,
            is_error=outcome.is_error,
            logs=outcome.logs,
        )

    def get_logs(self) -> str:
        return self._runtime.drain_logs() if self._runtime is not None else ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        cfg = function_version.config
        if cfg.package_type != PackageType.Zip:
            raise ValueError("only Zip functions are supported by the sandbox executor")
        _runtime_env(cfg.runtime)
        if cfg.code:
            cfg.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing to undo: LocalStack deletes the unzipped code itself."""

    @classmethod
    def validate_environment(cls) -> bool:
        return _PATHS.runtimes.is_dir()
