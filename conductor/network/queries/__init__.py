"""All SQL of the network domain, one module per concept: networks (networks, fixed
IPs, virtual interfaces, the instances' network_info and what each host's agent serves),
floating_ips (pools, allocation, association) and security_groups (groups, rules,
memberships, the rules the agents enforce). A transaction opens and ends inside one
function here; functions that take a Session run inside a caller's transaction."""
