"""The README's flow diagram is what scripts/flow_diagram.py draws from the template now.

Rendering runs terraform on modules/contact-flow (resource-free: no provider, no network);
without the terraform binary this skips.
"""

from __future__ import annotations

import shutil

import pytest
from scripts.flow_diagram import (
    BEGIN,
    END,
    README,
    mermaid,
    readme_diagram,
    render_readme_flow,
    replace_section,
)

from tracker_sandbox.flows import validate_flow

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None, reason="rendering the flow needs the terraform binary"
)


@pytest.fixture(scope="module")
def rendered() -> str:
    return render_readme_flow()


def test_the_readme_diagram_is_the_rendered_template(rendered: str):
    readme = README.read_text()
    assert readme_diagram(readme) == mermaid(rendered), (
        "README.md's flow diagram is stale: run `make diagrams`"
    )


def test_the_diagram_sits_in_its_own_section_after_the_flow_contract():
    readme = README.read_text()
    assert readme.count(BEGIN) == 1
    assert readme.count(END) == 1
    contract = readme.index("### Flow contract")
    section = readme.index("## The contact flow")
    assert contract < section < readme.index(BEGIN) < readme.index(END)
    assert readme.index(END) < readme.index("## Inputs")


def test_the_drawn_flow_is_valid_and_shows_every_action(rendered: str):
    assert validate_flow(rendered) == []
    diagram = mermaid(rendered)
    for identifier in (
        "greet",
        "invoke-writer",
        "poll-loop",
        "invoke-checker",
        "store-result",
        "thank-caller",
        "apologize",
        "disconnect",
    ):
        assert f'"{identifier}<br/>' in diagram


def test_rewriting_is_idempotent(rendered: str):
    readme = README.read_text()
    assert replace_section(readme, mermaid(rendered)) == readme
