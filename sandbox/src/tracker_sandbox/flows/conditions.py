"""How Compare (and a block answered with a value) matches a value against its conditions
(flow-language reference, Compare: Equals, TextContains, TextStartsWith, TextEndsWith and
the Number* operators)."""

from __future__ import annotations

from typing import Any


def matches(operator: str, value: str | None, operands: tuple[Any, ...]) -> bool:
    """Whether `value` meets the condition for any of its operands."""
    if value is None:
        return False
    for operand in operands:
        expected = str(operand)
        if operator == "Equals" and value == expected:
            return True
        if operator == "TextContains" and expected in value:
            return True
        if operator == "TextStartsWith" and value.startswith(expected):
            return True
        if operator == "TextEndsWith" and value.endswith(expected):
            return True
        if operator.startswith("Number") and compare_numbers(operator, value, expected):
            return True
    return False


def compare_numbers(operator: str, value: str, expected: str) -> bool:
    try:
        left, right = float(value), float(expected)
    except ValueError:
        return False
    return {
        "NumberGreaterThan": left > right,
        "NumberLessThan": left < right,
        "NumberGreaterOrEqualTo": left >= right,
        "NumberLessOrEqualTo": left <= right,
    }.get(operator, False)
