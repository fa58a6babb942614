"""Host filters: one small class per module, registered by class name.

A filter answers `host_passes(host, spec)`; when a host fails, `reason`
says why in words a user can read (the NoValidHost explanation uses it).
"""
from __future__ import annotations

from typing import Any, ClassVar

from scheduler import plugins
from scheduler.host_state import HostState

REGISTRY: dict[str, type["BaseHostFilter"]] = {}


class BaseHostFilter:
    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        REGISTRY[cls.__name__] = cls

    def applies(self, spec: dict[str, Any]) -> bool:
        """False when the request asks nothing of this filter (it is then skipped)."""
        return True

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        raise NotImplementedError

    def reason(self, spec: dict[str, Any]) -> str:
        """Why a host fails, in a form that holds for every host it removed."""
        raise NotImplementedError


def load(names: list[str]) -> list[BaseHostFilter]:
    return plugins.load(__name__, REGISTRY, names, "filters")
