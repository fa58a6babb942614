"""The compute domain of the conductor: flavors, key pairs, instances, their actions,
quotas, server groups and usage.

models.py holds its tables and queries/ all of its SQL, one module per concept. The
endpoints (instances, flavors, keypairs, quotas, actions, server_groups, evacuate,
shelve, usage) call those; builds.py is the build orchestration that the instances
endpoint and the build watchdog (a periodic task of the conductor service) share;
limits.py the quota arithmetic.
"""
