"""Vendor data from the operator's services (Nova's DynamicJSON) for vendor_data2.json:
for each `name@url` of vendordata_dynamic_targets, what the URL answers to a POST of the
instance's facts, under `name`. A target that fails, or has not answered within its
timeouts, gives {} (said in the log): the guest is answered anyway."""
from __future__ import annotations

import concurrent.futures
import logging
from typing import Any

import httpx

from stratus.config import CONF

LOG = logging.getLogger(__name__)
USER_AGENT = "openstack-nova-vendordata"


def targets() -> list[tuple[str, str]]:
    """(name, url) of each dynamic target, the first of a name kept; an entry that is not
    name@url is skipped."""
    found: dict[str, str] = {}
    for entry in CONF.vendordata_dynamic_targets:
        name, at, url = entry.partition("@")
        if not (name and at and url):
            LOG.warning("vendordata_dynamic_targets entry %r is not name@url; skipped", entry)
            continue
        found.setdefault(name, url)
    return list(found.items())


def _facts(instance: dict[str, Any]) -> dict[str, Any]:
    return {"project-id": instance["project_id"], "instance-id": instance["uuid"],
            "image-id": instance.get("image_ref"), "user-data": instance.get("user_data"),
            "hostname": instance.get("hostname"), "metadata": instance.get("metadata") or {},
            "boot-roles": ""}


def _ask(url: str, facts: dict[str, Any]) -> Any:
    timeout = httpx.Timeout(CONF.vendordata_dynamic_read_timeout,
                            connect=CONF.vendordata_dynamic_connect_timeout)
    resp = httpx.post(url, json=facts, timeout=timeout,
                      headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    resp.raise_for_status()
    return resp.json()


def dynamic(instance: dict[str, Any]) -> dict[str, Any]:
    """Every target's answer for the instance, asked side by side, within the targets'
    connect and read timeouts in all."""
    found = targets() if "DynamicJSON" in CONF.vendordata_providers else []
    if not found:
        return {}
    facts = _facts(instance)
    deadline = CONF.vendordata_dynamic_connect_timeout + CONF.vendordata_dynamic_read_timeout
    pool = concurrent.futures.ThreadPoolExecutor(len(found))
    asked = {name: (url, pool.submit(_ask, url, facts)) for name, url in found}
    concurrent.futures.wait([f for _url, f in asked.values()], timeout=deadline)
    pool.shutdown(wait=False, cancel_futures=True)
    answers: dict[str, Any] = {}
    for name, (url, future) in asked.items():
        try:
            answers[name] = future.result(timeout=0)
        except (concurrent.futures.TimeoutError, httpx.HTTPError, ValueError) as e:
            LOG.warning("Dynamic vendor data %s (%s) for instance %s: %s; serving {}", name,
                        url, instance["uuid"], e or "no answer in time")
            answers[name] = {}
    return answers
