"""Mermaid and DOT renderings carry every action and every edge."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from typing import Any

import pytest
from flowkit import Kit

from tracker_sandbox.flows import parse_flow, to_dot, to_mermaid


def edges_of(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    flow = parse_flow(document)
    return [
        (action.identifier, label, target)
        for action in flow.actions
        for _, label, target in action.transitions.edges()
    ]


def test_mermaid_has_every_action_and_edge(tracker_flow: dict[str, Any]) -> None:
    text = to_mermaid(tracker_flow)
    assert text.startswith("flowchart TD\n")
    flow = parse_flow(tracker_flow)
    node = {action.identifier: f"a{i}" for i, action in enumerate(flow.actions)}
    for action in flow.actions:
        definition = next(
            line
            for line in text.splitlines()
            if line.strip().startswith(node[action.identifier] + "[")
            or line.strip().startswith(node[action.identifier] + "{")
            or line.strip().startswith(node[action.identifier] + "(")
        )
        assert action.identifier in definition and action.type in definition
    assert f"start --> {node['logging']}" in text
    edge_lines = [line.strip() for line in text.splitlines() if re.search(r"-(?:-|\.-)>", line)]
    assert len(edge_lines) == len(edges_of(tracker_flow)) + 1  # plus the start edge
    for source, label, target in edges_of(tracker_flow):
        arrow = (
            rf"{node[source]} (?:-->|-\.->)"
            + (rf"\|{re.escape(label)}\|" if label else "")
            + rf" {node[target]}"
        )
        assert any(re.fullmatch(arrow, line) for line in edge_lines), (source, label, target)


def test_mermaid_labels_and_shapes(tracker_flow: dict[str, Any]) -> None:
    text = to_mermaid(tracker_flow)
    assert "invoke-writer<br/>InvokeLambdaFunction<br/>tracker-writer (3 s)" in text
    assert "-.->|NoMatchingError|" in text  # error edges are dotted
    assert "-->|COMPLETE|" in text  # condition edges carry their operands
    assert "-->|ContinueLooping|" in text
    assert re.search(r'a4\{"poll-loop<br/>Loop<br/>x 5"\}', text)  # decisions are diamonds
    assert re.search(
        r'a12\(\["hang-up<br/>DisconnectParticipant"\]\)', text
    )  # endings are stadiums


def test_mermaid_escapes_syntax_and_draws_missing_targets() -> None:
    flow = Kit.flow(Kit.say('say "hi"', 'Say <b>|"hi"|</b>', next_action="ghost"))
    text = to_mermaid(flow)
    assert '"' not in text.split("a0", 1)[1].split("]", 1)[0].strip('["')
    assert "#quot;" in text and "#124;" in text and "#lt;" in text
    assert 'm0[["missing: ghost"]]' in text
    assert "a0 --> m0" in text
    assert "class m0 missing" in text


def test_dot_has_every_action_and_edge(tracker_flow: dict[str, Any]) -> None:
    text = to_dot(tracker_flow)
    assert text.startswith("digraph flow {") and text.rstrip().endswith("}")
    for action in parse_flow(tracker_flow).actions:
        assert re.search(
            rf'^    "{re.escape(action.identifier)}" \[label="{re.escape(action.identifier)}\\n{action.type}',
            text,
            re.M,
        )
    assert '"__start__" -> "logging";' in text
    for source, label, target in edges_of(tracker_flow):
        pattern = rf'"{re.escape(source)}" -> "{re.escape(target)}"' + (
            rf' \[label="{re.escape(label)}"' if label else ""
        )
        assert re.search(pattern, text), (source, label, target)
    assert text.count(" -> ") == len(edges_of(tracker_flow)) + 1
    assert 'label="NoMatchingError", style=dashed' in text


def test_dot_escapes_and_marks_missing_targets() -> None:
    flow = Kit.flow(Kit.say('say "hi"', 'back\\slash "quoted"', next_action="ghost"))
    text = to_dot(flow)
    assert r'"say \"hi\""' in text
    assert r"back\\slash \"quoted\"" in text
    assert '"ghost" [label="missing: ghost", color=red' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_dot_output_is_accepted_by_graphviz(tracker_flow: dict[str, Any]) -> None:
    rendered = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(tracker_flow), text=True, capture_output=True, check=True
    )
    svg = html.unescape(rendered.stdout)  # Graphviz writes "-" as &#45;
    assert "<svg" in svg
    for identifier in ("invoke-checker", "poll-loop", "hang-up"):
        assert f">{identifier}</text>" in svg
