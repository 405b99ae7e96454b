"""Keep the inputs and outputs tables in sync with variables.tf and outputs.tf.

python scripts/readme_tables.py          # rewrite the tables in README.md and docs/inputs.md
python scripts/readme_tables.py --check  # exit 1 and say what differs (used by a test)

Both files hold the tables between terraform-docs' own markers (<!-- BEGIN_TF_DOCS --> and
<!-- END_TF_DOCS -->). README.md, the front page, gets each description cut to at most
SUMMARY_CHARACTERS at a phrase boundary with a link to docs/inputs.md, which has them whole.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FULL = ROOT / "docs" / "inputs.md"
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
#: Longest description kept whole in README.md (its table cells stay under 300 characters).
SUMMARY_CHARACTERS = 200
MORE = " … [more](docs/inputs.md)"


def _unquote(text: str) -> str:
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    heredoc = re.match(r"^<<-?(\w+)\n(.*)\n\s*\1$", text, re.DOTALL)
    if heredoc:
        text = heredoc.group(2)
    return " ".join(text.replace("\\n", " ").split())


def _type(raw: str) -> str:
    text = raw.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    kind = re.match(r"^(\w+)\(", text)
    if kind and kind.group(1) == "object":
        return "object"
    return text.replace("|", "\\|")


def _default(block: dict[str, Any]) -> str:
    if "default" not in block:
        return "required"
    value = block["default"]
    if isinstance(value, str):
        value = value[1:-1] if value.startswith('"') and value.endswith('"') else value
        if value.startswith("${") and value.endswith("}"):
            return f"`{value[2:-1]}`"
        return f'`"{value}"`'
    return f"`{json.dumps(value, separators=(',', ':'))}`".replace("|", "\\|")


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with path.open() as handle:
        document = hcl2.load(handle)
    blocks = []
    for entry in document.get(kind, []):
        for name, block in entry.items():
            blocks.append((name.strip('"'), block))
    return blocks


def summary(description: str) -> str:
    """The description, or its beginning up to a phrase boundary and a link to the rest."""
    if len(description) <= SUMMARY_CHARACTERS:
        return description
    head = description[:SUMMARY_CHARACTERS]
    cut = max(head.rfind(mark) for mark in (": ", "; ", ". ", ", ", " ("))
    return (head[:cut] if cut > SUMMARY_CHARACTERS // 2 else head.rsplit(" ", 1)[0]) + MORE


def inputs_table(short: bool = False) -> str:
    rows = ["| Name | Description | Type | Default |", "| --- | --- | --- | --- |"]
    for name, block in _blocks(ROOT / "variables.tf", "variable"):
        description = _unquote(block.get("description", ""))
        description = (summary(description) if short else description).replace("|", "\\|")
        rows.append(
            f"| `{name}` | {description} | `{_type(str(block.get('type', 'any')))}` "
            f"| {_default(block)} |"
        )
    return "\n".join(rows)


def outputs_table(short: bool = False) -> str:
    rows = ["| Name | Description |", "| --- | --- |"]
    for name, block in _blocks(ROOT / "outputs.tf", "output"):
        description = _unquote(block.get("description", ""))
        description = summary(description) if short else description
        rows.append(f"| `{name}` | {description.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def render(document: str, short: bool, path: Path = README) -> str:
    """``document`` with the block between the markers regenerated."""
    if document.count(BEGIN) != 1 or document.count(END) != 1:
        raise SystemExit(f"{path.name} must hold {BEGIN} ... {END} once")
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    block = f"## Inputs\n\n{inputs_table(short)}\n\n## Outputs\n\n{outputs_table(short)}\n"
    return f"{head}{BEGIN}\n{block}{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when README.md is out of date")
    arguments = parser.parse_args()
    stale = []
    for path, short in ((README, True), (FULL, False)):
        current = path.read_text()
        wanted = render(current, short, path)
        if current == wanted:
            continue
        if arguments.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(wanted)
    if stale:
        print(
            f"inputs/outputs tables out of date in {', '.join(stale)}: run `make docs`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
