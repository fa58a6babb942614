"""Resource ids in paths: uuids from the microversions that moved to them."""
from __future__ import annotations

import uuid

from stratus import exception


def parse_uuid(value: str) -> str:
    """The canonical form of a uuid-like `value`; 400 (as Nova says it) otherwise."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise exception.Invalid(f"Invalid uuid {value}") from None
