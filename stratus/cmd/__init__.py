"""Console scripts: one per service, plus stratus-all for the embedded mode."""
from __future__ import annotations

import logging
import sys

from stratus import config


def prepare(argv: list[str] | None = None) -> None:
    """Read config (--config-file, OS_<GROUP>__<OPT> env) and set up logging."""
    config.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("oslo_messaging", "oslo.messaging", "stevedore", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
