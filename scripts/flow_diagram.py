"""Draw the module's contact flow and keep docs/flow-design.md's diagram in sync with the template.

Run with the project venv (tracker_sandbox installed): `make diagrams`, or

python scripts/flow_diagram.py            # rewrite the Mermaid diagram in docs/flow-design.md
python scripts/flow_diagram.py --check    # exit 1 when docs/flow-design.md's diagram is out of date
python scripts/flow_diagram.py --png docs/flow.png   # also draw a PNG (needs Graphviz `dot`)
python scripts/flow_diagram.py --print    # the Mermaid text on stdout, the page untouched

The flow is rendered exactly as the module renders it: `modules/contact-flow` (which is
resource-free, so terraform needs no provider and no network) with placeholder ARNs and
the settings of the README's own usage example. `render_flows` renders any number of
variants in one terraform run; the integration tests use it to render flows with the real
ARNs of the sandbox stack.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tracker_sandbox.flows import to_dot, to_mermaid

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "flow-design.md"
MODULE = ROOT / "modules" / "contact-flow"
BEGIN = "<!-- BEGIN FLOW DIAGRAM -->"
END = "<!-- END FLOW DIAGRAM -->"

#: What the diagram shows: the module's defaults (deadline, poll interval, prompts, time
#: limit) with the task of the README's "Use it as a module" / "Plug in your task" example.
PLACEHOLDER_ACCOUNT = "111122223333"
README_FLOW: dict[str, object] = {
    "writer_function_arn": (
        f"arn:aws:lambda:eu-west-2:{PLACEHOLDER_ACCOUNT}:function:billing-lookup-writer"
    ),
    "checker_function_arn": (
        f"arn:aws:lambda:eu-west-2:{PLACEHOLDER_ACCOUNT}:function:billing-lookup-checker"
    ),
    "task_name": "lookup_balance",
    "task_parameters": {"AccountId": "$.Attributes.AccountId"},
    "result_fields": ["Balance"],
}


class RenderError(RuntimeError):
    pass


def _terraform_environment() -> dict[str, str]:
    environment = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    config = ROOT / ".tools" / "terraformrc"
    if "TF_CLI_CONFIG_FILE" not in environment and config.is_file():
        environment["TF_CLI_CONFIG_FILE"] = str(config)
    return environment


def render_flows(
    flows: Mapping[str, Mapping[str, object]], *, timeout: float = 180
) -> dict[str, str]:
    """Render modules/contact-flow once per entry (name -> module inputs): name -> flow JSON.

    One terraform root with a module block per flow, so any number of variants costs one
    `init` and one `apply`. Raises RenderError with terraform's message (a variable the
    module's validation refuses, for instance).
    """
    if shutil.which("terraform") is None:
        raise RenderError("terraform is not on PATH (https://developer.hashicorp.com/terraform)")
    with tempfile.TemporaryDirectory(prefix="flow-render-") as work:
        root = {
            "module": {
                f"flow_{name}": {"source": os.path.relpath(MODULE, work), **inputs}
                for name, inputs in flows.items()
            },
            "output": {
                "flows": {
                    "value": {name: f"${{module.flow_{name}.content}}" for name in flows},
                }
            },
        }
        (Path(work) / "main.tf.json").write_text(json.dumps(root, indent=2))
        environment = _terraform_environment()
        output = ""
        for command in (
            ["init", "-backend=false", "-no-color"],
            ["apply", "-auto-approve", "-no-color"],
            ["output", "-json", "flows"],
        ):
            completed = subprocess.run(
                ["terraform", *command],
                cwd=work,
                env=environment,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if completed.returncode != 0:
                raise RenderError(
                    f"terraform {command[0]} failed ({completed.returncode}):\n"
                    f"{completed.stderr[-4000:]}{completed.stdout[-2000:]}"
                )
            output = completed.stdout
    rendered = json.loads(output)
    return {name: str(rendered[name]) for name in flows}


def render_readme_flow() -> str:
    return render_flows({"readme": README_FLOW})["readme"]


def mermaid(content: str) -> str:
    return to_mermaid(content)


def page_section(diagram: str) -> str:
    """What goes between the markers: the Mermaid block."""
    return f"{BEGIN}\n```mermaid\n{diagram.rstrip()}\n```\n{END}"


def replace_section(readme: str, diagram: str) -> str:
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise RenderError(f"docs/flow-design.md has no {BEGIN} ... {END} markers")
    return readme[:start] + page_section(diagram) + readme[end + len(END) :]


def page_diagram(readme: str) -> str | None:
    """The Mermaid text currently between the markers, or None without markers."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        return None
    body = readme[start + len(BEGIN) : end].strip()
    if body.startswith("```mermaid") and body.endswith("```"):
        body = body[len("```mermaid") : -3]
    return body.strip() + "\n"


def draw_png(content: str, target: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        raise RenderError(
            "Graphviz `dot` is not installed, so no PNG: install it "
            "(Debian/Ubuntu: `sudo apt-get install -y graphviz`, macOS: `brew install graphviz`) "
            "or use the Mermaid diagram in docs/flow-design.md"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [dot, "-Tpng", "-o", str(target)],
        input=to_dot(content),
        text=True,
        check=True,
        timeout=60,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="fail when docs/flow-design.md is out of date"
    )
    mode.add_argument("--print", action="store_true", help="print the Mermaid text only")
    parser.add_argument("--png", type=Path, help="also draw the flow as a PNG with Graphviz dot")
    arguments = parser.parse_args(argv)
    try:
        content = render_readme_flow()
        diagram = mermaid(content)
        if arguments.print:
            sys.stdout.write(diagram)
        elif arguments.check:
            current = page_diagram(PAGE.read_text())
            if current != diagram:
                print(
                    "docs/flow-design.md's flow diagram is out of date with "
                    "flows/async_tracker.json.tftpl: "
                    "run `make diagrams` (python scripts/flow_diagram.py)",
                    file=sys.stderr,
                )
                return 1
        else:
            readme = PAGE.read_text()
            updated = replace_section(readme, diagram)
            if updated != readme:
                PAGE.write_text(updated)
                print("docs/flow-design.md: flow diagram updated")
            else:
                print("docs/flow-design.md: flow diagram already up to date")
        if arguments.png:
            draw_png(content, arguments.png)
            print(f"{arguments.png}: drawn with Graphviz dot")
    except RenderError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
