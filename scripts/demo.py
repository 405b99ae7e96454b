"""`make demo`: the whole pattern on the embedded sandbox, from a fresh machine.

1. start the sandbox (first run provisions LocalStack and its offline artifacts: minutes);
2. apply examples/localstack (state kept in that folder, so `terraform -chdir=examples/localstack
   output` works afterwards);
3. place a simulated call through the deployed contact flow: prompts play in real time, the
   writer and the checker are the real deployed functions, polled on the flow's own schedule;
4. print the transcript and the result; exit 0 only when the request completed.

`make down` (this script with --down) destroys the stack and stops the sandbox.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "localstack"
BOOTSTRAP = ROOT / "sandbox" / "bin" / "sandbox"
sys.path[:0] = [str(ROOT / "sandbox" / "src")]

from tracker_sandbox.flows import (  # noqa: E402
    ContactData,
    SimulationOptions,
    simulate_contact,
)
from tracker_sandbox.flows.aws import Boto3LambdaInvoker, fetch_flow_content  # noqa: E402
from tracker_sandbox.flows.clock import RealClock  # noqa: E402
from tracker_sandbox.flows.lambdas import InvocationOutcome  # noqa: E402

STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", flush=True)


def sandbox_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SANDBOX_PORT", "4566")
    return env


def endpoint() -> str:
    return f"http://127.0.0.1:{sandbox_environment()['SANDBOX_PORT']}"


def terraform(*args: str, stream: bool = False) -> str:
    command = ["terraform", f"-chdir={EXAMPLE}", *args]
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    if not stream:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(
                f"demo: `terraform {args[0]}` failed:\n"
                f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        return result.stdout
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    tail: list[str] = []
    for line in process.stdout or ():
        tail = [*tail, line][-60:]
        if (
            "Creation complete" in line
            or "Destruction complete" in line
            or "Apply complete" in line
        ):
            say("  " + line.strip())
    if process.wait() != 0:
        raise SystemExit(f"demo: `terraform {args[0]}` failed:\n{''.join(tail)}")
    return ""


class NarratingInvoker:
    """Invokes the real functions and says what each call answered, as it happens."""

    def __init__(self, inner: Boto3LambdaInvoker, names: Mapping[str, str]) -> None:
        self._inner = inner
        self._names = names
        self.answers: list[tuple[str, Mapping[str, Any] | None]] = []

    def invoke(
        self, function_arn: str, event: Mapping[str, Any], time_limit_seconds: float
    ) -> InvocationOutcome:
        name = self._names.get(function_arn, function_arn)
        outcome = self._inner.invoke(function_arn, event, time_limit_seconds)
        try:
            decoded = json.loads(outcome.payload or b"null")
        except ValueError:
            decoded = None
        payload = decoded if isinstance(decoded, Mapping) and not outcome.function_error else None
        self.answers.append((name, payload))
        problem = outcome.failure or outcome.function_error or "no answer"
        summary = json.dumps(payload)[:160] if payload is not None else problem
        say(f"  {name}: {outcome.duration_seconds * 1000:.0f} ms -> {summary}")
        return outcome


def demo_vars() -> list[str]:
    # the sandbox emulates Connect: the module publishes its flow to a sandbox instance
    return [f"-var=endpoint={endpoint()}", "-var=create_connect_instance=true"]


def up() -> int:
    # the sandbox's fake credentials, for this process's own SDK calls only
    os.environ.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1"
    )
    say("step 1/3: the sandbox (LocalStack in host mode + Docker-less Lambda executor)")
    began = time.monotonic()
    if (
        subprocess.run([str(BOOTSTRAP), "up"], env=sandbox_environment(), check=False).returncode
        != 0
    ):
        return 1
    say(f"  sandbox up at {endpoint()} in {time.monotonic() - began:.1f}s")

    say("step 2/3: terraform apply examples/localstack (the module with its own package)")
    began = time.monotonic()
    terraform("init", "-input=false", "-no-color")
    terraform(
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        *demo_vars(),
        stream=True,
    )
    outputs = {k: v["value"] for k, v in json.loads(terraform("output", "-json")).items()}
    say(f"  applied in {time.monotonic() - began:.1f}s: table {outputs['tracker_table_name']}")

    instance_id = outputs["connect_instance_arn"].rsplit("/", 1)[1]
    content = fetch_flow_content(
        instance_id, outputs["contact_flow_id"], endpoint_url=endpoint(), region_name="us-east-1"
    )
    say(f"  flow {outputs['contact_flow_id']} published to Connect instance {instance_id}")

    say("step 3/3: a simulated call through the published contact flow (prompts in real time)")
    names = {
        outputs["writer_function_arn"]: "writer",
        outputs["checker_function_arn"]: "checker",
        outputs["processor_function_arn"]: "processor",
    }
    invoker = NarratingInvoker(
        Boto3LambdaInvoker(endpoint_url=endpoint(), region_name="us-east-1"), names
    )
    contact = ContactData(contact_id=str(uuid.uuid4()), attributes={"AccountId": "ACC-1001"})
    result = simulate_contact(
        content,
        invoker,
        contact=contact,
        options=SimulationOptions(real_time=True),
        clock=RealClock(),
    )
    print("\n--- transcript " + "-" * 60)
    print(result.render_transcript())
    print("-" * 75)
    final = next((p for name, p in reversed(invoker.answers) if name == "checker" and p), {})
    completed = result.success and final.get("Status") == "COMPLETE"
    answer = {k: v for k, v in final.items() if k != "RequestId"}
    say(
        f"result: {'COMPLETE' if completed else 'NOT COMPLETED'}; "
        f"contact ended by {result.ended_by}"
    )
    say(f"  request {final.get('RequestId', '?')}: {json.dumps(answer)}")
    print(
        "\nThe stack stays up for exploration:\n"
        f"  terraform -chdir=examples/localstack output\n"
        '  eval "$(sandbox/bin/sandbox env)"  # then any AWS SDK or CLI talks to the sandbox\n'
        f"  table: {outputs['tracker_table_name']}\n"
        "  make sandbox-logs    # LocalStack's log\n"
        "  make down            # destroy the stack and stop the sandbox"
    )
    return 0 if completed else 1


def down() -> int:
    state = EXAMPLE / "terraform.tfstate"
    healthy = subprocess.run(
        [str(BOOTSTRAP), "status"], env=sandbox_environment(), capture_output=True, check=False
    )
    if state.exists() and healthy.returncode == 0:
        say("destroying the demo stack")
        terraform(
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            *demo_vars(),
            stream=True,
        )
    for leftover in (state, EXAMPLE / "terraform.tfstate.backup"):
        leftover.unlink(missing_ok=True)
    say("stopping the sandbox")
    return subprocess.run(
        [str(BOOTSTRAP), "down"], env=sandbox_environment(), check=False
    ).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--down", action="store_true", help="destroy the demo stack and stop the sandbox"
    )
    return down() if parser.parse_args().down else up()


if __name__ == "__main__":
    sys.exit(main())
