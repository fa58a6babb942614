"""The conductor's wire contracts, one per domain, each on a topic and version of its own:

  identity.py    IdentityAPI     conductor_identity    users, projects, roles, tokens, catalog
  image.py       ImageAPI        conductor_image       image records
  compute.py     ComputeDataAPI  conductor_compute     flavors, key pairs, instances, actions,
                                                       quotas, server groups, builds, usage
  hosts.py       HostsAPI        conductor_hosts       services, compute nodes, aggregates
  network.py     NetworkConductorAPI conductor_network networks, fixed IPs, interfaces
  scheduling.py  SchedulingAPI   conductor_scheduling  the scheduler's reads
  release1.py    the previous release's single contract (topic `conductor`, 1.3), still
                 served so services of that release keep working during a rolling upgrade.
"""
from __future__ import annotations

from conductor.rpcapi.compute import ComputeConductorAPI
from conductor.rpcapi.hosts import HostsAPI
from conductor.rpcapi.identity import IdentityAPI
from conductor.rpcapi.image import ImageAPI
from conductor.rpcapi.network import NetworkConductorAPI
from stratus.rpc import SharedClient

DOMAINS = (IdentityAPI, ImageAPI, ComputeConductorAPI, HostsAPI, NetworkConductorAPI)


def client() -> SharedClient:
    """The conductor's domains as one client: `client().flavor_get(ctx, ...)`."""
    return SharedClient(*DOMAINS)
