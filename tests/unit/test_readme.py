"""README.md is a front page: short, current, and pointing at the rest of the docs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAX_LINES = 300
MAX_CELL_CHARACTERS = 300


def test_readme_inputs_and_outputs_match_the_module():
    """README.md (summaries) and docs/inputs.md (whole) against variables.tf/outputs.tf."""
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_tables.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_the_tables_sit_between_terraform_docs_markers():
    for path in (README, ROOT / "docs" / "inputs.md"):
        text = path.read_text()
        assert text.count("<!-- BEGIN_TF_DOCS -->") == 1, path
        assert text.count("<!-- END_TF_DOCS -->") == 1, path
        block = text.split("<!-- BEGIN_TF_DOCS -->", 1)[1].split("<!-- END_TF_DOCS -->", 1)[0]
        assert "## Inputs" in block
        assert "## Outputs" in block
        assert "| `name` |" in block


def test_readme_names_the_two_commands_a_newcomer_needs():
    readme = README.read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick_start
    assert "make test" in quick_start


def test_readme_is_a_front_page():
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines (at most {MAX_LINES})"
    long_cells = [
        (number, len(cell.strip()))
        for number, line in enumerate(lines, 1)
        if line.startswith("|")
        for cell in re.split(r"(?<!\\)\|", line)[1:-1]
        if len(cell.strip()) > MAX_CELL_CHARACTERS
    ]
    assert not long_cells, f"table cells over {MAX_CELL_CHARACTERS} characters: {long_cells}"


def test_readme_sections_for_someone_who_runs_terraform_apply():
    readme = README.read_text()
    for heading in (
        "## Quick start",
        "## What it does",
        "## Use it as a module",
        "### Plug in your task",
        "### Flow contract",
        "## What a deployment creates and costs",
        "## Guarantees",
        "## Performance",
        "## The sandbox",
    ):
        assert f"\n{heading}\n" in readme, heading


def test_every_relative_link_of_the_front_page_resolves():
    readme = README.read_text()
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    relative = [t for t in targets if not t.startswith(("http://", "https://", "mailto:"))]
    assert relative
    missing = [t for t in relative if not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"
