"""identity API (being written)."""
from __future__ import annotations

from fastapi import FastAPI

from stratus.api.app import make_app


def create_app() -> FastAPI:
    return make_app("stratus-identity", "nova")
