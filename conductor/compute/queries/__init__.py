"""All SQL of the compute domain, one module per concept: instances (rows, listings,
state changes), builds (creation under quota, retries, stalled builds), placement (claims
on compute nodes), evacuations, actions (the action log), quotas, usage (what instances
hold per node, usage per project over a window, the usage audit's task log), flavors,
keypairs and server_groups. A transaction opens and ends inside one function here;
functions that take a `session` are the parts they share."""
