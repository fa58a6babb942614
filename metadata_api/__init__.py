"""The metadata service: each guest's own data at 169.254.169.254 (seed 5.3.4), the
OpenStack and EC2 trees the config drive also carries."""
