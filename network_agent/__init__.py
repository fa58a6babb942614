"""Network agent: Linux bridges, VXLAN, dnsmasq and iptables in a network namespace
(driver.py is the interface, linux_net.py the real one, fake_net.py the fake)."""
