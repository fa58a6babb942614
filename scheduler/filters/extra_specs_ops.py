"""Matching a requirement like "<in> fast", ">= 4" or "s== x86_64" against a value."""
from __future__ import annotations

import operator
from typing import Any, Callable

_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": operator.ge,  # Nova's "=" means "at least" for numbers
    "==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le,
}
_STRING: dict[str, Callable[[str, str], bool]] = {
    "s==": operator.eq, "s!=": operator.ne, "s<": operator.lt, "s<=": operator.le,
    "s>": operator.gt, "s>=": operator.ge,
    "<in>": lambda value, wanted: wanted in value,
}


def match(value: Any, requirement: str) -> bool:
    words = str(requirement).split()
    if not words:
        return False
    op, args = words[0], words[1:]
    if op == "<or>":
        options = [w for w in args if w != "<or>"]
        return str(value) in options
    if op == "<all-in>":
        return all(a in (value if isinstance(value, (list, set)) else str(value)) for a in args)
    if op in _STRING and args:
        return _STRING[op](str(value), " ".join(args))
    if op in _NUMERIC and args:
        try:
            return _NUMERIC[op](float(value), float(args[0]))
        except (TypeError, ValueError):
            return False
    return str(value) == str(requirement)
