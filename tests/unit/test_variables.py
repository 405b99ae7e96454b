"""Every input check names its input (the house rule: bad input gets an error that names
the problem), for the module and its sub-module."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

REPO = Path(__file__).resolve().parents[2]
VARIABLE_FILES = [REPO / "variables.tf", REPO / "modules" / "contact-flow" / "variables.tf"]


def _validations(path: Path) -> list[tuple[str, str]]:
    """(variable name, error message) of every validation block of a variables file."""
    with path.open(encoding="utf-8") as handle:
        document = hcl2.load(handle)
    found = []
    for entry in document.get("variable", []):
        for quoted, body in entry.items():
            name = quoted.strip('"')
            found += [(name, str(check["error_message"])) for check in body.get("validation", [])]
    return found


@pytest.mark.parametrize("path", VARIABLE_FILES, ids=lambda path: str(path.relative_to(REPO)))
def test_every_validation_message_names_its_input(path: Path) -> None:
    checks = _validations(path)
    assert checks, f"no validation found in {path}: the parser no longer reads the file"
    unnamed = [(name, message) for name, message in checks if name not in message]
    assert not unnamed, unnamed
