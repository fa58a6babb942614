"""Request body validation against JSON schemas, with Nova-style messages."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

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
Handler = TypeVar("Handler", bound=Callable[..., Any])


def _validator(schema: dict[str, Any]) -> Any:
    """A compiled validator per schema. Schemas built per request are new objects, so the
    entry keeps its schema (an id is unique only while its object lives) and the cache
    is bounded."""
    entry = _cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        if len(_cache) >= _MAX_CACHED:
            _cache.clear()
        entry = _cache[id(schema)] = (schema, _compile(schema))
    return entry[1]


def _compile(body_schema: dict[str, Any]) -> Any:
    return _Validator(body_schema, format_checker=jsonschema.FormatChecker())


def _check(validator: Any, body: Any) -> None:
    if body is None:
        raise exception.ValidationError(reason="The request body is missing or is not JSON.")
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise exception.ValidationError(reason=_message(error))


def validate(body: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """Validate `body` against a schema that is not bound to its handler (one part of an
    action body, say); handlers bind theirs with @schema."""
    _check(_validator(schema), body)
    return body


Version = tuple[int, int]
NEWEST: Version = (2 ** 31, 0)


@dataclasses.dataclass(frozen=True)
class _Bound:
    validator: Any
    low: Version
    high: Version


def _version(text: str | None, default: Version) -> Version:
    if text is None:
        return default
    major, minor = text.split(".")
    return int(major), int(minor)


def schema(body_schema: dict[str, Any], min_version: str | None = None,
           max_version: str | None = None) -> Callable[[Handler], Handler]:
    """Validate a handler's `body` argument against `body_schema`, compiled once here,
    for requests whose microversion (the handler's `r.version`) is in [min, max];
    stacked, one per version range, as Nova's @validation.schema is. Handlers of APIs
    without microversions give no range."""
    bound = _Bound(_compile(body_schema), _version(min_version, (0, 0)),
                   _version(max_version, NEWEST))

    def decorate(handler: Handler) -> Handler:
        ranges = getattr(handler, "body_schemas", None)
        if isinstance(ranges, list):
            ranges.append(bound)
            return handler
        ranges = [bound]

        @functools.wraps(handler)
        def checked(*args: Any, **kwargs: Any) -> Any:
            request = kwargs.get("r")
            version = request.version if request is not None else (0, 0)
            for each in ranges:
                if each.low <= version <= each.high:
                    _check(each.validator, kwargs.get("body"))
                    break
            else:
                raise AssertionError(f"no body schema for version {version}")
            return handler(*args, **kwargs)
        checked.body_schemas = ranges  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]
    return decorate


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
