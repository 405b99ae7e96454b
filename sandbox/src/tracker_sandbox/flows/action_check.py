"""The checks of one action, and the helpers the per-type checks (shapes.py) share.

An `ActionCheck` holds one action of a flow being validated and appends `Problem`s to
the flow's list. Every problem names the rule it applies (`spec.RULE_INDEX`), the
action's Identifier and its path in the document, and is worded as Connect words it
where the evidence records the words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .model import Problem, ProblemCode
from .references import (
    InvalidReference,
    embedded_problems,
    is_reference,
    parse_reference,
    value_problems,
)

#: "Action is missing required property. Path: Actions[0].Transitions.NextAction"
#: (flow-as-code actions.md rules 34 and 38; VERIFY.md row C1).
MISSING_PROPERTY = "Action is missing required property. Path: {path}"
#: "Action is missing required error. Error: QueueAtCapacity, Path: Actions[1]" (rule 37).
MISSING_ERROR = "Action is missing required error. Error: {error}, Path: {path}"
#: "Invalid Action error. Error: NoMatchingError" (rule 37, UpdateContactRecordingBehavior).
INVALID_ERROR = "Invalid Action error. Error: {error}, Path: {path}"
#: "Invalid Action property value. Path: Actions[0].Parameters.TagKeys" (rules 28, 35).
INVALID_VALUE = "Invalid Action property value. Path: {path}"
#: Refusals recorded without a path (rules 31 and 28; the terminal refusal as issue 18
#: quotes it).
NO_CONDITIONS = "Action does not support conditions"
NO_TRANSITIONS = "Action does not support transitions"
INVALID_TYPE = "Invalid Action type. Type: {type}"


class ActionCheck:
    def __init__(
        self,
        raw: Mapping[str, Any],
        position: int,
        identifiers: set[str],
        problems: list[Problem],
    ) -> None:
        identifier = raw.get("Identifier")
        self.position = position
        self.path = f"Actions[{position}]"
        self.name = identifier if isinstance(identifier, str) and identifier else self.path
        self.raw = raw
        self.identifiers = identifiers
        self.problems = problems
        raw_parameters = raw.get("Parameters", {})
        self.parameters: Mapping[str, Any] = (
            raw_parameters if isinstance(raw_parameters, dict) else {}
        )
        self.parameters_ok = isinstance(raw_parameters, dict)

    def add(
        self,
        code: ProblemCode,
        message: str,
        rule: str,
        *,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        """`where` is the path below the action (`Parameters.TagKeys`)."""
        path = f"{self.path}.{where}" if where else self.path
        self.problems.append(Problem(code, message, self.name, path, rule, hint))

    def missing_property(self, where: str, rule: str, *, hint: str | None = None) -> None:
        code = (
            ProblemCode.MISSING_NEXT_ACTION
            if where == "Transitions.NextAction"
            else ProblemCode.MISSING_PARAMETER
        )
        path = f"{self.path}.{where}"
        self.add(code, MISSING_PROPERTY.format(path=path), rule, where=where, hint=hint)

    def invalid_value(self, where: str, rule: str, hint: str) -> None:
        path = f"{self.path}.{where}" if where else self.path
        self.add(
            ProblemCode.INVALID_PARAMETER,
            INVALID_VALUE.format(path=path),
            rule,
            where=where,
            hint=hint,
        )

    # Parameter values -----------------------------------------------------------------

    def references_within(self, where: str, value: object) -> None:
        """Every reference in a parameter value (text, keys, nested objects) well formed."""
        if isinstance(value, str):
            for message in value_problems(value):
                self.add(ProblemCode.INVALID_REFERENCE, f"{where}: {message}", "references")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    for message in value_problems(key):
                        self.add(
                            ProblemCode.INVALID_REFERENCE, f"{where} key: {message}", "references"
                        )
                self.references_within(f"{where}.{key}", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.references_within(f"{where}[{index}]", item)

    def static_or_reference(
        self, name: str, rule: str, *, allow_reference: bool = True
    ) -> str | None:
        """A string parameter that is static text or one whole reference."""
        value = self.parameters.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.add(
                ProblemCode.INVALID_PARAMETER,
                f"{name} must be a non-empty string",
                rule,
                where=f"Parameters.{name}",
            )
            return None
        if is_reference(value):
            if not allow_reference:
                self.add(
                    ProblemCode.INVALID_PARAMETER,
                    f"{name} must be set statically",
                    rule,
                    where=f"Parameters.{name}",
                )
                return None
            self.reference(name, value)
        return value

    def reference(self, name: str, value: str) -> None:
        try:
            parse_reference(value)
        except InvalidReference as error:
            self.add(
                ProblemCode.INVALID_REFERENCE,
                f"{name}: {error}",
                "references",
                where=f"Parameters.{name}",
            )

    def embedded(self, name: str, value: str) -> None:
        for message in embedded_problems(value):
            self.add(
                ProblemCode.INVALID_REFERENCE,
                f"{name}: {message}",
                "references",
                where=f"Parameters.{name}",
            )

    def string_map(self, name: str, rule: str, *, required: bool) -> None:
        value = self.parameters.get(name)
        if value is None:
            return
        where = f"Parameters.{name}"
        if not isinstance(value, dict) or (required and not value):
            self.add(
                ProblemCode.INVALID_PARAMETER,
                f"{name} must be a non-empty map of strings",
                rule,
                where=where,
            )
            return
        for key, item in value.items():
            if not key:
                self.add(
                    ProblemCode.INVALID_PARAMETER, f"{name} has an empty key", rule, where=where
                )
            if not isinstance(item, str):
                self.add(
                    ProblemCode.INVALID_PARAMETER,
                    f"{name}.{key} must be a string, not {type(item).__name__}",
                    rule,
                    where=f"{where}.{key}",
                )
            else:
                # Static, one reference, or text with references in it
                # ("$.Customer.FirstName $.Customer.LastName"): all accepted by Connect.
                self.references_within(f"{name}.{key}", item)
            self.references_within(f"{name} key", key)

    def static_int(self, name: str) -> int | None:
        """A whole number given as a JSON number or a decimal string (as the console
        writes it), else None."""
        value = self.parameters.get(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip()):
            return int(value)
        return None

    # Transitions --------------------------------------------------------------------

    def target(self, where: str, target: str) -> None:
        if target not in self.identifiers:
            self.add(
                ProblemCode.DANGLING_NEXT_ACTION,
                f"{where} goes to {target!r}, which is not the Identifier of any action",
                "targets",
            )
