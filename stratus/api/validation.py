"""Request body validation against JSON schemas, with Nova-style messages."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema import Draft4Validator
from jsonschema.validators import extend

from stratus import exception

# The largest value a database INT column holds (Nova's db.MAX_INT).
MAX_INT = 0x7FFFFFFF
# The largest value of a 4-byte float column (Nova's SQL_SP_FLOAT_MAX).
MAX_FLOAT = 3.40282e+38
_MAX_ECHO = 255
_MAX_CACHED = 512


def _number_from(instance: Any) -> Any:
    """Numbers as they are; numeric strings ("-5", "1.5") as numbers, as Nova compares
    them; anything else None, which the type and pattern checks then judge."""
    if not isinstance(instance, str):
        return instance
    for convert in (int, float):
        try:
            return convert(instance)
        except (ValueError, OverflowError):
            continue
    return None


def _bound(original: Any) -> Any:
    def check(validator: Any, bound: Any, instance: Any,
              schema: dict[str, Any]) -> Iterator[jsonschema.ValidationError]:
        value = _number_from(instance)
        if value is None:
            return iter(())
        return original(validator, bound, value, schema) or iter(())
    return check


_Validator = extend(Draft4Validator, {
    "minimum": _bound(Draft4Validator.VALIDATORS["minimum"]),
    "maximum": _bound(Draft4Validator.VALIDATORS["maximum"]),
})
_cache: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any]) -> Any:
    """A compiled validator per schema. Schemas built per request are new objects, so the
    entry keeps its schema (an id is unique only while its object lives) and the cache
    is bounded."""
    entry = _cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        if len(_cache) >= _MAX_CACHED:
            _cache.clear()
        entry = _cache[id(schema)] = (
            schema, _Validator(schema, format_checker=jsonschema.FormatChecker()))
    return entry[1]


def validate(body: Any, schema: dict[str, Any]) -> dict[str, Any]:
    if body is None:
        raise exception.ValidationError(reason="The request body is missing or is not JSON.")
    error = jsonschema.exceptions.best_match(_validator(schema).iter_errors(body))
    if error is not None:
        raise exception.ValidationError(reason=_message(error))
    return body


def _echo(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "..."


def _message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.path)
    detail = error.message if len(error.message) <= 2 * _MAX_ECHO else \
        error.message[:2 * _MAX_ECHO] + "..."
    if where:
        return f"Invalid input for field/attribute {where}. Value: {_echo(error.instance)}. " \
               f"{detail}"
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
