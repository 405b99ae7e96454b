"""docs/flow-design.md's flow diagram is what scripts/flow_diagram.py draws from the template now.

Rendering runs terraform on modules/contact-flow (resource-free: no provider, no network);
without the terraform binary this skips.
"""

from __future__ import annotations

import shutil

import pytest
from scripts.flow_diagram import (
    BEGIN,
    END,
    PAGE,
    mermaid,
    page_diagram,
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


def test_the_page_diagram_is_the_rendered_template(rendered: str):
    page = PAGE.read_text()
    assert page_diagram(page) == mermaid(rendered), (
        "docs/flow-design.md's flow diagram is stale: run `make diagrams`"
    )


def test_the_diagram_sits_in_its_own_section_before_the_rule_and_the_readme_links_it():
    page = PAGE.read_text()
    assert page.count(BEGIN) == 1
    assert page.count(END) == 1
    section = page.index("## The flow, drawn")
    assert section < page.index(BEGIN) < page.index(END) < page.index("## The rule")
    readme = (PAGE.parents[1] / "README.md").read_text()
    assert readme.index("### Flow contract") < readme.index("## The contact flow")
    assert "(docs/flow-design.md)" in readme[readme.index("## The contact flow") :]


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
    page = PAGE.read_text()
    assert replace_section(page, mermaid(rendered)) == page
