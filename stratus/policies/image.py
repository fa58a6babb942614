"""Image API policy defaults (names as in Glance)."""
from __future__ import annotations

from stratus.policies.base import ADMIN, api_rule

READER = "role:reader"
MEMBER_OWNER = "rule:admin_api or (role:member and project_id:%(owner)s)"

rules = [
    api_rule("get_images", READER, "List images", "GET", "/v2/images"),
    api_rule("get_image", READER, "Show an image", "GET", "/v2/images/{image_id}"),
    api_rule("add_image", "rule:admin_api or (role:member and project_id:%(owner)s)",
             "Create an image", "POST", "/v2/images"),
    api_rule("modify_image", MEMBER_OWNER, "Update an image", "PATCH",
             "/v2/images/{image_id}"),
    api_rule("upload_image", MEMBER_OWNER, "Upload image data", "PUT",
             "/v2/images/{image_id}/file"),
    api_rule("download_image", READER, "Download image data", "GET",
             "/v2/images/{image_id}/file"),
    api_rule("delete_image", MEMBER_OWNER, "Delete an image", "DELETE",
             "/v2/images/{image_id}"),
    api_rule("publicize_image", ADMIN, "Make an image public", "POST", "/v2/images"),
]
