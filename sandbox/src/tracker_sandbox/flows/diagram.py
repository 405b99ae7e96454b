"""Flows as pictures: Mermaid (`flowchart TD`) and Graphviz DOT text.

Works on any flow of the right shape, valid or not: a transition to a missing action
is drawn to a red "missing" node, so a broken flow shows where it is broken.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lambdas import function_name
from .model import Action, Flow, FlowContent, parse_flow
from .spec import ACTION_SPECS
from .speech import ssml_to_text

LABEL_CHARS = 40


def short_parameter(action: Action) -> str:
    """One line saying what the action does with its parameters."""
    parameters = action.parameters
    summary: Callable[[], str] | None = {
        "MessageParticipant": lambda: _prompt(action),
        "InvokeLambdaFunction": lambda: (
            f"{function_name(str(parameters.get('LambdaFunctionARN', '?')))}"
            f" ({parameters.get('InvocationTimeLimitSeconds', '?')} s)"
        ),
        "UpdateContactAttributes": lambda: ", ".join(
            f"{key}={value}" for key, value in (parameters.get("Attributes") or {}).items()
        ),
        "Compare": lambda: str(parameters.get("ComparisonValue", "")),
        "Loop": lambda: f"x {parameters.get('LoopCount', '?')}",
        "Wait": lambda: (
            f"{parameters.get('TimeLimitSeconds', parameters.get('TimeoutSeconds', '?'))} s"
        ),
        "UpdateContactTargetQueue": lambda: str(
            parameters.get("QueueId") or parameters.get("AgentId") or ""
        ).rsplit("/", 1)[-1],
        "TransferToFlow": lambda: str(parameters.get("ContactFlowId", "")).rsplit("/", 1)[-1],
        "UpdateFlowLoggingBehavior": lambda: str(parameters.get("FlowLoggingBehavior", "")),
        "UpdateContactTextToSpeechVoice": lambda: str(parameters.get("TextToSpeechVoice", "")),
    }.get(action.type)
    return _truncate(summary() if summary is not None else "")


def _prompt(action: Action) -> str:
    parameters = action.parameters
    if "Text" in parameters:
        return str(parameters["Text"])
    if "SSML" in parameters:
        return ssml_to_text(str(parameters["SSML"]))
    if "PromptId" in parameters:
        return f"prompt {str(parameters['PromptId']).rsplit('/', 1)[-1]}"
    return "media"


def _truncate(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _edges(flow: Flow) -> list[tuple[Action, str, str, str]]:
    """(source, kind, label, target) for every transition, in document order."""
    return [
        (action, kind, label, target)
        for action in flow.actions
        for kind, label, target in action.transitions.edges()
    ]


def to_mermaid(content: FlowContent | Flow) -> str:
    flow = parse_flow(content)
    ids = {action.identifier: f"a{index}" for index, action in enumerate(flow.actions)}
    missing: dict[str, str] = {}
    lines = ["flowchart TD", '    start(("Start"))']
    for action in flow.actions:
        label = "<br/>".join(
            _mermaid_text(part)
            for part in (action.identifier, action.type or "?", short_parameter(action))
            if part
        )
        lines.append(f"    {ids.get(action.identifier, 'x')}{_mermaid_shape(action, label)}")
    if flow.start_action:
        lines.append(f"    start --> {_mermaid_node(flow.start_action, ids, missing)}")
    for source, kind, label, target in _edges(flow):
        arrow = "-.->" if kind == "error" else "-->"
        text = f"|{_mermaid_text(label)}|" if label else ""
        lines.append(
            f"    {ids[source.identifier]} {arrow}{text} {_mermaid_node(target, ids, missing)}"
        )
    for identifier, node in missing.items():
        lines.insert(2, f'    {node}[["missing: {_mermaid_text(identifier)}"]]')
    if missing:
        lines.append("    classDef missing fill:#fdd,stroke:#c00,color:#900")
        lines.append(f"    class {','.join(missing.values())} missing")
    return "\n".join(lines) + "\n"


def _mermaid_node(target: str, ids: dict[str, str], missing: dict[str, str]) -> str:
    if target in ids:
        return ids[target]
    return missing.setdefault(target, f"m{len(missing)}")


def _mermaid_shape(action: Action, label: str) -> str:
    spec = ACTION_SPECS.get(action.type)
    if action.type in ("Compare", "Loop"):
        return f'{{"{label}"}}'
    if spec is not None and spec.ends_flow:
        return f'(["{label}"])'
    return f'["{label}"]'


def _mermaid_text(text: str) -> str:
    # Mermaid reads quotes, pipes and angle brackets as syntax; entity codes are safe.
    replacements = {
        '"': "#quot;",
        "|": "#124;",
        "<": "#lt;",
        ">": "#gt;",
        "{": "#123;",
        "}": "#125;",
    }
    return re.sub(r'["|<>{}]', lambda match: replacements[match.group(0)], text)


def to_dot(content: FlowContent | Flow) -> str:
    flow = parse_flow(content)
    lines = [
        "digraph flow {",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded", fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    "__start__" [label="Start", shape=circle];',
    ]
    known = {action.identifier for action in flow.actions}
    for action in flow.actions:
        label = "\\n".join(
            _dot_text(part)
            for part in (action.identifier, action.type or "?", short_parameter(action))
            if part
        )
        spec = ACTION_SPECS.get(action.type)
        shape = (
            "diamond"
            if action.type in ("Compare", "Loop")
            else ("doubleoctagon" if spec is not None and spec.ends_flow else "box")
        )
        lines.append(f'    "{_dot_text(action.identifier)}" [label="{label}", shape={shape}];')
    targets = {target for _, _, _, target in _edges(flow)} | ({flow.start_action} - {""})
    for target in sorted(targets - known):
        lines.append(
            f'    "{_dot_text(target)}" [label="missing: {_dot_text(target)}", '
            "color=red, fontcolor=red, style=dashed];"
        )
    if flow.start_action:
        lines.append(f'    "__start__" -> "{_dot_text(flow.start_action)}";')
    for source, kind, label, target in _edges(flow):
        attributes = [f'label="{_dot_text(label)}"'] if label else []
        if kind == "error":
            attributes += ["style=dashed", "color=firebrick"]
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f'    "{_dot_text(source.identifier)}" -> "{_dot_text(target)}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
