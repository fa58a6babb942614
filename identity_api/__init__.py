"""Identity API: a Keystone v3 subset (tokens, catalog, projects, users, roles)."""
