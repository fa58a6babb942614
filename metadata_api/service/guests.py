"""Which instance a request comes from, and that instance as its guest may see it.

Direct requests come from the guest's fixed IP (the network agent's DNAT of
169.254.169.254 keeps the source address). A metadata proxy instead names the instance in
X-Instance-ID, signed with the shared secret in X-Instance-ID-Signature."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from typing import Any

import cachetools

from metadata_api.service import vendordata
from metadata_api.service.clients import conductor
from stratus import exception
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.instance_metadata import MAX_PASSWORD

LOG = logging.getLogger(__name__)
_CACHE: cachetools.TTLCache[tuple[str, str], dict[str, Any]] | None = None
_LOCK = threading.Lock()
# Bumped by every forget(): a read that began before one is not cached (it may hold what
# was just forgotten, e.g. a deleted instance under an address given to the next one).
_generation = 0


@dataclasses.dataclass(frozen=True)
class Caller:
    """What a request says about who sent it."""
    address: str | None
    instance_id: str | None = None  # X-Instance-ID
    tenant_id: str | None = None  # X-Tenant-ID
    signature: str | None = None  # X-Instance-ID-Signature


def _cache() -> cachetools.TTLCache[tuple[str, str], dict[str, Any]] | None:
    global _CACHE
    ttl = CONF.metadata_cache_expiration
    if ttl <= 0:
        return None
    if _CACHE is None or _CACHE.ttl != ttl:
        _CACHE = cachetools.TTLCache(maxsize=10000, ttl=ttl)
    return _CACHE


def _signed(instance_id: str, signature: str | None) -> bool:
    secret = CONF.metadata_proxy_shared_secret
    if not secret or not signature:
        return False
    expected = hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _cached(key: tuple[str, str], compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """What is cached under `key`, else compute() kept there (unless the conductor said
    something changed meanwhile)."""
    with _LOCK:
        cache = _cache()
        found = cache.get(key) if cache is not None else None
        began = _generation
    if found is not None:
        return found
    value = compute()
    with _LOCK:
        cache = _cache()
        if cache is not None and _generation == began:
            cache[key] = value
    return value


def _read(key: tuple[str, str]) -> dict[str, Any]:
    kind, value = key
    return _cached(key, lambda: dict(conductor.instance_for_guest(get_admin_context(),
                                                                  **{kind: value})))


def _key(caller: Caller) -> tuple[str, str] | None:
    if caller.instance_id is not None:
        return ("instance_uuid", caller.instance_id)
    return ("address", caller.address) if caller.address is not None else None


def cached_guest(caller: Caller) -> dict[str, Any] | None:
    """guest() when the cache holds the caller's instance (answered without a conductor
    call: for the event loop); None when guest() has to read it."""
    key = _key(caller)
    with _LOCK:
        cache = _cache()
        held = key is not None and cache is not None and key in cache
    return guest(caller) if held else None


def guest(caller: Caller) -> dict[str, Any]:
    """The instance the request is from. Forbidden for a proxied request without a good
    signature; InstanceNotFound for an address no live instance has, or a proxied
    instance of another tenant than the header says."""
    key = _key(caller)
    if key is None:
        raise exception.InstanceNotFound(instance_id="unknown")
    if caller.instance_id is not None and not _signed(caller.instance_id, caller.signature):
        LOG.warning("Metadata request for instance %s from %s refused: bad or missing "
                    "X-Instance-ID-Signature", caller.instance_id, caller.address)
        raise exception.Forbidden("Invalid proxy request signature.")
    instance = _read(key)
    if caller.instance_id is not None and caller.tenant_id != instance["project_id"]:
        LOG.warning("Metadata request for instance %s names tenant %s, not its own",
                    caller.instance_id, caller.tenant_id)
        raise exception.InstanceNotFound(instance_id=caller.instance_id)
    return instance


def forget(instance_uuid: str | None) -> None:
    """Drop what is cached of an instance (of every instance when None)."""
    global _generation
    with _LOCK:
        _generation += 1
        cache = _cache()
        if cache is None:
            return
        if instance_uuid is None:
            cache.clear()
            return
        for key in [k for k, v in cache.items() if v["uuid"] == instance_uuid]:
            cache.pop(key, None)


def dynamic_vendor_data(instance: dict[str, Any]) -> dict[str, Any]:
    """The dynamic targets' vendor data for the instance, kept with it in the cache."""
    uuid = instance["uuid"]
    return dict(_cached(("vendordata", uuid), lambda: {
        "uuid": uuid, "data": vendordata.dynamic(instance)})["data"])


def post_password(instance: dict[str, Any], body: bytes) -> None:
    """The password the guest posts, once (Conflict when it has one; Invalid over 1020
    bytes, Nova's limit, or when it is not UTF-8)."""
    if len(body) > MAX_PASSWORD:
        raise exception.Invalid("Request is too large.")
    try:
        password = body.decode("utf-8")
    except UnicodeDecodeError:
        raise exception.Invalid("The password is not UTF-8 text.") from None
    conductor.instance_password_post(get_admin_context(), instance_uuid=instance["uuid"],
                                     password=password)
    forget(instance["uuid"])


def reset() -> None:
    """Forget everything cached (a new cloud in the same process: tests)."""
    global _CACHE
    with _LOCK:
        _CACHE = None
