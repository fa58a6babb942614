"""The test guest: a small Linux built offline from Debian packages (kernel + busybox)."""
