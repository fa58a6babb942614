"""Network agent: Linux bridges, VLANs, dnsmasq and iptables (not built yet)."""
