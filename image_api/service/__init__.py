"""The image service layer, as Glance's glance/api/v2 domain and location layers: what
the /v2/images handlers do once a request is validated and authorized. Functions take
the RequestContext and plain arguments, return plain dicts and raise stratus.exception
errors; they know nothing of HTTP (the handlers read request bodies and stream data).
Only this package uses the RPC client (image_api/service/clients.py)."""
from __future__ import annotations

from image_api.service.images import (ACTIVE, QUEUED, SAVING, abandon_upload, apply_patch,
                                      as_document, begin_upload, check_properties,
                                      check_read_only, create_image, delete_image,
                                      finish_upload, get_image, image_data, list_images,
                                      new_document, patched_document, property_names, split,
                                      update_image)
from image_api.service.scrubber import scrub, scrub_tasks

__all__ = [
    "ACTIVE", "QUEUED", "SAVING", "abandon_upload", "apply_patch", "as_document",
    "begin_upload", "check_properties", "check_read_only", "create_image", "delete_image",
    "finish_upload", "get_image", "image_data", "list_images", "new_document",
    "patched_document", "property_names", "scrub", "scrub_tasks", "split", "update_image",
]
