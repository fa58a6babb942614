"""The network agent: per host, the data plane of the conductor's networks (bridges,
VXLAN or 802.1Q segments, dnsmasq, iptables) through a network driver (driver.py the
interface, linux_net.py the real one, fake_net.py the fake)."""
