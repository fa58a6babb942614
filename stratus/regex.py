"""Regular expressions that users send (the `name` filter of server listings), matched
in time linear in the text: RE2 has no backtracking, so no pattern can stall a process."""
from __future__ import annotations

import functools

import re2

from stratus import exception

MAX_PATTERN_LENGTH = 255
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re2._Regexp:
    return re2.compile(pattern, options=_OPTIONS)


def check(pattern: str, name: str = "name") -> str:
    """`pattern` if RE2 can match it; Invalid (400) otherwise."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise exception.Invalid(f"Invalid filter {name}: a regular expression of at most "
                                f"{MAX_PATTERN_LENGTH} characters is expected.")
    try:
        _compiled(pattern)
    except re2.error:
        raise exception.Invalid(f"Invalid filter {name}: {pattern!r} is not a regular "
                                f"expression this cloud can match (RE2 syntax; no "
                                f"backreferences or lookarounds).") from None
    return pattern


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text`; False for a pattern RE2 refuses."""
    try:
        return _compiled(pattern).search(text) is not None
    except re2.error:
        return False
