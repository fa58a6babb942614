"""Loading plugins (filters, weighers) by class name from their package."""
from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

T = TypeVar("T")


def load(package: str, registry: dict[str, type[T]], names: list[str], kind: str) -> list[T]:
    """Instances of the named classes, after importing every module of `package` (each
    class registers itself when its module is imported)."""
    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__):
        importlib.import_module(f"{package}.{info.name}")
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"Unknown scheduler {kind}: {', '.join(unknown)}")
    return [registry[n]() for n in names]
