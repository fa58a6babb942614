"""Every configuration option of Stratus, registered on one ConfigOpts object.

`etc/stratus/stratus.conf.sample` is generated from `list_opts()` by
oslo-config-generator (see `etc/stratus/stratus-config-generator.conf`).
"""
from __future__ import annotations

import os
import socket

from oslo_messaging import opts as messaging_opts
from oslo_config import cfg
from oslo_policy import opts as policy_opts

from stratus.audit_period import PERIOD_REGEX

CONF = cfg.CONF

default_opts = [
    cfg.StrOpt("host", default=socket.gethostname(),
               sample_default="<hostname>",
               help="Name of this node, used as the host of its services."),
    cfg.StrOpt("state_path", default=".stratus",
               help="Directory holding the embedded database, images, "
                    "instance files and logs."),
    cfg.IntOpt("report_interval", default=10, min=1,
               help="Seconds between two state reports of a service."),
    cfg.IntOpt("service_down_time", default=60, min=1,
               help="Seconds without a state report after which a service "
                    "counts as down."),
    cfg.StrOpt("servicegroup_driver", default="db", choices=["db", "mc", "zk"],
               help="How services report that they are alive: db (through the conductor "
                    "into the services table), mc (memcached keys that expire after "
                    "service_down_time; [memcache] servers) or zk (ZooKeeper ephemeral "
                    "nodes; [zookeeper] address)."),
    cfg.IntOpt("instance_build_timeout", default=600, min=0,
               help="Seconds a build may take before it ends in ERROR with a fault "
                    "(0: never). On by default, unlike Nova's."),
    cfg.IntOpt("reclaim_instance_interval", default=0, min=0,
               help="Seconds a deleted server is kept, powered off and SOFT_DELETED, "
                    "before its compute agent reclaims it (restore and forceDelete act "
                    "on it meanwhile); 0 deletes at once. Also how often agents look "
                    "for servers to reclaim."),
    cfg.IntOpt("shelved_offload_time", default=0, min=-1,
               help="Seconds a shelved server keeps its host before its guest is removed "
                    "and its resources freed (SHELVED_OFFLOADED); 0 at once, -1 never."),
    cfg.IntOpt("shelved_poll_interval", default=3600, min=0,
               help="Seconds between compute agents' checks for shelved servers to "
                    "offload (with shelved_offload_time > 0)."),
    cfg.BoolOpt("allow_resize_to_same_host", default=False,
                help="Whether a resize may keep the server on its host (a cold "
                     "migration always leaves it). Useful with a single compute host."),
    cfg.IntOpt("resize_confirm_window", default=0, min=0,
               help="Seconds after which a resized or migrated server left in "
                    "VERIFY_RESIZE is confirmed by itself; 0 never."),
    cfg.FloatOpt("rpc_call_timeout", default=30.0,
                 help="Seconds an RPC call waits for its answer."),
    cfg.FloatOpt("cpu_allocation_ratio", default=16.0,
                 help="Virtual CPUs per physical CPU the scheduler allows."),
    cfg.FloatOpt("ram_allocation_ratio", default=1.5,
                 help="Virtual RAM per physical RAM the scheduler allows."),
    cfg.FloatOpt("disk_allocation_ratio", default=1.0,
                 help="Virtual disk per physical disk the scheduler allows."),
    cfg.StrOpt("default_availability_zone", default="nova",
               help="Availability zone of hosts in no aggregate zone."),
    cfg.StrOpt("internal_service_availability_zone", default="internal",
               help="Zone shown for services other than compute agents; no aggregate may "
                    "use it."),
    cfg.BoolOpt("instance_usage_audit", default=False,
                help="Compute agents audit instance usage once per audit period: each "
                     "records, for the last completed period, how many instances were "
                     "active on its host (a task-log row that "
                     "/os-instance_usage_audit_log reports)."),
    cfg.StrOpt("instance_usage_audit_period", default="month", regex=PERIOD_REGEX,
               help="The audit period: hour, day, month or year, optionally with an "
                    "offset (day@18 begins each day at 18:00 UTC, month@15 on the 15th, "
                    "year@3 on March 1st)."),
]

database_opts = [
    cfg.StrOpt("connection", secret=True,
               default="sqlite:///$state_path/stratus.sqlite",
               help="SQLAlchemy URL of the database the conductor owns: "
                    "sqlite:///..., mysql+pymysql://..., "
                    "postgresql+psycopg://..."),
    cfg.BoolOpt("echo", default=False, help="Log every SQL statement."),
]

compute_api_opts = [
    cfg.HostAddressOpt("listen", default="127.0.0.1",
                       help="Address the compute API listens on."),
    cfg.PortOpt("port", default=8774, help="Port of the compute API."),
    cfg.StrOpt("public_endpoint", default="http://127.0.0.1:8774",
               help="Base URL clients use to reach the compute API."),
    cfg.IntOpt("max_servers_per_request", default=1000, min=1, max=2**31 - 1,
               help="Most servers one create request (min_count/max_count) may make, "
                    "whatever the quota: a larger max_count is cut to this, a larger "
                    "min_count is refused."),
]

wsgi_opts = [
    cfg.IntOpt("keep_alive_timeout", default=75, min=1,
               help="Seconds an idle kept-alive client connection stays open on every "
                    "REST API. Longer than any client's polling interval, so a client "
                    "never sends on a connection the server is closing at that moment "
                    "(openstack --wait polls every 5 s)."),
]

identity_opts = [
    cfg.HostAddressOpt("listen", default="127.0.0.1",
                       help="Address the identity API listens on."),
    cfg.PortOpt("port", default=5000, help="Port of the identity API."),
    cfg.StrOpt("public_endpoint", default="http://127.0.0.1:5000",
               help="Base URL clients use to reach the identity API."),
    cfg.IntOpt("token_expiration", default=3600, min=60,
               help="Lifetime of a token in seconds."),
    cfg.FloatOpt("revocation_cache_time", default=0.5, min=0.0, max=60.0,
                 help="Seconds an API process trusts its copy of the token revocation "
                      "events before asking the conductor for newer ones: a deleted or "
                      "disabled user, project or role assignment stops every token of it "
                      "within about this long, on every API replica."),
    cfg.StrOpt("token_secret", secret=True, default="",
               help="Key that signs tokens; every API process must share it. "
                    "Empty means: read or create $state_path/token_secret."),
    cfg.StrOpt("region", default="RegionOne",
               help="Region named in the service catalog."),
]

# The metadata service's options keep the [DEFAULT] names of the operations guide (seed
# 5.3.4) and of Nova.
metadata_opts = [
    cfg.HostAddressOpt("metadata_host", default="127.0.0.1",
                       help="The address the network agents DNAT guests' requests to "
                            "169.254.169.254:80 to: where the metadata API is reached "
                            "from the guests' hosts. Must be an IP address, and not a "
                            "loopback one (a DNAT from a bridge cannot reach it; an agent "
                            "in a network_namespace uses its metadata proxy instead)."),
    cfg.PortOpt("metadata_port", default=8775,
                help="The port of metadata_host those requests go to."),
    cfg.HostAddressOpt("metadata_listen", default="127.0.0.1",
                       help="Address the metadata API listens on."),
    cfg.PortOpt("metadata_listen_port", default=8775,
                help="Port the metadata API listens on."),
    cfg.StrOpt("metadata_proxy_socket", default="$state_path/metadata/proxy.sock",
               help="A unix socket the metadata API also listens on, for the metadata "
                    "proxy a network agent runs inside its network_namespace (guests there "
                    "cannot reach metadata_host): requests on it name the guest in "
                    "X-Forwarded-For, which only local processes allowed to open the socket "
                    "can send (its folder, made 0700 when missing, decides who). Empty: "
                    "no socket."),
    cfg.IntOpt("metadata_cache_expiration", default=15, min=0,
               help="Seconds an instance's metadata is kept by the metadata API before it "
                    "is read again from the conductor; 0 reads it on every request."),
    cfg.StrOpt("metadata_proxy_shared_secret", default="", secret=True,
               help="Secret shared with metadata proxies: a request carrying X-Instance-ID "
                    "is served only with X-Instance-ID-Signature, the HMAC-SHA256 of the "
                    "instance id under this secret. Empty: proxied requests are refused."),
    cfg.BoolOpt("use_forwarded_for", default=False,
                help="Take the guest's address from X-Forwarded-For (the metadata API "
                     "behind a proxy that sets it); otherwise from the connection."),
    cfg.StrOpt("vendordata_jsonfile_path",
               help="A JSON file served to every guest as vendor_data.json (and as the "
                    "\"static\" entry of vendor_data2.json)."),
    cfg.ListOpt("vendordata_providers", default=["StaticJSON"],
                item_type=cfg.types.String(choices=["StaticJSON", "DynamicJSON"]),
                help="Where vendor data comes from: StaticJSON (vendordata_jsonfile_path), "
                     "DynamicJSON (vendordata_dynamic_targets)."),
    cfg.ListOpt("vendordata_dynamic_targets", default=[],
                help="name@url entries: each URL is sent a POST of the instance's facts "
                     "(project-id, instance-id, image-id, user-data, hostname, metadata) "
                     "and its JSON answer is served under `name` in vendor_data2.json."),
    cfg.FloatOpt("vendordata_dynamic_connect_timeout", default=5.0, min=0.1,
                 help="Seconds to connect to a dynamic vendor data target."),
    cfg.FloatOpt("vendordata_dynamic_read_timeout", default=5.0, min=0.1,
                 help="Seconds a dynamic vendor data target may take to answer; past them "
                      "(or on any error) its entry is {} and the guest is answered anyway."),
]

image_opts = [
    cfg.HostAddressOpt("listen", default="127.0.0.1",
                       help="Address the image API listens on."),
    cfg.PortOpt("port", default=9292, help="Port of the image API."),
    cfg.StrOpt("public_endpoint", default="http://127.0.0.1:9292",
               help="Base URL clients use to reach the image API."),
    cfg.StrOpt("store_dir", default="$state_path/images",
               help="Directory of the filesystem image store."),
    cfg.IntOpt("image_size_cap", default=1099511627776,
               help="Largest image upload accepted, in bytes."),
    cfg.IntOpt("image_property_quota", default=128, min=-1,
               help="Most additional properties an image may have; -1 means no limit. "
                    "More are refused with 413 (403 through the compute API's image "
                    "metadata proxy, as Nova answers over quota)."),
    cfg.FloatOpt("upload_read_timeout", default=30.0, min=0.1,
                 help="Seconds an image upload may go without receiving any data. Past "
                      "it the upload fails, the image goes back to queued and nothing of "
                      "it is kept (a client that stops sending short of its "
                      "Content-Length no longer holds the image in saving)."),
    cfg.IntOpt("scrub_interval", default=60, min=0,
               help="Seconds between the image service's scrubs: the data of images "
                    "deleted through the compute API's image proxy is removed, then "
                    "their records (Glance's delayed delete); 0 disables them."),
]

scheduler_opts = [
    cfg.ListOpt("enabled_filters",
                default=["RetryFilter", "AvailabilityZoneFilter", "ComputeFilter",
                         "ComputeCapabilitiesFilter", "ImagePropertiesFilter", "RamFilter",
                         "CoreFilter",
                         "DiskFilter", "ServerGroupAntiAffinityFilter",
                         "ServerGroupAffinityFilter", "SameHostFilter", "DifferentHostFilter",
                         "JsonFilter"],
                help="Filters a host must pass, in this order. Also available: "
                     "NumInstancesFilter, IoOpsFilter, AggregateInstanceExtraSpecsFilter, "
                     "AggregateMultiTenancyIsolation."),
    cfg.ListOpt("weight_classes",
                default=["RAMWeigher", "CPUWeigher", "DiskWeigher", "IoOpsWeigher",
                         "NumInstancesWeigher", "ServerGroupSoftAffinityWeigher",
                         "ServerGroupSoftAntiAffinityWeigher"],
                help="Weighers that rank the hosts that passed."),
    cfg.FloatOpt("ram_weight_multiplier", default=1.0,
                 help="Positive spreads by free RAM, negative stacks."),
    cfg.FloatOpt("cpu_weight_multiplier", default=1.0,
                 help="Positive spreads by free vCPUs, negative stacks."),
    cfg.FloatOpt("disk_weight_multiplier", default=1.0,
                 help="Positive spreads by free disk, negative stacks."),
    cfg.FloatOpt("io_ops_weight_multiplier", default=-1.0,
                 help="Negative prefers hosts with fewer builds and snapshots under way."),
    cfg.FloatOpt("num_instances_weight_multiplier", default=0.0,
                 help="Positive prefers hosts with more instances, negative fewer."),
    cfg.FloatOpt("soft_affinity_weight_multiplier", default=10.0, min=0,
                 help="How strongly soft-affinity groups prefer hosts with members. "
                      "Nova's default, 1.0, lets the resource weighers (together about 3) "
                      "win; 10 keeps a group together whenever a host with members fits."),
    cfg.FloatOpt("soft_anti_affinity_weight_multiplier", default=10.0, min=0,
                 help="How strongly soft-anti-affinity groups avoid hosts with members "
                      "(see soft_affinity_weight_multiplier)."),
    cfg.IntOpt("max_instances_per_host", default=50, min=1,
               help="NumInstancesFilter: instances a host may hold."),
    cfg.IntOpt("max_io_ops_per_host", default=8, min=1,
               help="IoOpsFilter: builds, rebuilds and snapshots a host may run at once."),
    cfg.FloatOpt("host_state_ttl", default=10.0, min=0,
                 help="Seconds the scheduler reuses host states before reading them again "
                      "(host changes and failed placements refresh them at once)."),
    cfg.IntOpt("host_subset_size", default=1, min=1,
               help="Pick at random among this many best hosts."),
    cfg.IntOpt("max_attempts", default=3, min=1,
               help="Hosts a build is tried on before it ends in ERROR."),
]

compute_opts = [
    cfg.StrOpt("virt_driver", default="fake", choices=["fake", "libvirt", "auto"],
               help="Virtualization driver of the compute agent; auto: libvirt with a "
                    "private libvirtd when libvirt and qemu are usable here, else fake "
                    "(stratus-all only)."),
    cfg.StrOpt("instances_path", default="$state_path/instances",
               help="Where instance disks, console logs and the image cache live."),
    cfg.BoolOpt("force_config_drive", default=False,
                help="Give every server a config drive, asked for or not (one with "
                     "a NIC on a network without DHCP always gets one)."),
    cfg.IntOpt("sync_power_state_interval", default=600, min=0,
               help="Seconds between full power state syncs (a safety net behind "
                    "libvirt's lifecycle events); 0 disables them."),
    cfg.IntOpt("image_cache_manager_interval", default=2400, min=0,
               help="Seconds between sweeps of the image cache; 0 disables them."),
    cfg.IntOpt("remove_unused_original_minimum_age_seconds", default=86400, min=0,
               help="A cached image no instance on the host uses is removed once it "
                    "has been unused this long."),
    cfg.IntOpt("shutdown_timeout", default=60, min=0,
               help="Seconds a guest gets to shut down cleanly before it is forced off."),
    cfg.IntOpt("reserved_host_memory_mb", default=512, min=0,
               help="Memory kept back for the host itself."),
    cfg.IntOpt("reserved_host_disk_mb", default=0, min=0,
               help="Disk kept back for the host itself."),
]

libvirt_opts = [
    cfg.StrOpt("virt_type", default="qemu", choices=["qemu", "kvm"],
               help="Domain type: qemu (TCG emulation) or kvm."),
    cfg.StrOpt("connection_uri", default="qemu:///system",
               help="libvirt URI the compute agent connects to."),
    cfg.HostAddressOpt("vnc_listen", default="127.0.0.1",
                       help="Address guests' VNC displays listen on."),
    cfg.BoolOpt("private_daemon", default=False,
                help="stratus-all starts its own libvirtd (private state under "
                     "$state_path/libvirtd, inside a network namespace it creates and "
                     "removes) and connects to it."),
    cfg.IntOpt("console_log_max_bytes", default=1048576, min=1024,
               help="Largest console output returned."),
]

fake_opts = [
    cfg.IntOpt("host_count", default=1, min=1,
               help="Fake compute agents one stratus-compute process runs; "
                    "the first is named after `host`, the others "
                    "<host>-2, <host>-3, ..."),
    cfg.IntOpt("vcpus", default=32, min=1, help="vCPUs of a fake host."),
    cfg.IntOpt("memory_mb", default=131072, min=1,
               help="Memory of a fake host in MB."),
    cfg.IntOpt("local_gb", default=2048, min=1,
               help="Disk of a fake host in GB."),
    cfg.FloatOpt("spawn_delay", default=0.0, min=0,
                 help="Seconds a fake spawn takes."),
    cfg.ListOpt("fail_spawn_images", default=[],
                help="Image IDs whose spawn fails (to exercise faults)."),
]

network_opts = [
    cfg.StrOpt("manager", default="VlanManager",
               choices=["FlatManager", "FlatDHCPManager", "VlanManager"],
               help="How servers get networks (seed 5.3). FlatManager: the admin's "
                    "networks on an existing bridge, addresses given to the guest "
                    "statically (config drive). FlatDHCPManager: the agent makes the "
                    "bridge and serves DHCP. VlanManager: one isolated segment, bridge, "
                    "subnet and DHCP server per project, made when its first server "
                    "boots."),
    cfg.StrOpt("driver", default="auto", choices=["auto", "linux", "fake"],
               help="Data plane of the network agent: linux (bridges, VXLAN, dnsmasq, "
                    "iptables), fake (state in memory, for tests), auto (linux with the "
                    "libvirt virt driver, else fake)."),
    cfg.StrOpt("network_namespace",
               help="Network namespace the agent's whole data plane lives in (unset: "
                    "the process's own). The embedded cloud uses its private "
                    "libvirtd's. `{host}` in the name stands for the agent's host, so "
                    "that the fake hosts of one process each get a data plane of "
                    "their own."),
    cfg.StrOpt("dhcp_files_path", default="/run/stratus/dhcp",
               help="Where the agent keeps dnsmasq's hosts, lease and log files (one "
                    "folder per namespace and host). dnsmasq drops to nobody, so the "
                    "path must be searchable by all."),
    cfg.StrOpt("flat_network_bridge", default="br100",
               help="Bridge of flat networks created without --bridge."),
    cfg.StrOpt("flat_interface",
               help="Interface the agent adds to flat networks' bridges."),
    cfg.StrOpt("vlan_interface",
               help="Interface 802.1Q VLANs of VlanManager's project networks ride on."),
    cfg.StrOpt("vxlan_interface",
               help="Interface VXLAN segments of project networks ride on."),
    cfg.HostAddressOpt("vxlan_local_ip",
                       help="This host's VXLAN tunnel address (default: the first "
                            "address of vxlan_interface)."),
    cfg.StrOpt("segmentation", default="vxlan", choices=["vlan", "vxlan"],
               help="How VlanManager isolates project networks: vlan (802.1Q on "
                    "vlan_interface) or vxlan (a VNI per project over "
                    "vxlan_interface)."),
    cfg.StrOpt("fixed_range", default="10.0.0.0/8",
               help="Range VlanManager cuts project networks from (network_size "
                    "addresses each) when a project boots its first server."),
    cfg.IntOpt("network_size", default=256, min=4,
               help="Addresses in each network VlanManager creates on demand."),
    cfg.IntOpt("vlan_start", default=100, min=1, max=4094,
               help="First VLAN ID (802.1Q) or VNI VlanManager hands out."),
    cfg.IntOpt("network_device_mtu", default=1450, min=576,
               help="MTU of guests' networks, handed out by DHCP (1450 leaves room "
                    "for VXLAN)."),
    cfg.BoolOpt("multi_host", default=False,
                help="Networks made on demand are multi_host: each compute host is "
                     "its own gateway and DHCP server."),
    cfg.ListOpt("dns_server", default=[],
                help="DNS servers DHCP hands to guests (unset: the network's dns1 and "
                     "dns2, else none)."),
    cfg.StrOpt("dnsmasq_config_file",
               help="Extra configuration file each dnsmasq reads."),
    cfg.IntOpt("dhcp_lease_time", default=86400, min=120,
               help="Seconds a DHCP lease lasts."),
    cfg.StrOpt("dhcp_domain", default="novalocal",
               help="Domain DHCP hands to guests."),
    cfg.BoolOpt("use_ipv6", default=False,
                help="Give guests IPv6 addresses (EUI-64 from their MAC) on networks "
                     "with a fixed_range_v6; dnsmasq sends router advertisements."),
    cfg.StrOpt("fixed_range_v6", default="fd00::/48",
               help="Range VlanManager cuts a /64 per project network from (use_ipv6)."),
    cfg.BoolOpt("allow_same_net_traffic", default=True,
                help="Servers on one network reach each other whatever their security "
                     "groups say (nova-network's default); false: only what the rules "
                     "allow."),
    cfg.BoolOpt("auto_assign_floating_ip", default=False,
                help="Give every new server a floating IP of the default pool."),
    cfg.StrOpt("default_floating_pool", default="nova",
               help="Pool floating IPs come from when none is named."),
    cfg.StrOpt("public_interface",
               help="Interface floating IPs are bound to (a pool's own --interface "
                    "wins)."),
]

quota_opts = [
    cfg.IntOpt("instances", default=10, help="Servers per project."),
    cfg.IntOpt("cores", default=20, help="vCPUs per project."),
    cfg.IntOpt("ram", default=51200, help="MB of RAM per project."),
    cfg.IntOpt("key_pairs", default=100, help="Key pairs per user."),
    cfg.IntOpt("metadata_items", default=128,
               help="Metadata items per server."),
    cfg.IntOpt("server_groups", default=10, help="Server groups per project."),
    cfg.IntOpt("server_group_members", default=10,
               help="Servers per server group."),
    cfg.IntOpt("injected_files", default=5,
               help="Files injected per server (API before 2.57)."),
    cfg.IntOpt("injected_file_content_bytes", default=10240,
               help="Bytes per injected file (API before 2.57)."),
    cfg.IntOpt("injected_file_path_bytes", default=255,
               help="Path length of an injected file (API before 2.57)."),
    cfg.IntOpt("floating_ips", default=10,
               help="Floating IPs per project (API before 2.36)."),
    cfg.IntOpt("fixed_ips", default=-1,
               help="Fixed IPs per project, -1 for unlimited (API before 2.36)."),
    cfg.IntOpt("networks", default=3, help="Networks per project (API before 2.36)."),
    cfg.IntOpt("security_groups", default=10,
               help="Security groups per project (API before 2.36)."),
    cfg.IntOpt("security_group_rules", default=20,
               help="Rules per security group (API before 2.36)."),
]

conductor_opts = [
    cfg.IntOpt("build_check_interval", default=10, min=0,
               help="Seconds between two rounds of the build watchdog (0: off), which "
                    "finds builds that stopped making progress (a lost message, a dead "
                    "agent) and resumes, reschedules or fails them."),
    cfg.IntOpt("build_stall_timeout", default=30, min=1,
               help="Seconds without any change after which the watchdog looks at a "
                    "build."),
]

memcache_opts = [
    cfg.ListOpt("servers", default=["127.0.0.1:11211"],
                help="memcached servers (host:port) of the mc service-group driver."),
]

zookeeper_opts = [
    cfg.StrOpt("address", default="127.0.0.1:2181",
               help="ZooKeeper servers (host:port[,host:port...]) of the zk driver."),
    cfg.StrOpt("sg_prefix", default="/stratus/servicegroups",
               help="ZooKeeper path under which services keep their ephemeral nodes."),
]

# One cap per RPC topic (a contract's rpcapi module names its topic).
RPC_TOPICS = {
    "compute": "compute agents",
    "network": "network agents",
    "metadata": "metadata services",
    "scheduler": "the scheduler",
    "conductor": "the conductor's release-1 contract (previous-release services)",
    "conductor_identity": "the conductor's identity domain",
    "conductor_image": "the conductor's image domain",
    "conductor_compute": "the conductor's compute domain",
    "conductor_hosts": "the conductor's hosts domain (services, nodes, aggregates)",
    "conductor_network": "the conductor's network domain",
    "conductor_scheduling": "the conductor's reads for the scheduler",
}
upgrade_levels_opts = [
    cfg.StrOpt(topic, regex=r"^\d+\.\d+$",
               help=f"Highest RPC version sent to {who}. During a rolling upgrade set it "
                    "to the version the not yet upgraded services speak; unset once "
                    "every service runs the new release.")
    for topic, who in RPC_TOPICS.items()
]

GROUPS = {
    None: default_opts + metadata_opts,
    "database": database_opts,
    "wsgi": wsgi_opts,
    "compute_api": compute_api_opts,
    "identity": identity_opts,
    "image": image_opts,
    "scheduler": scheduler_opts,
    "compute": compute_opts,
    "libvirt": libvirt_opts,
    "fake": fake_opts,
    "network": network_opts,
    "quota": quota_opts,
    "conductor": conductor_opts,
    "memcache": memcache_opts,
    "zookeeper": zookeeper_opts,
    "upgrade_levels": upgrade_levels_opts,
}


def _register(conf: cfg.ConfigOpts) -> None:
    for group, opts in GROUPS.items():
        conf.register_opts(opts, group=group)
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)
    conf.set_default("transport_url", "inproc://")
    conf.set_default("control_exchange", "stratus")
    policy_opts.set_defaults(conf, policy_file="policy.yaml")


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Our options for oslo-config-generator (messaging and policy have their own)."""
    return [(group or "DEFAULT", opts) for group, opts in GROUPS.items()]


def parse_args(argv: list[str] | None = None, conf: cfg.ConfigOpts = CONF,
               default_config_files: list[str] | None = None) -> cfg.ConfigOpts:
    if default_config_files is None:
        default_config_files = [p for p in ("etc/stratus/stratus.conf",
                                            "/etc/stratus/stratus.conf")
                                if os.path.exists(p)][:1]
    conf(argv if argv is not None else [], project="stratus",
         default_config_files=default_config_files)
    return conf


def state_file(*parts: str, conf: cfg.ConfigOpts = CONF) -> str:
    path = os.path.join(os.path.abspath(conf.state_path), *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


_register(CONF)
