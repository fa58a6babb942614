"""Every test: the configuration parsed with its defaults (no config file). Unit tests
(tests/unit/) need nothing more; the embedded and distributed clouds of the functional
tests are in tests/functional/conftest.py."""
from __future__ import annotations

from stratus.config import parse_args

parse_args([], default_config_files=[])
