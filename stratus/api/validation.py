"""Request body validation against JSON schemas, with Nova-style messages."""
from __future__ import annotations

from typing import Any

import jsonschema
from jsonschema import Draft4Validator

from stratus import exception

_cache: dict[int, Draft4Validator] = {}


def validate(body: Any, schema: dict[str, Any]) -> dict[str, Any]:
    validator = _cache.get(id(schema))
    if validator is None:
        validator = _cache[id(schema)] = Draft4Validator(
            schema, format_checker=jsonschema.FormatChecker())
    if body is None:
        raise exception.ValidationError(reason="The request body is missing or is not JSON.")
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise exception.ValidationError(reason=_message(error))
    return body


def _message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.path)
    if error.validator == "additionalProperties":
        detail = error.message
    else:
        detail = error.message
    if where:
        return f"Invalid input for field/attribute {where}. Value: {error.instance!r}. {detail}"
    return f"Invalid input for the request body: {detail}"


# Shared schema pieces
name = {"type": "string", "minLength": 1, "maxLength": 255,
        "pattern": r"^(?! )[^\x00-\x1f]*(?<! )$"}
description = {"type": ["string", "null"], "maxLength": 255}
boolean = {"type": ["boolean", "string"],
           "enum": [True, False, "True", "False", "true", "false", "1", "0", "yes", "no",
                    "on", "off"]}
metadata = {"type": "object",
            "patternProperties": {r"^[a-zA-Z0-9-_:. ]{1,255}$":
                                  {"type": "string", "maxLength": 255}},
            "additionalProperties": False}


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")
