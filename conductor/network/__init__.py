"""The conductor's network domain: networks, fixed IPs and virtual interfaces (the state
nova-network kept), allocated at build and released on delete."""
