"""stratus-all: every installed service in one process (the embedded mode)."""
from __future__ import annotations

import contextlib
import logging

from stratus import launcher, plugins
from stratus.cmd import prepare
from stratus.config import CONF

LOG = logging.getLogger("stratus-all")


def main() -> None:
    prepare()
    found = plugins.load_all()
    with contextlib.ExitStack() as stack:
        for plugin in found:
            if plugin.embedded is not None:
                stack.enter_context(plugin.embedded())
        LOG.info("Stratus all-in-one: %s; bus %s, database %s",
                 ", ".join(plugin.name for plugin in found),
                 CONF.transport_url.split(":")[0], CONF.database.connection.split(":")[0])
        launcher.run(found)
