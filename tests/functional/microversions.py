"""Helpers for tests of compute microversions."""
from __future__ import annotations


def at(headers: dict[str, str], minor: int) -> dict[str, str]:
    """`headers` asking for compute microversion 2.`minor`."""
    return {**headers, "OpenStack-API-Version": f"compute 2.{minor}"}
