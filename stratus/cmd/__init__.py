"""Console scripts: `prepare` (config and logging) and stratus-all; each service's own script
is a `main` in its package that calls `stratus.launcher.main([name])`."""
from __future__ import annotations

import logging
import os
import sys

from stratus import config

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def prepare(argv: list[str] | None = None) -> None:
    """Read config (--config-file, OS_<GROUP>__<OPT> env) and log to stderr and
    to $state_path/logs/<program>.log."""
    config.parse_args(sys.argv[1:] if argv is None else argv)
    program = os.path.basename(sys.argv[0]) or "stratus"
    handlers: list[logging.Handler] = [
        logging.StreamHandler(),
        logging.FileHandler(config.state_file("logs", f"{program}.log"))]
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers)
    for noisy in ("oslo_messaging", "oslo.messaging", "stevedore", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
