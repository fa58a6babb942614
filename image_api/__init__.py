"""Image API: a Glance v2 subset with a filesystem store."""
