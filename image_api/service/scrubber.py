"""The scrubber (Glance's glance-scrubber): the compute API's image proxy deletes an image
by discarding its record (hidden at once, its id still taken); the data lives in this
service's store, so this service removes it, then purges the record."""
from __future__ import annotations

import logging

from image_api import store
from image_api.service.clients import conductor
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.periodic import PeriodicTasks

LOG = logging.getLogger(__name__)
BATCH = 100


def scrub(batch: int = BATCH) -> int:
    """Remove the data, then the record, of every discarded image; how many. The data
    goes first: a scrub cut short leaves a record the next one finds again."""
    ctx = get_admin_context()
    done = 0
    while True:
        image_ids: list[str] = conductor.image_discarded_list(ctx, limit=batch)
        for image_id in image_ids:
            store.delete(image_id)
            conductor.image_purge(ctx, image_id=image_id)
        done += len(image_ids)
        if len(image_ids) < batch:
            if done:
                LOG.info("Scrubbed %d deleted images", done)
            return done


def scrub_tasks() -> PeriodicTasks:
    """The scrub every [image] scrub_interval seconds, on a thread of its own."""
    tasks = PeriodicTasks("image-scrubber")
    tasks.add(scrub, CONF.image.scrub_interval)
    return tasks
