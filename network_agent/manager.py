"""A host's network agent: turns the conductor's picture of the host's networks into the
data plane (bridges, VXLAN or VLAN links, dnsmasq, forwarding) through its driver. Every
change re-reads the affected state from the conductor and converges on it, so a restart
rebuilds the same plumbing from the database."""
from __future__ import annotations

import ipaddress
import itertools
import logging
import os
import pathlib
import threading
from collections.abc import Callable
from importlib import metadata
from typing import Any

from conductor.rpcapi.network import NetworkConductorAPI
from network_agent.driver import CHAIN_PREFIX, DhcpHost, DhcpRange, Firewall, NetworkDriver
from network_agent.port_chains import PORTS_CHAIN, SPOOF_CHAIN, security_group_chains, \
    spoofing_chains
from network_agent.rpcapi import NetworkAgentAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext, get_admin_context
from stratus.rpc import endpoint_target
from stratus.stopwatch import Stopwatch

LOG = logging.getLogger(__name__)
DRIVERS = "stratus.network_drivers"
Network = dict[str, Any]
FORWARD_CHAIN = CHAIN_PREFIX + "isolate"
DNAT_IN, DNAT_LOCAL, SNAT_OUT = (CHAIN_PREFIX + n for n in ("float-in", "float-local",
                                                            "float-out"))
# ebtables: what must not cross a VXLAN link of a multi_host network (its gateway, on
# every host, answers only its own host's guests; each host's DHCP serves its own).
LOCAL_IN, LOCAL_OUT = CHAIN_PREFIX + "local-in", CHAIN_PREFIX + "local-out"
# Guests' requests to the metadata address go to the metadata API (seed 5.3.4).
METADATA = CHAIN_PREFIX + "metadata"
METADATA_ADDRESS = "169.254.169.254"
# The conductor's contract version that reads new servers' ports alone.
PORT_READS = "1.4"


def _solicited_node(address: str) -> str:
    """The multicast group neighbour solicitations for `address` go to (RFC 4291)."""
    low = int(ipaddress.IPv6Address(address)) & 0xFFFFFF
    return str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("ff02::1:ff00:0")) | low))


def _of_instance(found: dict[str, Any], uuid: str) -> dict[str, Any]:
    """One server's part of an instance_ports answer."""
    def mine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r["instance_uuid"] == uuid]
    return {"ports": mine(found["ports"]), "floating_ips": mine(found["floating_ips"]),
            "dhcp_hosts": {net: mine(hosts) for net, hosts in found["dhcp_hosts"].items()}}


def _metadata_dnat(in_namespace: bool) -> list[str]:
    """Guests' 169.254.169.254:80, the source address kept (the metadata API knows the
    guest by it): to metadata_host:metadata_port, or, for an agent in a namespace of its
    own, to the metadata proxy it runs there on metadata_port."""
    match = f"-d {METADATA_ADDRESS}/32 -p tcp --dport 80"
    if in_namespace:
        return [f"{match} -j REDIRECT --to-ports {CONF.metadata_port}"]
    return [f"{match} -j DNAT --to-destination {CONF.metadata_host}:{CONF.metadata_port}"]


def driver_name() -> str:
    """`[network] driver`, with auto resolved: linux beside real guests, else fake."""
    name = CONF.network.driver
    if name == "auto":
        name = "linux" if CONF.compute.virt_driver == "libvirt" else "fake"
    return name


def load_driver(host: str) -> NetworkDriver:
    name = driver_name()
    found = {e.name: e for e in metadata.entry_points(group=DRIVERS)}
    if name not in found:
        raise RuntimeError(f"Unknown [network] driver {name!r}; known: {sorted(found)}")
    return found[name].load()(namespace(host), files_dir(host))


def namespace(host: str) -> str | None:
    """`[network] network_namespace` for this host's agent."""
    name = CONF.network.network_namespace
    return name.replace("{host}", host) if name else None


def files_dir(host: str) -> pathlib.Path:
    """Where the host's dnsmasq files go: dnsmasq reads them as nobody, so under a
    world-searchable path, one folder per namespace and host."""
    return pathlib.Path(CONF.network.dhcp_files_path) / (namespace(host) or "default") / host


class Coalesced:
    """Calls `work` for callers that ask at the same time only as often as needed: each
    caller returns once a run that began after it asked has finished, or sooner once its
    `until` holds after a run (a failed run is retried by the next waiter; its own caller
    gets the error)."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._work = work
        self._changed = threading.Condition()
        self._asked = self._done = 0
        self._running = False

    def __call__(self, until: Callable[[], bool] = lambda: False) -> None:
        with self._changed:
            self._asked += 1
            ticket = self._asked
            while self._done < ticket and not until():
                if self._running:
                    self._changed.wait()
                    continue
                self._running, target, finished = True, self._asked, False
                self._changed.release()
                try:
                    self._work()
                    finished = True
                finally:
                    self._changed.acquire()
                    self._running = False
                    if finished:
                        self._done = target
                    self._changed.notify_all()


class NetworkManager:
    target = endpoint_target(NetworkAgentAPI)

    def __init__(self, host: str, driver: NetworkDriver | None = None) -> None:
        self.host = host
        self.driver = driver or load_driver(host)
        self.conductor = NetworkConductorAPI.get()
        self._lock = threading.Lock()
        self._plumbed: dict[str, Network] = {}
        self._floating: list[dict[str, Any]] = []
        self._ports: list[dict[str, Any]] = []
        # The ports whose DHCP entries and chains the last converge put in place.
        self._ready: frozenset[str] = frozenset()
        # What was last applied: the driver is called only for what changed.
        self._applied: dict[str, Any] = {}
        self._batched = Coalesced(self._read_and_converge)
        # The host's configuration is the last full read with the servers added since
        # laid over it; reads are numbered in the order they began, so that the newer
        # of two wins whichever finishes first.
        self._reads = itertools.count(1)
        self._config: dict[str, Any] = {"networks": [], "floating_ips": [], "ports": []}
        self._config_read = 0
        self._added: dict[str, tuple[int, dict[str, Any]]] = {}  # server uuid -> read, ports
        self._new_ports: set[str] = set()
        self._new_ports_lock = threading.Lock()
        self._adding = Coalesced(self._read_and_add)
        self._floating_interfaces: set[str] = set()
        self._vtep: str | None = None  # this host's VXLAN endpoint

    # --- lifecycle --------------------------------------------------------------------

    def init_host(self) -> None:
        """Say what this kernel lacks, then rebuild the host's plumbing from the
        conductor's state."""
        if CONF.network.segmentation == "vlan" or CONF.network.vlan_interface:
            why = self.driver.vlan_supported()
            if why:
                LOG.warning("802.1Q VLANs are unavailable on %s (%s): use [network] "
                            "segmentation = vxlan.", self.host, why)
        self._report_vtep()
        self._say_where_metadata_goes()
        self._read_and_converge()

    def _say_where_metadata_goes(self) -> None:
        """Warn once of a metadata path that cannot work."""
        if self.driver.netns is None and ipaddress.ip_address(CONF.metadata_host).is_loopback:
            LOG.warning("[DEFAULT] metadata_host %s is a loopback address: guests' requests "
                        "to %s cannot be DNATed there; set the address the metadata API "
                        "is reached at", CONF.metadata_host, METADATA_ADDRESS)
        elif self.driver.netns is not None and not CONF.metadata_proxy_socket:
            LOG.warning("Guests of %s get no metadata: the agent runs in namespace %s and "
                        "[DEFAULT] metadata_proxy_socket is unset", self.host, self.driver.netns)

    def _ensure_metadata_proxy(self) -> None:
        """Guests in the agent's own namespace reach the metadata API through a proxy
        there (to the API's unix socket), started again if it died; without a namespace,
        through the DNAT."""
        if self.driver.netns is None or not CONF.metadata_proxy_socket:
            return
        self.driver.ensure_metadata_proxy(CONF.metadata_port,
                                          os.path.abspath(CONF.metadata_proxy_socket))

    def _report_vtep(self) -> None:
        """Tell the conductor this host's VXLAN endpoint, so that the other hosts flood
        their VXLAN networks here: [network] vxlan_local_ip, else the first address of
        vxlan_interface."""
        opts = CONF.network
        if opts.vxlan_interface:
            self._vtep = opts.vxlan_local_ip or self.driver.interface_address(
                opts.vxlan_interface)
            if self._vtep is None:
                LOG.warning("[network] vxlan_interface %s of %s has no address and "
                            "vxlan_local_ip is unset: its VXLAN networks stay local",
                            opts.vxlan_interface, self.host)
        try:
            self.conductor.network_host_report(get_admin_context(), host=self.host,
                                               vtep=self._vtep)
        except exception.RPCVersionTooNew:
            LOG.info("The conductor takes no VTEP reports yet ([upgrade_levels]); VXLAN "
                     "networks of %s stay local until it does", self.host)

    def cleanup_host(self) -> None:
        """The data plane stays up while the agent is away (guests keep their network)."""

    # --- RPC ------------------------------------------------------------------------

    def setup_instance_network(self, ctx: RequestContext,
                               network_info: list[dict[str, Any]]) -> None:
        """Returns once the server's ports are in place on this host: their networks,
        DHCP entries and chains, then tells the DHCP hosts of its single-host networks
        elsewhere. On networks this host has already, only the new ports are read and
        added (a boot does not re-read the whole host)."""
        ports = {vif["id"] for vif in network_info}
        networks = {vif["network"]["id"]: vif["network"] for vif in network_info}
        plumbed = {n["uuid"] for n in self._config["networks"]}
        if networks.keys() <= plumbed and self.conductor.can_send_version(PORT_READS):
            with self._new_ports_lock:
                self._new_ports |= ports
            self._adding()
        else:
            self._batched(until=lambda: ports <= self._ready)
        for net in networks.values():
            if not net["multi_host"] and net.get("host") and net["host"] != self.host:
                NetworkAgentAPI.get().refresh_network(ctx, host=net["host"],
                                                      network_uuid=net["id"])

    def refresh_network(self, ctx: RequestContext, network_uuid: str) -> None:
        """A server elsewhere joined or left a network this host is the DHCP host of."""
        self._batched()

    def networks_changed(self, ctx: RequestContext) -> None:
        self._reload(ctx)

    def security_groups_changed(self, ctx: RequestContext) -> None:
        self._reload(ctx)

    def refresh_host(self, ctx: RequestContext) -> None:
        self._reload(ctx)

    def _reload(self, ctx: RequestContext) -> None:
        """Converge on the host's configuration as read after this call began: callers
        that ask together share one read and one apply (a burst of boots costs a few
        converges, not one each)."""
        self._batched()

    def _read_and_converge(self) -> None:
        clock = Stopwatch()
        read = next(self._reads)
        config = self.conductor.host_config(get_admin_context(), host=self.host)
        clock.lap("read")
        with self._lock:
            if read > self._config_read:
                self._config, self._config_read = config, read
                self._added = {u: a for u, a in self._added.items() if a[0] > read}
            self._ensure_metadata_proxy()
            self._converge(clock, "host read")

    def _read_and_add(self) -> None:
        """The servers of the ports asked for since the last run, read and laid over the
        host's configuration (a failed read leaves them for the next run)."""
        clock = Stopwatch()
        with self._new_ports_lock:
            ports, self._new_ports = self._new_ports, set()
        read = next(self._reads)
        try:
            found = self.conductor.instance_ports(get_admin_context(), port_ids=sorted(ports),
                                                  host=self.host)
        except Exception:
            with self._new_ports_lock:
                self._new_ports |= ports
            raise
        clock.lap("read")
        with self._lock:
            if read > self._config_read:
                for uuid in found["instances"]:
                    if read > self._added.get(uuid, (0,))[0]:
                        self._added[uuid] = (read, _of_instance(found, uuid))
            self._converge(clock, f"{len(found['instances'])} server(s) added")

    def _effective(self) -> dict[str, Any]:
        """The last full read with the servers added since in place of what it had of
        them."""
        if not self._added:
            return self._config
        added = [a for _read, a in self._added.values()]

        def kept(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [r for r in rows if r["instance_uuid"] not in self._added]

        return {"networks": [{**n, "dhcp_hosts": kept(n["dhcp_hosts"]) + [
                    h for a in added for h in a["dhcp_hosts"].get(n["uuid"], [])]}
                    for n in self._config["networks"]],
                "floating_ips": kept(self._config["floating_ips"]) + [
                    f for a in added for f in a["floating_ips"]],
                "ports": kept(self._config["ports"]) + [p for a in added for p in a["ports"]]}

    # --- converging -------------------------------------------------------------------

    def _converge(self, clock: Stopwatch, how: str) -> None:
        """Make the data plane the effective configuration (the caller holds the lock)."""
        config = self._effective()
        networks = config["networks"]
        wanted = {n["uuid"]: n for n in networks}
        for gone in [u for u in self._plumbed if u not in wanted]:
            self._unplumb(self._plumbed.pop(gone))
        for net in networks:
            self._plumb(net)
        clock.lap("networks")
        self._bind_floating(config["floating_ips"])
        self._ports = config["ports"]
        self._apply_firewall()
        self._ready = frozenset(p["id"] for p in self._ports)
        clock.lap("firewall")
        LOG.info("Network agent %s serves %d network(s), %d floating IP(s), %d port(s) "
                 "in %s after a %s", self.host, len(networks), len(self._floating),
                 len(self._ports), clock, how)

    def _bind_floating(self, floating: list[dict[str, Any]]) -> None:
        """Floating IPs on their public interfaces, exactly those of this host's servers
        (an interface that no longer has any is emptied)."""
        by_interface: dict[str, list[str]] = {i: [] for i in self._floating_interfaces}
        for item in floating:
            if not item["interface"]:
                LOG.warning("Floating IP %s has no interface: set [network] "
                            "public_interface or the pool's --interface", item["address"])
                continue
            by_interface.setdefault(item["interface"], []).append(item["address"])
        for interface, addresses in by_interface.items():
            if self._applied.get(f"floating:{interface}") != addresses:
                self.driver.set_floating_addresses(interface, addresses)
                self._applied[f"floating:{interface}"] = addresses
        self._floating_interfaces = set(by_interface)
        self._floating = [f for f in floating if f["interface"]]

    def _plumb(self, net: Network) -> None:
        """The network's bridge and segment, then its DHCP server, each only when what
        it depends on changed (a boot usually changes only the DHCP hosts)."""
        uuid, serving = net["uuid"], net.get("dhcp_server", False)
        links = {k: v for k, v in net.items() if k != "dhcp_hosts"}
        # FlatManager's bridge is the admin's, used as it is (its addresses, MTU, ports).
        if self._applied.get(f"links:{uuid}") != links and net["manager"] != "FlatManager":
            self.driver.ensure_bridge(net["bridge"], addresses=self._gateways(net)
                                      if serving else [], mtu=net.get("mtu"),
                                      interface=self._bridge_interface(net))
            self._segment(net)
            if serving:
                self.driver.set_forwarding(True)
            self._applied[f"links:{uuid}"] = links
        dhcp = self._dhcp(net) if serving else None
        if self._applied.get(f"dhcp:{uuid}", False) != dhcp:
            if dhcp is not None:
                self.driver.update_dhcp(uuid, **dhcp)
            else:
                self.driver.stop_dhcp(uuid)
            self._applied[f"dhcp:{uuid}"] = dhcp
        self._plumbed[uuid] = net

    def _isolated_bridges(self) -> list[str]:
        return sorted({n["bridge"] for n in self._plumbed.values()
                       if n["manager"] == "VlanManager"})

    def _apply_firewall(self) -> None:
        """All of this host's chains in one restore per family: project networks cannot
        reach each other (nothing is forwarded from one project bridge to another), each
        port sends and receives what the port chains allow, and each floating IP leads
        to its fixed IP both ways (DNAT in, SNAT out)."""
        bridges = self._isolated_bridges()
        isolate = [f"-i {a} -o {b} -j DROP" for a in bridges for b in bridges if a != b]
        dnat = [f"-d {f['address']}/32 -j DNAT --to-destination {f['fixed_ip']}"
                for f in self._floating]
        snat = [f"-s {f['fixed_ip']}/32 -j SNAT --to-source {f['address']}"
                for f in self._floating]
        if snat and self.driver.netns is None:  # the metadata API knows guests by fixed IP
            snat.insert(0, f"-d {CONF.metadata_host}/32 -p tcp --dport {CONF.metadata_port} "
                           "-j RETURN")
        ipv4, ipv6 = (Firewall(
            chains={"filter": {FORWARD_CHAIN: isolate,
                               **security_group_chains(self._ports, family),
                               **spoofing_chains(self._ports, family)}},
            jumps={"filter": {"FORWARD": [f"-j {SPOOF_CHAIN}", f"-j {FORWARD_CHAIN}",
                                          f"-j {PORTS_CHAIN}"],
                              "INPUT": [f"-j {SPOOF_CHAIN}"]}}) for family in (4, 6))
        ipv4.chains["nat"] = {DNAT_IN: dnat, DNAT_LOCAL: list(dnat), SNAT_OUT: snat,
                              METADATA: _metadata_dnat(self.driver.netns is not None)}
        ipv4.jumps["nat"] = {"PREROUTING": [f"-j {METADATA}", f"-j {DNAT_IN}"],
                             "OUTPUT": [f"-j {DNAT_LOCAL}"], "POSTROUTING": [f"-j {SNAT_OUT}"]}
        wanted = (ipv4, ipv6, self._bridging())
        if self._applied.get("firewall") != wanted:
            self.driver.apply_firewall(ipv4, ipv6, bridging=wanted[2])
            self._applied["firewall"] = wanted

    def _bridging(self) -> Firewall:
        """ebtables: each multi_host network's gateway addresses live on every host, so
        what finds them (ARP, IPv6 neighbour solicitations), router advertisements and
        DHCP stay on this side of the link that joins the hosts."""
        inward, outward = [], []
        for net in self._plumbed.values():
            link = self._host_link(net)
            if not (net["multi_host"] and net.get("dhcp_server") and link
                    and net.get("gateway")):
                continue
            both = ["-p IPv4 --ip-proto udp --ip-dport 67:68 -j DROP",
                    f"-p ARP --arp-ip-dst {net['gateway']} -j DROP"]
            if net.get("cidr_v6") and net.get("gateway_v6") and CONF.network.use_ipv6:
                both += [f"-p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type {kind} -j DROP"
                         for kind in ("router-solicitation", "router-advertisement")]
                both += [f"-p IPv6 --ip6-dst {_solicited_node(net['gateway_v6'])} -j DROP",
                         "-p IPv6 --ip6-proto udp --ip6-dport 546:547 -j DROP"]
            inward += [f"-i {link} {rule}" for rule in both]
            outward += [f"-o {link} {rule}" for rule in both]
            outward.append(f"-o {link} -p ARP --arp-ip-src {net['gateway']} -j DROP")
            if net.get("gateway_v6") and CONF.network.use_ipv6:
                outward.append(f"-o {link} -p IPv6 --ip6-src {net['gateway_v6']} -j DROP")
        if not inward:
            return Firewall()
        return Firewall(chains={"filter": {LOCAL_IN: inward, LOCAL_OUT: outward}},
                        jumps={"filter": {"INPUT": [f"-j {LOCAL_IN}"],
                                          "FORWARD": [f"-j {LOCAL_IN}", f"-j {LOCAL_OUT}"],
                                          "OUTPUT": [f"-j {LOCAL_OUT}"]}})

    def _host_link(self, net: Network) -> str | None:
        """The device on the network's bridge that leads to the other hosts: its VXLAN
        or VLAN link, or the flat interface; None when the network stays on this host."""
        opts = CONF.network
        if net.get("vni") is not None:
            return f"vx-{net['vni']}" if opts.vxlan_interface and self._vtep else None
        if net.get("vlan") is not None:
            return f"{opts.vlan_interface}.{net['vlan']}" if opts.vlan_interface else None
        return self._bridge_interface(net)

    def _unplumb(self, net: Network) -> None:
        for part in ("links", "dhcp"):
            self._applied.pop(f"{part}:{net['uuid']}", None)
        self.driver.stop_dhcp(net["uuid"])
        if net["manager"] != "FlatManager":
            self.driver.delete_bridge(net["bridge"])
        LOG.info("Removed network %s (%s) from %s", net["label"], net["uuid"], self.host)

    def _segment(self, net: Network) -> None:
        opts = CONF.network
        if net.get("vni") is not None and opts.vxlan_interface and self._vtep:
            family = ipaddress.ip_address(self._vtep).version
            self.driver.ensure_vxlan(net["bridge"], vni=net["vni"],
                                     underlay=opts.vxlan_interface, local_ip=self._vtep,
                                     remotes=[r for r in net.get("remotes", [])
                                              if ipaddress.ip_address(r).version == family],
                                     mtu=net.get("mtu") or opts.network_device_mtu)
        elif net.get("vlan") is not None and opts.vlan_interface:
            self.driver.ensure_vlan(net["bridge"], vlan=net["vlan"],
                                    interface=opts.vlan_interface, mtu=net.get("mtu"))

    @staticmethod
    def _bridge_interface(net: Network) -> str | None:
        if net["manager"] == "VlanManager":
            return None
        return net.get("bridge_interface") or CONF.network.flat_interface

    @staticmethod
    def _gateways(net: Network) -> list[str]:
        prefix = ipaddress.ip_network(net["cidr"]).prefixlen
        found = [f"{net['gateway']}/{prefix}"]
        if net.get("cidr_v6") and CONF.network.use_ipv6:
            found.append(f"{net['gateway_v6']}/{ipaddress.ip_network(net['cidr_v6']).prefixlen}")
        return found

    @staticmethod
    def _dhcp(net: Network) -> dict[str, Any]:
        dns = CONF.network.dns_server or [a for a in (net.get("dns1"), net.get("dns2")) if a]
        return {"bridge": net["bridge"],
                "hosts": [DhcpHost(mac=h["mac"], hostname=h["hostname"], ip=h["ip"])
                          for h in net["dhcp_hosts"]],
                "ranges": [DhcpRange(start_address=net["dhcp_start"] or net["gateway"],
                                     prefix_len=ipaddress.ip_network(net["cidr"]).prefixlen,
                                     tag=f"net{net['id']}", gateway=net["gateway"])],
                "dns_servers": dns, "mtu": net.get("mtu"),
                "lease_time": CONF.network.dhcp_lease_time,
                "domain": CONF.network.dhcp_domain,
                "config_file": CONF.network.dnsmasq_config_file,
                "ipv6_ra": bool(net.get("cidr_v6") and CONF.network.use_ipv6)}
