"""Typed RPC payloads: pydantic models with a name and a version.

On the bus a payload travels as a tagged primitive (its name, version and fields), so the
receiver gets the same type back (stratus.rpc's serializer does the conversion). Versions:
a minor bump adds fields, each with a default, so an older receiver ignores what it does not
know and a newer one fills in what an older sender left out; a major bump is a new contract.
"""
from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from stratus import exception

TAG = "stratus_object"
REGISTRY: dict[str, type["Payload"]] = {}


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)

    NAME: ClassVar[str] = ""
    VERSION: ClassVar[str] = "1.0"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.NAME:
            REGISTRY[cls.NAME] = cls

    def to_primitive(self) -> dict[str, Any]:
        return {TAG: {"name": self.NAME, "version": self.VERSION,
                      "data": self.model_dump(mode="json")}}

    @classmethod
    def from_primitive(cls, primitive: dict[str, Any]) -> "Payload":
        """The payload a tagged primitive describes, as the class registered for its name."""
        tagged = primitive[TAG]
        kind = REGISTRY.get(tagged["name"])
        if kind is None:
            raise exception.UnsupportedPayload(name=tagged["name"], version=tagged["version"])
        if tagged["version"].split(".")[0] != kind.VERSION.split(".")[0]:
            raise exception.UnsupportedPayload(name=tagged["name"], version=tagged["version"])
        return kind.model_validate(tagged["data"])


def is_primitive_payload(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and TAG in value
